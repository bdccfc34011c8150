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

    fn buckets(self) -> i64 {
        match self {
            Period::Day => 24,
            Period::Week => 7 * 24,
            Period::Month => 30,
            Period::Quarter => 90,
        }
    }

    /// The buckets' starts at `now`, oldest first; the last holds `now`.
    pub fn starts(self, now: PrimitiveDateTime) -> Vec<PrimitiveDateTime> {
        let (last, step) = match self.granularity() {
            Granularity::Hour => (Hour::of(now).start(), Duration::HOUR),
            Granularity::Day => (Day::of(now).start(), Duration::DAY),
        };
        (0..self.buckets())
            .rev()
            .map(|back| last - step * back as i32)
            .collect()
    }

    /// The first and last day whose rows the period needs.
    pub fn days(self, now: PrimitiveDateTime) -> (Day, Day) {
        let starts = self.starts(now);
        (Day::of(starts[0]), Day::of(now))
    }
}

/// The stored counts of one day and outcome (any module and action).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDay {
    pub day: Day,
    pub outcome: Outcome,
    /// None once the day left the hourly window (or nothing was counted that hour).
    pub hours: [Option<i32>; HOURS_PER_DAY],
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

/// The period's buckets at `now`, from its days' rows.
pub fn series(period: Period, now: PrimitiveDateTime, rows: &[StoredDay]) -> Vec<Bucket> {
    let mut buckets: Vec<Bucket> = period
        .starts(now)
        .into_iter()
        .map(|start| Bucket {
            start,
            counts: [0; Outcome::ALL.len()],
        })
        .collect();
    let first = buckets[0].start;
    let index_of = |at: PrimitiveDateTime| -> Option<usize> {
        let step = match period.granularity() {
            Granularity::Hour => Duration::HOUR,
            Granularity::Day => Duration::DAY,
        };
        let offset = (at - first).whole_seconds();
        (offset >= 0).then(|| (offset / step.whole_seconds()) as usize)
    };
    for row in rows {
        let outcome = outcome_index(row.outcome);
        let mut add = |at: PrimitiveDateTime, requests: i64| {
            if let Some(bucket) = index_of(at).and_then(|i| buckets.get_mut(i)) {
                bucket.counts[outcome] += requests;
            }
        };
        match period.granularity() {
            Granularity::Day => add(row.day.start(), row.total),
            Granularity::Hour => {
                for (hour, requests) in row.hours.iter().enumerate() {
                    if let Some(requests) = requests {
                        add(
                            row.day.start() + Duration::hours(hour as i64),
                            (*requests).into(),
                        );
                    }
                }
            }
        }
    }
    buckets
}

/// The requests of `row` within the period at `now`.
pub fn requests_within(period: Period, now: PrimitiveDateTime, row: &StoredDay) -> i64 {
    let first = period.starts(now)[0];
    match period.granularity() {
        Granularity::Day if row.day.start() >= first => row.total,
        Granularity::Day => 0,
        Granularity::Hour => row
            .hours
            .iter()
            .enumerate()
            .filter(|(hour, _)| row.day.start() + Duration::hours(*hour as i64) >= first)
            .filter_map(|(_, requests)| requests.map(i64::from))
            .sum(),
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
            row.hours[*hour] = Some(*requests);
            row.total += i64::from(*requests);
        }
        row
    }

    #[test]
    fn the_last_24_hours_end_with_the_current_one() {
        let now = datetime!(2026-12-06 00:30);
        let starts = Period::Day.starts(now);
        assert_eq!(starts.len(), 24);
        assert_eq!(starts[0], datetime!(2026-12-05 01:00));
        assert_eq!(starts[23], datetime!(2026-12-06 00:00));
        let (first, last) = Period::Day.days(now);
        assert_eq!((first, last), (Day::of(now).plus(-1), Day::of(now)));
        let quarter = Period::Quarter.starts(datetime!(2026-12-06 23:59));
        assert_eq!(quarter.len(), 90);
        assert_eq!(quarter[89], datetime!(2026-12-06 00:00));
        assert_eq!(Period::from_key("7d"), Some(Period::Week));
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
        let day = series(Period::Day, now, &rows);
        let valid = outcome_index(Outcome::Valid);
        let expired = outcome_index(Outcome::Expired);
        assert_eq!(day[0].counts[valid], 2);
        assert_eq!(day[22].counts[valid], 3);
        assert_eq!(day[22].counts[expired], 1);
        assert_eq!(day[22].total(), 4);
        assert_eq!(day[23].counts[valid], 4);
        assert_eq!(day.iter().map(Bucket::total).sum::<i64>(), 10);

        let month = series(Period::Month, now, &rows);
        assert_eq!(month.len(), 30);
        assert_eq!(month[28].counts[valid], 10, "yesterday's total");
        assert_eq!(month[29].total(), 4);
        // A rolled-up day still counts by its total.
        let rolled = StoredDay {
            hours: [None; HOURS_PER_DAY],
            ..rows[0].clone()
        };
        assert_eq!(series(Period::Month, now, &[rolled])[28].total(), 10);
        assert_eq!(requests_within(Period::Day, now, &rows[0]), 5);
        assert_eq!(requests_within(Period::Month, now, &rows[0]), 10);
    }
}
