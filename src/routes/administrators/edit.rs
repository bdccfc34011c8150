//! `/settings/administrators/{id}`: an administrator's page, and changing their
//! role and scopes.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{Admin, choices, edit_page, find, finish, refused_page};
use crate::auth::csrf::CsrfForm;
use crate::domain::validation::FieldErrors;
use crate::http::AppError;
use crate::routes::{parse_ids, parse_version};
use crate::services::admins::{self, AdminError};
use crate::state::AppState;
use crate::views::admins::{AccessValues, EditAdminPage};

pub async fn edit_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<String>,
) -> Result<EditAdminPage, AppError> {
    let summary = find(&state, path.into_inner()).await?;
    let (roles, scopes) = choices(&state).await?;
    let access = AccessValues {
        role: summary.admin.role_key.clone(),
        scopes: summary.scope_ids.clone(),
    };
    Ok(edit_page(
        &req,
        &admin,
        summary,
        access,
        roles,
        scopes,
        FieldErrors::default(),
        FieldErrors::default(),
    ))
}

#[derive(Deserialize)]
pub struct AccessForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    scopes: Vec<String>,
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
    )
    .await;
    if let Err(AdminError::Invalid(errors)) = changed {
        let access = AccessValues {
            role: form.role,
            scopes: scope_ids,
        };
        return refused_page(
            &req,
            &state,
            &admin,
            summary,
            access,
            errors,
            FieldErrors::default(),
        )
        .await;
    }
    finish(
        &session,
        changed.map(|a| format!("Saved the role and scopes of {}.", a.display_name)),
        &summary.admin,
    )
}
