//! The token's details page and its tabs: General, Modules, Usage, Details.

use actix_web::{HttpRequest, web};

use super::{endpoint, load, window};
use crate::auth::{Authorized, CurrentAdmin, perm};
use crate::db::audit;
use crate::db::catalog;
use crate::db::tokens::TokenDetails;
use crate::db::{DbError, now};
use crate::domain::audit::TargetKind;
use crate::domain::ids::Guid;
use crate::domain::permissions::Permission;
use crate::domain::scopes::change_refusal;
use crate::domain::tokens::Action;
use crate::domain::usage::series::Period;
use crate::domain::verification::last_use_precision;
use crate::http::AppError;
use crate::routes::usage::{UsageQuery, period_of};
use crate::services::usage;
use crate::state::AppState;
use crate::views::format::{datetime, optional_datetime};
use crate::views::limits::OwnerLink;
use crate::views::tokens::history;
use crate::views::tokens::{
    DetailRow, HistoryRow, ModuleGrant, Tab, TokenActions, TokenShowPage, TokenValue, UsageTab,
    summary, tabs,
};
use crate::views::{Layout, Section};

type Reader = Authorized<perm::TokensRead>;

/// The General tab, with the last 30 days' figures of the Usage tab.
pub async fn general(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Reader,
    guid: web::Path<Guid>,
) -> Result<TokenShowPage, AppError> {
    with_usage(
        &req,
        &state,
        &admin,
        guid.into_inner(),
        Period::Month,
        Tab::General,
    )
    .await
}

pub async fn modules(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Reader,
    guid: web::Path<Guid>,
) -> Result<TokenShowPage, AppError> {
    render(&req, &state, &admin, guid.into_inner(), Tab::Modules).await
}

/// The Usage tab.
pub async fn usage(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Reader,
    guid: web::Path<Guid>,
    query: web::Query<UsageQuery>,
) -> Result<TokenShowPage, AppError> {
    let period = period_of(&query);
    with_usage(&req, &state, &admin, guid.into_inner(), period, Tab::Usage).await
}

async fn with_usage(
    req: &HttpRequest,
    state: &AppState,
    admin: &Reader,
    guid: Guid,
    period: Period,
    tab: Tab,
) -> Result<TokenShowPage, AppError> {
    let token = load(state, admin, guid).await?;
    let usage = usage::for_token(&state.db, token.token.id, period.window(now())).await?;
    let usage = UsageTab::new(&token.token.guid, period, usage);
    let control = super::limits::control(state, admin, &token).await?;
    let mut page = page(req, state, admin, token, tab).await?;
    page.usage = Some(usage);
    page.control = Some(control);
    Ok(page)
}

pub async fn details(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Reader,
    guid: web::Path<Guid>,
) -> Result<TokenShowPage, AppError> {
    render(&req, &state, &admin, guid.into_inner(), Tab::Details).await
}

async fn render(
    req: &HttpRequest,
    state: &AppState,
    admin: &Reader,
    guid: Guid,
    tab: Tab,
) -> Result<TokenShowPage, AppError> {
    let token = load(state, admin, guid).await?;
    page(req, state, admin, token, tab).await
}

/// What the administrator may learn of the token's value on the General tab.
fn value_access(state: &AppState, admin: &CurrentAdmin, token: &TokenDetails) -> TokenValue {
    if state.config.encryption_key.is_none() {
        TokenValue::ShownOnce
    } else if !token.has_sealed_secret {
        TokenValue::NotStored
    } else if !admin.can(Permission::TokensReveal) {
        TokenValue::NoPermission
    } else {
        TokenValue::Revealable
    }
}

