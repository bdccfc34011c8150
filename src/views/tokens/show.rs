//! A token's tabs (General, Modules, Usage, Details) and the password confirmation
//! before showing its value.

use askama::Template;
use askama_web::WebTemplate;

pub use super::usage::UsageTab;
use super::{Badge, TokenActions};
use crate::domain::ids::Guid;
use crate::domain::tokens::TokenType;
use crate::urls::{self, TokenPage};
use crate::views::Layout;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    General,
    Modules,
    Usage,
    Details,
}

pub struct TabLink {
    pub label: &'static str,
    pub href: String,
    pub current: bool,
}

pub struct ModuleGrant {
    pub name: String,
    pub key: String,
    pub read: bool,
    pub write: bool,
}

pub struct HistoryRow {
    pub when: String,
    pub actor: String,
    pub action: String,
    pub ip: String,
    pub details: String,
}

pub struct DetailRow {
    pub label: &'static str,
    pub value: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "tokens/show.html")]
pub struct TokenShowPage {
    pub layout: Layout,
    pub tab: Tab,
    pub tabs: Vec<TabLink>,
    pub guid: Guid,
    pub name: String,
    pub description: String,
    pub badge: Badge,
    pub version: i32,
    pub actions: TokenActions,
    /// Why an administrator who may change tokens cannot change this one.
    pub scope_note: Option<String>,
    pub endpoint: String,
    pub hint: String,
    pub token_type: TokenType,
    pub scopes: String,
    pub grants: Vec<ModuleGrant>,
    pub details: Vec<DetailRow>,
    pub history: Vec<HistoryRow>,
    /// "valid from ... to ...", under the name.
    pub window: String,
    /// The allow-list, or that any address may use the token.
    pub networks: String,
    pub can_introspect: bool,
    /// The Usage tab's charts and tables, on that tab.
    pub usage: Option<UsageTab>,
    pub value: TokenValue,
    pub hide_after_seconds: u32,
}

/// What the General tab may show of the token's value.
pub enum TokenValue {
    /// No encryption key is set: every value is shown once.
    ShownOnce,
    /// A key is set, but this value was not kept (created before the key, or the
    /// token can no longer pass).
    NotStored,
    /// Kept, but this administrator may not show it.
    NoPermission,
    /// Kept, and this administrator may show and copy it.
    Revealable,
    /// Shown now, on the page that hides it again by itself.
    Revealed(String),
}

/// "Confirm your password" before a sensitive action, without JavaScript.
#[derive(Template, WebTemplate)]
#[template(path = "auth/confirm_password.html")]
pub struct ConfirmPasswordPage {
    pub layout: Layout,
    pub action: String,
    pub back: String,
    pub purpose: String,
    pub prompt: &'static str,
    /// The typed password did not do.
    pub error: Option<String>,
}

pub fn tabs(guid: &Guid, current: Tab) -> Vec<TabLink> {
    [
        (Tab::General, "General", TokenPage::General),
        (Tab::Modules, "Modules", TokenPage::Modules),
        (Tab::Usage, "Usage", TokenPage::Usage),
        (Tab::Details, "Details", TokenPage::Details),
    ]
    .into_iter()
    .map(|(tab, label, page)| TabLink {
        label,
        href: urls::token_page(guid, page),
        current: tab == current,
    })
    .collect()
}
