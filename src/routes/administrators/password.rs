//! `POST /settings/administrators/{id}/password`: a new password for another
//! administrator, who is signed out everywhere and loses their API keys.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{Admin, PageParts, find, finish, refused_page};
use crate::auth::csrf::CsrfForm;
use crate::domain::validation::FieldErrors;
use crate::http::AppError;
use crate::passwords::Password;
use crate::services::admins::{self, AdminError};
use crate::state::AppState;
use crate::views::admins::AccessValues;
use crate::views::api_keys::keys_revoked;

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: Password,
    #[serde(default)]
    password_confirmation: Password,
}

pub async fn set_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let summary = find(&state, path.into_inner()).await?;
    let set = admins::set_password(
        state.services(),
        &admin.caller(&req),
        &summary.admin.public_id,
        form.password,
        form.password_confirmation,
    )
    .await;
    if let Err(AdminError::Invalid(errors)) = set {
        let parts = PageParts {
            access: AccessValues {
                role: summary.admin.role_key.clone(),
                scopes: summary.scope_ids.clone(),
            },
            errors: FieldErrors::default(),
            password_errors: errors,
        };
        return refused_page(&req, &state, &admin, summary, parts).await;
    }
    finish(
        &session,
        set.map(|c| {
            format!(
                "Set a new password for {}; they were signed out everywhere{}.",
                c.admin.display_name,
                keys_revoked(c.api_keys_revoked)
            )
        }),
        &summary.admin,
    )
}
