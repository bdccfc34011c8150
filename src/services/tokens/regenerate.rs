//! Regenerating a token: a new secret, returned once, for the same token; the
//! previous secret stops now or after a grace period.

use time::{Duration, PrimitiveDateTime};

use super::{TokenError, audit_action, claim, policy, record_change};
use crate::db::now;
use crate::db::tokens::{self, TokenRow};
use crate::domain::ids::Guid;
use crate::domain::timestamps::iso;
use crate::domain::tokens::{SecretToken, TokenChange};
use crate::services::{Caller, Services};

pub struct Regenerated {
    pub token: TokenRow,
    pub secret: SecretToken,
    /// Until when the previous secret still passes, with a grace period.
    pub previous_until: Option<PrimitiveDateTime>,
}

pub async fn regenerate(
    services: Services<'_>,
    caller: &Caller,
    guid: &Guid,
    version: i32,
    grace: Option<Duration>,
) -> Result<Regenerated, TokenError> {
    let change = TokenChange::Regenerate;
    caller.require(change.permission())?;
    let key = services.encryption_key.cloned();
    let (caller, guid) = (caller.clone(), guid.to_owned());
    let regenerated = services
        .db
        .write(move |c| {
            let (saved, token) = claim(c, &caller, &guid, version, change)?;
            let rules = policy::check_saved(c, &saved, now())?;
            let (id, now) = (token.id, now());
            let key = key.filter(|_| rules.keeps_value());
            let previous_until = grace.map(|g| now + g);
            let secret = SecretToken::generate();
            let stored = secret.to_store(&token.guid, key.as_ref());
            tokens::replace_secret(c, id, &stored, previous_until)?;
            let details = serde_json::json!({
                "previous_secret_until": previous_until.as_ref().map(iso),
            });
            record_change(
                c,
                &caller.actor,
                audit_action(change),
                (&token.guid, &token.name),
                &details.to_string(),
            )?;
            Ok::<_, TokenError>(Regenerated {
                token,
                secret,
                previous_until,
            })
        })
        .await?;
    services.token_changed(&regenerated.token.guid);
    Ok(regenerated)
}
