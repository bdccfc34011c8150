//! `/api/v1/scopes/{id}/policy`: the rules every token of a scope follows, read
//! and replaced through the same service as Settings > Scopes.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{Problem, json, parse_body};
use crate::auth::api_key::ApiCaller;
use crate::http::api_error::ApiError;
use crate::services::catalog::{self, CatalogError, PolicyDocument};
use crate::state::AppState;

impl From<CatalogError> for ApiError {
    fn from(error: CatalogError) -> Self {
        match error {
            CatalogError::NotFound => Self::new(
                StatusCode::NOT_FOUND,
                "scope_not_found",
                "There is no such scope of yours.",
            ),
            CatalogError::Forbidden(f) => f.into(),
            CatalogError::Invalid(errors) => Self::invalid(&errors, |f| f),
            CatalogError::Db(e) => e.into(),
            other => Self::new(StatusCode::CONFLICT, "conflict", other.to_string()),
        }
    }
}

#[utoipa::path(
    get, path = "/api/v1/scopes/{scope_id}/policy", tag = "Catalog", summary = "Read a scope's policy",
    operation_id = "read_scope_policy",
    params(("scope_id" = i64, Path, description = "The scope's ID, as the scope list gives it")),
    responses(
        (status = 200, description = "The scope's rules; a scope without rules allows everything", body = PolicyDocument),
        (status = 401, description = "No valid API key", body = Problem),
        (status = 403, description = "The key may not read tokens", body = Problem),
        (status = 404, description = "No such scope of the key's", body = Problem),
    ),
    security(("api_key" = []))
)]
pub async fn read(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let found = catalog::read_policy(state.services(), &caller, *id).await?;
    Ok(json(
        StatusCode::OK,
        &PolicyDocument::of(&found.policy, &found.modules),
    ))
}

#[utoipa::path(
    put, path = "/api/v1/scopes/{scope_id}/policy", tag = "Catalog", summary = "Replace a scope's policy",
    operation_id = "replace_scope_policy",
    description = "Replaces every rule at once. Tokens made before keep their settings; those that break the new rules are listed by `GET /api/v1/token-health` (finding `policy`). Needs `settings.manage`.",
    params(("scope_id" = i64, Path, description = "The scope's ID")),
    request_body = PolicyDocument,
    responses(
        (status = 200, description = "The policy as saved", body = PolicyDocument),
        (status = 401, description = "No valid API key", body = Problem),
        (status = 403, description = "The key may not manage settings", body = Problem),
        (status = 404, description = "No such scope of the key's", body = Problem),
        (status = 415, description = "The body is not JSON", body = Problem),
        (status = 422, description = "A rule no token could follow, or an unknown module", body = Problem),
    ),
    security(("api_key" = []))
)]
pub async fn replace(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let document: PolicyDocument = parse_body(&req, &body)?;
    let found = catalog::save_policy(state.services(), &caller, *id, move |modules| {
        document.policy(modules)
    })
    .await?;
    Ok(json(
        StatusCode::OK,
        &PolicyDocument::of(&found.policy, &found.modules),
    ))
}
