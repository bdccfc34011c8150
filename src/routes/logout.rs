//! `POST /logout`: ends the session, server-side.

use actix_session::Session;
use actix_web::HttpResponse;

use super::see_other;
use crate::auth::csrf::{CsrfForm, NoFields};
use crate::auth::session::{self, FlashKind};
use crate::urls;

pub async fn submit(session: Session, _form: CsrfForm<NoFields>) -> HttpResponse {
    session::sign_out(&session);
    session::flash(&session, FlashKind::Info, "You have signed out.");
    see_other(urls::LOGIN)
}
