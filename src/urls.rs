//! Where the pages are. Every link and redirect the server writes is built here,
//! so a page moves in one place; `routes::router` maps the same paths to handlers.

use std::fmt::Display;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::domain::ids::Guid;
use crate::domain::tokens::TokenChange;

pub const HOME: &str = "/";
pub const LOGIN: &str = "/login";
pub const LOGOUT: &str = "/logout";
pub const SSO_START: &str = "/login/sso";
pub const SSO_CALLBACK: &str = "/login/sso/callback";
pub const SIGN_IN_LINK: &str = "/login/link";
pub const SETUP: &str = "/setup";
pub const SETUP_CATALOG: &str = "/setup/catalog";
pub const SETUP_EXAMPLES: &str = "/setup/catalog/examples";
pub const TOKENS: &str = "/settings/api-tokens";
pub const NEW_TOKEN: &str = "/settings/api-tokens/new";
pub const TOKENS_BULK: &str = "/settings/api-tokens/bulk";
pub const MODULES: &str = "/settings/modules";
pub const SCOPES: &str = "/settings/scopes";
pub const ADMINISTRATORS: &str = "/settings/administrators";
pub const NEW_ADMINISTRATOR: &str = "/settings/administrators/new";
pub const AUDIT_LOG: &str = "/settings/audit-log";
pub const USAGE: &str = "/settings/usage";
pub const HEALTH: &str = "/settings/token-health";
pub const WEBHOOKS: &str = "/settings/webhooks";
pub const NOTIFICATIONS: &str = "/settings/notifications";
pub const NOTIFICATIONS_TEST_MAIL: &str = "/settings/notifications/test-mail";
pub const PROFILE_EXPIRY_MAIL: &str = "/profile/expiry-mail";
pub const NEW_WEBHOOK: &str = "/settings/webhooks/new";
pub const PROFILE: &str = "/profile";
pub const PROFILE_PASSWORD: &str = "/profile/password";
pub const PROFILE_TOKENS: &str = "/profile/api-tokens";
pub const PROFILE_API_KEYS: &str = "/profile/api-keys";
/// The management API's OpenAPI document.
pub const OPENAPI_DOCUMENT: &str = "/api/v1/openapi.json";
pub const API_DOCS: &str = "/api/docs";
pub const SIGN_OUT_EVERYWHERE: &str = "/profile/sign-out-everywhere";

/// The pages and actions under one token's URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPage {
    General,
    Modules,
    Usage,
    Details,
    Edit,
    Regenerate,
    Revoke,
    Delete,
    Reveal,
    Enable,
    Disable,
}

impl TokenPage {
    fn segment(self) -> Option<&'static str> {
        Some(match self {
            TokenPage::General => return None,
            TokenPage::Modules => "modules",
            TokenPage::Usage => "usage",
            TokenPage::Details => "details",
            TokenPage::Edit => "edit",
            TokenPage::Regenerate => "regenerate",
            TokenPage::Revoke => "revoke",
            TokenPage::Delete => "delete",
            TokenPage::Reveal => "reveal",
            TokenPage::Enable => "enable",
            TokenPage::Disable => "disable",
        })
    }
}

/// Where each change to a token is asked for (and confirmed, where it asks).
impl From<TokenChange> for TokenPage {
    fn from(change: TokenChange) -> Self {
        match change {
            TokenChange::Edit => TokenPage::Edit,
            TokenChange::Regenerate => TokenPage::Regenerate,
            TokenChange::Disable => TokenPage::Disable,
            TokenChange::Enable => TokenPage::Enable,
            TokenChange::Revoke => TokenPage::Revoke,
            TokenChange::Delete => TokenPage::Delete,
        }
    }
}

/// A token's details page.
/// Signing in through the identity provider, then going on to `next`.
pub fn sso_start(next: &str) -> String {
    if next.is_empty() {
        SSO_START.to_owned()
    } else {
        format!(
            "{SSO_START}?next={}",
            utf8_percent_encode(next, QUERY_VALUE)
        )
    }
}

/// Where a token's limits and credits are saved.
pub fn token_limits(guid: &Guid) -> String {
    format!("{TOKENS}/{guid}/limits")
}

pub const IDENTITIES: &str = "/settings/identities";
pub const NEW_IDENTITY: &str = "/settings/identities/new";

/// An identity's page; `action` is a segment below it (`edit`, `limits`, `delete`).
pub fn identity(public_id: &str) -> String {
    format!(
        "{IDENTITIES}/{}",
        utf8_percent_encode(public_id, QUERY_VALUE)
    )
}

pub fn identity_action(public_id: &str, action: &str) -> String {
    format!("{}/{action}", identity(public_id))
}

pub fn token(guid: &Guid) -> String {
    token_page(guid, TokenPage::General)
}

