//! `/login`: the sign-in form and its submission.

use actix_session::Session;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{client_address, safe_next, see_other};
use crate::auth::csrf::CsrfForm;
use crate::auth::{CurrentAdmin, device, session};
use crate::db::{DbError, admins};
use crate::domain::admins::normalize_email;
use crate::domain::throttle::{Verdict, retry_message, wait_text};
use crate::domain::validation::FieldErrors;
use crate::http::AppError;
use crate::passwords::{self, HashingError, Password};
use crate::services::sign_in::{self, SignInKeys, throttled_address};
use crate::state::AppState;
use crate::urls;
use crate::views::auth::{LoginPage, SingleSignOn};
use crate::views::errors::MessagePage;
use crate::views::{Layout, Section, render_with_status};

/// The one message for every failed sign-in: it does not tell which part was wrong,
/// nor whether the account exists or is disabled.
const FAILED: &str = "The email or password is incorrect.";

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    let next = query.into_inner().next.unwrap_or_default();
    if CurrentAdmin::optional(&req).await?.is_some() {
        return Ok(see_other(safe_next(&next)));
    }
    if state.oidc.as_ref().is_some_and(|p| p.settings.auto_login) {
        return Ok(see_other(&urls::sso_start(safe_next(&next))));
    }
    // Before the first administrator, nobody can sign in (unless the identity
    // provider's people may sign up): say where to start.
    let sign_up = state
        .oidc
        .as_ref()
        .is_some_and(|p| p.settings.allow_sign_up);
    let nobody = !sign_up
        && state
            .db
            .run(|c| Ok::<_, DbError>(admins::count(c)? == 0))
            .await?;
    let error = nobody.then(|| NOBODY_YET.to_owned());
    page(&req, StatusCode::OK, String::new(), next, error)
}

const NOBODY_YET: &str = "Nobody can sign in yet: there is no administrator. Open the setup link Tessera printed on its console when it started, or create the first administrator on the server with the command tessera admin create.";

fn page(
    req: &HttpRequest,
    status: StatusCode,
    email: String,
    next: String,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let provider = req
        .app_data::<web::Data<AppState>>()
        .and_then(|state| state.oidc.as_ref());
    let single_sign_on = provider.map(|p| SingleSignOn {
        name: p.settings.name.clone(),
        url: urls::sso_start(&next),
    });
    let page = LoginPage {
        layout: Layout::anonymous_form(req, "Sign in"),
        email,
        next,
        error,
        errors: FieldErrors::default(),
        passwords: !provider.is_some_and(|p| p.settings.only),
        single_sign_on,
    };
    render_with_status(status, &page)
}

/// The sign-in page, saying why a sign-in through the provider did not happen.
pub fn refused_page(
    req: &HttpRequest,
    status: StatusCode,
    next: String,
    message: String,
) -> Result<HttpResponse, AppError> {
    page(req, status, String::new(), next, Some(message))
}

/// Refused when sign-in is through the identity provider alone.
const PASSWORDS_OFF: &str =
    "Password sign-in is turned off: sign in with your organisation's account.";

/// The form again, with a message that says to wait, and `Retry-After`.
fn retry_page(
    req: &HttpRequest,
    status: StatusCode,
    email: String,
    next: String,
    message: String,
    seconds: i64,
) -> Result<HttpResponse, AppError> {
    let mut response = page(req, status, email, next, Some(message))?;
    response.headers_mut().insert(
        header::RETRY_AFTER,
        header::HeaderValue::from(seconds.max(1)),
    );
    Ok(response)
}

