//! Handing due deliveries to one sender at a time, also across instances, and
//! recording how each attempt went.

use std::collections::HashMap;

use diesel::prelude::*;
use time::{Duration, PrimitiveDateTime};

use super::{DELIVERED, FAILED, PENDING, enabled_endpoints};
use crate::db::DbConnection;
use crate::db::schema::{outbox_events, webhook_deliveries, webhook_endpoints};
use crate::db::webhooks::{self, EndpointRow};
use crate::domain::webhooks::schedule::{next_attempt, should_disable};

/// A delivery handed to a sender: what to send, where, signed with what.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub id: i64,
    pub attempts: i32,
    pub endpoint: EndpointRow,
    pub event_type: String,
    pub message_id: String,
    pub payload: String,
    pub occurred_at: PrimitiveDateTime,
    /// The end of this sender's claim, which also tells it apart from a later
    /// sender's claim on the same delivery.
    pub claimed_until: PrimitiveDateTime,
}

/// The PostgreSQL transaction lock that claims take ("TSRHOOKS").
const CLAIMS_LOCK: i64 = 0x5453_5248_4f4f_4b53;

/// Takes due deliveries for `lease`: no other sender takes them until then (a
/// sender that dies leaves them to the next one). Of the `window` due soonest, each
/// endpoint gets at most `per_endpoint`, and none while a sender still holds one
/// of its deliveries, so that one endpoint's backlog or slowness holds up no other
/// and a slow receiver is not sent more at once by several instances. Claims are
/// taken one instance at a time (on SQLite by the write lock, on PostgreSQL by a
/// transaction lock), so each sees the others' claims; each claim is also a
/// conditional update.
pub fn claim_due(
    c: &mut DbConnection,
    window: i64,
    per_endpoint: usize,
    lease: Duration,
    now: PrimitiveDateTime,
) -> QueryResult<Vec<DueDelivery>> {
    if let DbConnection::Postgres(pg) = c {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<diesel::sql_types::BigInt, _>(CLAIMS_LOCK)
            .execute(pg)?;
    }
    let busy: Vec<i64> = webhook_deliveries::table
        .filter(webhook_deliveries::state.eq(PENDING))
        .filter(webhook_deliveries::claimed_until.ge(now))
        .select(webhook_deliveries::endpoint_id)
        .distinct()
        .load(c)?;
    let claimable = webhook_deliveries::claimed_until
        .is_null()
        .or(webhook_deliveries::claimed_until.lt(now));
    let candidates: Vec<(i64, i64)> = webhook_deliveries::table
        .filter(webhook_deliveries::state.eq(PENDING))
        .filter(webhook_deliveries::endpoint_id.eq_any(enabled_endpoints()))
        .filter(webhook_deliveries::endpoint_id.ne_all(&busy))
        .filter(webhook_deliveries::next_attempt_at.le(now))
        .filter(claimable)
        .order((webhook_deliveries::next_attempt_at, webhook_deliveries::id))
        .limit(window)
        .select((webhook_deliveries::id, webhook_deliveries::endpoint_id))
        .load(c)?;
    let mut taken: HashMap<i64, usize> = HashMap::new();
    let ids: Vec<i64> = candidates
        .into_iter()
        .filter(|(_, endpoint)| {
            let count = taken.entry(*endpoint).or_default();
            *count += 1;
            *count <= per_endpoint
        })
        .map(|(id, _)| id)
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let claimed_until = now + lease;
    let ids: Vec<i64> = diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::id.eq_any(&ids))
            .filter(webhook_deliveries::state.eq(PENDING))
            .filter(claimable),
    )
    .set(webhook_deliveries::claimed_until.eq(claimed_until))
    .returning(webhook_deliveries::id)
    .get_results(c)?;
    let rows: Vec<(
        i64,
        i32,
        EndpointRow,
        String,
        String,
        String,
        PrimitiveDateTime,
    )> = webhook_deliveries::table
        .inner_join(webhook_endpoints::table)
        .inner_join(outbox_events::table)
        .filter(webhook_deliveries::id.eq_any(&ids))
        .order((webhook_deliveries::next_attempt_at, webhook_deliveries::id))
        .select((
            webhook_deliveries::id,
            webhook_deliveries::attempts,
            EndpointRow::as_select(),
            outbox_events::event_type,
            outbox_events::message_id,
            outbox_events::payload,
            outbox_events::created_at,
        ))
        .load(c)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, attempts, endpoint, event_type, message_id, payload, occurred_at)| DueDelivery {
                id,
                attempts,
                endpoint,
                event_type,
                message_id,
                payload,
                occurred_at,
                claimed_until,
            },
        )
        .collect())
}

