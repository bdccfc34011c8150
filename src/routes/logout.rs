//! `POST /logout`: ends the session, server-side; a session that began at the
//! identity provider is ended there too, when it offers that.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{see_other, sso};
use crate::auth::csrf::{CsrfForm, NoFields};
use crate::auth::session::{self, FlashKind};
use crate::http::AppError;
use crate::state::AppState;
use crate::urls;
use crate::views::auth::SignedOutPage;
use crate::views::{Layout, Refresh, render_with_status};

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let at_provider = sso::sign_out_url(&state, &session).await;
    session::sign_out(&session);
    session::flash(&session, FlashKind::Info, "You have signed out.");
    let Some(url) = at_provider else {
        return Ok(see_other(urls::LOGIN));
    };
    // A page that goes on to the provider, not a redirect: browsers hold the
    // redirect of a form's answer to the page's form-action rule ('self').
    let mut layout = Layout::anonymous_form(&req, "Signed out");
    layout.refresh = Some(Refresh {
        seconds: 0,
        url: url.clone(),
    });
    let provider = state
        .oidc
        .as_ref()
        .map(|p| p.settings.name.clone())
        .unwrap_or_default();
    render_with_status(
        StatusCode::OK,
        &SignedOutPage {
            layout,
            url,
            provider,
        },
    )
}
