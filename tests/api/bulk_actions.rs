//! Bulk actions through the management API: a filter's tokens or a list of GUIDs,
//! skipped tokens with their reason, one audit event and one webhook event per
//! token sharing a batch ID, verification refusing at once, retries answered
//! once, and scopes respected.

use serde_json::{Value, json};

use crate::helpers::{ApiClient, TestApp, spawn_app};
use crate::verification::verify;

const ALL: &[&str] = &[
    "tokens.read",
    "tokens.create",
    "tokens.update",
    "tokens.delete",
    "audit.read",
];

async fn bulk(api: &ApiClient, body: Value) -> Value {
    let answer = api.post("/api/v1/tokens/bulk", &body).await;
    assert_eq!(answer.status, 200, "{}", answer.json);
    answer.json
}

/// Name → result (`done`, `skipped: reason`…) of each token of an answer.
fn results(answer: &Value) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let result = r["result"].as_str().unwrap();
            let shown = match r["reason"].as_str() {
                Some(reason) => format!("{result}: {reason}"),
                None => result.to_owned(),
            };
            (r["name"].as_str().unwrap().to_owned(), shown)
        })
        .collect();
    found.sort();
    found
}

fn status_of(app: &TestApp, guid: &str) -> i64 {
    app.count(&format!(
        "api_tokens WHERE guid = '{guid}' AND revoked_at IS NOT NULL"
    ))
}

#[actix_web::test]
async fn a_filter_revokes_what_fits_skips_the_rest_and_shares_one_batch() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let (production, staging) = (app.scope_id("Production"), app.scope_id("Staging"));
    let first = ada.create_token("bulk first", &production, &[]).await;
    let second = ada.create_token("bulk second", &production, &[]).await;
    let shared = ada
        .create_token("bulk shared", &production, &[("scopes", &staging)])
        .await;
    let ended = ada.create_token("bulk ended", &production, &[]).await;
    let everything = ApiClient::new(&app, &app.api_key(&ada, "all", ALL, &[]).await);
    let revoked = bulk(
        &everything,
        json!({ "action": "revoke", "tokens": [ended.guid.to_string()] }),
    )
    .await;
    assert_eq!(revoked["done"], 1);
    assert_eq!(verify(&app, &first.secret, "").await.0, 200);

    // A key limited to Production: the shared token is not its to change.
    let production_key = app.api_key(&ada, "production", ALL, &["Production"]).await;
    let api = ApiClient::new(&app, &production_key);
    let filter = json!({ "q": "bulk", "scope": "Production" });
    let dry = bulk(
        &api,
        json!({ "action": "revoke", "filter": filter, "dry_run": true }),
    )
    .await;
    assert_eq!(dry["batch_id"], Value::Null);
    assert_eq!(
        results(&dry),
        [
            (
                "bulk ended".to_owned(),
                "skipped: Only active tokens can be revoked.".to_owned()
            ),
            ("bulk first".to_owned(), "would_apply".to_owned()),
            ("bulk second".to_owned(), "would_apply".to_owned()),
            (
                "bulk shared".to_owned(),
                "skipped: It is also in scopes you do not manage.".to_owned()
            ),
        ]
    );
    assert_eq!(status_of(&app, &first.guid), 0, "a dry run changes nothing");

    let events_before = app.count("outbox_events WHERE event_type = 'token.revoked'");
    let answer = bulk(&api, json!({ "action": "revoke", "filter": filter })).await;
    assert_eq!(
        (answer["done"].as_i64(), answer["skipped"].as_i64()),
        (Some(2), Some(2))
    );
    let batch = answer["batch_id"].as_str().unwrap().to_owned();
    for token in [&first, &second] {
        assert_eq!(status_of(&app, &token.guid), 1);
        // Refused at once: the cache heard of the change.
        assert_eq!(verify(&app, &token.secret, "").await.0, 401);
    }
    assert_eq!(status_of(&app, &shared.guid), 0);
    assert_eq!(verify(&app, &shared.secret, "").await.0, 200);

    // One audit event and one webhook event per token, the events sharing the batch.
    let events = api
        .get(&format!("/api/v1/audit-events?batch={batch}"))
        .await;
    let events = events.json["events"].as_array().unwrap().clone();
    let mut targets: Vec<&str> = events
        .iter()
        .map(|e| e["target"].as_str().unwrap())
        .collect();
    targets.sort();
    assert_eq!(targets, ["bulk first", "bulk second"]);
    assert!(
        events
            .iter()
            .all(|e| e["batch_id"] == batch.as_str() && e["action"] == "token.revoke")
    );
    assert_eq!(
        app.count("outbox_events WHERE event_type = 'token.revoked'"),
        events_before + 2
    );
    let page = ada.get(&format!("/settings/audit-log?batch={batch}")).await;
    assert_eq!(page.html().texts("tbody tr").len(), 2);
}

