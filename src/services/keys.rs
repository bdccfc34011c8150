//! The encryption key of kept token values: rotating it re-encrypts every value.

use crate::db::audit::{self, Target};
use crate::db::{DbError, tokens};
use crate::domain::audit::{AuditAction, TargetKind};
use crate::domain::encryption::EncryptionKey;
use crate::domain::permissions::Permission;
use crate::domain::tokens::SecretToken;
use crate::services::{Caller, Forbidden, Services};

#[derive(Debug, thiserror::Error)]
pub enum KeysError {
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    #[error(
        "{refused} of {total} stored token values do not decrypt with the old key: is \
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

/// Re-encrypts every kept value from `old` to `new`, in one transaction: if any
/// value does not decrypt with the old key, nothing changes. Returns how many.
pub async fn rotate(
    services: Services<'_>,
    caller: &Caller,
    old: EncryptionKey,
    new: EncryptionKey,
) -> Result<usize, KeysError> {
    caller.require(Permission::SettingsManage)?;
    let actor = caller.actor.clone();
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
            if refused > 0 {
                return Err(KeysError::WrongOldKey {
                    refused,
                    total: sealed.len(),
                });
            }
            let target = Target::of(TargetKind::Settings, None, "Encryption key");
            let details = serde_json::json!({ "values": sealed.len() });
            audit::record(
                c,
                &actor,
                AuditAction::KeysRotated,
                &target,
                &details.to_string(),
            )?;
            Ok(sealed.len())
        })
        .await
}
