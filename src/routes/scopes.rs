//! Settings > Scopes.

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
use crate::domain::catalog::validate_scope;
use crate::domain::validation::FieldErrors;
use crate::http::AppError;
use crate::startup::AppState;
use crate::views::catalog::{ScopeRow, ScopeValues, ScopesPage};
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
                    kind: "scope",
                    id: None,
                    label: &saved.name,
                };
                audit::record(c, &actor, AuditAction::ScopeCreated.key(), &target, "")?;
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
