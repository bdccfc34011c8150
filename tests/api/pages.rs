use crate::helpers::{Browser, spawn_app};

#[actix_web::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    let admin = app.set_up().await;
    for path in [
        "/login",
        "/settings/api-tokens",
        "/settings/nowhere",
        "/healthz",
    ] {
        let response = admin.get(path).await;
        let csp = response
            .header("content-security-policy")
            .unwrap_or_default();
        for directive in [
            "default-src 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'none'",
            "script-src 'self'",
        ] {
            assert!(csp.contains(directive), "{path}: {directive}");
        }
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(
            response.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert!(response.header("referrer-policy").is_some(), "{path}");
        assert_eq!(response.header("cache-control"), Some("no-store"), "{path}");
        assert!(
            response
                .header("x-request-id")
                .is_some_and(|id| id.len() >= 16),
            "{path}"
        );
    }
}

#[actix_web::test]
async fn pages_have_no_inline_script() {
    let app = spawn_app().await;
    let admin = app.set_up().await;
    for path in [
        "/login",
        "/settings/api-tokens",
        "/settings/administrators",
        "/settings/modules",
        "/setup/catalog",
    ] {
        let body = admin.get(path).await.body;
        assert!(!body.contains("<script>"), "{path}");
        assert!(!body.contains(" onclick="), "{path}");
        assert!(!body.contains(" style=\""), "{path}");
    }
}

#[actix_web::test]
async fn static_assets_are_embedded_and_cached() {
    let app = spawn_app().await;
    let browser = Browser::new(&app);
    let page = browser.get("/login").await;
    let start = page.body.find("/static/app.css?v=").unwrap();
    let url = page.body[start..].split('"').next().unwrap().to_owned();
    let css = browser.get(&url).await;
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    assert_eq!(
        css.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert!(css.body.contains("prefers-color-scheme: dark"));
    let unversioned = browser.get("/static/app.js").await;
    assert_eq!(
        unversioned.header("cache-control"),
        Some("public, max-age=0, must-revalidate")
    );
    assert!(unversioned.header("etag").is_some());
    assert_eq!(browser.get("/static/missing.css").await.status, 404);
}

#[actix_web::test]
async fn not_found_and_server_errors_are_pages_in_the_layout() {
    let app = spawn_app().await;
    let admin = app.set_up().await;
    let missing = admin.get("/settings/nothing-here").await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("Page not found"));
    assert!(
        missing.body.contains("Ada Admin"),
        "the signed-in administrator is shown"
    );
    assert!(
        missing.body.contains("href=\"/settings/api-tokens\""),
        "with the navigation"
    );

    // A token address that holds no GUID is a missing page too, in the layout.
    let not_a_guid = admin.get("/settings/api-tokens/..%2F..%2Fetc/edit").await;
    assert_eq!(not_a_guid.status, 404);
    assert!(not_a_guid.body.contains("Page not found"));

    let anonymous = Browser::new(&app).get("/nothing").await;
    assert_eq!(anonymous.status, 404);
    assert!(anonymous.body.contains("Go to sign-in"));

    // Break the database under the app: the page says so, without details.
    app.execute("DROP TABLE audit_events");
    let broken = admin.get("/settings/audit-log").await;
    assert_eq!(broken.status, 500);
    assert!(broken.body.contains("Something went wrong"));
    assert!(broken.body.contains("Request ID"));
    assert!(
        !broken.body.to_lowercase().contains("audit_events"),
        "no internals leak"
    );
}

#[actix_web::test]
async fn the_root_leads_to_the_token_list() {
    let app = spawn_app().await;
    let browser = Browser::new(&app);
    browser
        .get("/")
        .await
        .assert_redirect("/settings/api-tokens");
    browser
        .get("/settings")
        .await
        .assert_redirect("/settings/api-tokens");
}

#[actix_web::test]
async fn every_page_address_the_app_links_to_is_answered() {
    use tessera::urls::{self, TokenPage};
    let app = spawn_app().await;
    let admin = app.with_examples().await;
    let token = app
        .token(&admin)
        .named("Mapped")
        .scope("Production")
        .create()
        .await;
    let mut pages: Vec<String> = [
        urls::HOME,
        urls::SETUP_CATALOG,
        urls::TOKENS,
        urls::NEW_TOKEN,
        urls::MODULES,
        urls::SCOPES,
        urls::ADMINISTRATORS,
        urls::NEW_ADMINISTRATOR,
        urls::AUDIT_LOG,
        urls::PROFILE,
        urls::PROFILE_TOKENS,
    ]
    .map(String::from)
    .into();
    pages.extend(
        [
            TokenPage::General,
            TokenPage::Modules,
            TokenPage::Details,
            TokenPage::Edit,
            TokenPage::Regenerate,
            TokenPage::Revoke,
            TokenPage::Delete,
        ]
        .map(|page| urls::token_page(&token.guid, page)),
    );
    pages.push(urls::module_edit(1));
    pages.push(urls::scope_delete(app.scope_id("Production")));
    for page in pages {
        let status = admin.get(&page).await.status;
        assert!(status == 200 || status == 303, "{page}: {status}");
    }
    let signed_out = Browser::new(&app);
    assert_eq!(signed_out.get(urls::LOGIN).await.status, 200);
}
