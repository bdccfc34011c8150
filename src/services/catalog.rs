//! Modules and scopes: add, change, delete; and the examples a new installation
//! may start with. Verification lists modules, so every change reaches it.

mod policy;

pub use policy::{PolicyDocument, PolicyGrant, ScopeWithPolicy, read_policy, save_policy};

use serde_json::json;

use crate::db::audit::{self, Actor, Target};
use crate::db::catalog::{self, CatalogWriteError};
use crate::db::{DbConnection, DbError};
use crate::domain::audit::{AuditAction, TargetKind};
use crate::domain::catalog::{
    ModuleDetails, ScopeDetails, example_modules, example_scopes, validate_module, validate_scope,
};
use crate::domain::permissions::Permission;
use crate::domain::validation::FieldErrors;
use crate::services::{Caller, Forbidden, Services};

/// Why a catalog use case did nothing, in a sentence for people.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("This module or scope does not exist.")]
    NotFound,
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    #[error("Some fields need attention.")]
    Invalid(FieldErrors),
    #[error("Another module already has this key.")]
    ModuleKeyTaken,
    #[error("Another module already covers {0}.")]
    PathPrefixTaken(String),
    #[error("Another scope already has this name.")]
    ScopeNameTaken,
    /// Tokens still use it: the refusal names it and says how many.
    #[error("{0}")]
    InUse(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl CatalogError {
    /// The field of the form the error belongs to, if it belongs to one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            CatalogError::ModuleKeyTaken => Some("key"),
            CatalogError::PathPrefixTaken(_) => Some("path_prefixes"),
            CatalogError::ScopeNameTaken => Some("name"),
            _ => None,
        }
    }
}

impl From<CatalogWriteError> for CatalogError {
    fn from(error: CatalogWriteError) -> Self {
        match error {
            CatalogWriteError::ModuleKeyTaken => Self::ModuleKeyTaken,
            CatalogWriteError::PathPrefixTaken(prefix) => Self::PathPrefixTaken(prefix),
            CatalogWriteError::ScopeNameTaken => Self::ScopeNameTaken,
            CatalogWriteError::InUse(count) => {
                Self::InUse(format!("It was not deleted: {count} tokens use it."))
            }
            CatalogWriteError::ScopeInUse(users) => Self::InUse(users.refusal("The scope")),
            CatalogWriteError::NotFound => Self::NotFound,
            CatalogWriteError::Db(e) => Self::Db(e),
        }
    }
}

impl From<diesel::result::Error> for CatalogError {
    fn from(error: diesel::result::Error) -> Self {
        Self::Db(error.into())
    }
}

/// What the module form submits.
pub struct ModuleInput {
    pub key: String,
    pub name: String,
    pub description: String,
    /// One path per line.
    pub path_prefixes: String,
}

pub async fn create_module(
    services: Services<'_>,
    caller: &Caller,
    input: ModuleInput,
) -> Result<ModuleDetails, CatalogError> {
    let module = validate_module(
        &input.key,
        &input.name,
        &input.description,
        &input.path_prefixes,
    )
    .map_err(CatalogError::Invalid)?;
    change(services, caller, move |c, actor| {
        catalog::create_module(c, &module)?;
        audit::record(
            c,
            actor,
            AuditAction::ModuleCreated,
            &Target::module(&module.key, &module.name),
            "",
        )?;
        Ok(module)
    })
    .await
}

/// Renames a module, or changes its paths; its key stays.
pub async fn update_module(
    services: Services<'_>,
    caller: &Caller,
    id: i64,
    input: ModuleInput,
) -> Result<ModuleDetails, CatalogError> {
    change(services, caller, move |c, actor| {
        let before = catalog::find_module(c, id)?.ok_or(CatalogError::NotFound)?;
        let module = validate_module(
            &before.module.module_key,
            &input.name,
            &input.description,
            &input.path_prefixes,
        )
        .map_err(CatalogError::Invalid)?;
        catalog::update_module(c, id, &module)?;
        let changes = json!({
            "name": [before.module.name, module.name],
            "path_prefixes": [before.path_prefixes, module.path_prefixes],
        });
        audit::record(
            c,
            actor,
            AuditAction::ModuleUpdated,
            &Target::module(&module.key, &module.name),
            &changes.to_string(),
        )?;
        Ok(module)
    })
    .await
}

