//! `/login/link`: the break-glass sign-in with a one-time code made on the
//! server's command line (`tessera admin sign-in-link`).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{client_address, see_other};
use crate::auth::csrf::CsrfForm;
use crate::auth::session;
use crate::http::AppError;
use crate::services::sign_in_links;
use crate::state::AppState;
use crate::urls;
use crate::views::auth::SignInLinkPage;
use crate::views::{Layout, render_with_status};

const INVALID: &str = "This sign-in code does not work: it was used already, it expired, or it was mistyped. Make a new one on the server.";

pub async fn show(req: HttpRequest) -> Result<HttpResponse, AppError> {
    page(&req, StatusCode::OK, None)
}

fn page(
    req: &HttpRequest,
    status: StatusCode,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let page = SignInLinkPage {
        layout: Layout::anonymous_form(req, "One-time sign-in"),
        error,
        errors: Default::default(),
    };
    render_with_status(status, &page)
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<HttpResponse, AppError> {
    let ip = client_address(&req).to_string();
    let admin_id = sign_in_links::redeem(state.services(), &form.code, ip.clone()).await?;
    let Some(admin_id) = admin_id else {
        tracing::warn!(client_ip = %ip, "a one-time sign-in code was refused");
        return page(&req, StatusCode::BAD_REQUEST, Some(INVALID.into()));
    };
    session::sign_in(&session, admin_id).map_err(AppError::internal)?;
    Ok(see_other(urls::TOKENS))
}
