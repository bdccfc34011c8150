//! How dates and times read on every page: UTC, to the minute.

use time::PrimitiveDateTime;
use time::macros::format_description;

pub fn datetime(value: &PrimitiveDateTime) -> String {
    value
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute] UTC"
        ))
        .unwrap_or_default()
}

pub fn optional_datetime(value: &Option<PrimitiveDateTime>, none: &str) -> String {
    value
        .as_ref()
        .map(datetime)
        .unwrap_or_else(|| none.to_owned())
}

/// A date and time on two lines, for narrow table cells under a note that times
/// are UTC; or a word ("Never").
pub struct Stamp {
    pub date: String,
    pub time: String,
}

impl Stamp {
    pub fn of(value: &PrimitiveDateTime) -> Self {
        Self {
            date: value
                .format(format_description!("[year]-[month]-[day]"))
                .unwrap_or_default(),
            time: value
                .format(format_description!("[hour]:[minute]"))
                .unwrap_or_default(),
        }
    }

    pub fn or(value: &Option<PrimitiveDateTime>, none: &str) -> Self {
        value.as_ref().map_or_else(
            || Self {
                date: none.to_owned(),
                time: String::new(),
            },
            Self::of,
        )
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
}
