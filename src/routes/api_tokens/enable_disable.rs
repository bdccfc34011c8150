//! `POST /settings/api-tokens/{guid}/disable` and `/enable`: a temporary stop,
//! and back.

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

type Editor = Authorized<perm::TokensUpdate>;

pub async fn disable(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: actix_session::Session,
    admin: Editor,
    guid: web::Path<String>,
    CsrfForm(form): CsrfForm<VersionForm>,
) -> Result<HttpResponse, AppError> {
    set(req, state, session, admin, guid.into_inner(), form, true).await
}

pub async fn enable(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: actix_session::Session,
    admin: Editor,
    guid: web::Path<String>,
    CsrfForm(form): CsrfForm<VersionForm>,
) -> Result<HttpResponse, AppError> {
    set(req, state, session, admin, guid.into_inner(), form, false).await
}

async fn set(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: actix_session::Session,
    admin: Editor,
    guid: String,
    form: VersionForm,
    disabled: bool,
) -> Result<HttpResponse, AppError> {
    let token = load_to_change(&state, &admin, guid).await?;
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
                tokens::set_disabled(c, id, version, disabled)?;
                let action = if disabled {
                    AuditAction::TokenDisabled
                } else {
                    AuditAction::TokenEnabled
                };
                audit::record(c, &actor, action.key(), &target(&guid, &name), "")?;
                Ok::<_, TokenWriteError>(())
            })
        })
        .await;
    // The next verification on this instance sees the change.
    state.verifier.token_changed(&token.token.guid);
    let name = &token.token.name;
    let success = if disabled {
        format!("Disabled {name}. It is refused until you enable it again.")
    } else {
        format!("Enabled {name}.")
    };
    finish(
        &session,
        result,
        &return_path(&req, &token.token.guid),
        success,
    )
}
