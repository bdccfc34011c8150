//! `/settings/api-tokens/{guid}/regenerate`: a new secret for the same token, shown
//! once; the previous one stops now or after a chosen grace period.

use actix_web::{HttpRequest, HttpResponse, web};
use diesel::Connection;
use time::Duration;

use super::create::reveal;
use super::{VersionForm, finish, load_to_change, target};
use crate::auth::csrf::CsrfForm;
use crate::auth::{Authorized, perm};
use crate::db::audit;
use crate::db::now;
use crate::db::tokens::{self, TokenWriteError};
use crate::domain::audit::AuditAction;
use crate::domain::tokens::SecretToken;
use crate::http::AppError;
use crate::routes::parse_version;
use crate::state::AppState;
use crate::views::errors::{ConfirmPage, Confirmation, Link};
use crate::views::format::datetime;
use crate::views::{Layout, Section};

type Editor = Authorized<perm::TokensUpdate>;

/// How long the previous secret may keep working.
fn grace(choice: &str) -> Result<Option<Duration>, AppError> {
    match choice {
        "" | "none" => Ok(None),
        "1h" => Ok(Some(Duration::hours(1))),
        "24h" => Ok(Some(Duration::hours(24))),
        "7d" => Ok(Some(Duration::days(7))),
        _ => Err(AppError::bad_request(
            "Choose a grace period from the list.",
        )),
    }
}

pub async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Editor,
    guid: web::Path<String>,
) -> Result<ConfirmPage, AppError> {
    let token = load_to_change(&state, &admin, guid.into_inner()).await?;
    let t = token.token;
    Ok(ConfirmPage {
        layout: Layout::page(&req, Some(&admin), format!("Regenerate {}", t.name), Section::ApiTokens),
        confirmation: Confirmation {
            title: format!("Regenerate {}?", t.name),
            body: "A new secret replaces the current one, with the same settings. The new secret is shown once.".into(),
            button: "Regenerate",
            danger: false,
            action: format!("/settings/api-tokens/{}/regenerate", t.guid),
            grace: true,
        },
        back: Link {
            href: format!("/settings/api-tokens/{}", t.guid),
            label: t.name,
        },
        version: Some(t.version),
    })
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: actix_session::Session,
    admin: Editor,
    guid: web::Path<String>,
    CsrfForm(form): CsrfForm<VersionForm>,
) -> Result<HttpResponse, AppError> {
    let token = load_to_change(&state, &admin, guid.into_inner()).await?;
    let version = parse_version(&form.version)?;
    let previous_until = grace(&form.grace)?.map(|g| now() + g);
    let secret = SecretToken::generate();
    let stored = secret.to_store(&token.token.guid, state.config.encryption_key.as_ref());
    let actor = admin.actor(&req);
    let (id, guid, name) = (
        token.token.id,
        token.token.guid.clone(),
        token.token.name.clone(),
    );
    let result = state
        .db
        .run(move |c| {
            c.transaction(|c| {
                tokens::regenerate(c, id, version, &stored, previous_until)?;
                let details = serde_json::json!({
                    "previous_secret_until": previous_until.as_ref().map(crate::domain::timestamps::iso),
                })
                .to_string();
                audit::record(
                    c,
                    &actor,
                    AuditAction::TokenRegenerated.key(),
                    &target(&guid, &name),
                    &details,
                )?;
                Ok::<_, TokenWriteError>(())
            })
        })
        .await;
    // The next verification on this instance sees the change.
    state.verifier.token_changed(&token.token.guid);
    match result {
        Ok(()) => reveal(
            &req,
            &state,
            &admin,
            "Token regenerated",
            &token.token.name,
            &token.token.guid,
            &secret,
            previous_until.as_ref().map(datetime),
        ),
        // A reload of the one-time page lands here: the version is spent.
        Err(e) => finish(
            &session,
            Err(e),
            &format!("/settings/api-tokens/{}", token.token.guid),
            String::new(),
        ),
    }
}
