//! `GET /api/v1/verify`: may this bearer token pass, optionally for a module and action?

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{bad_request, bearer, client, cost, limit_headers, problem, refusal};
use crate::domain::tokens::Action;
use crate::domain::verification::Outcome;
use crate::http::AppError;
use crate::state::AppState;
use crate::verification::{Endpoint, Requested};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VerifyQuery {
    /// A module key: the token must be allowed `action` on it.
    module: Option<String>,
    /// What the token must be allowed on `module` (`read` when left out).
    action: Option<Action>,
    /// What the request weighs against the token's rate limits and credits (1 when
    /// left out; 0 checks without spending).
    #[param(minimum = 0, maximum = 1_000_000)]
    cost: Option<i64>,
}

#[utoipa::path(
    get, path = "/api/v1/verify", tag = "Verification", summary = "Verify a token",
    description = "May the bearer token pass, optionally for a module and action? Called by the services tokens protect.",
    params(VerifyQuery),
    responses(
        (status = 200, description = "The token may pass: `valid: true`, with its GUID, name, scopes and grants", body = serde_json::Value),
        (status = 400, description = "A parameter is not valid", body = crate::routes::management::Problem),
        (status = 401, description = "No token, or not a valid one: `valid: false` and a code", body = serde_json::Value),
        (status = 403, description = "Valid, but not for this module, action or address", body = serde_json::Value),
        (status = 429, description = "Valid, but a rate limit is reached (`rate_limited`) or no credits are left (`usage_exceeded`); `Retry-After` says when to try again",
         headers(
             ("RateLimit-Policy" = String, description = "Each of the token's limits, `\"name\";q=limit;w=seconds`, then its credits, `\"credits\";q=amount`"),
             ("RateLimit" = String, description = "Where each stands: `\"name\";r=remaining;t=seconds to reset or refill`"),
             ("Retry-After" = i64, description = "Seconds until the request could pass"),
         ),
         body = serde_json::Value),
    ),
    security(("token" = []))
)]
pub async fn verify(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<VerifyQuery>,
) -> Result<HttpResponse, AppError> {
    let verifier = &state.verifier;
    let action = query.action.unwrap_or(Action::Read);
    let requested = match (query.module.as_deref(), query.action.is_some()) {
        (Some(key), _) => Requested::Module { key, action },
        (None, true) => {
            return Ok(problem(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "action needs a module.",
            ));
        }
        (None, false) => Requested::Nothing,
    };
    let cost = match cost(query.cost) {
        Ok(cost) => cost,
        Err(reason) => return Ok(bad_request(&reason)),
    };
    let verdict = verifier
        .check(Endpoint::Verify, bearer(&req), requested, cost, || {
            client(&req)
        })
        .await?;
    let mut response = match (verdict.outcome, &verdict.token) {
        (Outcome::Valid, Some(token)) => HttpResponse::Ok()
            .content_type("application/json")
            .body(token.verify_body()),
        (outcome, _) => refusal(outcome),
    };
    limit_headers(&mut response, &verdict);
    Ok(response)
}
