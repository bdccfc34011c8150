//! `POST /profile/password`: a new password, with the current one. Every other
//! session of the administrator ends; this one continues under a new key.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::show::profile_page;
use crate::auth::CurrentAdmin;
use crate::auth::csrf::CsrfForm;
use crate::auth::reauth::check_password;
use crate::auth::session::{self, FlashKind};
use crate::domain::admins::validate_new_password;
use crate::domain::validation::FieldErrors;
use crate::http::AppError;
use crate::passwords::Password;
use crate::routes::see_other;
use crate::services::profile;
use crate::state::AppState;
use crate::urls;
use crate::views::api_keys::keys_revoked;
use crate::views::render_with_status;

#[derive(Deserialize)]
pub struct PasswordChangeForm {
    #[serde(default)]
    current_password: Password,
    #[serde(default)]
    password: Password,
    #[serde(default)]
    password_confirmation: Password,
    /// `on` to revoke the administrator's API keys too.
    #[serde(default)]
    revoke_api_keys: Option<String>,
}

pub async fn change(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: CurrentAdmin,
    CsrfForm(form): CsrfForm<PasswordChangeForm>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::default();
    if form.current_password.expose().is_empty() {
        errors.add("current_password", "Type your current password.");
    }
    validate_new_password(
        &mut errors,
        form.password.expose(),
        form.password_confirmation.expose(),
        &admin.admin.email,
    );
    if errors.is_empty() && form.password.expose() == form.current_password.expose() {
        errors.add(
            "password",
            "The new password is the current one; choose a different password.",
        );
    }
    if errors.is_empty() {
        let check = check_password(&state, admin.admin.id, form.current_password).await?;
        if let Some(message) = check.refusal() {
            errors.add("current_password", message);
        }
    }
    if !errors.is_empty() {
        let name = admin.admin.display_name.clone();
        let page = profile_page(&req, &state, &admin, name, FieldErrors::default(), errors).await?;
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }

    let revoked = profile::change_password(
        state.services(),
        &admin.caller(&req),
        &admin.admin,
        form.password,
        form.password_confirmation,
        form.revoke_api_keys.as_deref() == Some("on"),
    )
    .await?;
    // Every session ended, this one too; it continues under a new key.
    session::sign_in(&session, admin.admin.id).map_err(AppError::internal)?;
    session::flash(
        &session,
        FlashKind::Success,
        format!(
            "Your password was changed. Your other sessions were signed out{}.",
            keys_revoked(revoked)
        ),
    );
    Ok(see_other(urls::PROFILE))
}
