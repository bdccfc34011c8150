use sha2::Digest;

use crate::helpers::{input_value, spawn_app};

#[actix_web::test]
async fn creating_a_token_shows_it_once_with_examples_and_stores_only_its_digest() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let production = app.scope_id("Production");
    let created = admin
        .create_token(
            "Billing sync",
            &production,
            &[("description", "Nightly export")],
        )
        .await;
    let page = &created.page;

    assert!(
        created.secret.starts_with("tsr_") && created.secret.len() == 50,
        "{}",
        created.secret
    );
    assert!(tessera::domain::tokens::check_format(&created.secret).is_ok());
    assert_eq!(page.header("cache-control"), Some("no-store, max-age=0"));
    assert!(page.body.contains("Token created"));
    let endpoint = format!("{}/api/v1/verify", app.address);
    assert_eq!(
        input_value(&page.body, "endpoint").as_deref(),
        Some(endpoint.as_str())
    );
    for language in ["curl", "Python", "JavaScript"] {
        assert!(
            page.body.contains(&format!(">{language}</h3>")),
            "{language}"
        );
    }
    assert!(
        page.body.matches(&created.secret).count() >= 4,
        "the examples carry the token"
    );
    assert!(
        page.body.contains("data-copy-from=\"secret\""),
        "a copy button"
    );

    let digest = format!("{:x}", sha2::Sha256::digest(created.secret.as_bytes()));
    assert_eq!(app.digest_of(&created.guid), digest);

    // The token's pages never show it again.
    for tab in ["", "/modules", "/details", "/edit"] {
        let body = admin
            .get(&format!("/settings/api-tokens/{}{tab}", created.guid))
            .await
            .body;
        assert!(!body.contains(&created.secret), "{tab}");
        assert!(!body.contains(&created.secret[4..44]), "{tab}");
    }
    let list = admin.get("/settings/api-tokens").await;
    assert!(list.body.contains("Billing sync") && list.body.contains(created.guid.as_str()));
    assert!(!list.body.contains(&created.secret));
}

#[actix_web::test]
async fn posting_the_form_again_shows_no_secret_and_creates_nothing() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let form = admin.get("/settings/api-tokens/new").await;
    let guid = input_value(&form.body, "guid").unwrap();
    let production = app.scope_id("Production");
    let fields = [
        ("guid", guid.as_str()),
        ("name", "Once"),
        ("scopes", production.as_str()),
        ("duration", "7d"),
        ("token_type", "read_only"),
    ];
    let first = admin.post("/settings/api-tokens/new", &fields).await;
    assert_eq!(first.status, 200);
    let secret = input_value(&first.body, "secret").unwrap();
    // What a reload of the one-time page does: the same form again.
    let again = admin.post("/settings/api-tokens/new", &fields).await;
    assert_eq!(again.status, 409);
    assert!(input_value(&again.body, "secret").is_none());
    assert!(!again.body.contains(&secret));
    assert!(again.body.contains("a new GUID was generated"));
    assert_eq!(app.count("api_tokens"), 1);
}

#[actix_web::test]
async fn every_duration_sets_the_expected_window() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let scope = app.scope_id("Staging");
    let today = tessera::db::now().date();
    let in_ten_days = tessera::domain::tokens::format_date(today + time::Duration::days(10));
    let in_twenty_days = tessera::domain::tokens::format_date(today + time::Duration::days(20));
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, Option<i64>);
    let cases: Vec<Case> = vec![
        ("seven", vec![("duration", "7d")], Some(7)),
        ("thirty", vec![("duration", "30d")], Some(30)),
        ("ninety", vec![("duration", "90d")], Some(90)),
        ("forever", vec![("duration", "unlimited")], None),
        (
            "custom",
            vec![
                ("duration", "custom"),
                ("valid_from", &in_ten_days),
                ("valid_to", &in_twenty_days),
            ],
            Some(20),
        ),
    ];
    for (name, fields, days) in cases {
        let created = admin.create_token(name, &scope, &fields).await;
        use diesel::prelude::*;
        use tessera::db::schema::api_tokens;
        let (from, to): (time::PrimitiveDateTime, Option<time::PrimitiveDateTime>) =
            api_tokens::table
                .filter(api_tokens::guid.eq(&created.guid))
                .select((api_tokens::valid_from, api_tokens::valid_to))
                .first(&mut app.conn())
                .unwrap();
        match days {
            None => assert_eq!(to, None, "{name}"),
            Some(days) => {
                let to = to.unwrap();
                assert_eq!((to.date() - today).whole_days(), days, "{name}");
            }
        }
        if name == "custom" {
            assert_eq!(from.date(), today + time::Duration::days(10));
            assert_eq!(from.time(), time::macros::time!(00:00));
            let page = admin
                .get(&format!("/settings/api-tokens/{}", created.guid))
                .await;
            assert!(
                page.body.contains("badge-scheduled"),
                "a future start is Scheduled"
            );
        } else {
            assert!(
                (tessera::db::now() - from).whole_seconds() < 60,
                "{name} starts now"
            );
        }
    }
}

