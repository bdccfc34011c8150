//! `/settings/api-tokens/{guid}/edit`: change name, description, scopes, type,
//! permissions and dates. Saves only over the version that was edited.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use diesel::Connection;

use super::{
    FormParts, TokenForm, choices, form_page, load, load_to_change, target, values_from, window,
};
use crate::auth::csrf::CsrfForm;
use crate::auth::session::{self, FlashKind};
use crate::auth::{Authorized, CurrentAdmin, perm};
use crate::db::audit;
use crate::db::now;
use crate::db::tokens::{self, TokenDetails, TokenWriteError};
use crate::domain::audit::AuditAction;
use crate::domain::tokens::{FormContext, TokenDefinition, format_date, validate};
use crate::domain::validation::FieldErrors;
use crate::http::AppError;
use crate::routes::{parse_version, see_other};
use crate::state::AppState;
use crate::views::render_with_status;
use crate::views::tokens::{FormMode, TokenFormValues};

type Editor = Authorized<perm::TokensUpdate>;

fn values_of(token: &TokenDetails) -> TokenFormValues {
    let t = &token.token;
    let now = now();
    TokenFormValues {
        name: t.name.clone(),
        description: t.description.clone(),
        guid: t.guid.clone(),
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
        token_type: t.token_type.clone(),
        permissions: token.permissions.clone(),
        allowed_networks: token.allowed_networks.join("\n"),
        can_introspect: t.can_introspect(),
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
    state: &AppState,
    admin: &CurrentAdmin,
    guid: String,
) -> Result<TokenDetails, AppError> {
    let token = load_to_change(state, admin, guid).await?;
    if token.token.status(now()).is_final() {
        return Err(AppError::Conflict(
            "Revoked and deleted tokens cannot be edited.".into(),
        ));
    }
    Ok(token)
}

pub async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Editor,
    guid: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = editable(&state, &admin, guid.into_inner()).await?;
    let (scopes, modules) = choices(&state, &admin).await?;
    let page = form_page(
        &req,
        &admin,
        FormParts {
            mode: mode(&token),
            values: values_of(&token),
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
    session: actix_session::Session,
    admin: Editor,
    guid: web::Path<String>,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> Result<HttpResponse, AppError> {
    let token = editable(&state, &admin, guid.into_inner()).await?;
    let version = parse_version(&form.version)?;
    let (scopes, modules) = choices(&state, &admin).await?;
    let again = |token: &TokenDetails,
                 errors: FieldErrors,
                 conflict: Option<String>,
                 status: StatusCode| {
        let mut values = values_from(&form);
        values.guid = token.token.guid.clone();
        let page = form_page(
            &req,
            &admin,
            FormParts {
                mode: mode(token),
                values,
                errors,
                conflict,
                scopes: scopes.clone(),
                modules: modules.clone(),
            },
        );
        render_with_status(status, &page)
    };

    let assignable: Vec<i64> = scopes.iter().map(|s| s.id).collect();
    let module_ids: Vec<i64> = modules.iter().map(|m| m.module.id).collect();
    let mut input = form.input();
    input.guid = token.token.guid.clone();
    let context = FormContext {
        now: now(),
        module_ids: &module_ids,
        scope_ids: &assignable,
        current: Some(token.token.validity()),
    };
    let definition = match validate(&input, &context) {
        Ok(definition) => definition,
        Err(errors) => return again(&token, errors, None, StatusCode::UNPROCESSABLE_ENTITY),
    };
    // Every scope of the token is the editor's (`load_to_change`), so the scopes
    // ticked are the whole new set.
    let scope_ids = definition.scope_ids.clone();

    let actor = admin.actor(&req);
    let changes = describe_changes(&token, &definition, &scope_ids);
    let (id, guid, name) = (
        token.token.id,
        token.token.guid.clone(),
        definition.name.clone(),
    );
    let saved = definition.clone();
    let result = state
        .db
        .run(move |c| {
            c.transaction(|c| {
                tokens::update(c, id, version, &saved, &scope_ids)?;
                audit::record(
                    c,
                    &actor,
                    AuditAction::TokenUpdated.key(),
                    &target(&guid, &name),
                    &changes,
                )?;
                Ok::<_, TokenWriteError>(())
            })
        })
        .await;
    // The next verification on this instance sees the change.
    state.verifier.token_changed(&token.token.guid);
    match result {
        Ok(()) => {
            session::flash(
                &session,
                FlashKind::Success,
                format!("Saved the changes to {}.", definition.name),
            );
            Ok(see_other(&format!(
                "/settings/api-tokens/{}",
                token.token.guid
            )))
        }
        Err(TokenWriteError::Conflict) => {
            // Show what is saved now, keep what was typed, and let a second save
            // (knowingly) replace it.
            let current = load(&state, &admin, token.token.guid.clone()).await?;
            let message = format!(
                "Someone else saved changes to this token while you were editing (it is now named \u{201c}{}\u{201d}, {}). \
                 Nothing was overwritten. Your changes are still below: review them and save again to replace theirs.",
                current.token.name,
                window(&current.token.validity()),
            );
            again(
                &current,
                FieldErrors::default(),
                Some(message),
                StatusCode::CONFLICT,
            )
        }
        Err(TokenWriteError::NameTaken) => {
            let mut errors = FieldErrors::default();
            errors.add(
                "name",
                "Another token already has this name. Choose another.",
            );
            again(&token, errors, None, StatusCode::CONFLICT)
        }
        Err(TokenWriteError::NotAllowed(message)) => Err(AppError::Conflict(message.into())),
        Err(TokenWriteError::NotFound) => Err(AppError::NotFound),
        Err(TokenWriteError::UnknownReference) => {
            let mut errors = FieldErrors::default();
            errors.add(
                "scopes",
                "A chosen scope or module was just deleted. Choose again.",
            );
            again(&token, errors, None, StatusCode::CONFLICT)
        }
        Err(e) => Err(AppError::internal(e)),
    }
}

/// The audit entry of an edit: each changed field, before and after.
fn describe_changes(before: &TokenDetails, after: &TokenDefinition, scope_ids: &[i64]) -> String {
    let t = &before.token;
    let mut changes = serde_json::Map::new();
    let mut note = |field: &str, old: serde_json::Value, new: serde_json::Value| {
        if old != new {
            changes.insert(field.to_owned(), serde_json::json!([old, new]));
        }
    };
    note("name", t.name.clone().into(), after.name.clone().into());
    note(
        "description",
        t.description.clone().into(),
        after.description.clone().into(),
    );
    note(
        "type",
        t.token_type.clone().into(),
        after.token_type.key().into(),
    );
    let iso = |v: &time::PrimitiveDateTime| crate::domain::timestamps::iso(v);
    note(
        "valid_from",
        iso(&t.valid_from).into(),
        iso(&after.validity.valid_from).into(),
    );
    note(
        "valid_to",
        t.valid_to.as_ref().map(iso).into(),
        after.validity.valid_to.as_ref().map(iso).into(),
    );
    let mut old_scopes: Vec<i64> = before.scopes.iter().map(|(id, _)| *id).collect();
    old_scopes.sort_unstable();
    note("scope_ids", old_scopes.into(), scope_ids.to_vec().into());
    let grants = |g: &[(i64, crate::domain::tokens::Action)]| {
        let mut list: Vec<String> = g.iter().map(|(m, a)| format!("{m}:{}", a.key())).collect();
        list.sort();
        serde_json::Value::from(list)
    };
    note(
        "permissions",
        grants(&before.permissions),
        grants(&after.permissions),
    );
    serde_json::Value::Object(changes).to_string()
}
