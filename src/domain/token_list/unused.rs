//! The list's "Unused for" filter: tokens with no use within a number of days, at
//! the windows Token health calls a token idle after.

use time::{Duration, PrimitiveDateTime};

use crate::domain::tokens::IDLE_DAYS;

/// A number of days, one of [`IDLE_DAYS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnusedFor(i64);

impl UnusedFor {
    /// Read leniently, as the page's address: anything else is no filter.
    pub fn from_key(text: &str) -> Option<Self> {
        let days = text.trim().parse().ok()?;
        IDLE_DAYS.contains(&days).then_some(Self(days))
    }

    pub fn all() -> impl Iterator<Item = Self> {
        IDLE_DAYS.into_iter().map(Self)
    }

    pub fn days(self) -> i64 {
        self.0
    }

    /// A token is unused when its last use, or its creation if it was never used,
    /// came before this moment.
    pub fn cutoff(self, now: PrimitiveDateTime) -> PrimitiveDateTime {
        now - Duration::days(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn only_the_idle_windows_are_read() {
        assert_eq!(UnusedFor::from_key(" 60 ").map(UnusedFor::days), Some(60));
        assert_eq!(UnusedFor::from_key("45"), None);
        assert_eq!(UnusedFor::from_key("-30"), None);
        let now = datetime!(2026-12-07 00:30:00);
        assert_eq!(
            UnusedFor::from_key("30").unwrap().cutoff(now),
            datetime!(2026-11-07 00:30:00)
        );
    }
}
