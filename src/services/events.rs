//! What happened to a token, told to webhooks: the event is written to the outbox
//! in the transaction of the change, so it is sent if and only if the change holds.

use diesel::QueryResult;
use serde_json::{Value, json};

use crate::db::audit::Actor;
use crate::db::{DbConnection, now, outbox, tokens};
use crate::domain::audit::AuditAction;
use crate::domain::ids::Guid;
use crate::domain::scopes::ScopeAccess;
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
    token_event(c, event, Some(actor), guid)
}

/// Writes `event` about the token `guid` as it is now.
pub fn token_event(
    c: &mut DbConnection,
    event: EventType,
    actor: Option<&Actor>,
    guid: &Guid,
) -> QueryResult<()> {
    let Some(details) = tokens::find(c, guid, &ScopeAccess::All)? else {
        return Ok(());
    };
    let now = now();
    let token = &details.token;
    let data = json!({
        "token": {
            "guid": token.guid.as_str(),
            "name": token.name,
            "type": token.token_type.key(),
            "status": token.status(now).key(),
            "scopes": details.scopes.iter().map(|(_, name)| name.as_str()).collect::<Vec<_>>(),
            "valid_from": iso(&token.valid_from),
            "valid_to": token.valid_to.as_ref().map(iso),
            "created_at": iso(&token.created_at),
            "last_used_at": token.last_used_at.as_ref().map(iso),
        },
        "actor": actor.map_or(Value::Null, |a| json!({
            "name": a.label,
            "via_api_key": a.via_api_key.as_ref().map(|k| k.name.as_str()),
        })),
    });
    let payload = json!({ "type": event.key(), "timestamp": iso(&now), "data": data });
    let scope_ids: Vec<i64> = details.scopes.iter().map(|(id, _)| *id).collect();
    outbox::record(c, event, &payload, &scope_ids, now)?;
    Ok(())
}
