//! The break-glass path: a one-time sign-in link made on the server's command
//! line, for an administrator who cannot sign in otherwise (the identity provider
//! is down, or sign-in is through it alone).

use crate::db::audit::{self, Actor};
use crate::db::{DbError, admins, sign_in_links};
use crate::domain::admins::normalize_email;
use crate::domain::audit::AuditAction;
use crate::domain::digest::{random_token, sha256_hex};
use crate::domain::ids::AdministratorId;
use crate::services::admins::target;
use crate::services::{Services, sign_in};

/// How long a link works.
pub const LINK_LIFETIME: time::Duration = time::Duration::minutes(15);

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("There is no enabled administrator with the email {0}.")]
    NoSuchAdministrator(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for LinkError {
    fn from(error: diesel::result::Error) -> Self {
        Self::Db(error.into())
    }
}

/// Makes a link for the enabled administrator with this email: the code, which
/// only its digest is kept of.
pub async fn create(services: Services<'_>, email: &str) -> Result<String, LinkError> {
    let email = normalize_email(email);
    let code = random_token(32);
    let digest = sha256_hex(code.as_bytes());
    services
        .db
        .write(move |c| {
            let admin = admins::sso::find_by_email(c, &email)?
                .filter(|a| a.is_enabled())
                .ok_or(LinkError::NoSuchAdministrator(email))?;
            let expires_at = crate::db::now() + LINK_LIFETIME;
            sign_in_links::insert(c, &digest, admin.id, expires_at)?;
            let details = serde_json::json!({ "minutes": LINK_LIFETIME.whole_minutes() });
            audit::record(
                c,
                &Actor::command_line(),
                AuditAction::SignInLinkCreated,
                &target(&admin),
                &details.to_string(),
            )?;
            Ok::<_, LinkError>(())
        })
        .await?;
    Ok(code)
}

/// Spends a code: whom it signs in (enabled, within its lifetime, once), audited
/// as their sign-in from `ip`.
pub async fn redeem(
    services: Services<'_>,
    code: &str,
    ip: String,
) -> Result<Option<AdministratorId>, DbError> {
    let digest = sha256_hex(code.trim().as_bytes());
    services
        .db
        .write(move |c| {
            let Some(id) = sign_in_links::consume(c, &digest)? else {
                return Ok(None);
            };
            let Some(admin) = admins::find(c, id)?.filter(|a| a.is_enabled()) else {
                return Ok(None);
            };
            sign_in::record(c, &admin, ip, Some("sign_in_link"))?;
            Ok::<_, DbError>(Some(admin.id))
        })
        .await
}
