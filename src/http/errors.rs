//! The error type of request handling. `anyhow` is for startup and the command line;
//! query functions return `QueryResult`; handlers return [`AppError`], which decides
//! the status code and the message the administrator sees.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};

use crate::db::DbError;
use crate::passwords::HashingError;
use crate::services::admins::AdminError;
use crate::services::api_keys::ApiKeyError;
use crate::services::catalog::CatalogError;
use crate::services::expiry::ExpiryError;
use crate::services::health::HealthError;
use crate::services::identities::IdentityError;
use crate::services::tokens::TokenError;
use crate::services::webhooks::WebhookError;
use crate::urls;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Not signed in: the browser is sent to the sign-in page, then back to `next`.
    #[error("sign-in required")]
    SignInRequired { next: Option<String> },
    #[error("You do not have permission to do this.")]
    Forbidden,
    /// Forbidden, with the reason in words.
    #[error("{0}")]
    NotAllowed(String),
    #[error("This page does not exist, or you cannot see it.")]
    NotFound,
    /// A token's page whose GUID names no token the administrator may see.
    #[error("No token with this GUID in your scopes.")]
    TokenNotFound,
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Conflict(String),
    /// Well-formed, but holding what no field accepts.
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    TooManyRequests(String),
    /// Too much work of this kind under way (password checks): try again shortly.
    #[error("Tessera is busy checking other passwords. Try again in a moment.")]
    Busy,
    /// The client sent its request body too slowly.
    #[error("The request took too long to arrive. Try again.")]
    TimedOut,
    /// A form without a valid CSRF token, or a request from another site.
    #[error(
        "This form has expired or was sent from another site. Go back, reload the page and try again."
    )]
    CrossSiteRequest,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::BadRequest(message.into())
    }

    pub fn internal(error: impl Into<anyhow::Error>) -> Self {
        Self::Internal(error.into())
    }
}

impl From<crate::services::exports::ExportError> for AppError {
    fn from(error: crate::services::exports::ExportError) -> Self {
        use crate::services::exports::ExportError;
        match error {
            ExportError::Forbidden(_) => Self::NotAllowed(error.to_string()),
            ExportError::Db(e) => e.into(),
            ExportError::Write(_) => Self::internal(error),
        }
    }
}

impl From<DbError> for AppError {
    fn from(error: DbError) -> Self {
        Self::Internal(error.into())
    }
}

impl From<TokenError> for AppError {
    fn from(error: TokenError) -> Self {
        match error {
            TokenError::NotFound | TokenError::Deleted => Self::TokenNotFound,
            TokenError::Forbidden(_) | TokenError::ForeignScopes(_) => {
                Self::NotAllowed(error.to_string())
            }
            TokenError::Invalid(_) | TokenError::Policy(_) => {
                Self::Unprocessable(error.to_string())
            }
            TokenError::RateLimited(_) => Self::TooManyRequests(error.to_string()),
            TokenError::Db(e) => e.into(),
            _ => Self::Conflict(error.to_string()),
        }
    }
}

impl From<AdminError> for AppError {
    fn from(error: AdminError) -> Self {
        match error {
            AdminError::NotFound => Self::NotFound,
            AdminError::Forbidden(_) => Self::NotAllowed(error.to_string()),
            AdminError::Invalid(_) => Self::Unprocessable(error.to_string()),
            AdminError::OwnAccount => Self::BadRequest(error.to_string()),
            AdminError::Hashing(e) => e.into(),
            AdminError::Db(e) => e.into(),
            _ => Self::Conflict(error.to_string()),
        }
    }
}

impl From<CatalogError> for AppError {
    fn from(error: CatalogError) -> Self {
        match error {
            CatalogError::NotFound => Self::NotFound,
            CatalogError::Forbidden(_) => Self::NotAllowed(error.to_string()),
            CatalogError::Invalid(_) => Self::Unprocessable(error.to_string()),
            CatalogError::Db(e) => e.into(),
            _ => Self::Conflict(error.to_string()),
        }
    }
}

