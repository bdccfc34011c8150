//! Settings > Modules.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use diesel::Connection;

use super::see_other;
use crate::auth::csrf::CsrfForm;
use crate::auth::session::{self, FlashKind};
use crate::auth::{Authorized, perm};
use crate::db::DbError;
use crate::db::audit::{self, Target};
use crate::db::catalog::{self, CatalogWriteError};
use crate::domain::audit::AuditAction;
use crate::domain::catalog::validate_module;
use crate::domain::validation::FieldErrors;
use crate::http::AppError;
use crate::startup::AppState;
use crate::views::catalog::{ModuleValues, ModulesPage};
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
                    kind: "module",
                    id: Some(&saved.key),
                    label: &saved.name,
                };
                audit::record(c, &actor, AuditAction::ModuleCreated.key(), &target, "")?;
                Ok::<_, CatalogWriteError>(())
            })
        })
        .await;
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
