//! An administrator's own profile: their name, their password, their sessions.

use crate::db::admins::{self, AdminWriteError, Administrator};
use crate::db::audit;
use crate::domain::audit::AuditAction;
use crate::domain::validation::{FieldErrors, required_text};
use crate::passwords::Password;
use crate::services::admins::{AdminError, hash_new_password, target};
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
/// session of theirs ends, the caller's too.
pub async fn change_password(
    services: Services<'_>,
    caller: &Caller,
    me: &Administrator,
    password: Password,
    confirmation: Password,
) -> Result<(), AdminError> {
    let hash = hash_new_password(services, password, confirmation, &me.email).await?;
    let (actor, me) = (caller.actor.clone(), me.clone());
    services
        .db
        .write(move |c| {
            admins::set_password(c, me.id, &hash)?;
            audit::record(c, &actor, AuditAction::PasswordChanged, &target(&me), "")?;
            Ok::<_, AdminWriteError>(())
        })
        .await?;
    Ok(())
}

/// Ends every session of the caller; returns how many.
pub async fn sign_out_everywhere(
    services: Services<'_>,
    caller: &Caller,
    me: &Administrator,
) -> Result<usize, AdminError> {
    let (actor, me) = (caller.actor.clone(), me.clone());
    services
        .db
        .write(move |c| {
            let ended = admins::end_sessions(c, me.id)?;
            let details = serde_json::json!({ "sessions": ended });
            audit::record(
                c,
                &actor,
                AuditAction::SignedOutEverywhere,
                &target(&me),
                &details.to_string(),
            )?;
            Ok::<_, AdminError>(ended)
        })
        .await
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