#[actix_web::test]
async fn custom_tokens_grant_the_ticked_modules_only() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let scope = app.scope_id("Production");
    let orders = app.module_id("orders");
    let catalog = app.module_id("catalog");
    let read_orders = format!("{orders}:read");
    let write_catalog = format!("{catalog}:write");
    let created = admin
        .create_token(
            "Custom one",
            &scope,
            &[
                ("token_type", "custom"),
                ("permissions", &read_orders),
                ("permissions", &write_catalog),
            ],
        )
        .await;
    let modules = admin
        .get(&format!("/settings/api-tokens/{}/modules", created.guid))
        .await;
    assert_eq!(modules.status, 200);
    let row = |name: &str| {
        let start = modules
            .body
            .find(&format!("<th scope=\"row\">{name} "))
            .unwrap();
        modules.body[start..start + modules.body[start..].find("</tr>").unwrap()].to_owned()
    };
    assert_eq!(row("Orders").matches("✓").count(), 1);
    assert!(
        row("Orders").find("✓").unwrap() < row("Orders").find("—").unwrap(),
        "read, not write"
    );
    assert_eq!(row("Catalog").matches("✓").count(), 1);
    assert_eq!(row("Billing").matches("✓").count(), 0);
    let list = admin.get("/settings/api-tokens").await;
    // The first module, and how many more; all of them in the cell's title.
    let cell = list.html().text("td.col-modules");
    assert!(
        cell.ends_with("+1 more; all: Orders, Catalog")
            || cell.ends_with("+1 more; all: Catalog, Orders"),
        "{cell}"
    );

    let single = admin
        .create_token(
            "Orders only",
            &scope,
            &[("token_type", "custom"), ("permissions", &read_orders)],
        )
        .await;
    let list = admin.get("/settings/api-tokens?q=orders+only").await;
    assert_eq!(
        list.html().text("td.col-modules"),
        "Orders",
        "one module shows its name"
    );
    let full = admin
        .create_token("Everything", &scope, &[("token_type", "full_access")])
        .await;
    let modules = admin
        .get(&format!("/settings/api-tokens/{}/modules", full.guid))
        .await;
    assert_eq!(
        modules.body.matches("✓").count(),
        8,
        "read and write on all four modules"
    );
    drop(single);
}

#[actix_web::test]
async fn bad_input_is_reported_next_to_each_field_with_values_kept() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let response = admin
        .submit_token_form(&[
            ("name", ""),
            ("description", "Kept <b>as typed</b>"),
            ("duration", "custom"),
            ("valid_from", "2001-01-01"),
            ("valid_to", "not a date"),
            ("token_type", "custom"),
        ])
        .await;
    assert_eq!(response.status, 422);
    assert_eq!(app.count("api_tokens"), 0, "nothing was created");
    for message in [
        "Name is required.",
        "Choose at least one scope.",
        "Enter a date such as",
        "Tick at least one module",
    ] {
        assert!(
            response.body.contains(message),
            "{message}: {}",
            response.body
        );
    }
    assert!(
        response
            .body
            .contains("Kept &#60;b&#62;as typed&#60;/b&#62;")
            || response.body.contains("Kept &lt;b&gt;as typed&lt;/b&gt;")
    );
    assert!(response.body.contains("value=\"not a date\""));

    let past = admin
        .submit_token_form(&[
            ("name", "Past"),
            ("scopes", &app.scope_id("Staging")),
            ("duration", "custom"),
            ("valid_from", "2001-01-01"),
        ])
        .await;
    assert_eq!(past.status, 422);
    assert!(past.body.contains("The start cannot be in the past."));
    assert_eq!(app.count("api_tokens"), 0);
}

#[actix_web::test]
async fn names_are_unique_among_live_tokens_whatever_their_case() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let scope = app.scope_id("Staging");
    let first = admin.create_token("Deploy bot", &scope, &[]).await;
    let duplicate = admin
        .submit_token_form(&[("name", "DEPLOY BOT"), ("scopes", &scope)])
        .await;
    assert_eq!(duplicate.status, 409);
    assert!(
        duplicate
            .body
            .contains("Another token of the same scope already has this name.")
    );

    let version = admin.version_of(&first.guid).await;
    admin
        .post(
            &format!("/settings/api-tokens/{}/delete", first.guid),
            &[("version", &version)],
        )
        .await
        .assert_redirect("/settings/api-tokens");
    admin.create_token("Deploy bot", &scope, &[]).await;
    assert_eq!(
        app.count("api_tokens"),
        2,
        "a deleted token's name is free again"
    );
}

#[actix_web::test]
async fn a_new_guid_can_be_asked_for_without_javascript() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let form = admin.get("/settings/api-tokens/new").await;
    let guid = input_value(&form.body, "guid").unwrap();
    assert!(uuid::Uuid::parse_str(&guid).is_ok());
    let again = admin
        .post(
            "/settings/api-tokens/new",
            &[("guid", &guid), ("name", "Kept"), ("intent", "new_guid")],
        )
        .await;
    assert_eq!(again.status, 200);
    let new = input_value(&again.body, "guid").unwrap();
    assert_ne!(new, guid);
    assert_eq!(input_value(&again.body, "name").as_deref(), Some("Kept"));
    assert_eq!(app.count("api_tokens"), 0);
}

#[actix_web::test]
async fn only_administrators_who_may_create_see_and_use_the_form() {
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let staging = app.scope_id("Staging");
    let viewer = app
        .add_admin(&admin, "vic@example.com", "viewer", &[&staging])
        .await;
    let list = viewer.get("/settings/api-tokens").await;
    assert!(!list.body.contains("/settings/api-tokens/new"));
    assert_eq!(viewer.get("/settings/api-tokens/new").await.status, 403);
    let refused = viewer
        .post(
            "/settings/api-tokens/new",
            &[
                ("name", "Sneaky"),
                ("scopes", &staging),
                ("duration", "7d"),
                ("token_type", "read_only"),
                ("guid", &uuid::Uuid::new_v4().to_string()),
            ],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(app.count("api_tokens"), 0);
}
