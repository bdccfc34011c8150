use crate::helpers::{Browser, TestApp, spawn_app, unescape};

/// Names in the order the list shows them.
fn names(body: &str) -> Vec<String> {
    body.match_indices("class=\"token-name\" href=\"")
        .map(|(at, _)| {
            let rest = &body[at..];
            let start = rest.find('>').unwrap() + 1;
            rest[start..start + rest[start..].find('<').unwrap()].to_owned()
        })
        .collect()
}

async fn revoke(browser: &Browser, guid: &str) {
    let version = browser.version_of(guid).await;
    let r = browser
        .post(
            &format!("/settings/api-tokens/{guid}/revoke"),
            &[("version", &version)],
        )
        .await;
    assert_eq!(r.status, 303);
}

async fn seeded(app: &TestApp) -> Browser {
    let admin = app.with_examples().await;
    let production = app.scope_id("Production");
    let staging = app.scope_id("Staging");
    admin
        .create_token(
            "Billing sync nightly",
            &production,
            &[("description", "Sends invoices to the ledger")],
        )
        .await;
    admin
        .create_token("Billing export", &staging, &[("duration", "7d")])
        .await;
    let revoked = admin
        .create_token("Catalog import", &production, &[("duration", "unlimited")])
        .await;
    revoke(&admin, &revoked.guid).await;
    let disabled = admin
        .create_token("Orders reader", &staging, &[("duration", "90d")])
        .await;
    let version = admin.version_of(&disabled.guid).await;
    admin
        .post(
            &format!("/settings/api-tokens/{}/disable", disabled.guid),
            &[("version", &version)],
        )
        .await;
    let deleted = admin.create_token("Old thing", &staging, &[]).await;
    let version = admin.version_of(&deleted.guid).await;
    admin
        .post(
            &format!("/settings/api-tokens/{}/delete", deleted.guid),
            &[("version", &version)],
        )
        .await;
    admin
}

#[actix_web::test]
async fn the_list_shows_every_column_of_the_seed_documents() {
    let app = spawn_app().await;
    let admin = seeded(&app).await;
    let page = admin.get("/settings/api-tokens").await;
    for header in [
        "API token",
        "Description",
        "Modules",
        "Scopes",
        "Created by",
        "Created",
        "Last used",
        "Active from",
        "Expires",
        "Status",
    ] {
        assert!(page.body.contains(&format!(">{header}<")), "{header}");
    }
    assert!(
        page.body.contains("Sends invoices to the ledger"),
        "the description"
    );
    assert!(
        page.body.contains("title=\"Ada Admin · "),
        "created by: the name, with the ID in its title"
    );
    assert!(page.body.contains(">Never</td>"), "last used: Never");
    assert!(page.body.contains("All 4 modules"));
    for badge in ["badge-active", "badge-revoked", "badge-disabled"] {
        assert!(page.body.contains(badge), "{badge}");
    }
    assert!(
        !names(&page.body).contains(&"Old thing".to_owned()),
        "deleted tokens are hidden by default"
    );
    assert!(page.body.contains("data-copy=\""), "GUID copy buttons");
    assert!(page.body.contains("4 tokens · times in UTC"));
}