pub fn token_page(guid: &Guid, page: TokenPage) -> String {
    match page.segment() {
        Some(segment) => format!("{TOKENS}/{guid}/{segment}"),
        None => format!("{TOKENS}/{guid}"),
    }
}

pub fn module_edit(id: impl Display) -> String {
    format!("{MODULES}/{id}/edit")
}

pub fn module_delete(id: impl Display) -> String {
    format!("{MODULES}/{id}/delete")
}

pub fn scope_edit(id: impl Display) -> String {
    format!("{SCOPES}/{id}/edit")
}

/// The export of a list (`/settings/api-tokens/export.csv?…`), with its filters.
pub fn export(list: &str, extension: &str, query: &str) -> String {
    if query.is_empty() {
        format!("{list}/export.{extension}")
    } else {
        format!("{list}/export.{extension}?{query}")
    }
}

pub fn scope_policy(id: impl Display) -> String {
    format!("{SCOPES}/{id}/policy")
}

pub fn scope_delete(id: impl Display) -> String {
    format!("{SCOPES}/{id}/delete")
}

/// Revoking one's own API key.
pub fn api_key_revoke(public_id: &str) -> String {
    format!("{PROFILE_API_KEYS}/{public_id}/revoke")
}

/// An administrator's page, where their role, scopes and name are changed.
pub fn administrator(public_id: &str) -> String {
    format!("{ADMINISTRATORS}/{public_id}")
}

/// Revoking an administrator's API key from their page.
pub fn administrator_api_key_revoke(admin_public_id: &str, key_public_id: &str) -> String {
    format!("{ADMINISTRATORS}/{admin_public_id}/api-keys/{key_public_id}/revoke")
}

/// What can be done to an administrator from their page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdministratorAction {
    SetPassword,
    Disable,
    Enable,
}

pub fn administrator_action(public_id: &str, action: AdministratorAction) -> String {
    let segment = match action {
        AdministratorAction::SetPassword => "password",
        AdministratorAction::Disable => "disable",
        AdministratorAction::Enable => "enable",
    };
    format!("{ADMINISTRATORS}/{public_id}/{segment}")
}

/// What a path keeps readable inside a query string value.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// The sign-in page, sending the administrator on to `next` afterwards.
pub fn login_then(next: &str) -> String {
    format!("{LOGIN}?next={}", utf8_percent_encode(next, QUERY_VALUE))
}

/// The audit log's older events, after `before`, with the filters kept.
pub fn audit_log_before(filters: &str, before: impl Display) -> String {
    older(AUDIT_LOG, filters, before)
}

/// Settings > Token health, showing one finding, of one scope if given.
pub fn health(finding: &str, days: i64, scope: Option<i64>) -> String {
    let mut url = format!("{HEALTH}?finding={finding}&days={days}");
    if let Some(scope) = scope {
        url.push_str(&format!("&scope={scope}"));
    }
    url
}

/// What a bulk action did.
pub fn bulk_result(batch: &str) -> String {
    format!("{TOKENS_BULK}/{}", utf8_percent_encode(batch, QUERY_VALUE))
}

/// The audit log's events of one bulk action.
pub fn audit_batch(batch: &str) -> String {
    format!(
        "{AUDIT_LOG}?batch={}",
        utf8_percent_encode(batch, QUERY_VALUE)
    )
}

/// The events at `base` older than `before`, with the filters kept.
pub fn older(base: &str, filters: &str, before: impl Display) -> String {
    if filters.is_empty() {
        format!("{base}?before={before}")
    } else {
        format!("{base}?{filters}&before={before}")
    }
}

/// A webhook's page, or one of its actions (`test`, `rotate-secret`, `enable`,
/// `disable`, `delete`) when `action` is given.
pub fn webhook(public_id: &str, action: Option<&str>) -> String {
    match action {
        Some(action) => format!("{WEBHOOKS}/{public_id}/{action}"),
        None => format!("{WEBHOOKS}/{public_id}"),
    }
}

pub fn webhook_redeliver(public_id: &str, delivery: i64) -> String {
    format!("{WEBHOOKS}/{public_id}/deliveries/{delivery}/redeliver")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_pages_sit_under_the_token() {
        let guid = Guid::parse("3f2504e0-4f89-11d3-9a0c-0305e82c3301").unwrap();
        assert_eq!(
            token(&guid),
            "/settings/api-tokens/3f2504e0-4f89-11d3-9a0c-0305e82c3301"
        );
        assert_eq!(
            token_page(&guid, TokenPage::Revoke),
            "/settings/api-tokens/3f2504e0-4f89-11d3-9a0c-0305e82c3301/revoke"
        );
        assert_eq!(
            login_then("/settings/x?a=b"),
            "/login?next=/settings/x%3Fa%3Db"
        );
    }
}
