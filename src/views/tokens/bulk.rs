//! Bulk actions on the token list: the bar above the table, the confirmation that
//! names how many tokens and which are skipped, and the result.

use askama::Template;
use askama_web::WebTemplate;

use super::Choice;
use crate::domain::token_list::TokenFilter;
use crate::domain::tokens::{BULK_DAYS, BulkAction, TokenType};
use crate::services::tokens::{BulkItem, BulkResult, GrantChange};
use crate::views::Layout;

/// Tokens named on a confirmation or result page; the rest are counted.
pub const NAMED: usize = 10;

/// The list's filter, carried by the bar's form so that "all matching" means the
/// tokens the page shows, and sent back by the confirmation.
#[derive(Debug, Clone, Default)]
pub struct FilterFields(pub Vec<(&'static str, String)>);

impl FilterFields {
    pub fn of(filter: &TokenFilter) -> Self {
        let query = filter.query_string(&[]);
        let fields = serde_html_form::from_str::<Vec<(String, String)>>(&query)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(name, value)| {
                ["q", "guid", "scope", "status", "expiring"]
                    .into_iter()
                    .find(|n| *n == name)
                    .map(|n| (n, value))
            })
            .collect();
        Self(fields)
    }
}

/// The bar above the table: what to do, to which tokens.
pub struct BulkBar {
    pub filter: FilterFields,
    /// "All 286 tokens matching this filter".
    pub all_matching: String,
    pub actions: Vec<Choice>,
    pub days: Vec<Choice>,
    pub scopes: Vec<Choice>,
}

impl BulkBar {
    pub fn new(
        filter: &TokenFilter,
        all_matching: String,
        (can_update, can_delete): (bool, bool),
        scopes: Vec<Choice>,
    ) -> Self {
        let choice = |value: &str, label: &str| Choice {
            value: value.into(),
            label: label.into(),
            selected: false,
        };
        let mut actions = Vec::new();
        if can_update {
            actions.extend([
                choice("disable", "Disable"),
                choice("enable", "Enable"),
                choice("revoke", "Revoke"),
                choice("extend", "Extend the expiry by…"),
                choice("set_expiry", "Set an expiry… (tokens without one)"),
                choice("add_scope", "Add to scope…"),
                choice("remove_scope", "Remove from scope…"),
            ]);
        }
        if can_delete {
            actions.push(choice("delete", "Delete"));
        }
        Self {
            filter: FilterFields::of(filter),
            all_matching,
            actions,
            days: BULK_DAYS
                .iter()
                .map(|d| Choice {
                    value: d.to_string(),
                    label: format!("{d} days"),
                    selected: *d == 90,
                })
                .collect(),
            scopes,
        }
    }
}

/// What the confirmation and the result list: the first few tokens by name, and
/// how many more.
pub struct NamedTokens {
    pub names: Vec<NamedToken>,
    pub more: usize,
}

pub struct NamedToken {
    pub name: String,
    /// Its permissions before and after, for an action that drops some.
    pub grants: Option<GrantMatrix>,
}

impl NamedTokens {
    fn of<'a>(items: impl Iterator<Item = &'a BulkItem>) -> Self {
        let items: Vec<&BulkItem> = items.collect();
        Self {
            names: items
                .iter()
                .take(NAMED)
                .map(|i| NamedToken {
                    name: display_name(i),
                    grants: i.grants.as_ref().map(GrantMatrix::of),
                })
                .collect(),
            more: items.len().saturating_sub(NAMED),
        }
    }
}

impl NamedTokens {
    /// Whether the tokens come with their permission matrices, which want room.
    pub fn with_grants(&self) -> bool {
        self.names.iter().any(|n| n.grants.is_some())
    }
}

/// The permission matrix a token had, each granted cell marked kept or dropped.
pub struct GrantMatrix {
    /// "Full access → Custom", or "Custom".
    pub types: String,
    pub rows: Vec<GrantRow>,
}

