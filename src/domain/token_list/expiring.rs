//! The list's "Expiring within" filter: active tokens whose validity ends soon, at
//! the lead times of the expiry notices.

use time::{Duration, PrimitiveDateTime};

use crate::domain::tokens::EXPIRY_WARNING;

/// A number of days, one of [`ExpiringWithin::CHOICES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpiringWithin(i64);

impl ExpiringWithin {
    pub const CHOICES: [i64; 3] = [1, 7, 30];
    /// The window of the list's notice: the one in which a token's row warns that
    /// it expires soon.
    pub const NOTICE: ExpiringWithin = ExpiringWithin(EXPIRY_WARNING.whole_days());
    /// The notice counts this far ("more than 100 tokens expire within 7 days"):
    /// it is on every page of the list, and the list it links to counts further.
    pub const NOTICE_COUNT_LIMIT: i64 = 100;

    /// Read leniently, as the page's address: anything else is no filter.
    pub fn from_key(text: &str) -> Option<Self> {
        text.trim()
            .parse()
            .ok()
            .filter(|days| Self::CHOICES.contains(days))
            .map(Self)
    }

    pub fn all() -> impl Iterator<Item = Self> {
        Self::CHOICES.into_iter().map(Self)
    }

    pub fn days(self) -> i64 {
        self.0
    }

    /// The latest end of validity that is within the window from `now`.
    pub fn until(self, now: PrimitiveDateTime) -> PrimitiveDateTime {
        now + Duration::days(self.0)
    }

    pub fn label(self) -> String {
        match self.0 {
            1 => "1 day".into(),
            days => format!("{days} days"),
        }
    }
}

crate::domain::keyed::integer_choices!(ExpiringWithin);

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn only_the_choices_are_read() {
        assert_eq!(
            ExpiringWithin::from_key(" 7 ").map(ExpiringWithin::days),
            Some(7)
        );
        assert_eq!(ExpiringWithin::from_key("8"), None);
        assert_eq!(ExpiringWithin::from_key(""), None);
        let now = datetime!(2026-11-25 10:00:00);
        assert_eq!(
            ExpiringWithin::NOTICE.until(now),
            datetime!(2026-12-02 10:00:00)
        );
        assert_eq!(ExpiringWithin::from_key("1").unwrap().label(), "1 day");
    }
}
