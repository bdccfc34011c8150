//! Rate limits and credits, set on a token or an identity by administrators who
//! may change it, and what they stand at on this instance.

use serde_json::json;

use super::identities::{self as identity_service, IdentityError};
use super::tokens::TokenError;
use crate::db::audit::{self, Actor, Target};
use crate::db::identities;
use crate::db::limits::{self, CreditsRow, Owner, RateLimitRow};
use crate::db::{DbConnection, DbError, changes, now};
use crate::domain::audit::{AuditAction, TargetKind};
use crate::domain::ids::{Guid, IdentityId, TokenId};
use crate::domain::limits::{UsageControl, limits_text};
use crate::domain::permissions::Permission;
use crate::services::{Caller, Services};

/// The limits and credits of one owner, as stored.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub limits: Vec<RateLimitRow>,
    pub credits: Option<CreditsRow>,
    /// The token was deleted: its limits count for nothing now.
    pub deleted: bool,
}

fn details(control: &UsageControl) -> String {
    json!({
        "limits": limits_text(&control.limits),
        "credits": control.credits.map(|c| json!({
            "remaining": c.remaining,
            "refill": c.refill.map(|(period, amount)| json!({"period": period.key(), "amount": amount})),
        })),
    })
    .to_string()
}

fn record(
    c: &mut DbConnection,
    actor: &Actor,
    target: &Target,
    control: &UsageControl,
) -> diesel::QueryResult<()> {
    audit::record(
        c,
        actor,
        AuditAction::LimitsChanged,
        target,
        &details(control),
    )
}

/// A token's limits and credits, for a caller who sees it.
pub async fn of_token(
    services: Services<'_>,
    caller: &Caller,
    guid: &Guid,
) -> Result<Settings, TokenError> {
    caller.require(Permission::TokensRead)?;
    let (access, guid) = (caller.scopes.clone(), guid.clone());
    services
        .db
        .run(move |c| {
            let token = crate::db::tokens::find(c, &guid, &access)?.ok_or(TokenError::NotFound)?;
            let (limits, credits) = limits::of_owner(c, Owner::Token(token.token.id))?;
            let deleted = token.token.deleted_at.is_some();
            Ok(Settings {
                limits,
                credits,
                deleted,
            })
        })
        .await
}

/// Sets a token's limits and credits.
pub async fn set_for_token(
    services: Services<'_>,
    caller: &Caller,
    guid: &Guid,
    control: UsageControl,
) -> Result<(), TokenError> {
    caller.require(Permission::TokensUpdate)?;
    let (caller, token_guid) = (caller.clone(), guid.clone());
    services
        .db
        .write(move |c| {
            let token = super::tokens::changeable(c, &caller, &token_guid)?;
            if token.token.deleted_at.is_some() {
                return Err(TokenError::Deleted);
            }
            limits::set(c, Owner::Token(token.token.id), &control, now())?;
            let target = Target::of(
                TargetKind::Token,
                Some(token.token.guid.as_str()),
                &token.token.name,
            );
            record(c, &caller.actor, &target, &control)?;
            changes::token_changed(c, &token.token.guid)?;
            Ok::<_, TokenError>(())
        })
        .await?;
    services.token_changed(guid);
    Ok(())
}

/// Sets an identity's limits and credits, shared by its tokens.
pub async fn set_for_identity(
    services: Services<'_>,
    caller: &Caller,
    id: &str,
    control: UsageControl,
) -> Result<(), IdentityError> {
    let (caller, id) = (caller.clone(), id.to_owned());
    let touched = services
        .db
        .write(move |c| {
            let identity = identity_service::changeable(c, &caller, &id)?.identity;
            limits::set(c, Owner::Identity(identity.id), &control, now())?;
            let label = format!("{} ({})", identity.name, identity.external_id);
            let target = Target::of(TargetKind::Identity, Some(&identity.public_id), &label);
            record(c, &caller.actor, &target, &control)?;
            Ok::<_, IdentityError>(identity_service::tokens_changed(c, identity.id)?)
        })
        .await?;
    for guid in &touched {
        services.token_changed(guid);
    }
    Ok(())
}

/// Credits running low, as a notice names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningLow {
    pub name: String,
    pub href: String,
    /// None left (otherwise 80 % or more used).
    pub used_up: bool,
}

/// The tokens and identities the caller sees whose credits are 80 % or wholly
/// used: at most ten.
pub async fn running_low(
    services: Services<'_>,
    caller: &Caller,
) -> Result<Vec<RunningLow>, DbError> {
    let access = caller.scopes.clone();
    services
        .db
        .run(move |c| {
            let mut found = Vec::new();
            for row in limits::running_low(c, 50)? {
                let threshold = row.notified_level;
                let named = match (row.token_id, row.identity_id) {
                    (Some(id), _) => visible_token(c, &access, TokenId(id))?,
                    (None, Some(id)) => identities::by_id(c, IdentityId(id))?
                        .map(|i| identities::find(c, &access, &i.public_id))
                        .transpose()?
                        .flatten()
                        .map(|i| {
                            (
                                i.identity.name,
                                crate::urls::identity(&i.identity.public_id),
                            )
                        }),
                    (None, None) => None,
                };
                if let Some((name, href)) = named {
                    found.push(RunningLow {
                        name,
                        href,
                        used_up: threshold >= 100,
                    });
                }
                if found.len() == 10 {
                    break;
                }
            }
            Ok(found)
        })
        .await
}

fn visible_token(
    c: &mut DbConnection,
    access: &crate::domain::scopes::ScopeAccess,
    id: TokenId,
) -> diesel::QueryResult<Option<(String, String)>> {
    let Some((guid, name)) = crate::db::tokens::live_name(c, id)? else {
        return Ok(None);
    };
    let scopes: Vec<i64> = crate::db::tokens::scopes_of(c, id)?
        .iter()
        .map(|(s, _)| *s)
        .collect();
    Ok(access
        .sees(&scopes)
        .then(|| (name, crate::urls::token(&guid))))
}
