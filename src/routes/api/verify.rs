//! `GET /api/v1/verify`: may this bearer token pass, optionally for a module and action?

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{bearer, client, problem, refusal};
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
    let verdict = verifier
        .check(Endpoint::Verify, bearer(&req), requested, || client(&req))
        .await?;
    Ok(match (verdict.outcome, verdict.token) {
        (Outcome::Valid, Some(token)) => HttpResponse::Ok()
            .content_type("application/json")
            .body(token.verify_body()),
        (outcome, _) => refusal(outcome),
    })
}
