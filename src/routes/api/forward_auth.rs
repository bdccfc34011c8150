//! `/api/v1/auth`: forward-auth for nginx `auth_request`, Traefik ForwardAuth and
//! Envoy `ext_authz` (HTTP). The original request's method and path come from the
//! proxy's headers, or (Envoy) from this request itself; the path picks the module,
//! the method the action.

use std::borrow::Cow;

use actix_web::http::header::HeaderName;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{Timer, bearer, client, refusal};
use crate::domain::verification::{Outcome, action_of_method};
use crate::http::AppError;
use crate::startup::AppState;
use crate::verification::{Endpoint, Requested};

/// Sent to the upstream with a passing request.
pub const TOKEN_GUID_HEADER: &str = "x-tessera-token-guid";
pub const TOKEN_NAME_HEADER: &str = "x-tessera-token-name";

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The original method and URI: nginx, then Traefik, then this request (Envoy).
fn original<'a>(req: &'a HttpRequest, path: Option<&'a str>) -> (&'a str, Cow<'a, str>) {
    let method = header(req, "x-original-method")
        .or_else(|| header(req, "x-forwarded-method"))
        .unwrap_or_else(|| req.method().as_str());
    let uri = header(req, "x-original-uri")
        .or_else(|| header(req, "x-forwarded-uri"))
        .map_or_else(
            || Cow::Owned(format!("/{}", path.unwrap_or_default())),
            Cow::Borrowed,
        );
    (method, uri)
}

pub async fn auth(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: Option<web::Path<String>>,
) -> Result<HttpResponse, AppError> {
    let verifier = &state.verifier;
    let _timer = Timer::start(verifier, Endpoint::ForwardAuth);
    let (method, uri) = original(&req, path.as_deref().map(String::as_str));
    let requested = Requested::Path {
        path: &uri,
        action: action_of_method(method),
    };
    let verdict = verifier
        .check(Endpoint::ForwardAuth, bearer(&req), requested, client(&req))
        .await?;
    Ok(match (verdict.outcome, verdict.token) {
        (Outcome::Valid, Some(token)) => {
            let mut response = HttpResponse::Ok().finish();
            let headers = response.headers_mut();
            headers.insert(
                HeaderName::from_static(TOKEN_GUID_HEADER),
                token.guid_header.clone(),
            );
            if let Some(name) = &token.name_header {
                headers.insert(HeaderName::from_static(TOKEN_NAME_HEADER), name.clone());
            }
            response
        }
        (outcome, _) => refusal(outcome),
    })
}