/// The page of a loaded token, on one of its tabs.
pub async fn page(
    req: &HttpRequest,
    state: &AppState,
    admin: &CurrentAdmin,
    token: TokenDetails,
    tab: Tab,
) -> Result<TokenShowPage, AppError> {
    let now = now();
    let status = token.token.status(now);
    let (grants, history, names) = {
        let guid = token.token.guid.clone();
        let needs_modules = tab == Tab::Modules;
        let needs_history = tab == Tab::Details;
        state
            .db
            .run(move |c| {
                let modules = if needs_modules || needs_history {
                    catalog::list_modules(c)?
                } else {
                    Vec::new()
                };
                let (history, scopes) = if needs_history {
                    let scopes: Vec<(i64, String)> = catalog::list_scopes(c)?
                        .into_iter()
                        .map(|s| (s.id, s.name))
                        .collect();
                    (
                        audit::for_target(c, TargetKind::Token, guid.as_str())?,
                        scopes,
                    )
                } else {
                    (Vec::new(), Vec::new())
                };
                let module_names: Vec<(i64, String)> = modules
                    .iter()
                    .map(|m| (m.module.id, m.module.name.clone()))
                    .collect();
                Ok::<_, DbError>((modules, history, (scopes, module_names)))
            })
            .await?
    };
    let grants = grants
        .into_iter()
        .map(|m| ModuleGrant {
            read: token.grants(m.module.id, Action::Read),
            write: token.grants(m.module.id, Action::Write),
            name: m.module.name,
            key: m.module.module_key,
        })
        .collect();
    let history = history
        .into_iter()
        .map(|e| HistoryRow {
            when: datetime(&e.occurred_at),
            actor: e.actor_label,
            action: e.action.label().to_owned(),
            ip: e.ip.unwrap_or_else(|| "—".into()),
            details: history::sentence(
                &e.details,
                &history::Names {
                    scopes: &names.0,
                    modules: &names.1,
                },
            ),
        })
        .collect();
    let t = &token.token;
    let precision = last_use_precision(state.config.verifier.usage_granularity);
    let last_used = match (&t.last_used_at, &t.last_used_ip) {
        (Some(at), Some(ip)) => format!("{} from {ip} (last used {precision})", datetime(at)),
        (Some(at), None) => format!("{} (last used {precision})", datetime(at)),
        _ => "Never".into(),
    };
    let mut details = vec![
        DetailRow {
            label: "Created",
            value: format!(
                "{} by {}",
                datetime(&t.created_at),
                token.created_by_label()
            ),
        },
        DetailRow {
            label: "Updated",
            value: datetime(&t.updated_at),
        },
        DetailRow {
            label: "Valid from",
            value: datetime(&t.valid_from),
        },
        DetailRow {
            label: "Valid to",
            value: optional_datetime(&t.valid_to, "No end date"),
        },
        DetailRow {
            label: "Last used",
            value: last_used,
        },
        DetailRow {
            label: "Last user agent",
            value: t.last_used_user_agent.clone().unwrap_or_else(|| "—".into()),
        },
    ];
    for (label, value) in [
        ("Disabled", &t.disabled_at),
        ("Revoked", &t.revoked_at),
        ("Deleted", &t.deleted_at),
    ] {
        if let Some(at) = value {
            details.push(DetailRow {
                label,
                value: datetime(at),
            });
        }
    }
    if let Some(until) = t.previous_secret_expires_at.filter(|until| *until > now) {
        details.push(DetailRow {
            label: "Previous secret works until",
            value: datetime(&until),
        });
    }
    let scopes = token
        .scopes
        .iter()
        .map(|(_, name)| name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    // Every scope of the token must be the administrator's to change it.
    let foreign = admin.scope_access().foreign(&token.scopes);
    let actions = TokenActions::new(
        status,
        admin.can(Permission::TokensUpdate),
        admin.can(Permission::TokensDelete),
        foreign.is_empty(),
    );
    let scope_note = actions
        .scope_locked
        .then(|| change_refusal(&t.name, &foreign));
    Ok(TokenShowPage {
        layout: Layout::page(req, Some(admin), t.name.clone(), Section::ApiTokens),
        tab,
        tabs: tabs(&t.guid, tab),
        guid: t.guid.clone(),
        name: t.name.clone(),
        description: t.description.clone(),
        badge: status.into(),
        version: t.version,
        actions,
        scope_note,
        endpoint: endpoint(state),
        hint: t.secret_hint.clone(),
        token_type: t.token_type,
        scopes,
        grants,
        details,
        history,
        window: window(&t.validity()),
        summary: summary(&token, now),
        networks: if token.allowed_networks.is_empty() {
            "Any address".into()
        } else {
            token.allowed_networks.join(", ")
        },
        can_introspect: t.can_introspect(),
        usage: None,
        control: None,
        owner: token.identity.as_ref().map(|i| OwnerLink {
            name: i.name.clone(),
            external_id: i.external_id.clone(),
            href: crate::urls::identity(&i.public_id),
        }),
        value: value_access(state, admin, &token),
        hide_after_seconds: super::reveal::HIDE_AFTER_SECONDS,
    })
}
