//! `/settings/api-tokens/{guid}/edit`: change name, description, scopes, type,
//! permissions and dates. Saves only over the version that was edited.

use crate::domain::scopes::policy::field_errors;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{FormParts, TokenForm, choices, form_page, load, load_to_change, values_from, window};
use crate::auth::csrf::CsrfForm;
use crate::auth::session::{self, FlashKind};
use crate::auth::{Authorized, CurrentAdmin, perm};
use crate::db::now;
use crate::db::tokens::TokenDetails;
use crate::domain::ids::Guid;
use crate::domain::tokens::{DurationChoice, TokenChange, format_date};
use crate::domain::validation::FieldErrors;
use crate::http::AppError;
use crate::routes::{parse_version, see_other};
use crate::services::tokens::{self, Edited, TokenError};
use crate::state::AppState;
use crate::urls;
use crate::views::render_with_status;
use crate::views::tokens::{FormMode, TokenFormValues};

type Editor = Authorized<perm::TokensUpdate>;

fn values_of(token: &TokenDetails) -> TokenFormValues {
    let t = &token.token;
    let now = now();
    TokenFormValues {
        name: t.name.clone(),
        description: t.description.clone(),
        guid: t.guid.to_string(),
        scopes: token.scopes.iter().map(|(id, _)| *id).collect(),
        duration: "keep".into(),
        // A start in the past cannot be picked again; leaving it empty keeps it.
        valid_from: if t.valid_from > now {
            format_date(t.valid_from.date())
        } else {
            String::new()
        },
        valid_to: t
            .valid_to
            .map(|to| format_date(to.date()))
            .unwrap_or_default(),
        token_type: t.token_type.key().to_owned(),
        permissions: token.permissions.clone(),
        allowed_networks: token.allowed_networks.join("\n"),
        can_introspect: t.can_introspect(),
        identity: token
            .identity
            .as_ref()
            .map(|i| i.external_id.clone())
            .unwrap_or_default(),
    }
}

fn mode(token: &TokenDetails) -> FormMode {
    FormMode::Edit {
        guid: token.token.guid.clone(),
        version: token.token.version,
        current_window: window(&token.token.validity()),
    }
}

async fn editable(
    req: &HttpRequest,
    state: &AppState,
    admin: &CurrentAdmin,
    guid: Guid,
) -> Result<TokenDetails, AppError> {
    let token = load_to_change(req, state, admin, guid).await?;
    TokenChange::Edit
        .allowed_from(token.token.status(now()))
        .map_err(|refusal| AppError::Conflict(refusal.into()))?;
    Ok(token)
}

/// `?duration=90d` (the expiry email's Renew link) chooses a new validity.
#[derive(serde::Deserialize)]
pub struct Renewal {
    #[serde(default)]
    duration: String,
}

pub async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Editor,
    guid: web::Path<Guid>,
    renewal: web::Query<Renewal>,
) -> Result<HttpResponse, AppError> {
    let token = editable(&req, &state, &admin, guid.into_inner()).await?;
    let (scopes, modules, policies) = choices(&state, &admin).await?;
    let mut values = values_of(&token);
    if DurationChoice::from_key(&renewal.duration)
        .is_some_and(|d| !matches!(d, DurationChoice::Keep | DurationChoice::Custom))
    {
        values.duration = renewal.duration.clone();
    }
    let page = form_page(
        &req,
        &admin,
        FormParts {
            mode: mode(&token),
            values,
            errors: FieldErrors::default(),
            conflict: None,
            scopes,
            modules,
            policies,
        },
    );
    render_with_status(StatusCode::OK, &page)
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: actix_session::Session,
    admin: Editor,
    guid: web::Path<Guid>,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> Result<HttpResponse, AppError> {
    let token = editable(&req, &state, &admin, guid.into_inner()).await?;
    let version = parse_version(&form.version)?;
    let saved = tokens::update(
        state.services(),
        &admin.caller(&req),
        &token.token.guid,
        version,
        form.input(),
    )
    .await;
    let (shown, errors, conflict, status) = match saved {
        Ok(edited) => {
            let (kind, message) = match &edited {
                Edited::Saved(d) => (
                    FlashKind::Success,
                    format!("Saved the changes to {}.", d.name),
                ),
                Edited::Unchanged(d) => (
                    FlashKind::Info,
                    format!("Nothing was changed, so {} stays as it was.", d.name),
                ),
            };
            session::flash(&session, kind, message);
            return Ok(see_other(&urls::token(&token.token.guid)));
        }
        Err(TokenError::Invalid(errors)) => (token, errors, None, StatusCode::UNPROCESSABLE_ENTITY),
        Err(TokenError::Policy(breaches)) => (
            token,
            field_errors(&breaches),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(TokenError::Conflict) => {
            // Show what is saved now, keep what was typed, and let a second save
            // (knowingly) replace it.
            let current = load(&state, &admin, token.token.guid.clone()).await?;
            let message = format!(
                "Someone else saved changes to this token while you were editing (it is now named \u{201c}{}\u{201d}, {}). \
                 Nothing was overwritten. Your changes are still below: review them and save again to replace theirs.",
                current.token.name,
                window(&current.token.validity()),
            );
            (
                current,
                FieldErrors::default(),
                Some(message),
                StatusCode::CONFLICT,
            )
        }
        Err(error @ TokenError::NameTaken) => {
            let mut errors = FieldErrors::default();
            errors.add("name", error.to_string());
            (token, errors, None, StatusCode::CONFLICT)
        }
        Err(error @ TokenError::UnknownReference) => {
            let mut errors = FieldErrors::default();
            errors.add("scopes", error.to_string());
            (token, errors, None, StatusCode::CONFLICT)
        }
        Err(error) => return Err(error.into()),
    };
    let (scopes, modules, policies) = choices(&state, &admin).await?;
    let mut values = values_from(&form);
    values.guid = shown.token.guid.to_string();
    let page = form_page(
        &req,
        &admin,
        FormParts {
            mode: mode(&shown),
            values,
            errors,
            conflict,
            scopes,
            modules,
            policies,
        },
    );
    render_with_status(status, &page)
}
