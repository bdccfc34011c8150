//! A token's Usage tab: requests over the chosen period by outcome, and passing
//! requests by module and action.

use crate::domain::ids::Guid;
use crate::domain::usage::series::{Period, outcome_index};
use crate::domain::verification::Outcome;
use crate::services::usage::TokenUsage;
use crate::urls::{self, TokenPage};
use crate::views::charts::{StackedBars, stacked_bars, thousands};
use crate::views::format::datetime;
use crate::views::usage::{PeriodLink, period_links};

pub struct UsageTab {
    pub period: Period,
    /// The same numbers as CSV, and as JSON.
    pub csv_url: String,
    pub json_url: String,
    pub periods: Vec<PeriodLink>,
    pub chart: StackedBars,
    pub total: String,
    pub allowed: String,
    pub refused: String,
    pub access: Vec<AccessRow>,
    pub clients: Vec<ClientRow>,
}

pub struct ClientRow {
    pub ip: String,
    pub user_agent: String,
    pub first_seen: String,
    pub last_seen: String,
}

pub struct AccessRow {
    pub module: String,
    pub action: &'static str,
    pub requests: String,
    pub last_used: String,
}

impl UsageTab {
    pub fn new(guid: &Guid, period: Period, usage: TokenUsage) -> Self {
        let totals = usage.totals();
        let total: i64 = totals.iter().sum();
        let allowed = totals[outcome_index(Outcome::Valid)];
        Self {
            period,
            csv_url: format!(
                "{}.csv?period={}",
                urls::token_page(guid, TokenPage::Usage),
                period.key()
            ),
            json_url: format!(
                "{}.json?period={}",
                urls::token_page(guid, TokenPage::Usage),
                period.key()
            ),
            periods: period_links(&urls::token_page(guid, TokenPage::Usage), period),
            chart: stacked_bars(
                format!("Requests by outcome, {}", period.label().to_lowercase()),
                usage.window.granularity,
                &usage.buckets,
            ),
            total: thousands(total),
            allowed: thousands(allowed),
            refused: thousands(total - allowed),
            access: usage
                .access
                .into_iter()
                .map(|a| AccessRow {
                    module: a.module,
                    action: a.action.label(),
                    requests: thousands(a.requests),
                    last_used: a
                        .last_used
                        .map_or_else(|| "—".to_owned(), |at| datetime(&at)),
                })
                .collect(),
            clients: usage
                .clients
                .into_iter()
                .map(|c| ClientRow {
                    ip: c.client_ip,
                    user_agent: if c.user_agent.is_empty() {
                        "—".to_owned()
                    } else {
                        c.user_agent
                    },
                    first_seen: datetime(&c.first_seen),
                    last_seen: datetime(&c.last_seen),
                })
                .collect(),
        }
    }
}