impl From<ApiKeyError> for AppError {
    fn from(error: ApiKeyError) -> Self {
        match error {
            ApiKeyError::NotFound | ApiKeyError::OwnerNotFound => Self::NotFound,
            ApiKeyError::Invalid(_) => Self::Unprocessable(error.to_string()),
            ApiKeyError::OwnerDisabled => Self::Conflict(error.to_string()),
            ApiKeyError::Forbidden(_) => Self::NotAllowed(error.to_string()),
            ApiKeyError::Db(e) => e.into(),
        }
    }
}

impl From<WebhookError> for AppError {
    fn from(error: WebhookError) -> Self {
        match error {
            WebhookError::Forbidden(_) => Self::NotAllowed(error.to_string()),
            WebhookError::NotFound => Self::NotFound,
            WebhookError::Invalid(_) => Self::Unprocessable(error.to_string()),
            WebhookError::NoEncryptionKey | WebhookError::Conflict => {
                Self::Conflict(error.to_string())
            }
            WebhookError::Db(e) => e.into(),
        }
    }
}

impl From<IdentityError> for AppError {
    fn from(error: IdentityError) -> Self {
        match error {
            IdentityError::Forbidden(_) => Self::NotAllowed(error.to_string()),
            IdentityError::NotFound => Self::NotFound,
            IdentityError::ForeignScopes(_) => Self::NotAllowed(error.to_string()),
            IdentityError::Invalid(_) => Self::Unprocessable(error.to_string()),
            IdentityError::Conflict => Self::Conflict(error.to_string()),
            IdentityError::Db(e) => e.into(),
        }
    }
}

impl From<ExpiryError> for AppError {
    fn from(error: ExpiryError) -> Self {
        match error {
            ExpiryError::Forbidden(_) => Self::NotAllowed(error.to_string()),
            ExpiryError::Invalid(_) => Self::Unprocessable(error.to_string()),
            ExpiryError::Db(e) => e.into(),
        }
    }
}

impl From<HealthError> for AppError {
    fn from(error: HealthError) -> Self {
        match error {
            HealthError::Forbidden(_) => Self::NotAllowed(error.to_string()),
            HealthError::Db(e) => e.into(),
        }
    }
}

impl From<HashingError> for AppError {
    fn from(error: HashingError) -> Self {
        match error {
            HashingError::Busy => Self::Busy,
            HashingError::Canceled => Self::internal(error),
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(error: diesel::result::Error) -> Self {
        Self::Internal(error.into())
    }
}

/// The message of an error response, for the error page renderer.
#[derive(Debug, Clone)]
pub struct ErrorMessage(pub String);

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::SignInRequired { .. } => StatusCode::SEE_OTHER,
            AppError::Forbidden | AppError::NotAllowed(_) | AppError::CrossSiteRequest => {
                StatusCode::FORBIDDEN
            }
            AppError::NotFound | AppError::TokenNotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::TimedOut => StatusCode::REQUEST_TIMEOUT,
            AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::SignInRequired { next } = self {
            let location = match next {
                Some(next) => urls::login_then(next),
                None => urls::LOGIN.to_owned(),
            };
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, location))
                .finish();
        }
        let message = match self {
            AppError::Internal(error) => {
                // The chain goes to the log, with the request ID; the page says only
                // that something failed.
                tracing::error!(error = format!("{error:#}"), "request failed");
                "Something went wrong on our side. Try again; if it keeps happening, tell your operator the request ID below.".to_owned()
            }
            other => other.to_string(),
        };
        let mut response = HttpResponse::build(self.status_code())
            .insert_header((
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            ))
            .body(message.clone());
        if matches!(self, AppError::Busy) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response.extensions_mut().insert(ErrorMessage(message));
        response
    }
}
