//! `/settings/api-tokens/new`: the create form, and saving it, which shows the
//! new token once.

use crate::domain::scopes::policy::field_errors;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{FormParts, TokenForm, choices, endpoint, form_page, load, values_from};
use crate::auth::csrf::CsrfForm;
use crate::auth::{Authorized, perm};
use crate::db::now;
use crate::domain::ids::Guid;
use crate::domain::tokens::{SecretToken, TokenType};
use crate::domain::validation::FieldErrors;
use crate::http::AppError;
use crate::http::headers::no_store;
use crate::services::tokens::{self, TokenError};
use crate::state::AppState;
use crate::views::format::{datetime, optional_datetime};
use crate::views::render_with_status;
use crate::views::tokens::{FormMode, RevealSummary, TokenFormValues, TokenRevealPage, examples};
use crate::views::{Layout, Section};

type Creator = Authorized<perm::TokensCreate>;

pub async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Creator,
) -> Result<HttpResponse, AppError> {
    let (scopes, modules, policies) = choices(&state, &admin).await?;
    let values = TokenFormValues {
        guid: Guid::generate().to_string(),
        // One scope to choose from: it is the choice.
        scopes: if scopes.len() == 1 {
            vec![scopes[0].id]
        } else {
            Vec::new()
        },
        duration: "30d".into(),
        token_type: TokenType::ReadOnly.key().into(),
        ..TokenFormValues::default()
    };
    let page = form_page(
        &req,
        &admin,
        FormParts {
            mode: FormMode::Create,
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
    admin: Creator,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> Result<HttpResponse, AppError> {
    let (values, errors, status) = if form.intent == "new_guid" {
        let values = TokenFormValues {
            guid: Guid::generate().to_string(),
            ..values_from(&form)
        };
        (values, FieldErrors::default(), StatusCode::OK)
    } else {
        match tokens::create(state.services(), &admin.caller(&req), form.input()).await {
            Ok(created) => {
                return reveal(
                    &req,
                    &state,
                    &admin,
                    "Token created",
                    &created.token.token.guid,
                    &created.secret,
                    None,
                )
                .await;
            }
            Err(error) => refused(&form, error)?,
        }
    };
    let (scopes, modules, policies) = choices(&state, &admin).await?;
    let page = form_page(
        &req,
        &admin,
        FormParts {
            mode: FormMode::Create,
            values,
            errors,
            conflict: None,
            scopes,
            modules,
            policies,
        },
    );
    render_with_status(status, &page)
}

/// The form again, with what was typed and why it was not saved.
fn refused(
    form: &TokenForm,
    error: TokenError,
) -> Result<(TokenFormValues, FieldErrors, StatusCode), AppError> {
    let mut errors = FieldErrors::default();
    let mut values = values_from(form);
    let status = match error {
        TokenError::Invalid(invalid) => {
            errors = invalid;
            StatusCode::UNPROCESSABLE_ENTITY
        }
        TokenError::Policy(breaches) => {
            errors = field_errors(&breaches);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        TokenError::NameTaken => {
            errors.add("name", error.to_string());
            StatusCode::CONFLICT
        }
        TokenError::GuidTaken => {
            // Also what a reload of the one-time page re-sends: no second token.
            errors.add(
                "guid",
                "A token with this GUID exists already; a new GUID was generated.",
            );
            values.guid = Guid::generate().to_string();
            StatusCode::CONFLICT
        }
        TokenError::UnknownReference => {
            errors.add("scopes", error.to_string());
            StatusCode::CONFLICT
        }
        other => return Err(other.into()),
    };
    Ok((values, errors, status))
}

/// The one page that shows a secret. It is the answer to the POST itself: nothing
/// to reload with GET, nothing in a URL, and `no-store` keeps it out of caches.
pub async fn reveal(
    req: &HttpRequest,
    state: &AppState,
    admin: &crate::auth::CurrentAdmin,
    heading: &'static str,
    guid: &Guid,
    secret: &SecretToken,
    previous_until: Option<String>,
) -> Result<HttpResponse, AppError> {
    let endpoint = endpoint(state);
    let details = load(state, admin, guid.clone()).await?;
    let summary = RevealSummary {
        scopes: details
            .scopes
            .iter()
            .map(|(_, name)| name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        kind: details.token.token_type.label(),
        expires: optional_datetime(&details.token.valid_to, "Never"),
        starts: Some(details.token.valid_from)
            .filter(|from| *from > now())
            .map(|from| datetime(&from)),
    };
    let name = details.token.name;
    let page = TokenRevealPage {
        layout: Layout::page(req, Some(admin), "Copy your API token", Section::ApiTokens),
        heading,
        name,
        guid: guid.clone(),
        secret: secret.expose().to_owned(),
        examples: examples(&endpoint, secret.expose()),
        endpoint,
        previous_until,
        kept: state.config.encryption_key.is_some(),
        summary,
    };
    render_with_status(StatusCode::OK, &page).map(no_store)
}
