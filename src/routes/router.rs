//! Every URL of Tessera and the handler that answers it: the product's map.

use actix_web::http::StatusCode;
use actix_web::web;

use super::catalog::{Modules, Scopes};
use super::{
    administrators, api, api_tokens as tokens, audit_log, catalog, health, home, login, logout,
    management, notifications, profile as me, setup, sign_in_link, sso, usage, webhooks,
};
use crate::http::problem::{api_edge, problem};

/// The pages and actions of the admin app (behind sessions and CSRF checks).
pub fn admin(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::index))
        .service(web::resource("/login").get(login::show).post(login::submit))
        .route("/logout", web::post().to(logout::submit))
        .route("/login/sso", web::get().to(sso::start))
        .route("/login/sso/callback", web::get().to(sso::callback))
        .service(
            web::resource("/login/link")
                .get(sign_in_link::show)
                .post(sign_in_link::submit),
        )
        .service(web::resource("/setup").get(setup::show).post(setup::submit))
        .route("/setup/catalog", web::get().to(setup::catalog))
        .route(
            "/setup/catalog/examples",
            web::post().to(setup::add_examples),
        )
        .route("/settings", web::get().to(home::settings))
        .configure(api_tokens)
        .configure(profile)
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
        .route(
            "/settings/administrators/{public_id}/api-keys/{key}/revoke",
            web::post().to(administrators::api_keys::revoke),
        )
        .service(
            web::resource("/settings/modules")
                .get(catalog::list::<Modules>)
                .post(catalog::create::<Modules>),
        )
        .service(
            web::resource("/settings/scopes")
                .get(catalog::list::<Scopes>)
                .post(catalog::create::<Scopes>),
        )
        .service(
            web::resource("/settings/modules/{id}/edit")
                .get(catalog::edit_form::<Modules>)
                .post(catalog::update::<Modules>),
        )
        .service(
            web::resource("/settings/modules/{id}/delete")
                .get(catalog::delete_confirm::<Modules>)
                .post(catalog::delete::<Modules>),
        )
        .service(
            web::resource("/settings/scopes/{id}/edit")
                .get(catalog::edit_form::<Scopes>)
                .post(catalog::update::<Scopes>),
        )
        .service(
            web::resource("/settings/scopes/{id}/policy")
                .get(catalog::policy::form)
                .post(catalog::policy::save),
        )
        .service(
            web::resource("/settings/scopes/{id}/delete")
                .get(catalog::delete_confirm::<Scopes>)
                .post(catalog::delete::<Scopes>),
        )
        .route("/settings/audit-log", web::get().to(audit_log::list))
        .route(
            "/settings/audit-log/export.{format}",
            web::get().to(super::exports::audit_log),
        )
        .route("/settings/usage", web::get().to(usage::page))
        .route(
            crate::urls::HEALTH,
            web::get().to(super::token_health::page),
        )
        .route("/settings/usage.csv", web::get().to(usage::download))
        .configure(webhook_pages)
        .configure(super::identities::pages)
        .service(
            web::resource("/settings/notifications")
                .get(notifications::show)
                .post(notifications::save),
        )
        .route(
            "/settings/notifications/test-mail",
            web::post().to(notifications::test_mail),
        );
}

/// Settings > Webhooks.
fn webhook_pages(cfg: &mut web::ServiceConfig) {
    cfg.route("/settings/webhooks", web::get().to(webhooks::list))
        .service(
            web::resource("/settings/webhooks/new")
                .get(webhooks::new_form)
                .post(webhooks::create),
        )
        .service(
            web::resource("/settings/webhooks/{public_id}")
                .get(webhooks::show)
                .post(webhooks::update),
        )
        .route(
            "/settings/webhooks/{public_id}/test",
            web::post().to(webhooks::actions::send_test),
        )
        .route(
            "/settings/webhooks/{public_id}/enable",
            web::post().to(webhooks::actions::enable),
        )
        .route(
            "/settings/webhooks/{public_id}/disable",
            web::post().to(webhooks::actions::disable),
        )
        .route(
            "/settings/webhooks/{public_id}/rotate-secret",
            web::post().to(webhooks::actions::rotate_secret),
        )
        .service(
            web::resource("/settings/webhooks/{public_id}/delete")
                .get(webhooks::actions::delete_confirm)
                .post(webhooks::actions::delete),
        )
        .route(
            "/settings/webhooks/{public_id}/deliveries/{delivery}/redeliver",
            web::post().to(webhooks::actions::redeliver),
        );
}

