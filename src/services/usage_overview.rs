//! Usage across the tokens an administrator sees: requests over time by outcome,
//! the busiest and the most refused tokens, and (for those who see every scope)
//! the requests with malformed or unknown tokens and the addresses sending them.

use time::PrimitiveDateTime;

use crate::db::usage_leaders::{leaders_of, ranked_at, replace, token_totals};
use crate::db::usage_overview::{
    every_scope_set, ranked_tokens, scope_set_rows, scope_sets_of, top_unknown_addresses,
    unknown_rows,
};
use crate::db::{Db, DbError};
use crate::domain::ids::{Guid, TokenId};
use crate::domain::scopes::{ScopeAccess, ScopeSet};
use crate::domain::tokens::TokenStatus;
use crate::domain::usage::overview::{PeriodTotals, Ranking, TokenTotals, leaders, merge};
use crate::domain::usage::series::{Bucket, Period, Window, series};

/// Addresses listed with the unknown tokens.
pub const ADDRESSES_SHOWN: i64 = 10;

/// Usage across tokens over a window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageOverview {
    pub window: Window,
    /// The requests of the tokens of the administrator's scopes.
    pub buckets: Vec<Bucket>,
    /// For administrators who see every scope.
    pub unknown: Option<UnknownTokens>,
}

/// Requests with malformed or unknown tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownTokens {
    /// Counted as `invalid`.
    pub buckets: Vec<Bucket>,
    /// The addresses that sent the most, with their requests.
    pub top_addresses: Vec<(String, i64)>,
}

pub async fn overview(
    db: &Db,
    access: ScopeAccess,
    window: Window,
) -> Result<UsageOverview, DbError> {
    db.run(move |c| {
        let days = window.days();
        let rows = scope_set_rows(c, &access, window)?;
        let unknown = match access {
            ScopeAccess::All => Some(UnknownTokens {
                buckets: series(window, &unknown_rows(c, days)?),
                top_addresses: top_unknown_addresses(c, days, ADDRESSES_SHOWN)?,
            }),
            ScopeAccess::Scopes(_) => None,
        };
        Ok(UsageOverview {
            window,
            buckets: series(window, &rows),
            unknown,
        })
    })
    .await
}

/// A token among the busiest or most refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankedToken {
    pub guid: Guid,
    pub name: String,
    pub status: TokenStatus,
    pub totals: PeriodTotals,
}

/// The tokens of the administrator's scopes with the most requests and the most
/// refused requests in a period, as the ranking job last found them (deleted
/// tokens left out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    /// When the ranking job last ran; `None` before it first did.
    pub ranked_at: Option<PrimitiveDateTime>,
    pub busiest: Vec<RankedToken>,
    pub most_refused: Vec<RankedToken>,
}

pub async fn ranked(
    db: &Db,
    access: ScopeAccess,
    period: Period,
    now: PrimitiveDateTime,
) -> Result<Ranked, DbError> {
    db.run(move |c| {
        let ranked_at = ranked_at(c)?;
        let mut lists = Vec::new();
        for ranking in Ranking::ALL {
            let leaders = merge(ranking, leaders_of(c, &access, period, ranking)?);
            let ids: Vec<TokenId> = leaders.iter().map(|l| l.token_id).collect();
            // The ranking is of the scopes tokens had then; whether one is seen
            // is decided by those it has now.
            let sets = scope_sets_of(c, &ids)?;
            let rows = ranked_tokens(c, &ids)?;
            let list: Vec<RankedToken> = leaders
                .into_iter()
                .filter(|l| sets.get(&l.token_id).is_some_and(|s| s.seen_by(&access)))
                .filter_map(|l| {
                    // A deleted token has no page to link to.
                    let row = rows
                        .iter()
                        .find(|r| r.id == l.token_id.0 && r.deleted_at.is_none())?;
                    Some(RankedToken {
                        guid: row.guid.clone(),
                        name: row.name.clone(),
                        status: row.lifecycle().status(now),
                        totals: l.totals,
                    })
                })
                .collect();
            lists.push(list);
        }
        let most_refused = lists.pop().unwrap_or_default();
        let busiest = lists.pop().unwrap_or_default();
        Ok(Ranked {
            ranked_at,
            busiest,
            most_refused,
        })
    })
    .await
}

/// Ranks every token in each period at `now`, unless it was done less than
/// `every` ago (by this instance or another); returns the leaders written, or
/// `None` when it was not this instance's turn.
pub async fn rank(
    db: &Db,
    now: PrimitiveDateTime,
    every: time::Duration,
) -> Result<Option<usize>, DbError> {
    let ranked = db
        .run(move |c| {
            let seen = ranked_at(c)?;
            if seen.is_some_and(|at| now - at < every) {
                return Ok::<_, DbError>(None);
            }
            let totals = token_totals(c, now)?;
            let mut sets = every_scope_set(c)?;
            let tokens: Vec<(ScopeSet, TokenTotals)> = totals
                .into_iter()
                .map(|(token_id, periods)| {
                    let set = sets
                        .remove(&token_id)
                        .unwrap_or_else(|| ScopeSet::of(Vec::new()));
                    (set, TokenTotals { token_id, periods })
                })
                .collect();
            Ok(Some((seen, leaders(tokens))))
        })
        .await?;
    let Some((seen, leaders)) = ranked else {
        return Ok(None);
    };
    let written = leaders.len();
    let replaced = db
        .write(move |c| Ok::<_, DbError>(replace(c, seen, now, &leaders)?))
        .await?;
    Ok(replaced.then_some(written))
}
