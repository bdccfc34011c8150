//! `/settings/administrators/{id}`: an administrator's page, and changing their
//! role and scopes (and, when that takes something away, revoking their API keys).

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{Admin, PageParts, edit_page, find, finish, refused_page};
use crate::auth::csrf::CsrfForm;
use crate::domain::validation::FieldErrors;
use crate::http::AppError;
use crate::routes::{parse_ids, parse_version};
use crate::services::admins::{self, AdminError};
use crate::state::AppState;
use crate::views::admins::{AccessValues, EditAdminPage};
use crate::views::api_keys::keys_revoked;

pub async fn edit_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<String>,
) -> Result<EditAdminPage, AppError> {
    let summary = find(&state, path.into_inner()).await?;
    let access = AccessValues {
        role: summary.admin.role_key.clone(),
        scopes: summary.scope_ids.clone(),
    };
    let parts = PageParts {
        access,
        errors: FieldErrors::default(),
        password_errors: FieldErrors::default(),
    };
    edit_page(&req, &state, &admin, summary, parts).await
}

#[derive(Deserialize)]
pub struct AccessForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    scopes: Vec<String>,
    /// `on`: a change that takes something away revokes their API keys too.
    #[serde(default)]
    revoke_api_keys: Option<String>,
}

pub async fn update_access(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<AccessForm>,
) -> Result<HttpResponse, AppError> {
    let summary = find(&state, path.into_inner()).await?;
    let version = parse_version(&form.version)?;
    let scope_ids = parse_ids(&form.scopes);
    let changed = admins::change_access(
        state.services(),
        &admin.caller(&req),
        &summary.admin.public_id,
        version,
        form.role.clone(),
        scope_ids.clone(),
        form.revoke_api_keys.as_deref() == Some("on"),
    )
    .await;
    if let Err(AdminError::Invalid(errors)) = changed {
        let parts = PageParts {
            access: AccessValues {
                role: form.role,
                scopes: scope_ids,
            },
            errors,
            password_errors: FieldErrors::default(),
        };
        return refused_page(&req, &state, &admin, summary, parts).await;
    }
    finish(
        &session,
        changed.map(|c| {
            format!(
                "Saved the role and scopes of {}{}.",
                c.admin.display_name,
                keys_revoked(c.api_keys_revoked)
            )
        }),
        &summary.admin,
    )
}
