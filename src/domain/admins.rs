//! Administrators: what a valid one looks like, and their public IDs.

use rand::Rng;

use super::validation::{FieldErrors, required_text};

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 256;

/// A new administrator's details, checked.
#[derive(Debug, Clone)]
pub struct AdminDetails {
    pub display_name: String,
    /// Lower-cased, used to sign in.
    pub email: String,
}

pub fn validate_details(display_name: &str, email: &str) -> Result<AdminDetails, FieldErrors> {
    let mut errors = FieldErrors::default();
    let display_name = required_text(&mut errors, "display_name", "Name", display_name, 100);
    let email = normalize_email(email);
    if email.is_empty() {
        errors.add("email", "Email is required.");
    } else if !is_plausible_email(&email) {
        errors.add("email", "Enter an email address such as jane@example.com.");
    }
    errors.into_result(AdminDetails {
        display_name,
        email,
    })
}

pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn is_plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.len() <= 254
        && !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Checks a new password and its confirmation; reports under the field `password`.
pub fn validate_new_password(
    errors: &mut FieldErrors,
    password: &str,
    confirmation: &str,
    email: &str,
) {
    let count = password.chars().count();
    if count < MIN_PASSWORD_CHARS {
        errors.add(
            "password",
            format!("Use at least {MIN_PASSWORD_CHARS} characters; a passphrase of several words is easy to remember."),
        );
    } else if count > MAX_PASSWORD_CHARS {
        errors.add(
            "password",
            format!("Use at most {MAX_PASSWORD_CHARS} characters."),
        );
    } else if !email.is_empty() && password.trim().eq_ignore_ascii_case(email) {
        errors.add("password", "The password must not be the email address.");
    } else if let Some(advice) = weakness(password, email) {
        errors.add("password", advice);
    } else if password != confirmation {
        errors.add("password_confirmation", "The two passwords do not match.");
    }
}

/// Why a password is easy to guess, when it is: common passwords and their
/// variations, keyboard walks, repeats, dates, the administrator's own email
/// (estimated by zxcvbn, whose dictionaries hold the most common passwords).
fn weakness(password: &str, email: &str) -> Option<String> {
    let local_part = email.split('@').next().unwrap_or_default();
    let estimate = zxcvbn::zxcvbn(password, &[email, local_part]);
    if estimate.score() >= zxcvbn::Score::Three {
        return None;
    }
    let feedback = estimate.feedback();
    let warning = feedback.and_then(|f| f.warning()).map_or_else(
        || "This password is easy to guess.".to_owned(),
        |w| w.to_string(),
    );
    let suggestion = feedback.and_then(|f| f.suggestions().first()).map_or_else(
        || "Add another word or two; uncommon words are better.".to_owned(),
        |s| s.to_string(),
    );
    Some(format!("{warning} {suggestion}"))
}

/// Crockford's base32 alphabet: no I, L, O or U, so an ID read aloud is not misheard.
const PUBLIC_ID_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A short random ID shown beside an administrator's name ("Jane Doe · 7KD2QX4M").
pub fn generate_public_id() -> String {
    let mut rng = rand::rngs::OsRng;
    (0..8)
        .map(|_| PUBLIC_ID_ALPHABET[rng.gen_range(0..PUBLIC_ID_ALPHABET.len())] as char)
        .collect()
}

/// How an administrator is shown wherever they are named.
pub fn label(display_name: &str, public_id: &str) -> String {
    format!("{display_name} · {public_id}")
}

/// Checks a new administrator's name, email and password together, adding to
/// `errors`, which may already hold other fields' errors.
pub fn validate_new_admin(
    mut errors: FieldErrors,
    display_name: &str,
    email: &str,
    password: &str,
    confirmation: &str,
) -> Result<AdminDetails, FieldErrors> {
    let details = validate_details(display_name, email);
    if let Err(e) = &details {
        for (field, message) in e.iter() {
            errors.add(field, message);
        }
    }
    validate_new_password(&mut errors, password, confirmation, &normalize_email(email));
    match details {
        Ok(details) if errors.is_empty() => Ok(details),
        _ => Err(errors),
    }
}

