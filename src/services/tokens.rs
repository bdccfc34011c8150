//! API tokens: create, edit, regenerate, enable, disable, revoke, delete, and show
//! a kept value again.

mod bulk;
mod bulk_chunk;
mod create;
mod lifecycle;
pub mod policy;
mod read;
mod regenerate;
mod reveal;
mod update;

pub use bulk::{
    BULK_RESULTS_KEPT, BulkItem, BulkOutcome, BulkResult, GrantChange, Selection,
    apply as apply_bulk, preview as preview_bulk,
};
pub use create::{CreateOutcome, Created, IDEMPOTENCY_WINDOW, Idempotency, create, create_once};
pub use lifecycle::{delete, disable, enable, revoke};
pub use read::{catalog_for, list, read};
pub use regenerate::{Regenerated, regenerate};
pub use reveal::{RevealPurpose, reveal};
pub use update::{Edited, update};

use diesel::QueryResult;
use time::Duration;

use super::identities::{self as identity_service, IdentityLookup};
use super::{Caller, Forbidden, events};
use crate::db::audit::{self, Actor, Target};
use crate::db::catalog::{ModuleWithPaths, Scope};
use crate::db::identities::IdentityRow;
use crate::db::tokens::{self, ScopeNames, TokenDetails, TokenRow, TokenWriteError};
use crate::db::{DbConnection, DbError, catalog, changes};
use crate::domain::audit::AuditAction;
use crate::domain::ids::Guid;
use crate::domain::scopes::policy::{Breach, ScopeRules};
use crate::domain::scopes::{ScopeAccess, change_refusal};
use crate::domain::throttle::wait_text;
use crate::domain::tokens::{FormContext, TokenChange, TokenDefinition, TokenInput, Validity};
use crate::domain::validation::{FieldErrors, name_key};

/// Why a token use case did nothing, in a sentence for people.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// No such token, or not one the caller sees: the two look the same.
    #[error("This token does not exist, or you cannot see it.")]
    NotFound,
    /// The token was deleted: it is kept for the record, and changes no more.
    #[error(
        "This token was deleted. It is listed with status=deleted, and its history is in the audit log."
    )]
    Deleted,
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    /// The caller sees the token, but it is also in scopes they do not manage.
    #[error("{0}")]
    ForeignScopes(String),
    /// The token's status does not allow the change ([`TokenChange::allowed_from`]).
    #[error("{0}")]
    Refused(&'static str),
    #[error("Some fields need attention.")]
    Invalid(FieldErrors),
    /// The token would break a rule of one of its scopes' policies.
    #[error("{}", policy::in_words(.0))]
    Policy(Vec<Breach>),
    /// Names are unique among the live tokens that share a scope, so the other
    /// token is always one the caller sees.
    #[error("Another token of the same scope already has this name. Choose another.")]
    NameTaken,
    #[error("A token with this GUID exists already.")]
    GuidTaken,
    #[error(
        "This Idempotency-Key was used for a different request. Use a new key for a new request."
    )]
    IdempotencyKeyReused,
    #[error(
        "Another request with this Idempotency-Key is being handled. Retry it in a moment to get its answer."
    )]
    IdempotencyKeyInFlight,
    /// Someone else changed the token since the caller's page was shown.
    #[error(
        "Someone else changed this token meanwhile, so nothing was done. Check its current state and try again."
    )]
    Conflict,
    #[error("A chosen scope or module was just deleted. Choose again.")]
    UnknownReference,
    /// Values cannot be shown again: the operator set no encryption key.
    #[error(
        "Token values cannot be shown again here: no encryption key is set, so each value was shown once."
    )]
    NoEncryptionKey,
    #[error(
        "This token's value was not kept, so it cannot be shown again. Regenerate the token to get a new one."
    )]
    ValueNotKept,
    #[error(
        "The stored value does not decrypt with the encryption key Tessera runs with. Was the key changed without `tessera keys rotate`?"
    )]
    WrongEncryptionKey,
    #[error(
        "You have shown many token values in a short time. Try again in {}.",
        wait_text(*.0)
    )]
    RateLimited(Duration),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<TokenWriteError> for TokenError {
    fn from(error: TokenWriteError) -> Self {
        match error {
            TokenWriteError::NameTaken => Self::NameTaken,
            TokenWriteError::GuidTaken => Self::GuidTaken,
            TokenWriteError::Conflict => Self::Conflict,
            TokenWriteError::NotFound => Self::NotFound,
            TokenWriteError::UnknownReference => Self::UnknownReference,
            TokenWriteError::Db(e) => Self::Db(e),
        }
    }
}

impl From<diesel::result::Error> for TokenError {
    fn from(error: diesel::result::Error) -> Self {
        TokenWriteError::from(error).into()
    }
}

/// The token, if the caller may change it (for the pages that edit it or ask
/// before a change).
pub async fn find_changeable(
    services: super::Services<'_>,
    caller: &Caller,
    guid: &Guid,
) -> Result<TokenDetails, TokenError> {
    let (caller, guid) = (caller.clone(), guid.clone());
    services
        .db
        .run(move |c| changeable(c, &caller, &guid))
        .await
}

