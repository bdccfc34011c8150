//! The outbox and the webhook deliveries made from it. An event is written in the
//! transaction of the change it tells about; [`dispatch`] turns it into one
//! delivery per endpoint that wants it; [`claim_due`] hands due deliveries to one
//! sender at a time, also across instances.

use diesel::prelude::*;
use time::{Duration, PrimitiveDateTime};

use super::schema::{outbox_events, webhook_deliveries, webhook_endpoints};
use super::webhooks::EndpointRow;
use super::{DbConnection, webhooks};
use crate::domain::webhooks::EventType;
use crate::domain::webhooks::schedule::{next_attempt, should_disable};

pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
pub const FAILED: &str = "failed";

/// Writes an event; `scope_ids` are its token's, for endpoints limited to scopes.
pub fn record(
    c: &mut DbConnection,
    event: EventType,
    payload: &serde_json::Value,
    scope_ids: &[i64],
    now: PrimitiveDateTime,
) -> QueryResult<i64> {
    let scopes: Vec<String> = scope_ids.iter().map(i64::to_string).collect();
    diesel::insert_into(outbox_events::table)
        .values((
            outbox_events::event_type.eq(event.key()),
            outbox_events::message_id.eq(format!("msg_{}", uuid::Uuid::new_v4().simple())),
            outbox_events::payload.eq(payload.to_string()),
            outbox_events::scope_ids.eq(scopes.join(" ")),
            outbox_events::created_at.eq(now),
        ))
        .returning(outbox_events::id)
        .get_result(c)
}

/// Turns up to `limit` waiting events into deliveries to every enabled endpoint
/// that wants them, in the caller's transaction; how many events it took.
pub fn dispatch(c: &mut DbConnection, limit: i64, now: PrimitiveDateTime) -> QueryResult<usize> {
    let waiting = outbox_events::table
        .filter(outbox_events::dispatched_at.is_null())
        .order(outbox_events::id)
        .limit(limit)
        .select((
            outbox_events::id,
            outbox_events::event_type,
            outbox_events::scope_ids,
        ));
    let events: Vec<(i64, String, String)> = match c {
        // Another instance dispatching at once takes other events.
        DbConnection::Postgres(pg) => waiting.for_update().skip_locked().load(pg)?,
        DbConnection::Sqlite(sqlite) => waiting.load(sqlite)?,
    };
    if events.is_empty() {
        return Ok(0);
    }
    let endpoints: Vec<_> = webhooks::list(c)?
        .into_iter()
        .filter(|e| e.endpoint.enabled)
        .collect();
    for (event_id, event_type, scope_ids) in &events {
        let Some(event) = EventType::from_key(event_type) else {
            continue;
        };
        let token_scopes: Vec<i64> = scope_ids
            .split_whitespace()
            .filter_map(|s| s.parse().ok())
            .collect();
        for item in endpoints.iter().filter(|e| e.hears(event, &token_scopes)) {
            insert_delivery(c, item.endpoint.id, *event_id, now)?;
        }
    }
    let ids: Vec<i64> = events.iter().map(|(id, _, _)| *id).collect();
    diesel::update(outbox_events::table.filter(outbox_events::id.eq_any(&ids)))
        .set(outbox_events::dispatched_at.eq(now))
        .execute(c)?;
    Ok(events.len())
}

/// An event delivered to chosen endpoints only (a test) is not dispatched again.
pub fn mark_dispatched(
    c: &mut DbConnection,
    event_id: i64,
    now: PrimitiveDateTime,
) -> QueryResult<()> {
    diesel::update(outbox_events::table.filter(outbox_events::id.eq(event_id)))
        .set(outbox_events::dispatched_at.eq(now))
        .execute(c)?;
    Ok(())
}

/// Deliveries go to enabled endpoints only; a paused one's wait.
#[diesel::dsl::auto_type]
fn enabled_endpoints() -> _ {
    webhook_endpoints::table
        .filter(webhook_endpoints::enabled.eq(true))
        .select(webhook_endpoints::id)
}

/// Whether an event waits to be dispatched or a delivery is due: read without the
/// write lock, so that an idle round costs two index lookups and no lock.
pub fn has_work(c: &mut DbConnection, now: PrimitiveDateTime) -> QueryResult<bool> {
    let waiting: bool = diesel::select(diesel::dsl::exists(
        outbox_events::table.filter(outbox_events::dispatched_at.is_null()),
    ))
    .get_result(c)?;
    if waiting {
        return Ok(true);
    }
    diesel::select(diesel::dsl::exists(
        webhook_deliveries::table
            .filter(webhook_deliveries::state.eq(PENDING))
            .filter(webhook_deliveries::next_attempt_at.le(now))
            .filter(webhook_deliveries::endpoint_id.eq_any(enabled_endpoints())),
    ))
    .get_result(c)
}

