//! Wrong API keys are counted per client address: after 20 in 15 minutes, the
//! address is refused (429, `Retry-After`) whatever key it sends, like sign-in's
//! per-address limit; other addresses go on.

use tessera::config::ServeArgs;
use tessera::domain::api_keys::ApiKeySecret;

use crate::helpers::{ApiClient, ApiResponse, TestApp, spawn_app_with};

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

#[actix_web::test]
async fn an_address_that_sends_many_wrong_keys_is_refused_for_a_while() {
    let app = spawn_app_with(ServeArgs {
        trusted_proxies: vec!["127.0.0.1".into()],
        ..ServeArgs::default()
    })
    .await;
    let ada = app.with_examples().await;
    let key = app.api_key(&ada, "ci", &["tokens.read"], &[]).await;
    let revoked = app.api_key(&ada, "old", &["tokens.read"], &[]).await;
    app.execute("UPDATE admin_api_keys SET revoked_at = created_at WHERE name = 'old'");

    // Keys that are not even well formed are refused without a lookup, uncounted.
    for _ in 0..25 {
        let garbage = tokens_from(&app, "tsa_short", "198.51.100.9").await;
        assert_eq!(garbage.status, 401);
    }
    assert_eq!(tokens_from(&app, &key, "198.51.100.9").await.status, 200);

    for n in 1..=20 {
        let wrong = if n % 5 == 0 {
            revoked.clone()
        } else {
            ApiKeySecret::generate().expose().to_owned()
        };
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
