//! API tokens: the secret format, types and permissions, statuses, validity windows,
//! and the checks on what an administrator submits.

use std::fmt;

use rand::Rng;
use time::macros::{format_description, time};
use time::{Date, Duration, PrimitiveDateTime};

use ipnet::IpNet;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::digest::sha256_hex;
use super::encryption::{DecryptError, EncryptionKey};
use super::networks::parse_allow_list;
use super::validation::{FieldErrors, optional_text, required_text};

/// Every secret starts with this, so secret scanners can find leaked tokens.
pub const PREFIX: &str = "tsr_";
/// Random base62 characters after the prefix: 40 × log2(62) ≈ 238 bits.
pub const BODY_LEN: usize = 40;
/// Base62 CRC32 of prefix and body, so typos are caught without a lookup.
pub const CHECKSUM_LEN: usize = 6;
const MIN_BODY_LEN: usize = 32;
const MAX_BODY_LEN: usize = 128;

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A token secret in clear. It exists only between generation and the page that
/// shows it once; its `Debug` and `Display` never print it.
pub struct SecretToken(String);

impl SecretToken {
    pub fn generate() -> Self {
        let mut rng = rand::rngs::OsRng;
        let mut secret = String::with_capacity(PREFIX.len() + BODY_LEN + CHECKSUM_LEN);
        secret.push_str(PREFIX);
        for _ in 0..BODY_LEN {
            secret.push(BASE62[rng.gen_range(0..BASE62.len())] as char);
        }
        let checksum = checksum(&secret);
        secret.extend(checksum.iter().map(|b| char::from(*b)));
        Self(secret)
    }

    /// The plaintext, for the one page that shows it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the database keeps instead of the secret.
    pub fn digest(&self) -> String {
        sha256_hex(self.0.as_bytes())
    }

    /// A hint that tells tokens apart on screen without revealing them.
    pub fn hint(&self) -> String {
        format!("{PREFIX}…{}", &self.0[self.0.len() - 4..])
    }

    /// What the database keeps of the secret of the token `guid`: with an encryption
    /// key, the secret encrypted too, so it can be shown again.
    pub fn to_store(&self, guid: &str, key: Option<&EncryptionKey>) -> StoredSecret {
        StoredSecret {
            digest: self.digest(),
            hint: self.hint(),
            sealed: key.map(|k| self.seal(guid, k)),
        }
    }

    /// The secret encrypted for the token `guid` under `key`, as stored (base64).
    pub fn seal(&self, guid: &str, key: &EncryptionKey) -> String {
        BASE64.encode(key.seal(guid, &self.0))
    }

    /// The secret of the token `guid`, decrypted from what [`to_store`](Self::to_store) kept.
    pub fn unseal(key: &EncryptionKey, guid: &str, sealed: &str) -> Result<Self, DecryptError> {
        let bytes = BASE64.decode(sealed).map_err(|_| DecryptError)?;
        key.open(guid, &bytes).map(Self)
    }
}

/// A secret as stored: never in clear.
pub struct StoredSecret {
    pub digest: String,
    pub hint: String,
    /// Base64 of the AES-256-GCM ciphertext, when an encryption key is set.
    pub sealed: Option<String>,
}

impl fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretToken([redacted])")
    }
}

