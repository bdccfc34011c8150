//! `/api/v1/tokens/{guid}/usage`: a token's requests over time by outcome, and its
//! allowed requests by module and action, as the Usage tab shows them.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use time::{Duration, PrimitiveDateTime, Time};
use utoipa::{IntoParams, ToSchema};

use super::{Problem, csv_export, json, wants_csv};
use crate::auth::api_key::ApiCaller;
use crate::db;
use crate::domain::export::ExportFormat;
use crate::domain::ids::Guid;
use crate::domain::timestamps::iso;
use crate::domain::tokens::parse_date;
use crate::domain::usage::asked::{WindowError, asked_window};
use crate::domain::usage::series::{Bucket, Granularity, Window};
use crate::domain::verification::Outcome;
use crate::http::api_error::ApiError;
use crate::services::exports::{self, Reader};
use crate::services::{tokens, usage};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsageParams {
    /// The first day counted (UTC), from its start. By default 7 days before `to`.
    #[param(format = Date, example = "2026-12-01")]
    from: Option<String>,
    /// The last day counted (UTC), to its end (or now). By default now.
    #[param(format = Date, example = "2026-12-07")]
    to: Option<String>,
    /// By default hours for 7 days or less, days beyond. Hours are kept for the
    /// days set by TESSERA_USAGE_HOURLY_DAYS.
    granularity: Option<GranularityParam>,
}

/// How long a bucket is.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum GranularityParam {
    Hour,
    Day,
}

