//! Settings > API tokens: one module per page or action, and what they share.

pub mod bulk;
pub mod create;
pub mod delete;
pub mod edit;
pub mod enable_disable;
pub mod limits;
pub mod list;
pub mod regenerate;
pub mod reveal;
pub mod revoke;
pub mod show;

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;

use super::see_other;
use crate::auth::CurrentAdmin;
use crate::auth::session::{self, FlashKind};
use crate::db::DbError;
use crate::db::catalog::{ModuleWithPaths, Scope};
use crate::db::now;
use crate::db::tokens::{self, TokenDetails};
use crate::domain::ids::Guid;
use crate::domain::permissions::Permission;
use crate::domain::scopes::policy::ScopeRules;
use crate::domain::tokens::{
    Action, TokenInput, TokenType, Validity, format_date, parse_permission,
};
use crate::domain::validation::FieldErrors;
use crate::http::AppError;
use crate::services::tokens::{self as tokens_service, TokenError};
use crate::state::AppState;
use crate::urls;
use crate::views::errors::{ConfirmPage, Confirmation, Link};
use crate::views::format::datetime;
use crate::views::tokens::questions::Question;
use crate::views::tokens::{FormMode, TokenFormPage, TokenFormValues, duration_options};
use crate::views::{Layout, Section};

/// The token, if it exists and the administrator may see it; 404 otherwise, so an
/// unknown GUID and another scope's token look the same.
pub async fn load(
    state: &AppState,
    admin: &CurrentAdmin,
    guid: Guid,
) -> Result<TokenDetails, AppError> {
    let access = admin.scope_access();
    state
        .db
        .run(move |c| tokens::find(c, &guid, &access).map_err(DbError::from))
        .await?
        .ok_or(AppError::TokenNotFound)
}

/// The question as a page of its own, for browsers without JavaScript.
pub async fn confirm_page(
    req: &HttpRequest,
    state: &AppState,
    admin: &CurrentAdmin,
    guid: Guid,
    question: &Question,
) -> Result<ConfirmPage, AppError> {
    let t = load_to_change(req, state, admin, guid).await?.token;
    let title = format!("{} {}", question.verb, t.name);
    Ok(ConfirmPage {
        layout: Layout::page(req, Some(admin), title.clone(), Section::ApiTokens),
        confirmation: Confirmation {
            title: format!("{title}?"),
            body: question.body.into(),
            button: question.button,
            danger: question.danger,
            action: urls::token_page(&t.guid, question.action),
            grace: question.grace,
        },
        back: Link {
            href: urls::token(&t.guid),
            label: t.name,
        },
        version: Some(t.version),
    })
}

/// The token, if the administrator may change it: they see it, and every one of its
/// scopes is theirs. A token they only see is refused with the scopes they lack.
pub async fn load_to_change(
    req: &HttpRequest,
    state: &AppState,
    admin: &CurrentAdmin,
    guid: Guid,
) -> Result<TokenDetails, AppError> {
    let caller = admin.caller(req);
    Ok(tokens_service::find_changeable(state.services(), &caller, &guid).await?)
}

/// What the token form offers the administrator.
pub async fn choices(
    state: &AppState,
    admin: &CurrentAdmin,
) -> Result<(Vec<Scope>, Vec<ModuleWithPaths>, Vec<ScopeRules>), AppError> {
    let access = admin.scope_access();
    Ok(state
        .db
        .run(move |c| tokens_service::form_choices(c, &access).map_err(DbError::from))
        .await?)
}

/// Where API clients (and the examples) reach the verification API.
pub fn endpoint(state: &AppState) -> String {
    format!("{}/api/v1/verify", state.config.public_url())
}

pub fn window(validity: &Validity) -> String {
    match validity.valid_to {
        Some(to) => format!(
            "valid from {} to {}",
            datetime(&validity.valid_from),
            datetime(&to)
        ),
        None => format!("valid from {}, with no end", datetime(&validity.valid_from)),
    }
}

/// What the token form posts.
#[derive(Debug, Default, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub guid: String,
    #[serde(default)]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub duration: String,
    #[serde(default)]
    pub valid_from: String,
    #[serde(default)]
    pub valid_to: String,
    #[serde(default)]
    pub token_type: String,
    #[serde(default)]
    pub permissions: Vec<String>,
    #[serde(default)]
    pub allowed_networks: String,
    /// A checkbox: present when ticked.
    #[serde(default)]
    pub can_introspect: Option<String>,
    /// The owning identity's external ID; empty for none.
    #[serde(default)]
    pub identity: String,
    #[serde(default)]
    pub version: String,
    /// `new_guid` asks for the form again with a fresh GUID.
    #[serde(default)]
    pub intent: String,
}

