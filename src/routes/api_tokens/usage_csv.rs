//! The Usage tab's numbers as CSV: one row per hour or day of the period, a column
//! per outcome code.

use actix_web::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, ContentDisposition, DispositionParam,
    DispositionType, HeaderValue,
};
use actix_web::{HttpResponse, web};

use super::load;
use super::show::{UsageQuery, period_of};
use crate::auth::{Authorized, perm};
use crate::db::now;
use crate::domain::ids::Guid;
use crate::domain::timestamps::iso;
use crate::domain::verification::Outcome;
use crate::http::AppError;
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
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["start (UTC)"];
    header.extend(Outcome::ALL.iter().map(|o| o.code()));
    header.push("total");
    let rows = usage.buckets.iter().map(|bucket| {
        let mut row = vec![iso(&bucket.start)];
        row.extend(bucket.counts.iter().map(i64::to_string));
        row.push(bucket.total().to_string());
        row
    });
    let written = out
        .write_record(&header)
        .and_then(|()| rows.into_iter().try_for_each(|row| out.write_record(&row)));
    let body = written
        .and_then(|()| out.into_inner().map_err(|e| e.into_error().into()))
        .map_err(AppError::internal)?;
    let name = format!("usage-{}-{}.csv", token.token.guid, period.key());
    let mut response = HttpResponse::Ok().body(body);
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::Filename(name)],
    };
    if let Ok(value) = HeaderValue::from_str(&disposition.to_string()) {
        headers.insert(CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
