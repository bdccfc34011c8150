//! Usage counts: every answer of the verification endpoints is counted, added to the
//! database in a few statements per flush whatever the number of requests, and
//! two instances on one database add up.

use std::collections::BTreeMap;
use std::time::Duration;

use diesel::RunQueryDsl;
use tessera::config::ServeArgs;

use crate::helpers::{Browser, CreatedToken, TestApp, spawn_app_with, spawn_instance};
use crate::verification::{call, metric, verify};

pub fn flushing_every_second() -> ServeArgs {
    ServeArgs {
        usage_flush_seconds: 1,
        ..ServeArgs::default()
    }
}

#[derive(diesel::QueryableByName)]
struct Counted {
    #[diesel(sql_type = diesel::sql_types::Text)]
    outcome: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    module: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    action: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    total: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    hours: i64,
}

/// The token's stored counts: "outcome module/action" → requests. Each row's hours
/// must add up to its total.
fn counts_of(app: &TestApp, guid: &str) -> BTreeMap<String, i64> {
    let hours: Vec<String> = (0..24).map(|h| format!("COALESCE(u.h{h}, 0)")).collect();
    let rows: Vec<Counted> = diesel::sql_query(format!(
        "SELECT u.outcome, u.module, u.action, CAST(SUM(u.total) AS BIGINT) AS total, \
         CAST(SUM({}) AS BIGINT) AS hours FROM token_usage u JOIN api_tokens t ON t.id = \
         u.token_id WHERE t.guid = '{guid}' GROUP BY u.outcome, u.module, u.action",
        hours.join(" + ")
    ))
    .load(&mut app.conn())
    .unwrap();
    rows.into_iter()
        .map(|r| {
            assert_eq!(r.hours, r.total, "hours add up to the total");
            (format!("{} {}/{}", r.outcome, r.module, r.action), r.total)
        })
        .collect()
}

fn unknown_total(app: &TestApp, client_ip: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Total {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        total: i64,
    }
    diesel::sql_query(format!(
        "SELECT CAST(COALESCE(SUM(total), 0) AS BIGINT) AS total FROM unknown_token_usage \
         WHERE client_ip = '{client_ip}'"
    ))
    .get_result::<Total>(&mut app.conn())
    .unwrap()
    .total
}

/// Waits until the token's stored counts are `expected`, then a flush period more,
/// and checks that nothing more was added.
pub async fn counted_exactly(app: &TestApp, guid: &str, expected: &BTreeMap<String, i64>) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while &counts_of(app, guid) != expected && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(&counts_of(app, guid), expected);
}

