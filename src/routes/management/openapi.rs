//! The API's OpenAPI 3.1 document, made from the handlers' own types and
//! annotations: `GET /api/v1/openapi.json`.

use std::sync::LazyLock;

use actix_web::{HttpRequest, HttpResponse, web};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::server::Server;
use utoipa::{Modify, OpenApi};

use super::openapi_conventions::Conventions;
use super::{
    directory, identities, scope_policy, token_bulk, token_health, token_lifecycle, token_limits,
    tokens, usage, usage_overview,
};
use crate::routes::api::{forward_auth, introspect, verify};
use crate::state::AppState;
use crate::urls;
use crate::views::api_docs::ApiDocsPage;
use crate::views::layout::{Layout, Section};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tessera API",
        description = "Manage API tokens from scripts, CI and Terraform with an administrator's API key \
            (`Authorization: Bearer tsa_...`, made in My profile > API keys); a key never has more rights \
            than its owner. Errors are RFC 9457 problem documents. Changing a token needs `If-Match` with \
            the `ETag` of the version read. Lists are paged with cursors: follow `next` or the `Link` header."
    ),
    paths(
        tokens::list, tokens::create, token_bulk::bulk, token_health::health, tokens::read, tokens::update, token_lifecycle::delete,
        token_lifecycle::regenerate, token_lifecycle::enable, token_lifecycle::disable,
        token_lifecycle::revoke, usage::token_usage, usage_overview::summary,
        usage_overview::top_tokens, token_limits::read, token_limits::replace,
        identities::list, identities::create, identities::read, identities::update,
        identities::delete, identities::replace_limits,
        directory::scopes, scope_policy::read, scope_policy::replace, directory::modules, directory::administrators, directory::audit_events,
        verify::verify, introspect::introspect, forward_auth::auth,
    ),
    components(schemas(
        super::Problem, super::FieldProblem, crate::domain::tokens::TokenStatus,
        crate::domain::token_list::StatusFilter, crate::domain::token_list::SortKey,
        crate::domain::token_list::SortDirection, crate::domain::token_list::PageSize,
        crate::domain::token_list::ExpiringWithin,
        crate::domain::audit::AuditAction, crate::domain::tokens::GracePeriod,
        usage::GranularityParam,
        usage_overview::PeriodParam,
    )),
    modifiers(&Security, &Conventions),
    tags(
        (name = "Tokens", description = "API tokens: the same rules as the admin app"),
        (name = "Identities", description = "Who owns tokens: limits and credits shared by their tokens, metadata in every answer"),
        (name = "Usage", description = "What tokens did: every verification answer, counted"),
        (name = "Catalog", description = "The scopes and modules tokens are made of"),
        (name = "Administrators", description = "For keys allowed `admins.manage`"),
        (name = "Audit log", description = "For keys allowed `audit.read`"),
        (name = "Verification", description = "For the services and proxies tokens protect: authenticated with the API token itself"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("tsa_ API key")
                    .description(Some(
                        "An administrator's API key, from My profile > API keys",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("tsr_ API token")
                    .description(Some("The API token a client presents"))
                    .build(),
            ),
        );
    }
}

/// The document as the code makes it, once: it changes only with the code.
static DOCUMENT: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(ApiDoc::openapi);

/// The same, as JSON values, for the reference page (which names the server
/// itself).
static DOCUMENT_VALUE: LazyLock<serde_json::Value> =
    LazyLock::new(|| serde_json::to_value(&*DOCUMENT).unwrap_or_default());

/// The document, with this installation's public URL as its server.
pub fn document(public_url: &str) -> utoipa::openapi::OpenApi {
    let mut doc = DOCUMENT.clone();
    doc.servers = Some(vec![Server::new(public_url)]);
    doc
}

/// `GET /api/docs`: the same document as a page, for people; public, like the
/// document.
pub async fn reference_page(req: HttpRequest, state: web::Data<AppState>) -> ApiDocsPage {
    let layout = Layout::without_flashes(&req, None, "API reference", Section::None);
    let public_url = state.config.public_url();
    ApiDocsPage::of(layout, &DOCUMENT_VALUE, public_url, urls::OPENAPI_DOCUMENT)
}

pub async fn openapi_json(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .json(document(state.config.public_url()))
}
