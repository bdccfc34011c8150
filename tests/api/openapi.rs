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
    // The verification routes, ahead of the `/api/v1` scope, and the management API's.
    let body: &str = &format!(
        "{}{}",
        region("pub fn api(", ".default_service"),
        region("fn management_api", "\n}\n")
    );
    let mut routes = Vec::new();
    let mut rest = body;
    // `endpoint("/path", "GET, POST").get(..).post(..)`, `web::resource("/path")...`
    // and `.route("/path", web::get()...)`.
    while let Some(at) = rest.find('"') {
        let after = &rest[at + 1..];
        let close = after.find('"').unwrap();
        let path = after[..close].trim_start_matches("/api/v1");
        let tail = &after[close + 1..];
        rest = tail;
        if !path.starts_with('/') || path.contains(":.*") || path == "/openapi.json" {
            continue;
        }
        let before = &body[..body.len() - after.len() - 1];
        if before.trim_end().ends_with("web::scope(") {
            continue;
        }
        if before.trim_end().ends_with("endpoint(") {
            let chain = &tail[..tail.find("endpoint(").unwrap_or(tail.len())];
            for method in ["get", "post", "patch", "delete", "put"] {
                if chain.contains(&format!(".{method}(")) {
                    routes.push((method.to_owned(), path.to_owned()));
                }
            }
        } else if before.trim_end().ends_with("web::resource(") {
            let chain = &tail[..tail.find("\n    )").unwrap_or(tail.len())];
            for method in ["get", "post", "patch", "delete", "put", "to"] {
                if chain.contains(&format!(".{method}(")) {
                    let method = if method == "to" { "route" } else { method };
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
    // Every reference resolves, so a client generator or fuzzer sees every type.
    let text = doc.to_string();
    for piece in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = &piece[..piece.find('"').unwrap()];
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{name} is referred to but not described"
        );
    }
}

/// Problems are described as what they are sent as, and so is the edge's 400.
#[actix_web::test]
async fn errors_are_documented_as_problem_documents() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            assert!(responses.contains_key("400"), "{method} {path}: no 400");
            for (status, response) in responses {
                let content = response["content"].as_object();
                let problem = content.and_then(|c| c.get("application/problem+json"));
                if status == "400" || status == "428" || status == "412" {
                    assert!(problem.is_some(), "{method} {path} {status}: {response}");
                }
                if let Some(json) = content.and_then(|c| c.get("application/json")) {
                    assert_ne!(
                        json["schema"]["$ref"], "#/components/schemas/Problem",
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }
}

/// Every address of the API answers a method it does not take with 405 and the
/// methods it does take, as the document lists them, in `Allow`.
#[actix_web::test]
async fn other_methods_are_refused_with_the_documented_ones_in_allow() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let client = awc::Client::default();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        if path == "/api/v1/auth" {
            continue; // forward-auth takes every method
        }
        let mut documented: Vec<String> = item
            .as_object()
            .unwrap()
            .keys()
            .filter(|m| *m != "parameters")
            .map(|m| m.to_uppercase())
            .collect();
        documented.sort();
        let url = format!(
            "{}{}",
            app.address,
            path.replace("{guid}", "0b8f4e5c-3f4a-4b7e-9a59-2d0f1c6e8a11")
        );
        let response = client
            .request(awc::http::Method::TRACE, &url)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 405, "TRACE {path}");
        let allow = response
            .headers()
            .get("allow")
            .expect("Allow")
            .to_str()
            .unwrap();
        let mut allowed: Vec<String> = allow.split(',').map(|m| m.trim().to_owned()).collect();
        allowed.sort();
        assert_eq!(allowed, documented, "{path}");
        checked += 1;
    }
    assert!(checked >= 10, "{checked}");
}

async fn document(app: &crate::helpers::TestApp) -> Value {
    let mut response = awc::Client::default()
        .get(format!("{}/api/v1/openapi.json", app.address))
        .send()
        .await
        .unwrap();
    response.json().limit(1 << 20).await.unwrap()
}

/// The headers forward-auth's 200 names for the upstream are those a real answer
/// carries, and the README and the reference page name the same.
#[actix_web::test]
async fn forward_auth_headers_are_documented_as_sent() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let token = app
        .token(&ada)
        .named("upstream check")
        .scope("Production")
        .full_access()
        .create()
        .await;
    // Owned by an identity, so that every header is sent.
    let key = app
        .api_key(&ada, "owner", &["tokens.read", "tokens.update"], &[])
        .await;
    let api = crate::helpers::ApiClient::new(&app, &key);
    let owner =
        serde_json::json!({"external_id": "cus_1", "name": "One", "scopes": ["Production"]});
    assert_eq!(api.post("/api/v1/identities", &owner).await.status, 201);
    let linked = api
        .write(
            "PATCH",
            &format!("/api/v1/tokens/{}", token.guid),
            "*",
            Some(&serde_json::json!({"identity": "cus_1"})),
        )
        .await;
    assert_eq!(linked.status, 200, "{}", linked.json);
    let answer = awc::Client::default()
        .get(format!("{}/api/v1/auth", app.address))
        .bearer_auth(&token.secret)
        .insert_header(("X-Original-Method", "GET"))
        .insert_header(("X-Original-URI", "/orders/1"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    let mut sent: Vec<String> = answer
        .headers()
        .keys()
        .map(|name| name.as_str().to_owned())
        .filter(|name| name.starts_with("x-tessera-"))
        .collect();
    sent.sort();

    let doc = document(&app).await;
    let headers = &doc["paths"]["/api/v1/auth"]["get"]["responses"]["200"]["headers"];
    let documented: Vec<String> = headers
        .as_object()
        .expect("the 200 lists its headers")
        .keys()
        .cloned()
        .collect();
    let mut lowercase: Vec<String> = documented.iter().map(|h| h.to_lowercase()).collect();
    lowercase.sort();
    assert_eq!(lowercase, sent, "documented: {documented:?}");

    let readme = include_str!("../../README.md");
    let page = crate::api_docs::reference_page(&app).await;
    for name in &documented {
        assert!(readme.contains(name.as_str()), "the README names {name}");
        assert!(
            page.contains(name.as_str()),
            "the reference page names {name}"
        );
    }
    for text in [readme, &doc.to_string(), &page] {
        assert!(!text.contains("X-Token-"), "no other name for them");
    }
}

/// Every `$ref` in `value`, anywhere.
fn references(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(target)) => found.push(target.clone()),
                    _ => references(inner, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| references(item, found)),
        _ => {}
    }
}

#[actix_web::test]
async fn every_reference_names_a_schema_the_document_has() {
    let app = crate::helpers::spawn_app().await;
    let doc = document(&app).await;
    let mut found = Vec::new();
    references(&doc, &mut found);
    assert!(found.len() > 20, "references were read");
    for target in found {
        let name = target
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("a schema reference: {target}"));
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "{target} is not in the document"
        );
    }
}
