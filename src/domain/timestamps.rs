//! Timestamps as machines read them: in JSON answers, audit details and
//! `<time datetime="...">`.

use time::PrimitiveDateTime;
use time::macros::format_description;

/// RFC 3339 in UTC, to the second: `2026-11-23T17:54:31Z`.
pub fn iso(value: &PrimitiveDateTime) -> String {
    value
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
        ))
        .unwrap_or_default()
}

/// For people, in UTC to the minute: `2026-11-23 17:54 UTC`.
pub fn readable(value: &PrimitiveDateTime) -> String {
    value
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute] UTC"
        ))
        .unwrap_or_default()
}

/// Reads what [`iso`] writes.
pub fn parse_iso(text: &str) -> Option<PrimitiveDateTime> {
    PrimitiveDateTime::parse(
        text,
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z"),
    )
    .ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn to_the_second_in_utc() {
        let t = time::macros::datetime!(2026-11-23 17:54:31.5);
        assert_eq!(super::iso(&t), "2026-11-23T17:54:31Z");
    }

    #[test]
    fn what_is_written_is_read_back() {
        let t = time::macros::datetime!(2026-11-23 17:54:31);
        assert_eq!(super::parse_iso(&super::iso(&t)), Some(t));
        assert_eq!(super::parse_iso("yesterday"), None);
    }
}
