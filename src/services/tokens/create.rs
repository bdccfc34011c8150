//! Creating a token: the form's input checked, the token saved with its first
//! secret, which is returned once and never stored in clear.

use super::policy::{Policies, shape_of};
use super::{Choices, TokenError, target, with_owner};
use crate::db::identities;
use crate::db::tokens::{self, NewToken, TokenDetails};
use crate::db::{audit, changes};
use crate::domain::webhooks::EventType;
use crate::services::events;
use time::Duration;

use crate::db::{DbConnection, idempotency, is_unique_violation, now};
use crate::domain::audit::AuditAction;
use crate::domain::encryption::EncryptionKey;
use crate::domain::ids::Guid;
use crate::domain::permissions::Permission;
use crate::domain::timestamps::iso;
use crate::domain::tokens::{SecretToken, TokenDefinition, TokenInput, validate};
use crate::domain::validation::FieldErrors;
use crate::services::{Caller, Services};

pub struct Created {
    /// The token as saved, as a read of it would find it.
    pub token: TokenDetails,
    /// Every module's ID and key, which its grants name.
    pub modules: Vec<(i64, String)>,
    /// Shown to the caller once; only its digest (and, with an encryption key, its
    /// ciphertext) is kept.
    pub secret: SecretToken,
}

/// Makes a token of `input`, given the choices the caller has (a form's input is
/// made already; the API's names scopes and modules, which are looked up among
/// the choices read in the create's own transaction).
pub async fn create(
    services: Services<'_>,
    caller: &Caller,
    input: impl NewInput,
) -> Result<Created, TokenError> {
    caller.require(Permission::TokensCreate)?;
    let key = services.encryption_key.cloned();
    let caller = caller.clone();
    let created = services
        .db
        .write(move |c| {
            let choices = Choices::read(c, &caller.scopes)?;
            let input = input.resolve(&choices).map_err(TokenError::Invalid)?;
            create_in(c, &caller, input, choices, key.as_ref())
        })
        .await?;
    services.token_changed(&created.token.token.guid);
    Ok(created)
}

/// A new token's input: a form's, made already, or the API's, made from the
/// choices the caller has.
pub trait NewInput: Send + 'static {
    fn resolve(self, choices: &Choices) -> Result<TokenInput, FieldErrors>;
}

impl NewInput for TokenInput {
    fn resolve(self, _: &Choices) -> Result<TokenInput, FieldErrors> {
        Ok(self)
    }
}

impl<F> NewInput for F
where
    F: FnOnce(&Choices) -> Result<TokenInput, FieldErrors> + Send + 'static,
{
    fn resolve(self, choices: &Choices) -> Result<TokenInput, FieldErrors> {
        self(choices)
    }
}

/// A create retried under the same key answers with what the first one made.
#[derive(Clone)]
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
    input: impl NewInput,
    idempotency: Idempotency,
) -> Result<CreateOutcome, TokenError> {
    caller.require(Permission::TokensCreate)?;
    let api_key = api_key_of(caller)?;
    let key = services.encryption_key.cloned();
    let caller = caller.clone();
    let request = idempotency.clone();
    let outcome = services
        .db
        .write(move |c| {
            let now = now();
            idempotency::prune(c, api_key, now - IDEMPOTENCY_WINDOW)?;
            if let Some(replayed) = replay(c, api_key, &request)? {
                return Ok(replayed);
            }
            let choices = Choices::read(c, &caller.scopes)?;
            let input = input.resolve(&choices).map_err(TokenError::Invalid)?;
            // The key is taken before the token is made: a concurrent request with
            // it waits here until this transaction ends, rather than making a token
            // of its own. (A GUID that does not parse fails validation below, and
            // the reservation goes with the rollback.)
            let guid = Guid::parse(&input.guid).map(|g| g.to_string());
            reserve_key(
                c,
                api_key,
                &request,
                guid.as_deref().unwrap_or_default(),
                now,
            )?;
            let created = create_in(c, &caller, input, choices, key.as_ref())?;
            Ok(CreateOutcome::Created(Box::new(created)))
        })
        .await;
    let outcome = match outcome {
        // Another request with this key went first and has committed by now (it
        // held the key until then): answer as it did.
        Err(TokenError::IdempotencyKeyInFlight) => services
            .db
            .run(move |c| replay(c, api_key, &idempotency))
            .await?
            .ok_or(TokenError::IdempotencyKeyInFlight)?,
        other => other?,
    };
    if let CreateOutcome::Created(created) = &outcome {
        services.token_changed(&created.token.token.guid);
    }
    Ok(outcome)
}