/// The checked input and the identity it names (by external ID, among those the
/// caller sees), with every field's problem at once.
fn with_owner(
    c: &mut DbConnection,
    caller: &Caller,
    input: &TokenInput,
    checked: Result<TokenDefinition, FieldErrors>,
) -> Result<(TokenDefinition, Option<IdentityRow>), TokenError> {
    let identity = match identity_service::resolve(c, &caller.scopes, &input.identity) {
        Ok(identity) => Ok(identity),
        Err(IdentityLookup::Db(error)) => return Err(error.into()),
        Err(IdentityLookup::Unknown(message)) => Err(message),
    };
    match (checked, identity) {
        (Ok(definition), Ok(identity)) => Ok((definition, identity)),
        (checked, identity) => {
            let mut errors = checked.err().unwrap_or_default();
            if let Err(message) = identity {
                errors.add("identity", message);
            }
            Err(TokenError::Invalid(errors))
        }
    }
}

/// The token, if the caller may change it: they see it, and every one of its
/// scopes is theirs. Use cases read it inside their transaction.
pub(crate) fn changeable(
    c: &mut DbConnection,
    caller: &Caller,
    guid: &Guid,
) -> Result<TokenDetails, TokenError> {
    let token = tokens::find(c, guid, &caller.scopes)?.ok_or(TokenError::NotFound)?;
    let foreign = caller.scopes.foreign(&token.scopes);
    if !foreign.is_empty() {
        return Err(TokenError::ForeignScopes(change_refusal(
            &token.token.name,
            &foreign,
        )));
    }
    Ok(token)
}

/// Claims the next version of a token the caller may change, and checks that its
/// status allows `change`; a change made since `version` wins. Returns the token
/// as read (with its scopes and grants) and as claimed.
fn claim(
    c: &mut DbConnection,
    caller: &Caller,
    guid: &Guid,
    version: i32,
    change: TokenChange,
) -> Result<(TokenDetails, TokenRow), TokenError> {
    let details = changeable(c, caller, guid)?;
    let token = tokens::claim_version(c, details.token.id, version)?;
    change
        .allowed_from(token.status(crate::db::now()))
        .map_err(TokenError::Refused)?;
    Ok((details, token))
}

/// The scopes an administrator may put tokens in (and filter the list by).
pub fn assignable_scopes(c: &mut DbConnection, access: &ScopeAccess) -> QueryResult<Vec<Scope>> {
    Ok(catalog::list_scopes(c)?
        .into_iter()
        .filter(|s| access.includes(s.id))
        .collect())
}

/// What the token form offers: the scopes the administrator may put tokens in,
/// and every module.
pub fn form_choices(
    c: &mut DbConnection,
    access: &ScopeAccess,
) -> QueryResult<(Vec<Scope>, Vec<ModuleWithPaths>, Vec<ScopeRules>)> {
    let scopes = assignable_scopes(c, access)?;
    let rules = policy::Policies::read(c)?.rules_of(&scopes);
    Ok((scopes, catalog::list_modules(c)?, rules))
}

/// What a token may be given: the scopes the caller may put tokens in, and every
/// module. Forms send their IDs; the API names them (scope names, module keys).
pub struct Choices {
    /// ID and name, by name.
    pub scopes: ScopeNames,
    /// ID and key.
    pub modules: Vec<(i64, String)>,
    scope_ids: Vec<i64>,
    module_ids: Vec<i64>,
}

impl Choices {
    pub fn read(c: &mut DbConnection, access: &ScopeAccess) -> QueryResult<Self> {
        let mut scopes = catalog::scope_names(c)?;
        scopes.retain(|(id, _)| access.includes(*id));
        let modules = catalog::module_keys(c)?;
        Ok(Self {
            scope_ids: scopes.iter().map(|(id, _)| *id).collect(),
            module_ids: modules.iter().map(|(id, _)| *id).collect(),
            scopes,
            modules,
        })
    }

    /// What the form's input is checked against.
    fn context(&self, current: Option<Validity>) -> FormContext<'_> {
        FormContext {
            now: crate::db::now(),
            module_ids: &self.module_ids,
            scope_ids: &self.scope_ids,
            current,
        }
    }

    /// The scope with this name, compared as names are (case and spacing aside).
    pub fn scope_named(&self, name: &str) -> Option<i64> {
        let wanted = name_key(name);
        self.scopes
            .iter()
            .find(|(_, n)| name_key(n) == wanted)
            .map(|(id, _)| *id)
    }

    pub fn module_keyed(&self, key: &str) -> Option<i64> {
        self.modules
            .iter()
            .find(|(_, k)| k == key)
            .map(|(id, _)| *id)
    }
}

fn target(token: &TokenRow) -> Target<'_> {
    Target::token(&token.guid, &token.name)
}

/// Records a change of the token `guid` (named `name` now) in its transaction: the
/// audit event, the change other instances hear of, and the webhook event.
fn record_change(
    c: &mut DbConnection,
    actor: &Actor,
    action: AuditAction,
    (guid, name): (&Guid, &str),
    details: &str,
) -> QueryResult<()> {
    audit::record(c, actor, action, &Target::token(guid, name), details)?;
    changes::token_changed(c, guid)?;
    events::token_changed(c, actor, action, guid)
}

fn audit_action(change: TokenChange) -> AuditAction {
    match change {
        TokenChange::Edit => AuditAction::TokenUpdated,
        TokenChange::Regenerate => AuditAction::TokenRegenerated,
        TokenChange::Disable => AuditAction::TokenDisabled,
        TokenChange::Enable => AuditAction::TokenEnabled,
        TokenChange::Revoke => AuditAction::TokenRevoked,
        TokenChange::Delete => AuditAction::TokenDeleted,
    }
}
