//! What the modules and scopes pages make of a refused change.

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;

use super::see_other;
use crate::auth::session::{self, FlashKind};
use crate::domain::validation::FieldErrors;
use crate::http::AppError;
use crate::services::catalog::CatalogError;

/// The form's errors and status, for a change refused for what was typed.
pub fn refused(error: CatalogError) -> Result<(FieldErrors, StatusCode), AppError> {
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

/// A delete's outcome as a message on the list (`kind`: "module" or "scope").
pub fn finish_delete(
    session: &Session,
    deleted: Result<String, CatalogError>,
    kind: &str,
    list: &str,
) -> Result<HttpResponse, AppError> {
    match deleted {
        Ok(name) => session::flash(
            session,
            FlashKind::Success,
            format!("Deleted the {kind} {name}."),
        ),
        Err(error @ CatalogError::InUse(_)) => {
            session::flash(session, FlashKind::Error, error.to_string())
        }
        Err(error) => return Err(error.into()),
    }
    Ok(see_other(list))
}
