//! `/api/v1/tokens/{guid}/limits`: a token's own rate limits and credits (its
//! identity's are the identity's).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::limits_json::{Limits, LimitsDocument};
use super::{Problem, json, parse_body};
use crate::auth::api_key::ApiCaller;
use crate::domain::ids::Guid;
use crate::http::api_error::ApiError;
use crate::services::limits;
use crate::state::AppState;

#[utoipa::path(
    get, path = "/api/v1/tokens/{guid}/limits", tag = "Tokens", summary = "Read a token's limits and credits",
    operation_id = "read_token_limits",
    params(("guid" = String, Path, description = "The token's GUID")),
    responses(
        (status = 200, description = "Its own limits and credits", body = Limits),
        (status = 401, description = "No valid API key", body = Problem),
        (status = 403, description = "The key may not read tokens", body = Problem),
        (status = 404, description = "No such token in the key's scopes", body = Problem),
        (status = 410, description = "The token was deleted", body = Problem),
    ),
    security(("api_key" = []))
)]
pub async fn read(
    state: web::Data<AppState>,
    caller: ApiCaller,
    guid: web::Path<Guid>,
) -> Result<HttpResponse, ApiError> {
    let settings = limits::of_token(state.services(), &caller, &guid).await?;
    if settings.deleted {
        return Err(super::tokens::deleted());
    }
    Ok(json(StatusCode::OK, &Limits::of_settings(&settings)))
}

#[utoipa::path(
    put, path = "/api/v1/tokens/{guid}/limits", tag = "Tokens", summary = "Replace a token's limits and credits",
    operation_id = "replace_token_limits",
    description = "Every limit is checked on each verification and forward-auth request; a request over one is refused with `rate_limited` (429), one without credits left with `usage_exceeded` (429). A limit keeps what it counted while its name stays; credits sent replace the remaining count.",
    params(("guid" = String, Path, description = "The token's GUID")),
    request_body = LimitsDocument,
    responses(
        (status = 200, description = "Saved", body = Limits),
        (status = 401, description = "No valid API key", body = Problem),
        (status = 403, description = "The key may not change this token", body = Problem),
        (status = 404, description = "No such token in the key's scopes", body = Problem),
        (status = 410, description = "The token was deleted", body = Problem),
        (status = 415, description = "The body is not JSON", body = Problem),
        (status = 422, description = "A limit or the credits need attention", body = Problem),
    ),
    security(("api_key" = []))
)]
pub async fn replace(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: ApiCaller,
    guid: web::Path<Guid>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let document: LimitsDocument = parse_body(&req, &body)?;
    let control = document
        .control()
        .map_err(|e| ApiError::invalid(&e, |f| f))?;
    limits::set_for_token(state.services(), &caller, &guid, control).await?;
    let settings = limits::of_token(state.services(), &caller, &guid).await?;
    Ok(json(StatusCode::OK, &Limits::of_settings(&settings)))
}
