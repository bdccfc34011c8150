//! `/settings/api-tokens/new`: the create form, and saving it, which shows the
//! new token once.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use diesel::Connection;

use super::{FormParts, TokenForm, choices, endpoint, form_page, target, values_from};
use crate::auth::csrf::CsrfForm;
use crate::auth::{Authorized, perm};
use crate::db::audit;
use crate::db::now;
use crate::db::tokens::{self, NewToken, TokenWriteError};
use crate::domain::audit::AuditAction;
use crate::domain::tokens::{FormContext, SecretToken, TokenType, validate};
use crate::domain::validation::FieldErrors;
use crate::http::AppError;
use crate::http::headers::no_store;
use crate::state::AppState;
use crate::views::render_with_status;
use crate::views::tokens::{FormMode, TokenFormValues, TokenRevealPage, examples};
use crate::views::{Layout, Section};

type Creator = Authorized<perm::TokensCreate>;

fn new_guid() -> String {
    uuid::Uuid::new_v4().hyphenated().to_string()
}

pub async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Creator,
) -> Result<HttpResponse, AppError> {
    let (scopes, modules) = choices(&state, &admin).await?;
    let values = TokenFormValues {
        guid: new_guid(),
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
    let (scopes, modules) = choices(&state, &admin).await?;
    let again = |values: TokenFormValues, errors: FieldErrors, status: StatusCode| {
        let page = form_page(
            &req,
            &admin,
            FormParts {
                mode: FormMode::Create,
                values,
                errors,
                conflict: None,
                scopes: scopes.clone(),
                modules: modules.clone(),
            },
        );
        render_with_status(status, &page)
    };
    if form.intent == "new_guid" {
        let values = TokenFormValues {
            guid: new_guid(),
            ..values_from(&form)
        };
        return again(values, FieldErrors::default(), StatusCode::OK);
    }

    let scope_ids: Vec<i64> = scopes.iter().map(|s| s.id).collect();
    let module_ids: Vec<i64> = modules.iter().map(|m| m.module.id).collect();
    let context = FormContext {
        now: now(),
        module_ids: &module_ids,
        scope_ids: &scope_ids,
        current: None,
    };
    let definition = match validate(&form.input(), &context) {
        Ok(definition) => definition,
        Err(errors) => return again(values_from(&form), errors, StatusCode::UNPROCESSABLE_ENTITY),
    };

    let secret = SecretToken::generate();
    let stored = secret.to_store(&definition.guid, state.config.encryption_key.as_ref());
    let actor = admin.actor(&req);
    let admin_id = admin.admin.admin.id;
    let saved = definition.clone();
    let created = state
        .db
        .run(move |c| {
            c.transaction(|c| {
                let token = tokens::create(
                    c,
                    &NewToken {
                        definition: &saved,
                        secret: &stored,
                        created_by: Some(admin_id),
                    },
                )?;
                let summary = serde_json::json!({
                    "type": saved.token_type.key(),
                    "scope_ids": saved.scope_ids,
                    "valid_from": crate::domain::timestamps::iso(&saved.validity.valid_from),
                    "valid_to": saved.validity.valid_to.as_ref().map(crate::domain::timestamps::iso),
                })
                .to_string();
                audit::record(
                    c,
                    &actor,
                    AuditAction::TokenCreated.key(),
                    &target(&token.guid, &token.name),
                    &summary,
                )?;
                Ok::<_, TokenWriteError>(token)
            })
        })
        .await;
    let token = match created {
        Ok(token) => token,
        Err(TokenWriteError::NameTaken) => {
            let mut errors = FieldErrors::default();
            errors.add(
                "name",
                "Another token already has this name. Choose another.",
            );
            return again(values_from(&form), errors, StatusCode::CONFLICT);
        }
        Err(TokenWriteError::GuidTaken) => {
            // Also what a reload of the one-time page re-sends: no second token.
            let mut errors = FieldErrors::default();
            errors.add(
                "guid",
                "A token with this GUID exists already; a new GUID was generated.",
            );
            let values = TokenFormValues {
                guid: new_guid(),
                ..values_from(&form)
            };
            return again(values, errors, StatusCode::CONFLICT);
        }
        Err(TokenWriteError::UnknownReference) => {
            let mut errors = FieldErrors::default();
            errors.add(
                "scopes",
                "A chosen scope or module was just deleted. Choose again.",
            );
            return again(values_from(&form), errors, StatusCode::CONFLICT);
        }
        Err(e) => return Err(AppError::internal(e)),
    };
    reveal(
        &req,
        &state,
        &admin,
        "Token created",
        &token.name,
        &token.guid,
        &secret,
        None,
    )
}

/// The one page that shows a secret. It is the answer to the POST itself: nothing
/// to reload with GET, nothing in a URL, and `no-store` keeps it out of caches.
#[allow(clippy::too_many_arguments)]
pub fn reveal(
    req: &HttpRequest,
    state: &AppState,
    admin: &crate::auth::CurrentAdmin,
    heading: &'static str,
    name: &str,
    guid: &str,
    secret: &SecretToken,
    previous_until: Option<String>,
) -> Result<HttpResponse, AppError> {
    let endpoint = endpoint(state);
    let page = TokenRevealPage {
        layout: Layout::page(req, Some(admin), "Copy your API token", Section::ApiTokens),
        heading,
        name: name.to_owned(),
        guid: guid.to_owned(),
        secret: secret.expose().to_owned(),
        examples: examples(&endpoint, secret.expose()),
        endpoint,
        previous_until,
        kept: state.config.encryption_key.is_some(),
    };
    render_with_status(StatusCode::OK, &page).map(no_store)
}
