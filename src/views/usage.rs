//! Settings > Usage: the requests of the tokens of the administrator's scopes,
//! their busiest and most refused tokens, and for those who see every scope the
//! malformed and unknown tokens sent.

use askama::Template;
use askama_web::WebTemplate;

use super::Layout;
use super::charts::{StackedBars, stacked_bars, thousands};
use super::format::datetime;
use super::tokens::Badge;
use crate::domain::usage::series::{Period, outcome_index, totals};
use crate::domain::verification::Outcome;
use crate::services::usage_overview::{Ranked, RankedToken, UsageOverview};
use crate::urls::{self, TokenPage};

/// A link to the same page over another period.
pub struct PeriodLink {
    pub label: &'static str,
    pub href: String,
    pub current: bool,
}

/// The links to `page` over each period (`?period=`).
pub fn period_links(page: &str, current: Period) -> Vec<PeriodLink> {
    Period::ALL
        .into_iter()
        .map(|p| PeriodLink {
            label: p.label(),
            href: format!("{page}?period={}", p.key()),
            current: p == current,
        })
        .collect()
}

pub struct RankedRow {
    pub name: String,
    pub href: String,
    pub badge: Badge,
    pub requests: String,
    /// Refused requests, and their share of the token's requests.
    pub refused: String,
}

pub struct RankedTable {
    pub title: &'static str,
    pub id: &'static str,
    pub rows: Vec<RankedRow>,
    /// What the table's place says when it has no row.
    pub empty: &'static str,
}

pub struct UnknownView {
    pub chart: StackedBars,
    pub total: String,
    pub addresses: Vec<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "usage/overview.html")]
pub struct UsageOverviewPage {
    pub layout: Layout,
    pub period: Period,
    pub periods: Vec<PeriodLink>,
    pub csv_url: String,
    pub chart: StackedBars,
    pub total: String,
    pub allowed: String,
    pub refused: String,
    /// The busiest tokens, then the most refused.
    pub rankings: [RankedTable; 2],
    /// When the ranking was made, or why there is none yet.
    pub ranked_note: String,
    pub unknown: Option<UnknownView>,
}

impl UsageOverviewPage {
    pub fn new(layout: Layout, period: Period, overview: UsageOverview, ranked: Ranked) -> Self {
        let totals = totals(&overview.buckets);
        let total: i64 = totals.iter().sum();
        let allowed = totals[outcome_index(Outcome::Valid)];
        let granularity = overview.window.granularity;
        let lower = period.label().to_lowercase();
        Self {
            layout,
            period,
            periods: period_links(urls::USAGE, period),
            csv_url: format!("{}.csv?period={}", urls::USAGE, period.key()),
            chart: stacked_bars(
                format!("Requests by outcome, {lower}"),
                granularity,
                &overview.buckets,
            ),
            total: thousands(total),
            allowed: thousands(allowed),
            refused: thousands(total - allowed),
            rankings: [
                RankedTable {
                    title: "Busiest tokens",
                    id: "usage-busiest",
                    rows: ranked.busiest.into_iter().map(row).collect(),
                    empty: "No token of your scopes was used in this period.",
                },
                RankedTable {
                    title: "Most refused tokens",
                    id: "usage-most-refused",
                    rows: ranked.most_refused.into_iter().map(row).collect(),
                    empty: "No request with a token of your scopes was refused in this period.",
                },
            ],
            ranked_note: match ranked.ranked_at {
                Some(at) => format!("Ranked at {}.", datetime(&at)),
                None => "The tokens are ranked a few minutes after the server starts.".to_owned(),
            },
            unknown: overview.unknown.map(|unknown| UnknownView {
                chart: stacked_bars(
                    format!("Requests with malformed or unknown tokens, {lower}"),
                    granularity,
                    &unknown.buckets,
                ),
                total: thousands(unknown.buckets.iter().map(|b| b.total()).sum()),
                addresses: unknown
                    .top_addresses
                    .into_iter()
                    .map(|(ip, requests)| (ip, thousands(requests)))
                    .collect(),
            }),
        }
    }
}

fn row(token: RankedToken) -> RankedRow {
    let totals = token.totals;
    RankedRow {
        href: urls::token_page(&token.guid, TokenPage::Usage),
        name: token.name,
        badge: token.status.into(),
        requests: thousands(totals.requests),
        refused: match totals.refused {
            0 => "0".to_owned(),
            refused => format!(
                "{} ({}%)",
                thousands(refused),
                refused * 100 / totals.requests.max(1)
            ),
        },
    }
}
