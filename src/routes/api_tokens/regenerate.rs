//! `/settings/api-tokens/{guid}/regenerate`: a new secret for the same token, shown
//! once; the previous one stops now or after a chosen grace period.

use actix_web::{HttpRequest, HttpResponse, web};

use super::create::reveal;
use super::{VersionForm, finish, load_to_change};
use crate::auth::csrf::CsrfForm;
use crate::auth::{Authorized, perm};
use crate::domain::ids::Guid;
use crate::domain::tokens::grace_period;
use crate::http::AppError;
use crate::routes::parse_version;
use crate::services::tokens;
use crate::state::AppState;
use crate::urls::{self, TokenPage};
use crate::views::errors::{ConfirmPage, Confirmation, Link};
use crate::views::format::datetime;
use crate::views::{Layout, Section};

type Editor = Authorized<perm::TokensUpdate>;

pub async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Editor,
    guid: web::Path<Guid>,
) -> Result<ConfirmPage, AppError> {
    let token = load_to_change(&state, &admin, guid.into_inner()).await?;
    let t = token.token;
    Ok(ConfirmPage {
        layout: Layout::page(&req, Some(&admin), format!("Regenerate {}", t.name), Section::ApiTokens),
        confirmation: Confirmation {
            title: format!("Regenerate {}?", t.name),
            body: "A new secret replaces the current one, with the same settings. The new secret is shown once.".into(),
            button: "Regenerate",
            danger: false,
            action: urls::token_page(&t.guid, TokenPage::Regenerate),
            grace: true,
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
        Ok(r) => reveal(
            &req,
            &state,
            &admin,
            "Token regenerated",
            &r.token.name,
            &r.token.guid,
            &r.secret,
            r.previous_until.as_ref().map(datetime),
        ),
        // A reload of the one-time page lands here: the version is spent.
        Err(e) => finish(&session, Err(e), &urls::token(&guid)),
    }
}