#[actix_web::test]
async fn guids_extend_and_move_scopes_and_a_retry_is_answered_once() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let production = app.scope_id("Production");
    let week = ada
        .create_token("extend me", &production, &[("duration", "7d")])
        .await;
    let endless = ada
        .create_token("endless", &production, &[("duration", "unlimited")])
        .await;
    let api = ApiClient::new(&app, &app.api_key(&ada, "all", ALL, &[]).await);
    let guids = json!([
        week.guid.to_string(),
        endless.guid.to_string(),
        "0b7c6e54-93f6-4b1c-9d53-5d2b06c1a0aa"
    ]);
    let before = app.texts(&format!(
        "SELECT CAST(valid_to AS TEXT) AS t FROM api_tokens WHERE guid = '{}'",
        week.guid
    ));

    let body = json!({ "action": "extend", "days": 90, "tokens": guids });
    let send = |key: &'static str, body: Value| {
        let api = &api;
        async move {
            api.send(
                "POST",
                "/api/v1/tokens/bulk",
                &[("idempotency-key", key)],
                Some(&body),
            )
            .await
        }
    };
    let first = send("extend-1", body.clone()).await;
    assert_eq!(first.status, 200, "{}", first.json);
    assert_eq!(
        results(&first.json),
        [
            (
                "".to_owned(),
                "skipped: No such token, or you cannot see it.".to_owned()
            ),
            (
                "endless".to_owned(),
                "skipped: It never expires: set an expiry instead.".to_owned()
            ),
            ("extend me".to_owned(), "done".to_owned()),
        ]
    );
    let after = app.texts(&format!(
        "SELECT CAST(valid_to AS TEXT) AS t FROM api_tokens WHERE guid = '{}'",
        week.guid
    ));
    assert_ne!(before, after);
    let audited = app.count("audit_events WHERE batch_id IS NOT NULL");
    // The same request again: the same answer, nothing done twice.
    let again = send("extend-1", body.clone()).await;
    assert_eq!(again.json["batch_id"], first.json["batch_id"]);
    assert_eq!(
        app.count("audit_events WHERE batch_id IS NOT NULL"),
        audited
    );
    let other = send(
        "extend-1",
        json!({ "action": "extend", "days": 30, "tokens": guids }),
    )
    .await;
    assert_eq!(other.status, 422, "{}", other.json);

    let set = bulk(
        &api,
        json!({ "action": "set_expiry", "days": 30, "tokens": guids }),
    )
    .await;
    assert_eq!(set["done"], 1, "{set}");
    let added = bulk(
        &api,
        json!({ "action": "add_scope", "scope": "Staging", "tokens": guids }),
    )
    .await;
    assert_eq!(added["done"], 2, "{added}");
    let in_staging = app.count(&format!(
        "api_token_scopes WHERE scope_id = {}",
        app.scope_id("Staging")
    ));
    assert!(in_staging >= 2);
    let removed = bulk(
        &api,
        json!({ "action": "remove_scope", "scope": "Production", "tokens": guids }),
    )
    .await;
    assert_eq!(removed["done"], 2, "{removed}");
    let only = bulk(
        &api,
        json!({ "action": "remove_scope", "scope": "Staging", "tokens": guids }),
    )
    .await;
    assert_eq!(only["done"], 0);
    assert!(
        results(&only)
            .iter()
            .any(|(_, r)| r.contains("its only scope"))
    );

    for (body, status) in [
        (json!({ "action": "explode", "tokens": guids }), 422),
        (
            json!({ "action": "extend", "days": 5, "tokens": guids }),
            422,
        ),
        (json!({ "action": "disable" }), 422),
        (
            json!({ "action": "add_scope", "scope": "Nowhere", "tokens": guids }),
            422,
        ),
        (
            json!({ "action": "disable", "tokens": ["not a guid"] }),
            422,
        ),
    ] {
        let answer = api.post("/api/v1/tokens/bulk", &body).await;
        assert_eq!(answer.status, status, "{body}: {}", answer.json);
    }
}

#[actix_web::test]
async fn a_key_of_one_scope_selects_only_its_tokens() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let (production, staging) = (app.scope_id("Production"), app.scope_id("Staging"));
    ada.create_token("prod only", &production, &[]).await;
    let staged = ada.create_token("staging only", &staging, &[]).await;
    let key = app.api_key(&ada, "staging", ALL, &["Staging"]).await;
    let api = ApiClient::new(&app, &key);
    let answer = bulk(&api, json!({ "action": "disable", "filter": {} })).await;
    let names: Vec<String> = results(&answer).into_iter().map(|(n, _)| n).collect();
    assert!(names.contains(&"staging only".to_owned()));
    assert!(!names.contains(&"prod only".to_owned()), "{names:?}");
    assert_eq!(verify(&app, &staged.secret, "").await.0, 401);
    // Named by GUID, another scope's token is as unknown.
    let prod = app.texts("SELECT guid AS t FROM api_tokens WHERE name = 'prod only'");
    let answer = bulk(&api, json!({ "action": "disable", "tokens": prod })).await;
    assert_eq!(
        results(&answer),
        [(
            "".to_owned(),
            "skipped: No such token, or you cannot see it.".to_owned()
        )]
    );
}

#[actix_web::test]
async fn a_name_taken_in_the_new_scope_skips_that_token_alone() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let (production, staging) = (app.scope_id("Production"), app.scope_id("Staging"));
    let twin = ada.create_token("nightly sync", &production, &[]).await;
    let other = ada.create_token("weekly sync", &production, &[]).await;
    ada.create_token("nightly sync", &staging, &[]).await;
    let api = ApiClient::new(&app, &app.api_key(&ada, "all", ALL, &[]).await);
    let audited = app.count("audit_events");

    let added = bulk(
        &api,
        json!({
            "action": "add_scope",
            "scope": "Staging",
            "tokens": [twin.guid.to_string(), other.guid.to_string()],
        }),
    )
    .await;
    assert_eq!(
        results(&added),
        [
            (
                "nightly sync".to_owned(),
                "skipped: Another token of that scope has its name.".to_owned()
            ),
            ("weekly sync".to_owned(), "done".to_owned()),
        ]
    );
    let scopes_of = |guid: &str| {
        app.count(&format!(
            "api_token_scopes s JOIN api_tokens t ON t.id = s.token_id WHERE t.guid = '{guid}'"
        ))
    };
    assert_eq!(scopes_of(&twin.guid), 1, "its write undone");
    assert_eq!(scopes_of(&other.guid), 2);
    assert_eq!(
        app.count("audit_events") - audited,
        1,
        "one event: the token changed"
    );
}
