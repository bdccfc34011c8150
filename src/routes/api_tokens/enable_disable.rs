//! `POST /settings/api-tokens/{guid}/disable` and `/enable`: a temporary stop,
//! and back.

use actix_web::{HttpRequest, HttpResponse, web};

use super::{VersionForm, finish, return_path};
use crate::auth::csrf::CsrfForm;
use crate::auth::{Authorized, perm};
use crate::domain::ids::Guid;
use crate::http::AppError;
use crate::routes::parse_version;
use crate::services::tokens;
use crate::state::AppState;

type Editor = Authorized<perm::TokensUpdate>;

pub async fn disable(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: actix_session::Session,
    admin: Editor,
    guid: web::Path<Guid>,
    CsrfForm(form): CsrfForm<VersionForm>,
) -> Result<HttpResponse, AppError> {
    set(req, state, session, admin, guid.into_inner(), form, true).await
}

pub async fn enable(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: actix_session::Session,
    admin: Editor,
    guid: web::Path<Guid>,
    CsrfForm(form): CsrfForm<VersionForm>,
) -> Result<HttpResponse, AppError> {
    set(req, state, session, admin, guid.into_inner(), form, false).await
}

async fn set(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: actix_session::Session,
    admin: Editor,
    guid: Guid,
    form: VersionForm,
    disabled: bool,
) -> Result<HttpResponse, AppError> {
    let version = parse_version(&form.version)?;
    let (services, caller) = (state.services(), admin.caller(&req));
    let result = if disabled {
        tokens::disable(services, &caller, &guid, version)
            .await
            .map(|t| {
                format!(
                    "Disabled {}. It is refused until you enable it again.",
                    t.name
                )
            })
    } else {
        tokens::enable(services, &caller, &guid, version)
            .await
            .map(|t| format!("Enabled {}.", t.name))
    };
    finish(&session, result, &return_path(&req, &guid))
}