/// Six base62 digits of the CRC32 of `text` (zero-padded: 62⁶ > 2³²).
fn checksum(text: &str) -> [u8; CHECKSUM_LEN] {
    let mut value = u64::from(crc32fast::hash(text.as_bytes()));
    let mut digits = [b'0'; CHECKSUM_LEN];
    for slot in digits.iter_mut().rev() {
        *slot = BASE62[(value % 62) as usize];
        value /= 62;
    }
    digits
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatError {
    MissingPrefix,
    BadLength,
    BadCharacter,
    BadChecksum,
}

/// Checks prefix, length, alphabet and checksum: what can be known without the database.
pub fn check_format(candidate: &str) -> Result<(), FormatError> {
    let rest = candidate
        .strip_prefix(PREFIX)
        .ok_or(FormatError::MissingPrefix)?;
    if !(MIN_BODY_LEN + CHECKSUM_LEN..=MAX_BODY_LEN + CHECKSUM_LEN).contains(&rest.len()) {
        return Err(FormatError::BadLength);
    }
    if !rest.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(FormatError::BadCharacter);
    }
    let (head, sum) = candidate.split_at(candidate.len() - CHECKSUM_LEN);
    if checksum(head) != sum.as_bytes() {
        return Err(FormatError::BadChecksum);
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenType {
    ReadOnly,
    FullAccess,
    Custom,
}

impl TokenType {
    pub const ALL: [TokenType; 3] = [
        TokenType::ReadOnly,
        TokenType::FullAccess,
        TokenType::Custom,
    ];

    pub fn key(self) -> &'static str {
        match self {
            TokenType::ReadOnly => "read_only",
            TokenType::FullAccess => "full_access",
            TokenType::Custom => "custom",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            TokenType::ReadOnly => "Read-only",
            TokenType::FullAccess => "Full access",
            TokenType::Custom => "Custom",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            TokenType::ReadOnly => "Read on every module, including modules added later.",
            TokenType::FullAccess => {
                "Read and write on every module, including modules added later."
            }
            TokenType::Custom => "Only the modules and actions you tick below.",
        }
    }

    /// Whether the type grants `action` on any module, without per-module rows.
    pub fn grants_everywhere(self, action: Action) -> bool {
        match self {
            TokenType::ReadOnly => action == Action::Read,
            TokenType::FullAccess => true,
            TokenType::Custom => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    Read,
    Write,
}

impl Action {
    pub const ALL: [Action; 2] = [Action::Read, Action::Write];

    pub fn key(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Write => "write",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Action::Read => "Read",
            Action::Write => "Write",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TokenStatus {
    Active,
    Scheduled,
    Expired,
    Disabled,
    Revoked,
    Deleted,
}

impl TokenStatus {
    pub const ALL: [TokenStatus; 6] = [
        TokenStatus::Active,
        TokenStatus::Scheduled,
        TokenStatus::Expired,
        TokenStatus::Disabled,
        TokenStatus::Revoked,
        TokenStatus::Deleted,
    ];

    pub fn key(self) -> &'static str {
        match self {
            TokenStatus::Active => "active",
            TokenStatus::Scheduled => "scheduled",
            TokenStatus::Expired => "expired",
            TokenStatus::Disabled => "disabled",
            TokenStatus::Revoked => "revoked",
            TokenStatus::Deleted => "deleted",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            TokenStatus::Active => "Active",
            TokenStatus::Scheduled => "Scheduled",
            TokenStatus::Expired => "Expired",
            TokenStatus::Disabled => "Disabled",
            TokenStatus::Revoked => "Revoked",
            TokenStatus::Deleted => "Deleted",
        }
    }

    /// Deleted and revoked are final; the rest can still change.
    pub fn is_final(self) -> bool {
        matches!(self, TokenStatus::Deleted | TokenStatus::Revoked)
    }
}

/// The dates that decide a token's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifecycle {
    pub valid_from: PrimitiveDateTime,
    pub valid_to: Option<PrimitiveDateTime>,
    pub disabled_at: Option<PrimitiveDateTime>,
    pub revoked_at: Option<PrimitiveDateTime>,
    pub deleted_at: Option<PrimitiveDateTime>,
}

impl Lifecycle {
    /// Deleted > Revoked > Disabled > Expired > Scheduled > Active.
    pub fn status(&self, now: PrimitiveDateTime) -> TokenStatus {
        if self.deleted_at.is_some() {
            TokenStatus::Deleted
        } else if self.revoked_at.is_some() {
            TokenStatus::Revoked
        } else if self.disabled_at.is_some() {
            TokenStatus::Disabled
        } else if self.valid_to.is_some_and(|to| to <= now) {
            TokenStatus::Expired
        } else if self.valid_from > now {
            TokenStatus::Scheduled
        } else {
            TokenStatus::Active
        }
    }
}

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

/// A module × action pair from the custom permission matrix, as submitted
/// (`"<module id>:read"`).
pub fn parse_permission(value: &str) -> Option<(i64, Action)> {
    let (module, action) = value.split_once(':')?;
    Some((
        module.trim().parse().ok()?,
        Action::from_key(action.trim())?,
    ))
}

/// What the token form submits, as text.
#[derive(Debug, Default, Clone)]
pub struct TokenInput {
    pub name: String,
    pub description: String,
    pub guid: String,
    pub scopes: Vec<String>,
    pub duration: String,
    pub valid_from: String,
    pub valid_to: String,
    pub token_type: String,
    pub permissions: Vec<String>,
    /// Client networks, one per line; empty for any address.
    pub allowed_networks: String,
    /// May call the introspection endpoint about other tokens.
    pub can_introspect: bool,
}

/// What the form may choose from, and what it is editing.
pub struct FormContext<'a> {
    pub now: PrimitiveDateTime,
    pub module_ids: &'a [i64],
    /// Scopes the administrator may assign.
    pub scope_ids: &'a [i64],
    /// The token's current window, when editing.
    pub current: Option<Validity>,
}

/// A checked token definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenDefinition {
    pub name: String,
    pub description: String,
    pub guid: String,
    pub scope_ids: Vec<i64>,
    pub validity: Validity,
    pub token_type: TokenType,
    /// Per-module grants; empty unless the type is Custom.
    pub permissions: Vec<(i64, Action)>,
    pub allowed_networks: Vec<IpNet>,
    pub can_introspect: bool,
}

/// The capability stored for tokens that may introspect others.
pub const INTROSPECT: &str = "introspect";

pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_DESCRIPTION_CHARS: usize = 1000;

pub fn validate(input: &TokenInput, ctx: &FormContext<'_>) -> Result<TokenDefinition, FieldErrors> {
    let mut errors = FieldErrors::default();
    let name = required_text(&mut errors, "name", "Name", &input.name, MAX_NAME_CHARS);
    let description = optional_text(
        &mut errors,
        "description",
        "Description",
        &input.description,
        MAX_DESCRIPTION_CHARS,
    );
    let guid = match uuid::Uuid::try_parse(input.guid.trim()) {
        Ok(guid) => guid.hyphenated().to_string(),
        Err(_) => {
            errors.add("guid", "The GUID is not valid; generate a new one.");
            String::new()
        }
    };

    let mut scope_ids: Vec<i64> = input
        .scopes
        .iter()
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    scope_ids.sort_unstable();
    scope_ids.dedup();
    if scope_ids.is_empty() {
        errors.add("scopes", "Choose at least one scope.");
    } else if scope_ids.iter().any(|id| !ctx.scope_ids.contains(id)) {
        errors.add(
            "scopes",
            "Choose only scopes that exist and that you may use.",
        );
    }

    let validity = resolve_validity(
        &mut errors,
        DurationChoice::from_key(input.duration.trim()),
        &input.valid_from,
        &input.valid_to,
        ctx.now,
        ctx.current,
    );

    let token_type = TokenType::from_key(input.token_type.trim());
    let mut permissions: Vec<(i64, Action)> = Vec::new();
    match token_type {
        None => errors.add("token_type", "Choose a token type."),
        Some(TokenType::Custom) => {
            for value in &input.permissions {
                match parse_permission(value) {
                    Some(grant) if ctx.module_ids.contains(&grant.0) => permissions.push(grant),
                    _ => errors.add(
                        "permissions",
                        "One of the ticked modules no longer exists. Tick again.",
                    ),
                }
            }
            permissions.sort_unstable();
            permissions.dedup();
            if permissions.is_empty() && errors.get("permissions").is_none() {
                errors.add("permissions", "Tick at least one module and action.");
            }
        }
        Some(_) => {}
    }

    let allowed_networks = parse_allow_list(&input.allowed_networks).unwrap_or_else(|message| {
        errors.add("allowed_networks", message);
        Vec::new()
    });

    match (token_type, validity) {
        (Some(token_type), Some(validity)) if errors.is_empty() => Ok(TokenDefinition {
            name,
            description,
            guid,
            scope_ids,
            validity,
            token_type,
            permissions,
            allowed_networks,
            can_introspect: input.can_introspect,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    const NOW: PrimitiveDateTime = datetime!(2026-11-23 17:54:31);

    #[test]
    fn generated_secrets_have_the_documented_shape() {
        let secret = SecretToken::generate();
        let text = secret.expose();
        assert!(text.starts_with("tsr_"));
        assert_eq!(text.len(), PREFIX.len() + BODY_LEN + CHECKSUM_LEN);
        assert!(text[4..].bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(check_format(text), Ok(()));
        assert_eq!(secret.digest().len(), 64);
        assert!(secret.hint().starts_with("tsr_…") && text.ends_with(&secret.hint()[7..]));
        assert_ne!(SecretToken::generate().expose(), text);
        assert!(!format!("{secret:?}").contains(&text[4..]));
    }

    #[test]
    fn the_format_check_names_what_is_wrong() {
        let good = SecretToken::generate().expose().to_owned();
        assert_eq!(
            check_format(&good.replacen("tsr_", "tsx_", 1)),
            Err(FormatError::MissingPrefix)
        );
        assert_eq!(check_format("tsr_abc"), Err(FormatError::BadLength));
        assert_eq!(
            check_format(&good.replacen('_', "-", 1)),
            Err(FormatError::MissingPrefix)
        );
        let mut bad_char = good.clone();
        bad_char.replace_range(10..11, "!");
        assert_eq!(check_format(&bad_char), Err(FormatError::BadCharacter));
    }

    proptest! {
        #[test]
        fn any_single_character_change_is_caught(index in 4usize..50, replacement in 0usize..62) {
            let good = SecretToken::generate().expose().to_owned();
            let mut bytes = good.clone().into_bytes();
            let new = BASE62[replacement];
            prop_assume!(bytes[index] != new);
            bytes[index] = new;
            let mutated = String::from_utf8(bytes).unwrap();
            prop_assert!(check_format(&mutated).is_err());
        }

        #[test]
        fn swapping_two_different_neighbours_is_caught(index in 4usize..49) {
            let good = SecretToken::generate().expose().to_owned();
            let mut bytes = good.into_bytes();
            prop_assume!(bytes[index] != bytes[index + 1]);
            bytes.swap(index, index + 1);
            prop_assert!(check_format(&String::from_utf8(bytes).unwrap()).is_err());
        }

        #[test]
        fn dropping_or_adding_a_character_is_caught(index in 0usize..50, extra in 0usize..62) {
            let good = SecretToken::generate().expose().to_owned();
            let mut shorter = good.clone();
            shorter.remove(index);
            prop_assert!(check_format(&shorter).is_err());
            let mut longer = good;
            longer.insert(index, BASE62[extra] as char);
            prop_assert!(check_format(&longer).is_err());
        }

        #[test]
        fn arbitrary_strings_never_panic_and_rarely_pass(s in ".{0,80}") {
            let _ = check_format(&s);
            let with_prefix = format!("tsr_{s}");
            let _ = check_format(&with_prefix);
        }
    }

    fn lifecycle() -> Lifecycle {
        Lifecycle {
            valid_from: NOW - Duration::days(1),
            valid_to: None,
            disabled_at: None,
            revoked_at: None,
            deleted_at: None,
        }
    }

    #[test]
    fn status_follows_the_documented_precedence() {
        let base = lifecycle();
        assert_eq!(base.status(NOW), TokenStatus::Active);
        let scheduled = Lifecycle {
            valid_from: NOW + Duration::hours(1),
            ..base
        };
        assert_eq!(scheduled.status(NOW), TokenStatus::Scheduled);
        let expired = Lifecycle {
            valid_to: Some(NOW),
            ..scheduled
        };
        assert_eq!(
            expired.status(NOW),
            TokenStatus::Expired,
            "expired beats scheduled"
        );
        let disabled = Lifecycle {
            disabled_at: Some(NOW),
            ..expired
        };
        assert_eq!(disabled.status(NOW), TokenStatus::Disabled);
        let revoked = Lifecycle {
            revoked_at: Some(NOW),
            ..disabled
        };
        assert_eq!(revoked.status(NOW), TokenStatus::Revoked);
        let deleted = Lifecycle {
            deleted_at: Some(NOW),
            ..revoked
        };
        assert_eq!(deleted.status(NOW), TokenStatus::Deleted);
    }

    fn input() -> TokenInput {
        TokenInput {
            name: " Billing sync ".into(),
            description: "Nightly job".into(),
            guid: uuid::Uuid::new_v4().to_string(),
            scopes: vec!["1".into()],
            duration: "30d".into(),
            token_type: "read_only".into(),
            ..TokenInput::default()
        }
    }

    fn ctx() -> FormContext<'static> {
        FormContext {
            now: NOW,
            module_ids: &[10, 11],
            scope_ids: &[1, 2],
            current: None,
        }
    }

    #[test]
    fn a_valid_form_becomes_a_definition() {
        let def = validate(&input(), &ctx()).unwrap();
        assert_eq!(def.name, "Billing sync");
        assert_eq!(def.validity.valid_from, NOW);
        assert_eq!(def.validity.valid_to, Some(NOW + Duration::days(30)));
        assert_eq!(def.token_type, TokenType::ReadOnly);
        assert!(def.permissions.is_empty());
    }

    #[test]
    fn every_missing_field_is_reported() {
        let errors = validate(&TokenInput::default(), &ctx()).unwrap_err();
        for field in ["name", "guid", "scopes", "duration", "token_type"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
    }

    #[test]
    fn custom_tokens_need_known_modules() {
        let mut custom = input();
        custom.token_type = "custom".into();
        assert!(
            validate(&custom, &ctx())
                .unwrap_err()
                .get("permissions")
                .is_some()
        );
        custom.permissions = vec!["10:read".into(), "11:write".into(), "10:read".into()];
        assert_eq!(
            validate(&custom, &ctx()).unwrap().permissions,
            vec![(10, Action::Read), (11, Action::Write)]
        );
        custom.permissions = vec!["99:read".into()];
        assert!(
            validate(&custom, &ctx())
                .unwrap_err()
                .get("permissions")
                .is_some()
        );
        custom.permissions = vec!["10:delete".into()];
        assert!(
            validate(&custom, &ctx())
                .unwrap_err()
                .get("permissions")
                .is_some()
        );
    }

    #[test]
    fn scopes_must_be_ones_the_administrator_may_use() {
        let mut other = input();
        other.scopes = vec!["3".into()];
        assert!(
            validate(&other, &ctx())
                .unwrap_err()
                .get("scopes")
                .is_some()
        );
    }

    #[test]
    fn custom_dates_refuse_the_past_and_inverted_windows() {
        let mut custom = input();
        custom.duration = "custom".into();
        custom.valid_from = "2026-11-22".into();
        assert!(
            validate(&custom, &ctx())
                .unwrap_err()
                .get("valid_from")
                .is_some()
        );
        custom.valid_from = "2026-12-10".into();
        custom.valid_to = "2026-12-01".into();
        assert!(
            validate(&custom, &ctx())
                .unwrap_err()
                .get("valid_to")
                .is_some()
        );
        custom.valid_to = "2026-12-31".into();
        let def = validate(&custom, &ctx()).unwrap();
        assert_eq!(def.validity.valid_from, datetime!(2026-12-10 00:00));
        assert_eq!(def.validity.valid_to, Some(datetime!(2026-12-31 23:59:59)));
        // Starting today means starting now; no end means forever.
        custom.valid_from = "2026-11-23".into();
        custom.valid_to = String::new();
        let def = validate(&custom, &ctx()).unwrap();
        assert_eq!(
            def.validity,
            Validity {
                valid_from: NOW,
                valid_to: None
            }
        );
        custom.valid_to = "31/12/2026".into();
        assert!(
            validate(&custom, &ctx())
                .unwrap_err()
                .get("valid_to")
                .is_some()
        );
    }

    #[test]
    fn editing_a_started_token_with_custom_dates_keeps_its_start() {
        let started = Validity {
            valid_from: NOW - Duration::days(10),
            valid_to: None,
        };
        let editing = FormContext {
            current: Some(started),
            ..ctx()
        };
        let mut custom = input();
        custom.duration = "custom".into();
        custom.valid_to = "2027-01-31".into();
        let def = validate(&custom, &editing).unwrap();
        assert_eq!(def.validity.valid_from, started.valid_from);
        assert_eq!(def.validity.valid_to, Some(datetime!(2027-01-31 23:59:59)));
    }

    #[test]
    fn allowed_networks_are_checked() {
        let mut limited = input();
        limited.allowed_networks = "10.0.0.0/8\n2001:db8::1".into();
        assert_eq!(
            validate(&limited, &ctx()).unwrap().allowed_networks.len(),
            2
        );
        limited.allowed_networks = "10.0.0.0/8 intranet".into();
        assert!(
            validate(&limited, &ctx())
                .unwrap_err()
                .get("allowed_networks")
                .unwrap()
                .contains("intranet")
        );
    }

    #[test]
    fn keep_is_only_for_editing() {
        let mut keep = input();
        keep.duration = "keep".into();
        assert!(
            validate(&keep, &ctx())
                .unwrap_err()
                .get("duration")
                .is_some()
        );
        let current = Validity {
            valid_from: NOW - Duration::days(3),
            valid_to: None,
        };
        let editing = FormContext {
            current: Some(current),
            ..ctx()
        };
        assert_eq!(validate(&keep, &editing).unwrap().validity, current);
    }

    proptest! {
        #[test]
        fn validation_never_panics_on_any_input(
            name in ".{0,300}", description in ".{0,1200}", guid in ".{0,40}",
            scope in ".{0,12}", duration in ".{0,12}", from in ".{0,12}", to in ".{0,12}",
            kind in ".{0,12}", permission in ".{0,20}", networks in ".{0,60}",
        ) {
            let input = TokenInput {
                name, description, guid, scopes: vec![scope], duration,
                valid_from: from, valid_to: to, token_type: kind, permissions: vec![permission],
                allowed_networks: networks, can_introspect: false,
            };
            let _ = validate(&input, &ctx());
        }
    }
}
