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

use super::{load_to_change, show, target};
use crate::auth::csrf::CsrfForm;
use crate::passwords::Password;
use crate::auth::reauth::{Confirmation, confirmation};
use crate::auth::{Authorized, perm};
use crate::db::{DbError, audit, throttle, tokens};
use crate::domain::audit::AuditAction;
use crate::domain::digest::sha256_hex;
use crate::domain::throttle::{REVEALS, wait_text};
use crate::domain::tokens::SecretToken;
use crate::http::AppError;
use crate::http::headers::no_store;
use crate::state::AppState;
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

fn throttle_key(admin_id: i64) -> String {
    sha256_hex(format!("token-reveal\n{admin_id}").as_bytes())
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Revealer,
    guid: web::Path<String>,
    CsrfForm(form): CsrfForm<RevealForm>,
) -> Result<HttpResponse, AppError> {
    let json = wants_json(&req);
    let purpose = if form.purpose == "copy" {
        "copy"
    } else {
        "show"
    };
    let token = match load_to_change(&state, &admin, guid.into_inner()).await {
        Err(AppError::NotAllowed(message)) => {
            return refuse(
                json,
                Refusal::new(StatusCode::FORBIDDEN, "scope_not_managed", message),
            );
        }
        other => other?,
    };
    let Some(key) = state.config.encryption_key.clone() else {
        return refuse(
            json,
            Refusal::new(
                StatusCode::CONFLICT,
                "not_available",
                "Token values cannot be shown again here: no encryption key is set, so each value was shown once.",
            ),
        );
    };
    if !token.has_sealed_secret {
        return refuse(
            json,
            Refusal::new(
                StatusCode::CONFLICT,
                "not_stored",
                "This token's value was not kept, so it cannot be shown again. Regenerate the token to get a new one.",
            ),
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
            action: format!("/settings/api-tokens/{}/reveal", token.token.guid),
            back: format!("/settings/api-tokens/{}", token.token.guid),
            purpose: purpose.to_owned(),
            prompt: CONFIRM_PROMPT,
            error,
        };
        return render_with_status(StatusCode::UNAUTHORIZED, &page).map(no_store);
    }

    let (id, guid, name) = (
        token.token.id,
        token.token.guid.clone(),
        token.token.name.clone(),
    );
    let actor = admin.actor(&req);
    let opened = state
        .db
        .run(move |c| {
            // Counted before anything is shown, in one statement: concurrent
            // reveals cannot outrun the limit.
            let counter = throttle::count_attempt(c, &throttle_key(admin_id), &REVEALS)?;
            if let Some(wait) = REVEALS.judge(&counter, crate::db::now()).wait() {
                return Ok::<_, DbError>(Err(Refusal::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    format!("You have shown many token values in a short time. Try again in {}.", wait_text(wait)),
                )));
            }
            let Some(sealed) = tokens::sealed_secret(c, id)? else {
                return Ok(Err(Refusal::new(
                    StatusCode::CONFLICT,
                    "not_stored",
                    "This token's value is no longer kept.",
                )));
            };
            let Ok(secret) = SecretToken::unseal(&key, &guid, &sealed) else {
                return Ok(Err(Refusal::new(
                    StatusCode::CONFLICT,
                    "wrong_key",
                    "The stored value does not decrypt with the encryption key Tessera runs with. Was the key changed without `tessera keys rotate`?",
                )));
            };
            audit::record(
                c,
                &actor,
                AuditAction::TokenRevealed.key(),
                &target(&guid, &name),
                &json!({ "purpose": purpose }).to_string(),
            )?;
            Ok(Ok(secret))
        })
        .await?;
    let secret = match opened {
        Ok(secret) => secret,
        Err(refusal) => return refuse(json, refusal),
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
        url: format!("/settings/api-tokens/{}", page.guid),
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
