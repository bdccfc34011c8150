//! Administrators' API keys: made in My profile or at the command line; revoked by
//! their owner, by an administrator, or with their owner's security events (signing
//! out everywhere, a new password, a narrower access); and checked on every request
//! to the management API, where a key acts as its owner with no more than the
//! owner's rights at that moment.

use std::net::IpAddr;

use time::{Duration, PrimitiveDateTime};

use crate::db::admins::AdminAccess;
use crate::db::api_keys::{self, ApiKeyRow, ApiKeySummary};
use crate::db::audit::{self, Actor, ApiKeyRef, Target};
use crate::db::{DbConnection, DbError, admins, now, throttle};
use crate::domain::api_keys::{
    ApiKeyDefinition, ApiKeyInput, ApiKeySecret, KeyRefusal, KeyRevocation, KeyScopes, KeyStatus,
    check_format, effective_rights, validate,
};
use crate::domain::audit::{AuditAction, TargetKind};
use crate::domain::digest::sha256_hex;
use crate::domain::ids::AdministratorId;
use crate::domain::permissions::Permission;
use crate::domain::scopes::ScopeAccess;
use crate::domain::throttle::{API_KEY_FAILURES, Verdict, wait_text};
use crate::domain::timestamps::iso;
use crate::domain::validation::FieldErrors;
use crate::services::sign_in::throttled_address;
use crate::services::tokens::assignable_scopes;
use crate::services::{Caller, Forbidden, Services};

/// A use of a key is written down at most this often, unless it comes from
/// another address or program.
const USE_RECORDED_EVERY: Duration = Duration::minutes(1);

#[derive(Debug, thiserror::Error)]
pub enum ApiKeyError {
    #[error("This API key does not exist.")]
    NotFound,
    #[error("This administrator does not exist.")]
    OwnerNotFound,
    #[error("A disabled administrator cannot have new API keys.")]
    OwnerDisabled,
    #[error("Some fields need attention.")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for ApiKeyError {
    fn from(error: diesel::result::Error) -> Self {
        Self::Db(error.into())
    }
}

pub struct CreatedKey {
    pub key: ApiKeySummary,
    /// Shown once; only its digest is kept.
    pub secret: ApiKeySecret,
}

/// A new key for `owner`, asking for no more than the owner has now.
pub async fn create(
    services: Services<'_>,
    caller: &Caller,
    owner: AdministratorId,
    input: ApiKeyInput,
) -> Result<CreatedKey, ApiKeyError> {
    let actor = caller.actor.clone();
    services
        .db
        .write(move |c| {
            let (access, definition) = definition(c, owner, &input)?;
            let secret = ApiKeySecret::generate();
            let key = api_keys::create(c, owner, &definition, &secret.digest(), &secret.hint())?;
            let details = serde_json::json!({
                "owner": access.admin.public_id,
                "permissions": key.key.permissions,
                "every_scope": key.key.every_scope,
                "expires_at": iso(&key.key.expires_at),
            });
            audit::record(
                c,
                &actor,
                AuditAction::ApiKeyCreated,
                &target(&key.key),
                &details.to_string(),
            )?;
            Ok(CreatedKey { key, secret })
        })
        .await
}

/// What is wrong with `input` as a key of `owner`, without making it: for a form
/// refused for another reason, so that it names every problem at once.
pub async fn check(
    services: Services<'_>,
    owner: AdministratorId,
    input: ApiKeyInput,
) -> Result<(), ApiKeyError> {
    services
        .db
        .run(move |c| definition(c, owner, &input).map(|_| ()))
        .await
}

