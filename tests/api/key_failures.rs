//! API keys that match no key are counted per client address: after 20 in 15
//! minutes, the address is refused (429, `Retry-After`) whatever key it sends, like
//! sign-in's per-address limit; other addresses go on. Revoked and expired keys, and
//! those of a disabled owner, are refused without counting.

use futures_util::future::join_all;
use tessera::config::ServeArgs;
use tessera::domain::api_keys::ApiKeySecret;

use crate::helpers::{ApiClient, ApiResponse, Browser, TestApp, spawn_app_with};

async fn tokens_from(app: &TestApp, key: &str, address: &str) -> ApiResponse {
    ApiClient::new(app, key)
        .send(
            "GET",
            "/api/v1/tokens",
            &[("x-forwarded-for", address)],
            None,
        )
        .await
}

/// An instance that believes the proxy at 127.0.0.1 about client addresses, its
/// Super Admin, and a key of hers that may read tokens.
async fn behind_a_proxy() -> (TestApp, Browser, String) {
    let app = spawn_app_with(ServeArgs {
        trusted_proxies: vec!["127.0.0.1".into()],
        ..ServeArgs::default()
    })
    .await;
    let ada = app.with_examples().await;
    let key = app.api_key(&ada, "ci", &["tokens.read"], &[]).await;
    (app, ada, key)
}

#[actix_web::test]
async fn an_address_that_sends_many_wrong_keys_is_refused_for_a_while() {
    let (app, _, key) = behind_a_proxy().await;

    // Keys that are not even well formed are refused without a lookup, uncounted.
    for _ in 0..25 {
        let garbage = tokens_from(&app, "tsa_short", "198.51.100.9").await;
        assert_eq!(garbage.status, 401);
    }
    assert_eq!(tokens_from(&app, &key, "198.51.100.9").await.status, 200);

    for n in 1..=20 {
        let wrong = ApiKeySecret::generate().expose().to_owned();
        let refused = tokens_from(&app, &wrong, "198.51.100.7").await;
        assert_eq!(
            (refused.status, refused.code()),
            (401, "invalid_api_key"),
            "failure {n}"
        );
    }
    // The 21st request from there is refused, even with a good key.
    for attempt in [key.clone(), ApiKeySecret::generate().expose().to_owned()] {
        let locked = tokens_from(&app, &attempt, "198.51.100.7").await;
        assert_eq!(
            (locked.status, locked.code()),
            (429, "too_many_failed_keys"),
            "{}",
            locked.json
        );
        let wait: i64 = locked.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=15 * 60).contains(&wait), "{wait}");
        assert!(
            locked
                .header("content-type")
                .unwrap()
                .starts_with("application/problem+json")
        );
    }
    assert_eq!(tokens_from(&app, &key, "198.51.100.8").await.status, 200);
}

#[actix_web::test]
async fn keys_nobody_could_guess_do_not_lock_their_address() {
    let (app, ada, key) = behind_a_proxy().await;
    let revoked = app.api_key(&ada, "revoked", &["tokens.read"], &[]).await;
    let expired = app.api_key(&ada, "expired", &["tokens.read"], &[]).await;
    app.execute("UPDATE admin_api_keys SET revoked_at = created_at WHERE name = 'revoked'");
    app.execute("UPDATE admin_api_keys SET expires_at = created_at WHERE name = 'expired'");

    // A forgotten job keeps sending its old keys from the runner's address.
    for n in 1..=25 {
        for old in [&revoked, &expired] {
            let refused = tokens_from(&app, old, "198.51.100.7").await;
            assert_eq!(
                (refused.status, refused.code()),
                (401, "invalid_api_key"),
                "request {n}"
            );
        }
    }
    assert_eq!(tokens_from(&app, &key, "198.51.100.7").await.status, 200);
}

#[actix_web::test]
async fn a_burst_of_good_keys_from_one_address_is_never_refused() {
    let (app, _, key) = behind_a_proxy().await;
    let burst = (0..60).map(|_| tokens_from(&app, &key, "198.51.100.7"));
    let statuses: Vec<u16> = join_all(burst).await.iter().map(|r| r.status).collect();
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
}
