//! The retention rule: webhook deliveries and mails that ended, and the events no
//! delivery needs, go once they are older than the period kept; idempotency keys
//! after their day; pending work never; each removal is in the audit log.

use std::time::Duration;

use tessera::db::retention::Removed;
use tessera::services::mail::send_waiting;
use tessera::services::retention;
use tessera::services::webhooks::delivery::run_once;

use crate::helpers::{
    ApiClient, MailServer, Receiver, WEBHOOK_KEY, add_endpoint, spawn_app_with, test_sender,
    webhook_args,
};
use crate::management_api::new_token;

#[actix_web::test]
async fn what_ended_goes_after_the_period_kept_and_pending_work_stays() {
    let receiver = Receiver::start();
    let failing = Receiver::start();
    failing.answer(503);
    let smtp = MailServer::start();
    let app = spawn_app_with(smtp.args(webhook_args(false))).await;
    let ada = app.with_examples().await;
    add_endpoint(&ada, &receiver.url, &["token.created"]).await;
    add_endpoint(&ada, &failing.url, &["token.created"]).await;
    let key = app
        .api_key(&ada, "bot", &["tokens.read", "tokens.create"], &[])
        .await;
    let created = ApiClient::new(&app, &key)
        .send(
            "POST",
            "/api/v1/tokens",
            &[("idempotency-key", "k-1")],
            Some(&new_token("by the API", "Production")),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.json);
    app.token(&ada)
        .named("by the page")
        .scope("Production")
        .create()
        .await;
    ada.get("/settings/notifications").await;
    ada.post("/settings/notifications/test-mail", &[]).await;

    let db = tessera::startup::open_database(&app.db.args(), None).unwrap();
    let keys = crate::helpers::webhook_keys(WEBHOOK_KEY);
    let sender = test_sender(&keys, Duration::from_secs(10));
    let t0 = tessera::db::now();
    let round = run_once(&db, sender, t0).await.unwrap();
    assert_eq!((round.sent, round.delivered), (4, 2));
    send_waiting(&db, &smtp.settings(), t0).await.unwrap();
    assert_eq!(app.count("mail_outbox WHERE sent_at IS NOT NULL"), 1);

    let keep = time::Duration::days(30);
    let apply = |at| retention::apply(&db, keep, at);
    let hours = time::Duration::hours;
    assert_eq!(apply(t0 + hours(2)).await.unwrap(), Removed::default());
    assert_eq!(
        apply(t0 + hours(25)).await.unwrap(),
        Removed {
            idempotency_keys: 1,
            ..Removed::default()
        },
        "an idempotency key lasts its day"
    );
    assert_eq!(
        apply(t0 + time::Duration::days(31)).await.unwrap(),
        Removed {
            webhook_deliveries: 2,
            mails: 1,
            ..Removed::default()
        },
        "the delivered ones and the mail; the events wait for their pending deliveries"
    );
    assert_eq!(app.count("webhook_deliveries WHERE state = 'pending'"), 2);
    assert_eq!(app.count("outbox_events"), 2);

    // The failing receiver is back: once those are delivered and old, all goes.
    failing.answer(204);
    let later = t0 + time::Duration::days(31);
    assert_eq!(run_once(&db, sender, later).await.unwrap().delivered, 2);
    assert_eq!(
        apply(later + time::Duration::days(31)).await.unwrap(),
        Removed {
            webhook_deliveries: 2,
            outbox_events: 2,
            ..Removed::default()
        }
    );
    assert_eq!(app.count("webhook_deliveries"), 0);
    assert_eq!(app.count("api_idempotency_keys"), 0);

    let audited = app.texts(
        "SELECT details AS t FROM audit_events WHERE action = 'retention.remove' ORDER BY id",
    );
    assert_eq!(
        audited.len(),
        3,
        "one event per removal, none when nothing went"
    );
    assert!(
        audited[1].contains(r#""webhook_deliveries":2"#) && audited[1].contains(r#""mails":1"#),
        "{audited:?}"
    );
}