/// The key `input` asks for, if `owner` may have it.
fn definition(
    c: &mut DbConnection,
    owner: AdministratorId,
    input: &ApiKeyInput,
) -> Result<(AdminAccess, ApiKeyDefinition), ApiKeyError> {
    let access = admins::load_access(c, owner)?.ok_or(ApiKeyError::OwnerNotFound)?;
    if !access.admin.is_enabled() {
        return Err(ApiKeyError::OwnerDisabled);
    }
    let scopes = ScopeAccess::of(access.permissions, access.scope_ids.clone());
    let choices: Vec<i64> = assignable_scopes(c, &scopes)?
        .iter()
        .map(|s| s.id)
        .collect();
    let definition =
        validate(input, access.permissions, &choices, now()).map_err(ApiKeyError::Invalid)?;
    Ok((access, definition))
}

/// The keys of `owner`, newest first.
pub async fn list(
    services: Services<'_>,
    owner: AdministratorId,
) -> Result<Vec<ApiKeySummary>, ApiKeyError> {
    services
        .db
        .run(move |c| Ok(api_keys::list_for(c, owner)?))
        .await
}

/// Revokes the key `public_id` of `owner`: the next request with it is refused.
/// Someone else's key needs `admins.manage`.
pub async fn revoke(
    services: Services<'_>,
    caller: &Caller,
    owner: AdministratorId,
    public_id: &str,
) -> Result<ApiKeyRow, ApiKeyError> {
    let reason = if caller.actor.id == Some(owner) {
        KeyRevocation::ByOwner
    } else {
        caller.require(Permission::AdminsManage)?;
        KeyRevocation::ByAdministrator
    };
    let (actor, public_id) = (caller.actor.clone(), public_id.to_owned());
    services
        .db
        .write(move |c| {
            let key = api_keys::find_for(c, owner, &public_id)?.ok_or(ApiKeyError::NotFound)?;
            if key.revoked_at.is_none() {
                api_keys::revoke(c, key.id, now())?;
                record_revocation(c, &actor, &key, reason)?;
            }
            Ok(key)
        })
        .await
}

/// How many keys of `owner` still open something: those a security event of
/// theirs would revoke.
pub async fn active_count(
    services: Services<'_>,
    owner: AdministratorId,
) -> Result<usize, ApiKeyError> {
    let count = services
        .db
        .run(move |c| api_keys::count_active(c, owner, now()).map_err(DbError::from))
        .await?;
    Ok(usize::try_from(count).unwrap_or_default())
}

/// Revokes every key of `owner` that still opens something, in the transaction of
/// the security event that calls for it, each audited with the reason; returns
/// how many.
pub(super) fn revoke_all_in(
    c: &mut DbConnection,
    actor: &Actor,
    owner: AdministratorId,
    reason: KeyRevocation,
) -> diesel::QueryResult<usize> {
    let keys = api_keys::revoke_active(c, owner, now())?;
    for key in &keys {
        record_revocation(c, actor, key, reason)?;
    }
    Ok(keys.len())
}

fn record_revocation(
    c: &mut DbConnection,
    actor: &Actor,
    key: &ApiKeyRow,
    reason: KeyRevocation,
) -> diesel::QueryResult<()> {
    let details = serde_json::json!({ "reason": reason.key() });
    audit::record(
        c,
        actor,
        AuditAction::ApiKeyRevoked,
        &target(key),
        &details.to_string(),
    )
}

/// Where a key is presented from.
pub struct KeyUse {
    pub address: IpAddr,
    pub user_agent: Option<String>,
}

/// The counter of failed keys from the client's address.
fn failures_key(address: IpAddr) -> String {
    sha256_hex(format!("api-key-failures\n{}", throttled_address(address)).as_bytes())
}

