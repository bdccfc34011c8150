//! Identities: added, changed and deleted by administrators allowed
//! `tokens.update`, seen by those allowed `tokens.read`, within their scopes as
//! tokens are. A change reaches verification at once: every token the identity
//! owns answers with its new name and metadata.

use serde_json::json;

use crate::db::audit::{self, Actor, Target};
use crate::db::identities::{self, IdentityRow, IdentityWithScopes};
use crate::db::limits::{self, CreditsRow, Owner, RateLimitRow};
use crate::db::{DbConnection, DbError, changes, now};
use crate::domain::audit::{AuditAction, TargetKind};
use crate::domain::identities::{IdentityInput, validate};
use crate::domain::ids::{Guid, IdentityId, TokenId};
use crate::domain::permissions::Permission;
use crate::domain::scopes::{ScopeAccess, change_refusal};
use crate::domain::validation::FieldErrors;
use crate::services::tokens::Choices;
use crate::services::{Caller, Forbidden, Services};

/// Identities a list shows at most.
pub const LIST_LIMIT: i64 = 500;

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    #[error("This identity does not exist, or you cannot see it.")]
    NotFound,
    /// Seen, but also in scopes the caller does not manage.
    #[error("{0}")]
    ForeignScopes(String),
    #[error(
        "Someone else changed this identity meanwhile, so nothing was saved. Check it and try again."
    )]
    Conflict,
    #[error("Some fields need attention.")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for IdentityError {
    fn from(error: diesel::result::Error) -> Self {
        Self::Db(error.into())
    }
}

/// An identity with the tokens it owns and its usage control.
#[derive(Debug, Clone)]
pub struct IdentityPage {
    pub identity: IdentityWithScopes,
    pub tokens: Vec<(TokenId, Guid, String)>,
    pub limits: Vec<RateLimitRow>,
    pub credits: Option<CreditsRow>,
}

pub async fn list(
    services: Services<'_>,
    caller: &Caller,
    search: &str,
) -> Result<Vec<IdentityWithScopes>, IdentityError> {
    caller.require(Permission::TokensRead)?;
    let (access, search) = (caller.scopes.clone(), search.to_owned());
    Ok(services
        .db
        .run(move |c| identities::list(c, &access, &search, LIST_LIMIT).map_err(DbError::from))
        .await?)
}

pub async fn find(
    services: Services<'_>,
    caller: &Caller,
    id: &str,
) -> Result<IdentityPage, IdentityError> {
    caller.require(Permission::TokensRead)?;
    let (access, id) = (caller.scopes.clone(), id.to_owned());
    services
        .db
        .run(move |c| {
            let identity = identities::find(c, &access, &id)?.ok_or(IdentityError::NotFound)?;
            let tokens = identities::tokens_of(c, identity.identity.id)?;
            let (limits, credits) = limits::of_owner(c, Owner::Identity(identity.identity.id))?;
            Ok(IdentityPage {
                identity,
                tokens,
                limits,
                credits,
            })
        })
        .await
}

/// The identity a token form names by external ID (empty: none), among those the
/// caller sees; a message for the form otherwise.
pub fn resolve(
    c: &mut DbConnection,
    access: &ScopeAccess,
    external_id: &str,
) -> Result<Option<IdentityRow>, IdentityLookup> {
    let external_id = external_id.trim();
    if external_id.is_empty() {
        return Ok(None);
    }
    match identities::find(c, access, external_id)? {
        Some(found) if found.identity.external_id == external_id => Ok(Some(found.identity)),
        _ => Err(IdentityLookup::Unknown(format!(
            "There is no identity with the external ID \u{201c}{external_id}\u{201d} that you can see."
        ))),
    }
}

/// Why a token's identity could not be found.
#[derive(Debug)]
pub enum IdentityLookup {
    Unknown(String),
    Db(diesel::result::Error),
}

impl From<diesel::result::Error> for IdentityLookup {
    fn from(error: diesel::result::Error) -> Self {
        Self::Db(error)
    }
}

fn usable_scopes(c: &mut DbConnection, access: &ScopeAccess) -> Result<Vec<i64>, IdentityError> {
    Ok(Choices::read(c, access)?
        .scopes
        .iter()
        .map(|(id, _)| *id)
        .collect())
}

fn taken(
    c: &mut DbConnection,
    external_id: &str,
    except: Option<IdentityId>,
) -> Result<(), IdentityError> {
    if identities::external_id_taken(c, external_id, except)? {
        let mut errors = FieldErrors::default();
        errors.add("external_id", "Another identity has this external ID.");
        return Err(IdentityError::Invalid(errors));
    }
    Ok(())
}

