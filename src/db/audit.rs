//! The audit trail: who did what to which object, when, and from where.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::admins::Administrator;
use super::connection::MultiBackend;
use super::schema::{api_token_scopes, api_tokens, audit_events};
use super::{DbConnection, now};
use crate::domain::audit::{AuditAction, TargetKind};
use crate::domain::ids::{AdministratorId, Guid};
use crate::domain::scopes::ScopeAccess;

/// Who acts: an administrator, or an operator at the command line.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<AdministratorId>,
    pub label: String,
    pub ip: Option<String>,
    /// The API key the administrator acted through, if any.
    pub via_api_key: Option<ApiKeyRef>,
    /// The administrator's name and public ID, for what names its creator.
    pub administrator: Option<(String, String)>,
    /// The bulk action the change is one of, if any.
    pub batch: Option<String>,
}

/// An API key an administrator acts through: its row ID, and its name for the log.
#[derive(Debug, Clone)]
pub struct ApiKeyRef {
    pub id: i64,
    pub name: String,
}

impl Actor {
    /// An administrator acting in the admin app, from `ip`.
    pub fn administrator(admin: &Administrator, ip: String) -> Self {
        Self {
            id: Some(admin.id),
            label: admin.label(),
            ip: Some(ip),
            via_api_key: None,
            administrator: Some((admin.display_name.clone(), admin.public_id.clone())),
            batch: None,
        }
    }

    pub fn command_line() -> Self {
        Self {
            id: None,
            label: "Command line".into(),
            ip: None,
            via_api_key: None,
            administrator: None,
            batch: None,
        }
    }

    /// Tessera acting on what the identity provider said (creating, linking or
    /// narrowing an administrator at sign-in, or refusing it).
    pub fn single_sign_on() -> Self {
        Self {
            label: "Single sign-on".into(),
            ..Self::system()
        }
    }

    /// Tessera itself, acting on a rule (such as stopping a failing webhook).
    pub fn system() -> Self {
        Self {
            id: None,
            label: "Tessera".into(),
            ip: None,
            via_api_key: None,
            administrator: None,
            batch: None,
        }
    }
}

/// What an event is about: its kind, its stable ID, and its name at the time.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    pub kind: TargetKind,
    pub id: Option<&'a str>,
    pub label: &'a str,
}

impl<'a> Target<'a> {
    pub fn token(guid: &'a Guid, name: &'a str) -> Self {
        Self::of(TargetKind::Token, Some(guid.as_str()), name)
    }

    pub fn administrator(public_id: &'a str, label: &'a str) -> Self {
        Self::of(TargetKind::Administrator, Some(public_id), label)
    }

    pub fn module(key: &'a str, name: &'a str) -> Self {
        Self::of(TargetKind::Module, Some(key), name)
    }

    /// Scopes are named in the audit log by their name alone.
    pub fn scope(name: &'a str) -> Self {
        Self::of(TargetKind::Scope, None, name)
    }

    pub fn of(kind: TargetKind, id: Option<&'a str>, label: &'a str) -> Self {
        Self { kind, id, label }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct AuditEvent {
    pub id: i64,
    pub occurred_at: PrimitiveDateTime,
    pub actor_id: Option<AdministratorId>,
    pub actor_label: String,
    pub action: AuditAction,
    pub target_type: TargetKind,
    pub target_id: Option<String>,
    pub target_label: String,
    pub ip: Option<String>,
    pub details: String,
    pub via_api_key: Option<String>,
    pub batch_id: Option<String>,
}

pub fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    action: AuditAction,
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
            audit_events::via_api_key.eq(actor.via_api_key.as_ref().map(|k| k.name.as_str())),
            audit_events::batch_id.eq(actor.batch.as_deref()),
        ))
        .execute(conn)?;
    Ok(())
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// Whose audit log it is: what an administrator limited to some scopes may read.
#[derive(Debug, Clone)]
pub struct AuditReader {
    pub scopes: ScopeAccess,
    /// The reader's public ID: the events about their own account are theirs too.
    pub public_id: String,
}

