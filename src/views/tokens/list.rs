//! The list: rows, status badges, the actions each row offers, sorting.

use askama::Template;
use askama_web::WebTemplate;

use super::{Choice, TabLink};
use crate::domain::ids::Guid;
use crate::domain::token_list::{ExpiringWithin, SortKey, TokenCount, TokenFilter};
use crate::domain::tokens::{TokenChange, TokenStatus};
use crate::views::Layout;
use crate::views::charts::sparkline::Sparkline;
use crate::views::format::Moment;

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
#[derive(Debug, Clone, Copy)]
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
    status: TokenStatus,
    can_update: bool,
    can_delete: bool,
}

/// One entry of a row's actions menu; `unavailable` says why it cannot be used.
pub struct MenuItem {
    pub change: TokenChange,
    pub label: &'static str,
    pub unavailable: Option<&'static str>,
}

impl MenuItem {
    /// The page that asks for (or makes) the change.
    pub fn page(&self) -> crate::urls::TokenPage {
        self.change.into()
    }
}

impl TokenActions {
    /// `in_all_scopes`: every scope of the token is the administrator's.
    pub fn new(
        status: TokenStatus,
        can_update: bool,
        can_delete: bool,
        in_all_scopes: bool,
    ) -> Self {
        let offered = |change: TokenChange| in_all_scopes && change.offered_from(status);
        Self {
            edit: can_update && offered(TokenChange::Edit),
            enable: can_update && offered(TokenChange::Enable),
            disable: can_update && offered(TokenChange::Disable),
            show_revoke: can_update && in_all_scopes && !status.is_final(),
            revoke: can_update && offered(TokenChange::Revoke),
            delete: can_delete && offered(TokenChange::Delete),
            scope_locked: !in_all_scopes && (can_update || can_delete),
            status,
            can_update,
            can_delete,
        }
    }

    pub fn any(&self) -> bool {
        self.edit || self.enable || self.disable || self.show_revoke || self.delete
    }

    /// The row menu: every change the administrator's role allows, always in the
    /// same order, those the token's status rules out disabled with the reason;
    /// none when nothing can be done (a deleted token).
    pub fn menu(&self) -> Vec<MenuItem> {
        if self.scope_locked || self.status == TokenStatus::Deleted {
            return Vec::new();
        }
        let toggle = if self.status == TokenStatus::Disabled {
            (TokenChange::Enable, "Enable")
        } else {
            (TokenChange::Disable, "Disable")
        };
        let changes = [
            (TokenChange::Edit, "Edit", self.can_update),
            (toggle.0, toggle.1, self.can_update),
            (TokenChange::Regenerate, "Regenerate", self.can_update),
            (TokenChange::Revoke, "Revoke", self.can_update),
            (TokenChange::Delete, "Delete", self.can_delete),
        ];
        changes
            .into_iter()
            .filter(|(_, _, allowed)| *allowed)
            .map(|(change, label, _)| MenuItem {
                change,
                label,
                unavailable: change.allowed_from(self.status).err(),
            })
            .collect()
    }
}

/// A cell of names that keeps to one line: the first, then how many more
/// ("Production +2"); the whole list is for the title and screen readers.
pub struct NameList {
    pub first: String,
    pub more: usize,
    pub all: String,
}

impl NameList {
    pub fn new(names: Vec<String>) -> Self {
        Self {
            all: names.join(", "),
            more: names.len().saturating_sub(1),
            first: names.into_iter().next().unwrap_or_default(),
        }
    }
}

pub struct TokenRow {
    pub guid: Guid,
    pub name: String,
    /// The first line of the description.
    pub description: String,
    pub modules: NameList,
    pub scopes: NameList,
    pub created_by: String,
    pub created_by_id: String,
    pub created: Moment,
    pub last_used: Moment,
    pub active_from: Moment,
    pub expires: Moment,
    pub badge: Badge,
    /// Requests on each of the last 7 days.
    pub requests: Sparkline,
    pub expires_soon: bool,
    pub version: i32,
    pub actions: TokenActions,
}

impl TokenRow {
    /// The GUID's first block, shown in the list (the whole GUID is in its title
    /// and in what the copy button copies).
    pub fn short_guid(&self) -> &str {
        self.guid.as_str().split('-').next().unwrap_or_default()
    }

