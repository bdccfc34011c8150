//! A policy changed over tokens made before it: they stay as they are, audited
//! policy change and all, and token health lists those that break it with their
//! remedies; regenerate, edit, enable and bulk actions then hold them to it.
//! Showing values again, the policy's own validation, and scope isolation.

use serde_json::{Value, json};

use crate::helpers::{ApiClient, Browser, TestApp, spawn_app, spawn_app_with};
use crate::scope_policies::{KEY_PERMISSIONS, day_in, set_policy};

fn token_body(name: &str, scopes: &[&str], duration: &str, kind: &str) -> Value {
    json!({ "name": name, "scopes": scopes, "duration": duration, "type": kind })
}

/// A read-only Production token valid to the end of the day `days` from today.
fn until(name: &str, days: i64) -> Value {
    let mut body = token_body(name, &["Production"], "custom", "read_only");
    body["valid_to"] = json!(day_in(days));
    body
}

async fn make(api: &ApiClient, body: Value) -> (String, String) {
    let made = api.post("/api/v1/tokens", &body).await;
    assert_eq!(made.status, 201, "{:?}", made.json);
    (
        made.json["guid"].as_str().unwrap().to_owned(),
        made.header("etag").unwrap().to_owned(),
    )
}

fn policy_finding(answer: &Value) -> Value {
    answer["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["finding"] == "policy")
        .cloned()
        .expect("a policy finding")
}

#[actix_web::test]
async fn a_new_policy_changes_no_token_and_health_lists_those_that_break_it() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    // The examples' own tokens are not this test's.
    app.execute("UPDATE api_tokens SET disabled_at = '2020-01-01 00:00:00'");
    let api = ApiClient::new(&app, &app.api_key(&admin, "CI", KEY_PERMISSIONS, &[]).await);
    let (endless, endless_tag) = make(
        &api,
        token_body("Endless admin", &["Production"], "unlimited", "full_access"),
    )
    .await;
    let (fine, _) = make(
        &api,
        token_body("Fine", &["Production"], "30d", "read_only"),
    )
    .await;
    // To the last day the policy allows, and a year: only the year breaks it.
    let ninety = make(&api, until("Ninety", 90)).await.0;
    let year = make(&api, until("Year", 365)).await.0;
    let (elsewhere, _) = make(
        &api,
        token_body("Elsewhere", &["Staging"], "unlimited", "full_access"),
    )
    .await;

    set_policy(
        &app,
        &admin,
        "Production",
        &[
            ("max_lifetime_days", "90"),
            ("allowed_types", "read_only"),
            ("allowed_types", "custom"),
        ],
    )
    .await;
    // Nothing changed: the token is as it was, version and all.
    let read = api.get(&format!("/api/v1/tokens/{endless}")).await;
    assert_eq!(read.json["type"], "full_access");
    assert_eq!(read.json["valid_to"], Value::Null);
    assert_eq!(read.header("etag"), Some(endless_tag.as_str()));
    // The change is in the audit log, before and after.
    let details = app
        .texts("SELECT details AS t FROM audit_events WHERE action = 'scope.policy' ORDER BY id");
    assert_eq!(details.len(), 1);
    let change: Value = serde_json::from_str(&details[0]).unwrap();
    assert_eq!(change["before"]["max_lifetime_days"], Value::Null);
    assert_eq!(change["after"]["max_lifetime_days"], 90);
    assert_eq!(
        change["after"]["allowed_types"],
        json!(["read_only", "custom"])
    );

    // Token health lists the one token that breaks it, with why and the fixes.
    let health = api.get("/api/v1/token-health").await;
    let finding = policy_finding(&health.json);
    assert_eq!(finding["tokens"], 2, "{finding}");
    assert_eq!(finding["guids"], json!([endless, year]));
    assert_eq!(finding["remedy"], "revoke");
    let page = admin.get("/settings/token-health?finding=policy").await;
    let html = page.html();
    assert_eq!(html.texts("[data-label=Token]"), ["Endless admin", "Year"]);
    let why = html.text("[data-label=Why]");
    assert!(
        why.contains("Production allows tokens of at most 90 days"),
        "{why}"
    );
    assert!(why.contains("does not allow Full access tokens"), "{why}");
    assert!(page.body.contains("Shorten or narrow"));
    assert!(page.body.contains("Revoke all 2 tokens"));
    for untouched in [&fine, &elsewhere, &ninety] {
        assert!(!page.body.contains(untouched.as_str()));
    }

    // Regenerating it is refused until it follows the policy...
    let regenerate = api
        .write(
            "POST",
            &format!("/api/v1/tokens/{endless}/regenerate"),
            &endless_tag,
            Some(&json!({})),
        )
        .await;
    assert_eq!(regenerate.status, 422, "{:?}", regenerate.json);
    assert_eq!(regenerate.code(), "policy_violation");
    // From its page too: back to the token, with why.
    let version = admin.version_of(&endless).await;
    let refused = admin
        .post(
            &format!("/settings/api-tokens/{endless}/regenerate"),
            &[("version", version.as_str()), ("grace", "")],
        )
        .await;
    refused.assert_redirect(&format!("/settings/api-tokens/{endless}"));
    let page = admin.get(&format!("/settings/api-tokens/{endless}")).await;
    let flash = page.html().text(".flash-error");
    assert!(
        flash.contains("breaks its scopes' policy: Production"),
        "{flash}"
    );
    // ...and so is an edit that leaves it breaking it, even a rename.
    let rename = api
        .write(
            "PATCH",
            &format!("/api/v1/tokens/{endless}"),
            &endless_tag,
            Some(&json!({ "name": "Renamed" })),
        )
        .await;
    assert_eq!(rename.status, 422);
    let rules: Vec<&str> = rename.json["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["max_lifetime", "allowed_types"]);
    // Shortened and narrowed, it is fixed, and health has nothing left.
    let fixed = api
        .write(
            "PATCH",
            &format!("/api/v1/tokens/{endless}"),
            &endless_tag,
            Some(&json!({ "duration": "30d", "type": "read_only" })),
        )
        .await;
    assert_eq!(fixed.status, 200, "{:?}", fixed.json);
    let health = api.get("/api/v1/token-health").await;
    assert_eq!(policy_finding(&health.json)["guids"], json!([year]));
    let tag = fixed.header("etag").unwrap();
    let regenerated = api
        .write(
            "POST",
            &format!("/api/v1/tokens/{endless}/regenerate"),
            tag,
            Some(&json!({})),
        )
        .await;
    assert_eq!(regenerated.status, 200, "{:?}", regenerated.json);
}

#[actix_web::test]
async fn bulk_actions_and_enabling_are_held_to_the_policy() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let api = ApiClient::new(&app, &app.api_key(&admin, "CI", KEY_PERMISSIONS, &[]).await);
    let (short, _) = make(
        &api,
        token_body("Short", &["Production"], "30d", "read_only"),
    )
    .await;
    let (endless, _) = make(
        &api,
        token_body("Endless", &["Production"], "unlimited", "read_only"),
    )
    .await;
    let (staging_only, _) = make(
        &api,
        token_body("Staging only", &["Staging"], "unlimited", "read_only"),
    )
    .await;
    let disabled = api
        .write(
            "POST",
            &format!("/api/v1/tokens/{endless}/disable"),
            "\"1\"",
            None,
        )
        .await;
    assert_eq!(disabled.status, 200, "{:?}", disabled.json);
    set_policy(&app, &admin, "Production", &[("max_lifetime_days", "90")]).await;

    let bulk = |body: Value| {
        let api = &api;
        async move {
            let answer = api.post("/api/v1/tokens/bulk", &body).await;
            assert_eq!(answer.status, 200, "{:?}", answer.json);
            answer.json["results"][0].clone()
        }
    };
    // Longer than the policy allows: skipped, with the rule in words.
    let extended = bulk(json!({ "action": "extend", "days": 365, "tokens": [short] })).await;
    assert_eq!(extended["result"], "skipped");
    assert!(
        extended["reason"]
            .as_str()
            .unwrap()
            .contains("at most 90 days"),
        "{extended}"
    );
    assert_eq!(
        bulk(json!({ "action": "extend", "days": 30, "tokens": [short] })).await["result"],
        "done"
    );
    // Into a scope whose policy it breaks: skipped; its own scope has none.
    let moved =
        bulk(json!({ "action": "add_scope", "scope": "Production", "tokens": [staging_only] }))
            .await;
    assert_eq!(moved["result"], "skipped", "{moved}");
    // Enabling lets it pass again: held to the policy, one by one and in bulk.
    let enable = bulk(json!({ "action": "enable", "tokens": [endless] })).await;
    assert_eq!(enable["result"], "skipped", "{enable}");
    let one = api
        .write(
            "POST",
            &format!("/api/v1/tokens/{endless}/enable"),
            "\"2\"",
            None,
        )
        .await;
    assert_eq!(one.status, 422, "{:?}", one.json);
    // Setting an expiry within the policy is the fix, then enabling works.
    assert_eq!(
        bulk(json!({ "action": "set_expiry", "days": 90, "tokens": [endless] })).await["result"],
        "done"
    );
    assert_eq!(
        bulk(json!({ "action": "enable", "tokens": [endless] })).await["result"],
        "done"
    );
    // Narrowing never waits for the policy.
    assert_eq!(
        bulk(json!({ "action": "disable", "tokens": [short, staging_only] })).await["result"],
        "done"
    );
}

