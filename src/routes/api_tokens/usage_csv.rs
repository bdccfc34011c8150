//! The Usage tab's numbers as CSV: one row per hour or day of the period, a column
//! per outcome code.

use actix_web::{HttpResponse, web};

use super::load;
use crate::auth::{Authorized, perm};
use crate::db::now;
use crate::domain::ids::Guid;
use crate::http::AppError;
use crate::routes::usage::{UsageQuery, csv_download, period_of};
use crate::services::usage;
use crate::state::AppState;

pub async fn download(
    state: web::Data<AppState>,
    admin: Authorized<perm::TokensRead>,
    guid: web::Path<Guid>,
    query: web::Query<UsageQuery>,
) -> Result<HttpResponse, AppError> {
    let period = period_of(&query);
    let token = load(&state, &admin, guid.into_inner()).await?;
    let usage = usage::for_token(&state.db, token.token.id, period.window(now())).await?;
    let name = format!("usage-{}-{}.csv", token.token.guid, period.key());
    csv_download(&usage.buckets, name)
}
