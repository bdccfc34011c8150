//! Settings > Scopes.

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
use crate::db::catalog::{self, CatalogWriteError, Scope};
use crate::domain::audit::AuditAction;
use crate::domain::catalog::validate_scope;
use crate::domain::validation::FieldErrors;
use crate::http::AppError;
use crate::state::AppState;
use crate::views::catalog::{ScopeEditPage, ScopeRow, ScopeValues, ScopesPage};
use crate::views::errors::{ConfirmPage, Confirmation, Link};
use crate::views::format::datetime;
use crate::views::{Layout, Section, render_with_status};

type Admin = Authorized<perm::SettingsManage>;

async fn page(
    req: &HttpRequest,
    state: &AppState,
    admin: &Admin,
    form: ScopeValues,
    errors: FieldErrors,
) -> Result<ScopesPage, AppError> {
    let scopes = state
        .db
        .run(|c| catalog::list_scopes(c).map_err(DbError::from))
        .await?;
    Ok(ScopesPage {
        layout: Layout::page(req, Some(admin), "Scopes", Section::Scopes),
        scopes: scopes
            .into_iter()
            .map(|s| ScopeRow {
                id: s.id,
                created: datetime(&s.created_at),
                name: s.name,
                description: s.description,
            })
            .collect(),
        form,
        errors,
    })
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
) -> Result<ScopesPage, AppError> {
    page(
        &req,
        &state,
        &admin,
        ScopeValues::default(),
        FieldErrors::default(),
    )
    .await
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    CsrfForm(form): CsrfForm<ScopeValues>,
) -> Result<HttpResponse, AppError> {
    let details = match validate_scope(&form.name, &form.description) {
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
                catalog::create_scope(c, &saved)?;
                let target = Target {
                    kind: crate::domain::audit::TargetKind::Scope,
                    id: None,
                    label: &saved.name,
                };
                audit::record(c, &actor, AuditAction::ScopeCreated, &target, "")?;
                Ok::<_, CatalogWriteError>(())
            })
        })
        .await;
    match result {
        Ok(()) => {
            session::flash(
                &session,
                FlashKind::Success,
                format!("Added the scope {}.", details.name),
            );
            Ok(see_other("/settings/scopes"))
        }
        Err(CatalogWriteError::ScopeNameTaken) => {
            let mut errors = FieldErrors::default();
            errors.add("name", "Another scope already has this name.");
            let page = page(&req, &state, &admin, form, errors).await?;
            render_with_status(StatusCode::CONFLICT, &page)
        }
        Err(e) => Err(AppError::internal(e)),
    }
}

async fn find(state: &AppState, id: i64) -> Result<Scope, AppError> {
    state
        .db
        .run(move |c| catalog::find_scope(c, id).map_err(DbError::from))
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn edit_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<i64>,
) -> Result<ScopeEditPage, AppError> {
    let scope = find(&state, id.into_inner()).await?;
    Ok(ScopeEditPage {
        layout: Layout::page(
            &req,
            Some(&admin),
            format!("Rename {}", scope.name),
            Section::Scopes,
        ),
        id: scope.id,
        form: ScopeValues {
            name: scope.name,
            description: scope.description,
        },
        errors: FieldErrors::default(),
    })
}

pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<ScopeValues>,
) -> Result<HttpResponse, AppError> {
    let scope = find(&state, id.into_inner()).await?;
    let again = |form: ScopeValues, errors: FieldErrors, status: StatusCode| {
        let page = ScopeEditPage {
            layout: Layout::page(
                &req,
                Some(&admin),
                format!("Rename {}", scope.name),
                Section::Scopes,
            ),
            id: scope.id,
            form,
            errors,
        };
        render_with_status(status, &page)
    };
    let details = match validate_scope(&form.name, &form.description) {
        Ok(details) => details,
        Err(errors) => return again(form, errors, StatusCode::UNPROCESSABLE_ENTITY),
    };
    let actor = admin.actor(&req);
    let saved = details.clone();
    let scope_id = scope.id;
    let changes = serde_json::json!({ "name": [scope.name, details.name] }).to_string();
    let result = state
        .db
        .run(move |c| {
            c.transaction(|c| {
                catalog::update_scope(c, scope_id, &saved)?;
                let target = Target {
                    kind: crate::domain::audit::TargetKind::Scope,
                    id: None,
                    label: &saved.name,
                };
                audit::record(c, &actor, AuditAction::ScopeUpdated, &target, &changes)?;
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
                format!("Saved the scope {}.", details.name),
            );
            Ok(see_other("/settings/scopes"))
        }
        Err(CatalogWriteError::ScopeNameTaken) => {
            let mut errors = FieldErrors::default();
            errors.add("name", "Another scope already has this name.");
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
    let scope = find(&state, id.into_inner()).await?;
    Ok(ConfirmPage {
        layout: Layout::page(
            &req,
            Some(&admin),
            format!("Delete {}", scope.name),
            Section::Scopes,
        ),
        back: Link {
            href: "/settings/scopes".into(),
            label: "Scopes".into(),
        },
        confirmation: Confirmation {
            title: format!("Delete the scope {}?", scope.name),
            body: "Administrators assigned to it lose it. Tokens in this scope prevent the delete."
                .into(),
            button: "Delete scope",
            danger: true,
            action: format!("/settings/scopes/{}/delete", scope.id),
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
    let scope = find(&state, id.into_inner()).await?;
    let actor = admin.actor(&req);
    let (scope_id, name) = (scope.id, scope.name.clone());
    let result = state
        .db
        .run(move |c| {
            c.transaction(|c| {
                catalog::delete_scope(c, scope_id)?;
                let target = Target {
                    kind: crate::domain::audit::TargetKind::Scope,
                    id: None,
                    label: &name,
                };
                audit::record(c, &actor, AuditAction::ScopeDeleted, &target, "")?;
                Ok::<_, CatalogWriteError>(())
            })
        })
        .await;
    // Cached verifications list modules: they are prepared again.
    state.verifier.forget_everything();
    let name = scope.name;
    match result {
        Ok(()) => session::flash(
            &session,
            FlashKind::Success,
            format!("Deleted the scope {name}."),
        ),
        Err(CatalogWriteError::InUse(count)) => session::flash(
            &session,
            FlashKind::Error,
            format!(
                "{name} was not deleted: {count} token{} {} in it. Move or delete {} first.",
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
    Ok(see_other("/settings/scopes"))
}
