//! Settings > Usage, its CSV and API, and the token list's requests column: the
//! requests of the tokens of an administrator's scopes (each request once), their
//! busiest and most refused tokens, and for Super Admins the unknown tokens.

use std::time::Duration;

use tessera::config::ServeArgs;
use tessera::db::usage::{TokenCount, add_token_counts};
use tessera::db::usage_leaders::leaders_of;
use tessera::domain::ids::TokenId;
use tessera::domain::scopes::ScopeAccess;
use tessera::domain::usage::overview::Ranking;
use tessera::domain::usage::series::Period;
use tessera::domain::usage::{Day, Hour};
use tessera::domain::verification::Outcome;
use tessera::services::usage_overview::rank;
use time::macros::datetime;

use crate::helpers::{ApiClient, Browser, spawn_app, spawn_app_with};
use crate::usage_counts::{counted_exactly, expect};
use crate::verification::verify;

/// The page's totals, and the names in its busiest and most refused tables.
async fn usage_page(admin: &Browser) -> (Vec<String>, Vec<String>, Vec<String>, String) {
    let page = admin.get("/settings/usage?period=24h").await;
    assert_eq!(page.status, 200);
    let html = page.html();
    (
        html.texts(".usage-totals dd"),
        html.texts("#usage-busiest tbody td:first-child"),
        html.texts("#usage-most-refused tbody td:first-child"),
        page.body,
    )
}

fn csv_total(body: &str) -> i64 {
    body.lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap().parse::<i64>().unwrap())
        .sum()
}

