//! The management API with an administrator's API key: every token use case, the
//! conventions (problems, ETag/If-Match, Idempotency-Key, Link pages, unknown fields,
//! limits), and a key that never exceeds its owner.

use serde_json::{Value, json};

use crate::helpers::{ApiClient, spawn_app};

pub fn new_token(name: &str, scope: &str) -> Value {
    json!({
        "name": name,
        "scopes": [scope],
        "type": "custom",
        "permissions": [{ "module": "orders", "action": "read" }],
        "duration": "90d",
    })
}

const ALL: &[&str] = &[
    "tokens.read",
    "tokens.create",
    "tokens.update",
    "tokens.delete",
    "audit.read",
];

#[actix_web::test]
async fn a_key_from_my_profile_runs_a_token_through_its_life_audited_via_the_key() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let key = app.api_key(&ada, "CI deploy", ALL, &[]).await;
    // Only a digest and a hint are stored.
    assert_eq!(app.count("admin_api_keys"), 1);
    let stored =
        app.texts("SELECT secret_hint || secret_digest || permissions AS t FROM admin_api_keys");
    assert!(
        !stored[0].contains(&key[4..]),
        "the key is not stored in clear"
    );
    let profile = ada.get("/profile/api-keys").await;
    assert!(profile.body.contains("CI deploy") && profile.body.contains(&key[key.len() - 4..]));
    assert!(profile.body.contains("Never"), "not used yet");

    let api = ApiClient::new(&app, &key);
    let created = api
        .post("/api/v1/tokens", &new_token("billing", "Production"))
        .await;
    assert_eq!(created.status, 201, "{}", created.json);
    let guid = created.json["guid"].as_str().unwrap().to_owned();
    assert!(created.json["secret"].as_str().unwrap().starts_with("tsr_"));
    assert_eq!(created.header("etag"), Some("\"1\""));
    assert_eq!(
        created.header("location").unwrap(),
        format!("/api/v1/tokens/{guid}")
    );
    assert_eq!(
        created.json["permissions"],
        json!([{ "module": "orders", "action": "read" }])
    );
    assert_eq!(
        created.json["created_by"]["name"]
            .as_str()
            .unwrap()
            .split(" · ")
            .next(),
        Some("Ada Admin")
    );

    let path = format!("/api/v1/tokens/{guid}");
    let read = api.get(&path).await;
    assert_eq!(read.status, 200);
    assert!(
        read.json.get("secret").is_none(),
        "a read never shows the secret"
    );
    assert_eq!(read.json["status"], "active");
    let list = api.get("/api/v1/tokens?q=billing").await;
    assert_eq!(list.json["tokens"][0]["guid"], guid.as_str());
    assert!(list.header("link").is_none());

    // Writes need the version read.
    let change = json!({ "description": "Invoices" });
    let missing = api.send("PATCH", &path, &[], Some(&change)).await;
    assert_eq!((missing.status, missing.code()), (428, "if_match_required"));
    let stale = api.write("PATCH", &path, "\"0\"", Some(&change)).await;
    assert_eq!((stale.status, stale.code()), (412, "version_mismatch"));
    let garbled = api.write("PATCH", &path, "3", Some(&change)).await;
    assert_eq!((garbled.status, garbled.code()), (400, "invalid_request"));
    let changed = api.write("PATCH", &path, "\"1\"", Some(&change)).await;
    assert_eq!(changed.status, 200, "{}", changed.json);
    assert_eq!(changed.json["description"], "Invoices");
    assert_eq!(
        changed.json["scopes"],
        json!(["Production"]),
        "unchanged fields stay"
    );
    assert_eq!(changed.header("etag"), Some("\"2\""));

    let disabled = api
        .write("POST", &format!("{path}/disable"), "\"2\"", None)
        .await;
    assert_eq!(disabled.json["status"], "disabled");
    // `*` (RFC 9110): whatever version is current, for a client that means to.
    let enabled = api
        .write("POST", &format!("{path}/enable"), "*", None)
        .await;
    assert_eq!(enabled.json["status"], "active");
    assert_eq!(enabled.header("etag"), Some("\"4\""));
    let regenerated = api
        .write(
            "POST",
            &format!("{path}/regenerate"),
            "\"4\"",
            Some(&json!({ "grace": "1h" })),
        )
        .await;
    assert_eq!(regenerated.status, 200, "{}", regenerated.json);
    assert!(
        regenerated.json["secret"]
            .as_str()
            .unwrap()
            .starts_with("tsr_")
    );
    assert!(regenerated.json["previous_secret_valid_until"].is_string());
    let revoked = api
        .write("POST", &format!("{path}/revoke"), "\"5\"", None)
        .await;
    assert_eq!(revoked.json["status"], "revoked");
    let again = api
        .write("POST", &format!("{path}/disable"), "\"6\"", None)
        .await;
    assert_eq!((again.status, again.code()), (409, "status_conflict"));
    let deleted = api.write("DELETE", &path, "\"6\"", None).await;
    assert_eq!(deleted.status, 204);
    let gone = api.get(&path).await;
    assert_eq!((gone.status, gone.code()), (410, "token_deleted"));
    let usage = api.get(&format!("{path}/usage")).await;
    assert_eq!((usage.status, usage.code()), (410, "token_deleted"));
    let limits = api.get(&format!("{path}/limits")).await;
    assert_eq!((limits.status, limits.code()), (410, "token_deleted"));
    let set = api
        .send(
            "PUT",
            &format!("{path}/limits"),
            &[],
            Some(&serde_json::json!({ "credits": { "remaining": 5 } })),
        )
        .await;
    assert_eq!((set.status, set.code()), (410, "token_deleted"));
    let listed = api.get("/api/v1/tokens?status=deleted").await;
    assert_eq!(
        listed.json["tokens"][0]["guid"],
        guid.as_str(),
        "kept for the record"
    );

    // Every step is in the audit log, by Ada, via the key.
    let events = api.get(&format!("/api/v1/audit-events?token={guid}")).await;
    let events = events.json["events"].as_array().unwrap().clone();
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "token.delete",
            "token.revoke",
            "token.regenerate",
            "token.enable",
            "token.disable",
            "token.update",
            "token.create"
        ]
    );
    for event in &events {
        assert_eq!(event["via_api_key"], "CI deploy", "{event}");
        assert!(event["actor"].as_str().unwrap().starts_with("Ada Admin"));
    }
    let log = ada.get("/settings/audit-log").await;
    assert!(
        log.body.contains("via API key “CI deploy”"),
        "the audit page names the key"
    );
    let profile = ada.get("/profile/api-keys").await;
    assert!(
        profile.body.contains("from 127.0.0.1"),
        "last use and address shown"
    );
}

