//! Errors of the API are RFC 9457 problem documents with the request ID, whoever
//! made them; verdicts stay plain JSON answers.

use serde_json::Value;

use crate::helpers::spawn_app;
use crate::verification::call;

/// The document is a problem for `status`, and names the request it answers.
fn assert_problem(status: u16, json: &Value, headers: &awc::http::header::HeaderMap) {
    assert_eq!(
        headers.get("content-type").unwrap().to_str().unwrap(),
        "application/problem+json",
        "{json}"
    );
    assert_eq!(json["status"], status, "{json}");
    assert_eq!(
        json["type"],
        format!("urn:tessera:problem:{}", json["code"].as_str().unwrap()),
        "{json}"
    );
    assert!(
        json["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{json}"
    );
    assert!(
        json["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{json}"
    );
    assert!(
        json["code"].as_str().is_some_and(|c| !c.is_empty()),
        "{json}"
    );
    let request_id = headers.get("x-request-id").unwrap().to_str().unwrap();
    assert_eq!(json["request_id"], request_id, "{json}");
}

#[actix_web::test]
async fn every_api_error_is_a_problem_document_with_the_request_id() {
    let app = spawn_app().await;
    let cases: [(&str, &str, Option<&str>, u16); 7] = [
        // Refused by a handler, or by reading its query.
        ("GET", "/api/v1/verify?action=delete", None, 400),
        ("GET", "/api/v1/verify?module=a&module=b", None, 400),
        // A method the endpoint does not take.
        ("POST", "/api/v1/verify", None, 405),
        ("GET", "/api/v1/introspect", None, 405),
        // No such endpoint, in and outside the version's scope.
        ("GET", "/api/v1/nothing-here", None, 404),
        ("GET", "/api/v2/verify", None, 404),
        // Refused by a middleware.
        ("GET", "/api/v1/verify?module=a%01b", None, 400),
    ];
    for (method, path, body, status) in cases {
        let (got, json, headers) =
            call(&app, method, path, &[("authorization", "Bearer x")], body).await;
        assert_eq!(got, status, "{method} {path}: {json}");
        assert_problem(status, &json, &headers);
    }
}

#[actix_web::test]
async fn a_verdict_is_an_answer_not_a_problem() {
    let app = spawn_app().await;
    let (status, json, headers) = call(
        &app,
        "GET",
        "/api/v1/verify",
        &[("authorization", "Bearer tsr_not-a-token")],
        None,
    )
    .await;
    assert_eq!(status, 401, "{json}");
    assert_eq!(json["valid"], false);
    assert_eq!(
        headers.get("content-type").unwrap().to_str().unwrap(),
        "application/json"
    );
}
