//! A token's tabs (General, Modules, Usage, Details) and the password confirmation
//! before showing its value.

use askama::Template;
use askama_web::WebTemplate;

pub use super::usage::UsageTab;
use super::{Badge, TokenActions};
use time::PrimitiveDateTime;

use crate::db::tokens::TokenDetails;
use crate::domain::ids::Guid;
use crate::domain::tokens::{TokenStatus, TokenType};
use crate::urls::{self, TokenPage};
use crate::views::Layout;
use crate::views::format::Moment;

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
    /// Its end, last use and making, above the tabs.
    pub summary: Vec<Fact>,
    /// The allow-list, or that any address may use the token.
    pub networks: String,
    pub can_introspect: bool,
    /// The Usage tab's charts and tables, on that tab.
    pub usage: Option<UsageTab>,
    /// Rate limits and credits, on the General and Usage tabs.
    pub control: Option<crate::views::limits::TokenControl>,
    /// The identity that owns the token.
    pub owner: Option<crate::views::limits::OwnerLink>,
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

/// One fact of the strip above a token's tabs: "Expires in 3 months (2027-03-31)".
pub struct Fact {
    pub label: &'static str,
    pub at: Moment,
    /// The day, after a relative moment; empty otherwise.
    pub day: String,
}

/// The strip above a token's tabs: when its validity ends (or ended, and why),
/// when it was last used, and who made it when.
pub fn summary(token: &TokenDetails, now: PrimitiveDateTime) -> Vec<Fact> {
    let t = &token.token;
    let fact = |label, at: &Option<PrimitiveDateTime>, none: &str| Fact {
        label,
        at: Moment::or(at, &now, none),
        day: at.map(|at| at.date().to_string()).unwrap_or_default(),
    };
    let end = match t.status(now) {
        TokenStatus::Deleted => fact("Deleted", &t.deleted_at, "—"),
        TokenStatus::Revoked => fact("Revoked", &t.revoked_at, "—"),
        TokenStatus::Expired => fact("Expired", &t.valid_to, "—"),
        TokenStatus::Scheduled => fact("Starts", &Some(t.valid_from), "—"),
        _ => fact("Expires", &t.valid_to, "Never"),
    };
    let mut created = fact("Created", &Some(t.created_at), "—");
    created.day = format!("by {}", token.created_by_label());
    vec![end, fact("Last used", &t.last_used_at, "Never"), created]
}
