//! What keeps the list fast at a million tokens, seen from the page: the keyword
//! index, the stored status and the counts that stop at 1,000.

use crate::helpers::{Browser, Response, TestApp, spawn_app};
use crate::process::tessera;

/// Names in the order the list shows them.
async fn names(admin: &Browser, query: &str) -> Vec<String> {
    let page = admin.get(&format!("/settings/api-tokens?{query}")).await;
    assert_eq!(page.status, 200, "{query}");
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
async fn counts_are_exact_and_common_words_are_found_in_the_sort_order() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let seeded = tessera(&app.db)
        .args(["seed", "--tokens", "11000"])
        .output()
        .unwrap();
    assert!(seeded.status.success(), "{seeded:?}");
    // "1–25 of 286 tokens · …": the count is what follows the page's range.
    let count = |page: &Response| {
        let text = page.html().text("p.result-count");
        text.split_once(" of ")
            .map_or(text.clone(), |(_, whole)| whole.to_owned())
    };
    // The page groups thousands: a count of exactly 1,000 is still exact.
    let counted = |n: i64| {
        let (thousands, units) = (n / 1_000, n % 1_000);
        match thousands {
            0 => format!("{units} tokens · times in UTC"),
            _ => format!("{thousands},{units:03} tokens · times in UTC"),
        }
    };

    let live = app.count("api_tokens WHERE deleted_at IS NULL");
    assert!(live > 1_000, "{live}");
    let everything = admin.get("/settings/api-tokens").await;
    assert_eq!(
        count(&everything),
        counted(live),
        "exact, from the kept counts"
    );
    let deleted = admin.get("/settings/api-tokens?status=deleted").await;
    let deleted_rows = app.count("api_tokens WHERE deleted_at IS NOT NULL");
    assert_eq!(
        count(&deleted),
        counted(deleted_rows),
        "exact below the limit"
    );
    let inactive = admin.get("/settings/api-tokens?status=inactive").await;
    // The page refreshed the stored statuses before it counted.
    let inactive_rows = app.count("api_tokens WHERE status NOT IN (0, 5)");
    assert!(inactive_rows > 1_000, "{inactive_rows}");
    assert_eq!(count(&inactive), counted(inactive_rows));
    let production = app.scope_id("Production");
    let in_production = admin
        .get(&format!(
            "/settings/api-tokens?scope={production}&status=active"
        ))
        .await;
    let production_rows = app.count(&format!(
        "api_tokens WHERE status = 0 AND id IN \
         (SELECT token_id FROM api_token_scopes WHERE scope_id = {production})"
    ));
    assert_eq!(count(&in_production), counted(production_rows));

    // Seeded names are "word word 000123": each word is in about a tenth of them,
    // more than are read whole, so a page walks the sort order and checks each
    // row; two of them together are rarer, and counted exactly.
    let holds = "(' ' || name_key) LIKE '% billing%' AND (' ' || name_key) LIKE '% sync%' \
                 AND deleted_at IS NULL";
    let expected = app.texts(&format!(
        "SELECT name AS t FROM api_tokens WHERE {holds} ORDER BY name_key, id LIMIT 25"
    ));
    assert!(!expected.is_empty());
    let both = admin
        .get("/settings/api-tokens?q=sync+Billing&sort=name")
        .await;
    assert_eq!(both.html().texts("a.token-name"), expected);
    let matching = app.count(&format!("api_tokens WHERE {holds}"));
    assert_eq!(count(&both), counted(matching));
    let one = admin.get("/settings/api-tokens?q=billing").await;
    let billing =
        app.count("api_tokens WHERE (' ' || name_key) LIKE '% billing%' AND deleted_at IS NULL");
    assert!(billing > 500, "{billing}");
    if billing > 1_000 {
        assert_eq!(count(&one), "more than 1,000 tokens · times in UTC");
    } else {
        assert_eq!(count(&one), counted(billing));
    }
    for name in one.html().texts("a.token-name") {
        assert!(name.split(' ').any(|w| w.starts_with("billing")), "{name}");
    }

    // A rare word (one number) is read whole from the index.
    let number = &expected[0][expected[0].len() - 6..];
    assert_eq!(
        names(&admin, &format!("q={number}")).await,
        [expected[0].clone()]
    );
    assert_eq!(names(&admin, &format!("q={}", &number[..5])).await.len(), {
        let prefix = &number[..5];
        app.count(&format!(
            "api_tokens WHERE name_key LIKE '% {prefix}%' AND deleted_at IS NULL"
        )) as usize
    });
}
