//! Signing in through the identity provider: the administrator found by the
//! provider's subject, linked by a verified email, or created at first sign-in; their
//! role and scopes set from their groups at every sign-in; all of it audited, and
//! every refusal with its reason.

use crate::config::OidcSettings;
use crate::db::admins::{self, AdminWriteError, Administrator, NewAdmin, sso};
use crate::db::audit::{self, Actor, Target};
use crate::db::{DbConnection, DbError, catalog};
use crate::domain::admins::{SUPER_ADMIN, generate_public_id, normalize_email, validate_details};
use crate::domain::audit::{AuditAction, TargetKind};
use crate::domain::ids::AdministratorId;
use crate::domain::sso::{Identity, MappedAccess, Refusal};
use crate::services::admins::{AdminError, super_admin_remains, target};
use crate::services::{Services, sign_in};

/// Why the transaction ended without a sign-in.
#[derive(Debug, thiserror::Error)]
enum Failed {
    #[error("refused")]
    Refused(Refusal),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for Failed {
    fn from(error: diesel::result::Error) -> Self {
        // Two first sign-ins of one person at once: the second is refused (and
        // rolled back), and may start again.
        if crate::db::is_unique_violation(&error) {
            return Self::Refused(Refusal::NotStartedHere);
        }
        Self::Db(error.into())
    }
}

impl From<AdminWriteError> for Failed {
    fn from(error: AdminWriteError) -> Self {
        match error {
            AdminWriteError::Db(e) => Self::Db(e),
            // A concurrent first sign-in of the same person, or an edit at the same
            // moment: nothing was changed, and they may start again.
            _ => Self::Refused(Refusal::NotStartedHere),
        }
    }
}

impl From<AdminError> for Failed {
    fn from(error: AdminError) -> Self {
        match error {
            AdminError::Db(e) => Self::Db(e),
            AdminError::Refused(_) => Self::Refused(Refusal::LastSuperAdmin),
            _ => Self::Refused(Refusal::NotStartedHere),
        }
    }
}

/// Signs in whom the provider vouched for, from `ip`: the administrator they are
/// in Tessera, with the role and scopes their groups give them now.
pub async fn sign_in(
    services: Services<'_>,
    settings: &OidcSettings,
    identity: Identity,
    ip: String,
) -> Result<AdministratorId, SignInFailed> {
    let (settings, who) = (settings.clone(), identity.clone());
    let ip_for_audit = ip.clone();
    let result = services
        .db
        .write(move |c| sign_in_in(c, &settings, &who, ip))
        .await;
    match result {
        Ok(id) => Ok(id),
        Err(Failed::Db(e)) => Err(SignInFailed::Db(e)),
        Err(Failed::Refused(refusal)) => {
            refused(services, refusal.clone(), Some(&identity), ip_for_audit).await?;
            Err(SignInFailed::Refused(refusal))
        }
    }
}

/// Why a sign-in through the provider did not happen.
#[derive(Debug, thiserror::Error)]
pub enum SignInFailed {
    #[error("refused: {}", .0.detail())]
    Refused(Refusal),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Records a refused sign-in, with its reason, and whom the provider named if it
/// got that far.
pub async fn refused(
    services: Services<'_>,
    refusal: Refusal,
    identity: Option<&Identity>,
    ip: String,
) -> Result<(), DbError> {
    tracing::warn!(client_ip = %ip, reason = refusal.key(), "single sign-on refused");
    let label = identity
        .map(|i| {
            i.email
                .clone()
                .unwrap_or_else(|| format!("subject {}", i.subject))
        })
        .unwrap_or_else(|| "unknown".into());
    let mut details = serde_json::json!({
        "reason": refusal.key(),
        "detail": refusal.detail(),
    });
    if let Some(identity) = identity {
        details["subject"] = identity.subject.clone().into();
        details["groups"] = identity.groups.clone().into();
    }
    let actor = Actor {
        ip: Some(ip),
        ..Actor::single_sign_on()
    };
    services
        .db
        .write(move |c| {
            let target = Target::of(TargetKind::Administrator, None, &label);
            audit::record(
                c,
                &actor,
                AuditAction::SsoSignInRefused,
                &target,
                &details.to_string(),
            )?;
            Ok(())
        })
        .await
}

fn sign_in_in(
    c: &mut DbConnection,
    settings: &OidcSettings,
    who: &Identity,
    ip: String,
) -> Result<AdministratorId, Failed> {
    let refuse = |refusal| Err(Failed::Refused(refusal));
    let access = settings
        .mapping
        .access_for(&who.groups)
        .map_err(Failed::Refused)?;
    let (role, scope_ids) = resolve(c, &access)?;
    let system = Actor {
        ip: Some(ip.clone()),
        ..Actor::single_sign_on()
    };
    let admin = match sso::find_by_subject(c, &settings.issuer, &who.subject)? {
        Some(admin) => admin,
        None => {
            let email = who.email.as_deref().map(normalize_email);
            let Some(email) = email else {
                return refuse(Refusal::NoEmail);
            };
            if !who.email_verified {
                return refuse(Refusal::EmailNotVerified);
            }
            match sso::find_by_email(c, &email)? {
                // Linked already: to someone else, or to this very person by a
                // first sign-in that committed a moment ago (read again to tell).
                Some(admin) if admin.sso_subject.is_some() => {
                    match sso::find_by_subject(c, &settings.issuer, &who.subject)? {
                        Some(same) => same,
                        None => return refuse(Refusal::LinkedElsewhere),
                    }
                }
                Some(admin) => {
                    sso::link(c, admin.id, &settings.issuer, &who.subject)?;
                    let details = serde_json::json!({ "subject": who.subject });
                    audit::record(
                        c,
                        &system,
                        AuditAction::AdminLinkedToSso,
                        &target(&admin),
                        &details.to_string(),
                    )?;
                    admin
                }
                None if !settings.allow_sign_up => return refuse(Refusal::SignUpClosed),
                None => create(c, settings, who, &email, (&role, &scope_ids), &system)?,
            }
        }
    };
    if !admin.is_enabled() {
        return refuse(Refusal::Disabled);
    }
    apply_mapping(c, &admin, (&role, &scope_ids), who, &system)?;
    sign_in::record(c, &admin, ip, Some("single_sign_on"))?;
    Ok(admin.id)
}

/// The role key and scope IDs the mapped names stand for. A role rule that names
/// no role refuses (the operator must fix it); a scope that does not exist (any
/// more) is left out.
fn resolve(c: &mut DbConnection, access: &MappedAccess) -> Result<(String, Vec<i64>), Failed> {
    let roles = admins::roles(c)?;
    let role = roles
        .iter()
        .find(|r| r.role_key == access.role || r.name.eq_ignore_ascii_case(&access.role))
        .map(|r| r.role_key.clone())
        .ok_or_else(|| Failed::Refused(Refusal::UnknownRole(access.role.clone())))?;
    let scopes = catalog::list_scopes(c)?;
    let mut scope_ids = Vec::new();
    for name in &access.scope_names {
        match scopes.iter().find(|s| s.name.eq_ignore_ascii_case(name)) {
            Some(scope) => scope_ids.push(scope.id),
            None => tracing::warn!(scope = %name, "a single sign-on scope rule names no scope"),
        }
    }
    scope_ids.sort_unstable();
    scope_ids.dedup();
    Ok((role, scope_ids))
}

fn create(
    c: &mut DbConnection,
    settings: &OidcSettings,
    who: &Identity,
    email: &str,
    (role, scope_ids): (&str, &[i64]),
    system: &Actor,
) -> Result<Administrator, Failed> {
    let name = who
        .name
        .clone()
        .unwrap_or_else(|| email.split('@').next().unwrap_or(email).to_owned());
    let details = validate_details(&name, email).map_err(|_| Failed::Refused(Refusal::NoEmail))?;
    let created = admins::create(
        c,
        &NewAdmin {
            public_id: &generate_public_id(),
            display_name: &details.display_name,
            email: &details.email,
            password_hash: sso::NO_PASSWORD,
            role_key: role,
            scope_ids,
        },
    )?;
    sso::link(c, created.id, &settings.issuer, &who.subject)?;
    let details = serde_json::json!({
        "role": role,
        "scope_ids": scope_ids,
        "via": "single_sign_on",
        "groups": who.groups,
    });
    audit::record(
        c,
        system,
        AuditAction::AdminCreated,
        &target(&created),
        &details.to_string(),
    )?;
    admins::find(c, created.id)?.ok_or(Failed::Refused(Refusal::NotStartedHere))
}

/// Gives the administrator the role and scopes of their groups, when they differ
/// from what they have; their API keys follow, as they act with their owner's
/// access as it is now.
fn apply_mapping(
    c: &mut DbConnection,
    admin: &Administrator,
    (role, scope_ids): (&str, &[i64]),
    who: &Identity,
    system: &Actor,
) -> Result<(), Failed> {
    let current = admins::load_access(c, admin.id)?.ok_or(Failed::Refused(Refusal::Disabled))?;
    let mut current_scopes = current.scope_ids.clone();
    current_scopes.sort_unstable();
    if admin.role_key == role && current_scopes == scope_ids {
        return Ok(());
    }
    super_admin_remains(c, admin, role == SUPER_ADMIN)?;
    admins::update_access(c, admin.id, admin.version, role, scope_ids)?;
    let details = serde_json::json!({
        "role": role,
        "scope_ids": scope_ids,
        "by": "single_sign_on",
        "groups": who.groups,
    });
    audit::record(
        c,
        system,
        AuditAction::AdminAccessChanged,
        &target(admin),
        &details.to_string(),
    )?;
    Ok(())
}
