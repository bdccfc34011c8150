//! A token's health follows what changes around it: a module added to the catalog
//! is one more grant that Full access and Read-only tokens have not used.

use tessera::config::ServeArgs;

use crate::helpers::{eventually, spawn_app_with};
use crate::token_health::{cards, count_of, made_days_ago, verify_from};

#[actix_web::test]
async fn a_new_module_is_an_unused_grant_of_every_read_only_token() {
    let app = spawn_app_with(ServeArgs {
        usage_flush_seconds: 1,
        ..ServeArgs::default()
    })
    .await;
    let admin = app.with_examples().await;
    app.execute("UPDATE api_tokens SET disabled_at = '2020-01-01 00:00:00'");
    let reader = app
        .token(&admin)
        .named("reader")
        .scope("Production")
        .create()
        .await;
    let modules = app.texts("SELECT module_key AS t FROM modules");
    for module in &modules {
        let query = format!("?module={module}&action=read");
        assert_eq!(
            verify_from(&app, &reader.secret, &query, "203.0.113.4").await,
            200
        );
    }
    eventually("the uses are written", || {
        app.count("token_permission_uses") == modules.len() as i64
    })
    .await;
    made_days_ago(&app, &reader.guid, 40);
    let before = cards(&admin, "").await;
    assert_eq!(count_of(&before, "Unused permissions"), "0", "{before:?}");

    admin
        .post(
            "/settings/modules",
            &[
                ("key", "reports"),
                ("name", "Reports"),
                ("path_prefixes", ""),
            ],
        )
        .await
        .assert_redirect("/settings/modules");
    let after = cards(&admin, "").await;
    assert_eq!(count_of(&after, "Unused permissions"), "1", "{after:?}");
    let listed = admin
        .get("/settings/token-health?finding=unused_permissions")
        .await;
    assert!(
        listed.html().text("tbody").contains("reports: read"),
        "{}",
        listed.body
    );
}
