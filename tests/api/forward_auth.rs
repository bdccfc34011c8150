//! Forward-auth judges the path the upstream will serve, answers only the proxies
//! it is told to, and `/metrics` can be closed to everyone but a scraper.

use std::net::TcpListener;

use serde_json::Value;
use tessera::config::ServeArgs;

use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use crate::verification::{call, call_with_bearer};

async fn forward_auth(app: &TestApp, secret: &str, headers: &[(&str, &str)]) -> (u16, String) {
    call_with_bearer(app, "/api/v1/auth", secret, headers).await
}

#[actix_web::test]
async fn paths_are_judged_as_the_upstream_resolves_them() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let token = app
        .token(&admin)
        .named("Orders only")
        .scope("Production")
        .custom(&[("orders", "read")])
        .create()
        .await;
    let nginx = |uri: &'static str| [("x-original-method", "GET"), ("x-original-uri", uri)];
    let traefik = |uri: &'static str| [("x-forwarded-method", "GET"), ("x-forwarded-uri", uri)];

    for (uri, expected) in [
        ("/orders/1", (200, "")),
        ("/orders/./7/../1?x=/../billing", (200, "")),
        ("/%6Frders/1", (200, "")),
        ("/orders/../billing/1", (403, "insufficient_permissions")),
        (
            "/orders/%2e%2e/billing/1",
            (403, "insufficient_permissions"),
        ),
        (
            "/orders/%2E%2E/billing/1",
            (403, "insufficient_permissions"),
        ),
        ("/orders/./../billing/1", (403, "insufficient_permissions")),
        ("/orders/..%2fbilling/1", (403, "ambiguous_path")),
        ("/orders/%5c..%5cbilling/1", (403, "ambiguous_path")),
        ("/orders/%252e%252e/billing/1", (403, "ambiguous_path")),
        ("/orders/..;/billing/1", (403, "ambiguous_path")),
        ("/orders/%zz", (403, "ambiguous_path")),
        ("https://api.example/orders/1", (403, "ambiguous_path")),
        ("/ORDERS/1", (403, "ambiguous_path")),
    ] {
        let got = forward_auth(&app, &token.secret, &nginx(uri)).await;
        assert_eq!((got.0, got.1.as_str()), expected, "nginx {uri}");
        let got = forward_auth(&app, &token.secret, &traefik(uri)).await;
        assert_eq!((got.0, got.1.as_str()), expected, "Traefik {uri}");
    }
    // Envoy: the original path after the prefix, taken as sent (not as decoded).
    for (path, expected) in [
        ("/api/v1/auth/orders/1", 200),
        ("/api/v1/auth/orders/%2e%2e/billing/1", 403),
        ("/api/v1/auth/orders/..%2Fbilling/1", 403),
    ] {
        let got = call_with_bearer(&app, path, &token.secret, &[]).await;
        assert_eq!(got.0, expected, "Envoy {path}: {}", got.1);
    }
}