/// The row ID of the API key the caller acts through, whose idempotency keys these are.
pub(super) fn api_key_of(caller: &Caller) -> Result<i64, TokenError> {
    caller
        .actor
        .via_api_key
        .as_ref()
        .map(|k| k.id)
        .ok_or(TokenError::Refused("Idempotency keys are for API keys."))
}

/// Takes the idempotency key for a request that makes `made` (a token's GUID, or a
/// bulk action's batch ID); a concurrent request holding it is in flight.
pub(super) fn reserve_key(
    c: &mut DbConnection,
    api_key: i64,
    request: &Idempotency,
    made: &str,
    now: time::PrimitiveDateTime,
) -> Result<(), TokenError> {
    idempotency::insert(c, api_key, &request.key, &request.request_digest, made, now).map_err(|e| {
        if is_unique_violation(&e) {
            TokenError::IdempotencyKeyInFlight
        } else {
            e.into()
        }
    })
}

/// What an earlier request with this idempotency key made, if there was one.
fn replay(
    c: &mut DbConnection,
    api_key: i64,
    request: &Idempotency,
) -> Result<Option<CreateOutcome>, TokenError> {
    let Some((digest, guid)) = idempotency::find(c, api_key, &request.key)? else {
        return Ok(None);
    };
    if digest != request.request_digest {
        return Err(TokenError::IdempotencyKeyReused);
    }
    let guid = Guid::parse(&guid).ok_or(TokenError::NotFound)?;
    Ok(Some(CreateOutcome::Replayed(guid)))
}

fn create_in(
    c: &mut DbConnection,
    caller: &Caller,
    input: TokenInput,
    choices: Choices,
    key: Option<&EncryptionKey>,
) -> Result<Created, TokenError> {
    let checked = validate(&input, &choices.context(None));
    let (definition, identity) = with_owner(c, caller, &input, checked)?;
    let rules = Policies::read(c)?.check(&definition.scope_ids, &shape_of(&definition), now())?;
    // A scope that shows values once keeps no ciphertext to show again.
    let key = key.filter(|_| rules.keeps_value());
    let secret = SecretToken::generate();
    let stored = secret.to_store(&definition.guid, key);
    let token = tokens::create(
        c,
        &NewToken {
            definition: &definition,
            secret: &stored,
            created_by: caller.actor.id,
        },
    )?;
    if let Some(identity) = &identity {
        identities::link_token(c, token.id, Some(identity.id))?;
    }
    let action = AuditAction::TokenCreated;
    audit::record(
        c,
        &caller.actor,
        action,
        &target(&token),
        &summary(&definition),
    )?;
    changes::token_changed(c, &token.guid)?;
    // The new token and its scopes are at hand: its event and the answer are
    // written from them rather than from the rows just inserted, read back.
    let mut scopes = choices.scopes;
    scopes.retain(|(id, _)| definition.scope_ids.contains(id));
    events::token_event(
        c,
        EventType::TokenCreated,
        Some(&caller.actor),
        &token,
        &scopes,
    )?;
    let mut allowed_networks: Vec<String> = definition
        .allowed_networks
        .iter()
        .map(ToString::to_string)
        .collect();
    allowed_networks.sort();
    let token = TokenDetails {
        token,
        created_by: caller.actor.administrator.clone(),
        scopes,
        permissions: definition.permissions,
        allowed_networks,
        has_sealed_secret: stored.sealed.is_some(),
        identity,
    };
    Ok(Created {
        token,
        modules: choices.modules,
        secret,
    })
}

/// The audit entry of a new token: what it grants, from where and when.
fn summary(definition: &TokenDefinition) -> String {
    let mut summary = serde_json::json!({
        "type": definition.token_type.key(),
        "scope_ids": definition.scope_ids,
        "valid_from": iso(&definition.validity.valid_from),
        "valid_to": definition.validity.valid_to.as_ref().map(iso),
    });
    if !definition.permissions.is_empty() {
        let grants: Vec<String> = definition
            .permissions
            .iter()
            .map(|(module, action)| format!("{module}:{}", action.key()))
            .collect();
        summary["permissions"] = grants.into();
    }
    if !definition.allowed_networks.is_empty() {
        let networks: Vec<String> = definition
            .allowed_networks
            .iter()
            .map(ToString::to_string)
            .collect();
        summary["allowed_networks"] = networks.into();
    }
    if definition.can_introspect {
        summary["can_introspect"] = true.into();
    }
    summary.to_string()
}