pub fn expect(counts: &[(&str, i64)]) -> BTreeMap<String, i64> {
    counts.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

async fn forward_auth(app: &TestApp, secret: &str, uri: &str) -> u16 {
    let auth = format!("Bearer {secret}");
    let headers = [
        ("authorization", auth.as_str()),
        ("x-original-uri", uri),
        ("x-original-method", "GET"),
    ];
    call(app, "GET", "/api/v1/auth", &headers, None).await.0
}

/// A read-only token in Production.
async fn reader(app: &TestApp, admin: &Browser) -> CreatedToken {
    admin
        .create_token("Counted", &app.scope_id("Production"), &[])
        .await
}

#[actix_web::test]
async fn every_answer_is_counted_exactly_in_a_few_statements_per_flush() {
    let app = spawn_app_with(flushing_every_second()).await;
    let admin = app.with_examples().await;
    let token = reader(&app, &admin).await;
    let flushes_before = metric(&app, "tessera_usage_count_flushes_total").await;
    let statements_before = metric(&app, "tessera_usage_count_statements_total").await;

    for _ in 0..5 {
        assert_eq!(verify(&app, &token.secret, "").await.0, 200);
    }
    for _ in 0..3 {
        let (status, _) = verify(&app, &token.secret, "?module=orders&action=read").await;
        assert_eq!(status, 200);
    }
    for _ in 0..2 {
        let (status, _) = verify(&app, &token.secret, "?module=orders&action=write").await;
        assert_eq!(status, 403);
    }
    assert_eq!(forward_auth(&app, &token.secret, "/billing/7").await, 200);
    let ambiguous = "/orders/..%2fbilling/1";
    assert_eq!(forward_auth(&app, &token.secret, ambiguous).await, 403);
    // Who presents no usable token learns nothing about the path.
    assert_eq!(forward_auth(&app, "tsr_nothing", ambiguous).await, 401);
    for i in 0..4 {
        assert_eq!(verify(&app, &format!("tsr_{i:0>46}"), "").await.0, 401);
    }
    let expected = expect(&[
        ("valid /", 5),
        ("valid orders/read", 3),
        ("valid billing/read", 1),
        ("insufficient_permissions /", 2),
        ("ambiguous_path /", 1),
    ]);
    counted_exactly(&app, &token.guid, &expected).await;
    assert_eq!(
        unknown_total(&app, ""),
        5,
        "every malformed token, in aggregate"
    );
    assert_eq!(unknown_total(&app, "127.0.0.1"), 5, "and by address");
    assert_eq!(
        app.count("token_permission_uses WHERE module = 'orders' AND action = 'read'"),
        1
    );
    assert_eq!(
        app.count("token_permission_uses"),
        2,
        "orders and billing, read"
    );

    // However many requests, a flush runs a few statements: one per table and hour.
    let flushes = metric(&app, "tessera_usage_count_flushes_total").await - flushes_before;
    let statements = metric(&app, "tessera_usage_count_statements_total").await - statements_before;
    assert!(flushes >= 1);
    assert!(
        statements <= 3 * 2 * flushes,
        "{statements} statements in {flushes} flushes"
    );
    let before = metric(&app, "tessera_usage_count_statements_total").await;
    let flushes_before = metric(&app, "tessera_usage_count_flushes_total").await;
    for _ in 0..200 {
        verify(&app, &token.secret, "?module=orders&action=read").await;
    }
    let expected = expect(&[
        ("valid /", 5),
        ("valid orders/read", 203),
        ("valid billing/read", 1),
        ("insufficient_permissions /", 2),
        ("ambiguous_path /", 1),
    ]);
    counted_exactly(&app, &token.guid, &expected).await;
    let flushes = metric(&app, "tessera_usage_count_flushes_total").await - flushes_before;
    let statements = metric(&app, "tessera_usage_count_statements_total").await - before;
    assert!(
        statements <= 2 * 2 * flushes,
        "200 requests: {statements} statements in {flushes} flushes"
    );
}

#[actix_web::test]
async fn two_instances_on_one_database_add_up() {
    let first = spawn_app_with(flushing_every_second()).await;
    let admin = first.with_examples().await;
    let token = reader(&first, &admin).await;
    let second = TestApp {
        address: spawn_instance(&first, flushing_every_second()).await,
        setup_url: None,
        db: crate::helpers::TestDatabase::sqlite(),
    };
    for _ in 0..7 {
        assert_eq!(verify(&first, &token.secret, "").await.0, 200);
        assert_eq!(verify(&second, &token.secret, "").await.0, 200);
    }
    counted_exactly(&first, &token.guid, &expect(&[("valid /", 14)])).await;
}

#[actix_web::test]
async fn counts_survive_a_database_that_refuses_them_for_a_while() {
    let app = spawn_app_with(flushing_every_second()).await;
    let admin = app.with_examples().await;
    let token = reader(&app, &admin).await;
    // The table is taken away, then given back: the counts wait in memory meanwhile.
    diesel::sql_query("ALTER TABLE token_usage RENAME TO token_usage_away")
        .execute(&mut app.conn())
        .unwrap();
    for _ in 0..6 {
        assert_eq!(verify(&app, &token.secret, "").await.0, 200);
    }
    tokio::time::sleep(Duration::from_millis(2500)).await;
    diesel::sql_query("ALTER TABLE token_usage_away RENAME TO token_usage")
        .execute(&mut app.conn())
        .unwrap();
    counted_exactly(&app, &token.guid, &expect(&[("valid /", 6)])).await;
}

#[actix_web::test]
async fn with_counting_off_nothing_is_counted_and_last_uses_still_are() {
    let app = spawn_app_with(ServeArgs {
        usage_counting: false,
        ..flushing_every_second()
    })
    .await;
    let admin = app.with_examples().await;
    let token = reader(&app, &admin).await;
    for _ in 0..3 {
        assert_eq!(verify(&app, &token.secret, "").await.0, 200);
    }
    crate::helpers::eventually("the last use is written", || {
        app.count("api_tokens WHERE last_used_at IS NOT NULL") == 1
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(counts_of(&app, &token.guid).is_empty());
    assert_eq!(app.count("token_usage"), 0);
}
