//! What an administrator may do. Roles grant sets of permissions; anything not
//! granted is denied.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    TokensRead,
    TokensCreate,
    TokensUpdate,
    TokensDelete,
    /// Show and copy a stored token value again (needs an encryption key).
    TokensReveal,
    AdminsManage,
    SettingsManage,
    AuditRead,
    /// Sees every scope, without being assigned to them.
    AllScopes,
}

impl Permission {
    pub const ALL: [Permission; 9] = [
        Permission::TokensRead,
        Permission::TokensCreate,
        Permission::TokensUpdate,
        Permission::TokensDelete,
        Permission::TokensReveal,
        Permission::AdminsManage,
        Permission::SettingsManage,
        Permission::AuditRead,
        Permission::AllScopes,
    ];

    /// The stable name stored in the database.
    pub fn key(self) -> &'static str {
        match self {
            Permission::TokensRead => "tokens.read",
            Permission::TokensCreate => "tokens.create",
            Permission::TokensUpdate => "tokens.update",
            Permission::TokensDelete => "tokens.delete",
            Permission::TokensReveal => "tokens.reveal",
            Permission::AdminsManage => "admins.manage",
            Permission::SettingsManage => "settings.manage",
            Permission::AuditRead => "audit.read",
            Permission::AllScopes => "scopes.all",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Permission::TokensRead => "See API tokens",
            Permission::TokensCreate => "Create API tokens",
            Permission::TokensUpdate => "Edit, regenerate, enable, disable and revoke API tokens",
            Permission::TokensDelete => "Delete API tokens",
            Permission::TokensReveal => "Show and copy stored API token values again",
            Permission::AdminsManage => "Manage administrators",
            Permission::SettingsManage => "Manage modules and scopes",
            Permission::AuditRead => "Read the audit log",
            Permission::AllScopes => "See every scope",
        }
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// A set of permissions. Unknown names from the database grant nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PermissionSet(u16);

impl PermissionSet {
    pub fn from_keys<'a>(keys: impl IntoIterator<Item = &'a str>) -> Self {
        keys.into_iter()
            .filter_map(Permission::from_key)
            .fold(Self::default(), |set, p| set.with(p))
    }

    pub fn with(self, permission: Permission) -> Self {
        Self(self.0 | permission.bit())
    }

    pub fn contains(self, permission: Permission) -> bool {
        self.0 & permission.bit() != 0
    }

    pub fn without(self, permission: Permission) -> Self {
        Self(self.0 & !permission.bit())
    }

    /// The permissions in both sets.
    pub fn intersection(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }

    /// Every permission of this set is in `other`.
    pub fn is_subset(self, other: Self) -> bool {
        self.0 & !other.0 == 0
    }

    /// The stable names, space-separated, as stored.
    pub fn keys(self) -> String {
        self.iter()
            .map(Permission::key)
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn iter(self) -> impl Iterator<Item = Permission> {
        Permission::ALL
            .into_iter()
            .filter(move |p| self.contains(*p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for p in Permission::ALL {
            assert_eq!(Permission::from_key(p.key()), Some(p));
        }
        assert_eq!(Permission::from_key("tokens.everything"), None);
    }

    #[test]
    fn an_empty_set_denies_everything() {
        let set = PermissionSet::default();
        assert!(Permission::ALL.iter().all(|p| !set.contains(*p)));
    }

    #[test]
    fn sets_hold_exactly_what_was_granted() {
        let set = PermissionSet::from_keys(["tokens.read", "audit.read", "bogus"]);
        assert!(set.contains(Permission::TokensRead));
        assert!(set.contains(Permission::AuditRead));
        assert!(!set.contains(Permission::TokensCreate));
        assert_eq!(set.iter().count(), 2);
    }
}
