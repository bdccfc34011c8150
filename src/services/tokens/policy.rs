//! The scope policies a token follows when it is made or changed (see
//! [`crate::domain::scopes::policy`]): read once per transaction, checked for the
//! token as it would be saved.

use std::collections::HashMap;

use diesel::QueryResult;
use time::PrimitiveDateTime;

use super::TokenError;
use crate::db::catalog::Scope;
use crate::db::tokens::{self, TokenDetails, TokenRow};
use crate::db::{DbConnection, catalog, scope_policies};
use crate::domain::scopes::ScopeAccess;
use crate::domain::scopes::policy::{
    Breach, Rule, ScopePolicy, ScopeRules, Strictest, TokenShape, strictest,
};
use crate::domain::tokens::{BulkStep, TokenChange, TokenDefinition, TokenType, Validity};

pub struct Policies {
    by_scope: HashMap<i64, ScopePolicy>,
    scope_names: Vec<(i64, String)>,
    modules: Vec<(i64, String)>,
}

impl Policies {
    pub fn read(c: &mut DbConnection) -> QueryResult<Self> {
        let by_scope = scope_policies::of_scopes(c, None)?;
        let (scope_names, modules) = if by_scope.is_empty() {
            Default::default()
        } else {
            (catalog::scope_names(c)?, catalog::module_keys(c)?)
        };
        Ok(Self {
            by_scope,
            scope_names,
            modules,
        })
    }

    /// Some of these scopes have rules.
    pub fn apply_to(&self, scope_ids: &[i64]) -> bool {
        scope_ids.iter().any(|id| self.by_scope.contains_key(id))
    }

    pub fn strictest(&self, scope_ids: &[i64]) -> Strictest {
        strictest(scope_ids.iter().filter_map(|id| {
            let policy = self.by_scope.get(id)?;
            let name = self.scope_names.iter().find(|(s, _)| s == id)?;
            Some((name.1.as_str(), policy))
        }))
    }

    pub fn breaches(
        &self,
        scope_ids: &[i64],
        token: &TokenShape<'_>,
        now: PrimitiveDateTime,
    ) -> Vec<Breach> {
        if !self.apply_to(scope_ids) {
            return Vec::new();
        }
        self.strictest(scope_ids)
            .breaches(token, now, |module| self.module_key(module))
    }

    /// The rules of these scopes, if `token` follows them.
    pub fn check(
        &self,
        scope_ids: &[i64],
        token: &TokenShape<'_>,
        now: PrimitiveDateTime,
    ) -> Result<Strictest, TokenError> {
        let breaches = self.breaches(scope_ids, token, now);
        if breaches.is_empty() {
            Ok(self.strictest(scope_ids))
        } else {
            Err(TokenError::Policy(breaches))
        }
    }
}

pub fn shape_of(definition: &TokenDefinition) -> TokenShape<'_> {
    TokenShape {
        validity: definition.validity,
        token_type: definition.token_type,
        grants: &definition.permissions,
        has_networks: !definition.allowed_networks.is_empty(),
    }
}

/// A saved token, with its validity as a change would leave it.
pub fn saved_shape(token: &TokenDetails, validity: Validity) -> TokenShape<'_> {
    TokenShape {
        validity,
        token_type: token.token.token_type,
        grants: &token.permissions,
        has_networks: !token.allowed_networks.is_empty(),
    }
}

/// The breaches in a sentence, for a skipped token of a bulk action, a refused
/// regeneration and the command line.
pub fn in_words(breaches: &[Breach]) -> String {
    breaches
        .iter()
        .map(|b| b.message.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

fn scope_ids(token: &TokenDetails) -> Vec<i64> {
    token.scopes.iter().map(|(id, _)| *id).collect()
}

/// The rules of a saved token's scopes, if it follows them as it is: for the
/// changes that let it pass again (regenerate, enable).
pub fn check_saved(
    c: &mut DbConnection,
    token: &TokenDetails,
    now: PrimitiveDateTime,
) -> Result<Strictest, TokenError> {
    Policies::read(c)?.check(
        &scope_ids(token),
        &saved_shape(token, token.token.validity()),
        now,
    )
}

/// Refuses to show a kept value of a token whose scope shows values once.
pub fn refuse_showing_again(c: &mut DbConnection, token: &TokenDetails) -> Result<(), TokenError> {
    let rules = Policies::read(c)?.strictest(&scope_ids(token));
    match rules.forbids_showing_again() {
        None => Ok(()),
        Some(scope) => Err(TokenError::Policy(vec![Breach {
            rule: Rule::ShowAgain,
            scope: scope.to_owned(),
            message: format!(
                "{scope} shows token values once only, so this one cannot be shown again. Regenerate the token for a new value."
            ),
        }])),
    }
}

impl Policies {
    /// A bulk action's step, or why it is skipped: a step that makes the token
    /// valid longer, puts it in a scope, lets it pass again or makes it Custom
    /// (dropping unused permissions) is skipped if the token would then break
    /// its scopes' rules. Disabling, revoking, deleting and taking a scope off
    /// always may.
    pub fn judge(
        &self,
        c: &mut DbConnection,
        (row, scope_ids): (&TokenRow, &[i64]),
        step: Result<BulkStep, String>,
        now: PrimitiveDateTime,
    ) -> QueryResult<Result<BulkStep, String>> {
        let Ok(planned) = &step else {
            return Ok(step);
        };
        let (scopes, valid_to, kept) = match planned {
            BulkStep::ValidTo(to) => (scope_ids, Some(*to), None),
            // Taking a scope off only lightens what the token is held to.
            BulkStep::Scopes(new) if new.iter().all(|s| scope_ids.contains(s)) => {
                return Ok(step);
            }
            BulkStep::Scopes(new) => (new.as_slice(), row.valid_to, None),
            BulkStep::Change(TokenChange::Enable) => (scope_ids, row.valid_to, None),
            BulkStep::Permissions(kept) => (scope_ids, row.valid_to, Some(kept.as_slice())),
            BulkStep::Change(_) => return Ok(step),
        };
        if !self.apply_to(scopes) {
            return Ok(step);
        }
        let Some(token) = tokens::find(c, &row.guid, &ScopeAccess::All)? else {
            return Ok(step);
        };
        let validity = Validity {
            valid_from: row.valid_from,
            valid_to,
        };
        let mut shape = saved_shape(&token, validity);
        if let Some(kept) = kept {
            shape.token_type = TokenType::Custom;
            shape.grants = kept;
        }
        let breaches = self.breaches(scopes, &shape, now);
        if breaches.is_empty() {
            Ok(step)
        } else {
            Ok(Err(in_words(&breaches)))
        }
    }
}

impl Policies {
    fn module_key(&self, module: i64) -> String {
        self.modules
            .iter()
            .find(|(id, _)| *id == module)
            .map_or_else(|| module.to_string(), |(_, key)| key.clone())
    }

    /// The policies of these scopes in words, for those that have one.
    pub fn rules_of(&self, scopes: &[Scope]) -> Vec<ScopeRules> {
        scopes
            .iter()
            .filter_map(|scope| {
                let policy = self.by_scope.get(&scope.id)?;
                Some(ScopeRules {
                    scope_id: scope.id,
                    scope: scope.name.clone(),
                    rules: policy.describe(|m| self.module_key(m)),
                })
            })
            .collect()
    }
}
