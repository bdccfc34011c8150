//! Token health with usage made by real verification requests: every finding, its
//! count on the page and in the API, the scopes it respects, and its remedy —
//! including dropping the permissions a token never used.

use serde_json::json;
use tessera::config::{ForwardedHeaderArg, ServeArgs};

use crate::helpers::{ApiClient, Browser, TestApp, eventually, spawn_app_with};
use crate::verification::call_with_bearer;

/// A token's dates moved back by `days`, as if it had been made then.
pub fn made_days_ago(app: &TestApp, guid: &str, days: i64) {
    let at = (time::OffsetDateTime::now_utc() - time::Duration::days(days)).date();
    app.execute(&format!(
        "UPDATE api_tokens SET created_at = '{at} 00:00:00', valid_from = '{at} 00:00:00' \
         WHERE guid = '{guid}'"
    ));
}

pub async fn verify_from(app: &TestApp, secret: &str, query: &str, from: &str) -> u16 {
    let path = format!("/api/v1/verify{query}");
    call_with_bearer(app, &path, secret, &[("x-forwarded-for", from)])
        .await
        .0
}

/// An app writing usage every second, its example tokens disabled so that the
/// findings are the test's own.
pub async fn app_without_examples_in_use() -> (TestApp, Browser) {
    let app = spawn_app_with(ServeArgs {
        usage_flush_seconds: 1,
        ..ServeArgs::default()
    })
    .await;
    let admin = app.with_examples().await;
    app.execute("UPDATE api_tokens SET disabled_at = '2020-01-01 00:00:00'");
    (app, admin)
}

