//! Warnings before a token expires: at which lead times, when the daily run is
//! due (a run missed while Tessera was down is caught up), and which lead time a
//! token has reached.

use time::{Duration, PrimitiveDateTime, Time};

/// The days before the end of validity at which a token's people are told.
pub const DEFAULT_LEAD_DAYS: [i64; 3] = [30, 7, 1];
/// The hour (UTC) of the daily run.
pub const DEFAULT_RUN_HOUR: u8 = 8;
/// The lead of the notice that a token has expired.
pub const EXPIRED: i64 = 0;

/// The latest scheduled run at or before `now`: today's at `hour`, or yesterday's
/// before that hour.
pub fn latest_run(hour: u8, now: PrimitiveDateTime) -> PrimitiveDateTime {
    let at = Time::from_hms(hour.min(23), 0, 0).expect("an hour of the day");
    let today = PrimitiveDateTime::new(now.date(), at);
    if today <= now {
        today
    } else {
        today - Duration::days(1)
    }
}

/// Whether a run is due: none ran since the latest scheduled one.
pub fn run_due(hour: u8, last_run: Option<PrimitiveDateTime>, now: PrimitiveDateTime) -> bool {
    last_run.is_none_or(|last| last < latest_run(hour, now))
}

/// The smallest lead time a token ending at `valid_to` has reached at `now`, if
/// any; a token past its end has reached [`EXPIRED`].
pub fn reached_lead(
    leads: &[i64],
    valid_to: PrimitiveDateTime,
    now: PrimitiveDateTime,
) -> Option<i64> {
    if valid_to <= now {
        return Some(EXPIRED);
    }
    leads
        .iter()
        .copied()
        .filter(|days| valid_to - now <= Duration::days(*days))
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_daily_run_is_due_once_after_its_hour_and_caught_up_after_a_gap() {
        let morning = datetime!(2026-11-25 07:59:00);
        let later = datetime!(2026-11-25 08:00:00);
        assert_eq!(latest_run(8, morning), datetime!(2026-11-24 08:00:00));
        assert_eq!(latest_run(8, later), datetime!(2026-11-25 08:00:00));
        assert!(run_due(8, None, morning), "never ran: due at once");
        assert!(!run_due(8, Some(datetime!(2026-11-24 08:00:05)), morning));
        assert!(run_due(8, Some(datetime!(2026-11-24 08:00:05)), later));
        assert!(!run_due(8, Some(later), later + Duration::hours(3)));
        // Down for three days: one run catches up.
        assert!(run_due(8, Some(datetime!(2026-11-21 08:00:00)), later));
    }

    #[test]
    fn a_token_reaches_the_smallest_lead_it_is_within() {
        let now = datetime!(2026-11-25 08:00:00);
        let leads = DEFAULT_LEAD_DAYS;
        assert_eq!(reached_lead(&leads, now + Duration::days(40), now), None);
        assert_eq!(
            reached_lead(&leads, now + Duration::days(30), now),
            Some(30)
        );
        assert_eq!(reached_lead(&leads, now + Duration::days(3), now), Some(7));
        assert_eq!(reached_lead(&leads, now + Duration::hours(5), now), Some(1));
        assert_eq!(reached_lead(&leads, now, now), Some(EXPIRED));
    }
}