/// The caller a presented key stands for: its owner, as they are now, narrowed to
/// what the key allows; or why the key opens nothing. A key that is not even well
/// formed is refused without a lookup. A key that matches none counts against the
/// client's address, which [`API_KEY_FAILURES`] then locks, whatever key it sends;
/// revoked and expired keys, which nobody can guess, do not count.
pub async fn authenticate(
    services: Services<'_>,
    presented: Option<&str>,
    from: KeyUse,
) -> Result<Caller, KeyRefusal> {
    let presented = presented.ok_or(KeyRefusal::Missing)?;
    check_format(presented).map_err(|_| KeyRefusal::Malformed)?;
    let digest = ApiKeySecret::digest_of(presented);
    let found = services
        .db
        .run(move |c| {
            let counter = failures_key(from.address);
            let now = now();
            let Some((key, key_scopes)) = api_keys::find_by_digest(c, &digest)? else {
                return Ok(Err(count_unknown(c, &counter, from.address, now)?));
            };
            let locked = throttle::find(c, &counter)?.and_then(|state| state.locked_for(now));
            if let Some(wait) = locked {
                return Ok(Err(KeyRefusal::AddressLocked(wait)));
            }
            check_key(c, key, key_scopes, &from, now)
        })
        .await;
    match found {
        Ok(result) => result,
        // The database is down: nothing can be checked, so nothing passes.
        Err(error) => {
            tracing::error!(%error, "could not check an API key");
            Err(KeyRefusal::Unavailable)
        }
    }
}

/// Counts a key that matches none against the client's address, in the one
/// statement that returns the new count, so that concurrent wrong keys cannot
/// outrun the limit: the first [`API_KEY_FAILURES`] of a window are unknown, the
/// rest refused while the address is locked.
fn count_unknown(
    c: &mut DbConnection,
    counter: &str,
    address: IpAddr,
    now: PrimitiveDateTime,
) -> diesel::QueryResult<KeyRefusal> {
    let counted = throttle::count_attempt(c, counter, &API_KEY_FAILURES)?;
    if let Verdict::Refused(wait) = API_KEY_FAILURES.judge(&counted, now) {
        return Ok(KeyRefusal::AddressLocked(wait));
    }
    // Locked, yet this attempt passed: it is the one that set the lock.
    if let Some(wait) = counted.locked_for(now) {
        tracing::warn!(
            address = %throttled_address(address),
            "too many failed API keys: every key from this address is refused for {}",
            wait_text(wait)
        );
    }
    Ok(KeyRefusal::Unknown)
}

/// A stored key, as [`authenticate`] judges it.
fn check_key(
    c: &mut DbConnection,
    key: ApiKeyRow,
    key_scopes: KeyScopes,
    from: &KeyUse,
    now: PrimitiveDateTime,
) -> Result<Result<Caller, KeyRefusal>, DbError> {
    match key.status(now) {
        KeyStatus::Active => {}
        KeyStatus::Revoked => return Ok(Err(KeyRefusal::Revoked)),
        KeyStatus::Expired => return Ok(Err(KeyRefusal::Expired)),
    }
    let access = match admins::load_access(c, key.administrator_id)? {
        Some(access) if access.admin.is_enabled() => access,
        _ => return Ok(Err(KeyRefusal::OwnerDisabled)),
    };
    let ip = from.address.to_string();
    let changed = key.last_used_ip.as_deref() != Some(ip.as_str())
        || key.last_used_user_agent != from.user_agent;
    if changed
        || key
            .last_used_at
            .is_none_or(|at| at + USE_RECORDED_EVERY <= now)
    {
        api_keys::record_use(c, key.id, now, &ip, from.user_agent.as_deref())?;
    }
    let (permissions, scopes) = effective_rights(
        access.permissions,
        &ScopeAccess::of(access.permissions, access.scope_ids.clone()),
        key.permissions(),
        &key_scopes,
    );
    Ok(Ok(Caller {
        actor: Actor {
            via_api_key: Some(ApiKeyRef {
                id: key.id,
                name: key.name,
            }),
            ..Actor::administrator(&access.admin, ip)
        },
        permissions,
        scopes,
    }))
}

fn target(key: &ApiKeyRow) -> Target<'_> {
    Target::of(TargetKind::ApiKey, Some(&key.public_id), &key.name)
}
