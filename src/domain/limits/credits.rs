//! Credits: a remaining count each passing request spends (by its cost), refused at
//! zero, and refilled to a set amount at the start of every UTC day or month.

use time::{Date, Month, PrimitiveDateTime, Time};

use super::MAX_AMOUNT;

/// When credits refill: at 00:00 UTC of every day, or of the first of every month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refill {
    Daily,
    Monthly,
}

impl Refill {
    pub fn key(self) -> &'static str {
        match self {
            Refill::Daily => "day",
            Refill::Monthly => "month",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "day" | "daily" => Some(Refill::Daily),
            "month" | "monthly" => Some(Refill::Monthly),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Refill::Daily => "every day at 00:00 UTC",
            Refill::Monthly => "on the 1st of every month at 00:00 UTC",
        }
    }

    /// The start of the refill period `at` falls in.
    pub fn period_start(self, at: PrimitiveDateTime) -> PrimitiveDateTime {
        let day = match self {
            Refill::Daily => at.date(),
            Refill::Monthly => at.date().replace_day(1).expect("every month has a 1st"),
        };
        PrimitiveDateTime::new(day, Time::MIDNIGHT)
    }

    /// The next refill after `at`.
    pub fn next(self, at: PrimitiveDateTime) -> PrimitiveDateTime {
        let start = self.period_start(at).date();
        let next = match self {
            Refill::Daily => start.next_day().unwrap_or(Date::MAX),
            Refill::Monthly => {
                let (year, month) = match start.month() {
                    Month::December => (start.year() + 1, Month::January),
                    month => (start.year(), month.next()),
                };
                Date::from_calendar_date(year, month, 1).unwrap_or(Date::MAX)
            }
        };
        PrimitiveDateTime::new(next, Time::MIDNIGHT)
    }
}

/// Credits as an administrator sets them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreditsInput {
    pub remaining: i64,
    /// How often, and to how many.
    pub refill: Option<(Refill, i64)>,
}

impl CreditsInput {
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        if !(0..=MAX_AMOUNT).contains(&self.remaining) {
            return Err((
                "credits",
                format!("Remaining credits must be between 0 and {MAX_AMOUNT}."),
            ));
        }
        if let Some((_, amount)) = self.refill
            && !(1..=MAX_AMOUNT).contains(&amount)
        {
            return Err((
                "refill_amount",
                format!("Credits refill to between 1 and {MAX_AMOUNT}."),
            ));
        }
        Ok(())
    }
}

/// Reads the credit fields of a form: remaining (empty: no credits), refill period
/// (empty: never) and the amount it refills to.
pub fn read_form(
    remaining: &str,
    refill: &str,
    amount: &str,
) -> Result<Option<CreditsInput>, (&'static str, String)> {
    let remaining = remaining.trim().replace(['_', ','], "");
    if remaining.is_empty() {
        return Ok(None);
    }
    let remaining = remaining.parse().map_err(|_| {
        (
            "credits",
            "Remaining credits must be a whole number.".to_owned(),
        )
    })?;
    let refill = match refill.trim() {
        "" | "never" => None,
        key => {
            let period = Refill::from_key(key).ok_or((
                "refill",
                "Credits refill every day, every month or never.".to_owned(),
            ))?;
            let amount = amount.trim().replace(['_', ','], "").parse().map_err(|_| {
                (
                    "refill_amount",
                    "Say how many credits there are after each refill.".to_owned(),
                )
            })?;
            Some((period, amount))
        }
    };
    let input = CreditsInput { remaining, refill };
    input.check()?;
    Ok(Some(input))
}

/// How much of its credits an owner used, as the thresholds that are told: 0,
/// 80 (80 % or more used) or 100 (none left). `reference` is the refill amount, or
/// the count last set.
pub fn threshold(remaining: i64, reference: i64) -> i32 {
    if remaining <= 0 {
        100
    } else if remaining.saturating_mul(5) <= reference {
        80
    } else {
        0
    }
}

/// Credits as verification keeps them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Credits {
    pub remaining: i64,
    pub refill: Option<(Refill, i64)>,
    /// The start of the refill period `remaining` belongs to.
    pub refilled_at: Option<PrimitiveDateTime>,
}

impl Credits {
    /// Refills when a calendar boundary passed since the last refill; says whether it did.
    pub fn refill_if_due(&mut self, now: PrimitiveDateTime) -> bool {
        let Some((period, amount)) = self.refill else {
            return false;
        };
        let start = period.period_start(now);
        if self.refilled_at.is_some_and(|at| at >= start) {
            return false;
        }
        self.remaining = amount;
        self.refilled_at = Some(start);
        true
    }

    /// Spends `cost` when there are that many left.
    pub fn spend(&mut self, cost: i64) -> bool {
        if self.remaining >= cost {
            self.remaining -= cost;
            true
        } else {
            false
        }
    }

    /// When credits come back, for `Retry-After`.
    pub fn next_refill(&self, now: PrimitiveDateTime) -> Option<PrimitiveDateTime> {
        self.refill.map(|(period, _)| period.next(now))
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn refills_at_the_calendar_boundary_in_utc() {
        let mut credits = Credits {
            remaining: 0,
            refill: Some((Refill::Monthly, 1000)),
            refilled_at: Some(datetime!(2026-01-01 0:00)),
        };
        assert!(!credits.refill_if_due(datetime!(2026-01-31 23:59:59.999)));
        assert_eq!(credits.remaining, 0);
        assert!(credits.refill_if_due(datetime!(2026-02-01 0:00)));
        assert_eq!(credits.remaining, 1000);
        assert_eq!(credits.refilled_at, Some(datetime!(2026-02-01 0:00)));
        assert!(!credits.refill_if_due(datetime!(2026-02-20 0:00)));
        assert_eq!(
            Refill::Monthly.next(datetime!(2026-12-31 12:00)),
            datetime!(2027-01-01 0:00)
        );
        assert_eq!(
            Refill::Daily.next(datetime!(2026-12-31 23:59)),
            datetime!(2027-01-01 0:00)
        );
    }

    #[test]
    fn thresholds_are_told_at_80_and_100_percent_used() {
        assert_eq!(threshold(1000, 1000), 0);
        assert_eq!(threshold(201, 1000), 0);
        assert_eq!(threshold(200, 1000), 80);
        assert_eq!(threshold(1, 1000), 80);
        assert_eq!(threshold(0, 1000), 100);
        assert_eq!(threshold(-3, 1000), 100);
        assert_eq!(threshold(0, 0), 100);
    }

    #[test]
    fn spending_stops_at_zero() {
        let mut credits = Credits {
            remaining: 3,
            refill: None,
            refilled_at: None,
        };
        assert!(credits.spend(2));
        assert!(!credits.spend(2));
        assert!(credits.spend(1));
        assert!(!credits.spend(1));
        assert!(!credits.refill_if_due(datetime!(2030-01-01 0:00)));
    }

    #[test]
    fn the_form_reads_or_says_what_is_wrong() {
        assert_eq!(read_form("", "day", "5"), Ok(None));
        assert_eq!(
            read_form("1,000", "month", "1000"),
            Ok(Some(CreditsInput {
                remaining: 1000,
                refill: Some((Refill::Monthly, 1000))
            }))
        );
        assert_eq!(read_form("x", "", "").unwrap_err().0, "credits");
        assert_eq!(read_form("5", "week", "").unwrap_err().0, "refill");
        assert_eq!(read_form("5", "day", "").unwrap_err().0, "refill_amount");
        assert_eq!(read_form("-1", "", "").unwrap_err().0, "credits");
    }
}
