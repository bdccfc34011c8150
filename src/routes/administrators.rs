//! Settings > Administrators: list, add, change role and scopes, set a password,
//! disable and enable, revoke API keys — one module per page or action. Only for
//! administrators with `admins.manage`.

pub mod api_keys;
pub mod create;
pub mod edit;
pub mod enable_disable;
pub mod list;
pub mod password;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};

use super::see_other;
use crate::auth::session::{self, FlashKind};
use crate::auth::{Authorized, perm};
use crate::db::admins::{self, Administrator, Role};
use crate::db::catalog::{self, Scope};
use crate::db::{DbError, now};
use crate::domain::validation::FieldErrors;
use crate::http::AppError;
use crate::services::admins::AdminError;
use crate::services::api_keys::{active_count, list as list_keys};
use crate::state::AppState;
use crate::urls;
use crate::views::admins::{AccessValues, EditAdminPage};
use crate::views::api_keys::{ApiKeyRowView, keys_to_revoke};
use crate::views::{Layout, Section, render_with_status};

type Admin = Authorized<perm::AdminsManage>;

async fn choices(state: &AppState) -> Result<(Vec<Role>, Vec<Scope>), AppError> {
    Ok(state
        .db
        .run(|c| Ok::<_, DbError>((admins::roles(c)?, catalog::list_scopes(c)?)))
        .await?)
}

async fn find(state: &AppState, public_id: String) -> Result<admins::AdminSummary, AppError> {
    state
        .db
        .run(move |c| admins::summary(c, &public_id).map_err(DbError::from))
        .await?
        .ok_or(AppError::NotFound)
}

/// What the administrator's page shows besides the forms' values and errors.
struct PageParts {
    access: AccessValues,
    errors: FieldErrors,
    password_errors: FieldErrors,
}

async fn edit_page(
    req: &HttpRequest,
    state: &AppState,
    admin: &Admin,
    summary: admins::AdminSummary,
    parts: PageParts,
) -> Result<EditAdminPage, AppError> {
    let (roles, scopes) = choices(state).await?;
    let target = summary.admin;
    let keys = list_keys(state.services(), target.id).await?;
    let active = active_count(state.services(), target.id).await?;
    let now = now();
    let is_you = target.id == admin.admin.admin.id;
    Ok(EditAdminPage {
        layout: Layout::page(
            req,
            Some(admin),
            target.display_name.clone(),
            Section::Administrators,
        ),
        is_you,
        single_sign_on: target.sso_subject.is_some(),
        enabled: target.is_enabled(),
        version: target.version,
        keys: keys
            .iter()
            .map(|k| ApiKeyRowView::on_owner_page(k, &now, &target.public_id))
            .collect(),
        revoke_keys: keys_to_revoke(if is_you { "your" } else { "their" }, active),
        public_id: target.public_id,
        display_name: target.display_name,
        email: target.email,
        access: parts.access,
        roles,
        scopes,
        errors: parts.errors,
        password_errors: parts.password_errors,
    })
}

/// The administrator's page again, with what was refused: the access form's
/// errors or the password form's.
async fn refused_page(
    req: &HttpRequest,
    state: &AppState,
    admin: &Admin,
    summary: admins::AdminSummary,
    parts: PageParts,
) -> Result<HttpResponse, AppError> {
    let page = edit_page(req, state, admin, summary, parts).await?;
    render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// Turns the outcome of a change into a flash message and a redirect to the
/// administrator's page.
fn finish(
    session: &Session,
    result: Result<String, AdminError>,
    target: &Administrator,
) -> Result<HttpResponse, AppError> {
    match result {
        Ok(success) => session::flash(session, FlashKind::Success, success),
        Err(error @ (AdminError::Conflict | AdminError::Refused(_))) => {
            session::flash(session, FlashKind::Error, error.to_string())
        }
        Err(error) => return Err(error.into()),
    }
    Ok(see_other(&urls::administrator(&target.public_id)))
}
