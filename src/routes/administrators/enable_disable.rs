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
    set(req, state, session, admin, path.into_inner(), form, true).await
}

pub async fn enable(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<VersionForm>,
) -> Result<HttpResponse, AppError> {
    set(req, state, session, admin, path.into_inner(), form, false).await
}

async fn set(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    public_id: String,
    form: VersionForm,
    disabled: bool,
) -> Result<HttpResponse, AppError> {
    let summary = find(&state, public_id).await?;
    let version = parse_version(&form.version)?;
    let (services, caller) = (state.services(), admin.caller(&req));
    let public_id = &summary.admin.public_id;
    let result = if disabled {
        admins::disable(services, &caller, public_id, version)
            .await
            .map(|a| format!("Disabled {} and ended their sessions.", a.display_name))
    } else {
        admins::enable(services, &caller, public_id, version)
            .await
            .map(|a| format!("Enabled {}; they can sign in again.", a.display_name))
    };
    finish(&session, result, &summary.admin)
}
