//! The OpenAPI document: served, OpenAPI 3.1, and describing every route of the
//! API as the router declares it (a route added without its description fails here).

use serde_json::Value;

use crate::helpers::spawn_app;

/// (method, path under /api/v1) of every API route in the router's source; `any`
/// for a route that takes every method.
fn declared_routes() -> Vec<(String, String)> {
    let source = include_str!("../../src/routes/router.rs");
    let region = |from: &str, to: &str| {
        let start = source.find(from).expect(from);
        let end = source[start..].find(to).expect(to) + start;
        &source[start..end]
    };
    // The verification routes in the `/api/v1` scope, and the management API's.
    let body: &str = &format!(
        "{}{}",
        region("web::scope(\"/api/v1\")", ".default_service"),
        region("fn management_api", "\n}\n")
    );
    let mut routes = Vec::new();
    let mut rest = body;
    // `web::resource("/path").get(..).post(..)` and `.route("/path", web::get()...)`.
    while let Some(at) = rest.find('"') {
        let after = &rest[at + 1..];
        let close = after.find('"').unwrap();
        let path = &after[..close];
        let tail = &after[close + 1..];
        rest = tail;
        if !path.starts_with('/') || path.contains(":.*") || path == "/openapi.json" {
            continue;
        }
        let before = &body[..body.len() - after.len() - 1];
        if before.trim_end().ends_with("web::scope(") {
            continue;
        }
        if before.trim_end().ends_with("web::resource(") {
            let chain = &tail[..tail.find("\n    )").unwrap_or(tail.len())];
            for method in ["get", "post", "patch", "delete", "put"] {
                if chain.contains(&format!(".{method}(")) {
                    routes.push((method.to_owned(), path.to_owned()));
                }
            }
        } else {
            let method = tail
                .split("web::")
                .nth(1)
                .and_then(|t| t.split("()").next())
                .unwrap()
                .to_owned();
            routes.push((method, path.to_owned()));
        }
    }
    routes
}

#[actix_web::test]
async fn the_document_describes_every_route_of_the_api() {
    let app = spawn_app().await;
    let mut response = awc::Client::default()
        .get(format!("{}/api/v1/openapi.json", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let doc: Value = response.json().limit(1 << 20).await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"][0]["url"], app.address.as_str());

    let routes = declared_routes();
    assert!(routes.len() >= 16, "{routes:?}");
    for (method, path) in &routes {
        let item = &doc["paths"][format!("/api/v1{path}")];
        assert!(item.is_object(), "{method} {path} is not in the document");
        if method != "route" {
            assert!(
                item[method.as_str()].is_object(),
                "{method} {path} is not in the document"
            );
        }
    }
    // Every operation: its answers, an example or schema, and how to authenticate.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if method == "parameters" {
                continue;
            }
            assert!(
                operation["responses"]
                    .as_object()
                    .is_some_and(|r| !r.is_empty()),
                "{method} {path}"
            );
            assert!(
                operation["security"].is_array(),
                "{method} {path} says how to authenticate"
            );
        }
    }
    let create = &doc["components"]["schemas"]["NewToken"];
    assert!(create["example"].is_object(), "{create}");
}
