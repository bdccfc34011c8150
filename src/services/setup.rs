//! First-run setup: the one-time code from the console makes the first Super Admin.

use crate::db::admins::{self, AdminWriteError, Administrator, NewAdmin};
use crate::db::audit::{self, Actor};
use crate::db::{DbError, setup};
use crate::domain::admins::{SUPER_ADMIN, generate_public_id, validate_new_admin};
use crate::domain::audit::AuditAction;
use crate::domain::digest::sha256_hex;
use crate::domain::validation::FieldErrors;
use crate::passwords::{self, HashingError, Password};
use crate::services::Services;
use crate::services::admins::target;

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("The setup link is not valid. Use the newest link Tessera printed.")]
    InvalidCode,
    #[error("Tessera is set up already.")]
    AlreadySetUp,
    #[error("Some fields need attention.")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Write(#[from] AdminWriteError),
    #[error(transparent)]
    Hashing(#[from] HashingError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for SetupError {
    fn from(e: diesel::result::Error) -> Self {
        SetupError::Db(e.into())
    }
}

/// The first administrator, as submitted with the setup code.
pub struct FirstAdministrator {
    pub code: String,
    pub display_name: String,
    pub email: String,
    pub password: Password,
    pub password_confirmation: Password,
    /// Where the request came from, for the audit log.
    pub ip: String,
}

/// Spends the code and creates the first Super Admin, who is the author of the
/// event that records it.
pub async fn complete(
    services: Services<'_>,
    first: FirstAdministrator,
) -> Result<Administrator, SetupError> {
    let details = validate_new_admin(
        FieldErrors::default(),
        &first.display_name,
        &first.email,
        first.password.expose(),
        first.password_confirmation.expose(),
    )
    .map_err(SetupError::Invalid)?;
    let password = first.password;
    let hash = services
        .hashing
        .run(move || passwords::hash(&password))
        .await?;
    let digest = sha256_hex(first.code.as_bytes());
    let ip = first.ip;
    let admin = services
        .db
        .write(move |c| {
            if !setup::consume(c, &digest)? {
                return Err(SetupError::InvalidCode);
            }
            if admins::count(c)? > 0 {
                return Err(SetupError::AlreadySetUp);
            }
            let public_id = generate_public_id();
            let admin = admins::create(
                c,
                &NewAdmin {
                    public_id: &public_id,
                    display_name: &details.display_name,
                    email: &details.email,
                    password_hash: &hash,
                    role_key: SUPER_ADMIN,
                    scope_ids: &[],
                },
            )?;
            setup::delete_all(c)?;
            let actor = Actor::administrator(&admin, ip);
            audit::record(c, &actor, AuditAction::SetupCompleted, &target(&admin), "")?;
            Ok(admin)
        })
        .await?;
    services.catalog_changed();
    Ok(admin)
}
