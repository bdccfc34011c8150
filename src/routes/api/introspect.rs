//! `POST /api/v1/introspect`: OAuth 2.0 Token Introspection (RFC 7662). The caller
//! authenticates with a token of its own that may introspect.

use std::net::IpAddr;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::{bearer, client};
use crate::domain::verification::Outcome;
use crate::http::AppError;
use crate::state::AppState;
use crate::verification::{Endpoint, Presenter, Requested};

/// Largest introspection form accepted: one token and a hint.
const FORM_LIMIT: usize = 16 * 1024;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct IntrospectionForm {
    /// The token asked about.
    #[schema(required = true, min_length = 1)]
    token: Option<String>,
    /// Tessera's extension: the address of the client that presented the token.
    #[schema(schema_with = client_address)]
    client_ip: Option<String>,
}

/// `client_ip` in the document: an IPv4 or an IPv6 address.
fn client_address() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, Type};
    let address = |format| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(format)))
    };
    OneOfBuilder::new()
        .item(address(KnownFormat::Ipv4))
        .item(address(KnownFormat::Ipv6))
        .description(Some(
            "Tessera's extension: the address (IPv4 or IPv6) of the client that presented \
             the token. A token limited to networks is active only when this address is \
             inside them, and inactive when it is left out.",
        ))
        .examples([json!("203.0.113.7")])
        .build()
        .into()
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> HttpResponse {
    let mut response = HttpResponse::build(status)
        .content_type("application/json")
        .body(json!({ "error": error, "error_description": description }).to_string());
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"tessera\", error=\"invalid_token\""),
        );
    }
    response
}

#[utoipa::path(
    post, path = "/api/v1/introspect", tag = "Verification", summary = "Introspect a token",
    description = "OAuth 2.0 token introspection (RFC 7662), for gateways; the caller authenticates with a token allowed to introspect. Pass `client_ip`, the address of the client that presented the token: a token limited to networks is active only from inside them (its networks are then listed in `allowed_networks`), and never active when `client_ip` is left out. An answer holds for that client address only.",
    request_body(content = IntrospectionForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "`active` and, when active, the token's claims", body = serde_json::Value),
        (status = 400, description = "The form is not valid: no `token`, or a `client_ip` that is not an IP address", body = serde_json::Value),
        (status = 401, description = "The caller's own token is not valid", body = serde_json::Value),
        (status = 403, description = "The caller's token may not introspect", body = serde_json::Value),
    ),
    security(("token" = []))
)]
pub async fn introspect(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let verifier = &state.verifier;
    let caller = verifier
        .check(
            Endpoint::Introspect,
            bearer(&req),
            Requested::Nothing,
            1,
            || client(&req),
        )
        .await?;
    match (caller.outcome, &caller.token) {
        (Outcome::Valid, Some(token)) if token.can_introspect => {}
        (Outcome::Valid, Some(_)) => {
            return Ok(oauth_error(
                StatusCode::FORBIDDEN,
                "insufficient_scope",
                "This token may not introspect other tokens.",
            ));
        }
        _ => {
            return Ok(oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_token",
                "Authenticate with a valid token that may introspect.",
            ));
        }
    }
    // The form, read within the body timeout: a trickled body is cut off.
    let body = match actix_web::rt::time::timeout(
        state.config.body_timeout,
        payload.to_bytes_limited(FORM_LIMIT),
    )
    .await
    {
        Ok(Ok(Ok(body))) => body,
        Ok(_) => {
            return Ok(oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "The form is too large or could not be read.",
            ));
        }
        Err(_) => {
            return Ok(oauth_error(
                StatusCode::REQUEST_TIMEOUT,
                "invalid_request",
                "The request body took too long to arrive.",
            ));
        }
    };
    let form = serde_html_form::from_bytes::<IntrospectionForm>(&body).ok();
    let Some(presented) = form
        .as_ref()
        .and_then(|f| f.token.as_deref())
        .filter(|t| !t.is_empty())
    else {
        return Ok(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The form field token is required.",
        ));
    };
    let client_ip = match form.as_ref().and_then(|f| f.client_ip.as_deref()) {
        None => None,
        Some(text) => match text.parse::<IpAddr>() {
            Ok(ip) => Some(ip),
            Err(_) => {
                return Ok(oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "The form field client_ip is not an IP address.",
                ));
            }
        },
    };
    let verdict = verifier
        .check(
            Endpoint::Introspect,
            Some(presented),
            Requested::Nothing,
            // Asking about a token spends none of its limits or credits.
            0,
            // The token asked about is not being used by the caller, whose address
            // is not its client's: no use is recorded, and its allow-list is judged
            // on the address the gateway names.
            || Presenter::Gateway { client_ip },
        )
        .await?;
    let body = match (verdict.outcome, verdict.token) {
        (Outcome::Valid, Some(token)) => token.introspection_body(),
        _ => web::Bytes::from_static(br#"{"active":false}"#),
    };
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(body))
}