/// Settings > API tokens.
fn api_tokens(cfg: &mut web::ServiceConfig) {
    cfg.route("/settings/api-tokens", web::get().to(tokens::list::page))
        // Before the token pages, whose GUID would take the file's name.
        .route(
            "/settings/api-tokens/export.{format}",
            web::get().to(super::exports::tokens),
        )
        .service(
            web::resource("/settings/api-tokens/new")
                .get(tokens::create::form)
                .post(tokens::create::submit),
        )
        .route(
            crate::urls::TOKENS_BULK,
            web::post().to(tokens::bulk::submit),
        )
        .route(
            "/settings/api-tokens/bulk/{batch}",
            web::get().to(tokens::bulk::result),
        )
        .route(
            "/settings/api-tokens/{guid}",
            web::get().to(tokens::show::general),
        )
        .route(
            "/settings/api-tokens/{guid}/reveal",
            web::post().to(tokens::reveal::submit),
        )
        .route(
            "/settings/api-tokens/{guid}/modules",
            web::get().to(tokens::show::modules),
        )
        .route(
            "/settings/api-tokens/{guid}/usage",
            web::get().to(tokens::show::usage),
        )
        .route(
            "/settings/api-tokens/{guid}/usage.{format}",
            web::get().to(super::exports::token_usage),
        )
        .route(
            "/settings/api-tokens/{guid}/details",
            web::get().to(tokens::show::details),
        )
        .service(
            web::resource("/settings/api-tokens/{guid}/edit")
                .get(tokens::edit::form)
                .post(tokens::edit::submit),
        )
        .service(
            web::resource("/settings/api-tokens/{guid}/regenerate")
                .get(tokens::regenerate::confirm)
                .post(tokens::regenerate::submit),
        )
        .route(
            "/settings/api-tokens/{guid}/disable",
            web::post().to(tokens::enable_disable::disable),
        )
        .route(
            "/settings/api-tokens/{guid}/enable",
            web::post().to(tokens::enable_disable::enable),
        )
        .service(
            web::resource("/settings/api-tokens/{guid}/revoke")
                .get(tokens::revoke::confirm)
                .post(tokens::revoke::submit),
        )
        .route(
            "/settings/api-tokens/{guid}/limits",
            web::post().to(tokens::limits::save),
        )
        .service(
            web::resource("/settings/api-tokens/{guid}/delete")
                .get(tokens::delete::confirm)
                .post(tokens::delete::submit),
        );
}

/// My profile.
fn profile(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/profile")
            .get(me::show::page)
            .post(me::show::update_name),
    )
    .route("/profile/password", web::post().to(me::password::change))
    .route(
        "/profile/expiry-mail",
        web::post().to(me::show::expiry_mail),
    )
    .route(
        "/profile/sign-out-everywhere",
        web::post().to(me::sign_out_everywhere::submit),
    )
    .route("/profile/api-tokens", web::get().to(me::tokens::page))
    .service(
        web::resource("/profile/api-keys")
            .get(me::api_keys::page)
            .post(me::api_keys::create),
    )
    .route(
        "/profile/api-keys/{public_id}/revoke",
        web::post().to(me::api_keys::revoke),
    );
}

