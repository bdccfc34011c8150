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
use crate::verification::{Client, Presenter};

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

/// A refused verification: 401 (with `WWW-Authenticate`) or 403, and its code.
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
