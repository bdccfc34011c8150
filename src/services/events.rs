//! What happened to a token, told to webhooks: the event is written to the outbox
//! in the transaction of the change, so it is sent if and only if the change holds.

use diesel::QueryResult;
use serde_json::{Value, json};

use crate::db::audit::Actor;
use crate::db::tokens::{self, TokenRow};
use crate::db::{DbConnection, now, outbox};
use crate::domain::audit::AuditAction;
use crate::domain::ids::Guid;
use crate::domain::timestamps::iso;
use crate::domain::webhooks::EventType;

/// Writes the event of a recorded token change, if it is one webhooks hear of.
pub fn token_changed(
    c: &mut DbConnection,
    actor: &Actor,
    action: AuditAction,
    guid: &Guid,
) -> QueryResult<()> {
    let Some(event) = EventType::of_change(action) else {
        return Ok(());
    };
    let Some((token, scopes)) = tokens::row_with_scopes(c, guid)? else {
        return Ok(());
    };
    token_event(c, event, Some(actor), &token, &scopes)
}

/// Writes `event` about `token` (with its `scopes`) as it is now.
pub fn token_event(
    c: &mut DbConnection,
    event: EventType,
    actor: Option<&Actor>,
    token: &TokenRow,
    scopes: &[(i64, String)],
) -> QueryResult<()> {
    let now = now();
    let data = json!({
        "token": {
            "guid": token.guid.as_str(),
            "name": token.name,
            "type": token.token_type.key(),
            "status": token.status(now).key(),
            "scopes": scopes.iter().map(|(_, name)| name.as_str()).collect::<Vec<_>>(),
            "valid_from": iso(&token.valid_from),
            "valid_to": token.valid_to.as_ref().map(iso),
            "created_at": iso(&token.created_at),
            "last_used_at": token.last_used_at.as_ref().map(iso),
        },
        "actor": actor.map_or(Value::Null, |a| json!({
            "name": a.label,
            "via_api_key": a.via_api_key.as_ref().map(|k| k.name.as_str()),
            "batch": a.batch,
        })),
    });
    let payload = json!({ "type": event.key(), "timestamp": iso(&now), "data": data });
    let scope_ids: Vec<i64> = scopes.iter().map(|(id, _)| *id).collect();
    outbox::record(c, event, &payload, &scope_ids, now)?;
    Ok(())
}
