//! `/settings/api-tokens/{guid}/revoke`: ends an active token for good.

use actix_web::{HttpRequest, HttpResponse, web};
use diesel::Connection;

use super::{VersionForm, finish, load_to_change, return_path, target};
use crate::auth::csrf::CsrfForm;
use crate::auth::{Authorized, perm};
use crate::db::audit;
use crate::db::tokens::{self, TokenWriteError};
use crate::domain::audit::AuditAction;
use crate::http::AppError;
use crate::routes::parse_version;
use crate::state::AppState;
use crate::views::errors::{ConfirmPage, Confirmation, Link};
use crate::views::{Layout, Section};

type Editor = Authorized<perm::TokensUpdate>;

pub async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Editor,
    guid: web::Path<String>,
) -> Result<ConfirmPage, AppError> {
    let t = load_to_change(&state, &admin, guid.into_inner())
        .await?
        .token;
    Ok(ConfirmPage {
        layout: Layout::page(&req, Some(&admin), format!("Revoke {}", t.name), Section::ApiTokens),
        confirmation: Confirmation {
            title: format!("Revoke {}?", t.name),
            body: "The token stops working now, for good. Its valid-to date becomes now. This cannot be undone.".into(),
            button: "Revoke token",
            danger: true,
            action: format!("/settings/api-tokens/{}/revoke", t.guid),
            grace: false,
        },
        back: Link {
            href: format!("/settings/api-tokens/{}", t.guid),
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
    guid: web::Path<String>,
    CsrfForm(form): CsrfForm<VersionForm>,
) -> Result<HttpResponse, AppError> {
    let token = load_to_change(&state, &admin, guid.into_inner()).await?;
    let version = parse_version(&form.version)?;
    let actor = admin.actor(&req);
    let (id, guid, name) = (
        token.token.id,
        token.token.guid.clone(),
        token.token.name.clone(),
    );
    let result = state
        .db
        .run(move |c| {
            c.transaction(|c| {
                tokens::revoke(c, id, version)?;
                audit::record(
                    c,
                    &actor,
                    AuditAction::TokenRevoked.key(),
                    &target(&guid, &name),
                    "",
                )?;
                Ok::<_, TokenWriteError>(())
            })
        })
        .await;
    // The next verification on this instance sees the change.
    state.verifier.token_changed(&token.token.guid);
    let success = format!("Revoked {}. It no longer works.", token.token.name);
    finish(
        &session,
        result,
        &return_path(&req, &token.token.guid),
        success,
    )
}
