use crate::helpers::{Browser, PASSWORD, spawn_app};

const FAILED: &str = "The email or password is incorrect.";

#[actix_web::test]
async fn the_sign_in_form_carries_a_csrf_token_and_signs_in() {
    let app = spawn_app().await;
    app.set_up().await;
    let browser = Browser::new(&app);
    let page = browser.get("/login").await;
    assert_eq!(page.status, 200);
    assert!(page.csrf_token().is_some());
    let response = browser
        .post(
            "/login",
            &[
                ("email", "ADA@example.com "),
                ("password", PASSWORD),
                ("next", "/settings/scopes"),
            ],
        )
        .await;
    response.assert_redirect("/settings/scopes");
    assert_eq!(browser.get("/settings/scopes").await.status, 200);
}

#[actix_web::test]
async fn wrong_passwords_unknown_accounts_and_disabled_accounts_get_one_message() {
    let app = spawn_app().await;
    let admin = app.set_up().await;
    let viewer = app
        .add_admin(&admin, "vic@example.com", "viewer", &[])
        .await;
    drop(viewer);
    // Disable Vic.
    let edit = admin.get("/settings/administrators").await;
    let vic_id = public_id_of(&edit.body, "vic");
    let page = admin
        .get(&format!("/settings/administrators/{vic_id}"))
        .await;
    let version = crate::helpers::hidden_value(&page.body, "version").unwrap();
    admin
        .post(
            &format!("/settings/administrators/{vic_id}/disable"),
            &[("version", &version)],
        )
        .await
        .assert_redirect(&format!("/settings/administrators/{vic_id}"));

    for (email, password) in [
        ("ada@example.com", "wrong password here"),
        ("nobody@example.com", PASSWORD),
        ("vic@example.com", PASSWORD),
    ] {
        let browser = Browser::new(&app);
        browser.get("/login").await;
        let response = browser
            .post(
                "/login",
                &[("email", email), ("password", password), ("next", "")],
            )
            .await;
        assert_eq!(response.status, 401, "{email}");
        assert!(response.body.contains(FAILED), "{email}");
        assert!(
            response.body.contains(&format!("value=\"{email}\"")),
            "the email is kept"
        );
        assert!(
            browser.get("/settings/api-tokens").await.status == 303,
            "{email} is not signed in"
        );
    }
}

pub fn public_id_of(body: &str, name: &str) -> String {
    let marker = format!("<strong>{name}</strong> <span class=\"muted\">· ");
    let start = body
        .find(&marker)
        .unwrap_or_else(|| panic!("{name} listed"))
        + marker.len();
    body[start..start + 8].to_owned()
}

#[actix_web::test]
async fn repeated_failures_are_throttled_per_account_and_ip_with_a_clear_message() {
    let app = spawn_app().await;
    let admin = app.set_up().await;
    app.add_admin(&admin, "tom@example.com", "token_manager", &[])
        .await;
    let attacker = Browser::new(&app);
    attacker.get("/login").await;
    for _ in 0..5 {
        let r = attacker
            .post(
                "/login",
                &[
                    ("email", "ada@example.com"),
                    ("password", "guess guess guess"),
                    ("next", ""),
                ],
            )
            .await;
        assert_eq!(r.status, 401);
    }
    // Locked now, even with the right password, and the page says for how long.
    let locked = attacker
        .post(
            "/login",
            &[
                ("email", "ada@example.com"),
                ("password", PASSWORD),
                ("next", ""),
            ],
        )
        .await;
    assert_eq!(locked.status, 429);
    assert!(
        locked
            .body
            .contains("Too many failed sign-in attempts. Try again in"),
        "{}",
        locked.body
    );
    assert!(locked.header("retry-after").is_some());

    // Another account from the same address still signs in.
    let other = Browser::new(&app);
    other.sign_in("tom@example.com", PASSWORD).await;

    // The lock ends: once it has passed, Ada signs in again.
    app.execute("UPDATE sign_in_throttle SET locked_until = NULL, failures = 0");
    Browser::new(&app)
        .sign_in("ada@example.com", PASSWORD)
        .await;
}

#[actix_web::test]
async fn spraying_many_accounts_from_one_address_is_throttled() {
    let app = spawn_app().await;
    app.set_up().await;
    let attacker = Browser::new(&app);
    attacker.get("/login").await;
    for i in 0..20 {
        let email = format!("user{i}@example.com");
        let r = attacker
            .post(
                "/login",
                &[
                    ("email", email.as_str()),
                    ("password", "guess guess guess"),
                    ("next", ""),
                ],
            )
            .await;
        assert_eq!(r.status, 401);
    }
    let r = attacker
        .post(
            "/login",
            &[
                ("email", "ada@example.com"),
                ("password", PASSWORD),
                ("next", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 429, "the address is locked after 20 failures");
}

#[actix_web::test]
async fn signed_in_administrators_skip_the_form_and_next_is_kept_local() {
    let app = spawn_app().await;
    let admin = app.set_up().await;
    admin
        .get("/login?next=/settings/scopes")
        .await
        .assert_redirect("/settings/scopes");
    admin
        .get("/login?next=https://evil.example/")
        .await
        .assert_redirect("/settings/api-tokens");
    let anonymous = Browser::new(&app);
    anonymous
        .get("/settings/modules?x=1")
        .await
        .assert_redirect("/login?next=/settings/modules%3Fx%3D1");
}
