//! `GET /api/v1/token-health`: each health finding with its count and the GUIDs of
//! its tokens, for the key's scopes.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Problem, json};
use crate::auth::api_key::ApiCaller;
use crate::db::now;
use crate::domain::tokens::{Finding, IDLE_DAYS};
use crate::http::api_error::ApiError;
use crate::services::health::{guids_of, summary};
use crate::services::tokens;
use crate::state::AppState;

/// GUIDs listed per finding, at most.
const GUIDS_LISTED: usize = 1_000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HealthParams {
    /// Only the tokens of this scope (its name); all the key's scopes when left out.
    scope: Option<String>,
    /// Idle means not used for this many days: 30 (when left out), 60 or 90.
    #[param(minimum = 30, maximum = 90)]
    idle_days: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FindingAnswer {
    /// `never_used`, `idle`, `no_expiry`, `expiring`, `unused_permissions` or
    /// `new_addresses`: the `finding` a bulk action's selection may name.
    #[schema(example = "idle")]
    pub finding: &'static str,
    pub title: String,
    pub description: String,
    /// How many active tokens it holds.
    pub tokens: i64,
    /// The first 1,000 of them by name.
    pub guids: Vec<String>,
    /// The bulk action that fixes it (`POST /api/v1/tokens/bulk`).
    #[schema(example = "disable")]
    pub remedy: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthAnswer {
    pub scope: Option<String>,
    pub idle_days: i64,
    pub findings: Vec<FindingAnswer>,
}

#[utoipa::path(
    get, path = "/api/v1/token-health", tag = "Tokens", summary = "Token health findings",
    description = "The active tokens that look risky, finding by finding: never used, idle, never expiring, expiring soon, with unused permissions, used from new or many addresses. Scoped like the list.",
    params(HealthParams),
    responses(
        (status = 200, description = "Every finding with its count and tokens", body = HealthAnswer),
        (status = 401, description = "No valid API key", body = Problem),
        (status = 403, description = "The key may not read tokens", body = Problem),
        (status = 422, description = "No such scope of the key's, or idle_days is not 30, 60 or 90", body = Problem),
    ),
    security(("api_key" = []))
)]
pub async fn health(
    _req: HttpRequest,
    state: web::Data<AppState>,
    caller: ApiCaller,
    params: web::Query<HealthParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let idle_days = params.idle_days.unwrap_or(IDLE_DAYS[0]);
    if !IDLE_DAYS.contains(&idle_days) {
        return Err(unprocessable("idle_days is 30, 60 or 90."));
    }
    // An empty scope is none: every scope of the key's.
    let named = params
        .scope
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let scope = match named {
        None => None,
        Some(name) => Some(
            tokens::catalog_for(state.services(), &caller)
                .await?
                .scope_named(name)
                .ok_or_else(|| unprocessable("No such scope of the key's."))?,
        ),
    };
    let now = now();
    let counts = summary(&state.db, &caller, scope, idle_days, now).await?;
    let mut findings = Vec::with_capacity(counts.len());
    for count in counts {
        let finding: Finding = count.finding;
        let guids = guids_of(&state.db, &caller, finding, scope, (now, GUIDS_LISTED)).await?;
        findings.push(FindingAnswer {
            finding: finding.key(),
            title: finding.title(),
            description: finding.explanation(),
            tokens: count.tokens,
            guids,
            remedy: finding.remedy(90).key(),
        });
    }
    Ok(json(
        StatusCode::OK,
        &HealthAnswer {
            scope: named.map(str::to_owned),
            idle_days,
            findings,
        },
    ))
}

fn unprocessable(message: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_parameter",
        message,
    )
}
