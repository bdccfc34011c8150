//! `/settings/api-tokens/{guid}/delete`: a permanent soft delete. The row stays,
//! as Deleted, for the audit trail.

use actix_web::{HttpRequest, HttpResponse, web};

use super::{VersionForm, finish, load_to_change};
use crate::auth::csrf::CsrfForm;
use crate::auth::{Authorized, perm};
use crate::domain::ids::Guid;
use crate::http::AppError;
use crate::routes::parse_version;
use crate::services::tokens;
use crate::state::AppState;
use crate::urls::{self, TokenPage};
use crate::views::errors::{ConfirmPage, Confirmation, Link};
use crate::views::{Layout, Section};

type Deleter = Authorized<perm::TokensDelete>;

pub async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Deleter,
    guid: web::Path<Guid>,
) -> Result<ConfirmPage, AppError> {
    let t = load_to_change(&state, &admin, guid.into_inner())
        .await?
        .token;
    Ok(ConfirmPage {
        layout: Layout::page(&req, Some(&admin), format!("Delete {}", t.name), Section::ApiTokens),
        confirmation: Confirmation {
            title: format!("Delete {}?", t.name),
            body: "The token stops working and leaves the list for good. Its history stays in the audit log.".into(),
            button: "Delete token",
            danger: true,
            action: urls::token_page(&t.guid, TokenPage::Delete),
            grace: false,
        },
        back: Link {
            href: urls::token(&t.guid),
            label: t.name,
        },
        version: Some(t.version),
    })
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
