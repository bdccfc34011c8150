//! Administrators: add, change role and scopes, set a password, disable, enable. A
//! new password, or a narrower access when asked, takes their API keys with it.

use crate::db::admins::{self, AdminWriteError, Administrator, NewAdmin};
use crate::db::audit::{self, Target};
use crate::db::{DbConnection, DbError, catalog, setup};
use crate::domain::admins::{
    SUPER_ADMIN, check_access, generate_public_id, keeps_a_super_admin, validate_new_admin,
    validate_new_password,
};
use crate::domain::api_keys::{Access, KeyRevocation};
use crate::domain::audit::AuditAction;
use crate::domain::permissions::Permission;
use crate::domain::scopes::ScopeAccess;
use crate::domain::validation::FieldErrors;
use crate::passwords::{self, HashingError, Password};
use crate::services::api_keys::revoke_all_in;
use crate::services::{Caller, Forbidden, Services};

/// Why an administrator use case did nothing, in a sentence for people.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("This administrator does not exist.")]
    NotFound,
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    #[error("Some fields need attention.")]
    Invalid(FieldErrors),
    #[error("An administrator with this email already exists.")]
    EmailTaken,
    #[error("One of the chosen scopes no longer exists. Choose again.")]
    UnknownReference,
    #[error(
        "Someone else changed this administrator while you were editing. The page now shows their changes; make yours again if still needed."
    )]
    Conflict,
    /// The change would leave no enabled Super Admin.
    #[error("{0}")]
    Refused(&'static str),
    #[error("You cannot disable or enable yourself.")]
    OwnAccount,
    #[error(transparent)]
    Hashing(#[from] HashingError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<AdminWriteError> for AdminError {
    fn from(error: AdminWriteError) -> Self {
        match error {
            AdminWriteError::EmailTaken => Self::EmailTaken,
            AdminWriteError::Conflict => Self::Conflict,
            AdminWriteError::NotFound => Self::NotFound,
            AdminWriteError::UnknownReference => Self::UnknownReference,
            AdminWriteError::Db(e) => Self::Db(e),
        }
    }
}

impl From<diesel::result::Error> for AdminError {
    fn from(error: diesel::result::Error) -> Self {
        Self::Db(error.into())
    }
}

/// A new administrator, as submitted.
pub struct NewAdministrator {
    pub display_name: String,
    pub email: String,
    pub password: Password,
    pub password_confirmation: Password,
    pub role: String,
    pub scope_ids: Vec<i64>,
}

/// Adds an administrator, who can sign in at once. The first one also closes
/// first-run setup.
pub async fn create(
    services: Services<'_>,
    caller: &Caller,
    new: NewAdministrator,
) -> Result<Administrator, AdminError> {
    caller.require(Permission::AdminsManage)?;
    let (role, scope_ids) = (new.role.clone(), new.scope_ids.clone());
    let errors = services
        .db
        .run(move |c| access_errors(c, &role, &scope_ids))
        .await?;
    let details = validate_new_admin(
        errors,
        &new.display_name,
        &new.email,
        new.password.expose(),
        new.password_confirmation.expose(),
    )
    .map_err(AdminError::Invalid)?;
    let password = new.password;
    let hash = services
        .hashing
        .run(move || passwords::hash(&password))
        .await?;
    let actor = caller.actor.clone();
    services
        .db
        .write(move |c| {
            let public_id = generate_public_id();
            let created = admins::create(
                c,
                &NewAdmin {
                    public_id: &public_id,
                    display_name: &details.display_name,
                    email: &details.email,
                    password_hash: &hash,
                    role_key: &new.role,
                    scope_ids: &new.scope_ids,
                },
            )?;
            setup::delete_all(c)?;
            let access = serde_json::json!({ "role": new.role, "scope_ids": new.scope_ids });
            audit::record(
                c,
                &actor,
                AuditAction::AdminCreated,
                &target(&created),
                &access.to_string(),
            )?;
            Ok::<_, AdminError>(created)
        })
        .await
}

/// What changing an administrator did.
pub struct Changed {
    pub admin: Administrator,
    /// Their API keys revoked with the change.
    pub api_keys_revoked: usize,
}

/// Gives an administrator another role and scopes, over `version` of them. With
/// `revoke_keys`, a change that takes a permission or a scope away also revokes
/// their API keys.
pub async fn change_access(
    services: Services<'_>,
    caller: &Caller,
    public_id: &str,
    version: i32,
    role: String,
    scope_ids: Vec<i64>,
    revoke_keys: bool,
) -> Result<Changed, AdminError> {
    caller.require(Permission::AdminsManage)?;
    let (actor, public_id) = (caller.actor.clone(), public_id.to_owned());
    services
        .db
        .write(move |c| {
            let errors = access_errors(c, &role, &scope_ids)?;
            if !errors.is_empty() {
                return Err(AdminError::Invalid(errors));
            }
            let admin = find(c, &public_id)?;
            super_admin_remains(c, &admin, role == SUPER_ADMIN)?;
            let before = access_of(c, &admin)?;
            admins::update_access(c, admin.id, version, &role, &scope_ids)?;
            let narrowed = before.narrowed_by(&access_of(c, &admin)?);
            let api_keys_revoked = if revoke_keys && narrowed {
                revoke_all_in(c, &actor, admin.id, KeyRevocation::AccessNarrowed)?
            } else {
                0
            };
            let access = serde_json::json!({
                "role": role,
                "scope_ids": scope_ids,
                "api_keys_revoked": api_keys_revoked,
            });
            audit::record(
                c,
                &actor,
                AuditAction::AdminAccessChanged,
                &target(&admin),
                &access.to_string(),
            )?;
            Ok(Changed {
                admin,
                api_keys_revoked,
            })
        })
        .await
}

/// Sets another administrator's password; every session of theirs ends, and their
/// API keys are revoked: whoever had the old password may have made them.
pub async fn set_password(
    services: Services<'_>,
    caller: &Caller,
    public_id: &str,
    password: Password,
    confirmation: Password,
) -> Result<Changed, AdminError> {
    caller.require(Permission::AdminsManage)?;
    let lookup = public_id.to_owned();
    let admin = services.db.run(move |c| find(c, &lookup)).await?;
    let hash = hash_new_password(services, password, confirmation, &admin.email).await?;
    let actor = caller.actor.clone();
    services
        .db
        .write(move |c| {
            admins::set_password(c, admin.id, &hash)?;
            let api_keys_revoked =
                revoke_all_in(c, &actor, admin.id, KeyRevocation::PasswordReset)?;
            let details = serde_json::json!({ "api_keys_revoked": api_keys_revoked });
            audit::record(
                c,
                &actor,
                AuditAction::AdminPasswordSet,
                &target(&admin),
                &details.to_string(),
            )?;
            Ok::<_, AdminError>(Changed {
                admin,
                api_keys_revoked,
            })
        })
        .await
}

/// Disables an administrator, ending their sessions.
pub async fn disable(
    services: Services<'_>,
    caller: &Caller,
    public_id: &str,
    version: i32,
) -> Result<Administrator, AdminError> {
    set_disabled(services, caller, public_id, version, true).await
}

pub async fn enable(
    services: Services<'_>,
    caller: &Caller,
    public_id: &str,
    version: i32,
) -> Result<Administrator, AdminError> {
    set_disabled(services, caller, public_id, version, false).await
}

async fn set_disabled(
    services: Services<'_>,
    caller: &Caller,
    public_id: &str,
    version: i32,
    disabled: bool,
) -> Result<Administrator, AdminError> {
    caller.require(Permission::AdminsManage)?;
    let (actor, public_id) = (caller.actor.clone(), public_id.to_owned());
    services
        .db
        .write(move |c| {
            let admin = find(c, &public_id)?;
            if actor.id == Some(admin.id) {
                return Err(AdminError::OwnAccount);
            }
            if disabled {
                super_admin_remains(c, &admin, false)?;
            }
            admins::set_disabled(c, admin.id, version, disabled)?;
            let action = if disabled {
                AuditAction::AdminDisabled
            } else {
                AuditAction::AdminEnabled
            };
            audit::record(c, &actor, action, &target(&admin), "")?;
            Ok(admin)
        })
        .await
}

/// The hash of a new password that meets the rules, or why it does not.
pub(super) async fn hash_new_password(
    services: Services<'_>,
    password: Password,
    confirmation: Password,
    email: &str,
) -> Result<String, AdminError> {
    let mut errors = FieldErrors::default();
    validate_new_password(&mut errors, password.expose(), confirmation.expose(), email);
    if !errors.is_empty() {
        return Err(AdminError::Invalid(errors));
    }
    Ok(services
        .hashing
        .run(move || passwords::hash(&password))
        .await?)
}

fn find(c: &mut DbConnection, public_id: &str) -> Result<Administrator, AdminError> {
    admins::find_by_public_id(c, public_id)?.ok_or(AdminError::NotFound)
}

/// What is wrong with a chosen role and scopes, if anything.
fn access_errors(
    c: &mut DbConnection,
    role: &str,
    scope_ids: &[i64],
) -> Result<FieldErrors, DbError> {
    let role_exists = admins::roles(c)?.iter().any(|r| r.role_key == role);
    let existing: Vec<i64> = catalog::list_scopes(c)?.iter().map(|s| s.id).collect();
    let mut errors = FieldErrors::default();
    check_access(&mut errors, role_exists, scope_ids, &existing);
    Ok(errors)
}

/// What the administrator may do now, and where.
fn access_of(c: &mut DbConnection, admin: &Administrator) -> Result<Access, AdminError> {
    let access = admins::load_access(c, admin.id)?.ok_or(AdminError::NotFound)?;
    Ok(Access {
        scopes: ScopeAccess::of(access.permissions, access.scope_ids),
        permissions: access.permissions,
    })
}

pub(super) fn super_admin_remains(
    c: &mut DbConnection,
    admin: &Administrator,
    stays: bool,
) -> Result<(), AdminError> {
    let counts = admin.role_key == SUPER_ADMIN && admin.is_enabled();
    if !counts || stays {
        return Ok(());
    }
    let enabled = admins::count_enabled_with_role(c, SUPER_ADMIN)?;
    keeps_a_super_admin(counts, stays, enabled).map_err(AdminError::Refused)
}

/// An administrator as the subject of an audit event.
pub fn target(admin: &Administrator) -> Target<'_> {
    Target::administrator(&admin.public_id, &admin.display_name)
}
