//! `POST /settings/administrators/{id}/disable` and `/enable`.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{Admin, find, finish};
use crate::auth::csrf::CsrfForm;
use crate::http::AppError;
use crate::routes::parse_version;
use crate::services::admins;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct VersionForm {
    #[serde(default)]
    version: String,
}

/// Disables the administrator and ends their sessions.
pub async fn disable(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<VersionForm>,
) -> Result<HttpResponse, AppError> {
    let summary = find(&state, path.into_inner()).await?;
    let version = parse_version(&form.version)?;
    let (services, caller) = (state.services(), admin.caller(&req));
    let disabled = admins::disable(services, &caller, &summary.admin.public_id, version).await;
    finish(
        &session,
        disabled.map(|a| format!("Disabled {} and ended their sessions.", a.display_name)),
        &summary.admin,
    )
}

pub async fn enable(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<VersionForm>,
) -> Result<HttpResponse, AppError> {
    let summary = find(&state, path.into_inner()).await?;
    let version = parse_version(&form.version)?;
    let (services, caller) = (state.services(), admin.caller(&req));
    let enabled = admins::enable(services, &caller, &summary.admin.public_id, version).await;
    finish(
        &session,
        enabled.map(|a| format!("Enabled {}; they can sign in again.", a.display_name)),
        &summary.admin,
    )
}
