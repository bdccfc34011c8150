//! Sends the mails the outbox holds, over SMTP, off the async workers; a failure
//! is tried again later, a few times.

use askama::Template;
use diesel::QueryResult;
use lettre::message::{Mailbox, MultiPart};
use lettre::{Message, Transport};
use time::{Duration, PrimitiveDateTime};

use crate::config::MailSettings;
use crate::db::mail::{self, NewMail, WaitingMail};
use crate::db::{Db, DbConnection, DbError};

const BATCH: i64 = 20;
const LEASE: Duration = Duration::minutes(5);
/// Attempts before a mail is given up (its error stays in the outbox).
const MAX_ATTEMPTS: i32 = 8;

/// Sends one mail now; blocking, so only on a blocking thread.
fn send_blocking(settings: &MailSettings, mail: &WaitingMail) -> Result<(), String> {
    let to: Mailbox = mail
        .recipient
        .parse()
        .map_err(|e| format!("recipient: {e}"))?;
    let message = Message::builder()
        .from(settings.from.clone())
        .to(to)
        .subject(&mail.subject)
        .multipart(MultiPart::alternative_plain_html(
            mail.text_body.clone(),
            mail.html_body.clone(),
        ))
        .map_err(|e| e.to_string())?;
    settings
        .transport
        .send(&message)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Sends the mails due at `now`; how many went out.
pub async fn send_waiting(
    db: &Db,
    settings: &MailSettings,
    now: PrimitiveDateTime,
) -> Result<usize, DbError> {
    if !db
        .run(move |c| Ok::<_, DbError>(mail::has_waiting(c, now)?))
        .await?
    {
        return Ok(0);
    }
    let due = db
        .write(move |c| Ok::<_, DbError>(mail::claim_due(c, BATCH, LEASE, now)?))
        .await?;
    let mut sent = 0;
    for waiting in due {
        let (settings, message) = (settings.clone(), waiting.clone());
        // On the low-priority pool, away from verification's threads.
        let outcome = db
            .blocking()
            .run(move || send_blocking(&settings, &message))
            .await
            .unwrap_or_else(|_| Err("the sending thread stopped".into()));
        if outcome.is_ok() {
            sent += 1;
        } else if let Err(error) = &outcome {
            tracing::warn!(%error, attempt = waiting.attempts + 1, "a mail could not be sent");
        }
        let retry = (waiting.attempts + 1 < MAX_ATTEMPTS)
            .then(|| now + Duration::minutes(5 * i64::from(waiting.attempts + 1)));
        db.write(move |c| Ok::<_, DbError>(mail::record(c, &waiting, outcome, retry, now)?))
            .await?;
    }
    Ok(sent)
}

/// Writes a mail to the outbox, its text and HTML parts rendered from their
/// templates.
pub fn queue(
    c: &mut DbConnection,
    recipient: &str,
    subject: &str,
    text: &impl Template,
    html: &impl Template,
    now: PrimitiveDateTime,
) -> QueryResult<()> {
    mail::enqueue(
        c,
        &NewMail {
            recipient,
            subject,
            text_body: &text.render().unwrap_or_default(),
            html_body: &html.render().unwrap_or_default(),
        },
        now,
    )
}

#[derive(Template)]
#[template(path = "mail/test.txt")]
struct TestText<'a> {
    name: &'a str,
}

#[derive(Template)]
#[template(path = "mail/test.html")]
struct TestHtml<'a> {
    name: &'a str,
}

/// Queues a short mail to `address`, to check that mail reaches people.
pub async fn send_test(
    db: &Db,
    address: String,
    name: String,
    now: PrimitiveDateTime,
) -> Result<(), DbError> {
    db.write(move |c| {
        let (text, html) = (TestText { name: &name }, TestHtml { name: &name });
        queue(c, &address, "Tessera test mail", &text, &html, now)?;
        Ok::<_, DbError>(())
    })
    .await
}
