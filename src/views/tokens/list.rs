//! The list: rows, status badges, the actions each row offers, sorting.

use askama::Template;
use askama_web::WebTemplate;

use super::TabLink;
use crate::domain::ids::Guid;
use crate::domain::token_list::{SortKey, StatusFilter, TokenFilter};
use crate::domain::tokens::{TokenChange, TokenStatus};
use crate::views::Layout;
use crate::views::format::Stamp;

/// A status badge: its label and colour.
pub struct Badge {
    pub label: &'static str,
    pub class: &'static str,
}

impl From<TokenStatus> for Badge {
    fn from(status: TokenStatus) -> Self {
        Badge {
            label: status.label(),
            class: match status {
                TokenStatus::Active => "badge-active",
                TokenStatus::Scheduled => "badge-scheduled",
                TokenStatus::Expired => "badge-expired",
                TokenStatus::Disabled => "badge-disabled",
                TokenStatus::Revoked => "badge-revoked",
                TokenStatus::Deleted => "badge-deleted",
            },
        }
    }
}

/// What the administrator may do to a token in its current status.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokenActions {
    pub edit: bool,
    pub enable: bool,
    pub disable: bool,
    /// Shown to those who may revoke; usable only on active tokens.
    pub show_revoke: bool,
    pub revoke: bool,
    pub delete: bool,
    /// The administrator's permissions would allow changes, but the token is also
    /// in scopes that are not theirs.
    pub scope_locked: bool,
}

impl TokenActions {
    /// `in_all_scopes`: every scope of the token is the administrator's.
    pub fn new(
        status: TokenStatus,
        can_update: bool,
        can_delete: bool,
        in_all_scopes: bool,
    ) -> Self {
        if !in_all_scopes {
            return Self {
                scope_locked: can_update || can_delete,
                ..Self::default()
            };
        }
        let offered = |change: TokenChange| change.offered_from(status);
        Self {
            edit: can_update && offered(TokenChange::Edit),
            enable: can_update && offered(TokenChange::Enable),
            disable: can_update && offered(TokenChange::Disable),
            show_revoke: can_update && !status.is_final(),
            revoke: can_update && offered(TokenChange::Revoke),
            delete: can_delete && offered(TokenChange::Delete),
            scope_locked: false,
        }
    }

    pub fn any(&self) -> bool {
        self.edit || self.enable || self.disable || self.show_revoke || self.delete
    }
}

pub struct TokenRow {
    pub guid: Guid,
    pub name: String,
    pub description: String,
    pub modules: String,
    pub scopes: String,
    pub created_by: String,
    pub created_by_id: String,
    pub created: Stamp,
    pub last_used: Stamp,
    pub active_from: Stamp,
    pub expires: Stamp,
    pub badge: Badge,
    pub version: i32,
    pub actions: TokenActions,
}

impl TokenRow {
    /// The date columns, in table order.
    pub fn dates(&self) -> [(&'static str, &Stamp); 4] {
        [
            ("Created", &self.created),
            ("Last used", &self.last_used),
            ("Active from", &self.active_from),
            ("Expires", &self.expires),
        ]
    }
}

/// A sortable column header: where it links and how it is sorted now.
pub struct SortLink {
    pub label: &'static str,
    pub href: String,
    /// `ascending`, `descending` or `none`, for aria-sort.
    pub aria_sort: &'static str,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "tokens/list.html")]
pub struct TokenListPage {
    pub layout: Layout,
    pub rows: Vec<TokenRow>,
    /// "25 tokens", or "more than 1,000 tokens" where counting stops.
    pub total: String,
    pub filtered: bool,
    pub keywords: String,
    pub guid: String,
    pub scope_choices: Vec<Choice>,
    pub status_choices: Vec<Choice>,
    pub sort_choices: Vec<Choice>,
    pub direction_choices: Vec<Choice>,
    pub sort: SortHeaders,
    pub next_href: Option<String>,
    pub previous_href: Option<String>,
    pub can_create: bool,
    /// Where the filters and pages link to.
    pub base_path: &'static str,
    /// Set when the page is the administrator's own tokens, under My profile.
    pub profile_tabs: Vec<TabLink>,
}

/// The sortable column headers of the list.
pub struct SortHeaders {
    pub name: SortLink,
    pub status: SortLink,
    pub created: SortLink,
    pub last_used: SortLink,
    pub expires: SortLink,
}

impl SortHeaders {
    /// Each header sorts by its column; clicking the current one flips the order.
    pub fn new(filter: &TokenFilter, base_path: &str) -> Self {
        let link = |key: SortKey| {
            let current = filter.sort == key;
            let direction = if current {
                filter.direction.flipped()
            } else {
                key.default_direction()
            };
            let target = TokenFilter {
                sort: key,
                direction,
                ..filter.clone()
            };
            SortLink {
                label: key.label(),
                href: format!("{base_path}?{}", target.query_string(None)),
                aria_sort: match (current, filter.direction) {
                    (false, _) => "none",
                    (true, crate::domain::token_list::SortDirection::Asc) => "ascending",
                    (true, crate::domain::token_list::SortDirection::Desc) => "descending",
                },
            }
        };
        Self {
            name: link(SortKey::Name),
            status: link(SortKey::Status),
            created: link(SortKey::Created),
            last_used: link(SortKey::LastUsed),
            expires: link(SortKey::Expires),
        }
    }
}

pub fn status_choices(current: StatusFilter) -> Vec<Choice> {
    let mut choices = vec![
        ("", "All but deleted"),
        ("active", "Active"),
        ("inactive", "Inactive"),
    ];
    choices.extend(
        TokenStatus::ALL
            .iter()
            .filter(|s| **s != TokenStatus::Active)
            .map(|s| (s.key(), s.label())),
    );
    choices
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == current.key(),
            value: value.into(),
            label: label.into(),
        })
        .collect()
}

pub fn sort_choices(filter: &TokenFilter) -> (Vec<Choice>, Vec<Choice>) {
    let sorts = SortKey::ALL
        .iter()
        .map(|s| Choice {
            value: s.key().into(),
            label: s.label().into(),
            selected: *s == filter.sort,
        })
        .collect();
    let directions = [("asc", "Ascending"), ("desc", "Descending")]
        .into_iter()
        .map(|(value, label)| Choice {
            value: value.into(),
            label: label.into(),
            selected: value == filter.direction.key(),
        })
        .collect();
    (sorts, directions)
}
