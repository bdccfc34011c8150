//! `/login/sso`: signing in through the identity provider, and its way back.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{client_address, login, safe_next, see_other};
use crate::auth::oidc::{self, CallbackQuery, OidcProvider};
use crate::auth::session;
use crate::domain::sso::Refusal;
use crate::http::AppError;
use crate::services::sso::{self, SignInFailed};
use crate::state::AppState;
use crate::views::auth::SignedInElsewherePage;
use crate::views::{Layout, Refresh, render_with_status};

#[derive(Deserialize)]
pub struct StartQuery {
    #[serde(default)]
    next: String,
}

fn provider(state: &AppState) -> Result<&OidcProvider, AppError> {
    state.oidc.as_ref().ok_or(AppError::NotFound)
}

/// Sends the browser to the provider, with what it must bring back in a cookie.
pub async fn start(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<StartQuery>,
) -> Result<HttpResponse, AppError> {
    let provider = provider(&state)?;
    let next = safe_next(&query.next).to_owned();
    match provider.start(next.clone()).await {
        Ok((url, pending)) => {
            let secure = state.config.cookie_secure();
            let mut response = see_other(&url);
            response
                .add_cookie(&oidc::pending_cookie(&pending, &state.cookie_key, secure))
                .map_err(AppError::internal)?;
            Ok(response)
        }
        Err(refusal) => refuse(&req, &state, refusal, next).await,
    }
}

/// The provider's answer: the administrator is signed in, or told why not.
pub async fn callback(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<CallbackQuery>,
) -> Result<HttpResponse, AppError> {
    let provider = provider(&state)?;
    let pending = oidc::take_pending(&req, &state.cookie_key);
    let next = pending.as_ref().map(|p| p.next.clone()).unwrap_or_default();
    let mut response = match provider.finish(pending, query.into_inner()).await {
        Err(refusal) => refuse(&req, &state, refusal, next).await?,
        Ok(signed_in) => {
            let ip = client_address(&req).to_string();
            let identity = signed_in.identity.clone();
            match sso::sign_in(state.services(), &provider.settings, signed_in.identity, ip).await {
                Ok(admin_id) => {
                    session::sign_in(&session, admin_id).map_err(AppError::internal)?;
                    session::signed_in_through_provider(&session, signed_in.id_token)
                        .map_err(AppError::internal)?;
                    // They just proved who they are at the provider: that confirms
                    // them for sensitive actions, as typing a password would.
                    session::confirm_password(&session).map_err(AppError::internal)?;
                    onward(&req, safe_next(&next))?
                }
                Err(SignInFailed::Refused(refusal)) => login::refused_page(
                    &req,
                    status_of(&refusal),
                    next,
                    refusal.message(&provider.settings.name),
                )?,
                Err(SignInFailed::Db(e)) => {
                    tracing::error!(subject = %identity.subject, "single sign-on failed: {e}");
                    return Err(e.into());
                }
            }
        }
    };
    let cleared = oidc::cleared_pending_cookie(state.config.cookie_secure());
    response.add_cookie(&cleared).map_err(AppError::internal)?;
    Ok(response)
}

/// The page after a sign-in goes on to `next` by itself. (A redirect would not do:
/// the session cookie is SameSite=Strict, and a redirect that ends a cross-site
/// navigation from the provider would arrive without it.)
fn onward(req: &HttpRequest, next: &str) -> Result<HttpResponse, AppError> {
    let mut layout = Layout::anonymous_form(req, "Signed in");
    layout.refresh = Some(Refresh {
        seconds: 0,
        url: next.to_owned(),
    });
    let page = SignedInElsewherePage {
        layout,
        next: next.to_owned(),
    };
    render_with_status(StatusCode::OK, &page)
}

fn status_of(refusal: &Refusal) -> StatusCode {
    match refusal {
        Refusal::ProviderUnavailable => StatusCode::BAD_GATEWAY,
        Refusal::NotStartedHere | Refusal::CodeRefused(_) | Refusal::InvalidIdToken(_) => {
            StatusCode::BAD_REQUEST
        }
        _ => StatusCode::FORBIDDEN,
    }
}

/// Records a refusal that came before anyone was named, and says so on the
/// sign-in page.
async fn refuse(
    req: &HttpRequest,
    state: &AppState,
    refusal: Refusal,
    next: String,
) -> Result<HttpResponse, AppError> {
    let ip = client_address(req).to_string();
    sso::refused(state.services(), refusal.clone(), None, ip).await?;
    let name = state.oidc.as_ref().map_or("", |p| p.settings.name.as_str());
    login::refused_page(req, status_of(&refusal), next, refusal.message(name))
}

/// `POST /logout` of a session that began at the provider: where the browser
/// goes to sign out there too.
pub async fn sign_out_url(state: &AppState, session: &Session) -> Option<String> {
    let id_token = session::provider_id_token(session)?;
    state.oidc.as_ref()?.sign_out_url(&id_token).await
}