const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

fn sealed(app: &TestApp, guid: &str) -> bool {
    !app.texts(&format!(
        "SELECT guid AS t FROM api_tokens WHERE guid = '{guid}' AND secret_ciphertext IS NOT NULL"
    ))
    .is_empty()
}

#[actix_web::test]
async fn a_scope_that_shows_values_once_keeps_none_and_shows_none_again() {
    let app = spawn_app_with(tessera::config::ServeArgs {
        encryption: tessera::config::EncryptionArgs {
            encryption_key: Some(KEY.to_owned()),
        },
        ..Default::default()
    })
    .await;
    let admin = app.with_examples().await;
    let before = app
        .token(&admin)
        .named("Kept")
        .scope("Production")
        .create()
        .await;
    assert!(sealed(&app, &before.guid.to_string()));
    set_policy(&app, &admin, "Production", &[("show_again", "")]).await;

    let after = app
        .token(&admin)
        .named("Once")
        .scope("Production")
        .create()
        .await;
    assert!(!sealed(&app, &after.guid.to_string()), "no value kept");
    let staging = app
        .token(&admin)
        .named("Staging")
        .scope("Staging")
        .create()
        .await;
    assert!(
        sealed(&app, &staging.guid.to_string()),
        "other scopes keep theirs"
    );
    // The value kept before is not shown either.
    let shown = reveal(&admin, &before.guid.to_string()).await;
    assert_eq!(shown.status, 422, "{}", shown.body);
    assert!(shown.body.contains("shows token values once only"));
    assert!(!shown.body.contains(&before.secret));
}

