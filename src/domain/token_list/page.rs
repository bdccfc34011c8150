//! How many tokens a page shows, and where it stands in the whole list.

/// Rows per page, one of [`PageSize::CHOICES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSize(i64);

impl PageSize {
    pub const CHOICES: [i64; 3] = [25, 50, 100];
    pub const DEFAULT: PageSize = PageSize(25);

    /// Read leniently: anything but one of the choices is the default.
    pub fn from_key(text: &str) -> Self {
        text.trim()
            .parse()
            .ok()
            .filter(|n| Self::CHOICES.contains(n))
            .map_or(Self::DEFAULT, PageSize)
    }

    pub fn rows(self) -> i64 {
        self.0
    }

    /// The value in the list's query string: none for the default.
    pub fn key(self) -> String {
        if self == Self::DEFAULT {
            String::new()
        } else {
            self.0.to_string()
        }
    }
}

crate::domain::keyed::integer_choices!(PageSize);

/// The position of a page's first token (from 1), carried in the page links: the
/// cursor says where the page starts, not how many tokens come before it.
pub fn first_position(text: &str) -> Option<i64> {
    text.trim()
        .parse()
        .ok()
        .filter(|n| (1..=i64::MAX / 2).contains(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_sizes_are_one_of_the_choices() {
        assert_eq!(PageSize::from_key("50").rows(), 50);
        assert_eq!(PageSize::from_key("100").key(), "100");
        for odd in ["", "7", "1000000", "-25", "abc"] {
            assert_eq!(PageSize::from_key(odd), PageSize::DEFAULT, "{odd}");
        }
        assert_eq!(
            PageSize::DEFAULT.key(),
            "",
            "the default stays out of links"
        );
    }

    #[test]
    fn positions_start_at_one() {
        assert_eq!(first_position("26"), Some(26));
        assert_eq!(first_position("0"), None);
        assert_eq!(first_position("-3"), None);
        assert_eq!(first_position("x"), None);
    }
}