/// Deletes a module no token is granted; returns its name.
pub async fn delete_module(
    services: Services<'_>,
    caller: &Caller,
    id: i64,
) -> Result<String, CatalogError> {
    change(services, caller, move |c, actor| {
        let module = catalog::find_module(c, id)?
            .ok_or(CatalogError::NotFound)?
            .module;
        let name = module.name;
        catalog::delete_module(c, id).map_err(|e| in_use(e, &name, "granted it", "Edit"))?;
        audit::record(
            c,
            actor,
            AuditAction::ModuleDeleted,
            &Target::module(&module.module_key, &name),
            "",
        )?;
        Ok(name)
    })
    .await
}

pub async fn create_scope(
    services: Services<'_>,
    caller: &Caller,
    name: &str,
    description: &str,
) -> Result<ScopeDetails, CatalogError> {
    let scope = validate_scope(name, description).map_err(CatalogError::Invalid)?;
    change(services, caller, move |c, actor| {
        catalog::create_scope(c, &scope)?;
        audit::record(
            c,
            actor,
            AuditAction::ScopeCreated,
            &Target::scope(&scope.name),
            "",
        )?;
        Ok(scope)
    })
    .await
}

pub async fn update_scope(
    services: Services<'_>,
    caller: &Caller,
    id: i64,
    name: &str,
    description: &str,
) -> Result<ScopeDetails, CatalogError> {
    let scope = validate_scope(name, description).map_err(CatalogError::Invalid)?;
    change(services, caller, move |c, actor| {
        let before = catalog::find_scope(c, id)?.ok_or(CatalogError::NotFound)?;
        catalog::update_scope(c, id, &scope)?;
        let changes = json!({ "name": [before.name, scope.name] });
        audit::record(
            c,
            actor,
            AuditAction::ScopeUpdated,
            &Target::scope(&scope.name),
            &changes.to_string(),
        )?;
        Ok(scope)
    })
    .await
}

/// Deletes a scope nothing uses; returns its name. A scope tokens are in, or
/// administrators, API keys or webhooks are limited to, stays: the refusal names
/// them, and is recorded with them in the audit log.
pub async fn delete_scope(
    services: Services<'_>,
    caller: &Caller,
    id: i64,
) -> Result<String, CatalogError> {
    change(services, caller, move |c, actor| {
        let name = catalog::find_scope(c, id)?
            .ok_or(CatalogError::NotFound)?
            .name;
        let target = Target::scope(&name);
        match catalog::delete_scope(c, id) {
            Ok(()) => {
                audit::record(c, actor, AuditAction::ScopeDeleted, &target, "")?;
                Ok(Ok(name))
            }
            Err(CatalogWriteError::ScopeInUse(users)) => {
                let details = serde_json::to_string(&users).unwrap_or_default();
                let refused = AuditAction::ScopeDeleteRefused;
                audit::record(c, actor, refused, &target, &details)?;
                Ok(Err(CatalogError::InUse(users.refusal(&name))))
            }
            Err(other) => Err(other.into()),
        }
    })
    .await?
}

/// Adds the example modules and scopes that do not exist yet; returns how many.
pub async fn add_examples(services: Services<'_>, caller: &Caller) -> Result<usize, CatalogError> {
    change(services, caller, |c, actor| {
        let added = catalog::add_examples(c, &example_modules(), &example_scopes())?;
        if added > 0 {
            let target = Target::of(TargetKind::Catalog, None, "Example modules and scopes");
            audit::record(c, actor, AuditAction::ExamplesAdded, &target, "")?;
        }
        Ok(added)
    })
    .await
}

/// Runs one catalog change, which records its audit event as `actor`, in a
/// transaction, then tells verification.
async fn change<T: Send + 'static>(
    services: Services<'_>,
    caller: &Caller,
    write: impl FnOnce(&mut DbConnection, &Actor) -> Result<T, CatalogError> + Send + 'static,
) -> Result<T, CatalogError> {
    caller.require(Permission::SettingsManage)?;
    let actor = caller.actor.clone();
    let result = services.db.write(move |c| write(c, &actor)).await?;
    services.catalog_changed();
    Ok(result)
}

/// The refusal to delete what tokens still use, in words.
fn in_use(error: CatalogWriteError, name: &str, relation: &str, verb: &str) -> CatalogError {
    match error {
        CatalogWriteError::InUse(count) => {
            let one = count == 1;
            CatalogError::InUse(format!(
                "{name} was not deleted: {count} token{} {} {relation}. {verb} or delete {} first.",
                if one { "" } else { "s" },
                if one { "is" } else { "are" },
                if one { "that token" } else { "those tokens" },
            ))
        }
        other => other.into(),
    }
}
