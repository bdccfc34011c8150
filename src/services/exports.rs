//! Exports: the token list, the audit log and a token's usage, as CSV for
//! spreadsheets or JSON for programs. Rows are read a batch at a time on a
//! blocking thread and sent on as they are written, through a channel that holds
//! a few batches: memory stays the same for a hundred rows or a million, and a
//! client that goes away stops the reading. Every export is in the audit log,
//! with what it was narrowed to, and holds only what the caller may see.

mod sources;

use std::io;

use futures_util::stream::{self, BoxStream};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::{Caller, Forbidden};
use crate::db::audit::{self, Target};
use crate::db::{Db, DbConnection, DbError, now};
use crate::domain::audit::{AuditAction, TargetKind};
use crate::domain::export::{Cell, ExportFormat, ExportKind, json_row};
use crate::domain::permissions::Permission;
use crate::domain::token_list::TokenFilter;
use sources::{AuditSource, TokenSource, UsageSource};

pub use crate::db::audit::AuditFilter;
pub use sources::BATCH;

/// Where rows come from, a batch at a time.
trait Source: Send + 'static {
    fn columns(&self) -> Vec<String>;
    /// The next batch; none at the end.
    fn next(&mut self, c: &mut DbConnection) -> diesel::QueryResult<Vec<Vec<Cell>>>;
}

/// A file being written: its name and its content as it comes.
pub struct Download {
    pub file_name: String,
    pub format: ExportFormat,
    pub body: BoxStream<'static, Result<Vec<u8>, io::Error>>,
}

/// For whom the file is written: people open it in a spreadsheet, which reads
/// UTF-8 only after a byte order mark; programs are better without one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    Spreadsheet,
    Program,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Every token of the list that `filter` narrows (its page aside), in its order.
pub async fn tokens(
    db: &Db,
    caller: &Caller,
    filter: TokenFilter,
    query: &str,
    format: (ExportFormat, Reader),
) -> Result<Download, ExportError> {
    caller.require(Permission::TokensRead)?;
    let visibility = caller.scopes.clone();
    let list = (ExportKind::Tokens, query);
    filtered(db, caller, list, format, move |c| {
        TokenSource::start(c, filter, visibility)
    })
    .await
}

/// Every event of the audit log that `filter` narrows (older than `before`, if
/// given), newest first.
pub async fn audit_log(
    db: &Db,
    caller: &Caller,
    filter: AuditFilter,
    before: Option<i64>,
    query: &str,
    format: (ExportFormat, Reader),
) -> Result<Download, ExportError> {
    caller.require(Permission::AuditRead)?;
    let list = (ExportKind::AuditLog, query);
    filtered(db, caller, list, format, move |_| {
        Ok(AuditSource::new(filter, before))
    })
    .await
}

/// A list's export, recorded with the filters (`query`) it was taken with.
async fn filtered<S: Source>(
    db: &Db,
    caller: &Caller,
    (kind, query): (ExportKind, &str),
    (format, reader): (ExportFormat, Reader),
    start: impl FnOnce(&mut DbConnection) -> diesel::QueryResult<S> + Send + 'static,
) -> Result<Download, ExportError> {
    let file_name = kind.file_name(None, now().date(), format);
    let details = json!({ "filters": query, "format": format.extension() });
    let target = (TargetKind::Export, None, file_name.clone());
    record(db, caller, target, details).await?;
    Ok(download(db, file_name, (format, reader), start))
}

/// A token's usage over a period (`24h`, or from–to), bucket by bucket, as its
/// Usage tab shows it: the caller has read the token (so sees it) and its buckets.
pub async fn token_usage(
    db: &Db,
    caller: &Caller,
    (guid, name, period): (String, String, String),
    buckets: Vec<crate::domain::usage::series::Bucket>,
    (format, reader): (ExportFormat, Reader),
) -> Result<Download, ExportError> {
    caller.require(Permission::TokensRead)?;
    let of = format!("{guid}-{period}");
    let file_name = ExportKind::TokenUsage.file_name(Some(&of), now().date(), format);
    let details = json!({ "export": file_name, "format": format.extension() });
    record(db, caller, (TargetKind::Token, Some(guid), name), details).await?;
    Ok(download(db, file_name, (format, reader), move |_| {
        Ok(UsageSource::new(buckets))
    }))
}

async fn record(
    db: &Db,
    caller: &Caller,
    (kind, id, label): (TargetKind, Option<String>, String),
    details: Value,
) -> Result<(), DbError> {
    let actor = caller.actor.clone();
    db.write(move |c| {
        let target = Target::of(kind, id.as_deref(), &label);
        audit::record(
            c,
            &actor,
            AuditAction::Exported,
            &target,
            &details.to_string(),
        )?;
        Ok::<_, DbError>(())
    })
    .await
}

fn download<S: Source>(
    db: &Db,
    file_name: String,
    (format, reader): (ExportFormat, Reader),
    start: impl FnOnce(&mut DbConnection) -> diesel::QueryResult<S> + Send + 'static,
) -> Download {
    let (sender, receiver) = mpsc::channel(4);
    let failed = sender.clone();
    let db = db.clone();
    tokio::spawn(async move {
        let written = db
            .run(move |c| write(c, start, (format, reader), &sender))
            .await;
        if let Err(error) = written {
            tracing::error!(%error, "an export stopped");
            // The file ends in an error rather than looking complete.
            let _ = failed
                .send(Err(io::Error::other("the export stopped")))
                .await;
        }
    });
    let body = stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|chunk| (chunk, receiver))
    });
    Download {
        file_name,
        format,
        body: Box::pin(body),
    }
}

type Chunks = mpsc::Sender<Result<Vec<u8>, io::Error>>;

/// Writes the file a batch at a time; stops early when the client has gone.
fn write<S: Source>(
    c: &mut DbConnection,
    start: impl FnOnce(&mut DbConnection) -> diesel::QueryResult<S>,
    (format, reader): (ExportFormat, Reader),
    chunks: &Chunks,
) -> anyhow::Result<()> {
    let mut source = start(c)?;
    let columns = source.columns();
    let names: Vec<&str> = columns.iter().map(String::as_str).collect();
    let mut out = Vec::with_capacity(256 * 1024);
    match format {
        ExportFormat::Csv => {
            if reader == Reader::Spreadsheet {
                out.extend_from_slice("\u{feff}".as_bytes());
            }
            csv_rows(&mut out, [names.iter().map(|n| (*n).to_owned()).collect()])?;
        }
        ExportFormat::Json => out.push(b'['),
    }
    let mut first = true;
    loop {
        let rows = source.next(c)?;
        if rows.is_empty() {
            break;
        }
        match format {
            ExportFormat::Csv => {
                csv_rows(
                    &mut out,
                    rows.iter().map(|row| row.iter().map(Cell::csv).collect()),
                )?;
            }
            ExportFormat::Json => {
                for row in &rows {
                    out.extend_from_slice(if first { b"\n" } else { b",\n" });
                    first = false;
                    serde_json::to_writer(&mut out, &json_row(&names, row))?;
                }
            }
        }
        if chunks.blocking_send(Ok(std::mem::take(&mut out))).is_err() {
            return Ok(());
        }
    }
    if format == ExportFormat::Json {
        out.extend_from_slice(b"\n]\n");
    }
    let _ = chunks.blocking_send(Ok(out));
    Ok(())
}

fn csv_rows(out: &mut Vec<u8>, rows: impl IntoIterator<Item = Vec<String>>) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    for row in rows {
        writer.write_record(&row)?;
    }
    Ok(writer.flush()?)
}
