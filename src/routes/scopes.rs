//! Settings > Scopes.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};

use super::catalog_outcome::{finish_delete, refused};
use super::see_other;
use crate::auth::csrf::{CsrfForm, NoFields};
use crate::auth::session::{self, FlashKind};
use crate::auth::{Authorized, perm};
use crate::db::DbError;
use crate::db::catalog::{self as stored, Scope};
use crate::domain::validation::FieldErrors;
use crate::http::AppError;
use crate::services::catalog;
use crate::state::AppState;
use crate::urls;
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
        .run(|c| stored::list_scopes(c).map_err(DbError::from))
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
    let (services, caller) = (state.services(), admin.caller(&req));
    let created = catalog::create_scope(services, &caller, &form.name, &form.description).await;
    let (errors, status) = match created {
        Ok(scope) => {
            let message = format!("Added the scope {}.", scope.name);
            session::flash(&session, FlashKind::Success, message);
            return Ok(see_other(urls::SCOPES));
        }
        Err(error) => refused(error)?,
    };
    let page = page(&req, &state, &admin, form, errors).await?;
    render_with_status(status, &page)
}

async fn find(state: &AppState, id: i64) -> Result<Scope, AppError> {
    state
        .db
        .run(move |c| stored::find_scope(c, id).map_err(DbError::from))
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
    let (services, caller) = (state.services(), admin.caller(&req));
    let saved =
        catalog::update_scope(services, &caller, scope.id, &form.name, &form.description).await;
    let (errors, status) = match saved {
        Ok(saved) => {
            let message = format!("Saved the scope {}.", saved.name);
            session::flash(&session, FlashKind::Success, message);
            return Ok(see_other(urls::SCOPES));
        }
        Err(error) => refused(error)?,
    };
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
            href: urls::SCOPES.into(),
            label: "Scopes".into(),
        },
        confirmation: Confirmation {
            title: format!("Delete the scope {}?", scope.name),
            body: "Administrators assigned to it lose it. Tokens in this scope prevent the delete."
                .into(),
            button: "Delete scope",
            danger: true,
            action: urls::scope_delete(scope.id),
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
    let deleted = catalog::delete_scope(state.services(), &admin.caller(&req), *id).await;
    finish_delete(&session, deleted, "scope", urls::SCOPES)
}