type Condition = Box<
    dyn BoxableExpression<
            audit_events::table,
            MultiBackend,
            SqlType = diesel::sql_types::Nullable<diesel::sql_types::Bool>,
        >,
>;

/// The events a reader limited to some scopes sees: those about tokens in one of
/// their scopes, and those about their own account. `None`: every event.
fn readable_by(reader: &AuditReader) -> Option<Condition> {
    let ScopeAccess::Scopes(ids) = &reader.scopes else {
        return None;
    };
    let tokens_in_scope = api_tokens::table
        .filter(
            api_tokens::id.eq_any(
                api_token_scopes::table
                    .filter(api_token_scopes::scope_id.eq_any(ids.clone()))
                    .select(api_token_scopes::token_id),
            ),
        )
        .select(api_tokens::guid.nullable());
    Some(Box::new(
        audit_events::target_type
            .eq(TargetKind::Token)
            .and(audit_events::target_id.eq_any(tokens_in_scope))
            .or(audit_events::target_type
                .eq(TargetKind::Administrator)
                .and(audit_events::target_id.eq(reader.public_id.clone()))),
    ))
}

/// Who appears as the author of events the reader sees: administrator IDs, and
/// `None` for the command line.
pub fn actors(
    conn: &mut DbConnection,
    reader: &AuditReader,
) -> QueryResult<Vec<Option<AdministratorId>>> {
    let mut query = audit_events::table
        .select(audit_events::actor_id)
        .distinct()
        .into_boxed();
    if let Some(condition) = readable_by(reader) {
        query = query.filter(condition);
    }
    query.load(conn)
}

/// What the audit log is narrowed to.
#[derive(Debug, Clone)]
pub struct AuditFilter {
    pub reader: AuditReader,
    /// `Some(None)`: the command line; `Some(Some(id))`: that administrator.
    pub actor: Option<Option<AdministratorId>>,
    pub action: Option<AuditAction>,
    /// Part of a token's GUID or name, lower-cased.
    pub token: Option<String>,
    pub from: Option<PrimitiveDateTime>,
    pub until: Option<PrimitiveDateTime>,
    /// The events of one bulk action.
    pub batch: Option<String>,
}

/// The newest matching events first, `limit` of them, older than `before_id` when given.
pub fn search(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    limit: i64,
    before_id: Option<i64>,
) -> QueryResult<Vec<AuditEvent>> {
    let mut query = audit_events::table
        .select(AuditEvent::as_select())
        .order(audit_events::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(condition) = readable_by(&filter.reader) {
        query = query.filter(condition);
    }
    if let Some(before) = before_id {
        query = query.filter(audit_events::id.lt(before));
    }
    match filter.actor {
        Some(Some(id)) => query = query.filter(audit_events::actor_id.eq(id)),
        Some(None) => query = query.filter(audit_events::actor_id.is_null()),
        None => {}
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_events::action.eq(*action));
    }
    if let Some(token) = &filter.token {
        let pattern = format!("%{}%", token.replace(['%', '_'], ""));
        query = query
            .filter(audit_events::target_type.eq(TargetKind::Token))
            .filter(
                lower(audit_events::target_label)
                    .like(pattern.clone())
                    .or(audit_events::target_id.like(pattern)),
            );
    }
    if let Some(batch) = &filter.batch {
        query = query.filter(audit_events::batch_id.eq(batch.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_events::occurred_at.ge(from));
    }
    if let Some(until) = filter.until {
        query = query.filter(audit_events::occurred_at.le(until));
    }
    query.load(conn)
}

/// The events about one object, newest first.
pub fn for_target(
    conn: &mut DbConnection,
    kind: TargetKind,
    id: &str,
) -> QueryResult<Vec<AuditEvent>> {
    audit_events::table
        .filter(audit_events::target_type.eq(kind))
        .filter(audit_events::target_id.eq(id))
        .order(audit_events::id.desc())
        .select(AuditEvent::as_select())
        .load(conn)
}
