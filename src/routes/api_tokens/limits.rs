//! A token's rate limits and credits on its page, its identity's beside them, and
//! the form that changes its own.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::auth::session::{self, FlashKind};
use crate::auth::{Authorized, CurrentAdmin, perm};
use crate::db::limits::{self, Owner};
use crate::db::tokens::TokenDetails;
use crate::db::{DbError, now};
use crate::domain::ids::Guid;
use crate::domain::limits::read_form;
use crate::domain::permissions::Permission;
use crate::http::AppError;
use crate::routes::see_other;
use crate::services::limits as service;
use crate::state::AppState;
use crate::urls;
use crate::views::limits::{LimitsPanel, OwnerLink, TokenControl};

/// The usage-control form as posted.
#[derive(Debug, Default, Deserialize)]
pub struct LimitsFields {
    #[serde(default)]
    pub limits: String,
    #[serde(default)]
    pub credits: String,
    #[serde(default)]
    pub refill: String,
    #[serde(default)]
    pub refill_amount: String,
}

/// The token's panel, and its identity's.
pub async fn control(
    state: &AppState,
    admin: &CurrentAdmin,
    token: &TokenDetails,
) -> Result<TokenControl, AppError> {
    let id = token.token.id;
    let owner = token.identity.clone();
    let (own, shared) = state
        .db
        .run(move |c| {
            let own = limits::of_owner(c, Owner::Token(id))?;
            let shared = match &owner {
                Some(identity) => Some(limits::of_owner(c, Owner::Identity(identity.id))?),
                None => None,
            };
            Ok::<_, DbError>((own, shared))
        })
        .await?;
    let limiter = &state.verifier.limiter;
    let now = now();
    let may_change = admin.can(Permission::TokensUpdate)
        && admin.scope_access().foreign(&token.scopes).is_empty();
    let action = may_change.then(|| urls::token_limits(&token.token.guid));
    Ok(TokenControl {
        own: LimitsPanel::new(&own.0, own.1.as_ref(), limiter, now, action),
        owner: token
            .identity
            .as_ref()
            .zip(shared)
            .map(|(identity, (l, c))| {
                (
                    OwnerLink {
                        name: identity.name.clone(),
                        external_id: identity.external_id.clone(),
                        href: urls::identity(&identity.public_id),
                    },
                    LimitsPanel::new(&l, c.as_ref(), limiter, now, None),
                )
            }),
    })
}

pub async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: Authorized<perm::TokensUpdate>,
    guid: web::Path<Guid>,
    form: CsrfForm<LimitsFields>,
) -> Result<HttpResponse, AppError> {
    let back = urls::token(&guid);
    let f = &form.0;
    let control = match read_form(&f.limits, &f.credits, &f.refill, &f.refill_amount) {
        Ok(control) => control,
        Err(errors) => {
            let message = errors.iter().map(|(_, m)| m).collect::<Vec<_>>().join(" ");
            session::flash(&session, FlashKind::Error, message);
            return Ok(see_other(&back));
        }
    };
    service::set_for_token(state.services(), &admin.caller(&req), &guid, control).await?;
    session::flash(&session, FlashKind::Success, "Limits and credits saved.");
    Ok(see_other(&back))
}
