//! An administrator's own profile: their name, their password, their sessions, and
//! their API keys going with the sessions when asked.

use crate::db::DbConnection;
use crate::db::admins::{self, AdminWriteError, Administrator};
use crate::db::audit::{self, Actor};
use crate::domain::api_keys::KeyRevocation;
use crate::domain::audit::AuditAction;
use crate::domain::validation::{FieldErrors, required_text};
use crate::passwords::Password;
use crate::services::admins::{AdminError, hash_new_password, target};
use crate::services::api_keys::revoke_all_in;
use crate::services::{Caller, Services};

/// Renames the caller, over `version` of their profile.
pub async fn rename(
    services: Services<'_>,
    caller: &Caller,
    me: &Administrator,
    version: i32,
    display_name: &str,
) -> Result<(), AdminError> {
    let mut errors = FieldErrors::default();
    let name = required_text(&mut errors, "display_name", "Name", display_name, 100);
    if !errors.is_empty() {
        return Err(AdminError::Invalid(errors));
    }
    let actor = caller.actor.clone();
    let mut renamed = me.clone();
    let previous = std::mem::replace(&mut renamed.display_name, name);
    services
        .db
        .write(move |c| {
            admins::update_display_name(c, renamed.id, version, &renamed.display_name)?;
            let details = serde_json::json!({ "previous_name": previous });
            audit::record(
                c,
                &actor,
                AuditAction::ProfileUpdated,
                &target(&renamed),
                &details.to_string(),
            )?;
            Ok::<_, AdminError>(())
        })
        .await
}

/// Sets the caller's new password, once their current one was confirmed; every
/// session of theirs ends, the caller's too, and with `revoke_keys` their API keys
/// are revoked. Returns how many keys were.
pub async fn change_password(
    services: Services<'_>,
    caller: &Caller,
    me: &Administrator,
    password: Password,
    confirmation: Password,
    revoke_keys: bool,
) -> Result<usize, AdminError> {
    let hash = hash_new_password(services, password, confirmation, &me.email).await?;
    let (actor, me) = (caller.actor.clone(), me.clone());
    services
        .db
        .write(move |c| {
            admins::set_password(c, me.id, &hash)?;
            let revoked =
                revoke_keys_if(c, &actor, &me, revoke_keys, KeyRevocation::PasswordChanged)?;
            let details = serde_json::json!({ "api_keys_revoked": revoked });
            audit::record(
                c,
                &actor,
                AuditAction::PasswordChanged,
                &target(&me),
                &details.to_string(),
            )?;
            Ok::<_, AdminWriteError>(revoked)
        })
        .await
        .map_err(AdminError::from)
}

/// What signing out everywhere ended.
pub struct SignedOut {
    pub sessions: usize,
    pub api_keys: usize,
}

/// Ends every session of the caller and, with `revoke_keys`, revokes their API keys.
pub async fn sign_out_everywhere(
    services: Services<'_>,
    caller: &Caller,
    me: &Administrator,
    revoke_keys: bool,
) -> Result<SignedOut, AdminError> {
    let (actor, me) = (caller.actor.clone(), me.clone());
    services
        .db
        .write(move |c| {
            let sessions = admins::end_sessions(c, me.id)?;
            let api_keys = revoke_keys_if(
                c,
                &actor,
                &me,
                revoke_keys,
                KeyRevocation::SignedOutEverywhere,
            )?;
            let details = serde_json::json!({ "sessions": sessions, "api_keys_revoked": api_keys });
            audit::record(
                c,
                &actor,
                AuditAction::SignedOutEverywhere,
                &target(&me),
                &details.to_string(),
            )?;
            Ok::<_, AdminError>(SignedOut { sessions, api_keys })
        })
        .await
}

/// The administrator's keys revoked when asked for; how many.
fn revoke_keys_if(
    c: &mut DbConnection,
    actor: &Actor,
    me: &Administrator,
    asked: bool,
    reason: KeyRevocation,
) -> diesel::QueryResult<usize> {
    if asked {
        revoke_all_in(c, actor, me.id, reason)
    } else {
        Ok(0)
    }
}

/// Which expiry digests the administrator wants: for the tokens they created, for
/// every token of their scopes.
pub async fn set_expiry_mail(
    services: Services<'_>,
    caller: &Caller,
    id: crate::domain::ids::AdministratorId,
    choice: admins::preferences::ExpiryMail,
) -> Result<(), AdminError> {
    let actor = caller.actor.clone();
    services
        .db
        .write(move |c| {
            admins::preferences::set_expiry_mail(c, id, choice)?;
            let details = serde_json::json!({ "expiry_mail_own": choice.own, "expiry_mail_scopes": choice.scopes });
            let target = audit::Target::of(crate::domain::audit::TargetKind::Administrator, None, &actor.label);
            audit::record(c, &actor, AuditAction::ProfileUpdated, &target, &details.to_string())?;
            Ok::<_, AdminError>(())
        })
        .await
}
