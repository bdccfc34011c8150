//! The outbox and the webhook deliveries made from it. An event is written in the
//! transaction of the change it tells about; [`dispatch`] turns it into one
//! delivery per endpoint that wants it; [`claim_due`] hands due deliveries to one
//! sender at a time, also across instances.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::{outbox_events, webhook_deliveries, webhook_endpoints};
use super::{DbConnection, webhooks};
use crate::domain::webhooks::EventType;

mod attempts;

pub use attempts::{Attempt, DueDelivery, Recorded, claim_due, record_attempt};

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
    /// What was sent.
    pub payload: String,
    /// The start of the receiver's last answer.
    pub last_answer: Option<String>,
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
            outbox_events::payload,
            webhook_deliveries::last_answer,
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
