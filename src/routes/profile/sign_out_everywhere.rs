//! `POST /profile/sign-out-everywhere`: ends every session of the signed-in
//! administrator, this one too, and revokes their API keys when asked.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::auth::CurrentAdmin;
use crate::auth::csrf::CsrfForm;
use crate::auth::session::{self, FlashKind};
use crate::http::AppError;
use crate::routes::see_other;
use crate::services::profile;
use crate::state::AppState;
use crate::urls;
use crate::views::api_keys::keys_revoked;

/// The button, and the box that revokes the administrator's API keys too.
#[derive(Deserialize)]
pub struct SignOutForm {
    /// `on` to revoke the keys.
    #[serde(default)]
    revoke_api_keys: Option<String>,
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: CurrentAdmin,
    CsrfForm(form): CsrfForm<SignOutForm>,
) -> Result<HttpResponse, AppError> {
    let ended = profile::sign_out_everywhere(
        state.services(),
        &admin.caller(&req),
        &admin.admin,
        form.revoke_api_keys.as_deref() == Some("on"),
    )
    .await?;
    session::sign_out(&session);
    session::flash(
        &session,
        FlashKind::Success,
        format!(
            "You were signed out everywhere ({} session{}){}. Sign in again to continue.",
            ended.sessions,
            if ended.sessions == 1 { "" } else { "s" },
            keys_revoked(ended.api_keys)
        ),
    );
    Ok(see_other(urls::LOGIN))
}
