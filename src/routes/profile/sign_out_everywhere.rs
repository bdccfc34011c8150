//! `POST /profile/sign-out-everywhere`: ends every session of the signed-in
//! administrator, this one too.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::auth::CurrentAdmin;
use crate::auth::csrf::{CsrfForm, NoFields};
use crate::auth::session::{self, FlashKind};
use crate::db::audit;
use crate::db::{DbError, admins};
use crate::domain::audit::AuditAction;
use crate::http::AppError;
use crate::routes::see_other;
use crate::services::admins::target;
use crate::state::AppState;

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: CurrentAdmin,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let actor = admin.actor(&req);
    let me = admin.admin.clone();
    let ended = state
        .db
        .run(move |c| {
            diesel::Connection::transaction(c, |c| {
                let ended = admins::end_sessions(c, me.id, None)?;
                audit::record(
                    c,
                    &actor,
                    AuditAction::SignedOutEverywhere,
                    &target(&me),
                    &serde_json::json!({ "sessions": ended }).to_string(),
                )?;
                Ok::<_, DbError>(ended)
            })
        })
        .await?;
    session::sign_out(&session);
    session::flash(
        &session,
        FlashKind::Success,
        format!(
            "You were signed out everywhere ({ended} session{}). Sign in again to continue.",
            if ended == 1 { "" } else { "s" }
        ),
    );
    Ok(see_other("/login"))
}
