//! How keywords find tokens: each keyword's words must begin words of the name, as
//! the search index (SQLite FTS5, PostgreSQL full text) splits names into words.

/// The words of a keyword: its runs of letters and digits.
pub fn words(keyword: &str) -> impl Iterator<Item = &str> {
    keyword
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
}

/// A GUID's shape, position by position: `x` a hexadecimal digit.
const GUID_SHAPE: &str = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

/// Whether one search box's text is the beginning of a GUID (its first block at
/// least, as the list shows it) rather than words of a name.
pub fn looks_like_guid(text: &str) -> bool {
    let text = text.trim();
    text.len() >= 8
        && text.len() <= GUID_SHAPE.len()
        && text
            .chars()
            .zip(GUID_SHAPE.chars())
            .all(|(c, shape)| match shape {
                'x' => c.is_ascii_hexdigit(),
                _ => c == '-',
            })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_guid_is_told_from_words_by_its_shape() {
        assert!(looks_like_guid("7aaadcbb"));
        assert!(looks_like_guid(" 7AAADCBB-4f1e-4 "));
        assert!(looks_like_guid("7aaadcbb-4f1e-4c2a-9b1d-0123456789ab"));
        assert!(!looks_like_guid("7aaadcb"), "shorter than the shown block");
        assert!(!looks_like_guid("2026-12-07"), "a date is words");
        assert!(!looks_like_guid("billing1"));
        assert!(!looks_like_guid("7aaadcbb-4f1e-4c2a-9b1d-0123456789abc"));
    }

    #[test]
    fn anything_but_letters_and_digits_separates_words() {
        let split = |k| words(k).collect::<Vec<_>>();
        assert_eq!(split("orders-api"), ["orders", "api"]);
        assert_eq!(split("v2.1"), ["v2", "1"]);
        assert_eq!(split("\"été\""), ["été"]);
        assert!(split("--").is_empty());
    }
}
