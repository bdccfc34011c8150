//! `POST /settings/administrators/{id}/api-keys/{key}/revoke`: revoking an
//! administrator's API key from their page.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{Admin, find};
use crate::auth::csrf::{CsrfForm, NoFields};
use crate::auth::session::{self, FlashKind};
use crate::http::AppError;
use crate::routes::see_other;
use crate::services::api_keys;
use crate::state::AppState;
use crate::urls;

pub async fn revoke(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    path: web::Path<(String, String)>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let (owner, key) = path.into_inner();
    let owner = find(&state, owner).await?.admin;
    let key = api_keys::revoke(state.services(), &admin.caller(&req), owner.id, &key).await?;
    session::flash(
        &session,
        FlashKind::Success,
        format!(
            "The API key \u{201c}{}\u{201d} of {} was revoked.",
            key.name, owner.display_name
        ),
    );
    Ok(see_other(&urls::administrator(&owner.public_id)))
}
