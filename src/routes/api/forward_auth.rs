//! `/api/v1/auth`: forward-auth for nginx `auth_request`, Traefik ForwardAuth and
//! Envoy `ext_authz` (HTTP). The original request's method and path come from the
//! proxy's headers, or (Envoy) from this request itself; the path, normalised as the
//! upstream will resolve it, picks the module, the method the action.

use actix_web::http::header::HeaderName;
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse, web};

use super::{
    bad_request, bearer, client, cost, limit_headers, method_not_allowed, problem, refusal,
};
use crate::domain::networks::{allows, canonical};
use crate::domain::request_path::{self, Ambiguity};
use crate::domain::verification::{Outcome, action_of_method};
use crate::http::AppError;
use crate::state::AppState;
use crate::verification::{Endpoint, Requested};

/// Sent to the upstream with a passing request.
static TOKEN_GUID_HEADER: HeaderName = HeaderName::from_static("x-tessera-token-guid");
static TOKEN_NAME_HEADER: HeaderName = HeaderName::from_static("x-tessera-token-name");
static IDENTITY_HEADER: HeaderName = HeaderName::from_static("x-tessera-identity");
/// Sent with every refusal: nginx cannot read the body, but can read this.
static CODE_HEADER: HeaderName = HeaderName::from_static("x-tessera-code");

/// The proxies' headers naming the original request (names made once, not parsed
/// on every request).
static ORIGINAL_METHOD: [HeaderName; 2] = [
    HeaderName::from_static("x-original-method"),
    HeaderName::from_static("x-forwarded-method"),
];
static ORIGINAL_URI: [HeaderName; 2] = [
    HeaderName::from_static("x-original-uri"),
    HeaderName::from_static("x-forwarded-uri"),
];

/// Where Envoy's `path_prefix` puts the original path.
const ENVOY_PREFIX: &str = Endpoint::ForwardAuth.path();

/// The first of these headers the request has, as text; `Err` when it is present
/// but not UTF-8.
fn header<'a>(req: &'a HttpRequest, names: &[HeaderName]) -> Result<Option<&'a str>, Ambiguity> {
    names
        .iter()
        .find_map(|name| req.headers().get(name))
        .map(|v| std::str::from_utf8(v.as_bytes()).map_err(|_| Ambiguity::InvalidEscape))
        .transpose()
}

/// The original method and request target: nginx's headers, then Traefik's, then
/// this request itself (Envoy), taken as sent, before any decoding.
fn original(req: &HttpRequest) -> Result<(&str, &str), Ambiguity> {
    let method = header(req, &ORIGINAL_METHOD)?.unwrap_or_else(|| req.method().as_str());
    let target = header(req, &ORIGINAL_URI)?.unwrap_or_else(|| {
        req.uri()
            .path()
            .strip_prefix(ENVOY_PREFIX)
            .filter(|rest| !rest.is_empty())
            .unwrap_or("/")
    });
    Ok((method, target))
}

/// What the proxy's configuration asks of this endpoint, in its query.
#[derive(Debug, Default, serde::Deserialize)]
struct ProxyOptions {
    /// What the request weighs against limits and credits.
    cost: Option<i64>,
    /// The status of a `rate_limited` or `usage_exceeded` refusal: 429 (Traefik,
    /// Envoy), or 403 for nginx, whose `auth_request` knows only 401 and 403.
    limited_status: Option<u16>,
}

/// The proxy's options. Only a proxy that names the original request in headers
/// (nginx, Traefik) has a query of its own: Envoy's query is the client's, and a
/// client does not choose what its request costs.
fn proxy_options(req: &HttpRequest) -> Result<(i64, StatusCode), String> {
    let options: ProxyOptions = match header(req, &ORIGINAL_URI) {
        Ok(Some(_)) => serde_html_form::from_str(req.query_string()).map_err(|_| {
            "The query takes cost (a whole number) and limited_status (403 or 429).".to_owned()
        })?,
        _ => ProxyOptions::default(),
    };
    let status = match options.limited_status {
        None | Some(429) => StatusCode::TOO_MANY_REQUESTS,
        Some(403) => StatusCode::FORBIDDEN,
        Some(_) => return Err("limited_status is 403 or 429.".into()),
    };
    Ok((cost(options.cost)?, status))
}

