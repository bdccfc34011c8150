//! How many tokens a view holds: counted exactly up to a limit, so that a count
//! never reads a million rows.

/// Counts stop here; beyond it the page says "more than 1,000".
pub const EXACT_COUNT_LIMIT: i64 = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenCount {
    Exact(i64),
    MoreThanLimit,
}

impl TokenCount {
    /// From a count of at most `EXACT_COUNT_LIMIT + 1` rows.
    pub fn from_capped(counted: i64) -> Self {
        if counted > EXACT_COUNT_LIMIT {
            TokenCount::MoreThanLimit
        } else {
            TokenCount::Exact(counted)
        }
    }

    /// "1 token", "25 tokens", "more than 1,000 tokens".
    pub fn describe(self) -> String {
        match self {
            TokenCount::Exact(1) => "1 token".to_owned(),
            TokenCount::Exact(n) => format!("{} tokens", thousands(n)),
            TokenCount::MoreThanLimit => {
                format!("more than {} tokens", thousands(EXACT_COUNT_LIMIT))
            }
        }
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
    fn counts_are_exact_up_to_the_limit() {
        assert_eq!(TokenCount::from_capped(0).describe(), "0 tokens");
        assert_eq!(TokenCount::from_capped(1).describe(), "1 token");
        assert_eq!(TokenCount::from_capped(999).describe(), "999 tokens");
        assert_eq!(
            TokenCount::from_capped(EXACT_COUNT_LIMIT).describe(),
            "1,000 tokens"
        );
        assert_eq!(
            TokenCount::from_capped(EXACT_COUNT_LIMIT + 1).describe(),
            "more than 1,000 tokens"
        );
    }
}
