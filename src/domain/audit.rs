//! The actions the audit log records, with the words it shows for them, and the
//! kinds of object they are about.

use diesel::deserialize::FromSqlRow;
use diesel::expression::AsExpression;

/// What kind of object an audit event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum TargetKind {
    Token,
    Administrator,
    Module,
    Scope,
    /// The example modules and scopes, added together.
    Catalog,
    /// Settings of the whole installation, such as the encryption key.
    Settings,
    /// An administrator's key for the management API.
    ApiKey,
    Webhook,
    /// A file of tokens, audit events or usage taken away.
    Export,
    /// A customer or system that owns tokens.
    Identity,
}

impl TargetKind {
    pub const ALL: [TargetKind; 10] = [
        TargetKind::Token,
        TargetKind::Administrator,
        TargetKind::Module,
        TargetKind::Scope,
        TargetKind::Catalog,
        TargetKind::Settings,
        TargetKind::ApiKey,
        TargetKind::Webhook,
        TargetKind::Export,
        TargetKind::Identity,
    ];

    /// The stable name stored in the database.
    pub fn key(self) -> &'static str {
        match self {
            TargetKind::Token => "token",
            TargetKind::Administrator => "administrator",
            TargetKind::Module => "module",
            TargetKind::Scope => "scope",
            TargetKind::Catalog => "catalog",
            TargetKind::Settings => "settings",
            TargetKind::ApiKey => "api_key",
            TargetKind::Webhook => "webhook",
            TargetKind::Export => "export",
            TargetKind::Identity => "identity",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == key)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum AuditAction {
    SetupCompleted,
    AdminSignedIn,
    AdminCreated,
    AdminAccessChanged,
    AdminPasswordSet,
    AdminDisabled,
    AdminEnabled,
    ModuleCreated,
    ScopeCreated,
    ExamplesAdded,
    TokenCreated,
    TokenUpdated,
    TokenRegenerated,
    TokenEnabled,
    TokenDisabled,
    TokenRevoked,
    TokenDeleted,
    ModuleUpdated,
    ModuleDeleted,
    ScopeUpdated,
    ScopeDeleted,
    ScopeDeleteRefused,
    TokenRevealed,
    KeysRotated,
    ProfileUpdated,
    PasswordChanged,
    SignedOutEverywhere,
    SignInUnlocked,
    ApiKeyCreated,
    ApiKeyRevoked,
    WebhookCreated,
    WebhookUpdated,
    WebhookDeleted,
    WebhookEnabled,
    WebhookDisabled,
    WebhookSecretRotated,
    NotificationsChanged,
    OldRecordsRemoved,
    ScopePolicyChanged,
    Exported,
    AdminLinkedToSso,
    SsoSignInRefused,
    SignInLinkCreated,
    IdentityCreated,
    IdentityUpdated,
    IdentityDeleted,
    LimitsChanged,
}

impl AuditAction {
    pub const ALL: [AuditAction; 47] = [
        AuditAction::SetupCompleted,
        AuditAction::AdminSignedIn,
        AuditAction::AdminCreated,
        AuditAction::AdminAccessChanged,
        AuditAction::AdminPasswordSet,
        AuditAction::AdminDisabled,
        AuditAction::AdminEnabled,
        AuditAction::ModuleCreated,
        AuditAction::ScopeCreated,
        AuditAction::ExamplesAdded,
        AuditAction::TokenCreated,
        AuditAction::TokenUpdated,
        AuditAction::TokenRegenerated,
        AuditAction::TokenEnabled,
        AuditAction::TokenDisabled,
        AuditAction::TokenRevoked,
        AuditAction::TokenDeleted,
        AuditAction::ModuleUpdated,
        AuditAction::ModuleDeleted,
        AuditAction::ScopeUpdated,
        AuditAction::ScopeDeleted,
        AuditAction::ScopeDeleteRefused,
        AuditAction::TokenRevealed,
        AuditAction::KeysRotated,
        AuditAction::ProfileUpdated,
        AuditAction::PasswordChanged,
        AuditAction::SignedOutEverywhere,
        AuditAction::SignInUnlocked,
        AuditAction::ApiKeyCreated,
        AuditAction::ApiKeyRevoked,
        AuditAction::WebhookCreated,
        AuditAction::WebhookUpdated,
        AuditAction::WebhookDeleted,
        AuditAction::WebhookEnabled,
        AuditAction::WebhookDisabled,
        AuditAction::WebhookSecretRotated,
        AuditAction::NotificationsChanged,
        AuditAction::OldRecordsRemoved,
        AuditAction::ScopePolicyChanged,
        AuditAction::Exported,
        AuditAction::AdminLinkedToSso,
        AuditAction::SsoSignInRefused,
        AuditAction::SignInLinkCreated,
        AuditAction::IdentityCreated,
        AuditAction::IdentityUpdated,
        AuditAction::IdentityDeleted,
        AuditAction::LimitsChanged,
    ];

