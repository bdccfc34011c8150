//! Removing what has served its purpose: webhook deliveries that ended (delivered,
//! or given up) and the events no delivery needs any more, mails sent or given
//! up, and idempotency keys past their window. Pending work is never removed.
//! Rows go in batches, each its own short transaction, so that a large backlog
//! never holds the write lock for long.

use diesel::dsl::{exists, not};
use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::DbConnection;
use super::outbox::PENDING;
use super::schema::{api_idempotency_keys, mail_outbox, outbox_events, webhook_deliveries};

/// How many rows were removed, of each kind.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Removed {
    pub webhook_deliveries: usize,
    pub outbox_events: usize,
    pub mails: usize,
    pub idempotency_keys: usize,
    pub bulk_actions: usize,
}

impl Removed {
    pub fn total(&self) -> usize {
        self.webhook_deliveries
            + self.outbox_events
            + self.mails
            + self.idempotency_keys
            + self.bulk_actions
    }

    pub fn add(&mut self, other: Removed) {
        self.webhook_deliveries += other.webhook_deliveries;
        self.outbox_events += other.outbox_events;
        self.mails += other.mails;
        self.idempotency_keys += other.idempotency_keys;
        self.bulk_actions += other.bulk_actions;
    }
}

/// Removes up to `batch` rows of each kind: deliveries and mails that ended
/// before `ended_before`, events dispatched before it that no delivery refers to;
/// the idempotency keys used before `keys_before`, and the records of bulk actions
/// made before `bulk_before`.
pub fn prune_batch(
    c: &mut DbConnection,
    ended_before: PrimitiveDateTime,
    (keys_before, bulk_before): (PrimitiveDateTime, PrimitiveDateTime),
    batch: i64,
) -> QueryResult<Removed> {
    let deliveries: Vec<i64> = webhook_deliveries::table
        .filter(webhook_deliveries::state.ne(PENDING))
        .filter(
            webhook_deliveries::last_attempt_at.lt(ended_before).or(
                webhook_deliveries::last_attempt_at
                    .is_null()
                    .and(webhook_deliveries::created_at.lt(ended_before)),
            ),
        )
        .select(webhook_deliveries::id)
        .limit(batch)
        .load(c)?;
    let webhook_deliveries = diesel::delete(
        webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(&deliveries)),
    )
    .execute(c)?;
    let events: Vec<i64> = outbox_events::table
        .filter(outbox_events::dispatched_at.lt(ended_before))
        .filter(not(exists(
            webhook_deliveries::table.filter(webhook_deliveries::event_id.eq(outbox_events::id)),
        )))
        .select(outbox_events::id)
        .limit(batch)
        .load(c)?;
    let outbox_events =
        diesel::delete(outbox_events::table.filter(outbox_events::id.eq_any(&events)))
            .execute(c)?;
    let mails: Vec<i64> = mail_outbox::table
        .filter(
            mail_outbox::sent_at
                .lt(ended_before)
                .or(mail_outbox::sent_at
                    .is_null()
                    .and(mail_outbox::next_attempt_at.is_null())
                    .and(mail_outbox::created_at.lt(ended_before))),
        )
        .select(mail_outbox::id)
        .limit(batch)
        .load(c)?;
    let mails =
        diesel::delete(mail_outbox::table.filter(mail_outbox::id.eq_any(&mails))).execute(c)?;
    // A day's keys at the most: one statement.
    let idempotency_keys = diesel::delete(
        api_idempotency_keys::table.filter(api_idempotency_keys::created_at.lt(keys_before)),
    )
    .execute(c)?;
    // A week's actions at the most: one statement.
    let bulk_actions = super::bulk_actions::prune(c, bulk_before)?;
    Ok(Removed {
        webhook_deliveries,
        outbox_events,
        mails,
        idempotency_keys,
        bulk_actions,
    })
}
