//! When a token is valid: the duration choices of the form, and the dates they give.

use time::macros::{format_description, time};
use time::{Date, Duration, PrimitiveDateTime};

use crate::domain::validation::FieldErrors;

/// How long a token is valid, as chosen in the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DurationChoice {
    Days(i64),
    Unlimited,
    Custom,
    /// Editing only: leave the dates as they are.
    Keep,
}

impl DurationChoice {
    pub const PRESETS: [(&'static str, &'static str); 4] = [
        ("7d", "7 days"),
        ("30d", "30 days"),
        ("90d", "90 days"),
        ("unlimited", "Unlimited"),
    ];

    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "7d" => Some(Self::Days(7)),
            "30d" => Some(Self::Days(30)),
            "90d" => Some(Self::Days(90)),
            "unlimited" => Some(Self::Unlimited),
            "custom" => Some(Self::Custom),
            "keep" => Some(Self::Keep),
            _ => None,
        }
    }
}

/// How long a regenerated token's previous secret keeps working.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GracePeriod {
    #[default]
    None,
    OneHour,
    OneDay,
    SevenDays,
}

impl GracePeriod {
    pub const ALL: [GracePeriod; 4] = [
        GracePeriod::None,
        GracePeriod::OneHour,
        GracePeriod::OneDay,
        GracePeriod::SevenDays,
    ];

    pub fn key(self) -> &'static str {
        match self {
            GracePeriod::None => "none",
            GracePeriod::OneHour => "1h",
            GracePeriod::OneDay => "24h",
            GracePeriod::SevenDays => "7d",
        }
    }

    pub fn duration(self) -> Option<Duration> {
        match self {
            GracePeriod::None => None,
            GracePeriod::OneHour => Some(Duration::hours(1)),
            GracePeriod::OneDay => Some(Duration::hours(24)),
            GracePeriod::SevenDays => Some(Duration::days(7)),
        }
    }
}

crate::domain::keyed::keyed_words!(GracePeriod, GracePeriod::ALL);

/// The grace period chosen from the form's list (`""`: none); `None` for anything else.
pub fn grace_period(choice: &str) -> Option<Option<Duration>> {
    if choice.is_empty() {
        return Some(None);
    }
    GracePeriod::ALL
        .into_iter()
        .find(|grace| grace.key() == choice)
        .map(GracePeriod::duration)
}

/// When a token is valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    pub valid_from: PrimitiveDateTime,
    pub valid_to: Option<PrimitiveDateTime>,
}

/// Parses a date from an `<input type="date">` (YYYY-MM-DD).
pub fn parse_date(value: &str) -> Option<Date> {
    Date::parse(value.trim(), format_description!("[year]-[month]-[day]")).ok()
}

pub fn format_date(date: Date) -> String {
    date.format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

/// Resolves the duration fields into dates. A custom window starts at the beginning
/// of its first day (or now, when that is today) and ends at the end of its last day,
/// in UTC; days before today are refused.
pub fn resolve_validity(
    errors: &mut FieldErrors,
    choice: Option<DurationChoice>,
    valid_from: &str,
    valid_to: &str,
    now: PrimitiveDateTime,
    current: Option<Validity>,
) -> Option<Validity> {
    let today = now.date();
    match choice {
        None => {
            errors.add("duration", "Choose how long the token is valid.");
            None
        }
        Some(DurationChoice::Keep) => match current {
            Some(current) => Some(current),
            None => {
                errors.add("duration", "Choose how long the token is valid.");
                None
            }
        },
        Some(DurationChoice::Days(days)) => Some(Validity {
            valid_from: now,
            valid_to: Some(now + Duration::days(days)),
        }),
        Some(DurationChoice::Unlimited) => Some(Validity {
            valid_from: now,
            valid_to: None,
        }),
        Some(DurationChoice::Custom) => {
            // Editing a token that has started: an empty start keeps its start.
            let started = current.map(|c| c.valid_from).filter(|from| *from <= now);
            let from = match valid_from.trim() {
                "" => Some(started.map_or(today, |s| s.date())),
                text => parse_date(text).or_else(|| {
                    errors.add("valid_from", "Enter a date such as 2026-12-31.");
                    None
                }),
            };
            let to = match valid_to.trim() {
                "" => None,
                text => match parse_date(text) {
                    Some(date) => Some(date),
                    None => {
                        errors.add("valid_to", "Enter a date such as 2026-12-31.");
                        return None;
                    }
                },
            };
            let from = from?;
            if from < today && started.is_none_or(|s| s.date() != from) {
                errors.add("valid_from", "The start cannot be in the past.");
            }
            if let Some(to) = to {
                if to < today {
                    errors.add("valid_to", "The end cannot be in the past.");
                } else if to < from {
                    errors.add("valid_to", "The end must be on or after the start.");
                }
            }
            let valid_from = match started {
                Some(start) if valid_from.trim().is_empty() => start,
                _ if from <= today => now,
                _ => PrimitiveDateTime::new(from, time!(00:00)),
            };
            let valid_to = to.map(|d| PrimitiveDateTime::new(d, time!(23:59:59)));
            Some(Validity {
                valid_from,
                valid_to,
            })
        }
    }
}