pub struct GrantRow {
    pub module: String,
    /// Read, then write.
    pub cells: [GrantCell; 2],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantCell {
    NotGranted,
    Kept,
    Dropped,
}

impl GrantMatrix {
    fn of(change: &GrantChange) -> Self {
        let mut modules: Vec<&str> = change.before.iter().map(|(m, _)| m.as_str()).collect();
        modules.sort_unstable();
        modules.dedup();
        let cell = |module: &str, action: &str| {
            let has =
                |pairs: &[(String, String)]| pairs.iter().any(|(m, a)| m == module && a == action);
            match (has(&change.before), has(&change.kept)) {
                (_, true) => GrantCell::Kept,
                (true, false) => GrantCell::Dropped,
                (false, false) => GrantCell::NotGranted,
            }
        };
        let custom = TokenType::Custom.label();
        Self {
            types: if change.was == custom {
                custom.to_owned()
            } else {
                format!("{} → {custom}", change.was)
            },
            rows: modules
                .into_iter()
                .map(|module| GrantRow {
                    module: module.to_owned(),
                    cells: [cell(module, "read"), cell(module, "write")],
                })
                .collect(),
        }
    }
}

fn display_name(item: &BulkItem) -> String {
    if item.name.is_empty() {
        item.guid.clone()
    } else {
        item.name.clone()
    }
}

/// A skipped token and why.
pub struct SkippedRow {
    pub name: String,
    pub reason: String,
}

fn skipped_rows<'a>(items: impl Iterator<Item = &'a BulkItem>) -> (Vec<SkippedRow>, usize) {
    let items: Vec<&BulkItem> = items.collect();
    let rows = items
        .iter()
        .take(NAMED * 2)
        .map(|i| SkippedRow {
            name: display_name(i),
            reason: i.skipped.clone().unwrap_or_default(),
        })
        .collect();
    (rows, items.len().saturating_sub(NAMED * 2))
}

/// "Disable 12 tokens?": asked before anything is done.
#[derive(Template, WebTemplate)]
#[template(path = "tokens/bulk_confirm.html")]
pub struct BulkConfirmPage {
    pub layout: Layout,
    /// "Disable", "Extend the expiry by 90 days"…
    pub action_label: String,
    pub applies: usize,
    pub to_apply: NamedTokens,
    pub skipped: Vec<SkippedRow>,
    pub skipped_more: usize,
    pub skipped_count: usize,
    /// Every field of the request, sent again with the confirmation.
    pub fields: Vec<(String, String)>,
    pub back: String,
    pub dangerous: bool,
}

impl BulkConfirmPage {
    pub fn new(
        layout: Layout,
        action: BulkAction,
        preview: BulkResult,
        fields: Vec<(String, String)>,
        back: String,
    ) -> Self {
        let items = &preview.items;
        let applies = items.iter().filter(|i| i.skipped.is_none()).count();
        let skipped_items = items.iter().filter(|i| i.skipped.is_some());
        let (skipped, skipped_more) = skipped_rows(skipped_items.clone());
        Self {
            layout,
            action_label: preview.label.clone(),
            applies,
            to_apply: NamedTokens::of(items.iter().filter(|i| i.skipped.is_none())),
            skipped_count: skipped_items.count(),
            skipped,
            skipped_more,
            fields,
            back,
            dangerous: matches!(action, BulkAction::Revoke | BulkAction::Delete),
        }
    }
}

/// What an action did.
#[derive(Template, WebTemplate)]
#[template(path = "tokens/bulk_result.html")]
pub struct BulkResultPage {
    pub layout: Layout,
    pub action_label: String,
    pub done: usize,
    pub changed: NamedTokens,
    pub skipped: Vec<SkippedRow>,
    pub skipped_more: usize,
    pub skipped_count: usize,
    pub audit_href: String,
}

impl BulkResultPage {
    pub fn new(
        layout: Layout,
        action_label: String,
        items: &[BulkItem],
        audit_href: String,
    ) -> Self {
        let done = items.iter().filter(|i| i.skipped.is_none());
        let skipped_items = items.iter().filter(|i| i.skipped.is_some());
        let (skipped, skipped_more) = skipped_rows(skipped_items.clone());
        Self {
            layout,
            action_label,
            done: done.clone().count(),
            changed: NamedTokens::of(done),
            skipped_count: skipped_items.count(),
            skipped,
            skipped_more,
            audit_href,
        }
    }
}

/// "1 token", "12 tokens".
pub fn tokens_count(n: &usize) -> String {
    let n = *n;
    if n == 1 {
        "1 token".into()
    } else {
        format!("{} tokens", crate::views::charts::thousands(n as i64))
    }
}
