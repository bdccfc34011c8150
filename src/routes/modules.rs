//! Settings > Modules.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use diesel::Connection;

use super::see_other;
use crate::auth::csrf::{CsrfForm, NoFields};
use crate::auth::session::{self, FlashKind};
use crate::auth::{Authorized, perm};
use crate::db::DbError;
use crate::db::audit::{self, Target};
use crate::db::catalog::{self, CatalogWriteError, ModuleWithPaths};
use crate::domain::audit::AuditAction;
use crate::domain::catalog::validate_module;
use crate::domain::validation::FieldErrors;
use crate::http::AppError;
use crate::state::AppState;
use crate::views::catalog::{ModuleEditPage, ModuleValues, ModulesPage};
use crate::views::errors::{ConfirmPage, Confirmation, Link};
use crate::views::{Layout, Section, render_with_status};

type Admin = Authorized<perm::SettingsManage>;

async fn page(
    req: &HttpRequest,
    state: &AppState,
    admin: &Admin,
    form: ModuleValues,
    errors: FieldErrors,
) -> Result<ModulesPage, AppError> {
    let modules = state
        .db
        .run(|c| catalog::list_modules(c).map_err(DbError::from))
        .await?;
    Ok(ModulesPage {
        layout: Layout::page(req, Some(admin), "Modules", Section::Modules),
        modules,
        form,
        errors,
    })
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
) -> Result<ModulesPage, AppError> {
    page(
        &req,
        &state,
        &admin,
        ModuleValues::default(),
        FieldErrors::default(),
    )
    .await
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    CsrfForm(form): CsrfForm<ModuleValues>,
) -> Result<HttpResponse, AppError> {
    let details = match validate_module(
        &form.key,
        &form.name,
        &form.description,
        &form.path_prefixes,
    ) {
        Ok(details) => details,
        Err(errors) => {
            let page = page(&req, &state, &admin, form, errors).await?;
            return render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let actor = admin.actor(&req);
    let saved = details.clone();
    let result = state
        .db
        .run(move |c| {
            c.transaction(|c| {
                catalog::create_module(c, &saved)?;
                let target = Target {
                    kind: crate::domain::audit::TargetKind::Module,
                    id: Some(&saved.key),
                    label: &saved.name,
                };
                audit::record(c, &actor, AuditAction::ModuleCreated, &target, "")?;
                Ok::<_, CatalogWriteError>(())
            })
        })
        .await;
    // Cached verifications list modules: they are prepared again.
    state.verifier.forget_everything();
    let mut errors = FieldErrors::default();
    match result {
        Ok(()) => {
            session::flash(
                &session,
                FlashKind::Success,
                format!("Added the module {}.", details.name),
            );
            return Ok(see_other("/settings/modules"));
        }
        Err(CatalogWriteError::ModuleKeyTaken) => {
            errors.add("key", "Another module already has this key.")
        }
        Err(CatalogWriteError::PathPrefixTaken(prefix)) => errors.add(
            "path_prefixes",
            format!("Another module already covers {prefix}."),
        ),
        Err(e) => return Err(AppError::internal(e)),
    }
    let page = page(&req, &state, &admin, form, errors).await?;
    render_with_status(StatusCode::CONFLICT, &page)
}

async fn find(state: &AppState, id: i64) -> Result<ModuleWithPaths, AppError> {
    state
        .db
        .run(move |c| catalog::find_module(c, id).map_err(DbError::from))
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn edit_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<i64>,
) -> Result<ModuleEditPage, AppError> {
    let found = find(&state, id.into_inner()).await?;
    Ok(ModuleEditPage {
        layout: Layout::page(
            &req,
            Some(&admin),
            format!("Edit {}", found.module.name),
            Section::Modules,
        ),
        id: found.module.id,
        form: ModuleValues {
            key: found.module.module_key.clone(),
            name: found.module.name,
            description: found.module.description,
            path_prefixes: found.path_prefixes.join("\n"),
        },
        key: found.module.module_key,
        errors: FieldErrors::default(),
    })
}

pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<ModuleValues>,
) -> Result<HttpResponse, AppError> {
    let found = find(&state, id.into_inner()).await?;
    let key = found.module.module_key.clone();
    let again = |form: ModuleValues, errors: FieldErrors, status: StatusCode| {
        let page = ModuleEditPage {
            layout: Layout::page(
                &req,
                Some(&admin),
                format!("Edit {}", found.module.name),
                Section::Modules,
            ),
            id: found.module.id,
            key: key.clone(),
            form,
            errors,
        };
        render_with_status(status, &page)
    };
    let details = match validate_module(&key, &form.name, &form.description, &form.path_prefixes) {
        Ok(details) => details,
        Err(errors) => return again(form, errors, StatusCode::UNPROCESSABLE_ENTITY),
    };
    let actor = admin.actor(&req);
    let module_id = found.module.id;
    let saved = details.clone();
    let changes = serde_json::json!({
        "name": [found.module.name, details.name],
        "path_prefixes": [found.path_prefixes, details.path_prefixes],
    })
    .to_string();
    let result = state
        .db
        .run(move |c| {
            c.transaction(|c| {
                catalog::update_module(c, module_id, &saved)?;
                let target = Target {
                    kind: crate::domain::audit::TargetKind::Module,
                    id: Some(&saved.key),
                    label: &saved.name,
                };
                audit::record(c, &actor, AuditAction::ModuleUpdated, &target, &changes)?;
                Ok::<_, CatalogWriteError>(())
            })
        })
        .await;
    // Cached verifications list modules: they are prepared again.
    state.verifier.forget_everything();
    match result {
        Ok(()) => {
            session::flash(
                &session,
                FlashKind::Success,
                format!("Saved the module {}.", details.name),
            );
            Ok(see_other("/settings/modules"))
        }
        Err(CatalogWriteError::PathPrefixTaken(prefix)) => {
            let mut errors = FieldErrors::default();
            errors.add(
                "path_prefixes",
                format!("Another module already covers {prefix}."),
            );
            again(form, errors, StatusCode::CONFLICT)
        }
        Err(CatalogWriteError::NotFound) => Err(AppError::NotFound),
        Err(e) => Err(AppError::internal(e)),
    }
}

pub async fn delete_confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<i64>,
) -> Result<ConfirmPage, AppError> {
    let found = find(&state, id.into_inner()).await?;
    let name = found.module.name;
    Ok(ConfirmPage {
        layout: Layout::page(
            &req,
            Some(&admin),
            format!("Delete {name}"),
            Section::Modules,
        ),
        back: Link {
            href: "/settings/modules".into(),
            label: "Modules".into(),
        },
        confirmation: Confirmation {
            title: format!("Delete the module {name}?"),
            body: "Its key and paths are removed. Tokens granted this module prevent the delete."
                .into(),
            button: "Delete module",
            danger: true,
            action: format!("/settings/modules/{}/delete", found.module.id),
            grace: false,
        },
        version: None,
    })
}

pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    id: web::Path<i64>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let found = find(&state, id.into_inner()).await?;
    let actor = admin.actor(&req);
    let (module_id, key, name) = (
        found.module.id,
        found.module.module_key.clone(),
        found.module.name.clone(),
    );
    let result = state
        .db
        .run(move |c| {
            c.transaction(|c| {
                catalog::delete_module(c, module_id)?;
                let target = Target {
                    kind: crate::domain::audit::TargetKind::Module,
                    id: Some(&key),
                    label: &name,
                };
                audit::record(c, &actor, AuditAction::ModuleDeleted, &target, "")?;
                Ok::<_, CatalogWriteError>(())
            })
        })
        .await;
    // Cached verifications list modules: they are prepared again.
    state.verifier.forget_everything();
    let name = found.module.name;
    match result {
        Ok(()) => session::flash(
            &session,
            FlashKind::Success,
            format!("Deleted the module {name}."),
        ),
        Err(CatalogWriteError::InUse(count)) => session::flash(
            &session,
            FlashKind::Error,
            format!(
                "{name} was not deleted: {count} token{} {} granted it. Edit or delete {} first.",
                if count == 1 { "" } else { "s" },
                if count == 1 { "is" } else { "are" },
                if count == 1 {
                    "that token"
                } else {
                    "those tokens"
                },
            ),
        ),
        Err(CatalogWriteError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(AppError::internal(e)),
    }
    Ok(see_other("/settings/modules"))
}
