//! Errors for JSON clients as RFC 9457 problem details: every error under `/api/`
//! is `application/problem+json`, with a stable `code`, a sentence for people and
//! the request ID that finds it in the logs. Verdicts of the verification API
//! (`application/json`, `"valid": false`) are answers, not errors, and stay as
//! they are.

use actix_web::HttpMessage;
use actix_web::HttpResponse;
use actix_web::body::{BoxBody, MessageBody, to_bytes};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use serde_json::{Value, json};

use super::errors::ErrorMessage;
use super::input::{CONTROL_CHARACTERS, address_holds_control_characters};
use super::request_log::RequestId;

pub const CONTENT_TYPE: &str = "application/problem+json";

/// A problem document: `code` names the problem for programs, `message` (also the
/// RFC's `detail`) for people. `valid: false` keeps verification clients, which
/// read only that, on the safe side.
pub fn problem(status: StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(CONTENT_TYPE)
        .body(document(status, code, message).to_string())
}

/// The problem's `type`: a stable URI per code, for programs to match on.
pub fn problem_type(code: &str) -> String {
    format!("urn:tessera:problem:{code}")
}

pub fn document(status: StatusCode, code: &str, message: &str) -> Value {
    json!({
        "type": problem_type(code),
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "detail": message,
        "code": code,
        "message": message,
        "valid": false,
    })
}

/// The edge of every address under `/api/` and of `/metrics` (wrapped with
/// `wrap_fn`): an address with control characters is refused, and every error
/// answered becomes a problem document with the request ID, whether built with
/// [`problem`] or made elsewhere (a method not allowed, a body too large or too
/// slow, a failure). A plain future around the wrapped service's, with nothing
/// boxed: the verification endpoints pass through it on every call.
pub fn api_edge<S, B>(
    req: ServiceRequest,
    service: &S,
) -> impl Future<Output = Result<ServiceResponse<BoxBody>, actix_web::Error>> + use<S, B>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody + 'static,
{
    let call = if address_holds_control_characters(req.uri()) {
        tracing::info!("refused an address with control characters");
        Err(req)
    } else {
        Ok(service.call(req))
    };
    async move {
        let res = match call {
            Ok(answered) => answered.await?.map_into_boxed_body(),
            Err(req) => req.into_response(problem(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                CONTROL_CHARACTERS,
            )),
        };
        as_problem(res).await
    }
}

/// An error response as a problem document with the request ID; anything else as
/// it is.
async fn as_problem(
    res: ServiceResponse<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // Successes, the bulk of the traffic, pass untouched.
    if res.status().as_u16() < 400 {
        return Ok(res);
    }
    let content_type = |prefix: &str| {
        res.headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(prefix.as_bytes()))
    };
    if content_type("application/json") {
        return Ok(res);
    }
    let is_problem = content_type(CONTENT_TYPE);
    let status = res.status();
    let request_id = res
        .request()
        .extensions()
        .get::<RequestId>()
        .map(|id| id.0.clone());
    let message = res
        .response()
        .extensions()
        .get::<ErrorMessage>()
        .map(|m| m.0.clone());
    let (req, response) = res.into_parts();
    let (mut head, body) = response.into_parts();
    let mut document = match to_bytes(body).await {
        Ok(bytes) if is_problem => serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        _ => Value::Null,
    };
    if !document.is_object() {
        let code = status
            .canonical_reason()
            .unwrap_or("error")
            .to_lowercase()
            .replace(' ', "_");
        let message = message.unwrap_or_else(|| default_message(status).to_owned());
        document = self::document(status, &code, &message);
    }
    document["request_id"] = json!(request_id);
    head.headers_mut().remove(header::CONTENT_LENGTH);
    head.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    let response = head.set_body(BoxBody::new(document.to_string()));
    Ok(ServiceResponse::new(req, response))
}

fn default_message(status: StatusCode) -> &'static str {
    match status.as_u16() {
        404 => "There is no such API endpoint.",
        405 => "This endpoint does not accept this method.",
        408 => "The request took too long to arrive. Try again.",
        413 => "The request body is too large.",
        s if s >= 500 => {
            "Tessera could not answer this request. Try again; if it persists, tell the operator the request ID."
        }
        _ => "This request could not be handled.",
    }
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::from_fn;
    use actix_web::{App, test, web};

    use super::*;
    use crate::http::request_log::log_requests;

    #[actix_web::test]
    async fn an_error_made_elsewhere_becomes_a_problem_with_the_request_id() {
        let app = test::init_service(
            App::new().wrap(from_fn(log_requests)).service(
                web::scope("/api")
                    .wrap_fn(api_edge)
                    .route(
                        "/plain",
                        web::to(|| async { HttpResponse::PayloadTooLarge().body("too big") }),
                    )
                    .route(
                        "/made",
                        web::to(|| async {
                            problem(StatusCode::CONFLICT, "taken", "It is taken.")
                        }),
                    )
                    .route(
                        "/verdict",
                        web::to(|| async {
                            HttpResponse::Unauthorized()
                                .content_type("application/json")
                                .body(r#"{"valid":false}"#)
                        }),
                    ),
            ),
        )
        .await;
        for (path, status, code) in [
            ("/api/plain", 413, "payload_too_large"),
            ("/api/made", 409, "taken"),
        ] {
            let res =
                test::call_service(&app, test::TestRequest::get().uri(path).to_request()).await;
            assert_eq!(res.status().as_u16(), status);
            assert_eq!(res.headers().get("content-type").unwrap(), CONTENT_TYPE);
            let id = res
                .headers()
                .get("x-request-id")
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned();
            let body: Value = test::read_body_json(res).await;
            assert_eq!(body["status"], status);
            assert_eq!(body["code"], code);
            assert_eq!(body["request_id"], id);
            assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()));
        }
        let res = test::call_service(
            &app,
            test::TestRequest::get().uri("/api/verdict").to_request(),
        )
        .await;
        assert_eq!(
            res.headers().get("content-type").unwrap(),
            "application/json"
        );
        let body: Value = test::read_body_json(res).await;
        assert_eq!(body, json!({ "valid": false }));
    }
}
