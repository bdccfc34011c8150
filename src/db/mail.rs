//! Mails waiting to be sent: written in the transaction that decided them (so none
//! is lost), sent by one sender at a time, retried after a failure.

use diesel::prelude::*;
use time::{Duration, PrimitiveDateTime};

use super::DbConnection;
use super::schema::mail_outbox;

/// A mail, its parts ready.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = mail_outbox)]
pub struct WaitingMail {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub attempts: i32,
}

/// A mail as written, before it has an ID.
pub struct NewMail<'a> {
    pub recipient: &'a str,
    pub subject: &'a str,
    pub text_body: &'a str,
    pub html_body: &'a str,
}

pub fn enqueue(
    c: &mut DbConnection,
    mail: &NewMail<'_>,
    now: PrimitiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(mail_outbox::table)
        .values((
            mail_outbox::recipient.eq(mail.recipient),
            mail_outbox::subject.eq(mail.subject),
            mail_outbox::text_body.eq(mail.text_body),
            mail_outbox::html_body.eq(mail.html_body),
            mail_outbox::created_at.eq(now),
            mail_outbox::attempts.eq(0),
            mail_outbox::next_attempt_at.eq(now),
        ))
        .execute(c)?;
    Ok(())
}

/// Whether a mail waits to be sent: read without the write lock, so that an idle
/// round costs one index lookup.
pub fn has_waiting(c: &mut DbConnection, now: PrimitiveDateTime) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        mail_outbox::table
            .filter(mail_outbox::sent_at.is_null())
            .filter(mail_outbox::next_attempt_at.le(now)),
    ))
    .get_result(c)
}

/// Takes up to `limit` mails due at `now` for `lease`.
pub fn claim_due(
    c: &mut DbConnection,
    limit: i64,
    lease: Duration,
    now: PrimitiveDateTime,
) -> QueryResult<Vec<WaitingMail>> {
    let due = mail_outbox::table
        .filter(mail_outbox::sent_at.is_null())
        .filter(mail_outbox::next_attempt_at.le(now))
        .filter(
            mail_outbox::claimed_until
                .is_null()
                .or(mail_outbox::claimed_until.lt(now)),
        )
        .order(mail_outbox::id)
        .limit(limit)
        .select(mail_outbox::id);
    let ids: Vec<i64> = match c {
        DbConnection::Postgres(pg) => due.for_update().skip_locked().load(pg)?,
        DbConnection::Sqlite(sqlite) => due.load(sqlite)?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(mail_outbox::table.filter(mail_outbox::id.eq_any(&ids)))
        .set(mail_outbox::claimed_until.eq(now + lease))
        .execute(c)?;
    mail_outbox::table
        .filter(mail_outbox::id.eq_any(&ids))
        .order(mail_outbox::id)
        .select(WaitingMail::as_select())
        .load(c)
}

/// Sent, or to be tried again at `retry` (none: given up), with why it failed.
pub fn record(
    c: &mut DbConnection,
    mail: &WaitingMail,
    outcome: Result<(), String>,
    retry: Option<PrimitiveDateTime>,
    now: PrimitiveDateTime,
) -> QueryResult<()> {
    let target = mail_outbox::table.filter(mail_outbox::id.eq(mail.id));
    let attempts = mail.attempts + 1;
    match outcome {
        Ok(()) => diesel::update(target)
            .set((
                mail_outbox::sent_at.eq(now),
                mail_outbox::attempts.eq(attempts),
                mail_outbox::claimed_until.eq(None::<PrimitiveDateTime>),
                mail_outbox::last_error.eq(None::<String>),
            ))
            .execute(c)?,
        Err(error) => diesel::update(target)
            .set((
                mail_outbox::attempts.eq(attempts),
                mail_outbox::next_attempt_at.eq(retry),
                mail_outbox::claimed_until.eq(None::<PrimitiveDateTime>),
                mail_outbox::last_error.eq(error),
            ))
            .execute(c)?,
    };
    Ok(())
}
