//! Showing a kept token value again: only with an encryption key, for callers with
//! `tokens.reveal` who manage all the token's scopes; rate-limited per caller and
//! audited each time. Confirming the password again is the page's concern.

use super::{TokenError, changeable, policy, target};
use crate::db::{audit, now, throttle, tokens};
use crate::domain::audit::AuditAction;
use crate::domain::digest::sha256_hex;
use crate::domain::ids::Guid;
use crate::domain::permissions::Permission;
use crate::domain::throttle::REVEALS;
use crate::domain::tokens::SecretToken;
use crate::services::{Caller, Services};

/// Why the value is shown, for the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevealPurpose {
    Show,
    Copy,
}

impl RevealPurpose {
    pub fn key(self) -> &'static str {
        match self {
            RevealPurpose::Show => "show",
            RevealPurpose::Copy => "copy",
        }
    }
}

pub async fn reveal(
    services: Services<'_>,
    caller: &Caller,
    guid: &Guid,
    purpose: RevealPurpose,
) -> Result<SecretToken, TokenError> {
    caller.require(Permission::TokensReveal)?;
    let key = services
        .encryption_key
        .cloned()
        .ok_or(TokenError::NoEncryptionKey)?;
    let (caller, guid) = (caller.clone(), guid.to_owned());
    services
        .db
        .run(move |c| {
            let token = changeable(c, &caller, &guid)?;
            policy::refuse_showing_again(c, &token)?;
            let token = token.token;
            // Counted before anything is shown, in one statement: concurrent reveals
            // cannot outrun the limit. The command line counts as one caller.
            let key_of_caller = format!("token-reveal\n{}", caller.actor.id.map_or(0, |id| id.0));
            let counter =
                throttle::count_attempt(c, &sha256_hex(key_of_caller.as_bytes()), &REVEALS)?;
            if let Some(wait) = REVEALS.judge(&counter, now()).wait() {
                return Err(TokenError::RateLimited(wait));
            }
            let sealed = tokens::sealed_secret(c, token.id)?.ok_or(TokenError::ValueNotKept)?;
            let secret = SecretToken::unseal(&key, &token.guid, &sealed)
                .map_err(|_| TokenError::WrongEncryptionKey)?;
            let details = serde_json::json!({ "purpose": purpose.key() });
            audit::record(
                c,
                &caller.actor,
                AuditAction::TokenRevealed,
                &target(&token),
                &details.to_string(),
            )?;
            Ok(secret)
        })
        .await
}
