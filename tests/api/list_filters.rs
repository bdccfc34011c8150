//! The list's filter bar: one box for names and GUIDs, and the module, creator and
//! "unused for" filters, counted the same as they list, each removable alone.

use crate::helpers::{ApiClient, ApiResponse, Browser, spawn_app};
use crate::token_health::made_days_ago;

/// The names a list shows, and its count line.
async fn listed(admin: &Browser, query: &str) -> (Vec<String>, String) {
    let page = admin.get(&format!("/settings/api-tokens?{query}")).await;
    assert_eq!(page.status, 200, "{query}");
    let html = page.html();
    let mut names = html.texts(".token-name");
    names.sort();
    let count = html.texts("p.result-count").pop().unwrap_or_default();
    (names, count)
}

#[actix_web::test]
async fn module_creator_and_unused_filters_list_and_count_the_same_tokens() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let orders = app
        .token(&admin)
        .named("Orders reader")
        .scope("Production")
        .custom(&[("orders", "read")])
        .create()
        .await;
    app.token(&admin)
        .named("Catalog writer")
        .scope("Production")
        .custom(&[("catalog", "write")])
        .create()
        .await;
    let idle = app
        .token(&admin)
        .named("Idle full access")
        .scope("Production")
        .full_access()
        .create()
        .await;
    let used = app
        .token(&admin)
        .named("Old but used")
        .scope("Production")
        .create()
        .await;
    made_days_ago(&app, idle.guid.as_str(), 40);
    made_days_ago(&app, used.guid.as_str(), 40);
    let yesterday = (time::OffsetDateTime::now_utc() - time::Duration::days(1)).date();
    app.execute(&format!(
        "UPDATE api_tokens SET last_used_at = '{yesterday} 12:00:00' WHERE guid = '{}'",
        used.guid
    ));
    let bob = app
        .add_admin(
            &admin,
            "bob@example.com",
            "token_manager",
            &[&app.scope_id("Production")],
        )
        .await;
    app.token(&bob)
        .named("Bob's token")
        .scope("Production")
        .create()
        .await;
    let bob_id = app
        .texts("SELECT CAST(id AS TEXT) AS t FROM administrators WHERE email = 'bob@example.com'");

    // Every type but Custom calls every module; Custom tokens only those granted.
    let module = app.module_id("orders");
    let (names, count) = listed(&admin, &format!("module={module}")).await;
    assert_eq!(
        names,
        [
            "Bob's token",
            "Idle full access",
            "Old but used",
            "Orders reader"
        ]
    );
    assert!(count.starts_with("4 tokens"), "{count}");

    let (names, count) = listed(&admin, "unused=30").await;
    assert_eq!(
        names,
        ["Idle full access"],
        "used yesterday, or made today, is not unused"
    );
    assert!(count.starts_with("1 token"), "{count}");
    let (names, _) = listed(&admin, "unused=60").await;
    assert!(names.is_empty());

    let (names, count) = listed(&admin, &format!("creator={}", bob_id[0])).await;
    assert_eq!(names, ["Bob's token"]);
    assert!(count.starts_with("1 token"), "{count}");

    // A GUID's first block in the one search box finds that token.
    let block = &orders.guid.as_str()[..8];
    let page = admin
        .get(&format!(
            "/settings/api-tokens?q={}&module={module}",
            block.to_uppercase()
        ))
        .await;
    let html = page.html();
    assert_eq!(html.texts(".token-name"), ["Orders reader"]);
    let typed = block.to_uppercase();
    assert_eq!(
        html.attr("#filter-q", "value"),
        Some(typed.clone()),
        "shown as typed"
    );
    // Each filter in force is a chip that removes itself and keeps the others.
    let chips = html.texts(".active-filters .filter-chip");
    assert_eq!(chips.len(), 2, "{chips:?}");
    assert!(
        chips[0].starts_with(&format!("Search: {typed}")),
        "{chips:?}"
    );
    assert!(chips[1].starts_with("Module: Orders"), "{chips:?}");
    let hrefs = html.attrs(".active-filters .filter-chip", "href");
    assert!(!hrefs[0].contains("q=") && hrefs[0].contains(&format!("module={module}")));
    assert!(hrefs[1].contains(&format!("q={block}")) && !hrefs[1].contains("module="));
    assert_eq!(
        html.attr("#filter-module option[selected]", "value"),
        Some(module.clone())
    );

    // Junk in any filter is no filter, never an error.
    let (names, _) = listed(&admin, "module=x&creator=%27&unused=45&q=%25").await;
    assert!(names.is_empty(), "no name holds a percent sign");
    let (names, _) = listed(&admin, "module=x&creator=%27&unused=45").await;
    assert_eq!(names.len(), 5);

    // The management API takes the same filters, the creator by public ID, and
    // refuses what is not one.
    let key = app.api_key(&admin, "Lister", &["tokens.read"], &[]).await;
    let api = ApiClient::new(&app, &key);
    let listed_by_api = |answer: &ApiResponse| {
        let mut names: Vec<String> = answer.json["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        names
    };
    let bob_public =
        app.texts("SELECT public_id AS t FROM administrators WHERE email = 'bob@example.com'");
    let by_bob = api
        .get(&format!("/api/v1/tokens?creator={}", bob_public[0]))
        .await;
    assert_eq!(listed_by_api(&by_bob), ["Bob's token"]);
    let unused = api.get("/api/v1/tokens?unused=30").await;
    assert_eq!(listed_by_api(&unused), ["Idle full access"]);
    let calling = api.get(&format!("/api/v1/tokens?module={module}")).await;
    assert_eq!(listed_by_api(&calling).len(), 4);
    for bad in ["unused=45", "module=0", "creator=NOSUCHID"] {
        let answer = api.get(&format!("/api/v1/tokens?{bad}")).await;
        assert_eq!(answer.status, 400, "{bad}");
    }
    // The next page keeps the creator, by public ID.
    for n in 0..25 {
        let name = format!("Bob's batch {n:02}");
        app.token(&bob)
            .named(&name)
            .scope("Production")
            .create()
            .await;
    }
    let paged = api
        .get(&format!("/api/v1/tokens?creator={}", bob_public[0]))
        .await;
    assert_eq!(listed_by_api(&paged).len(), 25);
    let next = paged.json["next"].as_str().unwrap();
    assert!(
        next.contains(&format!("creator={}", bob_public[0])),
        "{next}"
    );
    let path = &next[next.find("/api/").unwrap()..];
    assert_eq!(listed_by_api(&api.get(path).await).len(), 1);
}

#[actix_web::test]
async fn ones_own_tokens_offer_no_creator_filter() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let page = admin.get("/profile/api-tokens").await;
    let html = page.html();
    assert_eq!(html.count("#filter-creator"), 0);
    assert_eq!(html.count("#filter-module"), 1);
    assert_eq!(
        html.count(".active-filters"),
        0,
        "the list of one's own is not a filter"
    );
}
