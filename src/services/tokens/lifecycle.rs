//! Disable, enable, revoke and delete: one step along a token's lifecycle, allowed
//! or refused by [`TokenChange::allowed_from`].

use super::{TokenError, audit_action, claim, policy, record_change};
use diesel::QueryResult;
use time::PrimitiveDateTime;

use crate::db::tokens::{self, TokenRow};
use crate::db::{DbConnection, now};
use crate::domain::ids::Guid;
use crate::domain::tokens::TokenChange;
use crate::services::{Caller, Services};

/// Stops the token until it is enabled again.
pub async fn disable(
    services: Services<'_>,
    caller: &Caller,
    guid: &Guid,
    version: i32,
) -> Result<TokenRow, TokenError> {
    apply(services, caller, guid, version, TokenChange::Disable).await
}

pub async fn enable(
    services: Services<'_>,
    caller: &Caller,
    guid: &Guid,
    version: i32,
) -> Result<TokenRow, TokenError> {
    apply(services, caller, guid, version, TokenChange::Enable).await
}

/// Ends an active token for good: its validity ends now and no secret of it is kept.
pub async fn revoke(
    services: Services<'_>,
    caller: &Caller,
    guid: &Guid,
    version: i32,
) -> Result<TokenRow, TokenError> {
    apply(services, caller, guid, version, TokenChange::Revoke).await
}

/// Deletes the token for good; its row stays, as Deleted, for the audit trail.
pub async fn delete(
    services: Services<'_>,
    caller: &Caller,
    guid: &Guid,
    version: i32,
) -> Result<TokenRow, TokenError> {
    apply(services, caller, guid, version, TokenChange::Delete).await
}

/// `version` is the one the caller's page showed: a change made meanwhile wins, and
/// this one is refused as [`TokenError::Conflict`].
async fn apply(
    services: Services<'_>,
    caller: &Caller,
    guid: &Guid,
    version: i32,
    change: TokenChange,
) -> Result<TokenRow, TokenError> {
    caller.require(change.permission())?;
    let (caller, guid) = (caller.clone(), guid.to_owned());
    let token = services
        .db
        .write(move |c| {
            let (details, token) = claim(c, &caller, &guid, version, change)?;
            if change == TokenChange::Enable {
                // A token that lets requests through again follows its scopes' rules.
                policy::check_saved(c, &details, now())?;
            }
            write_change(c, &token, change, now())?;
            let named = (&token.guid, token.name.as_str());
            record_change(c, &caller.actor, audit_action(change), named, "")?;
            Ok::<_, TokenError>(token)
        })
        .await?;
    services.token_changed(&token.guid);
    Ok(token)
}

/// Writes a lifecycle change of a claimed token (nothing when it is so already).
pub(super) fn write_change(
    c: &mut DbConnection,
    token: &TokenRow,
    change: TokenChange,
    now: PrimitiveDateTime,
) -> QueryResult<()> {
    let id = token.id;
    match change {
        TokenChange::Disable if token.disabled_at.is_none() => {
            tokens::set_disabled(c, id, Some(now))
        }
        TokenChange::Enable if token.disabled_at.is_some() => tokens::set_disabled(c, id, None),
        TokenChange::Revoke => tokens::revoke(c, id, now),
        TokenChange::Delete => tokens::delete(c, id, now),
        // Already as asked.
        _ => Ok(()),
    }
}