/// A delivery to try now (a new one, or a redelivery of an earlier event).
pub fn insert_delivery(
    c: &mut DbConnection,
    endpoint_id: i64,
    event_id: i64,
    now: PrimitiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(webhook_deliveries::table)
        .values((
            webhook_deliveries::endpoint_id.eq(endpoint_id),
            webhook_deliveries::event_id.eq(event_id),
            webhook_deliveries::state.eq(PENDING),
            webhook_deliveries::attempts.eq(0),
            webhook_deliveries::next_attempt_at.eq(now),
            webhook_deliveries::created_at.eq(now),
        ))
        .returning(webhook_deliveries::id)
        .get_result(c)
}

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
}

/// Takes up to `limit` due deliveries for `lease`: no other sender takes them
/// until then (a sender that dies leaves them to the next one).
pub fn claim_due(
    c: &mut DbConnection,
    limit: i64,
    lease: Duration,
    now: PrimitiveDateTime,
) -> QueryResult<Vec<DueDelivery>> {
    let due = webhook_deliveries::table
        .filter(webhook_deliveries::state.eq(PENDING))
        .filter(webhook_deliveries::endpoint_id.eq_any(enabled_endpoints()))
        .filter(webhook_deliveries::next_attempt_at.le(now))
        .filter(
            webhook_deliveries::claimed_until
                .is_null()
                .or(webhook_deliveries::claimed_until.lt(now)),
        )
        .order(webhook_deliveries::next_attempt_at)
        .limit(limit)
        .select(webhook_deliveries::id);
    let ids: Vec<i64> = match c {
        DbConnection::Postgres(pg) => due.for_update().skip_locked().load(pg)?,
        DbConnection::Sqlite(sqlite) => due.load(sqlite)?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(&ids)))
        .set(webhook_deliveries::claimed_until.eq(now + lease))
        .execute(c)?;
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
}

impl Attempt {
    pub fn succeeded(&self) -> bool {
        self.error.is_none() && self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Records an attempt: delivered, or retried later on the schedule, or failed for
/// good; an endpoint failing for five days is disabled. Whether it was disabled.
pub fn record_attempt(
    c: &mut DbConnection,
    delivery: &DueDelivery,
    attempt: &Attempt,
    now: PrimitiveDateTime,
) -> QueryResult<bool> {
    let attempts = delivery.attempts + 1;
    let (state, next) = if attempt.succeeded() {
        (DELIVERED, None)
    } else {
        match next_attempt(attempts, now) {
            Some(at) => (PENDING, Some(at)),
            None => (FAILED, None),
        }
    };
    diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq(delivery.id)))
        .set((
            webhook_deliveries::state.eq(state),
            webhook_deliveries::attempts.eq(attempts),
            webhook_deliveries::next_attempt_at.eq(next),
            webhook_deliveries::claimed_until.eq(None::<PrimitiveDateTime>),
            webhook_deliveries::last_attempt_at.eq(now),
            webhook_deliveries::last_status.eq(attempt.status.map(i32::from)),
            webhook_deliveries::last_duration_ms.eq(attempt.duration_ms),
            webhook_deliveries::last_error.eq(&attempt.error),
        ))
        .execute(c)?;
    let endpoint = webhook_endpoints::table.filter(webhook_endpoints::id.eq(delivery.endpoint.id));
    if attempt.succeeded() {
        diesel::update(endpoint)
            .set(webhook_endpoints::failing_since.eq(None::<PrimitiveDateTime>))
            .execute(c)?;
        return Ok(false);
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
            Ok(false)
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
            Ok(claimed == 1)
        }
        Some(_) => Ok(false),
    }
}

/// A delivery as the endpoint's log shows it.
#[derive(Debug, Clone, Queryable)]
pub struct DeliveryLogRow {
    pub id: i64,
    pub event_type: String,
    pub message_id: String,
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: Option<PrimitiveDateTime>,
    pub last_attempt_at: Option<PrimitiveDateTime>,
    pub last_status: Option<i32>,
    pub last_duration_ms: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: PrimitiveDateTime,
}

/// The newest deliveries to an endpoint.
pub fn log(c: &mut DbConnection, endpoint_id: i64, limit: i64) -> QueryResult<Vec<DeliveryLogRow>> {
    webhook_deliveries::table
        .inner_join(outbox_events::table)
        .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
        .order(webhook_deliveries::id.desc())
        .limit(limit)
        .select((
            webhook_deliveries::id,
            outbox_events::event_type,
            outbox_events::message_id,
            webhook_deliveries::state,
            webhook_deliveries::attempts,
            webhook_deliveries::next_attempt_at,
            webhook_deliveries::last_attempt_at,
            webhook_deliveries::last_status,
            webhook_deliveries::last_duration_ms,
            webhook_deliveries::last_error,
            webhook_deliveries::created_at,
        ))
        .load(c)
}

/// The event of one of the endpoint's deliveries, to send again.
pub fn event_of(
    c: &mut DbConnection,
    endpoint_id: i64,
    delivery_id: i64,
) -> QueryResult<Option<i64>> {
    webhook_deliveries::table
        .filter(webhook_deliveries::id.eq(delivery_id))
        .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
        .select(webhook_deliveries::event_id)
        .first(c)
        .optional()
}