/// Counts by finding, as the page's cards show them.
pub async fn cards(admin: &Browser, query: &str) -> Vec<(String, String)> {
    let page = admin.get(&format!("/settings/token-health{query}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let html = page.html();
    html.texts(".health-title")
        .into_iter()
        .zip(html.texts(".health-count"))
        .collect()
}

pub fn count_of(cards: &[(String, String)], title: &str) -> String {
    cards
        .iter()
        .find(|(t, _)| t == title)
        .map(|(_, c)| c.clone())
        .unwrap_or_else(|| panic!("no card {title}: {cards:?}"))
}

#[actix_web::test]
async fn every_finding_is_found_counted_scoped_and_fixed() {
    let app = spawn_app_with(ServeArgs {
        usage_flush_seconds: 1,
        trusted_proxies: vec!["127.0.0.1".into()],
        forwarded_header: ForwardedHeaderArg::XForwardedFor,
        ..ServeArgs::default()
    })
    .await;
    let admin = app.with_examples().await;
    // The example tokens are cleared, so that the counts are this test's.
    app.execute("UPDATE api_tokens SET disabled_at = '2020-01-01 00:00:00'");
    let (production, staging) = (app.scope_id("Production"), app.scope_id("Staging"));
    let writer = app
        .token(&admin)
        .named("orders writer")
        .scope("Production")
        .custom(&[("orders", "read"), ("orders", "write")])
        .create()
        .await;
    let forgotten = admin
        .create_token("forgotten", &production, &[("duration", "unlimited")])
        .await;
    let sleeper = admin.create_token("sleeper", &staging, &[]).await;
    app.token(&admin)
        .named("ending")
        .scope("Staging")
        .ending_in(3)
        .create()
        .await;
    let roaming = admin.create_token("roaming", &staging, &[]).await;

    // Real requests: the writer only reads; the sleeper and the roaming token are
    // used, the roaming one from an old address and then a new one.
    for _ in 0..3 {
        assert_eq!(
            verify_from(
                &app,
                &writer.secret,
                "?module=orders&action=read",
                "203.0.113.1"
            )
            .await,
            200
        );
    }
    assert_eq!(
        verify_from(&app, &sleeper.secret, "", "203.0.113.2").await,
        200
    );
    assert_eq!(
        verify_from(&app, &roaming.secret, "", "203.0.113.3").await,
        200
    );
    eventually("the uses are written", || {
        app.count("token_permission_uses") == 1
            && app.count("api_tokens WHERE last_used_at IS NOT NULL") == 3
            && app.count("token_clients") == 3
    })
    .await;
    // Time passes: the writer and the forgotten token are 40 days old, the sleeper
    // was last used 70 days ago, the roaming token's address is 10 days old.
    made_days_ago(&app, &writer.guid, 40);
    made_days_ago(&app, &forgotten.guid, 40);
    made_days_ago(&app, &roaming.guid, 40);
    app.execute(&format!(
        "UPDATE api_tokens SET last_used_at = '{} 00:00:00' WHERE guid = '{}'",
        (time::OffsetDateTime::now_utc() - time::Duration::days(70)).date(),
        sleeper.guid
    ));
    app.execute("UPDATE token_clients SET first_seen = '2000-01-01 00:00:00'");
    assert_eq!(
        verify_from(&app, &roaming.secret, "", "198.51.100.9").await,
        200
    );
    eventually("the new address is written", || {
        app.count("token_clients") == 4
    })
    .await;

    let all = cards(&admin, "").await;
    assert_eq!(count_of(&all, "Never used"), "1", "{all:?}");
    assert_eq!(count_of(&all, "Idle for 30 days"), "1");
    // Every token but the one ending, which has a date.
    assert_eq!(count_of(&all, "Never expire"), "1");
    assert_eq!(count_of(&all, "Expire within 7 days"), "1");
    assert_eq!(count_of(&all, "Unused permissions"), "1");
    assert_eq!(count_of(&all, "New or many addresses"), "1");
    let ninety = cards(&admin, "?finding=idle&days=90").await;
    assert_eq!(count_of(&ninety, "Idle for 90 days"), "0");

    // A finding's tokens and why: the unused write, the new address.
    let unused = admin
        .get("/settings/token-health?finding=unused_permissions")
        .await;
    assert!(
        unused
            .html()
            .text("tbody")
            .contains("Unused: orders: write")
    );
    let roamers = admin
        .get("/settings/token-health?finding=new_addresses")
        .await;
    assert!(roamers.html().text("tbody").contains("198.51.100.9"));
    // Scoped: Production holds the writer and the forgotten token only.
    let in_production = cards(&admin, &format!("?scope={production}")).await;
    assert_eq!(count_of(&in_production, "Idle for 30 days"), "0");
    assert_eq!(count_of(&in_production, "Never used"), "1");
    let manager = app
        .add_admin(&admin, "nora@example.com", "token_manager", &[&staging])
        .await;
    // The token list's line, worked out in the background after the first view.
    let mut line = String::new();
    for _ in 0..100 {
        line = manager
            .get("/settings/api-tokens")
            .await
            .html()
            .texts(".health-line")
            .concat();
        if !line.is_empty() {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(line.contains("1 idle for 30 days"), "{line}");
    assert!(!line.contains("never used"), "{line}");
    let theirs = cards(&manager, "").await;
    assert_eq!(
        count_of(&theirs, "Never used"),
        "0",
        "the forgotten token is Production's"
    );
    assert_eq!(count_of(&theirs, "Idle for 30 days"), "1");

    // The API says the same, with the GUIDs.
    let key = app
        .api_key(&admin, "health", &["tokens.read", "tokens.update"], &[])
        .await;
    let api = ApiClient::new(&app, &key);
    let answer = api.get("/api/v1/token-health").await;
    assert_eq!(answer.status, 200, "{}", answer.json);
    let idle = answer.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["finding"] == "idle")
        .unwrap()
        .clone();
    assert_eq!(idle["tokens"], 1);
    assert_eq!(idle["guids"], json!([sleeper.guid.to_string()]));
    assert_eq!(
        api.get("/api/v1/token-health?idle_days=45").await.status,
        422
    );
    assert_eq!(
        api.get("/api/v1/token-health?scope=Nowhere").await.status,
        422
    );
    let everywhere = api.get("/api/v1/token-health?scope=").await;
    assert_eq!(
        everywhere.json["findings"], answer.json["findings"],
        "an empty scope is every scope"
    );

    // Remedies: the idle tokens of Staging disabled from the page (three clicks:
    // the scope, the fix, the confirmation).
    let asked = admin
        .post(
            "/settings/api-tokens/bulk",
            &[
                ("select", "finding"),
                ("finding", "idle"),
                ("finding_days", "30"),
                ("finding_scope", &staging),
                ("bulk_action", "disable"),
            ],
        )
        .await;
    assert_eq!(asked.html().text("h1"), "Disable: 1 token?");
    let done = crate::bulk_pages::confirm(&admin, &asked.body).await;
    assert_eq!(done.status, 303);
    assert_eq!(
        app.count(&format!(
            "api_tokens WHERE guid = '{}' AND disabled_at IS NOT NULL",
            sleeper.guid
        )),
        1
    );
    // The writer's unused write permission dropped: the preview says what stays.
    let asked = admin
        .post(
            "/settings/api-tokens/bulk",
            &[
                ("select", "rows"),
                ("tokens", &writer.guid),
                ("bulk_action", "drop_unused_permissions"),
            ],
        )
        .await;
    let page = asked.html();
    assert_eq!(
        page.text(".bulk-matrix caption"),
        "Permissions of orders writer: Custom",
        "{}",
        asked.body
    );
    assert_eq!(
        page.texts(".bulk-matrix tbody td"),
        ["✓ kept", "✕ dropped"],
        "orders: read kept, write dropped"
    );
    assert_eq!(
        crate::bulk_pages::confirm(&admin, &asked.body).await.status,
        303
    );
    assert_eq!(
        app.texts(&format!(
            "SELECT p.action AS t FROM api_token_permissions p JOIN api_tokens t ON t.id = p.token_id \
             WHERE t.guid = '{}'",
            writer.guid
        )),
        ["read"]
    );
    assert_eq!(
        verify_from(
            &app,
            &writer.secret,
            "?module=orders&action=write",
            "203.0.113.1"
        )
        .await,
        403
    );
    assert_eq!(
        verify_from(
            &app,
            &writer.secret,
            "?module=orders&action=read",
            "203.0.113.1"
        )
        .await,
        200
    );
    let after = cards(&admin, "").await;
    assert_eq!(count_of(&after, "Unused permissions"), "0");
    assert_eq!(count_of(&after, "Idle for 30 days"), "0");
}

/// A Full access token made 40 days ago that read orders once, its use written.
pub async fn full_access_that_read_orders(
    app: &TestApp,
    admin: &Browser,
) -> crate::helpers::CreatedToken {
    let wide = app
        .token(admin)
        .named("wide")
        .scope("Production")
        .full_access()
        .create()
        .await;
    let read = "?module=orders&action=read";
    assert_eq!(
        verify_from(app, &wide.secret, read, "203.0.113.7").await,
        200
    );
    eventually("the use is written", || {
        app.count("token_permission_uses") == 1
    })
    .await;
    made_days_ago(app, &wide.guid, 40);
    wide
}

#[actix_web::test]
async fn full_access_that_used_one_read_keeps_only_it_as_custom() {
    let (app, admin) = app_without_examples_in_use().await;
    let wide = full_access_that_read_orders(&app, &admin).await;
    let all = cards(&admin, "").await;
    assert_eq!(count_of(&all, "Unused permissions"), "1", "{all:?}");

    // The API's dry run says what it keeps; the page shows the matrix.
    let key = app
        .api_key(&admin, "health", &["tokens.read", "tokens.update"], &[])
        .await;
    let api = ApiClient::new(&app, &key);
    let body = json!({
        "action": "drop_unused_permissions",
        "tokens": [wide.guid.to_string()],
        "dry_run": true,
    });
    let dry = api.post("/api/v1/tokens/bulk", &body).await;
    assert_eq!(dry.status, 200, "{}", dry.json);
    assert_eq!(
        dry.json["results"][0]["permissions"],
        json!([{ "module": "orders", "action": "read" }])
    );
    let asked = admin
        .post(
            "/settings/api-tokens/bulk",
            &[
                ("select", "rows"),
                ("tokens", &wide.guid),
                ("bulk_action", "drop_unused_permissions"),
            ],
        )
        .await;
    let page = asked.html();
    assert_eq!(
        page.text(".bulk-matrix caption"),
        "Permissions of wide: Full access → Custom"
    );
    let cells = page.texts(".bulk-matrix tbody td");
    let modules = page.texts(".bulk-matrix tbody th").len();
    assert_eq!(cells.len(), modules * 2, "read and write of every module");
    assert_eq!(cells.iter().filter(|c| *c == "✓ kept").count(), 1);
    assert_eq!(
        cells.iter().filter(|c| *c == "✕ dropped").count(),
        modules * 2 - 1
    );
    assert_eq!(
        crate::bulk_pages::confirm(&admin, &asked.body).await.status,
        303
    );
    assert_eq!(
        verify_from(
            &app,
            &wide.secret,
            "?module=orders&action=write",
            "203.0.113.7"
        )
        .await,
        403
    );
    assert_eq!(
        verify_from(
            &app,
            &wide.secret,
            "?module=orders&action=read",
            "203.0.113.7"
        )
        .await,
        200
    );
    // Its grants changed, and with them its finding.
    let after = cards(&admin, "").await;
    assert_eq!(count_of(&after, "Unused permissions"), "0", "{after:?}");
}
