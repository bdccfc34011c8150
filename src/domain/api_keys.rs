//! Administrators' personal API keys for the management API: their format, what an
//! administrator may ask for, and the rights a key carries at the moment it is
//! used — never more than its owner's at that moment.

mod revocation;

pub use revocation::{Access, KeyRevocation};

use std::fmt;

use time::{Duration, PrimitiveDateTime};

use super::digest::sha256_hex;
use super::permissions::{Permission, PermissionSet};
use super::scopes::ScopeAccess;
use super::tokens::{FormatError, check_secret_format, generate_secret, secret_hint};
use super::validation::{FieldErrors, required_text};

/// Every key starts with this, so secret scanners tell keys from API tokens (`tsr_`).
pub const PREFIX: &str = "tsa_";
/// A key lives at most this long.
pub const MAX_LIFETIME_DAYS: i64 = 365;
/// What a key lives unless asked otherwise (command line, API).
pub const DEFAULT_LIFETIME_DAYS: i64 = 90;
/// The lifetimes the profile page offers, in days.
pub const LIFETIME_CHOICES: [i64; 5] = [7, 30, 90, 180, 365];
pub const MAX_NAME_CHARS: usize = 100;

/// A key in clear: it exists between generation and the page that shows it once.
pub struct ApiKeySecret(String);

impl ApiKeySecret {
    pub fn generate() -> Self {
        Self(generate_secret(PREFIX, &mut rand::rngs::OsRng))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the database keeps instead of the key.
    pub fn digest(&self) -> String {
        Self::digest_of(&self.0)
    }

    /// The digest of a presented key, which finds it.
    pub fn digest_of(presented: &str) -> String {
        sha256_hex(presented.as_bytes())
    }

    /// Tells keys apart on screen without revealing them.
    pub fn hint(&self) -> String {
        secret_hint(PREFIX, &self.0)
    }
}

impl fmt::Debug for ApiKeySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKeySecret([redacted])")
    }
}

/// Checks prefix, length, alphabet and checksum of a presented key.
pub fn check_format(candidate: &str) -> Result<(), FormatError> {
    check_secret_format(PREFIX, candidate)
}

/// Which scopes a key works in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyScopes {
    /// Whatever scopes the owner has when the key is used.
    Owner,
    /// These scopes, as long as they are the owner's.
    Listed(Vec<i64>),
}

/// What an administrator asks for, as submitted (the profile page's form, the
/// command line).
#[derive(Debug, Default, Clone)]
pub struct ApiKeyInput {
    pub name: String,
    pub expires_in_days: String,
    pub permissions: Vec<String>,
    /// `"all"`: every scope of the owner; anything else: `scopes`.
    pub scope_limit: String,
    pub scopes: Vec<String>,
}

impl ApiKeyInput {
    /// The key is for every scope of its owner, rather than the listed ones.
    pub fn every_scope(&self) -> bool {
        self.scope_limit.trim() == "all"
    }

    pub fn has_permission(&self, permission: &Permission) -> bool {
        self.permissions
            .iter()
            .any(|p| p.trim() == permission.key())
    }

    pub fn has_scope(&self, id: &i64) -> bool {
        self.scopes.iter().any(|s| s.trim() == id.to_string())
    }

    pub fn lifetime_is(&self, days: &i64) -> bool {
        self.expires_in_days.trim() == days.to_string()
    }
}

/// Where a key stands: only an active key opens anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyStatus {
    Active,
    Expired,
    Revoked,
}

impl KeyStatus {
    pub fn of(
        revoked_at: Option<PrimitiveDateTime>,
        expires_at: PrimitiveDateTime,
        now: PrimitiveDateTime,
    ) -> Self {
        if revoked_at.is_some() {
            KeyStatus::Revoked
        } else if expires_at <= now {
            KeyStatus::Expired
        } else {
            KeyStatus::Active
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            KeyStatus::Active => "Active",
            KeyStatus::Expired => "Expired",
            KeyStatus::Revoked => "Revoked",
        }
    }
}

/// A checked request for a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyDefinition {
    pub name: String,
    pub expires_at: PrimitiveDateTime,
    pub permissions: PermissionSet,
    pub scopes: KeyScopes,
}