async fn reveal(admin: &Browser, guid: &str) -> crate::helpers::Response {
    admin
        .post(
            &format!("/settings/api-tokens/{guid}/reveal"),
            &[("purpose", "show"), ("password", crate::helpers::PASSWORD)],
        )
        .await
}

#[actix_web::test]
async fn policies_are_checked_read_and_changed_within_scopes() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let api = ApiClient::new(&app, &app.api_key(&admin, "CI", KEY_PERMISSIONS, &[]).await);
    let production = app.scope_id("Production");
    let path = format!("/api/v1/scopes/{production}/policy");
    // None yet: everything allowed.
    let none = api.get(&path).await;
    assert_eq!(none.status, 200);
    assert_eq!(
        none.json["allowed_types"],
        json!(["read_only", "full_access", "custom"])
    );
    assert_eq!(none.json["allowed_grants"], Value::Null);

    let put = |body: Value| {
        let (api, path) = (&api, &path);
        async move { api.send("PUT", path, &[], Some(&body)).await }
    };
    let saved = put(json!({
        "max_lifetime_days": 90,
        "allowed_types": ["custom"],
        "allowed_grants": [{ "module": "orders", "action": "read" }],
        "show_again": false
    }))
    .await;
    assert_eq!(saved.status, 200, "{:?}", saved.json);
    assert_eq!(
        saved.json["allowed_grants"],
        json!([{ "module": "orders", "action": "read" }])
    );
    assert_eq!(api.get(&path).await.json, saved.json);
    // What no token could follow, or names nothing, is refused beside its field.
    for (body, field) in [
        (json!({ "allowed_types": [] }), "allowed_types"),
        (json!({ "max_lifetime_days": 0 }), "max_lifetime_days"),
        (
            json!({ "max_lifetime_days": 99999999999i64 }),
            "max_lifetime_days",
        ),
        (
            json!({ "allowed_types": ["read_only"], "allowed_grants": [] }),
            "allowed_grants",
        ),
        (
            json!({ "allowed_grants": [{ "module": "nope", "action": "read" }] }),
            "allowed_grants",
        ),
    ] {
        let refused = put(body.clone()).await;
        assert_eq!(refused.status, 422, "{body}: {:?}", refused.json);
        assert_eq!(refused.json["errors"][0]["field"], field, "{body}");
    }
    assert_eq!(put(json!({ "nonsense": true })).await.status, 422);
    assert_eq!(api.get("/api/v1/scopes/999999/policy").await.status, 404);
    // The page shows the same policy, and refuses the same way.
    let form = admin
        .get(&format!("/settings/scopes/{production}/policy"))
        .await;
    assert_eq!(form.status, 200);
    assert_eq!(
        form.html().attr("#max_lifetime_days", "value").as_deref(),
        Some("90")
    );
    let list = admin.get("/settings/scopes").await;
    assert!(
        list.body.contains("Tokens expire within 90 days."),
        "{}",
        list.body
    );
    let refused = admin
        .post(
            &format!("/settings/scopes/{production}/policy"),
            &[("max_lifetime_days", "soon"), ("allowed_types", "custom")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .html()
            .text("#max_lifetime_days-error")
            .contains("whole number")
    );

    // A key without settings.manage reads but does not change; a key limited to
    // Staging does not see Production's.
    let reader = ApiClient::new(
        &app,
        &app.api_key(&admin, "Reader", &["tokens.read"], &[]).await,
    );
    assert_eq!(reader.get(&path).await.status, 200);
    assert_eq!(
        reader
            .send("PUT", &path, &[], Some(&json!({})))
            .await
            .status,
        403
    );
    let staging = ApiClient::new(
        &app,
        &app.api_key(&admin, "Staging", KEY_PERMISSIONS, &["Staging"])
            .await,
    );
    assert_eq!(staging.get(&path).await.status, 404);
    assert_eq!(app.count("scope_policies"), 1);
}

