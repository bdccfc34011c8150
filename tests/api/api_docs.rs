//! The API reference page: every operation of the document, readable without a
//! script, and examples that work when copied.

use serde_json::Value;

use crate::helpers::{ApiClient, Page, TestApp, spawn_app};

#[actix_web::test]
async fn the_reference_page_lists_every_operation_with_an_example_that_works() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let client = awc::Client::default();
    let mut response = client
        .get(format!("{}/api/docs", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let csp = response
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let body = String::from_utf8(response.body().limit(1 << 20).await.unwrap().to_vec()).unwrap();
    let page = Page::parse(&body);
    assert_eq!(
        page.count("script:not([src])"),
        0,
        "no inline script, so it works under the Content-Security-Policy"
    );

    let mut doc_response = client
        .get(format!("{}/api/v1/openapi.json", app.address))
        .send()
        .await
        .unwrap();
    let doc: Value = doc_response.json().limit(1 << 20).await.unwrap();
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let id = operation["operationId"].as_str().unwrap();
            let heading = page.text(&format!("#title-{id}"));
            assert_eq!(heading, operation["summary"].as_str().unwrap());
            let endpoint = page.text(&format!("#{id} .api-endpoint"));
            assert!(
                endpoint.contains(&method.to_uppercase()) && endpoint.contains(path.as_str()),
                "{endpoint}"
            );
            let curl = page.text(&format!("#curl-{id}"));
            let placeholders = path
                .replace("{guid}", "$GUID")
                .replace("{scope_id}", "$SCOPE_ID")
                .replace("{id}", "$IDENTITY");
            let url = format!("{}{placeholders}", app.address);
            assert!(curl.contains(&url), "{curl}");
            operations += 1;
        }
    }
    assert!(operations >= 16, "{operations}");

    // The create example, copied as it stands, makes a token.
    let curl = page.text("#curl-create");
    let body = curl
        .split("-d '")
        .nth(1)
        .and_then(|rest| rest.strip_suffix('\''))
        .expect("a body");
    let key = app
        .api_key(&ada, "docs", &["tokens.read", "tokens.create"], &[])
        .await;
    let api = ApiClient::new(&app, &key);
    let created = api
        .send_raw("POST", "/api/v1/tokens", &[], Some(body))
        .await;
    assert_eq!(created.status, 201, "{}", created.json);
    assert!(
        page.text("#list .api-parameters")
            .contains("one of 25, 50, 100")
    );
}

/// Every example on the page works as printed: each is run with curl, its
/// documented placeholders (`$TESSERA_API_KEY`, `$TOKEN`, `$GATEWAY_TOKEN`,
/// `$GUID`, `$SCOPE_ID`, `$IDENTITY`) set in the environment to the test's own values, and answers 2xx.
#[actix_web::test]
async fn every_example_on_the_page_works_as_printed_with_curl() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let permissions = [
        "tokens.read",
        "tokens.create",
        "tokens.update",
        "tokens.delete",
        "admins.manage",
        "audit.read",
        "settings.manage",
    ];
    let key = app.api_key(&ada, "docs", &permissions, &[]).await;
    let api = ApiClient::new(&app, &key);
    let client_token = app
        .token(&ada)
        .named("client")
        .scope("Production")
        .full_access()
        .create()
        .await;
    let gateway = app
        .token(&ada)
        .named("gateway")
        .scope("Production")
        .field("can_introspect", "on")
        .create()
        .await;
    let page = Page::parse(&reference_page(&app).await);
    let examples: Vec<String> = page
        .raw_texts("pre code")
        .into_iter()
        .filter(|code| code.starts_with("curl "))
        .collect();
    assert!(examples.len() >= 17, "{}", examples.len());
    let dir = tempfile::tempdir().unwrap();
    let answer = dir.path().join("answer");
    for (n, example) in examples.iter().enumerate() {
        // Each on a token of its own, at version 1 (the examples' If-Match).
        let made = api
            .post(
                "/api/v1/tokens",
                &serde_json::json!({"name": format!("example {n}"), "scopes": ["Production"],
                                    "type": "read_only", "duration": "30d"}),
            )
            .await;
        assert_eq!(made.status, 201, "{}", made.json);
        let guid = made.json["guid"].as_str().unwrap().to_owned();
        // And on an identity of its own, at version 1.
        let identity = format!("customer-{n}");
        let owner = api
            .post(
                "/api/v1/identities",
                &serde_json::json!({"external_id": identity, "name": identity, "scopes": ["Production"]}),
            )
            .await;
        assert_eq!(owner.status, 201, "{}", owner.json);
        if example.contains("/enable\"") {
            let path = format!("/api/v1/tokens/{guid}/disable");
            let disabled = api.write("POST", &path, "*", None).await;
            assert_eq!(disabled.status, 200, "{}", disabled.json);
            // Enabling answers with version 2 as If-Match "1" expects: put it back.
            app.execute(&format!(
                "UPDATE api_tokens SET version = 1 WHERE guid = '{guid}'"
            ));
        }
        let run = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{example} -sS -o \"$ANSWER\" -w '%{{http_code}}'"))
            .env("TESSERA_API_KEY", &key)
            .env("TOKEN", &client_token.secret)
            .env("GATEWAY_TOKEN", &gateway.secret)
            .env("GUID", &guid)
            .env("IDENTITY", &identity)
            .env("SCOPE_ID", app.scope_id("Production"))
            .env("ANSWER", &answer)
            .output()
            .unwrap();
        let status = String::from_utf8_lossy(&run.stdout).into_owned();
        let said = std::fs::read_to_string(&answer).unwrap_or_default();
        assert!(
            status.starts_with('2'),
            "{example}\nanswered {status}: {said}\n{}",
            String::from_utf8_lossy(&run.stderr)
        );
        if example.contains("/api/v1/introspect") {
            assert!(said.contains("\"active\":true"), "{example}: {said}");
        }
    }
}

/// The API reference page's HTML, as anyone reaches it.
pub async fn reference_page(app: &TestApp) -> String {
    let body = awc::Client::default()
        .get(format!("{}/api/docs", app.address))
        .send()
        .await
        .unwrap()
        .body()
        .limit(1 << 20)
        .await
        .unwrap();
    String::from_utf8(body.to_vec()).unwrap()
}
