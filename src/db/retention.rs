//! Removing what has served its purpose: webhook deliveries that ended (delivered,
//! or given up) and the events no delivery needs any more, mails sent or given
//! up, and idempotency keys past their window. Pending work is never removed.

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
}

impl Removed {
    pub fn total(&self) -> usize {
        self.webhook_deliveries + self.outbox_events + self.mails + self.idempotency_keys
    }
}

/// Removes deliveries and mails that ended before `ended_before`, events
/// dispatched before it that no delivery refers to, and idempotency keys used
/// before `keys_before`.
pub fn prune(
    c: &mut DbConnection,
    ended_before: PrimitiveDateTime,
    keys_before: PrimitiveDateTime,
) -> QueryResult<Removed> {
    let webhook_deliveries = diesel::delete(
        webhook_deliveries::table
            .filter(webhook_deliveries::state.ne(PENDING))
            .filter(
                webhook_deliveries::last_attempt_at.lt(ended_before).or(
                    webhook_deliveries::last_attempt_at
                        .is_null()
                        .and(webhook_deliveries::created_at.lt(ended_before)),
                ),
            ),
    )
    .execute(c)?;
    let outbox_events = diesel::delete(
        outbox_events::table
            .filter(outbox_events::dispatched_at.lt(ended_before))
            .filter(
                outbox_events::id
                    .ne_all(webhook_deliveries::table.select(webhook_deliveries::event_id)),
            ),
    )
    .execute(c)?;
    let mails = diesel::delete(
        mail_outbox::table.filter(
            mail_outbox::sent_at
                .lt(ended_before)
                .or(mail_outbox::sent_at
                    .is_null()
                    .and(mail_outbox::next_attempt_at.is_null())
                    .and(mail_outbox::created_at.lt(ended_before))),
        ),
    )
    .execute(c)?;
    let idempotency_keys = diesel::delete(
        api_idempotency_keys::table.filter(api_idempotency_keys::created_at.lt(keys_before)),
    )
    .execute(c)?;
    Ok(Removed {
        webhook_deliveries,
        outbox_events,
        mails,
        idempotency_keys,
    })
}