impl TokenForm {
    pub fn input(&self) -> TokenInput {
        TokenInput {
            name: self.name.clone(),
            description: self.description.clone(),
            guid: self.guid.clone(),
            scopes: self.scopes.clone(),
            duration: self.duration.clone(),
            valid_from: self.valid_from.clone(),
            valid_to: self.valid_to.clone(),
            token_type: self.token_type.clone(),
            permissions: self.permissions.clone(),
            allowed_networks: self.allowed_networks.clone(),
            can_introspect: self.can_introspect.is_some(),
            identity: self.identity.clone(),
        }
    }
}

/// A form with only the version of the page it was on.
#[derive(Debug, Deserialize)]
pub struct VersionForm {
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub grace: String,
}

/// Back to the page the action was started from (list with its filters, or the
/// token), when the browser says which; otherwise to the token.
pub fn return_path(req: &HttpRequest, guid: &Guid) -> String {
    let fallback = urls::token(guid);
    let Some(referer) = req.headers().get("referer").and_then(|v| v.to_str().ok()) else {
        return fallback;
    };
    let host = req.connection_info().host().to_owned();
    let path = referer
        .strip_prefix("https://")
        .or_else(|| referer.strip_prefix("http://"))
        .and_then(|rest| rest.strip_prefix(host.as_str()));
    // The list (with its filters) or one of the token's tabs; never an action's own
    // page, such as a confirmation, which would ask again.
    let page = path.map(|p| p.split('?').next().unwrap_or_default());
    let is_view = page.is_some_and(|page| {
        page == urls::TOKENS
            || (page.starts_with(urls::TOKENS)
                && page[urls::TOKENS.len()..].starts_with('/')
                && ![
                    "/new",
                    "/edit",
                    "/regenerate",
                    "/revoke",
                    "/delete",
                    "/reveal",
                ]
                .iter()
                .any(|action| page.ends_with(action)))
    });
    match path {
        Some(path) if is_view => super::safe_next(path).to_owned(),
        _ => fallback,
    }
}

/// The outcome of an action on a token: its success message, or why nothing was
/// done, shown on the page the action started from.
pub fn finish(
    session: &Session,
    result: Result<String, TokenError>,
    location: &str,
) -> Result<HttpResponse, AppError> {
    match result {
        Ok(success) => session::flash(session, FlashKind::Success, success),
        Err(error @ (TokenError::Conflict | TokenError::Refused(_))) => {
            session::flash(session, FlashKind::Error, error.to_string())
        }
        // Regenerate and enable: the token is to be edited to follow the policy first.
        Err(error @ TokenError::Policy(_)) => session::flash(
            session,
            FlashKind::Error,
            format!(
                "Nothing was done, as this token breaks its scopes' policy: {error} Edit it to follow the policy first."
            ),
        ),
        Err(error) => return Err(error.into()),
    }
    Ok(see_other(location))
}

/// The values to show again after a failed save: what was typed.
pub fn values_from(form: &TokenForm) -> TokenFormValues {
    TokenFormValues {
        name: form.name.clone(),
        description: form.description.clone(),
        guid: form.guid.clone(),
        scopes: super::parse_ids(&form.scopes),
        duration: form.duration.clone(),
        valid_from: form.valid_from.clone(),
        valid_to: form.valid_to.clone(),
        token_type: form.token_type.clone(),
        allowed_networks: form.allowed_networks.clone(),
        can_introspect: form.can_introspect.is_some(),
        identity: form.identity.clone(),
        permissions: form
            .permissions
            .iter()
            .filter_map(|p| parse_permission(p))
            .collect(),
    }
}

/// Everything the token form page needs, in either mode.
pub struct FormParts {
    pub mode: FormMode,
    pub values: TokenFormValues,
    pub errors: FieldErrors,
    pub conflict: Option<String>,
    pub scopes: Vec<Scope>,
    pub modules: Vec<ModuleWithPaths>,
    /// The policies of the scopes offered, for the form's hint.
    pub policies: Vec<ScopeRules>,
}

pub fn form_page(req: &HttpRequest, admin: &CurrentAdmin, parts: FormParts) -> TokenFormPage {
    let editing = matches!(parts.mode, FormMode::Edit { .. });
    let title = if editing {
        "Edit API token"
    } else {
        "Create API token"
    };
    let types = TokenType::ALL
        .into_iter()
        .map(|t| (t, parts.values.token_type == t.key()))
        .collect();
    TokenFormPage {
        layout: Layout::page(req, Some(admin), title, Section::ApiTokens),
        mode: parts.mode,
        values: parts.values,
        errors: parts.errors,
        conflict: parts.conflict,
        scopes: parts.scopes,
        modules: parts.modules,
        policies: parts.policies,
        manages_catalog: admin.can(Permission::SettingsManage),
        durations: duration_options(editing),
        types,
        actions: Action::ALL,
        today: format_date(now().date()),
    }
}
