//! Expiry digests by mail, received by a real SMTP server: one mail per person per
//! run listing all their tokens, scope administrators who opted in, creators who
//! opted out, and no mail twice, across instances and runs.

use tessera::config::{ServeArgs, ServerConfig};
use tessera::services::expiry::run_if_due;
use tessera::services::mail::send_waiting;

use crate::helpers::{MailServer, eventually, spawn_app_with, spawn_instance, to};

#[actix_web::test]
async fn one_digest_per_person_per_run_and_never_twice() {
    let smtp = MailServer::start();
    let args = smtp.args(ServeArgs::default());
    let app = spawn_app_with(args.clone()).await;
    let ada = app.with_examples().await;
    // Two scope administrators who asked for their scopes' tokens, and a creator
    // who asked for none.
    let production = app.scope_id("Production");
    let staging = app.scope_id("Staging");
    let manager = "token_manager";
    let pat = app
        .add_admin(&ada, "pat@example.com", manager, &[&production])
        .await;
    let sam = app
        .add_admin(&ada, "sam@example.com", manager, &[&staging])
        .await;
    let bob = app
        .add_admin(&ada, "bob@example.com", manager, &[&staging])
        .await;
    for (who, fields) in [
        (
            &pat,
            vec![
                ("own", "off"),
                ("own", "on"),
                ("scopes", "off"),
                ("scopes", "on"),
            ],
        ),
        (
            &sam,
            vec![
                ("own", "off"),
                ("own", "on"),
                ("scopes", "off"),
                ("scopes", "on"),
            ],
        ),
        (&bob, vec![("own", "off"), ("scopes", "off")]),
    ] {
        let profile = who.get("/profile").await;
        assert_eq!(
            profile.html().count("input[name=own][checked]"),
            1,
            "on by default"
        );
        who.post("/profile/expiry-mail", &fields)
            .await
            .assert_redirect("/profile");
    }
    let incomplete = bob.post("/profile/expiry-mail", &[]).await;
    assert_eq!(incomplete.status, 400, "no boxes at all is not \"all off\"");
    assert_eq!(app.count("administrators WHERE expiry_mail_scopes"), 2);
    assert_eq!(app.count("administrators WHERE NOT expiry_mail_own"), 1);
    app.token(&ada)
        .named("billing in three days")
        .scope("Production")
        .ending_in(3)
        .create()
        .await;
    app.token(&ada)
        .named("search in twenty days")
        .scope("Staging")
        .ending_in(20)
        .create()
        .await;
    app.token(&ada)
        .named("reports next quarter")
        .scope("Production")
        .ending_in(90)
        .create()
        .await;
    app.token(&bob)
        .named("bob's own")
        .scope("Staging")
        .ending_in(5)
        .create()
        .await;

    let db = tessera::startup::open_database(&app.db.args(), None).unwrap();
    let today = tessera::db::now().date();
    let day = |n: i64| {
        time::PrimitiveDateTime::new(today + time::Duration::days(n), time::macros::time!(09:00))
    };
    let told = run_if_due(&db, day(0), Some(app.address.clone()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((told.expiring, told.mails), (3, 3), "{told:?}");

    // Sent with the run's clock: the mails are due at 09:00 whatever the real hour
    // (the instance's own sender, on the real clock, may send some of them first).
    let settings = smtp.settings();
    send_waiting(&db, &settings, day(0)).await.unwrap();
    let mails = smtp.wait_for(3).await;
    assert_eq!(mails.len(), 3, "{mails:?}");
    let ada_mail = to(&mails, "ada@example.com");
    assert_eq!(ada_mail.len(), 1, "one digest for both of her tokens");
    let digest = &ada_mail[0].decoded();
    assert!(
        digest.contains("billing in three days") && digest.contains("search in twenty days"),
        "{digest}"
    );
    assert!(
        !digest.contains("reports next quarter"),
        "not yet at a lead time"
    );
    assert!(!digest.contains("bob's own"));
    assert!(
        digest.contains("multipart/alternative") && digest.contains("text/html"),
        "text and HTML"
    );
    let renew = digest
        .split_whitespace()
        .find(|w| w.contains("/edit?duration=90d"))
        .expect("a Renew link");
    let path = &renew[renew.find("/settings/").unwrap()..];
    let form = ada.get(path).await;
    assert_eq!(
        form.html()
            .attr("input[name=duration][checked]", "value")
            .as_deref(),
        Some("90d"),
        "the link opens the edit form with 90 days chosen"
    );
    let pat = &to(&mails, "pat@example.com")[0].decoded();
    assert!(pat.contains("billing in three days") && !pat.contains("search in twenty days"));
    let sam = &to(&mails, "sam@example.com")[0].decoded();
    assert!(sam.contains("search in twenty days") && sam.contains("bob's own"));
    assert!(
        to(&mails, "bob@example.com").is_empty(),
        "bob opted out of his own"
    );

    // Another instance, the same day: nothing again; the next day: nothing new.
    spawn_instance(&app, smtp.args(ServeArgs::default())).await;
    assert_eq!(
        run_if_due(&db, day(0), Some(app.address.clone()))
            .await
            .unwrap(),
        None
    );
    let next = run_if_due(&db, day(1), Some(app.address.clone()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(next.mails, 0);
    eventually("every mail recorded as sent", || {
        app.count("mail_outbox WHERE sent_at IS NOT NULL") == 3
    })
    .await;
    assert_eq!(send_waiting(&db, &settings, day(1)).await.unwrap(), 0);
    assert_eq!(smtp.received().len(), 3, "no mail twice");
}

#[actix_web::test]
async fn the_settings_page_sets_the_schedule_and_sends_a_test_mail() {
    let smtp = MailServer::start();
    let app = spawn_app_with(smtp.args(ServeArgs::default())).await;
    let ada = app.with_examples().await;
    let page = ada.get("/settings/notifications").await;
    assert_eq!(
        page.html().attr("#lead_days", "value").as_deref(),
        Some("30, 7, 1")
    );
    assert!(
        page.body.contains("tessera@example.com"),
        "says where mail comes from"
    );
    let refused = ada
        .post(
            "/settings/notifications",
            &[("lead_days", "0, soon"), ("run_hour", "6")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.html().text("#lead_days-error").contains("1 to 365"));
    ada.post(
        "/settings/notifications",
        &[("lead_days", "3, 14"), ("run_hour", "6")],
    )
    .await
    .assert_redirect("/settings/notifications");
    let saved = ada.get("/settings/notifications").await;
    assert_eq!(
        saved.html().attr("#lead_days", "value").as_deref(),
        Some("14, 3")
    );
    assert!(
        app.get_audit_actions()
            .contains(&"notifications.update".to_owned())
    );

    // The run uses them: a token 10 days from its end reached 14 days.
    app.token(&ada)
        .named("ten days left")
        .scope("Production")
        .ending_in(10)
        .create()
        .await;
    let db = tessera::startup::open_database(&app.db.args(), None).unwrap();
    let at = time::PrimitiveDateTime::new(tessera::db::now().date(), time::macros::time!(06:30));
    let told = run_if_due(&db, at, None).await.unwrap().unwrap();
    assert_eq!(told.expiring, 1);

    ada.get("/settings/notifications").await;
    ada.post("/settings/notifications/test-mail", &[])
        .await
        .assert_redirect("/settings/notifications");
    let mails = smtp.wait_for(1).await;
    assert_eq!(mails.len(), 1);
    assert!(mails[0].to[0].contains("ada@example.com"));
    assert!(mails[0].data.contains("Tessera test mail"));
}

#[actix_web::test]
async fn without_smtp_the_page_says_so_and_no_mail_is_written() {
    let app = crate::helpers::spawn_app().await;
    let ada = app.with_examples().await;
    let page = ada.get("/settings/notifications").await;
    assert!(page.body.contains("Mail is not set up"), "{}", page.body);
    app.token(&ada)
        .named("soon")
        .scope("Production")
        .ending_in(2)
        .create()
        .await;
    let db = tessera::startup::open_database(&app.db.args(), None).unwrap();
    // After the run hour (08:00 UTC), whatever the hour now.
    let clock = time::PrimitiveDateTime::new(tessera::db::now().date(), time::macros::time!(09:00));
    let told = run_if_due(&db, clock, None).await.unwrap().unwrap();
    assert_eq!((told.expiring, told.mails), (1, 0));
    assert_eq!(app.count("mail_outbox"), 0);
    assert_eq!(
        app.count("outbox_events WHERE event_type = 'token.expiring'"),
        1,
        "webhooks still hear"
    );
}

/// A digest lists only what its reader may read now: a creator whose scopes were
/// narrowed is not told about tokens outside them, a disabled one about none, and a
/// Super Admin about every token.
#[actix_web::test]
async fn digests_follow_the_recipients_current_scopes() {
    let smtp = MailServer::start();
    let args = smtp.args(ServeArgs::default());
    let app = spawn_app_with(args.clone()).await;
    let ada = app.with_examples().await;
    let (production, staging) = (app.scope_id("Production"), app.scope_id("Staging"));
    let manager = "token_manager";
    let pat = app
        .add_admin(&ada, "pat@example.com", manager, &[&production, &staging])
        .await;
    let dan = app
        .add_admin(&ada, "dan@example.com", manager, &[&staging])
        .await;
    for (who, name, scope) in [
        (&pat, "pat production", "Production"),
        (&pat, "pat staging", "Staging"),
        (&dan, "dan staging", "Staging"),
        (&ada, "ada staging", "Staging"),
    ] {
        app.token(who)
            .named(name)
            .scope(scope)
            .ending_in(3)
            .create()
            .await;
    }
    // Pat keeps Production only; Dan is disabled.
    app.execute(&format!(
        "DELETE FROM administrator_scopes WHERE scope_id = {staging} AND administrator_id = \
         (SELECT id FROM administrators WHERE email = 'pat@example.com')"
    ));
    app.execute(
        "UPDATE administrators SET disabled_at = updated_at WHERE email = 'dan@example.com'",
    );

    let db = tessera::startup::open_database(&app.db.args(), None).unwrap();
    let clock = time::PrimitiveDateTime::new(tessera::db::now().date(), time::macros::time!(09:00));
    let told = run_if_due(&db, clock, Some(app.address.clone()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((told.expiring, told.mails), (4, 2), "{told:?}");
    let settings = ServerConfig::from_args(&args).unwrap().mail.unwrap();
    send_waiting(&db, &settings, clock).await.unwrap();
    let mails = smtp.wait_for(2).await;

    let pat = to(&mails, "pat@example.com");
    assert_eq!(pat.len(), 1, "{mails:?}");
    let pat = pat[0].decoded();
    assert!(pat.contains("pat production"), "{pat}");
    assert!(
        !pat.contains("pat staging"),
        "no longer in Pat's scopes: {pat}"
    );
    assert!(to(&mails, "dan@example.com").is_empty(), "disabled");
    let ada = to(&mails, "ada@example.com")[0].decoded();
    assert!(
        ada.contains("ada staging"),
        "a Super Admin reads every scope"
    );
}
