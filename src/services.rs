//! The use cases, one function each. A use case checks the rules (permission,
//! scope, lifecycle — from [`crate::domain`]), writes in one transaction with its
//! audit event, and tells verification, here and on other instances, what changed.
//! Pages and the command line change nothing except through these functions.

pub mod admins;
pub mod api_keys;
pub mod catalog;
pub mod events;
pub mod expiry;
pub mod exports;
pub mod health;
pub mod identities;
pub mod keys;
pub mod limits;
pub mod mail;
pub mod outbound;
pub mod profile;
pub mod retention;
pub mod setup;
pub mod sign_in;
pub mod sign_in_links;
pub mod sso;
pub mod tokens;
pub mod usage;
pub mod usage_overview;
pub mod usage_retention;
pub mod webhooks;

use crate::db::Db;
use crate::db::audit::Actor;
use crate::domain::encryption::EncryptionKey;
use crate::domain::ids::Guid;
use crate::domain::permissions::{Permission, PermissionSet};
use crate::domain::scopes::ScopeAccess;
use crate::domain::webhooks::signature::WebhookKeys;
use crate::passwords::HashingGate;
use crate::verification::Verifier;

/// What the use cases work with.
#[derive(Clone, Copy)]
pub struct Services<'a> {
    pub db: &'a Db,
    /// This instance's verification cache; none at the command line, whose changes
    /// reach running instances through the database.
    pub verifier: Option<&'a Verifier>,
    pub hashing: &'a HashingGate,
    /// Keeps token values to show again, when the operator set one.
    pub encryption_key: Option<&'a EncryptionKey>,
    /// Keeps webhook signing secrets: the operator's key, or one Tessera generated.
    pub webhook_key: Option<&'a WebhookKeys>,
}

impl Services<'_> {
    /// The next verification on this instance sees the token's change.
    fn token_changed(&self, guid: &Guid) {
        if let Some(verifier) = self.verifier {
            verifier.token_changed(guid);
        }
    }

    /// The next verification on this instance sees the new modules or scopes.
    fn catalog_changed(&self) {
        if let Some(verifier) = self.verifier {
            verifier.forget_everything();
        }
    }
}

/// Who calls a use case: whom the audit log names, what they may do, and which
/// scopes are theirs.
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    pub permissions: PermissionSet,
    pub scopes: ScopeAccess,
}

impl Caller {
    /// An operator at the command line, who may do everything.
    pub fn command_line() -> Self {
        Self {
            actor: Actor::command_line(),
            permissions: Permission::ALL
                .into_iter()
                .fold(PermissionSet::default(), PermissionSet::with),
            scopes: ScopeAccess::All,
        }
    }

    pub fn require(&self, permission: Permission) -> Result<(), Forbidden> {
        if self.permissions.contains(permission) {
            Ok(())
        } else {
            Err(Forbidden(permission))
        }
    }
}

/// The caller lacks this permission.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("You do not have the permission to {}.", .0.label().to_lowercase())]
pub struct Forbidden(pub Permission);
