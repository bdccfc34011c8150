//! Creating a token: the form's input checked, the token saved with its first
//! secret, which is returned once and never stored in clear.

use super::{TokenError, choices, record_change};
use crate::db::tokens::{self, NewToken, TokenRow};
use time::Duration;

use crate::db::{DbConnection, idempotency, is_unique_violation, now};
use crate::domain::audit::AuditAction;
use crate::domain::encryption::EncryptionKey;
use crate::domain::ids::Guid;
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
        .write(move |c| create_in(c, &caller, input, key.as_ref()))
        .await?;
    services.token_changed(&created.token.guid);
    Ok(created)
}

/// A create retried under the same key answers with what the first one made.
pub struct Idempotency {
    pub key: String,
    /// Of the request's body: the same key with another request is refused.
    pub request_digest: String,
}

/// How long an idempotency key is remembered.
pub const IDEMPOTENCY_WINDOW: Duration = Duration::hours(24);

pub enum CreateOutcome {
    Created(Box<Created>),
    /// Made by an earlier request with the same key: the token, without its
    /// secret, which was not kept.
    Replayed(Guid),
}

/// [`create`], once per idempotency key of the caller's API key.
pub async fn create_once(
    services: Services<'_>,
    caller: &Caller,
    input: TokenInput,
    idempotency: Idempotency,
) -> Result<CreateOutcome, TokenError> {
    caller.require(Permission::TokensCreate)?;
    let api_key = caller
        .actor
        .via_api_key
        .as_ref()
        .map(|k| k.id)
        .ok_or(TokenError::Refused("Idempotency keys are for API keys."))?;
    let key = services.encryption_key.cloned();
    let caller = caller.clone();
    let outcome = services
        .db
        .write(move |c| {
            let now = now();
            idempotency::prune(c, api_key, now - IDEMPOTENCY_WINDOW)?;
            if let Some((digest, guid)) = idempotency::find(c, api_key, &idempotency.key)? {
                if digest != idempotency.request_digest {
                    return Err(TokenError::IdempotencyKeyReused);
                }
                let guid = Guid::parse(&guid).ok_or(TokenError::NotFound)?;
                return Ok(CreateOutcome::Replayed(guid));
            }
            let created = create_in(c, &caller, input, key.as_ref())?;
            idempotency::insert(
                c,
                api_key,
                &idempotency.key,
                &idempotency.request_digest,
                created.token.guid.as_str(),
                now,
            )
            .map_err(|e| {
                // Another request with this key committed first: it made the token.
                if is_unique_violation(&e) {
                    TokenError::IdempotencyKeyInFlight
                } else {
                    e.into()
                }
            })?;
            Ok(CreateOutcome::Created(Box::new(created)))
        })
        .await?;
    if let CreateOutcome::Created(created) = &outcome {
        services.token_changed(&created.token.guid);
    }
    Ok(outcome)
}

fn create_in(
    c: &mut DbConnection,
    caller: &Caller,
    input: TokenInput,
    key: Option<&EncryptionKey>,
) -> Result<Created, TokenError> {
    let (scope_ids, module_ids) = choices(c, caller)?;
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
            secret: &secret.to_store(&definition.guid, key),
            created_by: caller.actor.id,
        },
    )?;
    record_change(
        c,
        &caller.actor,
        AuditAction::TokenCreated,
        (&token.guid, &token.name),
        &summary(&definition),
    )?;
    Ok(Created { token, secret })
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
