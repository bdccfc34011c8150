//! The management API under `/api/v1/`: tokens, the catalog, administrators and the
//! audit log, for scripts, CI and Terraform, authenticated with an administrator's
//! API key ([`ApiCaller`](crate::auth::api_key::ApiCaller)). It calls the same
//! services as the pages, so every rule holds here too.
//!
//! Conventions: JSON bodies with unknown fields refused; errors as problem
//! documents; `ETag` on a token, `If-Match` required to change it; keyset pages
//! with a `Link: <...>; rel="next"` header.

pub mod directory;
pub mod identities;
pub mod limits_json;
pub mod openapi;
mod openapi_conventions;
pub mod scope_policy;
pub mod token_bulk;
pub mod token_health;
pub mod token_input;
pub mod token_json;
pub mod token_lifecycle;
pub mod token_limits;
pub mod tokens;
pub mod usage;
pub mod usage_overview;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, web};
use utoipa::ToSchema;

use crate::http::api_error::ApiError;

/// The largest request body the API reads.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Request bodies: at most [`MAX_BODY_BYTES`] (larger ones are refused with 413).
pub fn payload_config() -> web::PayloadConfig {
    web::PayloadConfig::new(MAX_BODY_BYTES)
}

/// A JSON body: `Content-Type: application/json`, unknown fields refused.
pub fn parse_body<T: serde::de::DeserializeOwned>(
    req: &HttpRequest,
    body: &[u8],
) -> Result<T, ApiError> {
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the body as JSON, with Content-Type: application/json.",
        ));
    }
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("The body is not valid JSON: {e}.")))?;
    let does_not_fit = |detail: String| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            format!("The body does not fit this endpoint: {detail}."),
        )
    };
    // Serde would also read a struct from an array of its fields in order.
    if !(value.is_object() || value.is_null()) {
        return Err(does_not_fit("it must be a JSON object".into()));
    }
    T::deserialize(value).map_err(|e| does_not_fit(e.to_string()))
}

/// The client asks for CSV (`Accept: text/csv` first): the whole of what its
/// filters match, as a file, instead of a page of JSON.
pub fn wants_csv(req: &HttpRequest) -> bool {
    use actix_web::http::header::{Accept, Header};
    Accept::parse(req).is_ok_and(|accept| {
        accept
            .ranked()
            .first()
            .is_some_and(|mime| mime.essence_str() == "text/csv")
    })
}

/// An export for a program that asked for CSV.
pub async fn csv_export(
    download: impl Future<
        Output = Result<crate::services::exports::Download, crate::services::exports::ExportError>,
    >,
) -> Result<HttpResponse, ApiError> {
    Ok(crate::http::download::file(download.await?))
}

/// An error, as RFC 9457 problem details.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:tessera:problem:<code>`.
    #[serde(rename = "type")]
    #[schema(example = "urn:tessera:problem:validation_failed")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable, for programs.
    #[schema(example = "validation_failed")]
    pub code: String,
    /// The same as `detail`.
    pub message: String,
    /// Finds the request in Tessera's log.
    pub request_id: Option<String>,
    /// The fields that need attention, for a failed validation.
    pub errors: Option<Vec<FieldProblem>>,
}

/// What a change of a token may answer besides success: the same for every
/// change, as they share the key check, the scope rule, the lifecycle and `If-Match`.
#[derive(utoipa::IntoResponses)]
pub enum TokenChangeProblems {
    #[response(status = 401, description = "No valid API key")]
    Unauthorized(Problem),
    #[response(status = 403, description = "The key may not change this token")]
    Forbidden(Problem),
    #[response(status = 404, description = "No such token in the key's scopes")]
    NotFound(Problem),
    #[response(
        status = 409,
        description = "The token's status does not allow it (or, for an edit, the name is taken)"
    )]
    Conflict(Problem),
    #[response(status = 412, description = "The token changed since that version")]
    Stale(Problem),
    #[response(status = 428, description = "If-Match is missing")]
    IfMatchRequired(Problem),
}

/// A field that needs attention.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct FieldProblem {
    #[schema(example = "name")]
    pub field: String,
    #[schema(example = "#/name")]
    pub pointer: String,
    #[schema(example = "Name is required.")]
    pub detail: String,
}

/// Path parameters that do not parse name nothing there is.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default()
        .error_handler(|_, _| ApiError::not_found("There is no such object.").into())
}

/// The `ETag` of a version of an object.
pub fn etag(version: i32) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).expect("digits and quotes")
}

/// What a write is based on, from `If-Match`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfMatch {
    /// The `ETag` of the version the client read.
    Version(i32),
    /// `*`: whatever version is current (RFC 9110), for a client that means to
    /// overwrite.
    Any,
}

/// `If-Match` is required, so that a write never overwrites a change its client
/// has not seen without saying so.
pub fn if_match(req: &HttpRequest) -> Result<IfMatch, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Err(ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "if_match_required",
            "Send If-Match with the ETag of the version you read, so that no change made meanwhile is overwritten.",
        ));
    };
    let value = value.to_str().map(str::trim).unwrap_or_default();
    if value == "*" {
        return Ok(IfMatch::Any);
    }
    value
        .trim_start_matches("W/")
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .and_then(|v| v.parse().ok())
        .map(IfMatch::Version)
        .ok_or_else(|| {
            ApiError::bad_request(
                "If-Match is not an ETag such as \"3\" (from reading the object) nor *.",
            )
        })
}

/// Points to the next page, as RFC 8288 says: `Link: <url>; rel="next"`.
pub fn with_next_link(response: &mut HttpResponse, next: Option<&str>) {
    if let Some(link) =
        next.and_then(|url| HeaderValue::from_str(&format!("<{url}>; rel=\"next\"")).ok())
    {
        response.headers_mut().insert(header::LINK, link);
    }
}

/// A JSON answer with `status`.
pub fn json(status: StatusCode, body: &impl serde::Serialize) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(body)
}
