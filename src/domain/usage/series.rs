//! Usage over a period: the buckets a chart draws (hours for the last 24 hours and
//! 7 days, days for 30 and 90), each with its requests by outcome, built from the
//! stored day rows.

use time::{Duration, PrimitiveDateTime};

use super::{Day, HOURS_PER_DAY, Hour};
use crate::domain::verification::Outcome;

/// The periods usage is shown for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Day,
    Week,
    Month,
    Quarter,
}

/// How long a bucket is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granularity {
    Hour,
    Day,
}

impl Period {
    pub const ALL: [Period; 4] = [Period::Day, Period::Week, Period::Month, Period::Quarter];

    pub fn key(self) -> &'static str {
        match self {
            Period::Day => "24h",
            Period::Week => "7d",
            Period::Month => "30d",
            Period::Quarter => "90d",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Period::Day => "Last 24 hours",
            Period::Week => "Last 7 days",
            Period::Month => "Last 30 days",
            Period::Quarter => "Last 90 days",
        }
    }

    pub fn granularity(self) -> Granularity {
        match self {
            Period::Day | Period::Week => Granularity::Hour,
            Period::Month | Period::Quarter => Granularity::Day,
        }
    }

    fn buckets(self) -> u32 {
        match self {
            Period::Day => 24,
            Period::Week => 7 * 24,
            Period::Month => 30,
            Period::Quarter => 90,
        }
    }

    /// The period's buckets at `now`: the last holds `now`.
    pub fn window(self, now: PrimitiveDateTime) -> Window {
        let granularity = self.granularity();
        let last = granularity.bucket_of(now);
        Window {
            first: last - granularity.step() * (self.buckets() as i32 - 1),
            buckets: self.buckets(),
            granularity,
        }
    }
}

impl Granularity {
    pub fn key(self) -> &'static str {
        match self {
            Granularity::Hour => "hour",
            Granularity::Day => "day",
        }
    }

    pub fn step(self) -> Duration {
        match self {
            Granularity::Hour => Duration::HOUR,
            Granularity::Day => Duration::DAY,
        }
    }

    /// The start of the bucket that holds `at`.
    pub fn bucket_of(self, at: PrimitiveDateTime) -> PrimitiveDateTime {
        match self {
            Granularity::Hour => Hour::of(at).start(),
            Granularity::Day => Day::of(at).start(),
        }
    }
}

/// Consecutive buckets of one granularity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The first bucket's start.
    pub first: PrimitiveDateTime,
    pub buckets: u32,
    pub granularity: Granularity,
}

impl Window {
    /// The buckets from the one holding `from` to the one holding `to`.
    pub fn between(
        from: PrimitiveDateTime,
        to: PrimitiveDateTime,
        granularity: Granularity,
    ) -> Self {
        let first = granularity.bucket_of(from);
        let last = granularity.bucket_of(to.max(from));
        let buckets = (last - first).whole_seconds() / granularity.step().whole_seconds() + 1;
        Self {
            first,
            buckets: u32::try_from(buckets).unwrap_or(u32::MAX),
            granularity,
        }
    }

    /// The buckets' starts, oldest first.
    pub fn starts(self) -> Vec<PrimitiveDateTime> {
        (0..self.buckets)
            .map(|i| self.first + self.granularity.step() * i as i32)
            .collect()
    }

    /// The end of the last bucket.
    pub fn end(self) -> PrimitiveDateTime {
        self.first + self.granularity.step() * self.buckets as i32
    }

    /// The first and last day whose rows the window needs.
    pub fn days(self) -> (Day, Day) {
        (Day::of(self.first), Day::of(self.end() - Duration::SECOND))
    }

    fn index_of(self, at: PrimitiveDateTime) -> Option<usize> {
        let offset = (at - self.first).whole_seconds();
        let index = offset / self.granularity.step().whole_seconds();
        (offset >= 0 && index < i64::from(self.buckets)).then_some(index as usize)
    }
}

/// The stored counts of one day and outcome (any module and action).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDay {
    pub day: Day,
    pub outcome: Outcome,
    /// None once the day left the hourly window (or nothing was counted that hour).
    pub hours: [Option<i64>; HOURS_PER_DAY],
    pub total: i64,
}

/// One bar of a chart: requests by outcome, in [`Outcome::ALL`] order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub start: PrimitiveDateTime,
    pub counts: [i64; Outcome::ALL.len()],
}

impl Bucket {
    pub fn total(&self) -> i64 {
        self.counts.iter().sum()
    }
}

/// The window's buckets, from its days' rows. A day kept without its hours counts
/// in a daily window only.
pub fn series(window: Window, rows: &[StoredDay]) -> Vec<Bucket> {
    let mut buckets: Vec<Bucket> = window
        .starts()
        .into_iter()
        .map(|start| Bucket {
            start,
            counts: [0; Outcome::ALL.len()],
        })
        .collect();
    for row in rows {
        let outcome = outcome_index(row.outcome);
        for (at, requests) in counts_of(window.granularity, row) {
            if let Some(bucket) = window.index_of(at).and_then(|i| buckets.get_mut(i)) {
                bucket.counts[outcome] += requests;
            }
        }
    }
    buckets
}