#[actix_web::test]
async fn each_administrator_sees_the_requests_of_their_scopes_once() {
    let app = spawn_app_with(ServeArgs {
        usage_flush_seconds: 1,
        usage_ranking_seconds: 1,
        ..ServeArgs::default()
    })
    .await;
    let ada = app.with_examples().await;
    let (production, staging) = (app.scope_id("Production"), app.scope_id("Staging"));
    let orders = ada.create_token("Orders sync", &production, &[]).await;
    let stage = ada.create_token("Stage probe", &staging, &[]).await;
    let both = ada
        .create_token("Both ways", &production, &[("scopes", &staging)])
        .await;
    for (token, query, times, status) in [
        (&orders, "?module=orders&action=read", 4, 200),
        (&orders, "?module=orders&action=write", 1, 403),
        (&stage, "", 2, 200),
        (&both, "", 1, 200),
    ] {
        for _ in 0..times {
            assert_eq!(verify(&app, &token.secret, query).await.0, status);
        }
    }
    for _ in 0..2 {
        assert_eq!(verify(&app, "tsk_not_a_token", "").await.0, 401);
    }
    counted_exactly(
        &app,
        &orders.guid,
        &expect(&[("valid orders/read", 4), ("insufficient_permissions /", 1)]),
    )
    .await;
    counted_exactly(&app, &stage.guid, &expect(&[("valid /", 2)])).await;
    counted_exactly(&app, &both.guid, &expect(&[("valid /", 1)])).await;

    // The ranking runs every second here: wait for the one that saw every count.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let (totals, busiest, refused, body) = loop {
        let page = usage_page(&ada).await;
        if page.1.len() == 3 || std::time::Instant::now() > deadline {
            break page;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(totals, ["8", "7", "1"]);
    assert_eq!(busiest, ["Orders sync", "Stage probe", "Both ways"]);
    assert_eq!(refused, ["Orders sync"]);
    assert!(body.contains("Malformed and unknown tokens"));
    let html = ada.get("/settings/usage?period=24h").await.html();
    assert_eq!(
        html.texts("#usage-unknown-addresses tbody td"),
        ["127.0.0.1", "2"]
    );
    // The CSV of a Super Admin counts the unknown tokens too, as `invalid`.
    let csv = ada.get("/settings/usage.csv?period=7d").await;
    assert_eq!(csv.headers["content-type"], ["text/csv; charset=utf-8"]);
    assert_eq!(csv.body.lines().count(), 1 + 168);
    assert_eq!(csv_total(&csv.body), 8 + 2);

    // A manager of Staging sees its two tokens and nothing of Production's.
    let sam = app
        .add_admin(&ada, "sam@example.com", "token_manager", &[&staging])
        .await;
    let (totals, busiest, refused, body) = usage_page(&sam).await;
    assert_eq!(totals, ["3", "3", "0"]);
    assert_eq!(busiest, ["Stage probe", "Both ways"]);
    assert!(refused.is_empty());
    assert!(!body.contains("Orders sync") && !body.contains("Malformed and unknown"));
    assert_eq!(csv_total(&sam.get("/settings/usage.csv").await.body), 3);
    // Of both scopes: the token in both is counted once.
    let pat = app
        .add_admin(
            &ada,
            "pat@example.com",
            "token_manager",
            &[&production, &staging],
        )
        .await;
    let (totals, busiest, _, body) = usage_page(&pat).await;
    assert_eq!(totals, ["8", "7", "1"]);
    assert_eq!(busiest.len(), 3);
    assert!(!body.contains("Malformed and unknown"));

    // The API answers the same, within the key's scopes.
    let all = ApiClient::new(&app, &app.api_key(&ada, "all", &["tokens.read"], &[]).await);
    let summary = all.send("GET", "/api/v1/usage", &[], None).await;
    assert_eq!(summary.status, 200, "{}", summary.json);
    assert_eq!(
        summary.json["totals"],
        serde_json::json!({"valid": 7, "insufficient_permissions": 1})
    );
    assert_eq!(summary.json["unknown_tokens"]["total"], 2);
    assert_eq!(
        summary.json["unknown_tokens"]["top_addresses"][0]["ip"],
        "127.0.0.1"
    );
    let staging_key = app
        .api_key(&ada, "stage", &["tokens.read"], &["Staging"])
        .await;
    let staging_client = ApiClient::new(&app, &staging_key);
    let summary = staging_client.send("GET", "/api/v1/usage", &[], None).await;
    assert_eq!(summary.json["totals"], serde_json::json!({"valid": 3}));
    assert!(summary.json["unknown_tokens"].is_null());
    let top = staging_client
        .send("GET", "/api/v1/usage/top-tokens?period=24h", &[], None)
        .await;
    assert_eq!(top.status, 200, "{}", top.json);
    let guids: Vec<&str> = top.json["busiest"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["guid"].as_str().unwrap())
        .collect();
    assert_eq!(guids, [stage.guid.as_str(), both.guid.as_str()]);
    assert!(top.json["ranked_at"].is_string());
    for (query, status) in [("?period=1y", 400), ("?granularity=minute", 400)] {
        let path = if query.contains("period") {
            "/api/v1/usage/top-tokens"
        } else {
            "/api/v1/usage"
        };
        let refused = staging_client
            .send("GET", &format!("{path}{query}"), &[], None)
            .await;
        assert_eq!(refused.status, status, "{query}: {}", refused.json);
    }
    let no_read = app.api_key(&ada, "audit", &["audit.read"], &[]).await;
    let refused = ApiClient::new(&app, &no_read)
        .send("GET", "/api/v1/usage", &[], None)
        .await;
    assert_eq!(refused.status, 403);

    // The token list draws each token's last 7 days beside their sum.
    let list = ada
        .get("/settings/api-tokens?sort=name&direction=asc")
        .await
        .html();
    let sums = list.texts(".token-table tbody .col-requests .sparkline-total");
    let names = list.texts(".token-table tbody .token-name");
    let of = |name: &str| sums[names.iter().position(|n| n == name).unwrap()].clone();
    assert_eq!(
        (of("Orders sync"), of("Stage probe"), of("Both ways")),
        ("5".into(), "2".into(), "1".into())
    );
    assert!(list.count(".token-table tbody .col-requests .sparkline rect") >= 3);
}

#[actix_web::test]
async fn tokens_are_ranked_over_each_period_once_per_interval() {
    let app = spawn_app().await;
    let db = tessera::startup::open_database(&app.db.args(), None).unwrap();
    // After any ranking the server's own job makes at its start, at the real time.
    let now = datetime!(2126-12-06 00:30);
    let today = Day::of(now);
    let count = |token: i64, day: Day, of_day: u8, outcome: Outcome, requests: i64| TokenCount {
        token_id: TokenId(token),
        hour: Hour { day, of_day },
        outcome,
        access: None,
        requests,
    };
    add_token_counts(
        &mut app.conn(),
        &[
            count(1, today, 0, Outcome::Valid, 5),
            // 24.5 hours ago: in the last 7 days, not in the last 24 hours.
            count(2, today.plus(-1), 0, Outcome::Valid, 3),
            count(2, today.plus(-1), 1, Outcome::Revoked, 1),
            count(3, today.plus(-40), 12, Outcome::Expired, 9),
        ],
    )
    .unwrap();
    let hour = time::Duration::HOUR;
    // The server ranks once as it starts, at the real time: this first ranking may
    // lose the race to it, once.
    let mut ranked = rank(&db, now, hour).await.unwrap();
    if ranked.is_none() {
        ranked = rank(&db, now, hour).await.unwrap();
    }
    assert!(ranked.is_some());
    assert_eq!(
        rank(&db, now + time::Duration::MINUTE, hour).await.unwrap(),
        None,
        "not its turn"
    );
    let ids = |period: Period, ranking: Ranking| -> Vec<(i64, i64)> {
        let mut leaders = leaders_of(&mut app.conn(), &ScopeAccess::All, period, ranking).unwrap();
        leaders.sort_by_key(|l| std::cmp::Reverse(l.totals.requests));
        leaders
            .iter()
            .map(|l| (l.token_id.0, l.totals.requests))
            .collect()
    };
    assert_eq!(ids(Period::Day, Ranking::Requests), [(1, 5), (2, 1)]);
    assert_eq!(ids(Period::Week, Ranking::Requests), [(1, 5), (2, 4)]);
    assert_eq!(ids(Period::Week, Ranking::Refused), [(2, 4)]);
    assert_eq!(ids(Period::Quarter, Ranking::Refused), [(3, 9), (2, 4)]);
    assert_eq!(ids(Period::Month, Ranking::Requests), [(1, 5), (2, 4)]);
    // Tokens in no scope are for administrators of every scope only.
    let none = leaders_of(
        &mut app.conn(),
        &ScopeAccess::Scopes(vec![1]),
        Period::Week,
        Ranking::Requests,
    );
    assert!(none.unwrap().is_empty());
    // Two instances at their turn: one ranks.
    let later = now + 2 * hour;
    let (a, b) = tokio::join!(rank(&db, later, hour), rank(&db, later, hour));
    let ranked = [a.unwrap(), b.unwrap()];
    assert_eq!(
        ranked.iter().filter(|r| r.is_some()).count(),
        1,
        "{ranked:?}"
    );
}
