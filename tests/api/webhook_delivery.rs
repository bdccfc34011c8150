//! Webhook deliveries are never lost and never doubled: an instance killed with
//! SIGKILL between a failed attempt and its retry leaves the delivery to the next
//! one, and two instances on one database send each event once.

use std::collections::HashSet;
use std::process::{Child, Stdio};
use std::time::Duration;

use crate::helpers::{
    Receiver, TestApp, WEBHOOK_KEY, add_endpoint, eventually, spawn_instance, webhook_app,
    webhook_args,
};

/// `tessera serve` as its own process, sending webhooks, on the test's database.
fn serving(app: &TestApp) -> Child {
    crate::process::tessera(&app.db)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("TESSERA_ENCRYPTION_KEY", WEBHOOK_KEY)
        .env("TESSERA_WEBHOOK_ALLOW_HTTP", "true")
        .env("TESSERA_WEBHOOK_ALLOW_PRIVATE", "true")
        .env("TESSERA_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[actix_web::test]
async fn a_delivery_survives_kill_9_and_is_sent_after_the_restart() {
    let receiver = Receiver::start();
    receiver.answer(503);
    // The admin app of this instance sends nothing: the processes below do.
    let app = webhook_app(false).await;
    let ada = app.with_examples().await;
    add_endpoint(&ada, &receiver.url, &["token.created"]).await;
    app.token(&ada)
        .named("kept")
        .scope("Production")
        .create()
        .await;

    let mut first = serving(&app);
    eventually("the first attempt", || receiver.received().len() == 1).await;
    // Killed between the failed attempt and its retry: once the failure is recorded
    // (killed during the attempt, the delivery would wait for its claim to lapse).
    eventually("the failure recorded", || {
        app.count("webhook_deliveries WHERE attempts = 1") == 1
    })
    .await;
    first.kill().unwrap(); // SIGKILL: no shutdown of any kind
    first.wait().unwrap();
    receiver.answer(204);

    let mut second = serving(&app);
    eventually("the retry after the restart", || {
        receiver.received().len() == 2
    })
    .await;
    let got = receiver.received();
    assert_eq!(got[0].id, got[1].id, "the same message, retried");
    eventually("recorded as delivered", || {
        app.count("webhook_deliveries WHERE state = 'delivered' AND attempts = 2") == 1
    })
    .await;
    second.kill().unwrap();
    second.wait().unwrap();
}

#[actix_web::test]
async fn two_instances_send_each_event_once() {
    let receiver = Receiver::start();
    let app = webhook_app(true).await;
    let ada = app.with_examples().await;
    spawn_instance(&app, webhook_args(true)).await;
    add_endpoint(&ada, &receiver.url, &["token.created"]).await;
    for n in 0..20 {
        app.token(&ada)
            .named(&format!("twice-{n}"))
            .scope("Production")
            .create()
            .await;
    }
    eventually("twenty events", || receiver.received().len() >= 20).await;
    // Time for a second sender to send anything twice.
    actix_web::rt::time::sleep(Duration::from_secs(3)).await;
    let got = receiver.received();
    let ids: HashSet<&str> = got.iter().map(|r| r.id.as_str()).collect();
    assert_eq!((got.len(), ids.len()), (20, 20), "each event once");
}
