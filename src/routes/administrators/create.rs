//! `/settings/administrators/new`: adding an administrator, who can sign in at once.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{Admin, choices};
use crate::auth::csrf::CsrfForm;
use crate::auth::session::{self, FlashKind};
use crate::db;
use crate::domain::validation::FieldErrors;
use crate::http::AppError;
use crate::passwords::Password;
use crate::routes::{parse_ids, see_other};
use crate::services::admins::{self, AdminError, NewAdministrator};
use crate::state::AppState;
use crate::urls;
use crate::views::admins::{AccessValues, NewAdminPage, NewAdminValues};
use crate::views::{Layout, Section, render_with_status};

pub async fn new_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
) -> Result<NewAdminPage, AppError> {
    let (roles, scopes) = choices(&state).await?;
    Ok(NewAdminPage {
        layout: Layout::page(
            &req,
            Some(&admin),
            "Add administrator",
            Section::Administrators,
        ),
        form: NewAdminValues::default(),
        access: AccessValues {
            role: "viewer".into(),
            scopes: Vec::new(),
        },
        roles,
        scopes,
        errors: FieldErrors::default(),
    })
}

#[derive(Deserialize)]
pub struct NewAdminForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default)]
    password: Password,
    #[serde(default)]
    password_confirmation: Password,
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    CsrfForm(form): CsrfForm<NewAdminForm>,
) -> Result<HttpResponse, AppError> {
    let scope_ids = parse_ids(&form.scopes);
    let new = NewAdministrator {
        display_name: form.display_name.clone(),
        email: form.email.clone(),
        password: form.password,
        password_confirmation: form.password_confirmation,
        role: form.role.clone(),
        scope_ids: scope_ids.clone(),
    };
    let (errors, status) = match admins::create(state.services(), &admin.caller(&req), new).await {
        Ok(created) => {
            session::flash(
                &session,
                FlashKind::Success,
                format!("{} can now sign in as {}.", created.label(), created.email),
            );
            let public_id = created.public_id.clone();
            let sees_nothing = state
                .db
                .run(move |c| db::admins::summary(c, &public_id).map_err(db::DbError::from))
                .await?
                .is_some_and(|s| !s.all_scopes && s.scope_ids.is_empty());
            if sees_nothing {
                session::flash(
                    &session,
                    FlashKind::Warning,
                    format!(
                        "{} has no scopes, so sees no tokens. Give them a scope with Edit.",
                        created.display_name
                    ),
                );
            }
            return Ok(see_other(urls::ADMINISTRATORS));
        }
        Err(AdminError::Invalid(errors)) => (errors, StatusCode::UNPROCESSABLE_ENTITY),
        Err(error @ AdminError::EmailTaken) => {
            let mut errors = FieldErrors::default();
            errors.add("email", error.to_string());
            (errors, StatusCode::CONFLICT)
        }
        Err(error @ AdminError::UnknownReference) => {
            let mut errors = FieldErrors::default();
            errors.add("scopes", error.to_string());
            (errors, StatusCode::CONFLICT)
        }
        Err(error) => return Err(error.into()),
    };
    let (roles, scopes) = choices(&state).await?;
    let page = NewAdminPage {
        layout: Layout::page(
            &req,
            Some(&admin),
            "Add administrator",
            Section::Administrators,
        ),
        form: NewAdminValues {
            display_name: form.display_name,
            email: form.email,
        },
        access: AccessValues {
            role: form.role,
            scopes: scope_ids,
        },
        roles,
        scopes,
        errors,
    };
    render_with_status(status, &page)
}
