//! Credits are written with the usage flush, not per request: what a `kill -9`
//! loses is bounded by the spending since the last flush, and the flush's refill
//! lands on the calendar boundary whatever order instances write in.

use std::net::TcpListener;
use std::process::Stdio;

use serde_json::json;
use tessera::db::limits::{Spent, spend};
use time::macros::datetime;

use crate::helpers::{TestApp, eventually, spawn_app};
use crate::usage_control::{metered, verify};

fn remaining(app: &TestApp) -> i64 {
    app.texts("SELECT CAST(remaining AS TEXT) AS t FROM credits")[0]
        .parse()
        .unwrap()
}

#[actix_web::test]
async fn a_kill_9_loses_at_most_the_spending_since_the_last_flush() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    let (_, _, value) = metered(&app, &ada, "metered", json!({ "remaining": 100 })).await;

    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let address = format!("http://127.0.0.1:{port}");
    let mut serving = crate::process::tessera(&app.db)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("TESSERA_USAGE_FLUSH_SECONDS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    eventually("the process listens", || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    })
    .await;
    for _ in 0..30 {
        assert_eq!(verify(&address, &value, "").await.status, 200);
    }
    eventually("the 30 are written", || remaining(&app) == 70).await;
    // Five more, then SIGKILL before the next flush can write them.
    for _ in 0..5 {
        assert_eq!(verify(&address, &value, "").await.status, 200);
    }
    serving.kill().unwrap();
    serving.wait().unwrap();
    let left = remaining(&app);
    assert!(
        (65..=70).contains(&left),
        "lost at most the 5 since the flush: {left}"
    );
}

#[actix_web::test]
async fn the_flush_refills_at_the_boundary_once_whatever_the_order_of_instances() {
    let app = spawn_app().await;
    let ada = app.with_examples().await;
    metered(
        &app,
        &ada,
        "monthly",
        json!({ "remaining": 5, "refill": { "interval": "month", "amount": 50 } }),
    )
    .await;
    app.execute("UPDATE credits SET refilled_at = '2026-11-01 00:00:00'");
    let id: i64 = app.texts("SELECT CAST(id AS TEXT) AS t FROM credits")[0]
        .parse()
        .unwrap();
    let mut conn = app.conn();
    let spent = |amount, period| Spent {
        id,
        version: 1,
        amount,
        period: Some(period),
    };

    // November's spending, then December's (the first after the boundary refills).
    spend(&mut conn, spent(2, datetime!(2026-11-01 0:00))).unwrap();
    assert_eq!(remaining(&app), 3);
    spend(&mut conn, spent(4, datetime!(2026-12-01 0:00))).unwrap();
    assert_eq!(
        remaining(&app),
        46,
        "refilled to 50 at 00:00 UTC on the 1st, then 4 spent"
    );
    // Another instance's November spending, written late, counts no more.
    spend(&mut conn, spent(1, datetime!(2026-11-01 0:00))).unwrap();
    assert_eq!(remaining(&app), 46);
    // A second December writer takes off its own, without refilling again.
    spend(&mut conn, spent(6, datetime!(2026-12-01 0:00))).unwrap();
    assert_eq!(remaining(&app), 40);
    // Spending on credits set anew since (another version) counts no more either.
    spend(
        &mut conn,
        Spent {
            version: 0,
            ..spent(9, datetime!(2026-12-01 0:00))
        },
    )
    .unwrap();
    assert_eq!(remaining(&app), 40);
    assert_eq!(
        app.texts("SELECT CAST(refilled_at AS TEXT) AS t FROM credits")[0][..10],
        *"2026-12-01"
    );
}