#[actix_web::test]
async fn retries_bodies_and_pages_follow_the_conventions() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let key = app.api_key(&ada, "bot", ALL, &[]).await;
    let api = ApiClient::new(&app, &key);
    let body = new_token("idem", "Production");

    let create_once = async |body: &Value| {
        api.send(
            "POST",
            "/api/v1/tokens",
            &[("idempotency-key", "k-1")],
            Some(body),
        )
        .await
    };
    // The same Idempotency-Key: one token, the retry without the secret.
    let first = create_once(&body).await;
    assert_eq!(first.status, 201);
    let retry = create_once(&body).await;
    assert_eq!(retry.status, 200, "{}", retry.json);
    assert_eq!(retry.json["guid"], first.json["guid"]);
    assert_eq!(retry.json["secret"], Value::Null);
    assert_eq!(app.count("api_tokens WHERE name = 'idem'"), 1);
    let stored = app.texts(
        "SELECT idempotency_key || request_digest || token_guid AS t FROM api_idempotency_keys",
    );
    assert!(
        !stored[0].contains(&first.json["secret"].as_str().unwrap()[4..]),
        "no secret kept"
    );
    let other = create_once(&new_token("idem2", "Production")).await;
    assert_eq!(
        (other.status, other.code()),
        (422, "idempotency_key_reused")
    );

    // Unknown fields, bad fields, wrong types, bad JSON, too large, not JSON.
    let mut unknown = body.clone();
    unknown["colour"] = json!("blue");
    let refused = api.post("/api/v1/tokens", &unknown).await;
    assert_eq!((refused.status, refused.code()), (422, "invalid_body"));
    assert!(refused.json["detail"].as_str().unwrap().contains("colour"));
    let invalid = api.post("/api/v1/tokens", &json!({ "name": " ", "scopes": ["Production"], "type": "read_only", "duration": "7d", "description": "a\u{0}b" })).await;
    assert_eq!((invalid.status, invalid.code()), (422, "validation_failed"));
    let fields: Vec<&str> = invalid.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"name") && fields.contains(&"description"),
        "{fields:?}"
    );
    assert!(invalid.json["request_id"].is_string());
    let positional = api
        .send_raw(
            "POST",
            "/api/v1/tokens",
            &[],
            Some("[\"idem3\", \"\", null, [\"Production\"], \"read_only\", [], \"7d\"]"),
        )
        .await;
    assert_eq!(
        (positional.status, positional.code()),
        (422, "invalid_body")
    );
    let not_json = api
        .send_raw(
            "POST",
            "/api/v1/tokens",
            &[("content-type", "text/plain")],
            Some("{}"),
        )
        .await;
    assert_eq!(not_json.status, 415);
    let broken = api
        .send_raw("POST", "/api/v1/tokens", &[], Some("{\"name\":"))
        .await;
    assert_eq!((broken.status, broken.code()), (400, "invalid_request"));
    let huge = json!({ "name": "x".repeat(70 * 1024) });
    let too_large = api.post("/api/v1/tokens", &huge).await;
    assert_eq!(too_large.status, 413);
    for strict in [
        "/api/v1/tokens?per_page=7",
        "/api/v1/tokens?status=exploded",
        "/api/v1/tokens?sort=price",
        "/api/v1/tokens?dir=sideways",
        "/api/v1/tokens?status=",
        "/api/v1/audit-events?action=token.explode",
        "/api/v1/verify?module=orders&action=delete",
        "/api/v1/tokens?scope=0",
        "/api/v1/audit-events?to=",
    ] {
        let refused = api.get(strict).await;
        assert_eq!(
            (refused.status, refused.code()),
            (400, "invalid_request"),
            "{strict}"
        );
    }
    assert_eq!(api.get("/api/v1/tokens?after=garbage").await.status, 400);
    assert_eq!(api.get("/api/v1/tokens/not-a-guid").await.status, 404);

    // Pages: 26 tokens in pages of 25, the next one in `Link` and `next`.
    for n in 0..25 {
        let made = api
            .post(
                "/api/v1/tokens",
                &new_token(&format!("page-{n:02}"), "Staging"),
            )
            .await;
        assert_eq!(made.status, 201);
    }
    let first = api.get("/api/v1/tokens?sort=name").await;
    assert_eq!(first.json["tokens"].as_array().unwrap().len(), 25);
    let link = first.header("link").expect("a next page").to_owned();
    let next = first.json["next"].as_str().unwrap().to_owned();
    assert_eq!(link, format!("<{next}>; rel=\"next\""));
    let path = &next[next.find("/api/").unwrap()..];
    let second = api.get(path).await;
    assert_eq!(second.json["tokens"].as_array().unwrap().len(), 1);
    assert!(second.header("link").is_none());

    // An optional body may be JSON null.
    let guid = second.json["tokens"][0]["guid"].as_str().unwrap();
    let regenerated = api
        .send_raw(
            "POST",
            &format!("/api/v1/tokens/{guid}/regenerate"),
            &[("if-match", "*"), ("content-type", "application/json")],
            Some("null"),
        )
        .await;
    assert_eq!(regenerated.status, 200, "{}", regenerated.json);
    assert!(regenerated.json["previous_secret_valid_until"].is_null());
}

