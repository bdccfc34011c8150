//! Nobody can keep an administrator out: the account-wide limit slows guesses
//! instead of locking, a browser that signed in before skips it, a lock in force is
//! not extended, and an operator can lift every limit of an account.

use std::time::{Duration, Instant};

use tessera::config::ServeArgs;
use tessera::db::throttle;
use tessera::domain::throttle::ACCOUNT_FROM_IP;
use tessera::services::sign_in::{SignInKeys, count_attempt};

use crate::helpers::{Browser, PASSWORD, TestApp, spawn_app_with};

async fn behind_proxy() -> TestApp {
    spawn_app_with(ServeArgs {
        trusted_proxies: vec!["127.0.0.1".into()],
        ..ServeArgs::default()
    })
    .await
}

/// Signs in (or tries to) as Ada from `address`, through the trusted proxy.
async fn attempt(browser: &Browser, address: &str, password: &str) -> (u16, Duration) {
    let (status, took, _) = attempt_with(browser, address, password, None).await;
    (status, took)
}

/// The same, sending a device cookie; returns the device cookie set, if any.
async fn attempt_with(
    browser: &Browser,
    address: &str,
    password: &str,
    device: Option<&str>,
) -> (u16, Duration, Option<String>) {
    browser.get("/login").await;
    let csrf = browser.csrf();
    let base = browser.base().to_owned();
    let started = Instant::now();
    let response = browser
        .post_raw(
            "/login",
            &[
                ("csrf_token", &csrf),
                ("email", "ada@example.com"),
                ("password", password),
                ("next", ""),
            ],
            &[
                ("origin", &base),
                ("x-forwarded-for", address),
                ("cookie", device.unwrap_or("")),
            ],
        )
        .await;
    let remembered = response
        .headers
        .get("set-cookie")
        .into_iter()
        .flatten()
        .find(|c| c.starts_with("tessera_device="))
        .map(|c| c.split(';').next().unwrap().to_owned());
    (response.status, started.elapsed(), remembered)
}

#[actix_web::test]
async fn guessing_from_many_addresses_slows_but_never_locks_out_the_administrator() {
    let app = behind_proxy().await;
    app.set_up().await;
    let (status, _, device) =
        attempt_with(&Browser::new(&app), "203.0.113.5", PASSWORD, None).await;
    assert_eq!(status, 303);
    let device = device.expect("a signed-in browser is remembered");

    // Twelve wrong guesses from three addresses, under each address's own limit.
    let attacker = Browser::new(&app);
    for i in 0..12 {
        let address = format!("198.51.100.{}", i % 3 + 1);
        let (status, _) = attempt(&attacker, &address, "not the password at all").await;
        assert_eq!(status, 401, "guess {i} is checked, never refused");
    }
    // Ada's own browser, from a new address: no wait at all (the next unknown
    // attempt would wait 4 seconds).
    let (status, took, _) =
        attempt_with(&Browser::new(&app), "192.0.2.44", PASSWORD, Some(&device)).await;
    assert_eq!(status, 303);
    assert!(took < Duration::from_secs(3), "{took:?}");

    // A new browser still gets in with the right password, only later.
    for i in 0..11 {
        attempt(
            &attacker,
            &format!("198.51.100.{}", i % 3 + 10),
            "still guessing",
        )
        .await;
    }
    let elsewhere = Browser::new(&app);
    let (status, took) = attempt(&elsewhere, "192.0.2.45", PASSWORD).await;
    assert_eq!(status, 303, "slowed, not refused");
    assert!(took >= Duration::from_secs(1), "{took:?}");
}

#[actix_web::test]
async fn a_lock_in_force_is_not_extended() {
    let app = behind_proxy().await;
    let mut conn = app.conn();
    let key = "lock-extension-test";
    let mut lock = None;
    for n in 1..=9 {
        let state = throttle::count_attempt(&mut conn, key, &ACCOUNT_FROM_IP).unwrap();
        assert_eq!(state.failures, n);
        if n == 5 {
            lock = state.locked_until;
            assert!(lock.is_some(), "the fifth attempt sets the lock");
        }
        if n > 5 {
            assert_eq!(
                state.locked_until, lock,
                "attempt {n} left the lock as it was"
            );
        }
    }
}

#[actix_web::test]
async fn an_operator_lifts_every_limit_of_an_account() {
    let app = behind_proxy().await;
    app.set_up().await;
    let mut conn = app.conn();
    for last in 1..=6 {
        let keys = SignInKeys::new(
            "ada@example.com",
            format!("198.51.100.{last}").parse().unwrap(),
        );
        for _ in 0..6 {
            count_attempt(&mut conn, &keys, false).unwrap();
        }
    }
    let someone_else = SignInKeys::new("bob@example.com", "198.51.100.1".parse().unwrap());
    count_attempt(&mut conn, &someone_else, false).unwrap();
    let (status, _) = attempt(&Browser::new(&app), "198.51.100.1", PASSWORD).await;
    assert_eq!(status, 429, "locked from that address");

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_tessera"))
        .env_clear()
        .env("TESSERA_DATABASE_URL", &app.db.url)
        .args(["admin", "unlock", "--email", "Ada@Example.com"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("7 counters removed"), "{stdout}");
    let (status, _) = attempt(&Browser::new(&app), "198.51.100.1", PASSWORD).await;
    assert_eq!(status, 303, "the account may sign in again");
    assert_eq!(app.count("audit_events WHERE action = 'admin.unlock'"), 1);
    // Other accounts' and the addresses' own counters are left alone.
    assert!(app.count("sign_in_throttle") >= 2);

    let unknown = std::process::Command::new(env!("CARGO_BIN_EXE_tessera"))
        .env_clear()
        .env("TESSERA_DATABASE_URL", &app.db.url)
        .args(["admin", "unlock", "--email", "nobody@example.com"])
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no administrator"));
}
