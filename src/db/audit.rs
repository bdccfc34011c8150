//! The audit trail: who did what to which object, when, and from where.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::audit_events;
use super::{DbConnection, now};

/// Who acts: an administrator, or an operator at the command line.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<i64>,
    pub label: String,
    pub ip: Option<String>,
}

impl Actor {
    pub fn command_line() -> Self {
        Self {
            id: None,
            label: "Command line".into(),
            ip: None,
        }
    }
}

/// What an event is about.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    pub kind: &'a str,
    pub id: Option<&'a str>,
    pub label: &'a str,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct AuditEvent {
    pub id: i64,
    pub occurred_at: PrimitiveDateTime,
    pub actor_id: Option<i64>,
    pub actor_label: String,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub target_label: String,
    pub ip: Option<String>,
    pub details: String,
}

pub fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    action: &str,
    target: &Target<'_>,
    details: &str,
) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::occurred_at.eq(now()),
            audit_events::actor_id.eq(actor.id),
            audit_events::actor_label.eq(&actor.label),
            audit_events::action.eq(action),
            audit_events::target_type.eq(target.kind),
            audit_events::target_id.eq(target.id),
            audit_events::target_label.eq(target.label),
            audit_events::ip.eq(actor.ip.as_deref()),
            audit_events::details.eq(details),
        ))
        .execute(conn)?;
    Ok(())
}

/// The newest events first, `limit` of them, older than `before_id` when given.
pub fn recent(
    conn: &mut DbConnection,
    limit: i64,
    before_id: Option<i64>,
) -> QueryResult<Vec<AuditEvent>> {
    let mut query = audit_events::table
        .select(AuditEvent::as_select())
        .order(audit_events::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(before) = before_id {
        query = query.filter(audit_events::id.lt(before));
    }
    query.load(conn)
}
