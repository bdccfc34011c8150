//! `/api/v1/identities`: who owns tokens, with the metadata verification answers
//! carry, and `/api/v1/identities/{id}/limits` and `/api/v1/tokens/{guid}/limits`:
//! rate limits and credits. The same services as Settings > Identities.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::limits_json::{Limits, LimitsDocument};
use super::{IfMatch, Problem, etag, if_match, json, parse_body};
use crate::auth::api_key::ApiCaller;
use crate::db::identities::IdentityWithScopes;
use crate::domain::identities::IdentityInput;
use crate::domain::timestamps::iso;
use crate::http::api_error::ApiError;
use crate::services::identities::{self as service, IdentityError, IdentityPage};
use crate::services::tokens::{Choices, catalog_for};
use crate::state::AppState;

impl From<IdentityError> for ApiError {
    fn from(error: IdentityError) -> Self {
        match error {
            IdentityError::NotFound => Self::not_found(error.to_string()),
            IdentityError::Forbidden(f) => f.into(),
            IdentityError::ForeignScopes(message) => {
                Self::new(StatusCode::FORBIDDEN, "foreign_scopes", message)
            }
            IdentityError::Conflict => Self::new(
                StatusCode::PRECONDITION_FAILED,
                "version_mismatch",
                error.to_string(),
            ),
            IdentityError::Invalid(errors) => Self::invalid(&errors, |f| f),
            IdentityError::Db(e) => e.into(),
        }
    }
}

/// An identity, as written.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "external_id": "cus_4711", "name": "Acme Corp", "metadata": { "plan": "pro" },
    "scopes": ["Production"]
}))]
pub struct NewIdentity {
    /// The owner's ID in your own system: unique, no spaces.
    #[schema(example = "cus_4711", max_length = 255)]
    pub external_id: String,
    #[schema(example = "Acme Corp", max_length = 100)]
    pub name: String,
    /// A JSON object (at most 4 KiB) verification answers carry.
    #[serde(default)]
    #[schema(value_type = Object, example = json!({"plan": "pro"}))]
    pub metadata: Map<String, Value>,
    /// Names of scopes of yours; at least one.
    #[schema(min_items = 1)]
    pub scopes: Vec<String>,
}

/// Changes to an identity: the fields sent replace its own.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "metadata": { "plan": "enterprise" } }))]
pub struct IdentityChanges {
    pub external_id: Option<String>,
    pub name: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<Map<String, Value>>,
    pub scopes: Option<Vec<String>>,
}

/// An identity, as read.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Identity {
    /// Tessera's ID for it; the external ID works wherever this does.
    pub id: String,
    pub external_id: String,
    pub name: String,
    #[schema(value_type = Object)]
    pub metadata: Value,
    pub scopes: Vec<String>,
    /// How many live tokens it owns.
    pub tokens: i64,
    pub created_at: String,
    pub updated_at: String,
    /// Changes with every write; also the `ETag`.
    pub version: i32,
}

impl Identity {
    fn of(found: &IdentityWithScopes) -> Self {
        let i = &found.identity;
        Self {
            id: i.public_id.clone(),
            external_id: i.external_id.clone(),
            name: i.name.clone(),
            metadata: serde_json::from_str(&i.metadata).unwrap_or(Value::Object(Map::new())),
            scopes: found.scopes.iter().map(|(_, n)| n.clone()).collect(),
            tokens: found.tokens,
            created_at: iso(&i.created_at),
            updated_at: iso(&i.updated_at),
            version: i.version,
        }
    }
}

/// An identity with its tokens and usage control.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IdentityDetails {
    #[serde(flatten)]
    pub identity: Identity,
    /// The GUIDs of the live tokens it owns.
    pub token_guids: Vec<String>,
    #[serde(flatten)]
    pub limits: Limits,
}

