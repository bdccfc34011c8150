//! Settings > API tokens: the list, the form, the one-time reveal, the details tabs
//! and the confirmations.

use askama::Template;
use askama_web::WebTemplate;

use super::Layout;
use super::format::Stamp;
use crate::db::catalog::{ModuleWithPaths, Scope};
use crate::domain::token_list::{SortKey, StatusFilter, TokenFilter};
use crate::domain::tokens::{Action, DurationChoice, TokenChange, TokenStatus, TokenType};
use crate::domain::validation::FieldErrors;

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
    pub guid: String,
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
#[template(path = "tokens_list.html")]
pub struct TokenListPage {
    pub layout: Layout,
    pub rows: Vec<TokenRow>,
    pub total: i64,
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

/// What the token form shows, as typed.
#[derive(Debug, Default, Clone)]
pub struct TokenFormValues {
    pub name: String,
    pub description: String,
    pub guid: String,
    pub scopes: Vec<i64>,
    pub duration: String,
    pub valid_from: String,
    pub valid_to: String,
    pub token_type: String,
    pub permissions: Vec<(i64, Action)>,
    pub allowed_networks: String,
    pub can_introspect: bool,
}

impl TokenFormValues {
    pub fn has_scope(&self, id: &i64) -> bool {
        self.scopes.contains(id)
    }

    pub fn grants(&self, module_id: &i64, action: &Action) -> bool {
        self.permissions.contains(&(*module_id, *action))
    }
}

pub struct DurationOption {
    pub value: &'static str,
    pub label: &'static str,
}

/// Create or edit: one form, two modes.
pub enum FormMode {
    Create,
    Edit {
        guid: String,
        version: i32,
        current_window: String,
    },
}

#[derive(Template, WebTemplate)]
#[template(path = "token_form.html")]
pub struct TokenFormPage {
    pub layout: Layout,
    pub mode: FormMode,
    pub values: TokenFormValues,
    pub errors: FieldErrors,
    /// A conflict with someone else's save, shown above the form.
    pub conflict: Option<String>,
    pub scopes: Vec<Scope>,
    pub modules: Vec<ModuleWithPaths>,
    pub durations: Vec<DurationOption>,
    pub types: Vec<(TokenType, bool)>,
    pub actions: [Action; 2],
    /// Earliest date the pickers allow (today, UTC).
    pub today: String,
}

impl TokenFormPage {
    pub fn is_edit(&self) -> bool {
        matches!(self.mode, FormMode::Edit { .. })
    }

    pub fn action_url(&self) -> String {
        match &self.mode {
            FormMode::Create => "/settings/api-tokens/new".into(),
            FormMode::Edit { guid, .. } => format!("/settings/api-tokens/{guid}/edit"),
        }
    }

    pub fn duration_is(&self, value: &str) -> bool {
        self.values.duration == value
    }
}

pub fn duration_options(editing: bool) -> Vec<DurationOption> {
    let mut options = Vec::new();
    if editing {
        options.push(DurationOption {
            value: "keep",
            label: "Keep the current dates",
        });
    }
    options.extend(
        DurationChoice::PRESETS
            .iter()
            .map(|(value, label)| DurationOption { value, label }),
    );
    options.push(DurationOption {
        value: "custom",
        label: "Custom dates",
    });
    options
}

/// A usage example on the one-time page.
pub struct Example {
    pub id: &'static str,
    pub language: &'static str,
    pub code: String,
}

pub fn examples(endpoint: &str, secret: &str) -> Vec<Example> {
    vec![
        Example {
            id: "curl",
            language: "curl",
            code: format!("curl -H \"Authorization: Bearer {secret}\" \\\n  \"{endpoint}\""),
        },
        Example {
            id: "python",
            language: "Python",
            code: format!(
                "import requests\n\nresponse = requests.get(\n    \"{endpoint}\",\n    headers={{\"Authorization\": \"Bearer {secret}\"}},\n)\nprint(response.status_code, response.json())"
            ),
        },
        Example {
            id: "javascript",
            language: "JavaScript",
            code: format!(
                "const response = await fetch(\"{endpoint}\", {{\n  headers: {{ Authorization: \"Bearer {secret}\" }},\n}});\nconsole.log(response.status, await response.json());"
            ),
        },
    ]
}

#[derive(Template)]
#[template(path = "token_reveal.html")]
pub struct TokenRevealPage {
    pub layout: Layout,
    pub heading: &'static str,
    pub name: String,
    pub guid: String,
    pub secret: String,
    pub endpoint: String,
    pub examples: Vec<Example>,
    /// Until when the previous secret still works, after a regenerate with grace.
    pub previous_until: Option<String>,
    /// The value is also kept encrypted, to be shown again by those allowed to.
    pub kept: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    General,
    Modules,
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
#[template(path = "token_show.html")]
pub struct TokenShowPage {
    pub layout: Layout,
    pub tab: Tab,
    pub tabs: Vec<TabLink>,
    pub guid: String,
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
#[template(path = "confirm_password.html")]
pub struct ConfirmPasswordPage {
    pub layout: Layout,
    pub action: String,
    pub back: String,
    pub purpose: String,
    pub prompt: &'static str,
    /// The typed password did not do.
    pub error: Option<String>,
}

pub fn tabs(guid: &str, current: Tab) -> Vec<TabLink> {
    [
        (
            Tab::General,
            "General",
            format!("/settings/api-tokens/{guid}"),
        ),
        (
            Tab::Modules,
            "Modules",
            format!("/settings/api-tokens/{guid}/modules"),
        ),
        (
            Tab::Details,
            "Details",
            format!("/settings/api-tokens/{guid}/details"),
        ),
    ]
    .into_iter()
    .map(|(tab, label, href)| TabLink {
        label,
        href,
        current: tab == current,
    })
    .collect()
}
