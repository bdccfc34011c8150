//! Template structs: one per page, each with the shared [`Layout`].

pub mod admins;
pub mod api_docs;
pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod catalog;
pub mod charts;
pub mod errors;
pub mod format;
pub mod health;
pub mod identities;
pub mod layout;
pub mod limits;
pub mod notifications;
pub mod profile;
pub mod tokens;
pub mod usage;
pub mod webhooks;

pub use layout::{Layout, Refresh, Section};

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use crate::http::AppError;

/// Renders a page with a status other than 200 (a form with errors, a refusal).
pub fn render_with_status(
    status: StatusCode,
    page: &impl Template,
) -> Result<HttpResponse, AppError> {
    let body = page.render().map_err(AppError::internal)?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}