/// A create answers with the token as it saved it, without reading it back: the
/// answer must be what a read of it finds, field for field, in the same order.
#[actix_web::test]
async fn a_create_answers_with_what_a_read_of_the_token_finds() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let key = app.api_key(&ada, "CI deploy", ALL, &[]).await;
    let api = ApiClient::new(&app, &key);
    let body = json!({
        "name": "Ledger sync",
        "description": "Nightly",
        "scopes": ["staging", "Production"],
        "type": "custom",
        "permissions": [
            { "module": "orders", "action": "write" },
            { "module": "billing", "action": "read" },
            { "module": "orders", "action": "read" },
        ],
        "duration": "90d",
        "allowed_networks": ["2001:db8::/32", "192.168.1.0/24", "10.0.0.0/8"],
        "can_introspect": true,
    });
    let created = api.post("/api/v1/tokens", &body).await;
    assert_eq!(created.status, 201, "{}", created.json);
    let mut answered = created.json.clone();
    assert!(answered.as_object_mut().unwrap().remove("secret").is_some());
    assert_eq!(answered["scopes"], json!(["Production", "Staging"]));
    assert_eq!(
        answered["permissions"],
        json!([
            { "module": "billing", "action": "read" },
            { "module": "orders", "action": "read" },
            { "module": "orders", "action": "write" },
        ])
    );
    assert_eq!(answered["created_by"]["id"], ada_public_id(&app));

    let read = api
        .get(&format!(
            "/api/v1/tokens/{}",
            answered["guid"].as_str().unwrap()
        ))
        .await;
    assert_eq!(read.status, 200);
    assert_eq!(answered, read.json);
    assert_eq!(created.header("etag"), read.header("etag"));
}

fn ada_public_id(app: &crate::helpers::TestApp) -> String {
    app.texts("SELECT public_id AS t FROM administrators")
        .pop()
        .unwrap()
}