#[actix_web::test]
async fn dropping_unused_permissions_makes_no_custom_token_where_custom_is_not_allowed() {
    let (app, admin) = crate::token_health::app_without_examples_in_use().await;
    let wide = crate::token_health::full_access_that_read_orders(&app, &admin).await;
    set_policy(
        &app,
        &admin,
        "Production",
        &[
            ("allowed_types", "read_only"),
            ("allowed_types", "full_access"),
        ],
    )
    .await;
    let api = ApiClient::new(&app, &app.api_key(&admin, "CI", KEY_PERMISSIONS, &[]).await);
    let body = json!({ "action": "drop_unused_permissions", "tokens": [wide.guid.to_string()] });
    let answer = api.post("/api/v1/tokens/bulk", &body).await;
    let result = &answer.json["results"][0];
    assert_eq!(result["result"], "skipped", "{result}");
    assert!(
        result["reason"]
            .as_str()
            .unwrap()
            .contains("does not allow Custom tokens"),
        "{result}"
    );
    let read = api.get(&format!("/api/v1/tokens/{}", wide.guid)).await;
    assert_eq!(read.json["type"], "full_access");
}

#[actix_web::test]
async fn a_policy_is_changed_only_by_a_key_of_its_scope_with_settings_manage() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let production = app.scope_id("Production");
    let path = format!("/api/v1/scopes/{production}/policy");
    let body = json!({ "max_lifetime_days": 30 });
    let staging_key = app
        .api_key(&admin, "Staging", KEY_PERMISSIONS, &["Staging"])
        .await;
    let staging = ApiClient::new(&app, &staging_key);
    assert_eq!(
        staging.send("PUT", &path, &[], Some(&body)).await.status,
        404
    );
    assert_eq!(app.count("scope_policies"), 0, "nothing saved");
    // Managing settings is enough to change it, and the answer is what was saved.
    let settings = ApiClient::new(
        &app,
        &app.api_key(&admin, "Settings", &["settings.manage"], &[])
            .await,
    );
    let saved = settings.send("PUT", &path, &[], Some(&body)).await;
    assert_eq!(saved.status, 200, "{:?}", saved.json);
    assert_eq!(saved.json["max_lifetime_days"], 30);
    assert_eq!(app.count("scope_policies"), 1);
}

