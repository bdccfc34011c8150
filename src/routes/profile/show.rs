//! `GET /profile`, and `POST /profile` to change one's own display name.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{ProfileTab, tabs};
use crate::auth::CurrentAdmin;
use crate::auth::csrf::CsrfForm;
use crate::auth::session::{self, FlashKind};
use crate::db::admins::preferences::ExpiryMail;
use crate::domain::validation::FieldErrors;
use crate::http::AppError;
use crate::routes::{parse_version, see_other};
use crate::services::admins::AdminError;
use crate::services::{api_keys, profile};
use crate::state::AppState;
use crate::urls;
use crate::views::api_keys::keys_to_revoke;
use crate::views::profile::ProfilePage;
use crate::views::{Layout, Section, render_with_status};

pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
) -> Result<ProfilePage, AppError> {
    let name = admin.admin.display_name.clone();
    profile_page(
        &req,
        &state,
        &admin,
        name,
        FieldErrors::default(),
        FieldErrors::default(),
    )
    .await
}

/// The profile page, with what was typed and what was wrong with it.
pub async fn profile_page(
    req: &HttpRequest,
    state: &AppState,
    admin: &CurrentAdmin,
    display_name: String,
    name_errors: FieldErrors,
    password_errors: FieldErrors,
) -> Result<ProfilePage, AppError> {
    let active_keys = api_keys::active_count(state.services(), admin.admin.id).await?;
    Ok(ProfilePage {
        layout: Layout::page(req, Some(admin), "My profile", Section::Profile),
        profile_tabs: tabs(ProfileTab::Profile, admin),
        display_name,
        email: admin.admin.email.clone(),
        public_id: admin.admin.public_id.clone(),
        role_name: admin.role_name.clone(),
        version: admin.admin.version,
        name_errors,
        password_errors,
        expiry_mail_own: admin.admin.expiry_mail_own,
        expiry_mail_scopes: admin.admin.expiry_mail_scopes,
        mail_set_up: state.config.mail.is_some(),
        revoke_keys: keys_to_revoke("my", active_keys),
    })
}

/// The expiry digests' boxes. Each sends `off` from a hidden field and, ticked,
/// `on` too, so that a form without them is incomplete rather than "all off".
#[derive(Deserialize)]
pub struct ExpiryMailForm {
    #[serde(default)]
    own: Vec<String>,
    #[serde(default)]
    scopes: Vec<String>,
}

pub async fn expiry_mail(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: CurrentAdmin,
    CsrfForm(form): CsrfForm<ExpiryMailForm>,
) -> Result<HttpResponse, AppError> {
    if form.own.is_empty() || form.scopes.is_empty() {
        return Err(AppError::bad_request(
            "The form is incomplete: send it from My profile.",
        ));
    }
    let choice = ExpiryMail {
        own: form.own.iter().any(|v| v == "on"),
        scopes: form.scopes.iter().any(|v| v == "on"),
    };
    profile::set_expiry_mail(
        state.services(),
        &admin.caller(&req),
        admin.admin.id,
        choice,
    )
    .await?;
    session::flash(
        &session,
        FlashKind::Success,
        "Your expiry email settings were saved.",
    );
    Ok(see_other(urls::PROFILE))
}

#[derive(Deserialize)]
pub struct NameForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    version: String,
}

pub async fn update_name(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: CurrentAdmin,
    CsrfForm(form): CsrfForm<NameForm>,
) -> Result<HttpResponse, AppError> {
    let version = parse_version(&form.version)?;
    let renamed = profile::rename(
        state.services(),
        &admin.caller(&req),
        &admin.admin,
        version,
        &form.display_name,
    )
    .await;
    match renamed {
        Ok(()) => session::flash(&session, FlashKind::Success, "Your name was changed."),
        Err(AdminError::Invalid(errors)) => {
            let page = profile_page(
                &req,
                &state,
                &admin,
                form.display_name,
                errors,
                FieldErrors::default(),
            )
            .await?;
            return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
        Err(AdminError::Conflict) => session::flash(
            &session,
            FlashKind::Error,
            "Your profile was changed elsewhere meanwhile, so your new name was not saved. The page shows the current one; change it again if still needed.",
        ),
        Err(e) => return Err(e.into()),
    }
    Ok(see_other(urls::PROFILE))
}