    /// The stable name stored in the database.
    pub fn key(self) -> &'static str {
        match self {
            AuditAction::SetupCompleted => "setup.complete",
            AuditAction::AdminSignedIn => "admin.sign_in",
            AuditAction::AdminCreated => "admin.create",
            AuditAction::AdminAccessChanged => "admin.update",
            AuditAction::AdminPasswordSet => "admin.password",
            AuditAction::AdminDisabled => "admin.disable",
            AuditAction::AdminEnabled => "admin.enable",
            AuditAction::ModuleCreated => "module.create",
            AuditAction::ScopeCreated => "scope.create",
            AuditAction::ExamplesAdded => "catalog.examples",
            AuditAction::TokenCreated => "token.create",
            AuditAction::TokenUpdated => "token.update",
            AuditAction::TokenRegenerated => "token.regenerate",
            AuditAction::TokenEnabled => "token.enable",
            AuditAction::TokenDisabled => "token.disable",
            AuditAction::TokenRevoked => "token.revoke",
            AuditAction::TokenDeleted => "token.delete",
            AuditAction::ModuleUpdated => "module.update",
            AuditAction::ModuleDeleted => "module.delete",
            AuditAction::ScopeUpdated => "scope.update",
            AuditAction::ScopeDeleted => "scope.delete",
            AuditAction::ScopeDeleteRefused => "scope.delete_refused",
            AuditAction::TokenRevealed => "token.reveal",
            AuditAction::KeysRotated => "keys.rotate",
            AuditAction::ProfileUpdated => "profile.update",
            AuditAction::PasswordChanged => "profile.password",
            AuditAction::SignedOutEverywhere => "profile.sign_out_everywhere",
            AuditAction::SignInUnlocked => "admin.unlock",
            AuditAction::ApiKeyCreated => "api_key.create",
            AuditAction::ApiKeyRevoked => "api_key.revoke",
            AuditAction::WebhookCreated => "webhook.create",
            AuditAction::WebhookUpdated => "webhook.update",
            AuditAction::WebhookDeleted => "webhook.delete",
            AuditAction::WebhookEnabled => "webhook.enable",
            AuditAction::WebhookDisabled => "webhook.disable",
            AuditAction::WebhookSecretRotated => "webhook.rotate_secret",
            AuditAction::NotificationsChanged => "notifications.update",
            AuditAction::OldRecordsRemoved => "retention.remove",
            AuditAction::ScopePolicyChanged => "scope.policy",
            AuditAction::Exported => "export.download",
            AuditAction::AdminLinkedToSso => "admin.sso_link",
            AuditAction::SsoSignInRefused => "admin.sso_refused",
            AuditAction::SignInLinkCreated => "admin.sign_in_link",
            AuditAction::IdentityCreated => "identity.create",
            AuditAction::IdentityUpdated => "identity.update",
            AuditAction::IdentityDeleted => "identity.delete",
            AuditAction::LimitsChanged => "limits.update",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            AuditAction::SetupCompleted => "Completed first-run setup",
            AuditAction::AdminSignedIn => "Signed in",
            AuditAction::AdminCreated => "Added administrator",
            AuditAction::AdminAccessChanged => "Changed role or scopes",
            AuditAction::AdminPasswordSet => "Set password",
            AuditAction::AdminDisabled => "Disabled administrator",
            AuditAction::AdminEnabled => "Enabled administrator",
            AuditAction::ModuleCreated => "Added module",
            AuditAction::ScopeCreated => "Added scope",
            AuditAction::ExamplesAdded => "Added the example modules and scopes",
            AuditAction::TokenCreated => "Created token",
            AuditAction::TokenUpdated => "Edited token",
            AuditAction::TokenRegenerated => "Regenerated token",
            AuditAction::TokenEnabled => "Enabled token",
            AuditAction::TokenDisabled => "Disabled token",
            AuditAction::TokenRevoked => "Revoked token",
            AuditAction::TokenDeleted => "Deleted token",
            AuditAction::ModuleUpdated => "Changed module",
            AuditAction::ModuleDeleted => "Deleted module",
            AuditAction::ScopeUpdated => "Renamed scope",
            AuditAction::ScopeDeleted => "Deleted scope",
            AuditAction::ScopeDeleteRefused => "Refused to delete scope (still in use)",
            AuditAction::TokenRevealed => "Showed token value",
            AuditAction::KeysRotated => "Rotated the encryption key",
            AuditAction::ProfileUpdated => "Changed own name",
            AuditAction::PasswordChanged => "Changed own password",
            AuditAction::SignedOutEverywhere => "Signed out everywhere",
            AuditAction::SignInUnlocked => "Lifted sign-in limits",
            AuditAction::ApiKeyCreated => "Created API key",
            AuditAction::ApiKeyRevoked => "Revoked API key",
            AuditAction::WebhookCreated => "Added webhook",
            AuditAction::WebhookUpdated => "Changed webhook",
            AuditAction::WebhookDeleted => "Deleted webhook",
            AuditAction::WebhookEnabled => "Enabled webhook",
            AuditAction::WebhookDisabled => "Disabled webhook",
            AuditAction::WebhookSecretRotated => "Rotated webhook secret",
            AuditAction::NotificationsChanged => "Changed expiry notifications",
            AuditAction::OldRecordsRemoved => "Removed old deliveries and mails",
            AuditAction::ScopePolicyChanged => "Changed scope policy",
            AuditAction::Exported => "Exported",
            AuditAction::AdminLinkedToSso => "Linked to single sign-on",
            AuditAction::SsoSignInRefused => "Refused single sign-on",
            AuditAction::SignInLinkCreated => "Made a one-time sign-in link",
            AuditAction::IdentityCreated => "Added identity",
            AuditAction::IdentityUpdated => "Changed identity",
            AuditAction::IdentityDeleted => "Deleted identity",
            AuditAction::LimitsChanged => "Changed rate limits or credits",
        }
    }
}

super::keyed::keyed_words!(AuditAction, AuditAction::ALL);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_round_trip() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::from_key(action.key()), Some(action));
        }
        let mut keys: Vec<_> = AuditAction::ALL.iter().map(|a| a.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), AuditAction::ALL.len());
    }
}
