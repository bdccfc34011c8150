//! Expiry digests by mail, received by a real SMTP server: one mail per person per
//! run listing all their tokens, scope administrators who opted in, creators who
//! opted out, and no mail twice, across instances and runs.

use std::io;
use std::net::{IpAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mailin_embedded::{Handler, Response, Server, response};
use tessera::config::ServeArgs;
use tessera::services::expiry::run_if_due;

use crate::helpers::{spawn_app_with, spawn_instance};

/// A mail as the SMTP server received it.
#[derive(Clone, Debug, Default)]
struct Mail {
    to: Vec<String>,
    data: String,
}

#[derive(Clone, Default)]
struct Inbox {
    current: Mail,
    received: Arc<Mutex<Vec<Mail>>>,
}

impl Handler for Inbox {
    fn mail(&mut self, _ip: IpAddr, _domain: &str, _from: &str) -> Response {
        self.current = Mail::default();
        response::OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        self.current.to.push(to.to_owned());
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        self.current.data.push_str(&String::from_utf8_lossy(buf));
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        self.received
            .lock()
            .unwrap()
            .push(std::mem::take(&mut self.current));
        response::OK
    }
}

/// An SMTP server on a free port; its URL and what it received.
fn smtp_server() -> (String, Arc<Mutex<Vec<Mail>>>) {
    let inbox = Inbox::default();
    let received = inbox.received.clone();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut server = Server::new(inbox);
    server
        .with_name("mail.test")
        .with_num_threads(2)
        .with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    (format!("smtp://127.0.0.1:{port}"), received)
}

fn mail_args(smtp: &str) -> ServeArgs {
    ServeArgs {
        smtp_url: Some(smtp.to_owned()),
        mail_from: Some("Tessera <tessera@example.com>".into()),
        ..ServeArgs::default()
    }
}

async fn wait_for(received: &Arc<Mutex<Vec<Mail>>>, count: usize) -> Vec<Mail> {
    for _ in 0..100 {
        if received.lock().unwrap().len() >= count {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    received.lock().unwrap().clone()
}

/// The message with its quoted-printable parts decoded (soft line breaks joined,
/// `=XX` read as bytes), as a mail program shows it.
fn decoded(data: &str) -> String {
    let joined = data.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn to(mails: &[Mail], address: &str) -> Vec<Mail> {
    mails
        .iter()
        .filter(|m| m.to.iter().any(|t| t.contains(address)))
        .cloned()
        .collect()
}

#[actix_web::test]
async fn one_digest_per_person_per_run_and_never_twice() {
    let (smtp, received) = smtp_server();
    let app = spawn_app_with(mail_args(&smtp)).await;
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
    bob.get("/settings/api-tokens/new").await;
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

    let mails = wait_for(&received, 3).await;
    assert_eq!(mails.len(), 3, "{mails:?}");
    let ada_mail = to(&mails, "ada@example.com");
    assert_eq!(ada_mail.len(), 1, "one digest for both of her tokens");
    let digest = &decoded(&ada_mail[0].data);
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
    let pat = &decoded(&to(&mails, "pat@example.com")[0].data);
    assert!(pat.contains("billing in three days") && !pat.contains("search in twenty days"));
    let sam = &decoded(&to(&mails, "sam@example.com")[0].data);
    assert!(sam.contains("search in twenty days") && sam.contains("bob's own"));
    assert!(
        to(&mails, "bob@example.com").is_empty(),
        "bob opted out of his own"
    );

    // Another instance, the same day: nothing again; the next day: nothing new.
    spawn_instance(&app, mail_args(&smtp)).await;
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
    actix_web::rt::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(received.lock().unwrap().len(), 3, "no mail twice");
}

#[actix_web::test]
async fn the_settings_page_sets_the_schedule_and_sends_a_test_mail() {
    let (smtp, received) = smtp_server();
    let app = spawn_app_with(mail_args(&smtp)).await;
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
    let mails = wait_for(&received, 1).await;
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
    let told = run_if_due(&db, tessera::db::now(), None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((told.expiring, told.mails), (1, 0));
    assert_eq!(app.count("mail_outbox"), 0);
    assert_eq!(
        app.count("outbox_events WHERE event_type = 'token.expiring'"),
        1,
        "webhooks still hear"
    );
}
