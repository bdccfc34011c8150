//! Usage across tokens: counts kept per set of scopes, so that an administrator's
//! totals count each request once however many of their scopes its token is in,
//! and the busiest and most refused tokens ranked per set of scopes, so that the
//! ranking of any administrator's scopes merges a few short lists.

use crate::domain::ids::TokenId;
use crate::domain::scopes::ScopeSet;
use crate::domain::usage::series::Period;

/// What tokens are ranked by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ranking {
    /// All requests.
    Requests,
    /// Refused requests.
    Refused,
}

impl Ranking {
    pub const ALL: [Ranking; 2] = [Ranking::Requests, Ranking::Refused];

    pub fn key(self) -> &'static str {
        match self {
            Ranking::Requests => "requests",
            Ranking::Refused => "refused",
        }
    }

    fn of(self, totals: &PeriodTotals) -> i64 {
        match self {
            Ranking::Requests => totals.requests,
            Ranking::Refused => totals.refused,
        }
    }
}

/// Requests and refused requests of one token in one period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PeriodTotals {
    pub requests: i64,
    pub refused: i64,
}

/// A token's totals in each period, in [`Period::ALL`] order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenTotals {
    pub token_id: TokenId,
    pub periods: [PeriodTotals; Period::ALL.len()],
}

/// A token among the first of its set in one period and ranking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leader {
    pub period: Period,
    pub ranking: Ranking,
    pub scope_set: ScopeSet,
    pub token_id: TokenId,
    pub totals: PeriodTotals,
}

/// Tokens kept per set, period and ranking; and shown.
pub const LEADERS_KEPT: usize = 10;

/// The first [`LEADERS_KEPT`] tokens of each set in each period and ranking,
/// leaving out those with nothing to rank by.
pub fn leaders(tokens: Vec<(ScopeSet, TokenTotals)>) -> Vec<Leader> {
    let mut by_set: std::collections::BTreeMap<ScopeSet, Vec<TokenTotals>> = Default::default();
    for (set, totals) in tokens {
        by_set.entry(set).or_default().push(totals);
    }
    let mut leaders = Vec::new();
    for (set, mut tokens) in by_set {
        for (p, period) in Period::ALL.into_iter().enumerate() {
            for ranking in Ranking::ALL {
                tokens.sort_unstable_by_key(|t| {
                    (std::cmp::Reverse(ranking.of(&t.periods[p])), t.token_id)
                });
                leaders.extend(
                    tokens
                        .iter()
                        .take_while(|t| ranking.of(&t.periods[p]) > 0)
                        .take(LEADERS_KEPT)
                        .map(|t| Leader {
                            period,
                            ranking,
                            scope_set: set.clone(),
                            token_id: t.token_id,
                            totals: t.periods[p],
                        }),
                );
            }
        }
    }
    leaders
}

/// The first [`LEADERS_KEPT`] of the leaders of several sets (each token is in
/// one set, so the first of the union are among the first of its sets).
pub fn merge(ranking: Ranking, mut leaders: Vec<Leader>) -> Vec<Leader> {
    leaders.sort_unstable_by_key(|l| (std::cmp::Reverse(ranking.of(&l.totals)), l.token_id));
    leaders.truncate(LEADERS_KEPT);
    leaders
}

#[cfg(test)]
mod tests {
    use super::*;

    fn totals(id: i64, requests: i64, refused: i64) -> TokenTotals {
        let week = PeriodTotals { requests, refused };
        TokenTotals {
            token_id: TokenId(id),
            periods: [PeriodTotals::default(), week, week, week],
        }
    }

    #[test]
    fn each_set_keeps_its_first_tokens_of_each_period_and_ranking() {
        let a = ScopeSet::of(vec![1]);
        let b = ScopeSet::of(vec![2]);
        let mut tokens: Vec<(ScopeSet, TokenTotals)> = (1..=15)
            .map(|i| (a.clone(), totals(i, i * 10, i % 3)))
            .collect();
        tokens.push((b.clone(), totals(100, 5, 0)));
        let leaders = leaders(tokens);
        let first = |set: &ScopeSet, period: Period, ranking: Ranking| -> Vec<i64> {
            leaders
                .iter()
                .filter(|l| &l.scope_set == set && l.period == period && l.ranking == ranking)
                .map(|l| l.token_id.0)
                .collect()
        };
        assert_eq!(
            first(&a, Period::Week, Ranking::Requests),
            (6..=15).rev().collect::<Vec<_>>()
        );
        assert_eq!(
            first(&a, Period::Week, Ranking::Refused),
            vec![2, 5, 8, 11, 14, 1, 4, 7, 10, 13]
        );
        assert_eq!(first(&b, Period::Week, Ranking::Requests), vec![100]);
        assert!(
            first(&b, Period::Week, Ranking::Refused).is_empty(),
            "nothing refused"
        );
        assert!(
            first(&a, Period::Day, Ranking::Requests).is_empty(),
            "no request that day"
        );
        let merged = merge(
            Ranking::Requests,
            leaders
                .iter()
                .filter(|l| l.period == Period::Week && l.ranking == Ranking::Requests)
                .cloned()
                .collect(),
        );
        assert_eq!(merged.len(), LEADERS_KEPT);
        assert_eq!(merged[0].token_id, TokenId(15));
    }
}