#[actix_web::test]
async fn filters_combine_and_live_in_the_query_string() {
    let app = spawn_app().await;
    let admin = seeded(&app).await;
    let staging = app.scope_id("Staging");

    let billing = admin.get("/settings/api-tokens?q=BILLING+sync").await;
    assert_eq!(
        names(&billing.body),
        vec!["Billing sync nightly"],
        "every keyword must match"
    );
    assert!(
        billing.body.contains("value=\"BILLING sync\""),
        "the filter is shown as typed"
    );

    let scoped = admin
        .get(&format!("/settings/api-tokens?scope={staging}"))
        .await;
    let mut found = names(&scoped.body);
    found.sort();
    assert_eq!(found, vec!["Billing export", "Orders reader"]);

    let active = admin.get("/settings/api-tokens?status=active").await;
    let mut found = names(&active.body);
    found.sort();
    assert_eq!(found, vec!["Billing export", "Billing sync nightly"]);

    let inactive = admin.get("/settings/api-tokens?status=inactive").await;
    let mut found = names(&inactive.body);
    found.sort();
    assert_eq!(
        found,
        vec!["Catalog import", "Orders reader"],
        "deleted tokens only when asked for"
    );

    for (status, expected) in [
        ("revoked", "Catalog import"),
        ("disabled", "Orders reader"),
        ("deleted", "Old thing"),
    ] {
        let page = admin
            .get(&format!("/settings/api-tokens?status={status}"))
            .await;
        assert_eq!(names(&page.body), vec![expected], "{status}");
    }

    let guid = {
        let page = admin.get("/settings/api-tokens?q=export").await;
        // The whole GUID is in what the copy button copies.
        let start = page.body.find("data-copy=\"").unwrap() + "data-copy=\"".len();
        page.body[start..start + 36].to_owned()
    };
    let by_guid = admin
        .get(&format!(
            "/settings/api-tokens?guid={}",
            &guid[..13].to_uppercase()
        ))
        .await;
    assert_eq!(names(&by_guid.body), vec!["Billing export"]);

    let none = admin.get("/settings/api-tokens?q=nothing+like+this").await;
    assert!(none.body.contains("No tokens match these filters"));
    assert!(none.body.contains("Clear filters"));

    // Nonsense in the query string is a normal list, not an error.
    let odd = admin
        .get("/settings/api-tokens?status=exploded&sort=price&dir=up&scope=x&after=%%%")
        .await;
    assert_eq!(odd.status, 200);
    assert_eq!(names(&odd.body).len(), 4);
}

#[actix_web::test]
async fn every_sortable_column_sorts_both_ways() {
    let app = spawn_app().await;
    let admin = seeded(&app).await;
    // Use one token so "last used" has something to sort.
    app.execute(
        "UPDATE api_tokens SET last_used_at = '2026-01-02 03:04:05' WHERE name = 'Billing export'",
    );

    let by_name = names(
        &admin
            .get("/settings/api-tokens?sort=name&dir=asc")
            .await
            .body,
    );
    assert_eq!(
        by_name,
        vec![
            "Billing export",
            "Billing sync nightly",
            "Catalog import",
            "Orders reader"
        ]
    );
    let by_name_desc = names(
        &admin
            .get("/settings/api-tokens?sort=name&dir=desc")
            .await
            .body,
    );
    assert_eq!(
        by_name_desc,
        by_name.iter().rev().cloned().collect::<Vec<_>>()
    );

    let by_expiry = names(
        &admin
            .get("/settings/api-tokens?sort=expires&dir=asc")
            .await
            .body,
    );
    assert_eq!(by_expiry[0], "Catalog import", "revoked: valid to now");
    assert_eq!(by_expiry[1], "Billing export", "7 days");
    let by_expiry_desc = names(
        &admin
            .get("/settings/api-tokens?sort=expires&dir=desc")
            .await
            .body,
    );
    assert_eq!(
        by_expiry_desc,
        by_expiry.iter().rev().cloned().collect::<Vec<_>>()
    );

    let by_status = names(
        &admin
            .get("/settings/api-tokens?sort=status&dir=asc")
            .await
            .body,
    );
    assert_eq!(
        &by_status[2..],
        ["Orders reader", "Catalog import"],
        "active, then disabled, then revoked"
    );
    let by_status_desc = names(
        &admin
            .get("/settings/api-tokens?sort=status&dir=desc")
            .await
            .body,
    );
    assert_eq!(by_status_desc[0], "Catalog import");

    let by_created = names(
        &admin
            .get("/settings/api-tokens?sort=created&dir=asc")
            .await
            .body,
    );
    assert_eq!(
        by_created,
        vec![
            "Billing sync nightly",
            "Billing export",
            "Catalog import",
            "Orders reader"
        ]
    );
    let newest_first = names(&admin.get("/settings/api-tokens").await.body);
    assert_eq!(
        newest_first,
        by_created.iter().rev().cloned().collect::<Vec<_>>(),
        "the default"
    );

    let by_use = names(
        &admin
            .get("/settings/api-tokens?sort=last_used&dir=desc")
            .await
            .body,
    );
    assert_eq!(
        by_use[0], "Billing export",
        "used tokens first, never-used last"
    );
    let by_use_asc = names(
        &admin
            .get("/settings/api-tokens?sort=last_used&dir=asc")
            .await
            .body,
    );
    assert_eq!(by_use_asc[3], "Billing export");

    let page = admin.get("/settings/api-tokens?sort=name&dir=asc").await;
    assert_eq!(page.html().text("th[aria-sort=\"ascending\"]"), "API token");
    assert!(
        unescape(&page.body).contains("sort=name&dir=desc"),
        "clicking the sorted column flips it"
    );
}

