//! An edit that changes nothing (the API's PATCH, the edit form) keeps the token's
//! version and ETag, and writes no audit event and no webhook event.

use serde_json::json;

use crate::helpers::{ApiClient, hidden_value, spawn_app};

#[actix_web::test]
async fn an_edit_that_changes_nothing_keeps_the_version_and_tells_nobody() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let key = app
        .api_key(
            &ada,
            "ci",
            &["tokens.read", "tokens.create", "tokens.update"],
            &[],
        )
        .await;
    let api = ApiClient::new(&app, &key);
    let created = api
        .post(
            "/api/v1/tokens",
            &json!({
                "name": "billing",
                "description": "Invoices",
                "scopes": ["Production", "Staging"],
                "type": "custom",
                "permissions": [{ "module": "orders", "action": "read" }],
                "duration": "90d",
                "allowed_networks": ["10.0.0.0/8", "192.0.2.0/24"],
            }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.json);
    let guid = created.json["guid"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/tokens/{guid}");
    let edits = || app.count("audit_events WHERE action = 'token.update'");
    let outbox = app.count("outbox_events");

    for same in [
        json!({ "description": "Invoices" }),
        json!({
            "name": "billing",
            "scopes": ["Staging", "Production"],
            "type": "custom",
            "permissions": [{ "module": "orders", "action": "read" }],
            "allowed_networks": ["192.0.2.0/24", "10.0.0.0/8"],
            "can_introspect": false,
        }),
    ] {
        let saved = api.write("PATCH", &path, "\"1\"", Some(&same)).await;
        assert_eq!(saved.status, 200, "{}", saved.json);
        assert_eq!(saved.header("etag"), Some("\"1\""), "{same}");
        assert_eq!(saved.json["version"], 1);
    }
    // A stale version is still refused, as for any change.
    let stale = api
        .write(
            "PATCH",
            &path,
            "\"0\"",
            Some(&json!({ "description": "Invoices" })),
        )
        .await;
    assert_eq!((stale.status, stale.code()), (412, "version_mismatch"));

    // The edit form saved as it was shown.
    let form_path = format!("/settings/api-tokens/{guid}/edit");
    let form = ada.get(&form_path).await;
    let version = hidden_value(&form.body, "version").unwrap();
    let orders = format!("{}:read", app.module_id("orders"));
    let (production, staging) = (app.scope_id("Production"), app.scope_id("Staging"));
    ada.post(
        &form_path,
        &[
            ("version", &version),
            ("name", "billing"),
            ("description", "Invoices"),
            ("scopes", &production),
            ("scopes", &staging),
            ("duration", "keep"),
            ("token_type", "custom"),
            ("permissions", &orders),
            ("allowed_networks", "10.0.0.0/8\n192.0.2.0/24"),
        ],
    )
    .await
    .assert_redirect(&format!("/settings/api-tokens/{guid}"));
    let page = ada.get(&format!("/settings/api-tokens/{guid}")).await;
    assert!(
        page.body
            .contains("Nothing was changed, so billing stays as it was.")
    );
    assert_eq!(api.get(&path).await.header("etag"), Some("\"1\""));
    assert_eq!(edits(), 0, "no audit event");
    assert_eq!(app.count("outbox_events"), outbox, "no webhook event");

    // A real change still makes a version, an audit event and an event.
    let changed = api
        .write(
            "PATCH",
            &path,
            "\"1\"",
            Some(&json!({ "can_introspect": true })),
        )
        .await;
    assert_eq!(changed.header("etag"), Some("\"2\""));
    assert_eq!(edits(), 1);
    assert_eq!(app.count("outbox_events"), outbox + 1);
}
