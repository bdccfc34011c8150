//! No control character reaches the database: PostgreSQL refuses NUL in text
//! (SQLite stores it), so every route is sent NUL and other control characters in
//! its path, its query string and its form fields, and none may answer 5xx or
//! write anything.

use crate::helpers::{Browser, TestApp, spawn_app};

/// Percent-encoded control characters: NUL, SOH, ESC, DEL, NEL (C1), line feed.
const CONTROLS: [&str; 6] = ["%00", "%01", "%1B", "%7F", "%C2%85", "%0A"];

/// Every route pattern, read from the route tables, so a new route is covered
/// without being listed here.
fn route_patterns() -> Vec<String> {
    let mut patterns = Vec::new();
    for file in ["src/routes/router.rs", "src/startup.rs"] {
        let source = std::fs::read_to_string(file).unwrap();
        // The management API's routes are relative to its scope, which the API's
        // function in the router opens; the verification endpoints are written out.
        let api = source.find("pub fn api(").map(|start| {
            start
                ..source[start + 1..]
                    .find("\npub fn ")
                    .map_or(source.len(), |end| start + 1 + end)
        });
        for call in ["route(", "resource(", "endpoint("] {
            for (at, _) in source.match_indices(call) {
                let rest = source[at + call.len()..].trim_start();
                let Some(literal) = rest.strip_prefix("\"/") else {
                    continue;
                };
                let path = format!("/{}", literal.split('"').next().unwrap());
                let in_api = api.as_ref().is_some_and(|range| range.contains(&at));
                let full = if in_api && !path.starts_with("/api/") {
                    format!("/api/v1{path}")
                } else {
                    path
                };
                if !patterns.contains(&full) {
                    patterns.push(full);
                }
            }
        }
    }
    patterns
}

/// The pattern with each `{parameter}` holding `control`.
fn with_parameters(pattern: &str, control: &str) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        out.push_str(&format!("x{control}y"));
        rest = &rest[start + rest[start..].find('}').unwrap() + 1..];
    }
    out.push_str(rest);
    out
}

fn rows(app: &TestApp) -> Vec<i64> {
    [
        "api_tokens",
        "modules",
        "scopes",
        "administrators",
        "audit_events",
    ]
    .into_iter()
    .map(|table| app.count(table))
    .collect()
}

async fn storm(browser: &Browser, patterns: &[String], failures: &mut Vec<String>) {
    for pattern in patterns {
        for control in CONTROLS {
            let path = with_parameters(pattern, control);
            let query = format!("?q=a{control}b&guid={control}&next=/{control}&code={control}");
            for target in [
                path.clone(),
                format!("{pattern}{query}"),
                format!("{path}{query}"),
            ] {
                let got = browser.get(&target).await;
                if got.status >= 500 {
                    failures.push(format!("GET {target}: {}", got.status));
                }
                let got = browser.post(&target, &[]).await;
                if got.status >= 500 {
                    failures.push(format!("POST {target}: {}", got.status));
                }
            }
            let value = format!("a{}b", percent_decoded(control));
            let fields: Vec<(&str, &str)> = [
                "name",
                "description",
                "email",
                "password",
                "key",
                "path_prefixes",
                "scopes",
                "guid",
                "version",
                "display_name",
                "token",
                "q",
                "intent",
                "purpose",
            ]
            .into_iter()
            .map(|field| (field, value.as_str()))
            .collect();
            let got = browser.post(&with_parameters(pattern, ""), &fields).await;
            if got.status >= 500 {
                failures.push(format!(
                    "POST {pattern} with {control} in fields: {}",
                    got.status
                ));
            }
        }
    }
}

fn percent_decoded(escape: &str) -> String {
    let bytes: Vec<u8> = escape
        .split('%')
        .filter(|h| !h.is_empty())
        .map(|h| u8::from_str_radix(h, 16).unwrap())
        .collect();
    String::from_utf8(bytes).unwrap()
}

#[test]
fn every_route_table_is_read() {
    let patterns = route_patterns();
    for expected in [
        "/login",
        "/settings/api-tokens/{guid}/revoke",
        "/settings/audit-log",
        "/profile/password",
        "/api/v1/verify",
        "/api/v1/auth/{path:.*}",
        "/metrics",
        "/static/{path:.*}",
    ] {
        assert!(
            patterns.iter().any(|p| p == expected),
            "{expected} in {patterns:?}"
        );
    }
    assert!(patterns.len() >= 30, "{patterns:?}");
}

#[actix_web::test]
async fn control_characters_anywhere_never_give_a_server_error_or_a_write() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let scope = app.scope_id("Production");
    let token = admin.create_token("Existing", &scope, &[]).await;
    let before = rows(&app);
    let patterns: Vec<String> = route_patterns()
        .into_iter()
        // Signing out ends the storm's session; it takes no text, and is sent
        // control characters below, by a browser of its own.
        .filter(|p| !p.contains("logout") && !p.contains("sign-out"))
        .collect();
    let mut failures = Vec::new();
    storm(&admin, &patterns, &mut failures).await;
    // Signed out too, for the pages anyone may reach (sign-in, setup).
    let visitor = Browser::new(&app);
    visitor.get("/login").await;
    storm(&visitor, &patterns, &mut failures).await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(rows(&app), before, "nothing was written");
    // The session survived: the storm ran signed in all along.
    assert_eq!(
        admin
            .get(&format!("/settings/api-tokens/{}", token.guid))
            .await
            .status,
        200
    );
}

#[actix_web::test]
async fn the_reported_requests_get_a_clear_refusal() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;

    let list = admin.get("/settings/api-tokens?q=a%00b").await;
    assert_eq!(list.status, 400);
    assert!(list.body.contains("control character"), "{}", list.body);
    assert_eq!(admin.get("/settings/api-tokens/x%00").await.status, 400);
    assert_eq!(
        admin
            .post(
                "/settings/api-tokens/not-a-guid%00/revoke",
                &[("version", "1")]
            )
            .await
            .status,
        400
    );
    let named = admin
        .submit_token_form(&[
            ("name", "Billing\u{0}sync"),
            ("scopes", &app.scope_id("Production")),
        ])
        .await;
    assert_eq!(named.status, 422);
    assert!(named.body.contains("control character"), "{}", named.body);
    assert_eq!(app.count("api_tokens"), 0);

    let visitor = Browser::new(&app);
    visitor.get("/login").await;
    let login = visitor
        .post(
            "/login",
            &[
                ("email", "root\u{0}@example.com"),
                ("password", "x"),
                ("next", ""),
            ],
        )
        .await;
    assert_eq!(login.status, 422);
    assert!(login.body.contains("control character"), "{}", login.body);

    // The verification API answers JSON.
    let (status, json, _) = crate::verification::call(
        &app,
        "GET",
        "/api/v1/verify?module=orders%00",
        &[("authorization", "Bearer x")],
        None,
    )
    .await;
    assert_eq!(
        (status, json["code"].as_str()),
        (400, Some("invalid_request"))
    );
}
