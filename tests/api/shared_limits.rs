//! Rate limits shared by two instances through a real Redis: an identity's limit
//! holds across both under concurrent load, with the IETF headers; Redis stopped and
//! restarted mid-test is seen in /readyz and /metrics, and the operator's policy
//! applies meanwhile.

use futures_util::future::join_all;
use serde_json::{Value, json};
use tessera::config::{ServeArgs, WhenDownArg};

use crate::helpers::{ApiClient, RedisServer, TestApp, spawn_app_with, spawn_instance};
use crate::usage_control::{acme, verify};

const ALL: &[&str] = &["tokens.read", "tokens.create", "tokens.update"];

fn sharing(redis: &RedisServer, when_down: WhenDownArg) -> ServeArgs {
    ServeArgs {
        redis_url: Some(redis.url()),
        redis_when_down: when_down,
        ..ServeArgs::default()
    }
}

async fn readiness(address: &str) -> Value {
    let mut response = awc::Client::default()
        .get(format!("{address}/readyz"))
        .send()
        .await
        .unwrap();
    response.json().await.unwrap_or(Value::Null)
}

/// Waits until the instance at `address` says Redis is `state`.
async fn until_redis(address: &str, state: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while readiness(address).await["shared_limits"] != state {
        assert!(
            std::time::Instant::now() < deadline,
            "{address}: Redis {state}"
        );
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// "Acme" with two tokens and `limits` on the identity.
async fn limited_acme(app: &TestApp, limits: Value) -> (String, String) {
    let ada = app.with_examples().await;
    let api = ApiClient::new(app, &app.api_key(&ada, "ops", ALL, &[]).await);
    let tokens = acme(app, &api).await;
    let set = api
        .send(
            "PUT",
            "/api/v1/identities/cus_acme/limits",
            &[],
            Some(&limits),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.json);
    tokens
}

#[actix_web::test]
async fn two_instances_behind_redis_admit_the_limit_and_refuse_the_rest() {
    let redis = RedisServer::start();
    let first = spawn_app_with(sharing(&redis, WhenDownArg::Open)).await;
    let limit = json!({ "ratelimits": [{ "name": "requests", "limit": 100, "period": 60 }] });
    let (web, batch) = limited_acme(&first, limit).await;
    let second = spawn_instance(&first, sharing(&redis, WhenDownArg::Open)).await;
    until_redis(&first.address, "redis").await;
    until_redis(&second, "redis").await;

    // 150 requests, 10 at a time, alternating instances and tokens.
    let mut statuses = Vec::new();
    for round in 0..15 {
        let calls = (0..10).map(|i| {
            let address = if (round + i) % 2 == 0 {
                &first.address
            } else {
                &second
            };
            let secret = if i % 3 == 0 { &web } else { &batch };
            verify(address, secret, "")
        });
        statuses.extend(join_all(calls).await);
    }
    let admitted = statuses.iter().filter(|v| v.status == 200).count();
    let refused: Vec<_> = statuses.iter().filter(|v| v.status == 429).collect();
    assert_eq!(admitted + refused.len(), 150);
    // Counted in Redis before they are spent: never more than the limit. A minute
    // boundary during the test frees a request as the previous minute's weight
    // fades.
    assert!((100..=101).contains(&admitted), "admitted {admitted}");
    for answer in &refused {
        assert_eq!(answer.json["code"], "rate_limited");
        assert_eq!(
            answer.header("ratelimit-policy"),
            Some("\"requests\";q=100;w=60")
        );
        assert!(answer.header("retry-after").is_some());
    }
    let metrics = awc::Client::default()
        .get(format!("{}/metrics", first.address))
        .send()
        .await
        .unwrap()
        .body()
        .await
        .unwrap();
    let metrics = String::from_utf8_lossy(&metrics).into_owned();
    assert!(metrics.contains("tessera_shared_limits_up 1"), "{metrics}");
    let trips = metrics
        .lines()
        .find_map(|l| l.strip_prefix("tessera_shared_limits_round_trips_total "))
        .and_then(|n| n.trim().parse::<f64>().ok())
        .unwrap();
    assert!(
        trips < 75.0,
        "allowances save round trips: {trips} for ~75 requests"
    );
}

#[actix_web::test]
async fn redis_stopped_and_restarted_mid_test_fails_open_then_shares_again() {
    let mut redis = RedisServer::start();
    let app = spawn_app_with(sharing(&redis, WhenDownArg::Open)).await;
    let limit = json!({ "ratelimits": [{ "name": "burst", "limit": 3, "period": 86400 }] });
    let (web, _) = limited_acme(&app, limit).await;
    until_redis(&app.address, "redis").await;
    for _ in 0..3 {
        assert_eq!(verify(&app.address, &web, "").await.status, 200);
    }
    assert_eq!(verify(&app.address, &web, "").await.status, 429);

    redis.stop();
    // The next allowance fails: this instance judges alone, as the policy says.
    let alone = verify(&app.address, &web, "").await;
    assert_eq!(alone.status, 200, "{}", alone.json);
    until_redis(&app.address, "redis_down").await;
    assert_eq!(readiness(&app.address).await["when_redis_down"], "open");

    redis.restart();
    until_redis(&app.address, "redis").await;
    // Redis lost its counts (no persistence): the limit counts from zero again.
    let mut passed = 0;
    for _ in 0..5 {
        if verify(&app.address, &web, "").await.status == 200 {
            passed += 1;
        }
    }
    assert_eq!(passed, 3);
}

#[actix_web::test]
async fn with_redis_down_a_closed_policy_refuses_limited_tokens_only() {
    let mut redis = RedisServer::start();
    let app = spawn_app_with(sharing(&redis, WhenDownArg::Closed)).await;
    let limit = json!({ "ratelimits": [{ "name": "requests", "limit": 1000, "period": 60 }] });
    let (web, _) = limited_acme(&app, limit).await;
    until_redis(&app.address, "redis").await;
    assert_eq!(verify(&app.address, &web, "").await.status, 200);
    redis.stop();
    until_redis(&app.address, "redis_down").await;
    let refused = verify(&app.address, &web, "").await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.header("retry-after"), Some("1"));
    assert_eq!(readiness(&app.address).await["when_redis_down"], "closed");
}
