//! A token's lifecycle through the API: regenerate, enable, disable, revoke and
//! delete, each on the version `If-Match` names.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::token_json::{RegeneratedToken, Token};
use super::tokens::{read_token, token_response, with_etag};
use super::{IfMatch, Problem, TokenChangeProblems, if_match, json};
use crate::auth::api_key::ApiCaller;
use crate::domain::ids::Guid;
use crate::domain::timestamps::iso;
use crate::domain::tokens::GracePeriod;
use crate::http::api_error::ApiError;
use crate::services::tokens;
use crate::state::AppState;

/// The version a change applies to: the one `If-Match` names, or the current one
/// for `*`.
async fn version_to_change(
    req: &HttpRequest,
    state: &AppState,
    caller: &ApiCaller,
    guid: &Guid,
) -> Result<i32, ApiError> {
    match if_match(req)? {
        IfMatch::Version(version) => Ok(version),
        IfMatch::Any => Ok(tokens::find_changeable(state.services(), caller, guid)
            .await?
            .token
            .version),
    }
}

/// How long the previous secret keeps working.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegenerateRequest {
    /// None when left out.
    #[schema(example = "24h")]
    #[serde(default)]
    grace: GracePeriod,
}

#[utoipa::path(
    post, path = "/api/v1/tokens/{guid}/regenerate", tag = "Tokens", summary = "Regenerate a token's secret",
    params(("guid" = String, Path, description = "The token's GUID"),
           ("If-Match" = String, Header, description = "The ETag of the version read")),
    request_body(content = Option<RegenerateRequest>),
    responses(
        (status = 200, description = "A new secret, shown this once", body = RegeneratedToken, headers(("ETag" = String))),
        TokenChangeProblems,
        (status = 422, description = "The body does not fit (an unknown field or grace period), or the token breaks a rule of its scopes' policies (`policy_violation`, with `rules`)", body = Problem),
    ),
    security(("api_key" = []))
)]
pub async fn regenerate(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: ApiCaller,
    guid: web::Path<Guid>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let request = if body.is_empty() {
        RegenerateRequest::default()
    } else {
        super::parse_body::<Option<RegenerateRequest>>(&req, &body)?.unwrap_or_default()
    };
    let version = version_to_change(&req, &state, &caller, &guid).await?;
    let grace = request.grace.duration();
    let regenerated = tokens::regenerate(state.services(), &caller, &guid, version, grace).await?;
    let token = read_token(&state, &caller, &guid).await?;
    let mut response = json(
        StatusCode::OK,
        &RegeneratedToken {
            token: token.clone(),
            secret: regenerated.secret.expose().to_owned(),
            previous_secret_valid_until: regenerated.previous_until.as_ref().map(iso),
        },
    );
    with_etag(&mut response, token.version);
    Ok(response)
}

/// One step along the lifecycle, on the version named by `If-Match`.
macro_rules! lifecycle_endpoint {
    ($name:ident, $service:path, $path:literal, $summary:literal, $what:literal $(, $extra:tt)?) => {
        #[utoipa::path(
            post, path = $path, tag = "Tokens", summary = $summary, description = $what,
            params(("guid" = String, Path, description = "The token's GUID"),
                   ("If-Match" = String, Header, description = "The ETag of the version read")),
            responses(
                (status = 200, description = "The token after the change", body = Token, headers(("ETag" = String))),
                TokenChangeProblems,
                $($extra,)?
            ),
            security(("api_key" = []))
        )]
        pub async fn $name(
            req: HttpRequest,
            state: web::Data<AppState>,
            caller: ApiCaller,
            guid: web::Path<Guid>,
        ) -> Result<HttpResponse, ApiError> {
            let version = version_to_change(&req, &state, &caller, &guid).await?;
            $service(state.services(), &caller, &guid, version).await?;
            Ok(token_response(&read_token(&state, &caller, &guid).await?))
        }
    };
}

lifecycle_endpoint!(
    enable,
    tokens::enable,
    "/api/v1/tokens/{guid}/enable",
    "Enable a token",
    "Lets a disabled token pass again, if it follows its scopes' policies.",
    (
        status = 422,
        description =
            "The token breaks a rule of its scopes' policies (`policy_violation`, with `rules`)",
        body = Problem
    )
);
lifecycle_endpoint!(
    disable,
    tokens::disable,
    "/api/v1/tokens/{guid}/disable",
    "Disable a token",
    "Stops a token until it is enabled again."
);
lifecycle_endpoint!(
    revoke,
    tokens::revoke,
    "/api/v1/tokens/{guid}/revoke",
    "Revoke a token",
    "Ends a token for good."
);

#[utoipa::path(
    delete, path = "/api/v1/tokens/{guid}", tag = "Tokens", summary = "Delete a token",
    params(("guid" = String, Path, description = "The token's GUID"),
           ("If-Match" = String, Header, description = "The ETag of the version read")),
    responses(
        (status = 204, description = "Deleted; it stays in the audit log"),
        TokenChangeProblems,
    ),
    security(("api_key" = []))
)]
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: ApiCaller,
    guid: web::Path<Guid>,
) -> Result<HttpResponse, ApiError> {
    let version = version_to_change(&req, &state, &caller, &guid).await?;
    tokens::delete(state.services(), &caller, &guid, version).await?;
    Ok(HttpResponse::NoContent().finish())
}
