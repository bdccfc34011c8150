//! How keywords find tokens: each keyword's words must begin words of the name, as
//! the search index (SQLite FTS5, PostgreSQL full text) splits names into words.

/// The words of a keyword: its runs of letters and digits.
pub fn words(keyword: &str) -> impl Iterator<Item = &str> {
    keyword
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anything_but_letters_and_digits_separates_words() {
        let split = |k| words(k).collect::<Vec<_>>();
        assert_eq!(split("orders-api"), ["orders", "api"]);
        assert_eq!(split("v2.1"), ["v2", "1"]);
        assert_eq!(split("\"été\""), ["été"]);
        assert!(split("--").is_empty());
    }
}
