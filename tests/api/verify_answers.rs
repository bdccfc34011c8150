//! A passing `/verify` answer, byte for byte. The hot path writes it without a
//! serializer, so it must stay exactly what one writes: keys in alphabetical order,
//! free text escaped, times in RFC 3339.

use serde_json::json;

use crate::helpers::{TestApp, spawn_app};

async fn answer(app: &TestApp, secret: &str) -> String {
    let mut response = awc::Client::default()
        .get(format!("{}/api/v1/verify", app.address))
        .insert_header(("authorization", format!("Bearer {secret}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body = response.body().await.unwrap();
    String::from_utf8(body.to_vec()).unwrap()
}

#[actix_web::test]
async fn a_custom_token_is_answered_exactly_as_a_serializer_writes_it() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let grant = |module: &str, action: &str| format!("{}:{action}", app.module_id(module));
    let (orders_read, orders_write) = (grant("orders", "read"), grant("orders", "write"));
    let catalog_read = grant("catalog", "read");
    let name = "Night \"batch\" \\ Zürich <sync>";
    let token = admin
        .create_token(
            name,
            &app.scope_id("Production"),
            &[
                ("scopes", &app.scope_id("Staging")),
                ("token_type", "custom"),
                ("permissions", &orders_write),
                ("permissions", &catalog_read),
                ("permissions", &orders_read),
            ],
        )
        .await;
    app.execute(&format!(
        "UPDATE api_tokens SET valid_from = '2026-01-02 03:04:05', \
         valid_to = '2027-10-09 08:07:06' WHERE guid = '{}'",
        token.guid
    ));

    let expected = json!({
        "token": {
            "guid": token.guid.as_str(),
            "name": name,
            "permissions": { "catalog": ["read"], "orders": ["read", "write"] },
            "scopes": ["Production", "Staging"],
            "type": "custom",
            "valid_from": "2026-01-02T03:04:05Z",
            "valid_to": "2027-10-09T08:07:06Z",
        },
        "valid": true,
    });
    assert_eq!(answer(&app, &token.secret).await, expected.to_string());
}

#[actix_web::test]
async fn a_read_only_token_is_answered_with_every_module_of_the_catalog() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let token = admin
        .create_token(
            "Reader",
            &app.scope_id("Production"),
            &[("duration", "unlimited")],
        )
        .await;
    app.execute(&format!(
        "UPDATE api_tokens SET valid_from = '2025-12-31 23:59:59' WHERE guid = '{}'",
        token.guid
    ));

    let expected = json!({
        "token": {
            "guid": token.guid.as_str(),
            "name": "Reader",
            "permissions": {
                "billing": ["read"], "catalog": ["read"], "customers": ["read"], "orders": ["read"],
            },
            "scopes": ["Production"],
            "type": "read_only",
            "valid_from": "2025-12-31T23:59:59Z",
            "valid_to": null,
        },
        "valid": true,
    });
    assert_eq!(answer(&app, &token.secret).await, expected.to_string());
}

#[actix_web::test]
async fn an_identity_is_answered_exactly_as_a_serializer_writes_it() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let token = admin
        .create_token(
            "Owned",
            &app.scope_id("Production"),
            &[("duration", "unlimited")],
        )
        .await;
    let metadata = json!({ "plan": "pro", "quota": { "seats": 5 }, "note": "\"quoted\" é" });
    app.execute(&format!(
        "INSERT INTO identities (public_id, external_id, name, metadata, created_at, updated_at, version) \
         VALUES ('3b1d5c1e-0000-4000-8000-000000000001', 'cus_\"1', 'Acme \\ Co', '{}', \
         '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1); \
         UPDATE api_tokens SET identity_id = (SELECT id FROM identities), \
         valid_from = '2025-12-31 23:59:59' WHERE guid = '{}'",
        metadata.to_string().replace('\'', "''"),
        token.guid
    ));
    let body: serde_json::Value = serde_json::from_str(&answer(&app, &token.secret).await).unwrap();
    assert_eq!(
        body["identity"],
        json!({ "external_id": "cus_\"1", "metadata": metadata, "name": "Acme \\ Co" })
    );
    // Byte for byte what a serializer writes from the same value.
    assert_eq!(answer(&app, &token.secret).await, body.to_string());
}