#[actix_web::test]
async fn the_lifetime_is_counted_the_same_for_new_tokens_and_in_token_health() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    app.execute("UPDATE api_tokens SET disabled_at = '2020-01-01 00:00:00'");
    let api = ApiClient::new(&app, &app.api_key(&admin, "CI", KEY_PERMISSIONS, &[]).await);
    let made: Vec<String> = {
        let mut made = Vec::new();
        for (name, days) in [
            ("Day 90", 90),
            ("Day 91", 91),
            ("Day 200", 200),
            ("Old, 30 left", 30),
        ] {
            made.push(make(&api, until(name, days)).await.0);
        }
        made
    };
    // Started 200 days ago: 30 days left is within 90 from now; the long one is not.
    app.execute(&format!(
        "UPDATE api_tokens SET valid_from = '2020-01-01 00:00:00' WHERE guid IN ('{}', '{}')",
        made[2], made[3]
    ));
    set_policy(&app, &admin, "Production", &[("max_lifetime_days", "90")]).await;
    let health = api.get("/api/v1/token-health").await;
    let mut found: Vec<String> = policy_finding(&health.json)["guids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap().to_owned())
        .collect();
    found.sort();
    let mut expected = vec![made[1].clone(), made[2].clone()];
    expected.sort();
    assert_eq!(found, expected, "day 91 and day 200 break it");
    // The same rule refuses day 91 and takes day 90 for a new token.
    assert_eq!(
        api.post("/api/v1/tokens", &until("New 91", 91))
            .await
            .status,
        422
    );
    assert_eq!(
        api.post("/api/v1/tokens", &until("New 90", 90))
            .await
            .status,
        201
    );
}

#[actix_web::test]
async fn a_token_moved_into_a_scope_that_shows_values_once_forgets_its_value() {
    let app = spawn_app_with(tessera::config::ServeArgs {
        encryption: tessera::config::EncryptionArgs {
            encryption_key: Some(KEY.to_owned()),
        },
        ..Default::default()
    })
    .await;
    let admin = app.with_examples().await;
    set_policy(&app, &admin, "Production", &[("show_again", "")]).await;
    let api = ApiClient::new(&app, &app.api_key(&admin, "CI", KEY_PERMISSIONS, &[]).await);
    let (edited, tag) = make(&api, token_body("Edited", &["Staging"], "30d", "read_only")).await;
    let (moved, _) = make(&api, token_body("Moved", &["Staging"], "30d", "read_only")).await;
    assert!(sealed(&app, &edited) && sealed(&app, &moved));
    let changed = api
        .write(
            "PATCH",
            &format!("/api/v1/tokens/{edited}"),
            &tag,
            Some(&json!({ "scopes": ["Staging", "Production"] })),
        )
        .await;
    assert_eq!(changed.status, 200, "{:?}", changed.json);
    assert!(!sealed(&app, &edited), "forgotten on edit");
    let body = json!({ "action": "add_scope", "scope": "Production", "tokens": [moved] });
    assert_eq!(api.post("/api/v1/tokens/bulk", &body).await.json["done"], 1);
    assert!(!sealed(&app, &moved), "forgotten in bulk");
    // Regenerated in it, a token keeps no value either.
    let tag = changed.header("etag").unwrap();
    let regenerated = api
        .write(
            "POST",
            &format!("/api/v1/tokens/{edited}/regenerate"),
            tag,
            Some(&json!({})),
        )
        .await;
    assert_eq!(regenerated.status, 200, "{:?}", regenerated.json);
    assert!(!sealed(&app, &edited));
}
