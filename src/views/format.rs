//! How dates and times read on every page: UTC, to the minute, or relative to
//! now with the exact time at hand.

use time::PrimitiveDateTime;
use time::macros::format_description;

pub fn datetime(value: &PrimitiveDateTime) -> String {
    crate::domain::timestamps::readable(value)
}

/// The text with its first letter in capitals, to begin a sentence or a label.
pub fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

pub fn optional_datetime(value: &Option<PrimitiveDateTime>, none: &str) -> String {
    value
        .as_ref()
        .map(datetime)
        .unwrap_or_else(|| none.to_owned())
}

/// A moment in a table cell: how long ago or ahead it is ("3 hours ago", "in 6
/// days"), with the exact time for the `<time>` element's title and `datetime`;
/// or a word ("Never").
pub struct Moment {
    pub text: String,
    /// "2026-11-23 17:54 UTC"; empty for a word.
    pub exact: String,
    /// "2026-11-23T17:54:31Z"; empty for a word.
    pub machine: String,
}

impl Moment {
    pub fn of(value: &PrimitiveDateTime, now: &PrimitiveDateTime) -> Self {
        Self {
            text: relative(value, now),
            exact: datetime(value),
            machine: value
                .format(format_description!(
                    "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
                ))
                .unwrap_or_default(),
        }
    }

    pub fn or(value: &Option<PrimitiveDateTime>, now: &PrimitiveDateTime, none: &str) -> Self {
        value.as_ref().map_or_else(
            || Self {
                text: none.to_owned(),
                exact: String::new(),
                machine: String::new(),
            },
            |value| Self::of(value, now),
        )
    }
}

/// `value` as seen from `now`, in its largest whole unit: "just now", "5 min ago",
/// "in 6 days", "2 months ago", "in 1 year". The distance is first rounded to a
/// finer unit, so that a token made a minute ago for 7 days expires "in 1 week",
/// not "in 6 days".
pub fn relative(value: &PrimitiveDateTime, now: &PrimitiveDateTime) -> String {
    const MINUTE: u64 = 60;
    const HOUR: u64 = 60 * MINUTE;
    const DAY: u64 = 24 * HOUR;
    // Each unit with the step its distances are rounded to.
    const UNITS: [(u64, u64, &str); 6] = [
        (365 * DAY, DAY, "year"),
        (30 * DAY, DAY, "month"),
        (7 * DAY, HOUR, "week"),
        (DAY, HOUR, "day"),
        (HOUR, MINUTE, "hour"),
        (MINUTE, 1, "min"),
    ];
    let seconds = (*value - *now).whole_seconds();
    let distance = seconds.unsigned_abs();
    let Some((count, unit)) = UNITS.into_iter().find_map(|(size, step, unit)| {
        let rounded = (distance + step / 2) / step * step;
        (rounded >= size).then_some((rounded / size, unit))
    }) else {
        return "just now".to_owned();
    };
    // "5 min ago" keeps a table cell short; longer units read in full.
    let plural = if count == 1 || unit == "min" { "" } else { "s" };
    if seconds > 0 {
        format!("in {count} {unit}{plural}")
    } else {
        format!("{count} {unit}{plural} ago")
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    #[test]
    fn formats_to_the_minute_in_utc() {
        let t = datetime!(2026-11-23 17:54:31.5);
        assert_eq!(super::datetime(&t), "2026-11-23 17:54 UTC");
        assert_eq!(super::optional_datetime(&None, "Never"), "Never");
    }

    #[test]
    fn moments_read_in_their_largest_unit_rounded() {
        let now = datetime!(2026-11-23 12:00);
        let cases = [
            (datetime!(2026-11-23 12:00:40), "just now"),
            (datetime!(2026-11-23 11:59:30), "just now"),
            (datetime!(2026-11-23 11:55), "5 min ago"),
            (datetime!(2026-11-23 13:00), "in 1 hour"),
            (datetime!(2026-11-23 09:00), "3 hours ago"),
            (datetime!(2026-11-29 12:00), "in 6 days"),
            (datetime!(2026-11-30 12:00), "in 1 week"),
            // Made a minute ago for 7 days, 30 days, a year.
            (datetime!(2026-11-30 11:59), "in 1 week"),
            (datetime!(2026-12-23 11:59), "in 1 month"),
            (datetime!(2027-11-23 11:59), "in 1 year"),
            (datetime!(2026-11-29 23:00), "in 6 days"),
            (datetime!(2026-11-23 12:59:45), "in 1 hour"),
            (datetime!(2026-11-23 11:00:20), "1 hour ago"),
            (datetime!(2026-11-16 12:20), "1 week ago"),
            (datetime!(2026-10-23 12:00), "1 month ago"),
            (datetime!(2027-11-24 12:00), "in 1 year"),
            (datetime!(2024-11-23 12:00), "2 years ago"),
        ];
        for (value, expected) in cases {
            assert_eq!(super::relative(&value, &now), expected, "{value}");
        }
        let moment = super::Moment::of(&datetime!(2026-11-20 08:05:09), &now);
        assert_eq!(moment.text, "3 days ago");
        assert_eq!(moment.exact, "2026-11-20 08:05 UTC");
        assert_eq!(moment.machine, "2026-11-20T08:05:09Z");
        assert_eq!(super::Moment::or(&None, &now, "Never").text, "Never");
    }
}
