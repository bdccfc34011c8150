//! The encryption key of kept secrets (token values, webhook signing secrets):
//! rotating it re-encrypts every one.

use crate::db::audit::{self, Target};
use crate::db::{DbError, tokens, webhooks};
use crate::domain::audit::{AuditAction, TargetKind};
use crate::domain::encryption::EncryptionKey;
use crate::domain::permissions::Permission;
use crate::domain::tokens::SecretToken;
use crate::domain::webhooks::signature::WebhookKeys;
use crate::services::{Caller, Forbidden, Services};

#[derive(Debug, thiserror::Error)]
pub enum KeysError {
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    #[error(
        "{refused} of {total} stored secrets do not decrypt with the old key: is \
         TESSERA_ENCRYPTION_KEY the key Tessera runs with? Nothing was changed."
    )]
    WrongOldKey { refused: usize, total: usize },
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for KeysError {
    fn from(error: diesel::result::Error) -> Self {
        Self::Db(error.into())
    }
}

/// Re-encrypts every kept secret from `old` to `new`, in one transaction: if any
/// does not decrypt with the old key, nothing changes; webhook secrets may also open
/// with the key Tessera `generated` beside a SQLite database. Says how many of each.
pub async fn rotate(
    services: Services<'_>,
    caller: &Caller,
    old: EncryptionKey,
    generated: Option<EncryptionKey>,
    new: EncryptionKey,
) -> Result<Rotated, KeysError> {
    caller.require(Permission::SettingsManage)?;
    let actor = caller.actor.clone();
    let old_webhook_keys = WebhookKeys::new(old.clone(), generated);
    services
        .db
        .write(move |c| {
            let sealed = tokens::sealed_secrets(c)?;
            let mut refused = 0;
            for (id, guid, value) in &sealed {
                match SecretToken::unseal(&old, guid, value) {
                    Ok(secret) => tokens::replace_sealed_secret(c, *id, &secret.seal(guid, &new))?,
                    Err(_) => refused += 1,
                }
            }
            let endpoints = webhooks::list(c)?;
            for item in &endpoints {
                let endpoint = &item.endpoint;
                let reseal = |sealed: &str| {
                    old_webhook_keys
                        .open(&endpoint.public_id, sealed)
                        .map(|secret| secret.seal(&new, &endpoint.public_id))
                };
                let previous = endpoint
                    .previous_secret_sealed
                    .as_deref()
                    .map(reseal)
                    .transpose();
                match (reseal(&endpoint.secret_sealed), previous) {
                    (Ok(current), Ok(previous)) => webhooks::replace_sealed_secrets(
                        c,
                        endpoint.id,
                        &current,
                        previous.as_deref(),
                    )?,
                    _ => refused += 1,
                }
            }
            let total = sealed.len() + endpoints.len();
            if refused > 0 {
                return Err(KeysError::WrongOldKey { refused, total });
            }
            let target = Target::of(TargetKind::Settings, None, "Encryption key");
            let details =
                serde_json::json!({ "values": sealed.len(), "webhook_secrets": endpoints.len() });
            audit::record(
                c,
                &actor,
                AuditAction::KeysRotated,
                &target,
                &details.to_string(),
            )?;
            Ok(Rotated {
                token_values: sealed.len(),
                webhook_secrets: endpoints.len(),
            })
        })
        .await
}

/// What a rotation re-encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rotated {
    pub token_values: usize,
    pub webhook_secrets: usize,
}