impl IdentityDetails {
    fn of(page: &IdentityPage) -> Self {
        Self {
            identity: Identity::of(&page.identity),
            token_guids: page.tokens.iter().map(|(_, g, _)| g.to_string()).collect(),
            limits: Limits::of(&page.limits, page.credits.as_ref()),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IdentityList {
    pub identities: Vec<Identity>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// The start of an external ID or name.
    search: Option<String>,
}

/// Scope names to the IDs the service takes, or which are unknown.
fn scope_ids(choices: &Choices, names: &[String]) -> Result<Vec<String>, ApiError> {
    names
        .iter()
        .map(|name| {
            choices
                .scope_named(name)
                .map(|id| id.to_string())
                .ok_or_else(|| {
                    let mut errors = crate::domain::validation::FieldErrors::default();
                    errors.add(
                        "scopes",
                        format!("There is no scope named \u{201c}{name}\u{201d} of yours."),
                    );
                    ApiError::invalid(&errors, |f| f)
                })
        })
        .collect()
}

fn with_etag(status: StatusCode, details: &IdentityDetails) -> HttpResponse {
    let mut response = json(status, details);
    response
        .headers_mut()
        .insert(header::ETAG, etag(details.identity.version));
    response
}

#[utoipa::path(
    get, path = "/api/v1/identities", tag = "Identities", summary = "List identities",
    operation_id = "list_identities",
    params(ListQuery),
    responses(
        (status = 200, description = "The identities the key sees (in its scopes), by name; at most 500", body = IdentityList),
        (status = 401, description = "No valid API key", body = Problem),
        (status = 403, description = "The key may not read tokens", body = Problem),
    ),
    security(("api_key" = []))
)]
pub async fn list(
    state: web::Data<AppState>,
    caller: ApiCaller,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let found = service::list(
        state.services(),
        &caller,
        query.search.as_deref().unwrap_or(""),
    )
    .await?;
    Ok(json(
        StatusCode::OK,
        &IdentityList {
            identities: found.iter().map(Identity::of).collect(),
        },
    ))
}

#[utoipa::path(
    post, path = "/api/v1/identities", tag = "Identities", summary = "Add an identity",
    operation_id = "create_identity",
    request_body = NewIdentity,
    responses(
        (status = 201, description = "Added", body = IdentityDetails),
        (status = 401, description = "No valid API key", body = Problem),
        (status = 403, description = "The key may not change tokens", body = Problem),
        (status = 415, description = "The body is not JSON", body = Problem),
        (status = 422, description = "A field needs attention (such as an external ID in use)", body = Problem),
    ),
    security(("api_key" = []))
)]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: ApiCaller,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let new: NewIdentity = parse_body(&req, &body)?;
    let choices = catalog_for(state.services(), &caller).await?;
    let input = IdentityInput {
        external_id: new.external_id,
        name: new.name,
        metadata: Value::Object(new.metadata).to_string(),
        scopes: scope_ids(&choices, &new.scopes)?,
    };
    let created = service::create(state.services(), &caller, input).await?;
    let page = service::find(state.services(), &caller, &created.public_id).await?;
    Ok(with_etag(StatusCode::CREATED, &IdentityDetails::of(&page)))
}

#[utoipa::path(
    get, path = "/api/v1/identities/{id}", tag = "Identities", summary = "Read an identity",
    operation_id = "read_identity",
    params(("id" = String, Path, description = "Its ID or its external ID")),
    responses(
        (status = 200, description = "The identity, its tokens, limits and credits", body = IdentityDetails,
         headers(("ETag" = String, description = "Its version, for If-Match"))),
        (status = 401, description = "No valid API key", body = Problem),
        (status = 403, description = "The key may not read tokens", body = Problem),
        (status = 404, description = "No such identity in the key's scopes", body = Problem),
    ),
    security(("api_key" = []))
)]
pub async fn read(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let page = service::find(state.services(), &caller, &id).await?;
    Ok(with_etag(StatusCode::OK, &IdentityDetails::of(&page)))
}

