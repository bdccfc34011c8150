//! Timestamps as machines read them: in JSON answers, audit details and
//! `<time datetime="...">`.

use time::PrimitiveDateTime;
use time::macros::format_description;

/// RFC 3339 in UTC, to the second: `2026-11-23T17:54:31Z`.
pub fn iso(value: &PrimitiveDateTime) -> String {
    let mut out = Vec::with_capacity(20);
    push_iso(&mut out, value);
    String::from_utf8(out).expect("digits and separators")
}

/// [`iso`], appended to a buffer. Written digit by digit: verification answers
/// hold two on every hit, and interpreting a format description for each cost more
/// than the rest of the answer.
pub fn push_iso(out: &mut Vec<u8>, value: &PrimitiveDateTime) {
    let year = value.year();
    if !(0..=9999).contains(&year) {
        let text = value.format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
        ));
        out.extend_from_slice(text.unwrap_or_default().as_bytes());
        return;
    }
    let (hour, minute, second) = value.as_hms();
    let mut text = *b"0000-00-00T00:00:00Z";
    let fields = [
        (0..4, year as u32),
        (5..7, u8::from(value.month()).into()),
        (8..10, value.day().into()),
        (11..13, hour.into()),
        (14..16, minute.into()),
        (17..19, second.into()),
    ];
    for (places, mut n) in fields {
        for place in text[places].iter_mut().rev() {
            *place = b'0' + (n % 10) as u8;
            n /= 10;
        }
    }
    out.extend_from_slice(&text);
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
    fn written_as_the_format_description_says_in_every_year() {
        use time::macros::format_description;
        let described = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
        let start = time::macros::datetime!(-0001-12-31 23:59:59.999);
        for step in 0..5000i64 {
            // Every year from 1 BC to 9999 visited, at varied days and times.
            let t = start + time::Duration::seconds(step * 63_113_851 + step * step);
            let t = t.min(time::PrimitiveDateTime::MAX);
            assert_eq!(super::iso(&t), t.format(described).unwrap(), "{t}");
        }
    }

    #[test]
    fn what_is_written_is_read_back() {
        let t = time::macros::datetime!(2026-11-23 17:54:31);
        assert_eq!(super::parse_iso(&super::iso(&t)), Some(t));
        assert_eq!(super::parse_iso("yesterday"), None);
    }
}
