//! Where the pages are. Every link and redirect the server writes is built here,
//! so a page moves in one place; `routes::router` maps the same paths to handlers.

use std::fmt::Display;

use crate::domain::ids::Guid;

pub const LOGIN: &str = "/login";
pub const SETUP_CATALOG: &str = "/setup/catalog";
pub const TOKENS: &str = "/settings/api-tokens";
pub const NEW_TOKEN: &str = "/settings/api-tokens/new";
pub const MODULES: &str = "/settings/modules";
pub const SCOPES: &str = "/settings/scopes";
pub const ADMINISTRATORS: &str = "/settings/administrators";
pub const AUDIT_LOG: &str = "/settings/audit-log";
pub const PROFILE: &str = "/profile";
pub const PROFILE_TOKENS: &str = "/profile/api-tokens";

/// The pages and actions under one token's URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPage {
    General,
    Modules,
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

/// A token's details page.
pub fn token(guid: &Guid) -> String {
    token_page(guid, TokenPage::General)
}

pub fn token_page(guid: &Guid, page: TokenPage) -> String {
    match page.segment() {
        Some(segment) => format!("{TOKENS}/{guid}/{segment}"),
        None => format!("{TOKENS}/{guid}"),
    }
}

pub fn module(id: i64) -> String {
    format!("{MODULES}/{id}")
}

pub fn module_delete(id: i64) -> String {
    format!("{MODULES}/{id}/delete")
}

pub fn scope(id: i64) -> String {
    format!("{SCOPES}/{id}")
}

pub fn scope_delete(id: i64) -> String {
    format!("{SCOPES}/{id}/delete")
}

pub fn administrator(public_id: &str) -> String {
    format!("{ADMINISTRATORS}/{public_id}")
}

/// The sign-in page, sending the administrator on to `next` afterwards.
pub fn login_then(next: &str) -> String {
    format!("{LOGIN}?next={}", crate::http::urlencode(next))
}

/// The audit log's older events, after `before`, with the filters kept.
pub fn audit_log_before(filters: &str, before: impl Display) -> String {
    if filters.is_empty() {
        format!("{AUDIT_LOG}?before={before}")
    } else {
        format!("{AUDIT_LOG}?{filters}&before={before}")
    }
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