/// The sign-in form and its submission, for a client whose address is locked out:
/// answered here, before the session is loaded or a form read, so that a flood
/// from locked addresses costs next to nothing.
pub async fn refuse_locked_addresses(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let wait = (req.path() == urls::LOGIN)
        .then(|| req.app_data::<web::Data<AppState>>())
        .flatten()
        .and_then(|state| {
            let address = throttled_address(client_address(req.request()));
            state.locked_addresses.locked_for(&address)
        });
    let Some(wait) = wait else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let wait = time::Duration::try_from(wait).unwrap_or(time::Duration::MAX);
    let page = MessagePage {
        layout: Layout::without_flashes(req.request(), None, "Sign in", Section::None),
        heading: "Too many sign-in attempts".into(),
        message: format!(
            "Too many failed sign-in attempts came from your network address. \
             Try again in {}.",
            wait_text(wait)
        ),
        link: None,
    };
    let mut response = render_with_status(StatusCode::TOO_MANY_REQUESTS, &page)?;
    response.headers_mut().insert(
        header::RETRY_AFTER,
        header::HeaderValue::from(wait.whole_seconds().max(1)),
    );
    Ok(req.into_response(response).map_into_right_body())
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: Password,
    #[serde(default)]
    next: String,
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Result<HttpResponse, AppError> {
    if state.oidc.as_ref().is_some_and(|p| p.settings.only) {
        let status = StatusCode::FORBIDDEN;
        return page(
            &req,
            status,
            form.email,
            form.next,
            Some(PASSWORDS_OFF.into()),
        );
    }
    let email = normalize_email(&form.email);
    let client = client_address(&req);
    let keys = SignInKeys::new(&email, client);
    let ip = client.to_string();

    // A browser this administrator signed in with before skips the account-wide
    // counter, so guessing from elsewhere cannot slow them down. The attempt is
    // counted before any password is checked, so concurrent guesses cannot outrun a
    // limit: both in one trip to the database.
    let remembered = device::known_admin(&req, &state.cookie_key);
    let (credentials, counted) = {
        let (email, keys) = (email.clone(), keys.clone());
        state
            .db
            .run(move |c| {
                let credentials = admins::find_credentials(c, &email)?;
                let known_device = matches!(
                    (&credentials, remembered),
                    (Some((id, _, _)), Some(known)) if *id == known
                );
                let verdict = sign_in::count_attempt(c, &keys, known_device)?;
                Ok::<_, DbError>((credentials, verdict))
            })
            .await?
    };
    if let Some(wait) = counted.address_locked_for {
        let address = throttled_address(client);
        state.locked_addresses.lock(address, wait.unsigned_abs());
    }
    match counted.verdict {
        Verdict::Allowed => {}
        // The account-wide counter slows distributed guessing; it never locks out.
        Verdict::Delayed(wait) => {
            actix_web::rt::time::sleep(wait.unsigned_abs()).await;
        }
        Verdict::Refused(wait) => {
            tracing::warn!(client_ip = %ip, "sign-in refused: too many attempts");
            let message = retry_message(wait);
            let status = StatusCode::TOO_MANY_REQUESTS;
            return retry_page(
                &req,
                status,
                form.email,
                form.next,
                message,
                wait.whole_seconds(),
            );
        }
    }

    let password = form.password;
    let checked = state
        .hashing
        .run(move || match credentials {
            Some((id, hash, disabled_at)) => {
                let matches = passwords::verify(&password, &hash);
                (matches && disabled_at.is_none()).then_some(id)
            }
            None => {
                passwords::verify_without_account(&password);
                None
            }
        })
        .await;
    let admin_id = match checked {
        Ok(admin_id) => admin_id,
        Err(HashingError::Busy) => {
            let (message, status) = (AppError::Busy.to_string(), StatusCode::SERVICE_UNAVAILABLE);
            return retry_page(&req, status, form.email, form.next, message, 1);
        }
        Err(error) => return Err(error.into()),
    };

    let Some(admin_id) = admin_id else {
        tracing::warn!(client_ip = %ip, "sign-in failed");
        return page(
            &req,
            StatusCode::UNAUTHORIZED,
            form.email,
            form.next,
            Some(FAILED.into()),
        );
    };

    // Whoever is linked to the identity provider signs in there, where their groups
    // are checked: a password must not keep the rights the provider took away. (Said
    // only to whoever typed the right password.)
    if let Some(provider) = &state.oidc {
        let linked = state
            .db
            .run(move |c| {
                let admin = admins::find(c, admin_id)?;
                Ok::<_, DbError>(admin.is_some_and(|a| a.sso_subject.is_some()))
            })
            .await?;
        if linked {
            let message = format!(
                "Your account signs in with {}: use the button above.",
                provider.settings.name
            );
            return page(
                &req,
                StatusCode::FORBIDDEN,
                form.email,
                form.next,
                Some(message),
            );
        }
    }
    sign_in::signed_in(state.services(), keys, admin_id, ip).await?;
    session::sign_in(&session, admin_id).map_err(AppError::internal)?;
    let mut response = see_other(safe_next(&form.next));
    let remembered = device::cookie_for(admin_id, &state.cookie_key, state.config.cookie_secure());
    response
        .add_cookie(&remembered)
        .map_err(AppError::internal)?;
    Ok(response)
}
