//! The Usage tab and the usage API: the counts of a token's requests, to
//! administrators (and keys) of its scopes only.

use serde_json::json;

use crate::helpers::{ApiClient, spawn_app_with};
use crate::usage_counts::{counted_exactly, expect, flushing_every_second};
use crate::verification::{call, verify};

#[actix_web::test]
async fn the_usage_tab_shows_the_counts_to_administrators_of_the_tokens_scopes() {
    let app = spawn_app_with(flushing_every_second()).await;
    let ada = app.with_examples().await;
    let production = app.scope_id("Production");
    let token = ada.create_token("Counted", &production, &[]).await;
    for _ in 0..4 {
        assert_eq!(
            verify(&app, &token.secret, "?module=orders&action=read")
                .await
                .0,
            200
        );
    }
    assert_eq!(
        verify(&app, &token.secret, "?module=orders&action=write")
            .await
            .0,
        403
    );
    let auth = format!("Bearer {}", token.secret);
    for agent in ["billing-sync/2.1", "billing-sync/2.2"] {
        let headers = [("authorization", auth.as_str()), ("user-agent", agent)];
        assert_eq!(
            call(&app, "GET", "/api/v1/verify", &headers, None).await.0,
            200
        );
    }
    let counts = expect(&[
        ("valid /", 2),
        ("valid orders/read", 4),
        ("insufficient_permissions /", 1),
    ]);
    counted_exactly(&app, &token.guid, &counts).await;

    let tab = format!("/settings/api-tokens/{}/usage", token.guid);
    for period in ["24h", "7d", "30d", "90d", "forever"] {
        let page = ada.get(&format!("{tab}?period={period}")).await;
        assert_eq!(page.status, 200, "{period}");
        let html = page.html();
        assert_eq!(html.texts(".usage-totals dd"), ["7", "6", "1"], "{period}");
        assert_eq!(
            html.texts(".chart-legend li"),
            ["Allowed 6", "Insufficient permissions 1"]
        );
        let bars = html.count(".chart-bar");
        let expected = match period {
            "24h" => 24,
            "30d" => 30,
            "90d" => 90,
            _ => 168,
        };
        assert_eq!(bars, expected, "{period}");
        assert_eq!(
            html.texts("#usage-by-module tbody td")[..3],
            ["orders", "Read", "4"]
        );
    }
    let current = ada.get(&format!("{tab}?period=forever")).await.html();
    // The clients that passed, the latest first: the user agent tells them apart.
    let clients = current.texts("#usage-clients tbody td:nth-child(2)");
    assert_eq!(clients[..2], ["billing-sync/2.2", "billing-sync/2.1"]);
    assert!(
        current
            .texts("#usage-clients tbody td:first-child")
            .iter()
            .all(|ip| ip == "127.0.0.1")
    );
    assert_eq!(
        current.texts(".period-links a[aria-current]"),
        ["Last 7 days"],
        "an unknown period shows the last 7 days"
    );

    // The same numbers as CSV: a row per hour, a column per outcome.
    let csv = ada.get(&format!("{tab}.csv?period=24h")).await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.headers["content-type"], ["text/csv; charset=utf-8"]);
    let disposition = &csv.headers["content-disposition"][0];
    assert!(
        disposition.starts_with("attachment") && disposition.contains("-24h-"),
        "{disposition}"
    );
    let lines: Vec<&str> = csv.body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 1 + 24);
    assert!(lines[0].starts_with("start,valid,invalid,expired,"));
    assert!(lines[0].ends_with(",total"));
    let total: i64 = lines[1..]
        .iter()
        .map(|l| l.rsplit(',').next().unwrap().parse::<i64>().unwrap())
        .sum();
    assert_eq!(total, 7);

    let staging = app.scope_id("Staging");
    let sam = app
        .add_admin(&ada, "sam@example.com", "token_manager", &[&staging])
        .await;
    let refused = sam.get(&tab).await;
    assert_eq!(refused.status, 404);
    assert!(!refused.body.contains("orders"));
    let refused = sam.get(&format!("{tab}.csv")).await;
    assert_eq!(refused.status, 404);
    assert!(!refused.body.contains("valid"));
}

#[actix_web::test]
async fn the_api_answers_the_same_counts_within_the_keys_scopes() {
    let app = spawn_app_with(flushing_every_second()).await;
    let ada = app.with_examples().await;
    let token = ada
        .create_token("Counted", &app.scope_id("Production"), &[])
        .await;
    for _ in 0..3 {
        assert_eq!(
            verify(&app, &token.secret, "?module=orders&action=read")
                .await
                .0,
            200
        );
    }
    assert_eq!(
        verify(&app, &token.secret, "?module=billing&action=write")
            .await
            .0,
        403
    );
    let counts = expect(&[("valid orders/read", 3), ("insufficient_permissions /", 1)]);
    counted_exactly(&app, &token.guid, &counts).await;

    let production = app
        .api_key(&ada, "prod", &["tokens.read"], &["Production"])
        .await;
    let client = ApiClient::new(&app, &production);
    let path = format!("/api/v1/tokens/{}/usage", token.guid);
    let week = client.send("GET", &path, &[], None).await;
    assert_eq!(week.status, 200, "{}", week.json);
    assert_eq!(week.json["granularity"], "hour");
    assert_eq!(week.json["buckets"].as_array().unwrap().len(), 168);
    assert_eq!(
        week.json["totals"],
        json!({"valid": 3, "insufficient_permissions": 1})
    );
    let summed: i64 = week.json["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["total"].as_i64().unwrap())
        .sum();
    assert_eq!(summed, 4);
    assert_eq!(week.json["access"][0]["module"], "orders");
    assert_eq!(week.json["access"][0]["action"], "read");
    assert_eq!(week.json["access"][0]["requests"], 3);
    assert!(week.json["access"][0]["last_used_at"].is_string());

    let today = time::OffsetDateTime::now_utc().date();
    let daily = client
        .send(
            "GET",
            &format!(
                "{path}?from={}&granularity=day",
                today - time::Duration::days(29)
            ),
            &[],
            None,
        )
        .await;
    assert_eq!(daily.status, 200, "{}", daily.json);
    assert_eq!(daily.json["buckets"].as_array().unwrap().len(), 30);
    assert_eq!(daily.json["totals"]["valid"], 3);

    for (query, status) in [
        ("?granularity=minute", 400),
        ("?from=yesterday", 400),
        ("?from=2026-12-05&to=2026-12-01", 422),
        ("?from=2026-12-01T00:00:00Z", 400),
        ("?from=2020-01-01&granularity=hour", 422),
    ] {
        let refused = client
            .send("GET", &format!("{path}{query}"), &[], None)
            .await;
        assert_eq!(refused.status, status, "{query}: {}", refused.json);
        assert!(
            refused.json["detail"]
                .as_str()
                .is_some_and(|d| !d.is_empty())
        );
    }

    let staging = app
        .api_key(&ada, "stage", &["tokens.read"], &["Staging"])
        .await;
    let other = ApiClient::new(&app, &staging)
        .send("GET", &path, &[], None)
        .await;
    assert_eq!(other.status, 404);
    assert!(!other.json.to_string().contains("orders"));
}
