//! A scope's policy: read and changed as a document that names modules by key.
//! A change is audited and changes no token: tokens it breaks are a token health
//! finding, for an administrator to fix.

use serde::{Deserialize, Serialize};

use super::{CatalogError, change};
use crate::db::audit::Target;
use crate::db::catalog::{self, Scope};
use crate::db::{audit, now, scope_policies};
use crate::domain::audit::AuditAction;
use crate::domain::permissions::Permission;
use crate::domain::scopes::policy::ScopePolicy;
use crate::domain::tokens::{Action, TokenType};
use crate::domain::validation::FieldErrors;
use crate::services::{Caller, Services};

/// A module × action pair a policy allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyGrant {
    #[schema(example = "orders")]
    pub module: String,
    pub action: Action,
}

/// A scope's rules, which every token in the scope follows (a token in several
/// scopes follows the strictest of each rule).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "max_lifetime_days": 90,
    "expiry_required": true,
    "allowed_types": ["read_only", "custom"],
    "allowed_grants": null,
    "networks_required": false,
    "show_again": false
}))]
pub struct PolicyDocument {
    /// A token's validity ends at most this many days after it starts (or after
    /// the change, whichever is later); null for no limit.
    #[schema(example = 90, minimum = 1, maximum = 3650)]
    pub max_lifetime_days: Option<i64>,
    /// Tokens must have an expiry date.
    #[serde(default)]
    pub expiry_required: bool,
    /// The token types allowed (at least one); every type when left out.
    #[serde(default = "every_type")]
    #[schema(min_items = 1)]
    pub allowed_types: Vec<TokenType>,
    /// The only module × action pairs Custom tokens may be granted (the other
    /// types are then refused); null for any.
    #[serde(default)]
    pub allowed_grants: Option<Vec<PolicyGrant>>,
    /// Tokens need an IP allow-list.
    #[serde(default)]
    pub networks_required: bool,
    /// Token values may be kept and shown again; true when left out.
    #[serde(default = "yes")]
    pub show_again: bool,
}

fn every_type() -> Vec<TokenType> {
    TokenType::ALL.to_vec()
}

fn yes() -> bool {
    true
}

impl PolicyDocument {
    pub fn of(policy: &ScopePolicy, modules: &[(i64, String)]) -> Self {
        Self {
            max_lifetime_days: policy.max_lifetime_days,
            expiry_required: policy.expiry_required,
            allowed_types: policy.allowed_types.clone(),
            allowed_grants: policy.allowed_grants.as_ref().map(|grants| {
                grants
                    .iter()
                    .filter_map(|(id, action)| {
                        let (_, key) = modules.iter().find(|(m, _)| m == id)?;
                        Some(PolicyGrant {
                            module: key.clone(),
                            action: *action,
                        })
                    })
                    .collect()
            }),
            networks_required: policy.networks_required,
            show_again: policy.show_again,
        }
    }

    /// The policy, with its modules looked up by key.
    pub fn policy(self, modules: &[(i64, String)]) -> Result<ScopePolicy, FieldErrors> {
        let mut errors = FieldErrors::default();
        let allowed_grants = self.allowed_grants.map(|grants| {
            grants
                .into_iter()
                .filter_map(|g| match modules.iter().find(|(_, key)| *key == g.module) {
                    Some((id, _)) => Some((*id, g.action)),
                    None => {
                        errors.add(
                            "allowed_grants",
                            format!(
                                "There is no module with the key \u{201c}{}\u{201d}.",
                                g.module
                            ),
                        );
                        None
                    }
                })
                .collect()
        });
        errors.into_result(ScopePolicy {
            max_lifetime_days: self.max_lifetime_days,
            expiry_required: self.expiry_required,
            allowed_types: self.allowed_types,
            allowed_grants,
            networks_required: self.networks_required,
            show_again: self.show_again,
        })
    }
}

/// A scope with its policy, and every module (ID and key) its grants may name.
pub struct ScopeWithPolicy {
    pub scope: Scope,
    pub policy: ScopePolicy,
    pub modules: Vec<(i64, String)>,
}

/// The scope's policy, for an administrator who sees the scope.
pub async fn read_policy(
    services: Services<'_>,
    caller: &Caller,
    scope_id: i64,
) -> Result<ScopeWithPolicy, CatalogError> {
    caller.require(Permission::TokensRead)?;
    if !caller.scopes.includes(scope_id) {
        return Err(CatalogError::NotFound);
    }
    services
        .db
        .run(move |c| {
            let scope = catalog::find_scope(c, scope_id)?.ok_or(CatalogError::NotFound)?;
            let policy = scope_policies::of_scopes(c, Some(&[scope_id]))?
                .remove(&scope_id)
                .unwrap_or_default();
            let modules = catalog::module_keys(c)?;
            Ok(ScopeWithPolicy {
                scope,
                policy,
                modules,
            })
        })
        .await
}

/// Replaces the policy of a scope the caller sees; `make` builds it from every
/// module's ID and key. Answers with the policy as saved.
pub async fn save_policy(
    services: Services<'_>,
    caller: &Caller,
    scope_id: i64,
    make: impl FnOnce(&[(i64, String)]) -> Result<ScopePolicy, FieldErrors> + Send + 'static,
) -> Result<ScopeWithPolicy, CatalogError> {
    caller.require(Permission::SettingsManage)?;
    if !caller.scopes.includes(scope_id) {
        return Err(CatalogError::NotFound);
    }
    change(services, caller, move |c, actor| {
        let scope = catalog::find_scope(c, scope_id)?.ok_or(CatalogError::NotFound)?;
        let modules = catalog::module_keys(c)?;
        let policy = make(&modules)
            .and_then(ScopePolicy::validate)
            .map_err(CatalogError::Invalid)?;
        if let Some(grants) = &policy.allowed_grants
            && grants
                .iter()
                .any(|(id, _)| !modules.iter().any(|(m, _)| m == id))
        {
            let mut errors = FieldErrors::default();
            errors.add(
                "allowed_grants",
                "A ticked module was just deleted. Tick again.",
            );
            return Err(CatalogError::Invalid(errors));
        }
        let before = scope_policies::of_scopes(c, Some(&[scope_id]))?
            .remove(&scope_id)
            .unwrap_or_default();
        if before != policy {
            scope_policies::save(c, scope_id, &policy, now())?;
            let details = serde_json::json!({
                "before": PolicyDocument::of(&before, &modules),
                "after": PolicyDocument::of(&policy, &modules),
            });
            audit::record(
                c,
                actor,
                AuditAction::ScopePolicyChanged,
                &Target::scope(&scope.name),
                &details.to_string(),
            )?;
        }
        Ok(ScopeWithPolicy {
            scope,
            policy,
            modules,
        })
    })
    .await
}
