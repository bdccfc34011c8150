//! A token's health follows what changes around it: a module added to the catalog
//! is one more grant that Full access and Read-only tokens have not used.

use crate::helpers::eventually;
use crate::token_health::{
    app_without_examples_in_use, cards, count_of, made_days_ago, verify_from,
};

#[actix_web::test]
async fn a_new_module_is_an_unused_grant_of_every_read_only_token() {
    let (app, admin) = app_without_examples_in_use().await;
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
