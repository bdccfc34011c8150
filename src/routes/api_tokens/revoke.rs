//! `/settings/api-tokens/{guid}/revoke`: ends an active token for good.

use actix_web::{HttpRequest, HttpResponse, web};

use super::{VersionForm, confirm_page, finish, return_path};
use crate::auth::csrf::CsrfForm;
use crate::auth::{Authorized, perm};
use crate::domain::ids::Guid;
use crate::http::AppError;
use crate::routes::parse_version;
use crate::services::tokens;
use crate::state::AppState;
use crate::views::errors::ConfirmPage;
use crate::views::tokens::questions;

type Editor = Authorized<perm::TokensUpdate>;

pub async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Editor,
    guid: web::Path<Guid>,
) -> Result<ConfirmPage, AppError> {
    confirm_page(&req, &state, &admin, guid.into_inner(), &questions::REVOKE).await
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: actix_session::Session,
    admin: Editor,
    guid: web::Path<Guid>,
    CsrfForm(form): CsrfForm<VersionForm>,
) -> Result<HttpResponse, AppError> {
    let version = parse_version(&form.version)?;
    let revoked = tokens::revoke(state.services(), &admin.caller(&req), &guid, version).await;
    finish(
        &session,
        revoked.map(|t| format!("Revoked {}. It no longer works.", t.name)),
        &return_path(&req, &guid),
    )
}
