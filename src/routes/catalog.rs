//! Settings > Modules and Settings > Scopes: one set of pages for both kinds of
//! catalog entry. What differs (fields, words, the use cases) is a [`Kind`].

mod modules;
pub mod policy;
mod scopes;

pub use modules::Modules;
pub use scopes::Scopes;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::de::DeserializeOwned;

use super::see_other;
use crate::auth::csrf::{CsrfForm, NoFields};
use crate::auth::session::{self, FlashKind};
use crate::auth::{Authorized, perm};
use crate::db::{DbConnection, DbError};
use crate::domain::validation::FieldErrors;
use crate::http::AppError;
use crate::services::catalog::CatalogError;
use crate::services::{Caller, Services};
use crate::state::AppState;
use crate::views::catalog::CatalogText;
use crate::views::errors::{ConfirmPage, Confirmation, Link};
use crate::views::{Layout, Section, render_with_status};

type Admin = Authorized<perm::SettingsManage>;

/// A kind of catalog entry and its pages.
// Handlers run on actix's single-threaded workers: their futures need not be `Send`.
#[allow(async_fn_in_trait)]
pub trait Kind: 'static {
    /// An entry as stored.
    type Entry: Send + 'static;
    /// What the add and edit forms submit.
    type Values: DeserializeOwned + Default + 'static;
    type ListPage: Template;
    type EditPage: Template;

    const SECTION: Section;
    const TEXT: CatalogText;

    fn all(conn: &mut DbConnection) -> diesel::QueryResult<Vec<Self::Entry>>;
    fn find(conn: &mut DbConnection, id: i64) -> diesel::QueryResult<Option<Self::Entry>>;
    fn name(entry: &Self::Entry) -> &str;
    fn delete_url(id: i64) -> String;
    /// What deleting the entry would do, or what keeps it from being deleted.
    fn delete_warning(_entry: &Self::Entry) -> String {
        Self::TEXT.delete_warning.to_owned()
    }
    /// The edit form, filled in from the entry.
    fn values(entry: &Self::Entry) -> Self::Values;
    fn list_page(
        layout: Layout,
        entries: Vec<Self::Entry>,
        form: Self::Values,
        errors: FieldErrors,
    ) -> Self::ListPage;
    fn edit_page(
        layout: Layout,
        entry: &Self::Entry,
        form: Self::Values,
        errors: FieldErrors,
    ) -> Self::EditPage;

    /// The use cases; each answers with the entry's name.
    async fn create(
        services: Services<'_>,
        caller: &Caller,
        form: &Self::Values,
    ) -> Result<String, CatalogError>;
    async fn update(
        services: Services<'_>,
        caller: &Caller,
        id: i64,
        form: &Self::Values,
    ) -> Result<String, CatalogError>;
    async fn delete(
        services: Services<'_>,
        caller: &Caller,
        id: i64,
    ) -> Result<String, CatalogError>;
}

async fn list_page<K: Kind>(
    req: &HttpRequest,
    state: &AppState,
    admin: &Admin,
    form: K::Values,
    errors: FieldErrors,
) -> Result<K::ListPage, AppError> {
    let entries = state.db.run(|c| K::all(c).map_err(DbError::from)).await?;
    let layout = Layout::page(req, Some(admin), K::TEXT.title, K::SECTION);
    Ok(K::list_page(layout, entries, form, errors))
}

async fn find<K: Kind>(state: &AppState, id: i64) -> Result<K::Entry, AppError> {
    state
        .db
        .run(move |c| K::find(c, id).map_err(DbError::from))
        .await?
        .ok_or(AppError::NotFound)
}

fn edit_layout<K: Kind>(req: &HttpRequest, admin: &Admin, entry: &K::Entry) -> Layout {
    let title = format!("{} {}", K::TEXT.edit, K::name(entry));
    Layout::page(req, Some(admin), title, K::SECTION)
}

/// Back to the list with a message, after a change that was made.
fn done<K: Kind>(session: &Session, verb: &str, name: &str) -> HttpResponse {
    let message = format!("{verb} the {} {name}.", K::TEXT.noun);
    session::flash(session, FlashKind::Success, message);
    see_other(K::TEXT.list)
}

pub async fn list<K: Kind>(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
) -> Result<HttpResponse, AppError> {
    let page = list_page::<K>(
        &req,
        &state,
        &admin,
        K::Values::default(),
        FieldErrors::default(),
    )
    .await?;
    render_with_status(StatusCode::OK, &page)
}

pub async fn create<K: Kind>(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    CsrfForm(form): CsrfForm<K::Values>,
) -> Result<HttpResponse, AppError> {
    let (errors, status) = match K::create(state.services(), &admin.caller(&req), &form).await {
        Ok(name) => return Ok(done::<K>(&session, "Added", &name)),
        Err(error) => refused(error)?,
    };
    let page = list_page::<K>(&req, &state, &admin, form, errors).await?;
    render_with_status(status, &page)
}

pub async fn edit_form<K: Kind>(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let entry = find::<K>(&state, id.into_inner()).await?;
    let layout = edit_layout::<K>(&req, &admin, &entry);
    let page = K::edit_page(layout, &entry, K::values(&entry), FieldErrors::default());
    render_with_status(StatusCode::OK, &page)
}

pub async fn update<K: Kind>(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<K::Values>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let entry = find::<K>(&state, id).await?;
    let (services, caller) = (state.services(), admin.caller(&req));
    let (errors, status) = match K::update(services, &caller, id, &form).await {
        Ok(name) => return Ok(done::<K>(&session, "Saved", &name)),
        Err(error) => refused(error)?,
    };
    let layout = edit_layout::<K>(&req, &admin, &entry);
    render_with_status(status, &K::edit_page(layout, &entry, form, errors))
}

pub async fn delete_confirm<K: Kind>(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<i64>,
) -> Result<ConfirmPage, AppError> {
    let id = id.into_inner();
    let entry = find::<K>(&state, id).await?;
    let name = K::name(&entry);
    Ok(ConfirmPage {
        layout: Layout::page(&req, Some(&admin), format!("Delete {name}"), K::SECTION),
        back: Link {
            href: K::TEXT.list.into(),
            label: K::TEXT.title.into(),
        },
        confirmation: Confirmation {
            title: format!("Delete the {} {name}?", K::TEXT.noun),
            body: K::delete_warning(&entry),
            button: K::TEXT.delete_button,
            danger: true,
            action: K::delete_url(id),
            grace: false,
        },
        version: None,
    })
}

pub async fn delete<K: Kind>(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Admin,
    id: web::Path<i64>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    match K::delete(state.services(), &admin.caller(&req), *id).await {
        Ok(name) => return Ok(done::<K>(&session, "Deleted", &name)),
        Err(error @ CatalogError::InUse(_)) => {
            session::flash(&session, FlashKind::Error, error.to_string())
        }
        Err(error) => return Err(error.into()),
    }
    Ok(see_other(K::TEXT.list))
}

/// The form's errors and status, for a change refused for what was typed.
fn refused(error: CatalogError) -> Result<(FieldErrors, StatusCode), AppError> {
    match error {
        CatalogError::Invalid(errors) => Ok((errors, StatusCode::UNPROCESSABLE_ENTITY)),
        other => {
            let Some(field) = other.field() else {
                return Err(other.into());
            };
            let mut errors = FieldErrors::default();
            errors.add(field, other.to_string());
            Ok((errors, StatusCode::CONFLICT))
        }
    }
}
