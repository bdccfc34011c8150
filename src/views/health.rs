//! Settings > Token health: a card per finding with its count, and the tokens of
//! the chosen one with its remedy.

use askama::Template;
use askama_web::WebTemplate;

use crate::domain::tokens::{BULK_DAYS, Finding, IDLE_DAYS};
use crate::services::health::{FindingCount, FoundToken};
use crate::urls;
use crate::views::Layout;
use crate::views::charts::thousands;
use crate::views::format::{Moment, datetime};

/// A link among several, one of them current (scopes, idle windows).
pub struct Choice {
    pub label: String,
    pub href: String,
    pub current: bool,
}

pub struct Card {
    pub title: String,
    pub explanation: String,
    pub count: String,
    pub zero: bool,
    pub href: String,
    pub current: bool,
}

pub struct FoundRow {
    pub name: String,
    pub guid: String,
    pub href: String,
    pub last_used: Moment,
    pub expires: Moment,
    /// The unused permissions, the addresses or the broken rules: what makes it
    /// a finding.
    pub detail: String,
    pub edit_href: String,
}

/// The remedy of the shown finding, for all its tokens.
pub struct Remedy {
    pub action: &'static str,
    pub button: String,
    pub days: Option<Vec<(i64, bool)>>,
}

pub struct Shown {
    pub key: &'static str,
    pub title: String,
    pub explanation: String,
    pub days: i64,
    pub scope: String,
    pub rows: Vec<FoundRow>,
    /// "Showing the first 50 of 212", when there are more.
    pub more: Option<String>,
    pub remedy: Option<Remedy>,
    /// Each row offers to drop its own unused permissions.
    pub per_token_drop: bool,
    /// Each token is fixed on its edit page (shortened or narrowed).
    pub per_token_edit: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "health/page.html")]
pub struct HealthPage {
    pub layout: Layout,
    pub scopes: Vec<Choice>,
    pub idle_windows: Vec<Choice>,
    pub cards: Vec<Card>,
    pub shown: Option<Shown>,
}

impl HealthPage {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        layout: Layout,
        counts: &[FindingCount],
        chosen: Option<Finding>,
        found: Vec<FoundToken>,
        (idle_days, scope): (i64, Option<i64>),
        scope_names: &[(i64, String)],
        (can_update, now): (bool, time::PrimitiveDateTime),
    ) -> Self {
        let finding_key = chosen.map_or("", Finding::key);
        let here = |scope: Option<i64>| urls::health(finding_key, idle_days, scope);
        let mut scopes = vec![Choice {
            label: "All my scopes".into(),
            href: here(None),
            current: scope.is_none(),
        }];
        scopes.extend(scope_names.iter().map(|(id, name)| Choice {
            label: name.clone(),
            href: here(Some(*id)),
            current: scope == Some(*id),
        }));
        let idle_windows = IDLE_DAYS
            .iter()
            .map(|d| Choice {
                label: format!("{d} days"),
                href: urls::health("idle", *d, scope),
                current: *d == idle_days && matches!(chosen, Some(Finding::Idle(_))),
            })
            .collect();
        let cards = counts
            .iter()
            .map(|c| Card {
                title: c.finding.title(),
                explanation: c.finding.explanation(),
                count: thousands(c.tokens),
                zero: c.tokens == 0,
                href: urls::health(c.finding.key(), idle_days, scope),
                current: Some(c.finding) == chosen,
            })
            .collect();
        let shown = chosen.map(|finding| {
            let total = counts
                .iter()
                .find(|c| c.finding == finding)
                .map_or(0, |c| c.tokens);
            let rows: Vec<FoundRow> = found.iter().map(|f| row(f, now)).collect();
            let remedy = (can_update && total > 0).then(|| Remedy {
                action: finding.remedy(90).key(),
                button: remedy_button(finding, total),
                days: finding
                    .remedy_takes_days()
                    .then(|| BULK_DAYS.iter().map(|d| (*d, *d == 90)).collect()),
            });
            Shown {
                key: finding.key(),
                title: finding.title(),
                explanation: finding.explanation(),
                days: idle_days,
                scope: scope.map(|s| s.to_string()).unwrap_or_default(),
                more: (total > rows.len() as i64)
                    .then(|| format!("The first {} of {}, by name.", rows.len(), thousands(total))),
                rows,
                remedy,
                per_token_drop: can_update && finding == Finding::UnusedPermissions,
                per_token_edit: can_update && finding == Finding::PolicyBreach,
            }
        });
        Self {
            layout,
            scopes,
            idle_windows,
            cards,
            shown,
        }
    }
}

fn remedy_button(finding: Finding, total: i64) -> String {
    let tokens = if total == 1 {
        "1 token".to_owned()
    } else {
        format!("all {} tokens", thousands(total))
    };
    match finding {
        Finding::NoExpiry => format!("Set an expiry on {tokens}…"),
        Finding::Expiring => format!("Renew {tokens}…"),
        Finding::UnusedPermissions => format!("Drop the unused permissions of {tokens}…"),
        Finding::PolicyBreach => format!("Revoke {tokens}…"),
        _ => format!("Disable {tokens}…"),
    }
}

fn row(found: &FoundToken, now: time::PrimitiveDateTime) -> FoundRow {
    let t = &found.token;
    let detail = if !found.breaches.is_empty() {
        found.breaches.join(" ")
    } else if !found.unused.is_empty() {
        format!("Unused: {}", found.unused.join(", "))
    } else if !found.addresses.is_empty() {
        let addresses: Vec<String> = found
            .addresses
            .iter()
            .map(|(ip, first)| format!("{ip} (first seen {})", datetime(first)))
            .collect();
        addresses.join(", ")
    } else {
        format!("Created {}", datetime(&t.created_at))
    };
    FoundRow {
        name: t.name.clone(),
        guid: t.guid.to_string(),
        href: urls::token(&t.guid),
        edit_href: urls::token_page(&t.guid, urls::TokenPage::Edit),
        last_used: Moment::or(&t.last_used_at, &now, "Never"),
        expires: Moment::or(&t.valid_to, &now, "Never"),
        detail,
    }
}

/// "Token health: 3 never used · 12 idle · 40 never expire": the findings that hold
/// tokens, for the token list; none when all is well.
pub fn summary_line(counts: &[FindingCount]) -> Option<String> {
    let parts: Vec<String> = counts
        .iter()
        .filter(|c| c.tokens > 0)
        .map(|c| {
            format!(
                "{} {}",
                thousands(c.tokens),
                c.finding.title().to_lowercase()
            )
        })
        .collect();
    (!parts.is_empty()).then(|| format!("Token health: {}", parts.join(" · ")))
}