/// The verification API, for the services tokens protect, and the management API.
/// The three verification endpoints come first, on literal paths: a verification
/// is routed by comparing its path with theirs, never by trying other routes'
/// patterns.
pub fn api(cfg: &mut web::ServiceConfig) {
    cfg.service(
        endpoint("/api/v1/verify", "GET")
            .app_data(query_config())
            .get(api::verify::verify)
            .wrap_fn(api_edge),
    )
    .service(
        endpoint("/api/v1/introspect", "POST")
            .post(api::introspect::introspect)
            .wrap_fn(api_edge),
    )
    .service(
        web::resource("/api/v1/auth")
            .to(api::forward_auth::auth)
            .wrap_fn(api_edge),
    )
    .service(
        web::scope("/api/v1")
            .wrap_fn(api_edge)
            .app_data(query_config())
            .app_data(management::payload_config())
            .app_data(management::path_config())
            .configure(management_api)
            // Envoy's ext_authz sends the original method and path after the prefix.
            .route("/auth/{path:.*}", web::route().to(api::forward_auth::auth))
            .default_service(web::to(api::not_found)),
    )
    // Any other address under `/api/` is an API's, and answered as one.
    .service(
        web::scope("/api")
            .wrap_fn(api_edge)
            .service(endpoint("/docs", "GET").get(management::openapi::reference_page))
            .default_service(web::to(api::not_found)),
    );
}

/// A query string that cannot be read, such as a parameter given twice
/// (`?module=a&module=b`), is a problem document.
fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error, _| {
        let response = problem(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            &format!("The query string could not be read: {error}."),
        );
        actix_web::error::InternalError::from_response(error, response).into()
    })
}

/// The management API, for administrators' API keys.
fn management_api(cfg: &mut web::ServiceConfig) {
    use management::{directory, identities, openapi, token_lifecycle as lifecycle, tokens};
    cfg.service(
        endpoint("/tokens", "GET, POST")
            .get(tokens::list)
            .post(tokens::create),
    )
    .service(endpoint("/tokens/bulk", "POST").post(management::token_bulk::bulk))
    .service(endpoint("/token-health", "GET").get(management::token_health::health))
    .service(
        endpoint("/tokens/{guid}", "GET, PATCH, DELETE")
            .get(tokens::read)
            .patch(tokens::update)
            .delete(lifecycle::delete),
    )
    .service(endpoint("/tokens/{guid}/regenerate", "POST").post(lifecycle::regenerate))
    .service(endpoint("/tokens/{guid}/enable", "POST").post(lifecycle::enable))
    .service(endpoint("/tokens/{guid}/disable", "POST").post(lifecycle::disable))
    .service(endpoint("/tokens/{guid}/revoke", "POST").post(lifecycle::revoke))
    .service(endpoint("/tokens/{guid}/usage", "GET").get(management::usage::token_usage))
    .service(
        endpoint("/tokens/{guid}/limits", "GET, PUT")
            .get(management::token_limits::read)
            .put(management::token_limits::replace),
    )
    .service(
        endpoint("/identities", "GET, POST")
            .get(identities::list)
            .post(identities::create),
    )
    .service(
        endpoint("/identities/{id}", "GET, PATCH, DELETE")
            .get(identities::read)
            .patch(identities::update)
            .delete(identities::delete),
    )
    .service(endpoint("/identities/{id}/limits", "PUT").put(identities::replace_limits))
    .service(endpoint("/usage", "GET").get(management::usage_overview::summary))
    .service(endpoint("/usage/top-tokens", "GET").get(management::usage_overview::top_tokens))
    .service(endpoint("/scopes", "GET").get(directory::scopes))
    .service(
        endpoint("/scopes/{scope_id}/policy", "GET, PUT")
            .get(management::scope_policy::read)
            .put(management::scope_policy::replace),
    )
    .service(endpoint("/modules", "GET").get(directory::modules))
    .service(endpoint("/administrators", "GET").get(directory::administrators))
    .service(endpoint("/audit-events", "GET").get(directory::audit_events))
    .service(endpoint("/openapi.json", "GET").get(openapi::openapi_json));
}

/// An API address; a method it does not take is answered 405 with `Allow`.
fn endpoint(path: &str, allow: &'static str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(
        move || async move { api::method_not_allowed(allow) },
    ))
}

/// `/metrics`, on whichever listener serves it.
pub fn metrics(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/metrics")
            .wrap_fn(api_edge)
            .route(web::get().to(api::metrics::metrics)),
    );
}

/// Liveness and readiness, for orchestrators.
pub fn health(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz));
}
