//! Exports from the admin app: the token list and the audit log with the filters
//! of the page they are taken from, and a token's usage over the period its
//! Usage tab shows; CSV for spreadsheets, JSON for programs.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::auth::{Authorized, perm};
use crate::db::audit::AuditReader;
use crate::db::now;
use crate::domain::export::ExportFormat;
use crate::domain::ids::Guid;
use crate::domain::token_list::ListQuery;
use crate::http::AppError;
use crate::http::download::file;
use crate::routes::api_tokens::load;
use crate::routes::audit_log::AuditQuery;
use crate::routes::usage::{UsageQuery, period_of};
use crate::services::exports::{self, Reader};
use crate::services::usage;
use crate::state::AppState;

/// `csv` or `json`, from the address; anything else is not a page.
fn format_of(extension: &str) -> Result<ExportFormat, AppError> {
    match extension {
        "csv" => Ok(ExportFormat::Csv),
        "json" => Ok(ExportFormat::Json),
        _ => Err(AppError::NotFound),
    }
}

fn reader_of(format: ExportFormat) -> (ExportFormat, Reader) {
    (format, Reader::Spreadsheet)
}

/// `/settings/api-tokens/export.csv?…`: every token the list's filters match.
pub async fn tokens(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Authorized<perm::TokensRead>,
    extension: web::Path<String>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let format = format_of(&extension)?;
    let filter = query.filter();
    let described = filter.query_string(&[]);
    let caller = admin.caller(&req);
    let download =
        exports::tokens(&state.db, &caller, filter, &described, reader_of(format)).await?;
    Ok(file(download))
}

/// `/settings/audit-log/export.csv?…`: every event the log's filters match.
pub async fn audit_log(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Authorized<perm::AuditRead>,
    extension: web::Path<String>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    let format = format_of(&extension)?;
    let reader = AuditReader {
        scopes: admin.scope_access(),
        public_id: admin.admin.admin.public_id.clone(),
    };
    let filter = query.filter(reader);
    let described = query.query_string();
    let caller = admin.caller(&req);
    let download = exports::audit_log(
        &state.db,
        &caller,
        filter,
        None,
        &described,
        reader_of(format),
    )
    .await?;
    Ok(file(download))
}

/// `/settings/api-tokens/{guid}/usage.csv?period=…`: the Usage tab's buckets.
pub async fn token_usage(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Authorized<perm::TokensRead>,
    path: web::Path<(Guid, String)>,
    query: web::Query<UsageQuery>,
) -> Result<HttpResponse, AppError> {
    let (guid, extension) = path.into_inner();
    let format = format_of(&extension)?;
    let period = period_of(&query);
    let token = load(&state, &admin, guid).await?.token;
    let buckets = usage::for_token(&state.db, token.id, period.window(now()))
        .await?
        .buckets;
    let named = (token.guid.to_string(), token.name, period.key().to_owned());
    let caller = admin.caller(&req);
    let download =
        exports::token_usage(&state.db, &caller, named, buckets, reader_of(format)).await?;
    Ok(file(download))
}