impl From<GranularityParam> for Granularity {
    fn from(param: GranularityParam) -> Self {
        match param {
            GranularityParam::Hour => Granularity::Hour,
            GranularityParam::Day => Granularity::Day,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenUsageAnswer {
    pub token: String,
    /// The first bucket's start.
    pub from: String,
    /// The end of the last bucket.
    pub to: String,
    #[schema(example = "hour")]
    pub granularity: &'static str,
    /// Requests in the window by outcome code (`valid` passed), the outcomes with
    /// requests only.
    pub totals: BTreeMap<&'static str, i64>,
    /// Every bucket of the window, oldest first.
    pub buckets: Vec<UsageBucket>,
    /// Allowed requests by module and action in the window, busiest first; with
    /// each pair's last allowed use, however long ago.
    pub access: Vec<AccessCount>,
    /// The clients seen passing with the token, however long ago, the most
    /// recently seen first (50 at most).
    pub clients: Vec<ClientItem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClientItem {
    pub ip: String,
    pub user_agent: Option<String>,
    pub first_seen_at: String,
    pub last_seen_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UsageBucket {
    pub start: String,
    pub total: i64,
    /// Requests by outcome code, the outcomes with requests only.
    pub outcomes: BTreeMap<&'static str, i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessCount {
    #[schema(example = "orders")]
    pub module: String,
    #[schema(example = "read")]
    pub action: &'static str,
    pub requests: i64,
    pub last_used_at: Option<String>,
}

pub(super) fn by_outcome(counts: &[i64]) -> BTreeMap<&'static str, i64> {
    Outcome::ALL
        .iter()
        .zip(counts)
        .filter(|(_, n)| **n > 0)
        .map(|(o, n)| (o.code(), *n))
        .collect()
}

/// Every bucket, as answered.
pub(super) fn buckets(buckets: &[Bucket]) -> Vec<UsageBucket> {
    buckets
        .iter()
        .map(|b| UsageBucket {
            start: iso(&b.start),
            total: b.total(),
            outcomes: by_outcome(&b.counts),
        })
        .collect()
}

/// The start of the day `text` names, or (`to`) its last second.
fn day_bound(text: &str, end_of_day: bool) -> Result<PrimitiveDateTime, ApiError> {
    let day = parse_date(text).ok_or_else(|| {
        ApiError::bad_request(format!("{text:?} is not a day: write it 2026-12-01."))
    })?;
    let start = PrimitiveDateTime::new(day, Time::MIDNIGHT);
    let end = start.checked_add(Duration::DAY - Duration::SECOND);
    Ok(if end_of_day {
        end.unwrap_or(start)
    } else {
        start
    })
}

#[utoipa::path(
    get, path = "/api/v1/tokens/{guid}/usage", tag = "Usage", summary = "A token's usage",
    description = "Every answer of /verify, /introspect and /auth about the token, counted by hour (or day) and outcome: exact counts, written a few seconds after the requests.",
    params(("guid" = String, Path, description = "The token's GUID"), UsageParams),
    responses(
        (status = 200, description = "The token's requests in the window; with `Accept: text/csv`, its buckets as a CSV file, a column per outcome",
         content((TokenUsageAnswer = "application/json"), (String = "text/csv"))),
        (status = 400, description = "`from`, `to` or `granularity` cannot be read", body = Problem),
        (status = 401, description = "No valid API key", body = Problem),
        (status = 403, description = "The key may not read tokens", body = Problem),
        (status = 404, description = "No such token in the key's scopes", body = Problem),
        (status = 410, description = "The token was deleted", body = Problem),
        (status = 422, description = "The window cannot be answered: reversed, too long, or hours no longer kept", body = Problem),
    ),
    security(("api_key" = []))
)]
pub async fn token_usage(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: ApiCaller,
    guid: web::Path<Guid>,
    params: web::Query<UsageParams>,
) -> Result<HttpResponse, ApiError> {
    let (details, _) = tokens::read(state.services(), &caller, &guid).await?;
    if details.token.deleted_at.is_some() {
        return Err(super::tokens::deleted());
    }
    let window = asked(&state, params.into_inner())?;
    let usage = usage::for_token(&state.db, details.token.id, window).await?;
    if wants_csv(&req) {
        let period = format!("{}-{}", window.first.date(), window.end().date());
        let named = (
            details.token.guid.to_string(),
            details.token.name.clone(),
            period,
        );
        let format = (ExportFormat::Csv, Reader::Program);
        let export = exports::token_usage(&state.db, &caller, named, usage.buckets, format);
        return csv_export(export).await;
    }
    let answer = TokenUsageAnswer {
        token: details.token.guid.to_string(),
        from: iso(&window.first),
        to: iso(&window.end()),
        granularity: window.granularity.key(),
        totals: by_outcome(&usage.totals()),
        buckets: buckets(&usage.buckets),
        access: usage
            .access
            .into_iter()
            .map(|a| AccessCount {
                module: a.module,
                action: a.action.key(),
                requests: a.requests,
                last_used_at: a.last_used.as_ref().map(iso),
            })
            .collect(),
        clients: usage
            .clients
            .into_iter()
            .map(|c| ClientItem {
                ip: c.client_ip,
                user_agent: Some(c.user_agent).filter(|ua| !ua.is_empty()),
                first_seen_at: iso(&c.first_seen),
                last_seen_at: iso(&c.last_seen),
            })
            .collect(),
    };
    Ok(json(StatusCode::OK, &answer))
}

/// The window the parameters ask for, or why it cannot be answered.
pub(super) fn asked(state: &AppState, params: UsageParams) -> Result<Window, ApiError> {
    let granularity = params.granularity.map(Granularity::from);
    let from = params.from.as_deref().map(|t| day_bound(t, false));
    let to = params.to.as_deref().map(|t| day_bound(t, true));
    let (from, to) = (from.transpose()?, to.transpose()?);
    let retention = state.config.usage_retention;
    let window = asked_window(from, to, granularity, db::now(), retention).map_err(|e| {
        let message = match e {
            WindowError::Reversed => "from is after to.".to_owned(),
            WindowError::TooMany { limit } => {
                format!("That is more than {limit} buckets: ask for a shorter window, or by day.")
            }
            WindowError::HoursGone { first } => format!(
                "Hours are kept from {} on; ask by day for earlier ones.",
                crate::domain::tokens::format_date(first.date())
            ),
        };
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "window_not_answerable",
            message,
        )
    })?;
    Ok(window)
}