#[actix_web::test]
async fn pages_follow_each_other_and_keep_the_filters() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let scope = app.scope_id("Production");
    for i in 0..30 {
        admin
            .create_token(&format!("Token {i:02}"), &scope, &[])
            .await;
    }
    let first = admin
        .get("/settings/api-tokens?sort=name&dir=asc&q=token")
        .await;
    let page_one = names(&first.body);
    assert_eq!(page_one.len(), 25);
    assert_eq!(page_one[0], "Token 00");
    assert_eq!(
        first.html().text("p.result-count"),
        "1–25 of 30 tokens · times in UTC"
    );
    assert!(!first.body.contains("rel=\"prev\""));
    let next = first.body.split("rel=\"next\"").next().unwrap();
    let href = next[next.rfind("href=\"").unwrap() + 6..]
        .split('"')
        .next()
        .unwrap();
    let href = unescape(href);
    assert!(
        href.contains("q=token") && href.contains("sort=name") && href.contains("after="),
        "{href}"
    );

    let second = admin.get(&href).await;
    assert_eq!(
        names(&second.body),
        (25..30)
            .map(|i| format!("Token {i:02}"))
            .collect::<Vec<_>>()
    );
    assert!(!second.body.contains("rel=\"next\""));
    assert_eq!(
        second.html().text("p.result-count"),
        "26–30 of 30 tokens · times in UTC",
        "the next page knows where it stands"
    );
    let prev = second.body.split("rel=\"prev\"").next().unwrap();
    let href = prev[prev.rfind("href=\"").unwrap() + 6..]
        .split('"')
        .next()
        .unwrap();
    let href = unescape(href);
    let back = admin.get(&href).await;
    assert_eq!(names(&back.body), page_one, "back to the first page");
    assert_eq!(
        back.html().text("p.result-count"),
        "1–25 of 30 tokens · times in UTC"
    );

    // A bigger page holds them all; an odd size is the default one.
    let all = admin
        .get("/settings/api-tokens?sort=name&q=token&per_page=50")
        .await;
    assert_eq!(names(&all.body).len(), 30);
    assert_eq!(
        all.html().text("p.result-count"),
        "30 tokens · times in UTC"
    );
    let odd = admin
        .get("/settings/api-tokens?sort=name&q=token&per_page=7")
        .await;
    assert_eq!(names(&odd.body).len(), 25);
    let links = admin
        .get("/settings/api-tokens?sort=name&q=token&per_page=25")
        .await;
    assert!(
        !unescape(&links.body).contains("per_page=25"),
        "the default stays out of links"
    );
}

