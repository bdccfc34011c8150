//! Settings > Usage, and the usage CSV downloads of it and of each token's tab.

use actix_web::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, ContentDisposition, DispositionParam,
    DispositionType, HeaderValue,
};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::auth::{Authorized, perm};
use crate::db::now;
use crate::domain::timestamps::iso;
use crate::domain::usage::series::{Bucket, Period};
use crate::domain::verification::Outcome;
use crate::http::AppError;
use crate::services::usage_overview::{overview, ranked};
use crate::state::AppState;
use crate::views::usage::UsageOverviewPage;
use crate::views::{Layout, Section};

#[derive(serde::Deserialize)]
pub struct UsageQuery {
    period: Option<String>,
}

/// The period asked for; an unknown one is the last 7 days.
pub fn period_of(query: &UsageQuery) -> Period {
    query
        .period
        .as_deref()
        .and_then(Period::from_key)
        .unwrap_or(Period::Week)
}

pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Authorized<perm::TokensRead>,
    query: web::Query<UsageQuery>,
) -> Result<UsageOverviewPage, AppError> {
    let period = period_of(&query);
    let now = now();
    let access = admin.scope_access();
    let usage = overview(&state.db, access.clone(), period.window(now)).await?;
    let ranked = ranked(&state.db, access, period, now).await?;
    let layout = Layout::page(&req, Some(&admin), "Usage", Section::Usage);
    Ok(UsageOverviewPage::new(layout, period, usage, ranked))
}

/// The page's requests as CSV; for those who see every scope, the `invalid`
/// column holds the malformed and unknown tokens.
pub async fn download(
    state: web::Data<AppState>,
    admin: Authorized<perm::TokensRead>,
    query: web::Query<UsageQuery>,
) -> Result<HttpResponse, AppError> {
    let period = period_of(&query);
    let mut usage = overview(&state.db, admin.scope_access(), period.window(now())).await?;
    if let Some(unknown) = &usage.unknown {
        for (bucket, unknown) in usage.buckets.iter_mut().zip(&unknown.buckets) {
            for (count, more) in bucket.counts.iter_mut().zip(unknown.counts) {
                *count += more;
            }
        }
    }
    csv_download(&usage.buckets, format!("usage-{}.csv", period.key()))
}

/// Buckets as a CSV file to download: a row per bucket, a column per outcome code.
pub fn csv_download(buckets: &[Bucket], file_name: String) -> Result<HttpResponse, AppError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["start (UTC)"];
    header.extend(Outcome::ALL.iter().map(|o| o.code()));
    header.push("total");
    let rows = buckets.iter().map(|bucket| {
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
    let mut response = HttpResponse::Ok().body(body);
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::Filename(file_name)],
    };
    if let Ok(value) = HeaderValue::from_str(&disposition.to_string()) {
        headers.insert(CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
