//! Webhooks end to end: a real HTTP receiver, the signatures it checks, the
//! outbox written with each change, retries on the schedule (with the clock in
//! the test's hands), redelivery, pausing, and the refusal of internal addresses.

use tessera::config::{EncryptionArgs, ServeArgs};
use tessera::services::webhooks::delivery::{Sender, run_once};

use crate::helpers::{
    MailServer, Receiver, WEBHOOK_KEY as KEY, add_endpoint, eventually, spawn_app_with,
    test_sender, to, webhook_app as app, webhook_args,
};

#[actix_web::test]
async fn token_events_arrive_signed_with_no_secret_in_them() {
    let receiver = Receiver::start();
    let app = app(true).await;
    let ada = app.with_examples().await;
    let (id, secret) = add_endpoint(&ada, &receiver.url, &["token.created", "token.revoked"]).await;
    assert!(secret.starts_with("whsec_"));

    let token = app
        .token(&ada)
        .named("billing-sync")
        .scope("Production")
        .create()
        .await;
    let created = receiver.wait_for("token.created").await;
    assert!(created.signed_by(&secret), "{created:?}");
    assert!(created.id.starts_with("msg_"));
    let body = created.json();
    assert_eq!(body["data"]["token"]["name"], "billing-sync");
    assert_eq!(
        body["data"]["token"]["scopes"],
        serde_json::json!(["Production"])
    );
    assert_eq!(
        body["data"]["actor"]["name"]
            .as_str()
            .unwrap()
            .split(" · ")
            .next(),
        Some("Ada Admin")
    );
    assert!(!created.body.contains(&token.secret[4..]), "never a secret");

    // Revoked through the page: told too; an edit is not (not subscribed).
    let page = ada
        .get(&format!("/settings/api-tokens/{}/revoke", token.guid))
        .await;
    let version = crate::helpers::hidden_value(&page.body, "version").unwrap();
    ada.post(
        &format!("/settings/api-tokens/{}/revoke", token.guid),
        &[("version", &version)],
    )
    .await;
    let revoked = receiver.wait_for("token.revoked").await;
    assert!(revoked.signed_by(&secret));
    assert_eq!(revoked.json()["data"]["token"]["status"], "revoked");
    assert_eq!(receiver.received().len(), 2, "once each");

    // The log shows both, delivered with the answer's status.
    let log = ada.get(&format!("/settings/webhooks/{id}")).await;
    assert_eq!(
        log.html().count("td[data-label='Status'] .badge-active"),
        2,
        "{}",
        log.body
    );

    // A test event, and a new secret: both secrets sign for a day.
    ada.post(&format!("/settings/webhooks/{id}/test"), &[])
        .await;
    assert!(receiver.wait_for("webhook.test").await.signed_by(&secret));
    let rotated = ada
        .post(&format!("/settings/webhooks/{id}/rotate-secret"), &[])
        .await;
    let new_secret = rotated.html().text("#secret");
    assert_ne!(new_secret, secret);
    ada.get(&format!("/settings/webhooks/{id}")).await;
    ada.post(&format!("/settings/webhooks/{id}/test"), &[])
        .await;
    eventually("the second test event", || {
        receiver
            .received()
            .iter()
            .filter(|r| r.json()["type"] == "webhook.test")
            .count()
            == 2
    })
    .await;
    let second = receiver
        .received()
        .into_iter()
        .rfind(|r| r.json()["type"] == "webhook.test")
        .unwrap();
    assert!(
        second.signed_by(&new_secret) && second.signed_by(&secret),
        "{second:?}"
    );
    let stored = app.texts("SELECT secret_sealed AS t FROM webhook_endpoints");
    assert!(
        !stored[0].contains(&new_secret[6..]),
        "sealed, never in clear"
    );
}