fn record(
    c: &mut DbConnection,
    actor: &Actor,
    action: AuditAction,
    identity: &IdentityRow,
    details: &str,
) -> diesel::QueryResult<()> {
    let label = format!("{} ({})", identity.name, identity.external_id);
    let target = Target::of(TargetKind::Identity, Some(&identity.public_id), &label);
    audit::record(c, actor, action, &target, details)
}

pub async fn create(
    services: Services<'_>,
    caller: &Caller,
    input: IdentityInput,
) -> Result<IdentityRow, IdentityError> {
    caller.require(Permission::TokensUpdate)?;
    let caller = caller.clone();
    services
        .db
        .write(move |c| {
            let usable = usable_scopes(c, &caller.scopes)?;
            let definition = validate(&input, &usable).map_err(IdentityError::Invalid)?;
            taken(c, &definition.external_id, None)?;
            let identity = identities::create(c, &definition, now())?;
            let details = json!({ "scope_ids": definition.scope_ids }).to_string();
            record(
                c,
                &caller.actor,
                AuditAction::IdentityCreated,
                &identity,
                &details,
            )?;
            Ok(identity)
        })
        .await
}

/// The identity `id`, for a caller who may change it (every one of its scopes is
/// theirs).
pub(crate) fn changeable(
    c: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> Result<IdentityWithScopes, IdentityError> {
    caller.require(Permission::TokensUpdate)?;
    let identity = identities::find(c, &caller.scopes, id)?.ok_or(IdentityError::NotFound)?;
    let foreign = caller.scopes.foreign(&identity.scopes);
    if !foreign.is_empty() {
        return Err(IdentityError::ForeignScopes(change_refusal(
            &identity.identity.name,
            &foreign,
        )));
    }
    Ok(identity)
}

/// Tells verification, here and on other instances, that the identity's tokens
/// answer differently now.
pub(crate) fn tokens_changed(
    c: &mut DbConnection,
    id: IdentityId,
) -> diesel::QueryResult<Vec<Guid>> {
    let tokens = identities::tokens_of(c, id)?;
    for (_, guid, _) in &tokens {
        changes::token_changed(c, guid)?;
    }
    Ok(tokens.into_iter().map(|(_, guid, _)| guid).collect())
}

pub async fn update(
    services: Services<'_>,
    caller: &Caller,
    id: &str,
    version: i32,
    input: IdentityInput,
) -> Result<(), IdentityError> {
    let (caller, id) = (caller.clone(), id.to_owned());
    let touched = services
        .db
        .write(move |c| {
            let before = changeable(c, &caller, &id)?.identity;
            let usable = usable_scopes(c, &caller.scopes)?;
            let definition = validate(&input, &usable).map_err(IdentityError::Invalid)?;
            taken(c, &definition.external_id, Some(before.id))?;
            if !identities::update(c, before.id, version, &definition, now())? {
                return Err(IdentityError::Conflict);
            }
            let mut changed = serde_json::Map::new();
            for (field, old, new) in [
                ("external_id", &before.external_id, &definition.external_id),
                ("name", &before.name, &definition.name),
                ("metadata", &before.metadata, &definition.metadata),
            ] {
                if old != new {
                    changed.insert(field.into(), json!([old, new]));
                }
            }
            let after = IdentityRow {
                external_id: definition.external_id.clone(),
                name: definition.name.clone(),
                ..before.clone()
            };
            let details = serde_json::Value::Object(changed).to_string();
            record(
                c,
                &caller.actor,
                AuditAction::IdentityUpdated,
                &after,
                &details,
            )?;
            Ok::<_, IdentityError>(tokens_changed(c, before.id)?)
        })
        .await?;
    for guid in &touched {
        services.token_changed(guid);
    }
    Ok(())
}

/// Deletes the identity: its tokens stay, owned by no one, and its limits and
/// credits go with it.
pub async fn delete(
    services: Services<'_>,
    caller: &Caller,
    id: &str,
) -> Result<(), IdentityError> {
    let (caller, id) = (caller.clone(), id.to_owned());
    let touched = services
        .db
        .write(move |c| {
            let identity = changeable(c, &caller, &id)?.identity;
            let touched = tokens_changed(c, identity.id)?;
            identities::delete(c, identity.id)?;
            record(
                c,
                &caller.actor,
                AuditAction::IdentityDeleted,
                &identity,
                "",
            )?;
            Ok::<_, IdentityError>(touched)
        })
        .await?;
    for guid in &touched {
        services.token_changed(guid);
    }
    Ok(())
}
