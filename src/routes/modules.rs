//! Settings > Modules.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};

use super::catalog_outcome::{finish_delete, refused};
use super::see_other;
use crate::auth::csrf::{CsrfForm, NoFields};
use crate::auth::session::{self, FlashKind};
use crate::auth::{Authorized, perm};
use crate::db::DbError;
use crate::db::catalog::{self as stored, ModuleWithPaths};
use crate::domain::validation::FieldErrors;
use crate::http::AppError;
use crate::services::catalog::{self, ModuleInput};
use crate::state::AppState;
use crate::urls;
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
        .run(|c| stored::list_modules(c).map_err(DbError::from))
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
    let created = catalog::create_module(state.services(), &admin.caller(&req), input(&form)).await;
    let (errors, status) = match created {
        Ok(module) => {
            let message = format!("Added the module {}.", module.name);
            session::flash(&session, FlashKind::Success, message);
            return Ok(see_other(urls::MODULES));
        }
        Err(error) => refused(error)?,
    };
    let page = page(&req, &state, &admin, form, errors).await?;
    render_with_status(status, &page)
}

fn input(form: &ModuleValues) -> ModuleInput {
    ModuleInput {
        key: form.key.clone(),
        name: form.name.clone(),
        description: form.description.clone(),
        path_prefixes: form.path_prefixes.clone(),
    }
}

async fn find(state: &AppState, id: i64) -> Result<ModuleWithPaths, AppError> {
    state
        .db
        .run(move |c| stored::find_module(c, id).map_err(DbError::from))
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
    let (services, caller) = (state.services(), admin.caller(&req));
    let saved = catalog::update_module(services, &caller, found.module.id, input(&form)).await;
    let (errors, status) = match saved {
        Ok(module) => {
            let message = format!("Saved the module {}.", module.name);
            session::flash(&session, FlashKind::Success, message);
            return Ok(see_other(urls::MODULES));
        }
        Err(error) => refused(error)?,
    };
    let page = ModuleEditPage {
        layout: Layout::page(
            &req,
            Some(&admin),
            format!("Edit {}", found.module.name),
            Section::Modules,
        ),
        id: found.module.id,
        key: found.module.module_key,
        form,
        errors,
    };
    render_with_status(status, &page)
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
            href: urls::MODULES.into(),
            label: "Modules".into(),
        },
        confirmation: Confirmation {
            title: format!("Delete the module {name}?"),
            body: "Its key and paths are removed. Tokens granted this module prevent the delete."
                .into(),
            button: "Delete module",
            danger: true,
            action: urls::module_delete(found.module.id),
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
    let deleted = catalog::delete_module(state.services(), &admin.caller(&req), *id).await;
    finish_delete(&session, deleted, "module", urls::MODULES)
}