/// The permissions a key may be given: those of the owner, except seeing every
/// scope, which a key has only through [`KeyScopes::Owner`].
pub fn grantable(owner: PermissionSet) -> PermissionSet {
    owner.without(Permission::AllScopes)
}

/// Checks `input` against the owner's rights: `owner_scopes` are the scopes the
/// owner may choose from.
pub fn validate(
    input: &ApiKeyInput,
    owner: PermissionSet,
    owner_scopes: &[i64],
    now: PrimitiveDateTime,
) -> Result<ApiKeyDefinition, FieldErrors> {
    let mut errors = FieldErrors::default();
    let name = required_text(&mut errors, "name", "Name", &input.name, MAX_NAME_CHARS);
    let days = input.expires_in_days.trim().parse::<i64>().ok();
    let expires_at = match days {
        Some(days @ 1..=MAX_LIFETIME_DAYS) => Some(now + Duration::days(days)),
        _ => {
            errors.add(
                "expires_in_days",
                format!("Choose an expiry between 1 and {MAX_LIFETIME_DAYS} days."),
            );
            None
        }
    };

    let mut permissions = PermissionSet::default();
    for key in &input.permissions {
        match Permission::from_key(key.trim()) {
            Some(p) if grantable(owner).contains(p) => permissions = permissions.with(p),
            _ => errors.add(
                "permissions",
                format!(
                    "\u{201c}{}\u{201d} is not one of your permissions.",
                    key.trim()
                ),
            ),
        }
    }
    if permissions == PermissionSet::default() {
        errors.add("permissions", "Choose at least one permission.");
    }

    let scopes = if input.every_scope() {
        KeyScopes::Owner
    } else {
        let mut ids: Vec<i64> = Vec::new();
        for value in &input.scopes {
            match value.trim().parse::<i64>() {
                Ok(id) if owner_scopes.contains(&id) => ids.push(id),
                _ => errors.add("scopes", "Choose only scopes that are yours."),
            }
        }
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            errors.add("scopes", "Choose at least one scope, or all your scopes.");
        }
        KeyScopes::Listed(ids)
    };

    match expires_at {
        Some(expires_at) if errors.is_empty() => Ok(ApiKeyDefinition {
            name,
            expires_at,
            permissions,
            scopes,
        }),
        _ => Err(errors),
    }
}

/// What a key may do now: the permissions both it and its owner have, in the
/// scopes both have. Narrowing the owner narrows the key at once.
pub fn effective_rights(
    owner_permissions: PermissionSet,
    owner_scopes: &ScopeAccess,
    key_permissions: PermissionSet,
    key_scopes: &KeyScopes,
) -> (PermissionSet, ScopeAccess) {
    let permissions = grantable(owner_permissions).intersection(key_permissions);
    let scopes = match (key_scopes, owner_scopes) {
        (KeyScopes::Owner, owner) => owner.clone(),
        (KeyScopes::Listed(ids), ScopeAccess::All) => ScopeAccess::Scopes(ids.clone()),
        (KeyScopes::Listed(ids), ScopeAccess::Scopes(mine)) => {
            ScopeAccess::Scopes(ids.iter().copied().filter(|id| mine.contains(id)).collect())
        }
    };
    let permissions = if scopes == ScopeAccess::All {
        permissions.with(Permission::AllScopes)
    } else {
        permissions
    };
    (permissions, scopes)
}

/// Why a presented key opens nothing. The API answers each with 401 and the same
/// code, so a caller cannot probe which keys exist; the log keeps the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRefusal {
    Missing,
    Malformed,
    Unknown,
    Revoked,
    Expired,
    OwnerDisabled,
    /// Too many failed keys came from the client's address: refused, whatever the
    /// key, for this long.
    AddressLocked(Duration),
    /// The keys could not be read (the database is down).
    Unavailable,
}