/// What one attempt gave.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The answer's status, if there was one.
    pub status: Option<u16>,
    pub duration_ms: i32,
    /// Why it failed, in a few words, when it did.
    pub error: Option<String>,
    /// The start of the answer's body, as text.
    pub answer: Option<String>,
}

impl Attempt {
    pub fn succeeded(&self) -> bool {
        self.error.is_none() && self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// How recording an attempt went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    Done,
    /// Every delivery failed for five days: the endpoint is stopped now.
    EndpointStopped,
    /// The claim had lapsed and another sender took the delivery: this attempt
    /// changes nothing.
    ClaimLost,
}

/// Records an attempt that ended at `now`, if the sender still holds its claim:
/// delivered, or retried later on the schedule (counted from the attempt's end),
/// or failed for good; an endpoint failing for five days is disabled.
pub fn record_attempt(
    c: &mut DbConnection,
    delivery: &DueDelivery,
    attempt: &Attempt,
    now: PrimitiveDateTime,
) -> QueryResult<Recorded> {
    let attempts = delivery.attempts + 1;
    let (state, next) = if attempt.succeeded() {
        (DELIVERED, None)
    } else {
        match next_attempt(attempts, now) {
            Some(at) => (PENDING, Some(at)),
            None => (FAILED, None),
        }
    };
    let held = webhook_deliveries::table
        .filter(webhook_deliveries::id.eq(delivery.id))
        .filter(webhook_deliveries::claimed_until.eq(delivery.claimed_until));
    let recorded = diesel::update(held)
        .set((
            webhook_deliveries::state.eq(state),
            webhook_deliveries::attempts.eq(attempts),
            webhook_deliveries::next_attempt_at.eq(next),
            webhook_deliveries::claimed_until.eq(None::<PrimitiveDateTime>),
            webhook_deliveries::last_attempt_at.eq(now),
            webhook_deliveries::last_status.eq(attempt.status.map(i32::from)),
            webhook_deliveries::last_duration_ms.eq(attempt.duration_ms),
            webhook_deliveries::last_error.eq(&attempt.error),
            webhook_deliveries::last_answer.eq(&attempt.answer),
        ))
        .execute(c)?;
    if recorded == 0 {
        return Ok(Recorded::ClaimLost);
    }
    let endpoint = webhook_endpoints::table.filter(webhook_endpoints::id.eq(delivery.endpoint.id));
    if attempt.succeeded() {
        diesel::update(endpoint)
            .set(webhook_endpoints::failing_since.eq(None::<PrimitiveDateTime>))
            .execute(c)?;
        return Ok(Recorded::Done);
    }
    let since: Option<Option<PrimitiveDateTime>> = endpoint
        .select(webhook_endpoints::failing_since)
        .first(c)
        .optional()?;
    // Both writes are conditional: a paused endpoint starts no clock, and of two
    // instances recording failures at once, one stops it (and tells so).
    let enabled = endpoint.filter(webhook_endpoints::enabled.eq(true));
    match since.flatten() {
        None => {
            diesel::update(enabled.filter(webhook_endpoints::failing_since.is_null()))
                .set(webhook_endpoints::failing_since.eq(now))
                .execute(c)?;
            Ok(Recorded::Done)
        }
        Some(since) if should_disable(since, now) => {
            let claimed =
                diesel::update(enabled.filter(webhook_endpoints::failing_since.eq(since)))
                    .set(webhook_endpoints::enabled.eq(false))
                    .execute(c)?;
            if claimed == 1 {
                webhooks::set_enabled(
                    c,
                    delivery.endpoint.id,
                    false,
                    Some("Every delivery failed for five days."),
                    now,
                )?;
            }
            Ok(if claimed == 1 {
                Recorded::EndpointStopped
            } else {
                Recorded::Done
            })
        }
        Some(_) => Ok(Recorded::Done),
    }
}
