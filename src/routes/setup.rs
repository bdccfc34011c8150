//! First-run setup: `/setup?code=...` creates the first Super Admin, then
//! `/setup/catalog` offers modules and scopes to start with.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::see_other;
use crate::auth::csrf::{CsrfForm, NoFields};
use crate::auth::session::{self, FlashKind};
use crate::auth::{Authorized, perm};
use crate::db::admins;
use crate::db::catalog as stored;
use crate::db::{DbError, setup as setup_codes};
use crate::domain::digest::sha256_hex;
use crate::domain::validation::FieldErrors;
use crate::http::AppError;
use crate::passwords::Password;
use crate::services::catalog;
use crate::services::setup::{self, FirstAdministrator, SetupError};
use crate::state::AppState;
use crate::urls;
use crate::views::auth::{SetupCatalogPage, SetupPage};
use crate::views::errors::MessagePage;
use crate::views::{Layout, Section, render_with_status};

#[derive(Deserialize)]
pub struct CodeQuery {
    code: Option<String>,
}

enum SetupState {
    Done,
    InvalidCode,
    Open,
}

async fn setup_state(state: &AppState, code: &str) -> Result<SetupState, AppError> {
    let digest = sha256_hex(code.as_bytes());
    state
        .db
        .run(move |c| {
            if admins::count(c)? > 0 {
                Ok(SetupState::Done)
            } else if setup_codes::is_valid(c, &digest)? {
                Ok(SetupState::Open)
            } else {
                Ok::<_, DbError>(SetupState::InvalidCode)
            }
        })
        .await
        .map_err(AppError::from)
}

/// To the tokens for a signed-in administrator, to sign-in for anyone else.
fn already_set_up(session: &Session) -> HttpResponse {
    if session::admin_id(session).is_some() {
        session::flash(session, FlashKind::Info, "Tessera is already set up.");
        return see_other(urls::TOKENS);
    }
    session::flash(
        session,
        FlashKind::Info,
        "Tessera is already set up. Sign in to continue.",
    );
    see_other(urls::LOGIN)
}

fn invalid_code(req: &HttpRequest) -> Result<HttpResponse, AppError> {
    let page = MessagePage {
        layout: Layout::page(req, None, "Setup link not valid", Section::None),
        heading: "This setup link is not valid".into(),
        message: "It may be mistyped, already used, or older than 24 hours. Restart Tessera to print a new \
                  setup link on its console, or create the first administrator with the command tessera admin create."
            .into(),
        link: None,
    };
    render_with_status(StatusCode::FORBIDDEN, &page)
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<CodeQuery>,
) -> Result<HttpResponse, AppError> {
    let code = query.into_inner().code.unwrap_or_default();
    match setup_state(&state, &code).await? {
        SetupState::Done => Ok(already_set_up(&session)),
        SetupState::InvalidCode => invalid_code(&req),
        SetupState::Open => form_page(
            &req,
            StatusCode::OK,
            code,
            String::new(),
            String::new(),
            FieldErrors::default(),
        ),
    }
}

fn form_page(
    req: &HttpRequest,
    status: StatusCode,
    code: String,
    display_name: String,
    email: String,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let page = SetupPage {
        layout: Layout::anonymous_form(req, "Set up Tessera"),
        code,
        display_name,
        email,
        errors,
    };
    render_with_status(status, &page)
}

#[derive(Deserialize)]
pub struct SetupForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: Password,
    #[serde(default)]
    password_confirmation: Password,
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<SetupForm>,
) -> Result<HttpResponse, AppError> {
    match setup_state(&state, &form.code).await? {
        SetupState::Done => return Ok(already_set_up(&session)),
        SetupState::InvalidCode => return invalid_code(&req),
        SetupState::Open => {}
    }
    let first = FirstAdministrator {
        code: form.code.clone(),
        display_name: form.display_name.clone(),
        email: form.email.clone(),
        password: form.password,
        password_confirmation: form.password_confirmation,
        ip: super::client_ip(&req),
    };
    match setup::complete(state.services(), first).await {
        Ok(admin) => {
            session::sign_in(&session, admin.id).map_err(AppError::internal)?;
            session::flash(
                &session,
                FlashKind::Success,
                format!(
                    "Welcome, {}. You are signed in as the first Super Admin.",
                    admin.display_name
                ),
            );
            Ok(see_other(urls::SETUP_CATALOG))
        }
        Err(SetupError::Invalid(errors)) => form_page(
            &req,
            StatusCode::UNPROCESSABLE_ENTITY,
            form.code,
            form.display_name,
            form.email,
            errors,
        ),
        Err(SetupError::InvalidCode) => invalid_code(&req),
        Err(SetupError::AlreadySetUp) => Ok(already_set_up(&session)),
        Err(SetupError::Hashing(e)) => Err(e.into()),
        Err(e) => Err(AppError::internal(e)),
    }
}

pub async fn catalog(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Authorized<perm::SettingsManage>,
) -> Result<SetupCatalogPage, AppError> {
    let (modules, scopes) = state
        .db
        .run(|c| Ok::<_, DbError>((stored::list_modules(c)?, stored::list_scopes(c)?)))
        .await?;
    Ok(SetupCatalogPage {
        layout: Layout::page(&req, Some(&admin), "Modules and scopes", Section::None),
        modules,
        scopes,
    })
}

pub async fn add_examples(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Authorized<perm::SettingsManage>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let added = catalog::add_examples(state.services(), &admin.caller(&req)).await?;
    let message = match added {
        0 => "The example modules and scopes were all there already.".to_owned(),
        n => format!("Added {n} example modules and scopes."),
    };
    session::flash(&session, FlashKind::Success, message);
    Ok(see_other(urls::SETUP_CATALOG))
}
