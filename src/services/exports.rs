//! Exports: the token list, the audit log and a token's usage, as CSV for
//! spreadsheets or JSON for programs. Rows are read a batch at a time on a
//! blocking thread and sent on as they are written, through a channel that holds
//! a few batches: memory stays the same for a hundred rows or a million, and a
//! client that goes away stops the reading. Every export is in the audit log,
//! with what it was narrowed to, and holds only what the caller may see.

mod file;
mod sources;

use std::io;
use std::time::Duration;

use futures_util::stream::{self, BoxStream};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::{Caller, Forbidden};
use crate::db::audit::{self, Target};
use crate::db::{Db, DbConnection, DbError, now};
use crate::domain::audit::{AuditAction, TargetKind};
use crate::domain::export::{Cell, ExportFormat, ExportKind};
use crate::domain::permissions::Permission;
use crate::domain::token_list::TokenFilter;
use file::FileWriter;
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
    #[error("the file could not be written: {0}")]
    Write(String),
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
    download(db, file_name, (format, reader), start).await
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
    download(db, file_name, (format, reader), move |_| {
        Ok(UsageSource::new(buckets))
    })
    .await
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

/// How long a client may leave a batch untaken before it counts as gone.
const CLIENT_PATIENCE: Duration = Duration::from_secs(60);

/// Starts the file: the source and its first batch are read before the answer
/// begins, so that a failure then is an error answer rather than a cut file. The
/// rest is read a batch at a time, each on a connection taken for it alone: a
/// client that reads slowly holds a few batches of memory, never a connection.
async fn download<S: Source>(
    db: &Db,
    file_name: String,
    (format, reader): (ExportFormat, Reader),
    start: impl FnOnce(&mut DbConnection) -> diesel::QueryResult<S> + Send + 'static,
) -> Result<Download, ExportError> {
    let (source, first) = db
        .run(move |c| {
            let mut source = start(c)?;
            let rows = source.next(c)?;
            Ok::<_, DbError>((source, rows))
        })
        .await?;
    let (mut file, mut opening) = FileWriter::open(format, reader, source.columns())
        .and_then(|(mut file, mut opening)| {
            opening.extend(file.rows(&first)?);
            Ok((file, opening))
        })
        .map_err(|e| ExportError::Write(e.to_string()))?;
    let done = first.is_empty();
    if done {
        opening.extend(file.close());
    }
    let (sender, receiver) = mpsc::channel(4);
    let db = db.clone();
    tokio::spawn(async move {
        if !offer(&sender, opening).await || done {
            return;
        }
        if let Err(error) = the_rest(&db, source, &mut file, &sender).await {
            tracing::error!(%error, "an export stopped");
            // The file ends in an error rather than looking complete.
            let _ = sender
                .send(Err(io::Error::other("the export stopped")))
                .await;
        }
    });
    let body = stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|chunk| (chunk, receiver))
    });
    Ok(Download {
        file_name,
        format,
        body: Box::pin(body),
    })
}

type Chunks = mpsc::Sender<Result<Vec<u8>, io::Error>>;

/// Reads and sends the batches after the first, then the file's end; stops early
/// when the client is gone.
async fn the_rest<S: Source>(
    db: &Db,
    mut source: S,
    file: &mut FileWriter,
    chunks: &Chunks,
) -> anyhow::Result<()> {
    loop {
        let (back, rows) = db
            .run(move |c| {
                let rows = source.next(c);
                Ok::<_, DbError>((source, rows))
            })
            .await?;
        source = back;
        let rows = rows?;
        let chunk = if rows.is_empty() {
            file.close()
        } else {
            file.rows(&rows)?
        };
        if !offer(chunks, chunk).await || rows.is_empty() {
            return Ok(());
        }
    }
}

/// Hands a chunk to the answer: false when the client is gone, or has taken
/// nothing for [`CLIENT_PATIENCE`].
async fn offer(chunks: &Chunks, chunk: Vec<u8>) -> bool {
    matches!(
        tokio::time::timeout(CLIENT_PATIENCE, chunks.send(Ok(chunk))).await,
        Ok(Ok(()))
    )
}
