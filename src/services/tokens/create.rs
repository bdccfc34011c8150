//! Creating a token: the form's input checked, the token saved with its first
//! secret, which is returned once and never stored in clear.

use super::{TokenError, choices, target};
use crate::db::tokens::{self, NewToken, TokenRow};
use crate::db::{audit, changes, now};
use crate::domain::audit::AuditAction;
use crate::domain::permissions::Permission;
use crate::domain::timestamps::iso;
use crate::domain::tokens::{FormContext, SecretToken, TokenDefinition, TokenInput, validate};
use crate::services::{Caller, Services};

pub struct Created {
    pub token: TokenRow,
    /// Shown to the caller once; only its digest (and, with an encryption key, its
    /// ciphertext) is kept.
    pub secret: SecretToken,
}

pub async fn create(
    services: Services<'_>,
    caller: &Caller,
    input: TokenInput,
) -> Result<Created, TokenError> {
    caller.require(Permission::TokensCreate)?;
    let key = services.encryption_key.cloned();
    let caller = caller.clone();
    let created = services
        .db
        .write(move |c| {
            let (scope_ids, module_ids) = choices(c, &caller)?;
            let context = FormContext {
                now: now(),
                module_ids: &module_ids,
                scope_ids: &scope_ids,
                current: None,
            };
            let definition = validate(&input, &context).map_err(TokenError::Invalid)?;
            let secret = SecretToken::generate();
            let token = tokens::create(
                c,
                &NewToken {
                    definition: &definition,
                    secret: &secret.to_store(&definition.guid, key.as_ref()),
                    created_by: caller.actor.id,
                },
            )?;
            audit::record(
                c,
                &caller.actor,
                AuditAction::TokenCreated,
                &target(&token),
                &summary(&definition),
            )?;
            changes::token_changed(c, &token.guid)?;
            Ok::<_, TokenError>(Created { token, secret })
        })
        .await?;
    services.token_changed(&created.token.guid);
    Ok(created)
}

/// The audit entry of a new token: what it grants and when.
fn summary(definition: &TokenDefinition) -> String {
    serde_json::json!({
        "type": definition.token_type.key(),
        "scope_ids": definition.scope_ids,
        "valid_from": iso(&definition.validity.valid_from),
        "valid_to": definition.validity.valid_to.as_ref().map(iso),
    })
    .to_string()
}
