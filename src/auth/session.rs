//! What Tessera keeps in a session, and the only functions that read or write it.

use actix_session::Session;
use serde::{Deserialize, Serialize};

pub use crate::domain::digest::random_token;
use crate::domain::ids::AdministratorId;

const ADMIN_ID: &str = "admin_id";
const CSRF_TOKEN: &str = "csrf";
const FLASHES: &str = "flash";
const PASSWORD_CONFIRMED_AT: &str = "password_confirmed_at";
const SSO_ID_TOKEN: &str = "sso_id_token";

/// How long a password confirmation lets an administrator do sensitive things.
pub const CONFIRMATION_LIFETIME: time::Duration = time::Duration::minutes(5);

/// The signed-in administrator's ID, if any.
pub fn admin_id(session: &Session) -> Option<AdministratorId> {
    session.get::<AdministratorId>(ADMIN_ID).ok().flatten()
}

/// The session store keeps the administrator's ID in a column too, to end sessions by it.
pub fn admin_id_in_state(
    state: &std::collections::HashMap<String, String>,
) -> Option<AdministratorId> {
    state
        .get(ADMIN_ID)
        .and_then(|v| serde_json::from_str(v).ok())
}

pub fn strip_admin(state: &mut std::collections::HashMap<String, String>) {
    state.remove(ADMIN_ID);
}

/// Starts an authenticated session under a new key (the old one is deleted, so a key
/// planted before sign-in is worthless) with a new CSRF token.
pub fn sign_in(
    session: &Session,
    admin_id: AdministratorId,
) -> Result<(), actix_session::SessionInsertError> {
    session.renew();
    session.insert(ADMIN_ID, admin_id)?;
    session.insert(CSRF_TOKEN, random_token(32))
}

/// Notes the ID token of a sign-in through the identity provider, to name the
/// session when signing out there too.
pub fn signed_in_through_provider(
    session: &Session,
    id_token: String,
) -> Result<(), actix_session::SessionInsertError> {
    session.insert(SSO_ID_TOKEN, id_token)
}

/// The ID token of a session that began at the identity provider.
pub fn provider_id_token(session: &Session) -> Option<String> {
    session.get::<String>(SSO_ID_TOKEN).ok().flatten()
}

/// Ends the authenticated session: its key is deleted from the store, and the browser
/// gets a fresh anonymous session (which can carry a goodbye message).
pub fn sign_out(session: &Session) {
    session.clear();
    session.renew();
}

/// Notes that the administrator has just typed their password again.
pub fn confirm_password(session: &Session) -> Result<(), actix_session::SessionInsertError> {
    session.insert(
        PASSWORD_CONFIRMED_AT,
        time::OffsetDateTime::now_utc().unix_timestamp(),
    )
}

/// Whether the password was confirmed in this session within [`CONFIRMATION_LIFETIME`].
pub fn password_recently_confirmed(session: &Session) -> bool {
    let Ok(Some(at)) = session.get::<i64>(PASSWORD_CONFIRMED_AT) else {
        return false;
    };
    let age = time::OffsetDateTime::now_utc().unix_timestamp() - at;
    (0..CONFIRMATION_LIFETIME.whole_seconds()).contains(&age)
}

/// The session's CSRF token, created on first use.
pub fn csrf_token(session: &Session) -> String {
    if let Ok(Some(token)) = session.get::<String>(CSRF_TOKEN) {
        return token;
    }
    let token = random_token(32);
    // A failure here only means the next form post is refused with a clear message.
    let _ = session.insert(CSRF_TOKEN, &token);
    token
}

pub fn expected_csrf_token(session: &Session) -> Option<String> {
    session.get::<String>(CSRF_TOKEN).ok().flatten()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FlashKind {
    Success,
    Info,
    Warning,
    Error,
}

impl FlashKind {
    pub fn css_class(self) -> &'static str {
        match self {
            FlashKind::Success => "flash-success",
            FlashKind::Info => "flash-info",
            FlashKind::Warning => "flash-warning",
            FlashKind::Error => "flash-error",
        }
    }
}

/// A message shown once, on the next page (after a redirect).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flash {
    pub kind: FlashKind,
    pub message: String,
}

pub fn flash(session: &Session, kind: FlashKind, message: impl Into<String>) {
    let mut flashes = session
        .get::<Vec<Flash>>(FLASHES)
        .ok()
        .flatten()
        .unwrap_or_default();
    flashes.push(Flash {
        kind,
        message: message.into(),
    });
    let _ = session.insert(FLASHES, flashes);
}

pub fn take_flashes(session: &Session) -> Vec<Flash> {
    session
        .remove_as::<Vec<Flash>>(FLASHES)
        .and_then(Result::ok)
        .unwrap_or_default()
}
