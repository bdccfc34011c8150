//! `/api/v1/usage` and `/api/v1/usage/top-tokens`: the requests of the tokens of
//! the key's scopes over time, and their busiest and most refused tokens, as
//! Settings > Usage shows them.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::usage::{UsageBucket, UsageParams, asked, buckets, by_outcome};
use super::{Problem, json};
use crate::auth::api_key::ApiCaller;
use crate::db;
use crate::domain::permissions::Permission;
use crate::domain::timestamps::iso;
use crate::domain::usage::series::{Bucket, Period, totals};
use crate::http::api_error::ApiError;
use crate::services::usage_overview::{RankedToken, overview, ranked};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct UsageSummaryAnswer {
    /// The first bucket's start.
    pub from: String,
    /// The end of the last bucket.
    pub to: String,
    #[schema(example = "hour")]
    pub granularity: &'static str,
    /// Requests with the tokens of the key's scopes by outcome code, the outcomes
    /// with requests only.
    pub totals: BTreeMap<&'static str, i64>,
    /// Every bucket of the window, oldest first.
    pub buckets: Vec<UsageBucket>,
    /// Requests with malformed or unknown tokens: for keys of every scope only.
    pub unknown_tokens: Option<UnknownTokensAnswer>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnknownTokensAnswer {
    pub total: i64,
    /// Every bucket of the window, oldest first.
    pub buckets: Vec<UsageBucket>,
    /// The addresses that sent the most in the window's days, with their requests.
    pub top_addresses: Vec<AddressCount>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AddressCount {
    pub ip: String,
    pub requests: i64,
}

#[utoipa::path(
    get, path = "/api/v1/usage", tag = "Usage", summary = "Usage across tokens",
    description = "Every answer of /verify, /introspect and /auth about the tokens of the key's scopes, counted by hour (or day) and outcome; each request once, however many of the key's scopes its token is in.",
    params(UsageParams),
    responses(
        (status = 200, description = "The requests in the window", body = UsageSummaryAnswer),
        (status = 400, description = "`from`, `to` or `granularity` cannot be read", body = Problem),
        (status = 401, description = "No valid API key", body = Problem),
        (status = 403, description = "The key may not read tokens", body = Problem),
        (status = 422, description = "The window cannot be answered: reversed, too long, or hours no longer kept", body = Problem),
    ),
    security(("api_key" = []))
)]
pub async fn summary(
    state: web::Data<AppState>,
    caller: ApiCaller,
    params: web::Query<UsageParams>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::TokensRead)?;
    let window = asked(&state, params.into_inner())?;
    let usage = overview(&state.db, caller.scopes.clone(), window).await?;
    let answer = UsageSummaryAnswer {
        from: iso(&window.first),
        to: iso(&window.end()),
        granularity: window.granularity.key(),
        totals: by_outcome(&totals(&usage.buckets)),
        buckets: buckets(&usage.buckets),
        unknown_tokens: usage.unknown.map(|unknown| UnknownTokensAnswer {
            total: unknown.buckets.iter().map(Bucket::total).sum(),
            buckets: buckets(&unknown.buckets),
            top_addresses: unknown
                .top_addresses
                .into_iter()
                .map(|(ip, requests)| AddressCount { ip, requests })
                .collect(),
        }),
    };
    Ok(json(StatusCode::OK, &answer))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TopTokensParams {
    /// The period ranked: by default the last 7 days.
    period: Option<PeriodParam>,
}

/// A period tokens are ranked over, ending now.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
pub enum PeriodParam {
    #[serde(rename = "24h")]
    Day,
    #[serde(rename = "7d")]
    Week,
    #[serde(rename = "30d")]
    Month,
    #[serde(rename = "90d")]
    Quarter,
}

impl From<PeriodParam> for Period {
    fn from(param: PeriodParam) -> Self {
        match param {
            PeriodParam::Day => Period::Day,
            PeriodParam::Week => Period::Week,
            PeriodParam::Month => Period::Month,
            PeriodParam::Quarter => Period::Quarter,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TopTokensAnswer {
    #[schema(example = "7d")]
    pub period: &'static str,
    /// When the tokens were last ranked (every few minutes); null before the first
    /// ranking.
    pub ranked_at: Option<String>,
    /// The tokens with the most requests, the busiest first (10 at most).
    pub busiest: Vec<RankedTokenItem>,
    /// The tokens with the most refused requests, the most first (10 at most).
    pub most_refused: Vec<RankedTokenItem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RankedTokenItem {
    pub guid: String,
    pub name: String,
    #[schema(example = "active")]
    pub status: &'static str,
    pub requests: i64,
    pub refused: i64,
}

fn items(tokens: Vec<RankedToken>) -> Vec<RankedTokenItem> {
    tokens
        .into_iter()
        .map(|t| RankedTokenItem {
            guid: t.guid.to_string(),
            name: t.name,
            status: t.status.key(),
            requests: t.totals.requests,
            refused: t.totals.refused,
        })
        .collect()
}

#[utoipa::path(
    get, path = "/api/v1/usage/top-tokens", tag = "Usage", summary = "The busiest and most refused tokens",
    description = "The tokens of the key's scopes with the most requests and the most refused requests in a period, as last ranked (every few minutes).",
    params(TopTokensParams),
    responses(
        (status = 200, description = "The ranked tokens", body = TopTokensAnswer),
        (status = 400, description = "`period` cannot be read", body = Problem),
        (status = 401, description = "No valid API key", body = Problem),
        (status = 403, description = "The key may not read tokens", body = Problem),
    ),
    security(("api_key" = []))
)]
pub async fn top_tokens(
    state: web::Data<AppState>,
    caller: ApiCaller,
    params: web::Query<TopTokensParams>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::TokensRead)?;
    let period = params.period.map_or(Period::Week, Period::from);
    let ranked = ranked(&state.db, caller.scopes.clone(), period, db::now()).await?;
    let answer = TopTokensAnswer {
        period: period.key(),
        ranked_at: ranked.ranked_at.as_ref().map(iso),
        busiest: items(ranked.busiest),
        most_refused: items(ranked.most_refused),
    };
    Ok(json(StatusCode::OK, &answer))
}
