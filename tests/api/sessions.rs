use tessera::config::ServeArgs;

use crate::helpers::{Browser, PASSWORD, hidden_value, spawn_app, spawn_app_with};
use crate::sign_in::public_id_of;

#[actix_web::test]
async fn the_cookie_is_http_only_strict_and_carries_only_a_random_key() {
    let app = spawn_app().await;
    app.set_up().await;
    let browser = Browser::new(&app);
    let page = browser.get("/login").await;
    let cookie = page
        .header("set-cookie")
        .expect("a session for the sign-in form");
    assert!(cookie.starts_with("tessera_session="));
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Strict"));
    assert!(!cookie.contains("Secure"), "plain http on localhost");
    // The table holds a digest, not the cookie's value, and no admin data sits in the cookie.
    let value = browser.cookie().unwrap();
    let value = value.split_once('=').unwrap().1.to_owned();
    assert!(value.len() >= 43, "at least 256 bits before encryption");
    let mut conn = app.conn();
    use diesel::prelude::*;
    use tessera::db::schema::sessions;
    let digests: Vec<String> = sessions::table
        .select(sessions::key_digest)
        .load(&mut conn)
        .unwrap();
    assert!(
        digests
            .iter()
            .all(|d| d.len() == 64 && !value.contains(d.as_str()))
    );
}

#[actix_web::test]
async fn the_cookie_is_secure_behind_https() {
    let app = spawn_app_with(ServeArgs {
        public_url: Some("https://tokens.example.com".into()),
        ..ServeArgs::default()
    })
    .await;
    let page = Browser::new(&app).get("/login").await;
    let cookie = page.header("set-cookie").unwrap();
    assert!(cookie.starts_with("__Host-tessera_session="), "{cookie}");
    assert!(cookie.contains("Secure"));
    assert!(page.header("strict-transport-security").is_some());
}

#[actix_web::test]
async fn a_pre_sign_in_cookie_is_anonymous_after_sign_in() {
    let app = spawn_app().await;
    app.set_up().await;
    let browser = Browser::new(&app);
    browser.get("/login").await;
    let planted = browser.cookie().expect("an anonymous session");
    browser.sign_in("ada@example.com", PASSWORD).await;
    assert_ne!(
        browser.cookie().unwrap(),
        planted,
        "the key is renewed at sign-in"
    );

    let attacker = Browser::new(&app);
    attacker.set_cookie(Some(planted));
    attacker
        .get("/settings/api-tokens")
        .await
        .assert_redirect("/login?next=/settings/api-tokens");
}

#[actix_web::test]
async fn a_signed_out_session_cannot_be_replayed() {
    let app = spawn_app().await;
    let admin = app.set_up().await;
    let stolen = admin.cookie().unwrap();
    admin.post("/logout", &[]).await.assert_redirect("/login");
    let page = admin.get("/login").await;
    assert!(page.body.contains("You have signed out."));

    let replay = Browser::new(&app);
    replay.set_cookie(Some(stolen));
    replay
        .get("/settings/api-tokens")
        .await
        .assert_redirect("/login?next=/settings/api-tokens");
}

#[actix_web::test]
async fn disabling_an_administrator_ends_their_sessions_and_enabling_lets_them_back() {
    let app = spawn_app().await;
    let admin = app.set_up().await;
    let viewer = app
        .add_admin(&admin, "vic@example.com", "viewer", &[])
        .await;
    let stolen = viewer.cookie().unwrap();
    let list = admin.get("/settings/administrators").await;
    let id = public_id_of(&list.body, "vic");
    let page = admin.get(&format!("/settings/administrators/{id}")).await;
    let version = hidden_value(&page.body, "version").unwrap();
    admin
        .post(
            &format!("/settings/administrators/{id}/disable"),
            &[("version", &version)],
        )
        .await
        .assert_redirect(&format!("/settings/administrators/{id}"));

    let replay = Browser::new(&app);
    replay.set_cookie(Some(stolen));
    replay
        .get("/settings/api-tokens")
        .await
        .assert_redirect("/login?next=/settings/api-tokens");

    let page = admin.get(&format!("/settings/administrators/{id}")).await;
    assert!(page.body.contains("Disabled"));
    let version = hidden_value(&page.body, "version").unwrap();
    admin
        .post(
            &format!("/settings/administrators/{id}/enable"),
            &[("version", &version)],
        )
        .await
        .assert_redirect(&format!("/settings/administrators/{id}"));
    Browser::new(&app)
        .sign_in("vic@example.com", PASSWORD)
        .await;
}

