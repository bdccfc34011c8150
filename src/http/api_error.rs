//! Errors of the management API, as RFC 9457 problem documents: a stable `code` (and
//! `type` made from it), a sentence, and for a failed validation the field errors.
//! [`super::problem::api_edge`] adds the request ID.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

use super::problem::{CONTENT_TYPE, document};
use crate::db::DbError;
use crate::domain::api_keys::KeyRefusal;
use crate::domain::scopes::policy::Breach;
use crate::domain::throttle::wait_text;
use crate::domain::validation::FieldErrors;
use crate::services::Forbidden;
use crate::services::tokens::TokenError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Field name (as the API spells it) and message.
    pub fields: Vec<(String, String)>,
    /// Seconds to wait before trying again (`Retry-After`).
    pub retry_after: Option<i64>,
    /// The policy rules a token would break: rule, scope, message.
    pub rules: Vec<(&'static str, String, String)>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            fields: Vec::new(),
            retry_after: None,
            rules: Vec::new(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// A failed validation, with each field's message; `rename` gives the API's name
    /// of a form field.
    pub fn invalid(errors: &FieldErrors, rename: impl Fn(&str) -> &str) -> Self {
        let mut error = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "Some fields need attention.",
        );
        error.fields = errors
            .iter()
            .map(|(field, message)| (rename(field).to_owned(), message.to_owned()))
            .collect();
        error
    }

    /// A token that would break its scopes' policies: each rule by name, beside
    /// the field it is about.
    pub fn policy(breaches: &[Breach]) -> Self {
        let mut error = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "policy_violation",
            crate::services::tokens::TokenError::Policy(breaches.to_vec()).to_string(),
        );
        error.fields = breaches
            .iter()
            .map(|b| (api_field_name(b.rule.field()).to_owned(), b.message.clone()))
            .collect();
        error.rules = breaches
            .iter()
            .map(|b| (b.rule.key(), b.scope.clone(), b.message.clone()))
            .collect();
        error
    }

    pub fn internal(error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "management API request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Tessera could not answer this request. Try again; if it persists, tell the operator the request ID.",
        )
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut body = document(self.status, self.code, &self.message);
        if !self.fields.is_empty() {
            body["errors"] = self
                .fields
                .iter()
                .map(|(field, message)| {
                    json!({ "field": field, "pointer": format!("#/{field}"), "detail": message })
                })
                .collect();
        }
        if !self.rules.is_empty() {
            body["rules"] = self
                .rules
                .iter()
                .map(|(rule, scope, message)| json!({ "rule": rule, "scope": scope, "detail": message }))
                .collect();
        }
        let mut response = HttpResponse::build(self.status)
            .content_type(CONTENT_TYPE)
            .body(body.to_string());
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"tessera-api\""),
            );
        }
        response
    }
}

impl From<KeyRefusal> for ApiError {
    fn from(refusal: KeyRefusal) -> Self {
        match refusal {
            KeyRefusal::Unavailable => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "API keys cannot be checked right now. Try again shortly.",
            ),
            KeyRefusal::AddressLocked(wait) => Self {
                retry_after: Some(wait.whole_seconds()),
                ..Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_failed_keys",
                    format!(
                        "Too many requests with a wrong API key came from your address. Try again in {}.",
                        wait_text(wait)
                    ),
                )
            },
            // One answer for every refusal: nobody learns which keys exist.
            _ => Self::new(
                StatusCode::UNAUTHORIZED,
                "invalid_api_key",
                "Send a valid API key: Authorization: Bearer tsa_... (create one in My profile > API keys).",
            ),
        }
    }
}

impl From<Forbidden> for ApiError {
    fn from(forbidden: Forbidden) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", forbidden.to_string())
    }
}

impl From<crate::services::health::HealthError> for ApiError {
    fn from(error: crate::services::health::HealthError) -> Self {
        use crate::services::health::HealthError;
        match error {
            HealthError::Forbidden(f) => f.into(),
            HealthError::Db(e) => e.into(),
        }
    }
}

impl From<crate::services::exports::ExportError> for ApiError {
    fn from(error: crate::services::exports::ExportError) -> Self {
        use crate::services::exports::ExportError;
        match error {
            ExportError::Forbidden(f) => f.into(),
            ExportError::Db(e) => e.into(),
            ExportError::Write(_) => Self::internal(error),
        }
    }
}

impl From<DbError> for ApiError {
    fn from(error: DbError) -> Self {
        Self::internal(error)
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        Self::internal(error)
    }
}

impl From<TokenError> for ApiError {
    fn from(error: TokenError) -> Self {
        let message = error.to_string();
        let (status, code) = match &error {
            TokenError::NotFound => (StatusCode::NOT_FOUND, "token_not_found"),
            TokenError::Deleted => (StatusCode::GONE, "token_deleted"),
            TokenError::Forbidden(f) => return (*f).into(),
            TokenError::ForeignScopes(_) => (StatusCode::FORBIDDEN, "foreign_scopes"),
            TokenError::Refused(_) => (StatusCode::CONFLICT, "status_conflict"),
            TokenError::Invalid(errors) => return Self::invalid(errors, api_field_name),
            TokenError::Policy(breaches) => return Self::policy(breaches),
            TokenError::NameTaken => (StatusCode::CONFLICT, "name_taken"),
            TokenError::GuidTaken => (StatusCode::CONFLICT, "guid_taken"),
            TokenError::IdempotencyKeyInFlight => {
                (StatusCode::CONFLICT, "idempotency_key_in_flight")
            }
            TokenError::IdempotencyKeyReused => {
                (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused")
            }
            TokenError::Conflict => (StatusCode::PRECONDITION_FAILED, "version_mismatch"),
            TokenError::UnknownReference => (StatusCode::CONFLICT, "unknown_reference"),
            TokenError::RateLimited(_) => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            TokenError::NoEncryptionKey
            | TokenError::ValueNotKept
            | TokenError::WrongEncryptionKey => (StatusCode::CONFLICT, "value_unavailable"),
            TokenError::Db(e) => return Self::internal(e),
        };
        Self::new(status, code, message)
    }
}

/// The API's name of a token form field.
pub fn api_field_name(field: &str) -> &str {
    match field {
        "token_type" => "type",
        other => other,
    }
}
