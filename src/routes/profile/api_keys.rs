//! `/profile/api-keys`: the signed-in administrator's keys for the management API —
//! the list, creating one (shown once), and revoking one.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{ProfileTab, tabs};
use crate::auth::CurrentAdmin;
use crate::auth::csrf::{CsrfForm, NoFields};
use crate::auth::session::{self, FlashKind};
use crate::db::{DbError, catalog, now};
use crate::domain::api_keys::{ApiKeyInput, DEFAULT_LIFETIME_DAYS, LIFETIME_CHOICES, grantable};
use crate::domain::validation::FieldErrors;
use crate::http::AppError;
use crate::http::headers::no_store;
use crate::routes::see_other;
use crate::services::api_keys::{self, ApiKeyError, scope_choices};
use crate::state::AppState;
use crate::urls;
use crate::views::api_keys::{ApiKeyCreatedPage, ApiKeyFormValues, ApiKeyRowView, ApiKeysPage};
use crate::views::format::datetime;
use crate::views::{Layout, Section, render_with_status};

#[derive(Deserialize)]
pub struct ApiKeyForm {
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
}

pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
) -> Result<HttpResponse, AppError> {
    let form = ApiKeyFormValues {
        expires_in_days: DEFAULT_LIFETIME_DAYS.to_string(),
        scope_limit: "all".into(),
        ..ApiKeyFormValues::default()
    };
    let page = keys_page(&req, &state, &admin, form, FieldErrors::default()).await?;
    render_with_status(StatusCode::OK, &page)
}

async fn keys_page(
    req: &HttpRequest,
    state: &AppState,
    admin: &CurrentAdmin,
    form: ApiKeyFormValues,
    errors: FieldErrors,
) -> Result<ApiKeysPage, AppError> {
    let owner = admin.admin.id;
    let keys = api_keys::list(state.services(), owner).await?;
    let access = (**admin).clone();
    let scopes = state
        .db
        .run(move |c| {
            let choices = scope_choices(c, &access)?;
            Ok::<_, DbError>(
                catalog::list_scopes(c)?
                    .into_iter()
                    .filter(|s| choices.contains(&s.id))
                    .map(|s| (s.id, s.name))
                    .collect::<Vec<_>>(),
            )
        })
        .await?;
    let now = now();
    Ok(ApiKeysPage {
        layout: Layout::page(req, Some(admin), "API keys", Section::Profile),
        profile_tabs: tabs(ProfileTab::ApiKeys),
        keys: keys.iter().map(|k| ApiKeyRowView::of(k, &now)).collect(),
        form,
        errors,
        permissions: grantable(admin.permissions).iter().collect(),
        scopes,
        lifetimes: &LIFETIME_CHOICES,
        docs_url: urls::OPENAPI_DOCUMENT,
    })
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    CsrfForm(form): CsrfForm<ApiKeyForm>,
) -> Result<HttpResponse, AppError> {
    let input = ApiKeyInput {
        name: form.name.clone(),
        expires_in_days: form.expires_in_days.clone(),
        permissions: form.permissions.clone(),
        scope_limit: form.scope_limit.clone(),
        scopes: form.scopes.clone(),
    };
    let caller = admin.caller(&req);
    match api_keys::create(state.services(), &caller, admin.admin.id, input).await {
        Ok(created) => {
            let summary = api_keys::list(state.services(), admin.admin.id)
                .await?
                .into_iter()
                .find(|k| k.key.id == created.key.id);
            let row = summary.map(|s| ApiKeyRowView::of(&s, &now()));
            let page = ApiKeyCreatedPage {
                layout: Layout::page(&req, Some(&admin), "Copy your API key", Section::Profile),
                name: created.key.name.clone(),
                example: format!(
                    "curl -H \"Authorization: Bearer {}\" \\\n  {}/api/v1/tokens",
                    created.secret.expose(),
                    state.config.public_url()
                ),
                secret: created.secret.expose().to_owned(),
                permissions: row
                    .as_ref()
                    .map(|r| r.permissions.clone())
                    .unwrap_or_default(),
                scopes: row.map(|r| r.scopes).unwrap_or_default(),
                expires: datetime(&created.key.expires_at),
                docs_url: urls::OPENAPI_DOCUMENT,
            };
            render_with_status(StatusCode::OK, &page).map(no_store)
        }
        Err(ApiKeyError::Invalid(errors)) => {
            let values = ApiKeyFormValues {
                name: form.name,
                expires_in_days: form.expires_in_days,
                permissions: form.permissions,
                scope_limit: form.scope_limit,
                scopes: form.scopes,
            };
            let page = keys_page(&req, &state, &admin, values, errors).await?;
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
