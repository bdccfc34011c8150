//! `POST /profile/sign-out-everywhere`: ends every session of the signed-in
//! administrator, this one too.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::auth::CurrentAdmin;
use crate::auth::csrf::{CsrfForm, NoFields};
use crate::auth::session::{self, FlashKind};
use crate::http::AppError;
use crate::routes::see_other;
use crate::services::profile;
use crate::state::AppState;
use crate::urls;

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: CurrentAdmin,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let ended =
        profile::sign_out_everywhere(state.services(), &admin.caller(&req), &admin.admin).await?;
    session::sign_out(&session);
    session::flash(
        &session,
        FlashKind::Success,
        format!(
            "You were signed out everywhere ({ended} session{}). Sign in again to continue.",
            if ended == 1 { "" } else { "s" }
        ),
    );
    Ok(see_other(urls::LOGIN))
}
