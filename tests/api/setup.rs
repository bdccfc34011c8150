use crate::helpers::{Browser, PASSWORD, spawn_app};

#[actix_web::test]
async fn a_new_database_gets_a_setup_url_and_no_default_administrator() {
    let app = spawn_app().await;
    let url = app.setup_url.as_deref().expect("a setup URL");
    assert!(
        url.starts_with(&format!("{}/setup?code=", app.address)),
        "{url}"
    );
    assert_eq!(app.count("administrators"), 0);
    assert_eq!(app.count("setup_codes"), 1);
}

#[actix_web::test]
async fn a_wrong_or_missing_code_is_refused() {
    let app = spawn_app().await;
    let browser = Browser::new(&app);
    for path in ["/setup", "/setup?code=guess"] {
        let page = browser.get(path).await;
        assert_eq!(page.status, 403, "{path}");
        assert!(page.body.contains("This setup link is not valid"));
    }
    browser.get("/login").await;
    let response = browser
        .post(
            "/setup",
            &[
                ("code", "guess"),
                ("display_name", "Eve"),
                ("email", "eve@example.com"),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
            ],
        )
        .await;
    assert_eq!(response.status, 403);
    assert_eq!(app.count("administrators"), 0);
}

#[actix_web::test]
async fn setup_creates_a_super_admin_once_and_signs_them_in() {
    let app = spawn_app().await;
    let admin = app.set_up().await;
    assert_eq!(
        app.count("administrators WHERE role_key = 'super_admin'"),
        1
    );
    assert_eq!(app.count("setup_codes"), 0, "the code is spent");
    let tokens = admin.get("/settings/api-tokens").await;
    assert_eq!(tokens.status, 200);
    assert!(tokens.body.contains("Ada Admin"));
    assert!(tokens.body.contains("No API tokens yet"));

    // The link cannot be used again, by anyone.
    let url = app.setup_url.as_deref().unwrap();
    let path = &url[url.find("/setup").unwrap()..];
    let again = Browser::new(&app);
    again.get(path).await.assert_redirect("/login");
    assert!(again.get("/login").await.body.contains("already set up"));
}

#[actix_web::test]
async fn setup_form_errors_keep_what_was_typed() {
    let app = spawn_app().await;
    let browser = Browser::new(&app);
    let url = app.setup_url.clone().unwrap();
    let path = &url[url.find("/setup").unwrap()..];
    browser.get(path).await;
    let code = path.split("code=").nth(1).unwrap();
    let response = browser
        .post(
            "/setup",
            &[
                ("code", code),
                ("display_name", "Ada <b>Admin</b>"),
                ("email", "not-an-email"),
                ("password", "short"),
                ("password_confirmation", "short"),
            ],
        )
        .await;
    assert_eq!(response.status, 422);
    assert!(
        response
            .body
            .contains("value=\"Ada &#60;b&#62;Admin&#60;/b&#62;\"")
            || response
                .body
                .contains("value=\"Ada &lt;b&gt;Admin&lt;/b&gt;\""),
        "{}",
        response.body
    );
    assert!(response.body.contains("Enter an email address"));
    assert!(response.body.contains("Use at least 12 characters"));
    assert_eq!(app.count("administrators"), 0);
    assert_eq!(app.count("setup_codes"), 1, "the code is still valid");
}

#[actix_web::test]
async fn the_example_set_adds_modules_and_scopes_once() {
    let app = spawn_app().await;
    let admin = app.set_up().await;
    admin
        .post("/setup/catalog/examples", &[])
        .await
        .assert_redirect("/setup/catalog");
    let page = admin.get("/setup/catalog").await;
    assert!(page.body.contains("Added 7 example modules and scopes."));
    for name in [
        "Orders",
        "Catalog",
        "Customers",
        "Billing",
        "Production",
        "Staging",
        "Development",
    ] {
        assert!(page.body.contains(name), "{name}");
    }
    assert_eq!(app.count("modules"), 4);
    assert_eq!(app.count("scopes"), 3);
    admin.post("/setup/catalog/examples", &[]).await;
    assert_eq!(app.count("modules"), 4, "nothing twice");
    assert!(
        admin
            .get("/settings/audit-log")
            .await
            .body
            .contains("Added the example modules and scopes")
    );
}

#[actix_web::test]
async fn each_start_replaces_the_setup_code() {
    let app = spawn_app().await;
    let first = app.setup_url.clone().unwrap();
    // Another start (a restart, or a second instance) prints a new link...
    let second = tessera::startup::setup_url_if_needed(&mut app.conn(), &app.address)
        .unwrap()
        .unwrap();
    assert_ne!(first, second);
    assert_eq!(app.count("setup_codes"), 1, "one valid code at a time");
    // ...and the earlier one stops working.
    let browser = Browser::new(&app);
    let path = |url: &str| url[url.find("/setup").unwrap()..].to_owned();
    assert_eq!(browser.get(&path(&first)).await.status, 403);
    assert_eq!(browser.get(&path(&second)).await.status, 200);
}

#[actix_web::test]
async fn the_setup_link_works_for_a_day_and_not_after() {
    use crate::sessions::sql_time;
    let app = spawn_app().await;
    let url = app.setup_url.clone().unwrap();
    let path = &url[url.find("/setup").unwrap()..];
    let in_a_day = |offset| sql_time(time::Duration::hours(24) + offset);
    assert_eq!(
        app.count(&format!(
            "setup_codes WHERE expires_at > '{}' AND expires_at <= '{}'",
            in_a_day(time::Duration::minutes(-1)),
            in_a_day(time::Duration::minutes(1)),
        )),
        1,
        "valid for 24 hours from the start"
    );
    let browser = Browser::new(&app);
    assert_eq!(browser.get(path).await.status, 200);

    app.execute(&format!(
        "UPDATE setup_codes SET expires_at = '{}'",
        sql_time(time::Duration::seconds(-1))
    ));
    let page = browser.get(path).await;
    assert_eq!(page.status, 403);
    assert!(page.body.contains("This setup link is not valid"));
    let code = &url[url.find("code=").unwrap() + 5..];
    let response = browser
        .post(
            "/setup",
            &[
                ("code", code),
                ("display_name", "Ada Admin"),
                ("email", "ada@example.com"),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
            ],
        )
        .await;
    assert_eq!(response.status, 403);
    assert_eq!(app.count("administrators"), 0, "nobody was created");
}
