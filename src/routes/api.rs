//! The JSON API the protected services call: `/api/v1/verify`, `/api/v1/introspect`,
//! `/api/v1/auth` (forward-auth); and `/metrics`, on this listener or its own. No
//! session, no CSRF: callers authenticate with tokens.

pub mod forward_auth;
pub mod introspect;
pub mod metrics;
pub mod verify;

use std::sync::LazyLock;

use actix_web::web::Bytes;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;

use crate::domain::verification::Outcome;
pub use crate::http::client::bearer;
pub use crate::http::problem::problem;
use crate::verification::{Client, Presenter, Verdict};

pub async fn not_found() -> HttpResponse {
    problem(
        StatusCode::NOT_FOUND,
        "not_found",
        "There is no such API endpoint.",
    )
}

/// A method the address does not take: 405, naming the ones it does in `Allow`.
pub fn method_not_allowed(allow: &'static str) -> HttpResponse {
    let mut response = problem(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        &format!("This endpoint takes {allow} only."),
    );
    response.headers_mut().insert(
        actix_web::http::header::ALLOW,
        actix_web::http::header::HeaderValue::from_static(allow),
    );
    response
}

/// The client of the request, presenting its own token.
pub fn client<'a>(req: &'a HttpRequest) -> Presenter<'a> {
    Presenter::Client(Client {
        ip: super::client_address(req),
        user_agent: req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok()),
    })
}

/// The most a request may weigh (`?cost=`).
pub const MAX_COST: i64 = 1_000_000;

/// The weight of a request: `?cost=` (1 when left out), or why it cannot be.
pub fn cost(asked: Option<i64>) -> Result<i64, String> {
    match asked {
        None => Ok(1),
        Some(cost) if (0..=MAX_COST).contains(&cost) => Ok(cost),
        Some(_) => Err(format!("cost must be a whole number from 0 to {MAX_COST}.")),
    }
}

/// A request the endpoint cannot read: 400 with the reason.
pub fn bad_request(reason: &str) -> HttpResponse {
    problem(StatusCode::BAD_REQUEST, "invalid_request", reason)
}

/// Says where the token's limits stand: the IETF `RateLimit-Policy` (prepared with
/// the token) and `RateLimit` fields, one item per named limit and one `"credits"`
/// per credits, and `Retry-After` when refused.
pub fn limit_headers(response: &mut HttpResponse, verdict: &Verdict) {
    let Some(decision) = &verdict.limits else {
        return;
    };
    let control = verdict.token.as_ref().and_then(|t| t.control.as_deref());
    let headers = response.headers_mut();
    if let Some(policy) = control.and_then(|c| c.policy_header.as_ref()) {
        headers.insert(RATELIMIT_POLICY.clone(), policy.clone());
    }
    if let Some(field) = control.and_then(|c| c.ratelimit_field(&decision.limits)) {
        headers.insert(RATELIMIT.clone(), field);
    }
    if decision.refusal.is_some()
        && let Some(seconds) = decision.retry_after
    {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
}

static RATELIMIT_POLICY: header::HeaderName = header::HeaderName::from_static("ratelimit-policy");
static RATELIMIT: header::HeaderName = header::HeaderName::from_static("ratelimit");

/// A refused verification: 401 (with `WWW-Authenticate`), 403 or 429, and its code.
pub fn refusal(outcome: Outcome) -> HttpResponse {
    // The few possible bodies, built once.
    static BODIES: LazyLock<Vec<(Outcome, Bytes)>> = LazyLock::new(|| {
        Outcome::ALL
            .iter()
            .map(|o| {
                (
                    *o,
                    Bytes::from(json!({ "valid": false, "code": o.code() }).to_string()),
                )
            })
            .collect()
    });
    let body = BODIES
        .iter()
        .find(|(o, _)| *o == outcome)
        .map(|(_, body)| body.clone())
        .unwrap_or_default();
    let status = StatusCode::from_u16(outcome.http_status()).unwrap_or(StatusCode::UNAUTHORIZED);
    let mut response = HttpResponse::build(status)
        .content_type("application/json")
        .body(body);
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"tessera\", error=\"invalid_token\""),
        );
    }
    response
}