#[actix_web::test]
async fn failures_are_retried_on_the_schedule_then_redelivered() {
    let receiver = Receiver::start();
    receiver.answer(503);
    let smtp = MailServer::start();
    let args = smtp.args(webhook_args(false));
    let app = spawn_app_with(args.clone()).await;
    let ada = app.with_examples().await;
    let production = app.scope_id("Production");
    app.add_admin(&ada, "grace@example.com", "super_admin", &[])
        .await;
    app.add_admin(&ada, "pat@example.com", "token_manager", &[&production])
        .await;
    let (id, _) = add_endpoint(&ada, &receiver.url, &["token.created"]).await;
    app.token(&ada)
        .named("retried")
        .scope("Production")
        .create()
        .await;

    let db = tessera::startup::open_database(&app.db.args(), None).unwrap();
    let key = crate::helpers::webhook_keys(KEY);
    let sender = Sender {
        mail_links: Some(&app.address),
        ..test_sender(&key, std::time::Duration::from_secs(10))
    };
    let t0 = tessera::db::now();
    let round = run_once(&db, sender, t0).await.unwrap();
    assert_eq!((round.dispatched, round.sent, round.delivered), (1, 1, 0));
    // Not again before the first retry is due (5 s), then at each step of the schedule.
    let early = run_once(&db, sender, t0 + time::Duration::seconds(4))
        .await
        .unwrap();
    assert_eq!(early.sent, 0);
    // Each wait counts from the end of the attempt before, a moment after its start.
    let mut at = t0;
    for delay in tessera::domain::webhooks::schedule::RETRY_DELAYS {
        at += delay + time::Duration::seconds(1);
        assert_eq!(
            run_once(&db, sender, at).await.unwrap().sent,
            1,
            "at +{delay}"
        );
    }
    assert_eq!(
        receiver.received().len(),
        8,
        "the first attempt and seven retries"
    );
    assert_eq!(
        run_once(&db, sender, at + time::Duration::days(1))
            .await
            .unwrap()
            .sent,
        0
    );
    let log = ada.get(&format!("/settings/webhooks/{id}")).await;
    assert!(
        log.body.contains("Failed") && log.body.contains("The endpoint answered 503."),
        "{}",
        log.body
    );

    // Still failing five days after the first failure: Tessera stops the endpoint.
    app.token(&ada)
        .named("later")
        .scope("Production")
        .create()
        .await;
    // (Five days after the end of the first attempt, a moment after its start.)
    let later = t0 + time::Duration::days(5) + time::Duration::seconds(1);
    run_once(&db, sender, later).await.unwrap();
    let stopped = ada.get(&format!("/settings/webhooks/{id}")).await;
    assert!(
        stopped.body.contains("Tessera stopped this webhook"),
        "{}",
        stopped.body
    );
    assert!(
        app.get_audit_actions()
            .contains(&"webhook.disable".to_owned())
    );
    // Every Super Admin hears of it by mail (written when the attempt ended, a
    // moment after the round began); other administrators do not.
    let config = tessera::config::ServerConfig::from_args(&args).unwrap();
    let after = later + time::Duration::seconds(1);
    let sent = tessera::services::mail::send_waiting(&db, &config.mail.unwrap(), after)
        .await
        .unwrap();
    assert_eq!(sent, 2);
    let mails = smtp.wait_for(2).await;
    assert_eq!(mails.len(), 2, "{mails:?}");
    for address in ["ada@example.com", "grace@example.com"] {
        let notice = to(&mails, address)[0].decoded();
        assert!(
            notice.contains("Subject: Webhook stopped: Receiver")
                && notice.contains(&receiver.url)
                && notice.contains("Last attempt: The endpoint answered 503.")
                && notice.contains(&format!("{}/settings/webhooks/{id}", app.address)),
            "{notice}"
        );
    }
    let retry = later + time::Duration::minutes(1);
    assert_eq!(
        run_once(&db, sender, retry).await.unwrap().sent,
        0,
        "nothing goes to a stopped endpoint"
    );

    // The receiver is back: resumed, and redelivering sends the same message again.
    receiver.answer(204);
    ada.post(&format!("/settings/webhooks/{id}/enable"), &[])
        .await;
    let log = ada.get(&format!("/settings/webhooks/{id}")).await;
    let delivery = log
        .html()
        .attrs("form[action*='/redeliver']", "action")
        .pop()
        .unwrap();
    ada.post(&delivery, &[]).await;
    let round = run_once(&db, sender, retry + time::Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(
        (round.sent, round.delivered),
        (2, 2),
        "the redelivery and the waiting event"
    );
    let first_id = receiver.received()[0].id.clone();
    let same = receiver
        .received()
        .iter()
        .filter(|r| r.id == first_id)
        .count();
    assert_eq!(
        same, 9,
        "the redelivery is the same message, for the receiver to deduplicate"
    );
}

#[actix_web::test]
async fn internal_addresses_are_refused_unless_allowed() {
    let app = spawn_app_with(ServeArgs {
        encryption: EncryptionArgs {
            encryption_key: Some(KEY.into()),
        },
        ..ServeArgs::default()
    })
    .await;
    let ada = app.with_examples().await;
    ada.get("/settings/webhooks/new").await;
    for url in [
        "https://127.0.0.1/hook",
        "https://10.0.0.8/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://localhost/hook",
        "http://hooks.example.com/hook",
        "https://[fec0::1]/hook",
        "https://[64:ff9b::a9fe:a9fe]/latest/meta-data",
        "https://[2002:a00:1::1]/hook",
    ] {
        let page = ada
            .post(
                "/settings/webhooks/new",
                &[("url", url), ("events", "token.created")],
            )
            .await;
        assert_eq!(page.status, 422, "{url}");
        assert!(page.html().text("#url-error").len() > 10, "{url}");
    }
    assert_eq!(app.count("webhook_endpoints"), 0);
}

/// Rotating the encryption key re-seals every signing secret, so deliveries go on.
#[actix_web::test]
async fn rotating_the_encryption_key_keeps_webhooks_signing() {
    use tessera::domain::encryption::EncryptionKey;
    use tessera::domain::webhooks::signature::WebhookSecret;

    let app = app(false).await;
    let ada = app.with_examples().await;
    let (id, secret) = add_endpoint(&ada, "https://hooks.example.com/x", &["token.created"]).await;
    const NEW_KEY: &str = "ISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0A=";
    app.db.rotate_keys(KEY, NEW_KEY).await.unwrap();
    let sealed = app.texts("SELECT secret_sealed AS t FROM webhook_endpoints");
    let new_key = EncryptionKey::from_base64(NEW_KEY).unwrap();
    let opened = WebhookSecret::unseal(&new_key, &id, &sealed[0]).unwrap();
    assert_eq!(opened.expose(), secret);
    let old_key = EncryptionKey::from_base64(KEY).unwrap();
    assert!(WebhookSecret::unseal(&old_key, &id, &sealed[0]).is_err());
}

/// An endpoint paused while a round was sending to it stays paused: the failure
/// neither stops it (no "stopped" reason, no mail) nor starts its clock again.
#[actix_web::test]
async fn a_pause_during_a_failing_round_is_kept() {
    use tessera::db::outbox::{self, Attempt};

    let receiver = Receiver::start();
    receiver.answer(503);
    let smtp = MailServer::start();
    let app = spawn_app_with(smtp.args(webhook_args(false))).await;
    let ada = app.with_examples().await;
    let (id, _) = add_endpoint(&ada, &receiver.url, &["token.created"]).await;
    app.token(&ada)
        .named("first")
        .scope("Production")
        .create()
        .await;
    let db = tessera::startup::open_database(&app.db.args(), None).unwrap();
    let key = crate::helpers::webhook_keys(KEY);
    let sender = Sender {
        mail_links: Some(&app.address),
        ..test_sender(&key, std::time::Duration::from_secs(10))
    };
    let t0 = tessera::db::now();
    run_once(&db, sender, t0).await.unwrap();

    // Five days on, a round takes the first one's retry and the second; the
    // endpoint is paused before it records their failures.
    app.token(&ada)
        .named("second")
        .scope("Production")
        .create()
        .await;
    let later = t0 + time::Duration::days(5);
    let due = db
        .write(move |c| {
            outbox::dispatch(c, 10, later)?;
            Ok::<_, tessera::db::DbError>(outbox::claim_due(
                c,
                10,
                10,
                time::Duration::minutes(2),
                later,
            )?)
        })
        .await
        .unwrap();
    assert_eq!(due.len(), 2);
    ada.get(&format!("/settings/webhooks/{id}")).await;
    ada.post(&format!("/settings/webhooks/{id}/disable"), &[])
        .await
        .assert_redirect(&format!("/settings/webhooks/{id}"));
    let failed = Attempt {
        status: Some(503),
        duration_ms: 3,
        error: Some("The endpoint answered 503.".into()),
        answer: None,
    };
    let stopped = db
        .write(move |c| {
            let mut stopped = false;
            for delivery in &due {
                stopped |= outbox::record_attempt(c, delivery, &failed, later)?
                    == outbox::Recorded::EndpointStopped;
            }
            Ok::<_, tessera::db::DbError>(stopped)
        })
        .await
        .unwrap();
    assert!(!stopped, "already paused by an administrator");
    let page = ada.get(&format!("/settings/webhooks/{id}")).await;
    assert!(page.body.contains("Paused") && !page.body.contains("Tessera stopped"));
    assert_eq!(app.count("mail_outbox"), 0);
    assert_eq!(
        app.count("webhook_endpoints WHERE failing_since IS NOT NULL"),
        0
    );
}

/// A URL's IPv6 literal is connected to, when the operator allows internal
/// addresses.
#[actix_web::test]
async fn a_webhook_to_an_ipv6_literal_is_delivered() {
    let receiver = Receiver::start_on("[::1]:0");
    assert!(
        receiver.url.starts_with("http://[::1]:"),
        "{}",
        receiver.url
    );
    let app = app(true).await;
    let ada = app.with_examples().await;
    add_endpoint(&ada, &receiver.url, &["token.created"]).await;
    app.token(&ada)
        .named("over-ipv6")
        .scope("Production")
        .create()
        .await;
    let got = receiver.wait_for("token.created").await;
    assert_eq!(got.json()["data"]["token"]["name"], "over-ipv6");
}

/// A URL may carry a credential in its query: the audit log, the logs and the list
/// show it redacted; only the endpoint's own edit field holds it whole.
#[actix_web::test]
async fn credentials_in_a_webhook_url_stay_out_of_the_audit_log_and_the_logs() {
    use crate::helpers::{TestApp, TestDatabase};
    use crate::process::{start_serving, stop_and_read_logs, tessera};

    let receiver = Receiver::start();
    receiver.answer(503);
    let db = TestDatabase::new();
    let (mut child, setup_url) = start_serving(
        tessera(&db)
            .env("TESSERA_ENCRYPTION_KEY", KEY)
            .env("TESSERA_WEBHOOK_ALLOW_HTTP", "true")
            .env("TESSERA_WEBHOOK_ALLOW_PRIVATE", "true"),
    );
    let app = TestApp {
        address: setup_url[..setup_url.find("/setup").unwrap()].to_owned(),
        setup_url: Some(setup_url),
        db,
    };
    let ada = app.with_examples().await;
    let url = format!("{}?token=sekrit", receiver.url);
    let (id, _) = add_endpoint(&ada, &url, &["token.created"]).await;
    let page = ada.get(&format!("/settings/webhooks/{id}")).await;
    assert_eq!(
        crate::helpers::input_value(&page.body, "url"),
        Some(url.clone())
    );
    let version = crate::helpers::hidden_value(&page.body, "version").unwrap();
    ada.post(
        &format!("/settings/webhooks/{id}"),
        &[
            ("url", url.as_str()),
            ("description", "Changed"),
            ("events", "token.created"),
            ("version", &version),
        ],
    )
    .await
    .assert_redirect(&format!("/settings/webhooks/{id}"));
    ada.post(&format!("/settings/webhooks/{id}/rotate-secret"), &[])
        .await;
    let list = ada.get("/settings/webhooks").await;
    assert!(
        list.body.contains(&format!("{}?***", receiver.url)) && !list.body.contains("sekrit"),
        "{}",
        list.body
    );

    // Failing for five days already: the next failure stops it.
    app.execute("UPDATE webhook_endpoints SET failing_since = '2020-01-01 00:00:00'");
    app.token(&ada)
        .named("stops-it")
        .scope("Production")
        .create()
        .await;
    eventually("Tessera stops the webhook", || {
        app.count("webhook_endpoints WHERE disabled_reason IS NOT NULL") == 1
    })
    .await;
    let logs = stop_and_read_logs(&mut child);
    assert!(
        logs.contains("stopped a webhook") && logs.contains(&format!("{}?***", receiver.url)),
        "{logs}"
    );
    let audit = app.texts(
        "SELECT target_label || ' ' || details AS t FROM audit_events WHERE target_type = 'webhook'",
    );
    assert_eq!(
        audit.len(),
        4,
        "added, changed, new secret, stopped: {audit:?}"
    );
    for (place, text) in [("the logs", &logs), ("the audit log", &audit.join("\n"))] {
        assert!(
            !text.contains("sekrit"),
            "the credential is in {place}: {text}"
        );
    }
}
