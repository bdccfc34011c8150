//! `token.usage_threshold`: told once when a token's (or its identity's) credits
//! are 80 % used, and once when none are left, in the flush that wrote the spending;
//! again after a refill or a new setting.

use diesel::prelude::*;
use serde_json::json;
use time::PrimitiveDateTime;

use crate::db::identities::{self, IdentityRow};
use crate::db::limits::Crossing;
use crate::db::schema::{api_tokens, identity_scopes};
use crate::db::tokens::{TokenRow, scopes_of};
use crate::db::{DbConnection, outbox};
use crate::domain::ids::{IdentityId, TokenId};
use crate::domain::timestamps::iso;
use crate::domain::webhooks::EventType;

/// Writes the event of a crossing to the outbox, for the endpoints of its scopes.
pub fn tell(c: &mut DbConnection, crossing: &Crossing, now: PrimitiveDateTime) -> QueryResult<()> {
    let credits = json!({
        "remaining": crossing.remaining.max(0),
        "of": crossing.reference,
        "threshold": crossing.threshold,
    });
    let (data, scope_ids) = match (crossing.token_id, crossing.identity_id) {
        (Some(id), _) => {
            let token: TokenRow = api_tokens::table
                .filter(api_tokens::id.eq(id))
                .select(TokenRow::as_select())
                .first(c)?;
            let scopes = scopes_of(c, TokenId(id))?;
            let data = json!({
                "token": {
                    "guid": token.guid.as_str(),
                    "name": token.name,
                    "scopes": scopes.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>(),
                },
                "credits": credits,
            });
            (data, scopes.iter().map(|(id, _)| *id).collect::<Vec<_>>())
        }
        (None, Some(id)) => {
            let Some(identity): Option<IdentityRow> = identities::by_id(c, IdentityId(id))? else {
                return Ok(());
            };
            let scope_ids: Vec<i64> = identity_scopes::table
                .filter(identity_scopes::identity_id.eq(id))
                .select(identity_scopes::scope_id)
                .load(c)?;
            let tokens = identities::tokens_of(c, identity.id)?;
            let data = json!({
                "identity": {
                    "id": identity.public_id,
                    "external_id": identity.external_id,
                    "name": identity.name,
                    "token_guids": tokens.iter().map(|(_, g, _)| g.as_str()).collect::<Vec<_>>(),
                },
                "credits": credits,
            });
            (data, scope_ids)
        }
        (None, None) => return Ok(()),
    };
    let event = EventType::UsageThreshold;
    let payload = json!({ "type": event.key(), "timestamp": iso(&now), "data": data });
    outbox::record(c, event, &payload, &scope_ids, now)?;
    Ok(())
}