#[actix_web::test]
async fn a_new_password_ends_every_session_of_the_administrator() {
    let app = spawn_app().await;
    let admin = app.set_up().await;
    let viewer = app
        .add_admin(&admin, "vic@example.com", "viewer", &[])
        .await;
    let list = admin.get("/settings/administrators").await;
    let id = public_id_of(&list.body, "vic");
    admin.get(&format!("/settings/administrators/{id}")).await;
    let new_password = "a brand new passphrase";
    admin
        .post(
            &format!("/settings/administrators/{id}/password"),
            &[
                ("password", new_password),
                ("password_confirmation", new_password),
            ],
        )
        .await
        .assert_redirect(&format!("/settings/administrators/{id}"));

    viewer
        .get("/settings/api-tokens")
        .await
        .assert_redirect("/login?next=/settings/api-tokens");
    let again = Browser::new(&app);
    again.get("/login").await;
    let old = again
        .post(
            "/login",
            &[
                ("email", "vic@example.com"),
                ("password", PASSWORD),
                ("next", ""),
            ],
        )
        .await;
    assert_eq!(old.status, 401);
    again.sign_in("vic@example.com", new_password).await;
    // The administrator who set it stays signed in.
    assert_eq!(admin.get("/settings/administrators").await.status, 200);
}

pub fn sql_time(offset: time::Duration) -> String {
    (time::OffsetDateTime::now_utc() + offset)
        .format(time::macros::format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second]"
        ))
        .unwrap()
}

#[actix_web::test]
async fn idle_sessions_expire_and_activity_extends_them() {
    use diesel::prelude::*;
    use tessera::db::schema::sessions;
    let app = spawn_app().await;
    let admin = app.set_up().await;
    // About to expire; one request pushes the expiry a full idle period (30 minutes) ahead.
    app.execute(&format!(
        "UPDATE sessions SET expires_at = '{}' WHERE administrator_id IS NOT NULL",
        sql_time(time::Duration::minutes(1))
    ));
    assert_eq!(admin.get("/settings/api-tokens").await.status, 200);
    let expires: time::PrimitiveDateTime = sessions::table
        .filter(sessions::administrator_id.is_not_null())
        .select(sessions::expires_at)
        .first(&mut app.conn())
        .unwrap();
    let now = tessera::db::now();
    // A full idle period ahead: not less (activity extends), not more (the idle
    // timeout is what it says).
    assert!(
        expires > now + time::Duration::minutes(29),
        "{expires} vs {now}"
    );
    assert!(
        expires <= now + time::Duration::minutes(30),
        "{expires} vs {now}"
    );

    // Idle past the expiry: signed out.
    app.execute(&format!(
        "UPDATE sessions SET expires_at = '{}'",
        sql_time(-time::Duration::seconds(1))
    ));
    admin
        .get("/settings/api-tokens")
        .await
        .assert_redirect("/login?next=/settings/api-tokens");
}

#[actix_web::test]
async fn sessions_end_after_their_absolute_lifetime_even_when_active() {
    let app = spawn_app().await;
    let admin = app.set_up().await;
    assert_eq!(admin.get("/settings/api-tokens").await.status, 200);
    // Twelve hours is the default lifetime; pretend the session began thirteen hours ago.
    app.execute(&format!(
        "UPDATE sessions SET created_at = '{}'",
        sql_time(-time::Duration::hours(13))
    ));
    admin
        .get("/settings/api-tokens")
        .await
        .assert_redirect("/login?next=/settings/api-tokens");
    assert_eq!(
        app.count("sessions WHERE administrator_id IS NOT NULL"),
        0,
        "the row is removed"
    );
}
