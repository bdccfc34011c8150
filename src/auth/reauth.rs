//! Typing the password again before something sensitive (showing a token value,
//! changing the password), with its own throttle.

use actix_session::Session;
use time::Duration;

use super::session;
use crate::db::{DbError, admins, throttle};
use crate::domain::digest::sha256_hex;
use crate::domain::ids::AdministratorId;
use crate::domain::throttle::{PASSWORD_CONFIRMATION, wait_text};
use crate::http::AppError;
use crate::passwords::{self, Password};
use crate::state::AppState;

/// The result of checking a typed password.
pub enum PasswordCheck {
    Correct,
    Wrong,
    /// Too many wrong ones: wait this long.
    Locked(Duration),
}

impl PasswordCheck {
    /// What to tell the administrator when the password did not do.
    pub fn refusal(&self) -> Option<String> {
        match self {
            PasswordCheck::Correct => None,
            PasswordCheck::Wrong => Some("That is not your password.".into()),
            PasswordCheck::Locked(wait) => Some(format!(
                "Too many wrong passwords. Try again in {}.",
                wait_text(*wait)
            )),
        }
    }
}

fn throttle_key(admin_id: AdministratorId) -> String {
    sha256_hex(format!("password-confirmation\n{admin_id}").as_bytes())
}

/// Checks the administrator's password. The attempt is counted first, in one
/// statement, so concurrent guesses cannot outrun the limit; a locked counter refuses
/// even the right password. The hash is checked (argon2, within the hashing gate)
/// without holding a database connection.
pub async fn check_password(
    state: &AppState,
    admin_id: AdministratorId,
    typed: Password,
) -> Result<PasswordCheck, AppError> {
    let key = throttle_key(admin_id);
    let counted = {
        let key = key.clone();
        state
            .db
            .run(move |c| {
                let counter = throttle::count_attempt(c, &key, &PASSWORD_CONFIRMATION)?;
                let hash = admins::password_hash(c, admin_id)?;
                Ok::<_, DbError>((counter, hash))
            })
            .await?
    };
    let (counter, hash) = counted;
    if let Some(wait) = PASSWORD_CONFIRMATION
        .judge(&counter, crate::db::now())
        .wait()
    {
        return Ok(PasswordCheck::Locked(wait));
    }
    if !state
        .hashing
        .run(move || passwords::verify(&typed, &hash))
        .await?
    {
        return Ok(PasswordCheck::Wrong);
    }
    state
        .db
        .run(move |c| throttle::clear(c, &key).map_err(DbError::from))
        .await?;
    Ok(PasswordCheck::Correct)
}

/// Where a sensitive action stands with the password confirmation it needs.
pub enum Confirmation {
    /// Confirmed within the last five minutes (or just now).
    Fresh,
    /// Not confirmed lately: ask for the password.
    Needed,
    /// The typed password did not do: ask again, saying why.
    Refused(String),
}

/// Checks `typed`, if given, else whether the session holds a fresh confirmation.
pub async fn confirmation(
    state: &AppState,
    session: &Session,
    admin_id: AdministratorId,
    typed: Option<Password>,
) -> Result<Confirmation, AppError> {
    match typed.filter(|p| !p.expose().is_empty()) {
        Some(typed) => {
            let check = check_password(state, admin_id, typed).await?;
            if let Some(message) = check.refusal() {
                return Ok(Confirmation::Refused(message));
            }
            session::confirm_password(session).map_err(AppError::internal)?;
            Ok(Confirmation::Fresh)
        }
        None if session::password_recently_confirmed(session) => Ok(Confirmation::Fresh),
        None => Ok(Confirmation::Needed),
    }
}