/// The role that may do everything; Tessera always keeps one enabled.
pub const SUPER_ADMIN: &str = "super_admin";

/// Refuses a change that would leave no enabled Super Admin: `target_counts` says
/// whether the administrator changed is one now, `stays` whether they remain one,
/// and `enabled_super_admins` how many there are.
pub fn keeps_a_super_admin(
    target_counts: bool,
    stays: bool,
    enabled_super_admins: i64,
) -> Result<(), &'static str> {
    if target_counts && !stays && enabled_super_admins <= 1 {
        Err("This is the last enabled Super Admin; make someone else Super Admin first.")
    } else {
        Ok(())
    }
}

/// Checks a chosen role and scopes against those that exist.
pub fn check_access(
    errors: &mut FieldErrors,
    role_exists: bool,
    scope_ids: &[i64],
    existing_scopes: &[i64],
) {
    if !role_exists {
        errors.add("role", "Choose a role.");
    }
    if scope_ids.iter().any(|id| !existing_scopes.contains(id)) {
        errors.add(
            "scopes",
            "One of the chosen scopes no longer exists. Choose again.",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_are_trimmed_and_the_email_lower_cased() {
        let d = validate_details("  Jane Doe ", " Jane@Example.COM ").unwrap();
        assert_eq!(d.display_name, "Jane Doe");
        assert_eq!(d.email, "jane@example.com");
    }

    #[test]
    fn bad_details_are_reported_per_field() {
        let errors = validate_details("", "not-an-email").unwrap_err();
        assert!(errors.get("display_name").is_some());
        assert!(errors.get("email").is_some());
        for bad in ["a@", "@b", "a b@c", "a@b@c", "a@.b"] {
            assert!(validate_details("x", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_need_length_and_a_matching_confirmation() {
        let mut errors = FieldErrors::default();
        validate_new_password(&mut errors, "short", "short", "");
        assert!(errors.get("password").is_some());

        let mut errors = FieldErrors::default();
        validate_new_password(
            &mut errors,
            "correct horse battery",
            "correct horse batter",
            "",
        );
        assert!(errors.get("password_confirmation").is_some());

        let mut errors = FieldErrors::default();
        validate_new_password(
            &mut errors,
            "jane@example.com",
            "jane@example.com",
            "jane@example.com",
        );
        assert!(errors.get("password").is_some());

        let mut errors = FieldErrors::default();
        validate_new_password(
            &mut errors,
            "correct horse battery",
            "correct horse battery",
            "",
        );
        assert!(errors.is_empty());
    }

    #[test]
    fn common_and_guessable_passwords_are_refused() {
        for weak in [
            "password1234",
            "123456789012",
            "qwertyuiop123",
            "iloveyou2026!",
            "aaaaaaaaaaaaaaaa",
            "jane.doe@example.com1",
        ] {
            let mut errors = FieldErrors::default();
            validate_new_password(&mut errors, weak, weak, "jane.doe@example.com");
            assert!(errors.get("password").is_some(), "{weak}");
        }
        for strong in [
            "correct horse battery staple",
            "another long passphrase",
            "a brand new passphrase here",
        ] {
            let mut errors = FieldErrors::default();
            validate_new_password(&mut errors, strong, strong, "jane@example.com");
            assert!(errors.is_empty(), "{strong}: {errors:?}");
        }
    }

    #[test]
    fn public_ids_are_eight_unambiguous_characters() {
        let id = generate_public_id();
        assert_eq!(id.len(), 8);
        assert!(id.bytes().all(|b| PUBLIC_ID_ALPHABET.contains(&b)));
        assert_ne!(generate_public_id(), generate_public_id());
    }

    #[test]
    fn the_last_enabled_super_admin_stays_one() {
        assert!(keeps_a_super_admin(true, false, 1).is_err());
        assert!(keeps_a_super_admin(true, false, 2).is_ok());
        assert!(keeps_a_super_admin(true, true, 1).is_ok());
        assert!(keeps_a_super_admin(false, false, 1).is_ok());
    }
}