/// The buckets' requests by outcome, in [`Outcome::ALL`] order.
pub fn totals(buckets: &[Bucket]) -> [i64; Outcome::ALL.len()] {
    let mut totals = [0; Outcome::ALL.len()];
    for bucket in buckets {
        for (total, count) in totals.iter_mut().zip(bucket.counts) {
            *total += count;
        }
    }
    totals
}

/// The requests of `row` within the window.
pub fn requests_within(window: Window, row: &StoredDay) -> i64 {
    counts_of(window.granularity, row)
        .filter(|(at, _)| window.index_of(*at).is_some())
        .map(|(_, requests)| requests)
        .sum()
}

/// A row's counts with the start of what they count: its hours, or its day.
fn counts_of(
    granularity: Granularity,
    row: &StoredDay,
) -> Box<dyn Iterator<Item = (PrimitiveDateTime, i64)> + '_> {
    let start = row.day.start();
    match granularity {
        Granularity::Day => Box::new(std::iter::once((start, row.total))),
        Granularity::Hour => Box::new(
            row.hours
                .iter()
                .enumerate()
                .filter_map(move |(hour, n)| n.map(|n| (start + Duration::hours(hour as i64), n))),
        ),
    }
}

pub fn outcome_index(outcome: Outcome) -> usize {
    Outcome::ALL
        .iter()
        .position(|o| *o == outcome)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn day_row(day: Day, outcome: Outcome, hours: &[(usize, i32)]) -> StoredDay {
        let mut row = StoredDay {
            day,
            outcome,
            hours: [None; HOURS_PER_DAY],
            total: 0,
        };
        for (hour, requests) in hours {
            row.hours[*hour] = Some(i64::from(*requests));
            row.total += i64::from(*requests);
        }
        row
    }

    #[test]
    fn the_last_24_hours_end_with_the_current_one() {
        let now = datetime!(2026-12-06 00:30);
        let starts = Period::Day.window(now).starts();
        assert_eq!(starts.len(), 24);
        assert_eq!(starts[0], datetime!(2026-12-05 01:00));
        assert_eq!(starts[23], datetime!(2026-12-06 00:00));
        let (first, last) = Period::Day.window(now).days();
        assert_eq!((first, last), (Day::of(now).plus(-1), Day::of(now)));
        let quarter = Period::Quarter.window(datetime!(2026-12-06 23:59)).starts();
        assert_eq!(quarter.len(), 90);
        assert_eq!(quarter[89], datetime!(2026-12-06 00:00));
        assert_eq!(Period::from_key("7d"), Some(Period::Week));
        let between = Window::between(
            datetime!(2026-12-01 10:15),
            datetime!(2026-12-03 09:00),
            Granularity::Day,
        );
        assert_eq!(
            (between.first, between.buckets),
            (datetime!(2026-12-01 00:00), 3)
        );
        assert_eq!(between.end(), datetime!(2026-12-04 00:00));
        assert_eq!(Period::from_key("7"), None);
    }

    #[test]
    fn hours_fill_hourly_buckets_and_totals_daily_ones() {
        let now = datetime!(2026-12-06 00:30);
        let today = Day::of(now);
        let rows = [
            // Yesterday at 00:00 is before the 24 hours; at 01:00 and 23:00 within.
            day_row(today.plus(-1), Outcome::Valid, &[(0, 5), (1, 2), (23, 3)]),
            day_row(today.plus(-1), Outcome::Expired, &[(23, 1)]),
            day_row(today, Outcome::Valid, &[(0, 4)]),
        ];
        let day = series(Period::Day.window(now), &rows);
        let valid = outcome_index(Outcome::Valid);
        let expired = outcome_index(Outcome::Expired);
        assert_eq!(day[0].counts[valid], 2);
        assert_eq!(day[22].counts[valid], 3);
        assert_eq!(day[22].counts[expired], 1);
        assert_eq!(day[22].total(), 4);
        assert_eq!(day[23].counts[valid], 4);
        assert_eq!(day.iter().map(Bucket::total).sum::<i64>(), 10);

        let month = series(Period::Month.window(now), &rows);
        assert_eq!(month.len(), 30);
        assert_eq!(month[28].counts[valid], 10, "yesterday's total");
        assert_eq!(month[29].total(), 4);
        // A rolled-up day still counts by its total.
        let rolled = StoredDay {
            hours: [None; HOURS_PER_DAY],
            ..rows[0].clone()
        };
        assert_eq!(series(Period::Month.window(now), &[rolled])[28].total(), 10);
        assert_eq!(requests_within(Period::Day.window(now), &rows[0]), 5);
        assert_eq!(requests_within(Period::Month.window(now), &rows[0]), 10);
    }
}
