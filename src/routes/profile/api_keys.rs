//! `/profile/api-keys`: the signed-in administrator's keys for the management API —
//! the list, creating one (with the password typed again; shown once), and
//! revoking one.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{ProfileTab, tabs};
use crate::auth::CurrentAdmin;
use crate::auth::csrf::{CsrfForm, NoFields};
use crate::auth::reauth::{Confirmation, confirmation};
use crate::auth::session::{self, FlashKind};
use crate::db::{DbError, now};
use crate::domain::api_keys::{ApiKeyInput, DEFAULT_LIFETIME_DAYS, LIFETIME_CHOICES, grantable};
use crate::domain::validation::FieldErrors;
use crate::http::AppError;
use crate::http::headers::no_store;
use crate::passwords::Password;
use crate::routes::see_other;
use crate::services::api_keys::{self, ApiKeyError};
use crate::services::tokens::assignable_scopes;
use crate::state::AppState;
use crate::urls;
use crate::views::api_keys::{ApiKeyCreatedPage, ApiKeyRowView, ApiKeysPage};
use crate::views::format::datetime;
use crate::views::{Layout, Section, render_with_status};

pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: CurrentAdmin,
) -> Result<HttpResponse, AppError> {
    let form = ApiKeyInput {
        expires_in_days: DEFAULT_LIFETIME_DAYS.to_string(),
        scope_limit: "all".into(),
        ..ApiKeyInput::default()
    };
    let page = keys_page(&req, &state, &session, &admin, form, FieldErrors::default()).await?;
    render_with_status(StatusCode::OK, &page)
}

async fn keys_page(
    req: &HttpRequest,
    state: &AppState,
    session: &Session,
    admin: &CurrentAdmin,
    form: ApiKeyInput,
    errors: FieldErrors,
) -> Result<ApiKeysPage, AppError> {
    let keys = api_keys::list(state.services(), admin.admin.id).await?;
    let access = admin.scope_access();
    let scopes = state
        .db
        .run(move |c| Ok::<_, DbError>(assignable_scopes(c, &access)?))
        .await?;
    let now = now();
    Ok(ApiKeysPage {
        layout: Layout::page(req, Some(admin), "API keys", Section::Profile),
        profile_tabs: tabs(ProfileTab::ApiKeys, admin),
        keys: keys.iter().map(|k| ApiKeyRowView::of(k, &now)).collect(),
        form,
        errors,
        permissions: grantable(admin.permissions).iter().collect(),
        scopes,
        lifetimes: &LIFETIME_CHOICES,
        docs_url: urls::API_DOCS,
        confirm_password: !session::password_recently_confirmed(session),
    })
}

/// The form that makes a key: what the key may do, and the administrator's
/// password, unless they typed it within the last few minutes.
#[derive(Deserialize)]
pub struct NewKeyForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    expires_in_days: String,
    #[serde(default)]
    permissions: Vec<String>,
    #[serde(default)]
    scope_limit: String,
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default)]
    password: Option<Password>,
}

impl NewKeyForm {
    fn into_parts(self) -> (ApiKeyInput, Option<Password>) {
        let input = ApiKeyInput {
            name: self.name,
            expires_in_days: self.expires_in_days,
            permissions: self.permissions,
            scope_limit: self.scope_limit,
            scopes: self.scopes,
        };
        (input, self.password)
    }
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: CurrentAdmin,
    CsrfForm(form): CsrfForm<NewKeyForm>,
) -> Result<HttpResponse, AppError> {
    let (form, password) = form.into_parts();
    // A key acts as its owner for up to a year: whoever holds a session alone
    // (a borrowed laptop, a stolen cookie) must not make one.
    let refusal = match confirmation(&state, &session, admin.admin.id, password).await? {
        Confirmation::Fresh => None,
        Confirmation::Needed => Some("Type your password to create an API key.".to_owned()),
        Confirmation::Refused(message) => Some(message),
    };
    if let Some(message) = refusal {
        // Every problem of the form at once, the password's with the others.
        let mut errors = match api_keys::check(state.services(), admin.admin.id, form.clone()).await
        {
            Err(ApiKeyError::Invalid(errors)) => errors,
            other => other.map(|()| FieldErrors::default())?,
        };
        errors.add("password", message);
        let page = keys_page(&req, &state, &session, &admin, form, errors).await?;
        return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let caller = admin.caller(&req);
    match api_keys::create(state.services(), &caller, admin.admin.id, form.clone()).await {
        Ok(created) => {
            let row = ApiKeyRowView::of(&created.key, &now());
            let page = ApiKeyCreatedPage {
                layout: Layout::page(&req, Some(&admin), "Copy your API key", Section::Profile),
                name: row.name,
                example: format!(
                    "curl -H \"Authorization: Bearer {}\" \\\n  {}/api/v1/tokens",
                    created.secret.expose(),
                    state.config.public_url()
                ),
                secret: created.secret.expose().to_owned(),
                permissions: row.permissions,
                scopes: row.scopes,
                expires: datetime(&created.key.key.expires_at),
                docs_url: urls::API_DOCS,
            };
            render_with_status(StatusCode::OK, &page).map(no_store)
        }
        Err(ApiKeyError::Invalid(errors)) => {
            let page = keys_page(&req, &state, &session, &admin, form, errors).await?;
            render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn revoke(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: CurrentAdmin,
    public_id: web::Path<String>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let caller = admin.caller(&req);
    let key = api_keys::revoke(state.services(), &caller, admin.admin.id, &public_id).await?;
    session::flash(
        &session,
        FlashKind::Success,
        format!("The API key \u{201c}{}\u{201d} was revoked.", key.name),
    );
    Ok(see_other(urls::PROFILE_API_KEYS))
}
