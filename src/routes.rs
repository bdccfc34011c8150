//! Every URL of Tessera, one module per page or action.

pub mod administrators;
pub mod api;
pub mod api_tokens;
pub mod audit_log;
mod catalog_outcome;
pub mod health;
pub mod home;
pub mod login;
pub mod logout;
pub mod modules;
pub mod profile;
pub mod scopes;
pub mod setup;

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use crate::http::AppError;

/// The pages and actions of the admin app (behind sessions and CSRF checks).
pub fn configure_admin(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::index))
        .service(web::resource("/login").get(login::show).post(login::submit))
        .route("/logout", web::post().to(logout::submit))
        .service(web::resource("/setup").get(setup::show).post(setup::submit))
        .route("/setup/catalog", web::get().to(setup::catalog))
        .route(
            "/setup/catalog/examples",
            web::post().to(setup::add_examples),
        )
        .route("/settings", web::get().to(home::settings))
        .configure(api_tokens::configure)
        .configure(profile::configure)
        .route(
            "/settings/administrators",
            web::get().to(administrators::list::list),
        )
        .service(
            web::resource("/settings/administrators/new")
                .get(administrators::create::new_form)
                .post(administrators::create::create),
        )
        .service(
            web::resource("/settings/administrators/{public_id}")
                .get(administrators::edit::edit_form)
                .post(administrators::edit::update_access),
        )
        .route(
            "/settings/administrators/{public_id}/password",
            web::post().to(administrators::password::set_password),
        )
        .route(
            "/settings/administrators/{public_id}/disable",
            web::post().to(administrators::enable_disable::disable),
        )
        .route(
            "/settings/administrators/{public_id}/enable",
            web::post().to(administrators::enable_disable::enable),
        )
        .service(
            web::resource("/settings/modules")
                .get(modules::list)
                .post(modules::create),
        )
        .service(
            web::resource("/settings/scopes")
                .get(scopes::list)
                .post(scopes::create),
        )
        .service(
            web::resource("/settings/modules/{id}/edit")
                .get(modules::edit_form)
                .post(modules::update),
        )
        .service(
            web::resource("/settings/modules/{id}/delete")
                .get(modules::delete_confirm)
                .post(modules::delete),
        )
        .service(
            web::resource("/settings/scopes/{id}/edit")
                .get(scopes::edit_form)
                .post(scopes::update),
        )
        .service(
            web::resource("/settings/scopes/{id}/delete")
                .get(scopes::delete_confirm)
                .post(scopes::delete),
        )
        .route("/settings/audit-log", web::get().to(audit_log::list));
}

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
    if local { next } else { "/settings/api-tokens" }
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