#[utoipa::path(
    patch, path = "/api/v1/identities/{id}", tag = "Identities", summary = "Change an identity",
    operation_id = "update_identity",
    params(
        ("id" = String, Path, description = "Its ID or its external ID"),
        ("If-Match" = String, Header, description = "The ETag of the version read, or *"),
    ),
    request_body = IdentityChanges,
    responses(
        (status = 200, description = "Saved; its tokens answer with the new name and metadata at once", body = IdentityDetails),
        (status = 401, description = "No valid API key", body = Problem),
        (status = 403, description = "The key may not change it", body = Problem),
        (status = 404, description = "No such identity in the key's scopes", body = Problem),
        (status = 412, description = "It changed since that version", body = Problem),
        (status = 415, description = "The body is not JSON", body = Problem),
        (status = 422, description = "A field needs attention", body = Problem),
        (status = 428, description = "If-Match is missing", body = Problem),
    ),
    security(("api_key" = []))
)]
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let changes: IdentityChanges = parse_body(&req, &body)?;
    let current = service::find(state.services(), &caller, &id).await?;
    let version = match expected {
        IfMatch::Version(version) => version,
        IfMatch::Any => current.identity.identity.version,
    };
    let choices = catalog_for(state.services(), &caller).await?;
    let i = &current.identity.identity;
    let input = IdentityInput {
        external_id: changes.external_id.unwrap_or_else(|| i.external_id.clone()),
        name: changes.name.unwrap_or_else(|| i.name.clone()),
        metadata: changes
            .metadata
            .map_or_else(|| i.metadata.clone(), |m| Value::Object(m).to_string()),
        scopes: match &changes.scopes {
            Some(names) => scope_ids(&choices, names)?,
            None => current
                .identity
                .scope_ids()
                .iter()
                .map(i64::to_string)
                .collect(),
        },
    };
    let public_id = i.public_id.clone();
    service::update(state.services(), &caller, &public_id, version, input).await?;
    let page = service::find(state.services(), &caller, &public_id).await?;
    Ok(with_etag(StatusCode::OK, &IdentityDetails::of(&page)))
}

#[utoipa::path(
    delete, path = "/api/v1/identities/{id}", tag = "Identities", summary = "Delete an identity",
    operation_id = "delete_identity",
    description = "Its tokens stay, owned by no one; its limits and credits go.",
    params(("id" = String, Path, description = "Its ID or its external ID")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid API key", body = Problem),
        (status = 403, description = "The key may not change it", body = Problem),
        (status = 404, description = "No such identity in the key's scopes", body = Problem),
    ),
    security(("api_key" = []))
)]
pub async fn delete(
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    service::delete(state.services(), &caller, &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    put, path = "/api/v1/identities/{id}/limits", tag = "Identities", summary = "Replace an identity's limits and credits",
    operation_id = "replace_identity_limits",
    description = "Shared by every token the identity owns. A limit keeps what it counted while its name stays; credits sent replace the remaining count.",
    params(("id" = String, Path, description = "Its ID or its external ID")),
    request_body = LimitsDocument,
    responses(
        (status = 200, description = "Saved", body = Limits),
        (status = 401, description = "No valid API key", body = Problem),
        (status = 403, description = "The key may not change it", body = Problem),
        (status = 404, description = "No such identity in the key's scopes", body = Problem),
        (status = 415, description = "The body is not JSON", body = Problem),
        (status = 422, description = "A limit or the credits need attention", body = Problem),
    ),
    security(("api_key" = []))
)]
pub async fn replace_limits(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: ApiCaller,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let document: LimitsDocument = parse_body(&req, &body)?;
    let control = document
        .control()
        .map_err(|e| ApiError::invalid(&e, |f| f))?;
    crate::services::limits::set_for_identity(state.services(), &caller, &id, control).await?;
    let page = service::find(state.services(), &caller, &id).await?;
    Ok(json(
        StatusCode::OK,
        &Limits::of(&page.limits, page.credits.as_ref()),
    ))
}
