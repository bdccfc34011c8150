use crate::helpers::{Browser, PASSWORD, spawn_app};
use crate::sessions::sql_time;

const FAILED: &str = "The email or password is incorrect.";

/// Posts the sign-in form of the page `browser` opened last.
async fn attempt(browser: &Browser, email: &str, password: &str) -> crate::helpers::Response {
    browser
        .post(
            "/login",
            &[("email", email), ("password", password), ("next", "")],
        )
        .await
}

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
        let response = attempt(&browser, email, password).await;
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
        let r = attempt(&attacker, "ada@example.com", "guess guess guess").await;
        assert_eq!(r.status, 401);
    }
    // Locked now, even with the right password, and the page says for how long.
    let locked = attempt(&attacker, "ada@example.com", PASSWORD).await;
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

    // The lock lasts 15 minutes...
    let in_15_minutes =
        |seconds| sql_time(time::Duration::minutes(15) + time::Duration::seconds(seconds));
    assert_eq!(
        app.count(&format!(
            "sign_in_throttle WHERE locked_until > '{}' AND locked_until <= '{}'",
            in_15_minutes(-60),
            in_15_minutes(1),
        )),
        1,
        "one lock, for this account from this address"
    );
    // ...and once it has passed (the window still running), the count starts again:
    // the right password gets in and a wrong one is checked, not refused.
    app.execute(&format!(
        "UPDATE sign_in_throttle SET locked_until = '{}' WHERE locked_until IS NOT NULL",
        sql_time(time::Duration::seconds(-1))
    ));
    for (password, status) in [("guess guess guess", 401), (PASSWORD, 303)] {
        let r = attempt(&attacker, "ada@example.com", password).await;
        assert_eq!(r.status, status, "{password}");
    }
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
    let r = attempt(&attacker, "ada@example.com", PASSWORD).await;
    assert_eq!(r.status, 429, "the address is locked after 20 failures");

    // From now on the address gets its answer before any other work: no counter
    // moves, no session is written, and the page says for how long.
    // The address's own counter holds the 21 attempts; a counted one would make 22.
    let counted = || {
        (
            app.count("sign_in_throttle WHERE failures = 21"),
            app.count("sign_in_throttle WHERE failures > 21"),
        )
    };
    assert_eq!(counted(), (1, 0));
    let sessions = app.count("sessions");
    let r = attempt(&attacker, "ada@example.com", PASSWORD).await;
    assert_eq!(r.status, 429);
    assert!(
        r.body
            .contains("came from your network address. Try again in 15 minutes.")
    );
    assert!(
        r.header("retry-after")
            .is_some_and(|s| s.parse::<u32>().unwrap() > 890)
    );
    let page = Browser::new(&app).get("/login").await;
    assert_eq!(page.status, 429);
    assert!(
        !page.body.contains("name=\"password\""),
        "no form to fill in"
    );
    assert_eq!(counted(), (1, 0), "nothing counted");
    assert_eq!(app.count("sessions"), sessions, "no session written");
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
