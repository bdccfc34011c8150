//! Field-level validation messages, collected so a form can show each next to its field.

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(Vec<(&'static str, String)>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        if self.get(field).is_none() {
            self.0.push((field, message.into()));
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.0.iter().map(|(f, m)| (*f, m.as_str()))
    }

    /// `Ok(value)` when nothing was reported, the errors otherwise.
    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

/// Trims the value and checks it is present and not longer than `max` characters;
/// control characters are refused because they hide in logs and screens.
pub fn required_text(
    errors: &mut FieldErrors,
    field: &'static str,
    label: &str,
    value: &str,
    max: usize,
) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.add(field, format!("{label} is required."));
    } else {
        check_text(errors, field, label, value, max);
    }
    value.to_owned()
}

/// Like [`required_text`] for fields that may stay empty; new lines are allowed.
pub fn optional_text(
    errors: &mut FieldErrors,
    field: &'static str,
    label: &str,
    value: &str,
    max: usize,
) -> String {
    let value = value.trim();
    let count = value.chars().count();
    if count > max {
        errors.add(
            field,
            format!("{label} must be at most {max} characters (it has {count})."),
        );
    } else if value.chars().any(is_forbidden_control) {
        errors.add(field, format!("{label} contains control characters."));
    }
    value.to_owned()
}

fn check_text(errors: &mut FieldErrors, field: &'static str, label: &str, value: &str, max: usize) {
    let count = value.chars().count();
    if count > max {
        errors.add(
            field,
            format!("{label} must be at most {max} characters (it has {count})."),
        );
    } else if value.chars().any(char::is_control) {
        errors.add(field, format!("{label} contains control characters."));
    }
}

/// Control characters that no input takes anywhere (NUL, escape, DEL, C1...).
/// Tabs and line breaks belong in multi-line fields and are judged per field.
pub fn is_forbidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// The lower-cased form used to compare names regardless of case.
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_reports_missing_long_and_control_characters() {
        let mut errors = FieldErrors::default();
        assert_eq!(required_text(&mut errors, "a", "Name", "  x  ", 5), "x");
        assert!(errors.is_empty());
        required_text(&mut errors, "b", "Name", "   ", 5);
        required_text(&mut errors, "c", "Name", "abcdef", 5);
        required_text(&mut errors, "d", "Name", "a\u{7}b", 5);
        assert_eq!(errors.get("b"), Some("Name is required."));
        assert!(errors.get("c").unwrap().contains("at most 5"));
        assert!(errors.get("d").unwrap().contains("control"));
    }

    #[test]
    fn only_the_first_message_per_field_is_kept() {
        let mut errors = FieldErrors::default();
        errors.add("x", "first");
        errors.add("x", "second");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors.get("x"), Some("first"));
    }
}
