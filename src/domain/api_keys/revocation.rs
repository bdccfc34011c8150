//! Keys follow their owner's security events: signing out everywhere, a new
//! password, a narrower role or fewer scopes can take the owner's keys with them.

use crate::domain::permissions::PermissionSet;
use crate::domain::scopes::ScopeAccess;

/// Why API keys were revoked, as the audit log records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRevocation {
    /// By its owner, in My profile.
    ByOwner,
    /// By an administrator who manages administrators, on the owner's page.
    ByAdministrator,
    /// Together with every session of the owner.
    SignedOutEverywhere,
    /// Together with the owner's change of their own password.
    PasswordChanged,
    /// Because an administrator set a new password for the owner.
    PasswordReset,
    /// Together with a change that took a permission or a scope from the owner.
    AccessNarrowed,
}

impl KeyRevocation {
    /// The stable name the audit event's details carry.
    pub fn key(self) -> &'static str {
        match self {
            KeyRevocation::ByOwner => "by_owner",
            KeyRevocation::ByAdministrator => "by_administrator",
            KeyRevocation::SignedOutEverywhere => "signed_out_everywhere",
            KeyRevocation::PasswordChanged => "password_changed",
            KeyRevocation::PasswordReset => "password_reset",
            KeyRevocation::AccessNarrowed => "access_narrowed",
        }
    }
}

/// What an administrator may do, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub permissions: PermissionSet,
    pub scopes: ScopeAccess,
}

impl Access {
    /// `after` takes away a permission or a scope that this access had.
    pub fn narrowed_by(&self, after: &Access) -> bool {
        !self.permissions.is_subset(after.permissions) || !self.scopes.within(&after.scopes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::permissions::Permission;

    fn access(permissions: &[Permission], scopes: ScopeAccess) -> Access {
        Access {
            permissions: permissions
                .iter()
                .fold(PermissionSet::default(), |set, p| set.with(*p)),
            scopes,
        }
    }

    #[test]
    fn losing_a_permission_or_a_scope_narrows_and_gaining_does_not() {
        use Permission::{TokensCreate, TokensRead};
        let manager = access(&[TokensRead, TokensCreate], ScopeAccess::Scopes(vec![1, 2]));
        let viewer = access(&[TokensRead], ScopeAccess::Scopes(vec![1, 2]));
        assert!(manager.narrowed_by(&viewer));
        assert!(!viewer.narrowed_by(&manager));

        let fewer = access(&[TokensRead, TokensCreate], ScopeAccess::Scopes(vec![1]));
        let moved = access(&[TokensRead, TokensCreate], ScopeAccess::Scopes(vec![1, 3]));
        assert!(manager.narrowed_by(&fewer));
        assert!(
            manager.narrowed_by(&moved),
            "a scope taken away, another given"
        );
        assert!(!fewer.narrowed_by(&manager));
        assert!(!manager.narrowed_by(&manager));

        let everywhere = access(&[TokensRead, TokensCreate], ScopeAccess::All);
        assert!(everywhere.narrowed_by(&manager));
        assert!(!manager.narrowed_by(&everywhere));
    }
}