impl KeyRefusal {
    pub fn reason(self) -> &'static str {
        match self {
            KeyRefusal::Missing => "no API key",
            KeyRefusal::Malformed => "malformed API key",
            KeyRefusal::Unknown => "unknown API key",
            KeyRefusal::Revoked => "revoked API key",
            KeyRefusal::Expired => "expired API key",
            KeyRefusal::OwnerDisabled => "API key of a disabled administrator",
            KeyRefusal::AddressLocked(_) => "too many failed API keys from this address",
            KeyRefusal::Unavailable => "API keys unavailable",
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const NOW: PrimitiveDateTime = datetime!(2026-11-25 12:00);

    fn set(keys: &[&str]) -> PermissionSet {
        PermissionSet::from_keys(keys.iter().copied())
    }

    fn input(days: &str, permissions: &[&str], limit: &str, scopes: &[&str]) -> ApiKeyInput {
        ApiKeyInput {
            name: "deploy".into(),
            expires_in_days: days.into(),
            permissions: permissions.iter().map(|p| p.to_string()).collect(),
            scope_limit: limit.into(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn keys_have_their_own_prefix_and_a_checksum() {
        let key = ApiKeySecret::generate();
        assert!(key.expose().starts_with("tsa_"));
        assert_eq!(check_format(key.expose()), Ok(()));
        assert_eq!(
            crate::domain::tokens::check_format(key.expose()),
            Err(FormatError::MissingPrefix)
        );
        let mut typo = key.expose().to_owned();
        let last = if typo.ends_with('a') { "b" } else { "a" };
        typo.replace_range(typo.len() - 1.., last);
        assert_eq!(check_format(&typo), Err(FormatError::BadChecksum));
        assert!(!format!("{key:?}").contains(&key.expose()[4..]));
        assert_eq!(key.digest().len(), 64);
    }

    #[test]
    fn a_key_asks_only_for_what_its_owner_has_for_at_most_a_year() {
        let owner = set(&["tokens.read", "tokens.create", "scopes.all"]);
        let ok = validate(&input("90", &["tokens.read"], "all", &[]), owner, &[1], NOW).unwrap();
        assert_eq!(ok.expires_at, datetime!(2027-02-23 12:00));
        assert_eq!(ok.scopes, KeyScopes::Owner);

        let errors = validate(
            &input("366", &["tokens.delete", "scopes.all"], "listed", &["2"]),
            owner,
            &[1],
            NOW,
        )
        .unwrap_err();
        assert!(errors.get("expires_in_days").unwrap().contains("365"));
        assert!(errors.get("permissions").unwrap().contains("tokens.delete"));
        assert!(errors.get("scopes").is_some());

        let errors = validate(&input("0", &[], "listed", &[]), owner, &[1], NOW).unwrap_err();
        assert!(errors.get("expires_in_days").is_some());
        assert_eq!(
            errors.get("permissions"),
            Some("Choose at least one permission.")
        );
        assert!(errors.get("scopes").unwrap().contains("at least one"));
    }

    #[test]
    fn a_key_never_exceeds_its_owner_now() {
        let key = set(&["tokens.read", "tokens.create"]);
        // The owner lost tokens.create and scope 2 since the key was made.
        let (permissions, scopes) = effective_rights(
            set(&["tokens.read"]),
            &ScopeAccess::Scopes(vec![1]),
            key,
            &KeyScopes::Listed(vec![1, 2]),
        );
        assert_eq!(permissions, set(&["tokens.read"]));
        assert_eq!(scopes, ScopeAccess::Scopes(vec![1]));

        // A Super Admin's key for every scope sees every scope; listed, only those.
        let admin = set(&["tokens.read", "scopes.all"]);
        let (permissions, scopes) =
            effective_rights(admin, &ScopeAccess::All, key, &KeyScopes::Owner);
        assert!(permissions.contains(Permission::AllScopes));
        assert_eq!(scopes, ScopeAccess::All);
        let (permissions, scopes) =
            effective_rights(admin, &ScopeAccess::All, key, &KeyScopes::Listed(vec![3]));
        assert!(!permissions.contains(Permission::AllScopes));
        assert_eq!(scopes, ScopeAccess::Scopes(vec![3]));

        // An owner who lost everything leaves the key nothing.
        let (permissions, scopes) = effective_rights(
            PermissionSet::default(),
            &ScopeAccess::Scopes(vec![]),
            key,
            &KeyScopes::Owner,
        );
        assert_eq!(permissions, PermissionSet::default());
        assert_eq!(scopes, ScopeAccess::Scopes(vec![]));
    }
}
