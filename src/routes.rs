//! The handlers, one module per page or action, and what they share. Which URL
//! leads to which handler is in [`router`], the product's map.

pub mod administrators;
pub mod api;
pub mod api_tokens;
pub mod audit_log;
pub mod catalog;
pub mod exports;
pub mod health;
pub mod home;
pub mod identities;
pub mod login;
pub mod logout;
pub mod management;
pub mod notifications;
pub mod profile;
pub mod router;
pub mod setup;
pub mod sign_in_link;
pub mod sso;
pub mod token_health;
pub mod usage;
pub mod webhooks;

use actix_web::HttpResponse;
use actix_web::http::header;

use crate::http::AppError;
use crate::urls;

/// The unmatched address of the admin app.
pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// 303 See Other: the answer to a form post that worked.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

pub use crate::http::client::{client_address, client_ip_text as client_ip};

/// A local path to return to after sign-in; anything else (another host, a
/// scheme-relative `//evil`) becomes the API tokens page.
pub fn safe_next(next: &str) -> &str {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control());
    if local { next } else { urls::TOKENS }
}

/// The version a form was rendered with, for optimistic locking.
pub fn parse_version(version: &str) -> Result<i32, AppError> {
    version.trim().parse().map_err(|_| {
        AppError::bad_request("The form is missing its version; reload the page and try again.")
    })
}

/// Parses a list of IDs from checkbox values, ignoring anything that is not a number.
pub fn parse_ids(values: &[String]) -> Vec<i64> {
    let mut ids: Vec<i64> = values
        .iter()
        .filter_map(|v| v.trim().parse().ok())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next("/settings/scopes?x=1"), "/settings/scopes?x=1");
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "",
            "javascript:x",
        ] {
            assert_eq!(safe_next(bad), "/settings/api-tokens", "{bad}");
        }
    }
}
