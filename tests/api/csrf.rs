use crate::helpers::{Browser, PASSWORD, spawn_app};

type Fields<'a> = Vec<(&'a str, &'a str)>;

/// Posts "create a scope" in several forged ways; none may change the database.
#[actix_web::test]
async fn forged_form_posts_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let admin = app.set_up().await;
    admin.get("/settings/scopes").await;
    let good = admin.csrf();
    let other = Browser::new(&app);
    other.get("/login").await;
    let foreign_token = other.csrf();
    assert_ne!(good, foreign_token);
    let same_origin = [
        ("origin", app.address.as_str()),
        ("sec-fetch-site", "same-origin"),
    ];

    let cases: Vec<(&str, Fields, Fields)> = vec![
        (
            "missing token",
            vec![("name", "Forged")],
            same_origin.to_vec(),
        ),
        (
            "wrong token",
            vec![("csrf_token", "not-the-token"), ("name", "Forged")],
            same_origin.to_vec(),
        ),
        (
            "another session's token",
            vec![("csrf_token", foreign_token.as_str()), ("name", "Forged")],
            same_origin.to_vec(),
        ),
        (
            "foreign Origin",
            vec![("csrf_token", good.as_str()), ("name", "Forged")],
            vec![("origin", "https://evil.example")],
        ),
        (
            "cross-site fetch metadata",
            vec![("csrf_token", good.as_str()), ("name", "Forged")],
            vec![("sec-fetch-site", "cross-site")],
        ),
    ];
    for (case, fields, headers) in cases {
        let response = admin.post_raw("/settings/scopes", &fields, &headers).await;
        assert_eq!(response.status, 403, "{case}");
        assert!(
            response
                .body
                .contains("expired or was sent from another site"),
            "{case}"
        );
        assert!(
            response.body.contains("<nav"),
            "{case}: the error page keeps the layout"
        );
        assert_eq!(app.count("scopes"), 0, "{case}");
    }
    // The genuine form still works.
    admin.get("/settings/scopes").await;
    admin
        .post("/settings/scopes", &[("name", "Real")])
        .await
        .assert_redirect("/settings/scopes");
    assert_eq!(app.count("scopes"), 1);
}

#[actix_web::test]
async fn the_sign_in_form_needs_its_token_too() {
    let app = spawn_app().await;
    app.set_up().await;
    let browser = Browser::new(&app);
    browser.get("/login").await;
    let response = browser
        .post_raw(
            "/login",
            &[("email", "ada@example.com"), ("password", PASSWORD)],
            &[],
        )
        .await;
    assert_eq!(response.status, 403);
    assert_eq!(
        browser.get("/settings/api-tokens").await.status,
        303,
        "not signed in"
    );
}

#[actix_web::test]
async fn get_requests_change_nothing() {
    let app = spawn_app().await;
    let admin = app.set_up().await;
    for path in [
        "/logout",
        "/setup/catalog/examples",
        "/settings/administrators/new?email=x@example.com",
    ] {
        let response = admin.get(path).await;
        assert!(
            response.status == 404 || response.status == 405 || response.status == 200,
            "{path}"
        );
    }
    assert_eq!(app.count("modules"), 0);
    assert_eq!(app.count("administrators"), 1);
    assert_eq!(
        admin.get("/settings/api-tokens").await.status,
        200,
        "still signed in"
    );
}
