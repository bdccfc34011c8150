//! The window of usage a client asks for (`from`, `to`, `granularity`): the
//! defaults, and what is refused.

use time::{Duration, PrimitiveDateTime};

use super::series::{Granularity, Window};
use super::{Day, UsageRetention};

/// Most hourly buckets in one answer: a month.
pub const MAX_HOURS: u32 = 31 * 24;
/// Most daily buckets in one answer: ten years.
pub const MAX_DAYS: u32 = 3660;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowError {
    /// `from` is after `to`.
    Reversed,
    /// More buckets than one answer holds.
    TooMany { limit: u32 },
    /// Hours asked for before the first day that keeps them.
    HoursGone { first: Day },
}

/// The buckets asked for at `now`: by default the last 7 days; hours for at most
/// 7 days, days beyond, unless the client says. A window never reaches past the
/// bucket that holds `now`.
pub fn asked_window(
    from: Option<PrimitiveDateTime>,
    to: Option<PrimitiveDateTime>,
    granularity: Option<Granularity>,
    now: PrimitiveDateTime,
    retention: UsageRetention,
) -> Result<Window, WindowError> {
    // Nothing is counted after now.
    let to = to.map_or(now, |to| to.min(now));
    // As the 7-day chart: 168 hours, the last one holding `to`.
    let from = from.unwrap_or(to - Duration::days(7) + Duration::HOUR);
    if from > to {
        return Err(WindowError::Reversed);
    }
    let granularity = granularity.unwrap_or(if to - from <= Duration::days(7) {
        Granularity::Hour
    } else {
        Granularity::Day
    });
    let window = Window::between(from, to, granularity);
    let limit = match granularity {
        Granularity::Hour => MAX_HOURS,
        Granularity::Day => MAX_DAYS,
    };
    if window.buckets > limit {
        return Err(WindowError::TooMany { limit });
    }
    let first = retention.first_hourly_day(Day::of(now));
    if granularity == Granularity::Hour && Day::of(window.first) < first {
        return Err(WindowError::HoursGone { first });
    }
    Ok(window)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: PrimitiveDateTime = datetime!(2026-12-06 23:59);

    fn asked(
        from: Option<PrimitiveDateTime>,
        to: Option<PrimitiveDateTime>,
        granularity: Option<Granularity>,
    ) -> Result<Window, WindowError> {
        asked_window(from, to, granularity, NOW, UsageRetention::default())
    }

    #[test]
    fn by_default_the_last_seven_days_by_hour() {
        let window = asked(None, None, None).unwrap();
        assert_eq!(window.granularity, Granularity::Hour);
        assert_eq!(window.buckets, 168);
        assert_eq!(window.end(), datetime!(2026-12-07 00:00));
        let month = asked(Some(datetime!(2026-11-01 00:00)), None, None).unwrap();
        assert_eq!((month.granularity, month.buckets), (Granularity::Day, 36));
    }

    #[test]
    fn what_cannot_be_answered_is_refused() {
        let (early, late) = (
            Some(datetime!(2026-12-01 00:00)),
            Some(datetime!(2026-12-02 00:00)),
        );
        assert_eq!(asked(late, early, None), Err(WindowError::Reversed));
        let year = asked(
            Some(datetime!(2025-12-01 00:00)),
            None,
            Some(Granularity::Hour),
        );
        assert_eq!(year, Err(WindowError::TooMany { limit: MAX_HOURS }));
        let gone = asked(
            Some(datetime!(2026-11-20 00:00)),
            None,
            Some(Granularity::Hour),
        );
        assert_eq!(
            gone,
            Err(WindowError::HoursGone {
                first: Day::of(datetime!(2026-11-29 00:00))
            })
        );
        let daily = asked(
            Some(datetime!(2026-11-20 00:00)),
            None,
            Some(Granularity::Day),
        );
        assert_eq!(daily.unwrap().buckets, 17);
    }
}
