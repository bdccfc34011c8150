//! The API reference page: every operation of the document, readable without a
//! script, and examples that work when copied.

use serde_json::Value;

use crate::helpers::{ApiClient, Page, spawn_app};

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
            let url = format!("{}{}", app.address, path.replace("{guid}", "$GUID"));
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
