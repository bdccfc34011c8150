//! `/settings/api-tokens/{guid}/regenerate`: a new secret for the same token, shown
//! once; the previous one stops now or after a chosen grace period.

use actix_web::{HttpRequest, HttpResponse, web};

use super::create::reveal;
use super::{VersionForm, confirm_page, finish};
use crate::auth::csrf::CsrfForm;
use crate::auth::{Authorized, perm};
use crate::domain::ids::Guid;
use crate::domain::tokens::grace_period;
use crate::http::AppError;
use crate::routes::parse_version;
use crate::services::tokens;
use crate::state::AppState;
use crate::urls;
use crate::views::errors::ConfirmPage;
use crate::views::format::datetime;
use crate::views::tokens::questions;

type Editor = Authorized<perm::TokensUpdate>;

pub async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Editor,
    guid: web::Path<Guid>,
) -> Result<ConfirmPage, AppError> {
    confirm_page(
        &req,
        &state,
        &admin,
        guid.into_inner(),
        &questions::REGENERATE,
    )
    .await
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
    let grace = grace_period(&form.grace)
        .ok_or_else(|| AppError::bad_request("Choose a grace period from the list."))?;
    let regenerated =
        tokens::regenerate(state.services(), &admin.caller(&req), &guid, version, grace).await;
    match regenerated {
        Ok(r) => {
            reveal(
                &req,
                &state,
                &admin,
                "Token regenerated",
                &r.token.guid,
                &r.secret,
                r.previous_until.as_ref().map(datetime),
            )
            .await
        }
        // A reload of the one-time page lands here: the version is spent.
        Err(e) => finish(&session, Err(e), &urls::token(&guid)),
    }
}
