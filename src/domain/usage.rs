//! Usage counts: the UTC hour and day every verification answer is counted in, and
//! how long hourly detail and daily totals are kept.
//!
//! A token's counts for one day, outcome and (module, action) are one stored row with
//! a column per hour and the day's total: a day of hourly counts costs one row, not
//! twenty-four. Once the day leaves the hourly window its hours are cleared and the
//! total stays, until the day leaves the daily window too.

use time::{Date, Duration, PrimitiveDateTime, Time};

pub mod asked;
pub mod overview;
pub mod series;

use crate::domain::tokens::Action;
use crate::domain::verification::Outcome;

/// Hours in a stored day row.
pub const HOURS_PER_DAY: usize = 24;

/// A UTC day, as days since 1970-01-01: how usage rows are keyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub i32);

impl Day {
    pub fn of(at: PrimitiveDateTime) -> Self {
        Self(at.date().to_julian_day() - EPOCH_JULIAN_DAY)
    }

    pub fn date(self) -> Date {
        Date::from_julian_day(self.0 + EPOCH_JULIAN_DAY).unwrap_or(Date::MIN)
    }

    pub fn start(self) -> PrimitiveDateTime {
        PrimitiveDateTime::new(self.date(), Time::MIDNIGHT)
    }

    pub fn plus(self, days: i32) -> Self {
        Self(self.0 + days)
    }
}

const EPOCH_JULIAN_DAY: i32 = 2_440_588;

/// A UTC hour: its day and its place in the day (0–23).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hour {
    pub day: Day,
    pub of_day: u8,
}

impl Hour {
    pub fn of(at: PrimitiveDateTime) -> Self {
        Self {
            day: Day::of(at),
            of_day: at.hour(),
        }
    }

    pub fn start(self) -> PrimitiveDateTime {
        self.day.start() + Duration::hours(self.of_day.into())
    }
}

/// What an answer is counted as, for a token: its outcome and, when it passed and
/// named a module (by key, or by a forward-auth path), the module and action.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Counted<M> {
    pub outcome: Outcome,
    pub access: Option<(M, Action)>,
}

/// How long usage is kept: today, and this many whole days before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsageRetention {
    /// Days of hourly detail before today: seven keep the last 168 hours whole.
    pub hourly_days: u32,
    /// Days of daily totals before today.
    pub daily_days: u32,
}

impl Default for UsageRetention {
    fn default() -> Self {
        Self {
            hourly_days: 7,
            daily_days: 730,
        }
    }
}

impl UsageRetention {
    /// The first day that still keeps its hours on `today`.
    pub fn first_hourly_day(self, today: Day) -> Day {
        today.plus(-(self.hourly_days as i32))
    }

    /// The first day that is still kept at all on `today` (never one that keeps
    /// its hours).
    pub fn first_kept_day(self, today: Day) -> Day {
        today.plus(-(self.daily_days.max(self.hourly_days) as i32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn hours_and_days_are_utc_buckets_counted_from_the_epoch() {
        assert_eq!(Day::of(datetime!(1970-01-01 23:59:59)), Day(0));
        assert_eq!(Day::of(datetime!(1970-01-02 00:00)), Day(1));
        let at = datetime!(2026-12-06 23:59:59.999);
        let hour = Hour::of(at);
        assert_eq!(hour.of_day, 23);
        assert_eq!(hour.start(), datetime!(2026-12-06 23:00));
        assert_eq!(hour.day.date(), time::macros::date!(2026 - 12 - 06));
        assert_eq!(Hour::of(datetime!(2026-12-07 00:00)).day, hour.day.plus(1));
        assert_eq!(Day::of(Day(20_000).start()), Day(20_000));
    }

    #[test]
    fn the_windows_keep_today_and_whole_days_before_it() {
        let today = Day(1000);
        let retention = UsageRetention::default();
        // The last 168 hours reach into the seventh day before today.
        assert_eq!(retention.first_hourly_day(today), Day(993));
        let week_ago = Hour::of(today.start() + Duration::hours(10) - Duration::hours(167));
        assert!(week_ago.day >= retention.first_hourly_day(today));
        assert_eq!(retention.first_kept_day(today), Day(1000 - 730));
        // Daily totals are never dropped before their hours.
        let odd = UsageRetention {
            hourly_days: 10,
            daily_days: 3,
        };
        assert_eq!(odd.first_kept_day(today), Day(990));
    }
}
