//! Showing or copying a token's value again, from its General tab. Only when the
//! operator set an encryption key, for administrators with `tokens.reveal`, after a
//! fresh password confirmation; rate-limited, never cached, and each time audited.
//!
//! Scripts ask for JSON (`Accept: application/json`) and show the value in place;
//! without JavaScript the form posts here and gets the General tab with the value,
//! which reloads itself, hidden again, after [`HIDE_AFTER_SECONDS`].

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::{load_to_change, show};
use crate::auth::csrf::CsrfForm;
use crate::auth::reauth::{Confirmation, confirmation};
use crate::auth::{Authorized, perm};
use crate::domain::ids::Guid;
use crate::http::AppError;
use crate::http::headers::no_store;
use crate::passwords::Password;
use crate::services::tokens::{self, RevealPurpose, TokenError};
use crate::state::AppState;
use crate::urls::{self, TokenPage};
use crate::views::render_with_status;
use crate::views::tokens::{ConfirmPasswordPage, Tab, TokenValue};
use crate::views::{Layout, Refresh, Section};

type Revealer = Authorized<perm::TokensReveal>;

const CONFIRM_PROMPT: &str =
    "To show a token's value, type your password again. It is asked at most once every 5 minutes.";

/// How long a shown value stays on screen.
pub const HIDE_AFTER_SECONDS: u32 = 30;

#[derive(Deserialize)]
pub struct RevealForm {
    /// `show` or `copy`, for the audit log.
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    password: Option<Password>,
}

/// Why a value cannot be shown, with the status that says so.
struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl Refusal {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }
}

fn wants_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Revealer,
    guid: web::Path<Guid>,
    CsrfForm(form): CsrfForm<RevealForm>,
) -> Result<HttpResponse, AppError> {
    let json = wants_json(&req);
    let purpose = if form.purpose == "copy" {
        RevealPurpose::Copy
    } else {
        RevealPurpose::Show
    };
    let token = match load_to_change(&req, &state, &admin, guid.into_inner()).await {
        Err(AppError::NotAllowed(message)) => {
            return refuse(
                json,
                Refusal::new(StatusCode::FORBIDDEN, "scope_not_managed", message),
            );
        }
        other => other?,
    };
    // Said before the password is asked for; the use case checks again.
    if state.config.encryption_key.is_none() {
        let error = TokenError::NoEncryptionKey;
        return refuse(
            json,
            Refusal::new(StatusCode::CONFLICT, "not_available", error.to_string()),
        );
    }
    if !token.has_sealed_secret {
        let error = TokenError::ValueNotKept;
        return refuse(
            json,
            Refusal::new(StatusCode::CONFLICT, "not_stored", error.to_string()),
        );
    }
    let admin_id = admin.admin.admin.id;
    let refused = match confirmation(&state, &session, admin_id, form.password).await? {
        Confirmation::Fresh => None,
        Confirmation::Needed => Some(None),
        Confirmation::Refused(message) => Some(Some(message)),
    };
    if let Some(error) = refused {
        if json {
            let message = error.as_deref().unwrap_or(CONFIRM_PROMPT);
            return Ok(no_store(
                HttpResponse::Unauthorized()
                    .json(json!({ "code": "confirm_password", "message": message })),
            ));
        }
        let page = ConfirmPasswordPage {
            layout: Layout::page(
                &req,
                Some(&admin.admin),
                "Confirm your password",
                Section::ApiTokens,
            ),
            action: urls::token_page(&token.token.guid, TokenPage::Reveal),
            back: urls::token(&token.token.guid),
            purpose: purpose.key().to_owned(),
            prompt: CONFIRM_PROMPT,
            error,
        };
        return render_with_status(StatusCode::UNAUTHORIZED, &page).map(no_store);
    }

    let revealed = tokens::reveal(
        state.services(),
        &admin.caller(&req),
        &token.token.guid,
        purpose,
    )
    .await;
    let secret = match revealed {
        Ok(secret) => secret,
        Err(error) => {
            let (status, code) = match error {
                TokenError::RateLimited(_) => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
                TokenError::NoEncryptionKey => (StatusCode::CONFLICT, "not_available"),
                TokenError::ValueNotKept => (StatusCode::CONFLICT, "not_stored"),
                TokenError::WrongEncryptionKey => (StatusCode::CONFLICT, "wrong_key"),
                TokenError::ForeignScopes(_) => (StatusCode::FORBIDDEN, "scope_not_managed"),
                other => return Err(other.into()),
            };
            return refuse(json, Refusal::new(status, code, error.to_string()));
        }
    };
    if json {
        return Ok(no_store(HttpResponse::Ok().json(json!({
            "token": secret.expose(),
            "hide_after_seconds": HIDE_AFTER_SECONDS,
        }))));
    }
    let mut page = show::page(&req, &state, &admin.admin, token, Tab::General).await?;
    page.layout.refresh = Some(Refresh {
        seconds: HIDE_AFTER_SECONDS,
        url: urls::token(&page.guid),
    });
    page.value = TokenValue::Revealed(secret.expose().to_owned());
    render_with_status(StatusCode::OK, &page).map(no_store)
}

fn refuse(json: bool, refusal: Refusal) -> Result<HttpResponse, AppError> {
    if json {
        return Ok(no_store(HttpResponse::build(refusal.status).json(
            json!({ "code": refusal.code, "message": refusal.message }),
        )));
    }
    Err(match refusal.status {
        StatusCode::TOO_MANY_REQUESTS => AppError::TooManyRequests(refusal.message),
        _ => AppError::Conflict(refusal.message),
    })
}
