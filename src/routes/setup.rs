//! First-run setup: `/setup?code=...` creates the first Super Admin, then
//! `/setup/catalog` offers modules and scopes to start with.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use diesel::Connection;
use serde::Deserialize;

use super::see_other;
use crate::auth::csrf::{CsrfForm, NoFields};
use crate::auth::session::{self, FlashKind};
use crate::auth::{Authorized, perm};
use crate::db::admins::{self, AdminWriteError, NewAdmin};
use crate::db::audit::{self, Actor, Target};
use crate::db::{DbError, catalog, setup};
use crate::domain::admins::{generate_public_id, validate_details, validate_new_password};
use crate::domain::audit::AuditAction;
use crate::domain::digest::sha256_hex;
use crate::domain::{catalog as examples, validation::FieldErrors};
use crate::http::AppError;
use crate::passwords::{self, Password};
use crate::state::AppState;
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
            } else if setup::is_valid(c, &digest)? {
                Ok(SetupState::Open)
            } else {
                Ok::<_, DbError>(SetupState::InvalidCode)
            }
        })
        .await
        .map_err(AppError::from)
}

fn already_set_up(session: &Session) -> HttpResponse {
    session::flash(
        session,
        FlashKind::Info,
        "Tessera is already set up. Sign in to continue.",
    );
    see_other("/login")
}

fn invalid_code(req: &HttpRequest) -> Result<HttpResponse, AppError> {
    let page = MessagePage {
        layout: Layout::page(req, None, "Setup link not valid", Section::None),
        heading: "This setup link is not valid".into(),
        message: "It may be mistyped, already used, or older than 24 hours. Restart Tessera to print a new \
                  setup link on its console, or create the first administrator with `tessera admin create`."
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

#[derive(Debug, thiserror::Error)]
enum SetupError {
    #[error("the setup code is not valid")]
    InvalidCode,
    #[error("an administrator exists already")]
    AlreadySetUp,
    #[error(transparent)]
    Write(#[from] AdminWriteError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for SetupError {
    fn from(e: diesel::result::Error) -> Self {
        SetupError::Db(e.into())
    }
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
    let mut errors = FieldErrors::default();
    let details = validate_details(&form.display_name, &form.email);
    if let Err(e) = &details {
        for (field, message) in e.iter() {
            errors.add(field, message);
        }
    }
    validate_new_password(
        &mut errors,
        form.password.expose(),
        form.password_confirmation.expose(),
        &form.email.trim().to_lowercase(),
    );
    let details = match details {
        Ok(details) if errors.is_empty() => details,
        _ => {
            return form_page(
                &req,
                StatusCode::UNPROCESSABLE_ENTITY,
                form.code,
                form.display_name,
                form.email,
                errors,
            );
        }
    };

    let password = form.password;
    let hash = state
        .hashing
        .run(move || passwords::hash(&password))
        .await?;
    let digest = sha256_hex(form.code.as_bytes());
    let ip = super::client_ip(&req);
    let created = state
        .db
        .run(move |c| {
            c.transaction(|c| {
                if !setup::consume(c, &digest)? {
                    return Err(SetupError::InvalidCode);
                }
                if admins::count(c)? > 0 {
                    return Err(SetupError::AlreadySetUp);
                }
                let public_id = generate_public_id();
                let admin = admins::create(
                    c,
                    &NewAdmin {
                        public_id: &public_id,
                        display_name: &details.display_name,
                        email: &details.email,
                        password_hash: &hash,
                        role_key: "super_admin",
                        scope_ids: &[],
                    },
                )?;
                setup::delete_all(c)?;
                let label = admin.label();
                let actor = Actor {
                    id: Some(admin.id),
                    label: label.clone(),
                    ip: Some(ip),
                };
                let target = Target {
                    kind: crate::domain::audit::TargetKind::Administrator,
                    id: Some(&admin.public_id),
                    label: &label,
                };
                audit::record(c, &actor, AuditAction::SetupCompleted, &target, "")?;
                Ok(admin)
            })
        })
        .await;
    // Cached verifications list modules: they are prepared again.
    state.verifier.forget_everything();
    match created {
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
            Ok(see_other("/setup/catalog"))
        }
        Err(SetupError::InvalidCode) => invalid_code(&req),
        Err(SetupError::AlreadySetUp) => Ok(already_set_up(&session)),
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
        .run(|c| Ok::<_, DbError>((catalog::list_modules(c)?, catalog::list_scopes(c)?)))
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
    let actor = admin.actor(&req);
    let added = state
        .db
        .run(move |c| {
            c.transaction(|c| {
                let added = catalog::add_examples(
                    c,
                    &examples::example_modules(),
                    &examples::example_scopes(),
                )
                .map_err(AppError::internal)?;
                if added > 0 {
                    let target = Target {
                        kind: crate::domain::audit::TargetKind::Catalog,
                        id: None,
                        label: "Example modules and scopes",
                    };
                    audit::record(c, &actor, AuditAction::ExamplesAdded, &target, "")?;
                }
                Ok::<_, AppError>(added)
            })
        })
        .await?;
    let message = match added {
        0 => "The example modules and scopes were all there already.".to_owned(),
        n => format!("Added {n} example modules and scopes."),
    };
    session::flash(&session, FlashKind::Success, message);
    Ok(see_other("/setup/catalog"))
}