/// With a catch-all module, `/BILLING/1` would pass as the catch-all on a server
/// that reads case, and reach Billing on one that ignores it: refused.
#[actix_web::test]
async fn a_path_whose_module_depends_on_letter_case_is_refused() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let created = admin
        .post(
            "/settings/modules",
            &[
                ("name", "Everything else"),
                ("key", "everything"),
                ("path_prefixes", "/"),
                ("description", ""),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let grant = format!("{}:read", app.module_id("everything"));
    let token = admin
        .create_token(
            "Catch-all reader",
            &app.scope_id("Production"),
            &[("token_type", "custom"), ("permissions", &grant)],
        )
        .await;
    let uri = |u| [("x-original-method", "GET"), ("x-original-uri", u)];
    assert_eq!(
        forward_auth(&app, &token.secret, &uri("/status")).await.0,
        200
    );
    assert_eq!(
        forward_auth(&app, &token.secret, &uri("/billing/1")).await,
        (403, "insufficient_permissions".to_owned())
    );
    assert_eq!(
        forward_auth(&app, &token.secret, &uri("/BILLING/1")).await,
        (403, "ambiguous_path".to_owned())
    );
}

#[actix_web::test]
async fn forward_auth_answers_only_the_proxies_it_is_told_to() {
    let elsewhere = spawn_app_with(ServeArgs {
        forward_auth_from: vec!["10.0.0.0/8".into()],
        ..ServeArgs::default()
    })
    .await;
    let admin = elsewhere.with_examples().await;
    let token = admin
        .create_token("Reader", &elsewhere.scope_id("Production"), &[])
        .await;
    let headers = [
        ("x-original-method", "GET"),
        ("x-original-uri", "/orders/1"),
    ];
    assert_eq!(
        forward_auth(&elsewhere, &token.secret, &headers).await,
        (403, "forward_auth_not_allowed".to_owned())
    );
    // Verification itself is not restricted.
    let (status, _) = crate::verification::verify(&elsewhere, &token.secret, "").await;
    assert_eq!(status, 200);

    let here = spawn_app_with(ServeArgs {
        forward_auth_from: vec!["127.0.0.1".into()],
        ..ServeArgs::default()
    })
    .await;
    let admin = here.with_examples().await;
    let token = admin
        .create_token("Reader", &here.scope_id("Production"), &[])
        .await;
    assert_eq!(forward_auth(&here, &token.secret, &headers).await.0, 200);
}

async fn get_metrics(url: &str, token: Option<&str>) -> (u16, String) {
    let mut request = awc::Client::default().get(url);
    if let Some(token) = token {
        request = request.insert_header(("authorization", format!("Bearer {token}")));
    }
    let mut response = request.send().await.unwrap();
    let body = response.body().await.unwrap();
    (
        response.status().as_u16(),
        String::from_utf8_lossy(&body).into_owned(),
    )
}

#[actix_web::test]
async fn metrics_can_require_a_bearer_token() {
    let app = spawn_app_with(ServeArgs {
        metrics_token: Some("scraper-secret-1234".into()),
        ..ServeArgs::default()
    })
    .await;
    let url = format!("{}/metrics", app.address);
    let (status, body) = get_metrics(&url, None).await;
    assert_eq!(status, 401);
    let json: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["code"], "invalid_metrics_token");
    assert!(!body.contains("tessera_verifications_total"));
    assert_eq!(get_metrics(&url, Some("scraper-secret-123")).await.0, 401);
    let (status, body) = get_metrics(&url, Some("scraper-secret-1234")).await;
    assert_eq!(status, 200);
    assert!(body.contains("tessera_verifications_total"));
}

#[actix_web::test]
async fn metrics_can_move_to_a_listener_of_their_own() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = spawn_app_with(ServeArgs {
        metrics_listen: Some(format!("127.0.0.1:{port}").parse().unwrap()),
        ..ServeArgs::default()
    })
    .await;
    let (status, body) = get_metrics(&format!("{}/metrics", app.address), None).await;
    assert_eq!(status, 404);
    assert!(!body.contains("tessera_verifications_total"));
    let (status, body) = get_metrics(&format!("http://127.0.0.1:{port}/metrics"), None).await;
    assert_eq!(status, 200);
    assert!(body.contains("tessera_verifications_total"));
    let (status, _) = get_metrics(&format!("http://127.0.0.1:{port}/settings"), None).await;
    assert_eq!(status, 404, "the metrics listener serves nothing else");
}

#[actix_web::test]
async fn a_query_parameter_given_twice_gets_a_json_error() {
    let app = spawn_app().await;
    let (status, json, headers) = call(
        &app,
        "GET",
        "/api/v1/verify?module=orders&module=billing",
        &[("authorization", "Bearer x")],
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(json["code"], "invalid_request", "{json}");
    assert!(json["message"].as_str().unwrap().contains("module"));
    assert_eq!(
        headers.get("content-type").unwrap().to_str().unwrap(),
        "application/problem+json"
    );
}

#[actix_web::test]
async fn only_an_api_calls_methods_are_let_through() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let token = app
        .token(&admin)
        .named("Any method")
        .scope("Production")
        .full_access()
        .create()
        .await;
    let bearer = format!("Bearer {}", token.secret);
    let original = [
        ("authorization", bearer.as_str()),
        ("x-original-uri", "/orders/1"),
    ];
    let (status, _, _) = call(&app, "GET", "/api/v1/auth", &original, None).await;
    assert_eq!(status, 200, "the token passes");
    for method in ["TRACE", "CONNECT", "QUERY"] {
        let (status, body, headers) =
            call(&app, method, "/api/v1/auth/orders/1", &original, None).await;
        assert_eq!(status, 405, "{method}: {body}");
        assert_eq!(body["code"], "method_not_allowed");
        assert!(headers.get("allow").is_some());
    }
}
