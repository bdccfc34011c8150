//! A receiver that stalls (holds the connection, or trickles its answer) costs
//! one bounded attempt: other endpoints are sent to meanwhile, no second instance
//! sends the held delivery again, the retry counts from the attempt's end, and a
//! sender whose claim lapsed records nothing.

use std::time::Duration;

use tessera::config::ServeArgs;
use tessera::db::DbError;
use tessera::db::outbox::{self, Attempt, Recorded};
use tessera::services::webhooks::delivery::run_once;

use crate::helpers::{
    Receiver, Stalling, StallingReceiver, WEBHOOK_KEY, add_endpoint, eventually, spawn_app_with,
    spawn_instance, test_sender, webhook_app, webhook_args,
};

#[actix_web::test]
async fn a_stalling_receiver_holds_up_no_other_endpoint_and_no_instance_sends_twice() {
    let stalling = StallingReceiver::start(Stalling::Trickles);
    let receiver = Receiver::start();
    // Attempts may take a minute: longer than this test waits for anything.
    let args = ServeArgs {
        webhook_timeout_seconds: 60,
        ..webhook_args(true)
    };
    let app = spawn_app_with(args.clone()).await;
    let ada = app.with_examples().await;
    add_endpoint(&ada, &stalling.url, &["token.created"]).await;
    add_endpoint(&ada, &receiver.url, &["token.created"]).await;
    app.token(&ada)
        .named("first")
        .scope("Production")
        .create()
        .await;
    eventually("the stalling receiver has the first", || {
        stalling.requests() == 1
    })
    .await;
    receiver.wait_for("token.created").await;

    // A second instance, and a second event: the other receiver gets it while the
    // first attempt still trickles, and nobody sends the held delivery again.
    spawn_instance(&app, args).await;
    app.token(&ada)
        .named("second")
        .scope("Production")
        .create()
        .await;
    eventually("the second event reaches the other receiver", || {
        receiver.received().len() == 2
    })
    .await;
    assert_eq!(
        stalling.requests(),
        1,
        "the held delivery is not sent again"
    );
    // The other receiver has its request before its sender records the attempt.
    eventually(
        "the held delivery and the next one to that endpoint wait, the rest attempted",
        || app.count("webhook_deliveries WHERE attempts = 0") == 2,
    )
    .await;
}

#[actix_web::test]
async fn an_attempt_ends_within_its_timeout_and_is_retried_from_its_end() {
    for how in [Stalling::Holds, Stalling::Trickles] {
        let stalling = StallingReceiver::start(how);
        let app = webhook_app(false).await;
        let ada = app.with_examples().await;
        add_endpoint(&ada, &stalling.url, &["token.created"]).await;
        app.token(&ada)
            .named("stalled")
            .scope("Production")
            .create()
            .await;
        let db = tessera::startup::open_database(&app.db.args(), None).unwrap();
        let key = crate::helpers::webhook_keys(WEBHOOK_KEY);
        let sender = test_sender(&key, Duration::from_secs(2));
        let t0 = tessera::db::now();
        let round =
            actix_web::rt::time::timeout(Duration::from_secs(30), run_once(&db, sender, t0))
                .await
                .unwrap_or_else(|_| panic!("{how:?}: the attempt never ended"))
                .unwrap();
        assert_eq!(round.sent, 1, "{how:?}");
        match how {
            Stalling::Holds => {
                assert_eq!(round.delivered, 0);
                assert_eq!(
                    app.count(
                        "webhook_deliveries WHERE last_error = 'No answer within 2 seconds.'"
                    ),
                    1
                );
                // Failed two seconds after t0: the first retry is due 5 s after that.
                let early = t0 + time::Duration::milliseconds(6500);
                assert_eq!(run_once(&db, sender, early).await.unwrap().sent, 0);
                let due = t0 + time::Duration::seconds(8);
                assert_eq!(run_once(&db, sender, due).await.unwrap().sent, 1);
                assert_eq!(stalling.requests(), 2);
            }
            // The answer's status came: delivered, its body left unread.
            Stalling::Trickles => assert_eq!(round.delivered, 1),
        }
    }
}

#[actix_web::test]
async fn a_sender_whose_claim_lapsed_records_nothing() {
    let receiver = Receiver::start();
    let app = webhook_app(false).await;
    let ada = app.with_examples().await;
    add_endpoint(&ada, &receiver.url, &["token.created"]).await;
    app.token(&ada)
        .named("claimed twice")
        .scope("Production")
        .create()
        .await;
    let db = tessera::startup::open_database(&app.db.args(), None).unwrap();
    let lease = time::Duration::minutes(2);
    let claim = |at: time::PrimitiveDateTime| {
        db.write(move |c| {
            outbox::dispatch(c, 10, at)?;
            Ok::<_, DbError>(outbox::claim_due(c, 10, 10, lease, at)?)
        })
    };
    let t0 = tessera::db::now();
    let first = claim(t0).await.unwrap();
    assert_eq!(first.len(), 1);
    assert!(
        claim(t0 + time::Duration::minutes(1))
            .await
            .unwrap()
            .is_empty(),
        "held by the first sender"
    );
    let second = claim(t0 + time::Duration::minutes(3)).await.unwrap();
    assert_eq!(second.len(), 1, "the lapsed claim is taken over");

    let record = |delivery: outbox::DueDelivery, attempt: Attempt, at| {
        db.write(move |c| Ok::<_, DbError>(outbox::record_attempt(c, &delivery, &attempt, at)?))
    };
    let delivered = Attempt {
        status: Some(204),
        duration_ms: 3,
        error: None,
        answer: None,
    };
    let failed = Attempt {
        status: None,
        duration_ms: 180_000,
        error: Some("No answer within 10 seconds.".into()),
        answer: None,
    };
    let at = t0 + time::Duration::minutes(3) + time::Duration::seconds(1);
    assert_eq!(
        record(second[0].clone(), delivered, at).await.unwrap(),
        Recorded::Done
    );
    assert_eq!(
        record(first[0].clone(), failed, at).await.unwrap(),
        Recorded::ClaimLost,
        "the first sender's late failure does not undo the delivery"
    );
    assert_eq!(
        app.count("webhook_deliveries WHERE state = 'delivered' AND attempts = 1"),
        1
    );
}
