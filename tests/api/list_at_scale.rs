//! What keeps the list fast at a million tokens, seen from the page: the keyword
//! index, the stored status and the counts that stop at 10,000.

use crate::helpers::{Browser, Response, TestApp, spawn_app};
use crate::process::tessera;

/// Names in the order the list shows them.
async fn names(admin: &Browser, query: &str) -> Vec<String> {
    let page = admin.get(&format!("/settings/api-tokens?{query}")).await;
    page.html().texts("a.token-name")
}

/// Names in alphabetical order.
async fn listed(admin: &Browser, query: &str) -> Vec<String> {
    let mut found = names(admin, query).await;
    found.sort();
    found
}

fn set(app: &TestApp, guid: &str, assignments: &str) {
    app.execute(&format!(
        "UPDATE api_tokens SET {assignments} WHERE guid = '{guid}'"
    ));
}

#[actix_web::test]
async fn keywords_find_the_beginnings_of_words_and_follow_renames() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let production = app.scope_id("Production");
    admin
        .create_token("Billing sync nightly", &production, &[])
        .await;
    let reader = admin
        .create_token("Orders-API reader", &production, &[])
        .await;

    assert_eq!(listed(&admin, "q=bill").await, ["Billing sync nightly"]);
    assert_eq!(
        listed(&admin, "q=SYNC+night").await,
        ["Billing sync nightly"]
    );
    assert!(
        listed(&admin, "q=illing").await.is_empty(),
        "words, from their start"
    );
    assert_eq!(listed(&admin, "q=orders+api").await, ["Orders-API reader"]);
    assert_eq!(listed(&admin, "q=api-read").await, ["Orders-API reader"]);
    assert_eq!(
        listed(&admin, "q=-").await,
        ["Orders-API reader"],
        "punctuation alone is looked for anywhere"
    );

    // The index follows the name in the transaction that changes it.
    set(
        &app,
        &reader.guid,
        "name = 'Catalog feed', name_key = 'catalog feed'",
    );
    assert!(listed(&admin, "q=orders").await.is_empty());
    assert_eq!(listed(&admin, "q=feed").await, ["Catalog feed"]);
}

#[actix_web::test]
async fn a_token_is_listed_by_the_status_its_dates_give_now() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let production = app.scope_id("Production");
    let token = admin
        .create_token("Short lived", &production, &[("duration", "7d")])
        .await;
    admin
        .create_token("Long lived", &production, &[("duration", "unlimited")])
        .await;
    assert_eq!(
        listed(&admin, "status=active").await,
        ["Long lived", "Short lived"]
    );

    // Its end moved into the past: the stored status is due at once.
    set(&app, &token.guid, "valid_to = '2020-01-02 00:00:00'");
    assert_eq!(listed(&admin, "status=active").await, ["Long lived"]);
    assert_eq!(listed(&admin, "status=expired").await, ["Short lived"]);

    // Stored as active until a time now past, as if time alone had run out:
    // refreshed by the rule before the list is read.
    set(
        &app,
        &token.guid,
        "status = 0, status_until = '2020-01-02 00:00:00'",
    );
    assert_eq!(listed(&admin, "status=expired").await, ["Short lived"]);
    let by_status = names(&admin, "sort=status&dir=asc").await;
    assert_eq!(by_status, ["Long lived", "Short lived"], "active first");
    assert_eq!(
        app.count("api_tokens WHERE status = 2 AND status_until IS NULL"),
        1,
        "stored as expired, for good"
    );
}

#[actix_web::test]
async fn counts_stop_at_ten_thousand_and_the_page_says_so() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let seeded = tessera(&app.db)
        .args(["seed", "--tokens", "11000"])
        .output()
        .unwrap();
    assert!(seeded.status.success(), "{seeded:?}");

    let all = admin.get("/settings/api-tokens?status=deleted").await;
    let everything = admin.get("/settings/api-tokens?status=").await;
    let count = |page: &Response| page.html().text("p.result-count");
    let live = app.count("api_tokens WHERE deleted_at IS NULL");
    assert!(live > 10_000, "{live}");
    assert_eq!(count(&everything), "more than 10,000 tokens · times in UTC");
    let deleted = app.count("api_tokens WHERE deleted_at IS NOT NULL");
    assert_eq!(
        count(&all),
        format!("{deleted} tokens · times in UTC"),
        "exact below the limit"
    );
}
