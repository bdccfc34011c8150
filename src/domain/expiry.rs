//! Warnings before a token expires: at which lead times, when the daily run is
//! due (a run missed while Tessera was down is caught up), and which lead time a
//! token has reached.

use time::{Duration, PrimitiveDateTime, Time};

use super::validation::FieldErrors;

/// The days before the end of validity at which a token's people are told.
pub const DEFAULT_LEAD_DAYS: [i64; 3] = [30, 7, 1];
/// The hour (UTC) of the daily run.
pub const DEFAULT_RUN_HOUR: u8 = 8;
/// The lead of the notice that a token has expired.
pub const EXPIRED: i64 = 0;

/// When the run is and which lead times it tells, as the operator set them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// Largest first, no repeats.
    pub lead_days: Vec<i64>,
    pub run_hour: u8,
}

impl Default for Schedule {
    fn default() -> Self {
        Self {
            lead_days: DEFAULT_LEAD_DAYS.to_vec(),
            run_hour: DEFAULT_RUN_HOUR,
        }
    }
}

pub const MAX_LEADS: usize = 5;
pub const MAX_LEAD_DAYS: i64 = 365;

impl Schedule {
    /// From the settings form: lead times as "30, 7, 1" and an hour "0" to "23".
    pub fn parse(leads: &str, hour: &str) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut lead_days = Vec::new();
        for part in leads
            .split([',', ' '])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            match part.parse::<i64>() {
                Ok(days) if (1..=MAX_LEAD_DAYS).contains(&days) => {
                    if !lead_days.contains(&days) {
                        lead_days.push(days);
                    }
                }
                _ => errors.add(
                    "lead_days",
                    format!(
                        "Write whole numbers of days from 1 to {MAX_LEAD_DAYS}, such as 30, 7, 1."
                    ),
                ),
            }
        }
        if lead_days.is_empty() && errors.get("lead_days").is_none() {
            errors.add("lead_days", "Give at least one lead time, such as 7.");
        }
        if lead_days.len() > MAX_LEADS {
            errors.add("lead_days", format!("At most {MAX_LEADS} lead times."));
        }
        lead_days.sort_unstable_by(|a, b| b.cmp(a));
        let run_hour = match hour.trim().parse::<u8>() {
            Ok(hour) if hour < 24 => hour,
            _ => {
                errors.add("run_hour", "Choose an hour from 00 to 23.");
                DEFAULT_RUN_HOUR
            }
        };
        if errors.is_empty() {
            Ok(Self {
                lead_days,
                run_hour,
            })
        } else {
            Err(errors)
        }
    }

    /// As the form shows it: "30, 7, 1".
    pub fn lead_text(&self) -> String {
        self.lead_days
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

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
    fn the_schedule_is_read_from_the_form() {
        let schedule = Schedule::parse("7, 30 1 7", "6").unwrap();
        assert_eq!((schedule.lead_days, schedule.run_hour), (vec![30, 7, 1], 6));
        assert_eq!(Schedule::default().lead_text(), "30, 7, 1");
        for (leads, hour, field) in [
            ("", "8", "lead_days"),
            ("0", "8", "lead_days"),
            ("soon", "8", "lead_days"),
            ("400", "8", "lead_days"),
            ("1,2,3,4,5,6", "8", "lead_days"),
            ("7", "24", "run_hour"),
            ("7", "x", "run_hour"),
        ] {
            let errors = Schedule::parse(leads, hour).unwrap_err();
            assert!(errors.get(field).is_some(), "{leads:?} {hour:?}");
        }
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