    /// The date columns, in table order: label, column class, moment.
    pub fn dates(&self) -> [(&'static str, &'static str, &Moment); 4] {
        [
            ("Created", "col-created", &self.created),
            ("Last used", "col-last-used", &self.last_used),
            ("Active from", "col-active-from", &self.active_from),
            ("Expires", "col-expires", &self.expires),
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

#[derive(Template, WebTemplate)]
#[template(path = "tokens/list.html")]
pub struct TokenListPage {
    pub layout: Layout,
    pub rows: Vec<TokenRow>,
    /// "1–25 of 286", "26–50 of more than 1,000 tokens", or the count alone.
    pub total: String,
    pub page_size_choices: Vec<Choice>,
    pub filtered: bool,
    /// How many filters are set, for the "Filters (n)" button on a phone.
    pub active_filters: usize,
    /// The administrator has no scopes: why the list is empty.
    pub no_scopes: bool,
    pub filters: super::filters::FilterBar,
    /// "3 tokens expire within 7 days", and the list of them.
    pub expiring_notice: Option<(String, String)>,
    pub sort: SortHeaders,
    pub next_href: Option<String>,
    pub previous_href: Option<String>,
    pub can_create: bool,
    /// The filters as a query string, for the exports of the list; none for a
    /// list that is not the full one.
    pub export_query: Option<String>,
    /// Where the filters and pages link to.
    pub base_path: &'static str,
    /// Set when the page is the administrator's own tokens, under My profile.
    pub profile_tabs: Vec<TabLink>,
    /// Actions on several tokens, for an administrator who may change them.
    pub bulk: Option<super::bulk::BulkBar>,
    /// "Token health: 3 never used · …", linking to the findings.
    pub health_line: Option<String>,
    /// Tokens and identities whose credits are 80 % or wholly used.
    pub running_low: Vec<crate::services::limits::RunningLow>,
}

impl TokenListPage {
    /// The columns an administrator may hide (remembered by the browser), by the
    /// class their cells carry.
    pub fn optional_columns(&self) -> [(&'static str, &'static str); 9] {
        [
            ("description", "Description"),
            ("modules", "Modules"),
            ("scopes", "Scopes"),
            ("created-by", "Created by"),
            ("created", "Created"),
            ("last-used", "Last used"),
            ("active-from", "Active from"),
            ("expires", "Expires"),
            ("requests", "Requests, 7 days"),
        ]
    }
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
                href: format!("{base_path}?{}", target.query_string(&[])),
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

/// "1 token expires within 7 days", "3 tokens expire within 7 days".
pub fn expiring_notice(count: TokenCount, window: ExpiringWithin) -> String {
    let verb = if count == TokenCount::Exact(1) {
        "expires"
    } else {
        "expire"
    };
    let count = crate::views::format::capitalized(&count.describe());
    format!("{count} {verb} within {}", window.label())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn menu(actions: TokenActions) -> Vec<(&'static str, Option<&'static str>)> {
        actions
            .menu()
            .into_iter()
            .map(|item| (item.label, item.unavailable))
            .collect()
    }

    #[test]
    fn the_menu_keeps_its_order_and_says_why_an_action_is_unavailable() {
        let active = TokenActions::new(TokenStatus::Active, true, true, true);
        let labels: Vec<_> = menu(active).into_iter().map(|(label, _)| label).collect();
        assert_eq!(
            labels,
            ["Edit", "Disable", "Regenerate", "Revoke", "Delete"]
        );

        let disabled = menu(TokenActions::new(TokenStatus::Disabled, true, true, true));
        assert_eq!(disabled[1], ("Enable", None));
        assert_eq!(
            disabled[3],
            ("Revoke", Some("Only active tokens can be revoked."))
        );

        let revoked = menu(TokenActions::new(TokenStatus::Revoked, true, false, true));
        assert_eq!(revoked.len(), 4, "no Delete without the permission");
        assert!(revoked[0].1.is_some(), "a revoked token cannot be edited");
    }

    #[test]
    fn viewers_and_tokens_of_foreign_scopes_get_no_menu() {
        assert!(
            TokenActions::new(TokenStatus::Active, false, false, true)
                .menu()
                .is_empty()
        );
        let locked = TokenActions::new(TokenStatus::Active, true, true, false);
        assert!(locked.scope_locked && locked.menu().is_empty());
    }
}
