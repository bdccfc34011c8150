//! How many tokens a view holds: exactly, from the counts kept per status, for the
//! filters those counts answer (status and scope); counted up to a limit for the
//! rest (keywords, GUID, creator), so that a count never reads a million rows.

use super::{StatusFilter, TokenFilter};
use crate::domain::tokens::TokenStatus;

/// Counts of filters the kept counts cannot answer stop here; beyond it the page
/// says "more than 1,000".
pub const EXACT_COUNT_LIMIT: i64 = 1_000;

/// How many tokens are in each status, by [`TokenStatus::rank`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatusCounts(pub [i64; 6]);

impl StatusCounts {
    pub fn of(&self, status: TokenStatus) -> i64 {
        self.0[usize::from(status.rank())]
    }

    pub fn add(&mut self, status: TokenStatus, tokens: i64) {
        self.0[usize::from(status.rank())] += tokens;
    }

    /// How many of them the status filter lets through.
    pub fn matching(&self, filter: StatusFilter) -> i64 {
        TokenStatus::ALL
            .into_iter()
            .filter(|status| filter.admits(*status))
            .map(|status| self.of(status))
            .sum()
    }
}

impl StatusFilter {
    pub fn admits(self, status: TokenStatus) -> bool {
        match self {
            StatusFilter::AllButDeleted => status != TokenStatus::Deleted,
            StatusFilter::Inactive => !matches!(status, TokenStatus::Active | TokenStatus::Deleted),
            StatusFilter::Is(wanted) => status == wanted,
        }
    }
}

impl TokenFilter {
    /// The list can be counted from the counts kept per scope and status: nothing
    /// else narrows it.
    pub fn counted_by_status(&self) -> bool {
        // Named one by one, so a new filter has to say whether the kept counts hold.
        let TokenFilter {
            keywords,
            guid,
            scope_id: _,
            created_by,
            module_id,
            status: _,
            expiring,
            unused,
            sort: _,
            direction: _,
            page_size: _,
        } = self;
        keywords.is_empty()
            && guid.is_none()
            && created_by.is_none()
            && module_id.is_none()
            && expiring.is_none()
            && unused.is_none()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenCount {
    Exact(i64),
    /// More than the limit the count stopped at.
    MoreThan(i64),
}

impl TokenCount {
    /// From a count of at most `limit + 1` rows.
    pub fn from_capped(counted: i64, limit: i64) -> Self {
        if counted > limit {
            TokenCount::MoreThan(limit)
        } else {
            TokenCount::Exact(counted)
        }
    }

    /// "1 token", "25 tokens", "more than 1,000 tokens".
    pub fn describe(self) -> String {
        match self {
            TokenCount::Exact(1) => "1 token".to_owned(),
            TokenCount::Exact(n) => format!("{} tokens", thousands(n)),
            TokenCount::MoreThan(limit) => format!("more than {} tokens", thousands(limit)),
        }
    }
}

impl TokenCount {
    /// "1–25 of 286 tokens", "26–50 of more than 1,000 tokens": where a page of `shown` tokens
    /// starting at `first` stands. `None` when the page holds them all, or when
    /// they do not fit the count (a position from an old link): the page then
    /// says the count alone.
    pub fn describe_range(self, first: i64, shown: i64) -> Option<String> {
        let last = first + shown - 1;
        let whole = match self {
            TokenCount::Exact(n) if last > n || shown < 1 || (first == 1 && last == n) => {
                return None;
            }
            _ => self.describe(),
        };
        Some(format!(
            "{}–{} of {whole}",
            thousands(first),
            thousands(last)
        ))
    }
}

fn thousands(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_says_where_it_stands() {
        let count = TokenCount::Exact(286);
        assert_eq!(
            count.describe_range(1, 25).as_deref(),
            Some("1–25 of 286 tokens")
        );
        assert_eq!(
            count.describe_range(276, 11).as_deref(),
            Some("276–286 of 286 tokens")
        );
        assert_eq!(count.describe_range(280, 25), None, "beyond the count");
        assert_eq!(
            TokenCount::Exact(4).describe_range(1, 4),
            None,
            "all on one page"
        );
        assert_eq!(
            TokenCount::MoreThan(EXACT_COUNT_LIMIT)
                .describe_range(1001, 25)
                .as_deref(),
            Some("1,001–1,025 of more than 1,000 tokens")
        );
    }

    #[test]
    fn a_status_filter_sums_the_statuses_it_admits() {
        let counts = StatusCounts([10, 1, 2, 3, 4, 5]);
        assert_eq!(counts.matching(StatusFilter::AllButDeleted), 20);
        assert_eq!(counts.matching(StatusFilter::Inactive), 10);
        assert_eq!(counts.matching(StatusFilter::Is(TokenStatus::Deleted)), 5);
        assert_eq!(counts.matching(StatusFilter::Is(TokenStatus::Active)), 10);
    }

    #[test]
    fn only_status_and_scope_are_counted_from_the_kept_counts() {
        let mut filter = TokenFilter {
            scope_id: Some(3),
            status: StatusFilter::Inactive,
            ..TokenFilter::default()
        };
        assert!(filter.counted_by_status());
        filter.keywords = vec!["billing".to_owned()];
        assert!(!filter.counted_by_status());
    }

    #[test]
    fn counts_are_exact_up_to_the_limit() {
        let counted = |n| TokenCount::from_capped(n, EXACT_COUNT_LIMIT).describe();
        assert_eq!(counted(0), "0 tokens");
        assert_eq!(counted(1), "1 token");
        assert_eq!(counted(999), "999 tokens");
        assert_eq!(counted(EXACT_COUNT_LIMIT), "1,000 tokens");
        assert_eq!(counted(EXACT_COUNT_LIMIT + 1), "more than 1,000 tokens");
        assert_eq!(
            TokenCount::from_capped(101, 100).describe(),
            "more than 100 tokens"
        );
    }
}
