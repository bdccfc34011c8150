//! Limits that concurrency cannot beat: each attempt is counted by one statement
//! before the password is checked, a value shown or a wrong API key answered, so a
//! burst of concurrent requests gets exactly the limit, on SQLite and PostgreSQL
//! alike.

use futures_util::future::join_all;
use tessera::config::{EncryptionArgs, ServeArgs};
use tessera::domain::api_keys::ApiKeySecret;
use tessera::domain::digest::sha256_hex;

use crate::helpers::{ApiClient, Browser, PASSWORD, spawn_app, spawn_app_with};

fn failures(app: &crate::helpers::TestApp, key: &str) -> i64 {
    use diesel::prelude::*;
    use tessera::db::schema::sign_in_throttle;
    sign_in_throttle::table
        .find(key)
        .select(sign_in_throttle::failures)
        .first::<i32>(&mut app.conn())
        .map_or(0, i64::from)
}

#[actix_web::test]
async fn sixty_concurrent_wrong_passwords_get_five_checks() {
    let app = spawn_app().await;
    app.set_up().await;
    let browser = Browser::new(&app);
    browser.get("/login").await;
    let guesses = (0..60).map(|i| {
        let guess = format!("wrong guess number {i}");
        let browser = &browser;
        async move {
            browser
                .post(
                    "/login",
                    &[
                        ("email", "ada@example.com"),
                        ("password", &guess),
                        ("next", ""),
                    ],
                )
                .await
        }
    });
    let answers = join_all(guesses).await;
    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429 || **s == 503).count();
    assert!(checked <= 5, "{checked} guesses were checked: {statuses:?}");
    assert_eq!(checked + refused, 60, "{statuses:?}");
    // Every attempt that reached the counters was counted, none lost to a race.
    // Those arriving once the address lock (the 20th attempt) is in force are
    // refused from memory before any counter, as a flood from there would be.
    let from_memory = answers
        .iter()
        .filter(|a| a.body.contains("came from your network address"))
        .count();
    let key = format!(
        "{}/{}",
        sha256_hex(b"account\nada@example.com"),
        sha256_hex(b"127.0.0.1")
    );
    assert!(from_memory <= 40, "{from_memory} refused from memory");
    assert_eq!(failures(&app, &key), (60 - from_memory) as i64);
    // Even the right password is refused while the lock holds.
    let right = browser
        .post(
            "/login",
            &[
                ("email", "ada@example.com"),
                ("password", PASSWORD),
                ("next", ""),
            ],
        )
        .await;
    assert_eq!(right.status, 429);
    assert!(right.header("retry-after").is_some());
}

/// An instance that keeps token values, so they can be shown again.
async fn with_encryption_key() -> crate::helpers::TestApp {
    spawn_app_with(ServeArgs {
        encryption: EncryptionArgs {
            encryption_key: Some("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".into()),
        },
        ..ServeArgs::default()
    })
    .await
}

#[actix_web::test]
async fn eighty_concurrent_reveals_show_twenty_values() {
    let app = with_encryption_key().await;
    let admin = app.with_examples().await;
    let token = app
        .token(&admin)
        .named("Busy")
        .scope("Production")
        .create()
        .await;
    let path = format!("/settings/api-tokens/{}/reveal", token.guid);
    let confirmed = admin
        .post_raw(
            &path,
            &[("csrf_token", &admin.csrf()), ("password", PASSWORD)],
            &[("origin", admin.base()), ("accept", "application/json")],
        )
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    let csrf = admin.csrf();
    let base = admin.base().to_owned();
    let reveals = (0..80).map(|_| {
        let (admin, path, csrf, base) = (&admin, &path, &csrf, &base);
        async move {
            admin
                .post_raw(
                    path,
                    &[("csrf_token", csrf.as_str())],
                    &[("origin", base.as_str()), ("accept", "application/json")],
                )
                .await
        }
    });
    let responses = join_all(reveals).await;
    let shown = responses
        .iter()
        .filter(|r| r.status == 200 && r.body.contains(&token.secret))
        .count();
    assert_eq!(shown, 19, "20 in all, the confirming one included");
    assert!(responses.iter().all(|r| r.status == 200 || r.status == 429));
    assert_eq!(
        app.count("audit_events WHERE action = 'token.reveal'"),
        20,
        "each value shown is audited, and only those"
    );
}

#[actix_web::test]
async fn concurrent_wrong_confirmations_get_five_checks() {
    let app = with_encryption_key().await;
    let admin = app.with_examples().await;
    let token = app
        .token(&admin)
        .named("Guarded")
        .scope("Production")
        .create()
        .await;
    let path = format!("/settings/api-tokens/{}/reveal", token.guid);
    let csrf = admin.csrf();
    let base = admin.base().to_owned();
    let guesses = (0..40).map(|i| {
        let (admin, path, csrf, base) = (&admin, &path, &csrf, &base);
        async move {
            let guess = format!("not my password {i}");
            admin
                .post_raw(
                    path,
                    &[("csrf_token", csrf.as_str()), ("password", guess.as_str())],
                    &[("origin", base.as_str()), ("accept", "application/json")],
                )
                .await
        }
    });
    let responses = join_all(guesses).await;
    let checked = responses
        .iter()
        .filter(|r| r.body.contains("That is not your password"))
        .count();
    assert!(checked <= 5, "{checked} wrong passwords were checked");
    assert!(responses.iter().all(|r| !r.body.contains(&token.secret)));
}

#[actix_web::test]
async fn sixty_concurrent_wrong_keys_get_twenty_answers() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let key = app.api_key(&ada, "ci", &["tokens.read"], &[]).await;
    let guesses = (0..60).map(|_| {
        let guess = ApiKeySecret::generate().expose().to_owned();
        let app = &app;
        async move { ApiClient::new(app, &guess).get("/api/v1/tokens").await }
    });
    let responses = join_all(guesses).await;
    let answered = responses.iter().filter(|r| r.status == 401).count();
    let refused = responses
        .iter()
        .filter(|r| (r.status, r.code()) == (429, "too_many_failed_keys"))
        .count();
    assert_eq!((answered, refused), (20, 40));
    // The address stays locked, for a good key too.
    let good = ApiClient::new(&app, &key).get("/api/v1/tokens").await;
    assert_eq!(good.status, 429);
}