/// The methods of the calls forward-auth judges.
const API_METHODS: [Method; 7] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::OPTIONS,
];

#[utoipa::path(
    get, path = "/api/v1/auth", tag = "Verification", summary = "Forward authentication",
    description = "Forward authentication for proxies (nginx auth_request, Traefik, Envoy): the original method and URI come in X-Original-Method/X-Original-URI (or X-Forwarded-Method/X-Forwarded-Uri, or, for Envoy, this request's method and the path after /api/v1/auth), and decide the module and action.",
    params(
        ("X-Original-Method" = Option<String>, Header, example = "GET",
         description = "The original request's method: GET, HEAD and OPTIONS read, the rest write"),
        ("X-Original-URI" = Option<String>, Header, example = "/orders/1",
         description = "The original request's path and query, as the client sent it: the path picks the module"),
    ),
    responses(
        (status = 200, description = "The token may pass; the headers name it for the upstream",
         headers(
             ("X-Tessera-Token-Guid" = String, description = "The token's GUID"),
             ("X-Tessera-Token-Name" = String, description = "The token's name, when it can be written in a header"),
             ("X-Tessera-Identity" = String, description = "The external ID of the identity that owns the token, when it has one"),
         )),
        (status = 401, description = "No token, or not a valid one", body = serde_json::Value),
        (status = 403, description = "Valid, but not for this path, method or address; or, with `limited_status=403`, a limit or credits used up (`X-Tessera-Code` says which)", body = serde_json::Value),
        (status = 429, description = "Valid, but a rate limit is reached or no credits are left; `Retry-After` says when to try again", body = serde_json::Value),
    ),
    security(("token" = []))
)]
pub async fn auth(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    // Envoy sends the original request's method: an API call's are these, and
    // TRACE (which echoes a request, credentials included), CONNECT or any other
    // is none to let through.
    if !API_METHODS.contains(req.method()) {
        return Ok(method_not_allowed(
            "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
        ));
    }
    let verifier = &state.verifier;
    let allowed = &state.config.forward_auth_from;
    let peer = req.peer_addr().map(|a| canonical(a.ip()));
    if !allowed.is_empty() && !peer.is_some_and(|ip| allows(allowed, ip)) {
        return Ok(problem(
            StatusCode::FORBIDDEN,
            "forward_auth_not_allowed",
            "Forward-auth answers only the proxies in TESSERA_FORWARD_AUTH_FROM.",
        ));
    }
    let normalized = original(&req).and_then(|(method, target)| {
        request_path::normalize(target).map(|path| (action_of_method(method), path))
    });
    let requested = match &normalized {
        Ok((action, path)) => Requested::Path {
            path,
            action: *action,
        },
        Err(reason) => {
            tracing::info!(%reason, "forward-auth refused an ambiguous path");
            Requested::AmbiguousPath
        }
    };
    let (cost, limited_status) = match proxy_options(&req) {
        Ok(options) => options,
        Err(reason) => return Ok(bad_request(&reason)),
    };
    let verdict = verifier
        .check(Endpoint::ForwardAuth, bearer(&req), requested, cost, || {
            client(&req)
        })
        .await?;
    let mut response = match (verdict.outcome, &verdict.token) {
        (Outcome::Valid, Some(token)) => {
            let mut response = HttpResponse::Ok().finish();
            let headers = response.headers_mut();
            headers.insert(TOKEN_GUID_HEADER.clone(), token.guid_header());
            if let Some(name) = token.name_header() {
                headers.insert(TOKEN_NAME_HEADER.clone(), name);
            }
            if let Some(identity) = token
                .control
                .as_ref()
                .and_then(|c| c.identity_header.clone())
            {
                headers.insert(IDENTITY_HEADER.clone(), identity);
            }
            response
        }
        (outcome, _) => {
            let mut response = refusal(outcome);
            if response.status() == StatusCode::TOO_MANY_REQUESTS {
                *response.status_mut() = limited_status;
            }
            response.headers_mut().insert(
                CODE_HEADER.clone(),
                actix_web::http::header::HeaderValue::from_static(outcome.code()),
            );
            response
        }
    };
    limit_headers(&mut response, &verdict);
    Ok(response)
}
