//! `/settings/api-tokens/{guid}/delete`: a permanent soft delete. The row stays,
//! as Deleted, for the audit trail.

use actix_web::{HttpRequest, HttpResponse, web};

use super::{VersionForm, confirm_page, finish};
use crate::auth::csrf::CsrfForm;
use crate::auth::{Authorized, perm};
use crate::domain::ids::Guid;
use crate::http::AppError;
use crate::routes::parse_version;
use crate::services::tokens;
use crate::state::AppState;
use crate::urls;
use crate::views::errors::ConfirmPage;
use crate::views::tokens::questions;

type Deleter = Authorized<perm::TokensDelete>;

pub async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Deleter,
    guid: web::Path<Guid>,
) -> Result<ConfirmPage, AppError> {
    confirm_page(&req, &state, &admin, guid.into_inner(), &questions::DELETE).await
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: actix_session::Session,
    admin: Deleter,
    guid: web::Path<Guid>,
    CsrfForm(form): CsrfForm<VersionForm>,
) -> Result<HttpResponse, AppError> {
    let version = parse_version(&form.version)?;
    let deleted = tokens::delete(state.services(), &admin.caller(&req), &guid, version).await;
    finish(
        &session,
        deleted.map(|t| {
            format!(
                "Deleted {}. It no longer works; its history stays in the audit log.",
                t.name
            )
        }),
        urls::TOKENS,
    )
}