#[actix_web::test]
async fn administrators_see_only_the_tokens_of_their_scopes() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let production = app.scope_id("Production");
    let staging = app.scope_id("Staging");
    let secret_prod = admin.create_token("Prod only", &production, &[]).await;
    admin.create_token("Staging only", &staging, &[]).await;
    let manager = app
        .add_admin(&admin, "tom@example.com", "token_manager", &[&staging])
        .await;

    let list = manager.get("/settings/api-tokens").await;
    assert_eq!(names(&list.body), vec!["Staging only"]);
    assert!(
        !list.body.contains("Production"),
        "not even as a filter choice"
    );
    let hidden = manager
        .get(&format!("/settings/api-tokens?scope={production}"))
        .await;
    assert!(names(&hidden.body).is_empty());

    for path in [
        "",
        "/modules",
        "/details",
        "/edit",
        "/revoke",
        "/delete",
        "/regenerate",
    ] {
        let page = manager
            .get(&format!("/settings/api-tokens/{}{path}", secret_prod.guid))
            .await;
        assert_eq!(page.status, 404, "{path}");
        assert!(!page.body.contains("Prod only"), "{path}");
    }
    let unknown = manager
        .get("/settings/api-tokens/00000000-0000-4000-8000-000000000000")
        .await;
    assert_eq!(unknown.status, 404);
    let forged = manager
        .post(
            &format!("/settings/api-tokens/{}/disable", secret_prod.guid),
            &[("version", "1")],
        )
        .await;
    assert_eq!(forged.status, 404);
    assert_eq!(app.count("api_tokens WHERE disabled_at IS NOT NULL"), 0);

    // Tokens are created only in scopes the manager has.
    let refused = manager
        .submit_token_form(&[("name", "Sneaky"), ("scopes", &production)])
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("Choose only scopes that exist and that you may use.")
    );
}

#[actix_web::test]
async fn empty_states_say_what_to_do_next() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let page = admin.get("/settings/api-tokens").await;
    assert!(page.body.contains("No API tokens yet"));
    assert!(page.body.contains("href=\"/settings/api-tokens/new\""));
    let staging = app.scope_id("Staging");
    let viewer = app
        .add_admin(&admin, "vic@example.com", "viewer", &[&staging])
        .await;
    let page = viewer.get("/settings/api-tokens").await;
    assert!(
        page.body
            .contains("An administrator who may create tokens can add them.")
    );
}

/// Expired and Scheduled come from dates, not flags: the SQL status filter and sort
/// must derive them as the badge does.
#[actix_web::test]
async fn expired_and_scheduled_tokens_are_filtered_and_sorted_by_their_dates() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let scope = app.scope_id("Production");
    for name in ["Now active", "Long expired", "Starts tomorrow"] {
        admin.create_token(name, &scope, &[]).await;
    }
    let at = |days: i64| crate::sessions::sql_time(time::Duration::days(days));
    app.execute(&format!(
        "UPDATE api_tokens SET valid_from = '{}', valid_to = '{}' WHERE name = 'Long expired'",
        at(-3),
        at(-1)
    ));
    app.execute(&format!(
        "UPDATE api_tokens SET valid_from = '{}' WHERE name = 'Starts tomorrow'",
        at(1)
    ));
    let listed = |query: &'static str| {
        let admin = &admin;
        async move {
            names(
                &admin
                    .get(&format!("/settings/api-tokens?{query}"))
                    .await
                    .body,
            )
        }
    };
    assert_eq!(listed("status=active").await, vec!["Now active"]);
    assert_eq!(listed("status=expired").await, vec!["Long expired"]);
    assert_eq!(listed("status=scheduled").await, vec!["Starts tomorrow"]);
    let mut inactive = listed("status=inactive").await;
    inactive.sort();
    assert_eq!(inactive, vec!["Long expired", "Starts tomorrow"]);
    assert_eq!(
        listed("sort=status&dir=asc").await,
        vec!["Now active", "Starts tomorrow", "Long expired"],
        "Active, then Scheduled, then Expired"
    );
    let page = admin.get("/settings/api-tokens?status=expired").await;
    assert!(page.body.contains("Expired"), "the badge agrees");
}

#[actix_web::test]
async fn an_unknown_token_guid_says_so_and_links_back() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let page = admin
        .get("/settings/api-tokens/00000000-0000-4000-8000-000000000000")
        .await;
    assert_eq!(page.status, 404);
    assert!(
        page.body
            .contains("No token with this GUID in your scopes.")
    );
    assert!(page.body.contains("href=\"/settings/api-tokens\""));
}
