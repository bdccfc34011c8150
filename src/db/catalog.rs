//! Modules and scopes.

mod module_users;
mod scope_users;

pub use module_users::module_users;
pub use scope_users::scope_users;

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::{
    api_token_permissions, api_token_scopes, api_tokens, module_path_prefixes, modules, scopes,
};
use super::{DbConnection, DbError, changes, is_unique_violation, now, usage_facts};
use crate::domain::catalog::{ModuleDetails, ScopeDetails, ScopeUsers};
use crate::domain::validation::name_key;

diesel::define_sql_function!(fn replace(text: diesel::sql_types::Text, from: diesel::sql_types::Text, to: diesel::sql_types::Text) -> diesel::sql_types::Text);

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = modules)]
pub struct Module {
    pub id: i64,
    pub module_key: String,
    pub name: String,
    pub description: String,
    pub created_at: PrimitiveDateTime,
}

#[derive(Debug, Clone)]
pub struct ModuleWithPaths {
    pub module: Module,
    pub path_prefixes: Vec<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = scopes)]
pub struct Scope {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub created_at: PrimitiveDateTime,
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogWriteError {
    #[error("a module with this key already exists")]
    ModuleKeyTaken,
    #[error("another module already covers the path {0}")]
    PathPrefixTaken(String),
    #[error("a scope with this name already exists")]
    ScopeNameTaken,
    #[error("{0} tokens use it")]
    InUse(i64),
    #[error("tokens are in it or others are limited to it")]
    ScopeInUse(ScopeUsers),
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for CatalogWriteError {
    fn from(error: diesel::result::Error) -> Self {
        CatalogWriteError::Db(error.into())
    }
}

pub fn list_modules(conn: &mut DbConnection) -> QueryResult<Vec<ModuleWithPaths>> {
    let modules: Vec<Module> = modules::table
        .order(modules::name.asc())
        .select(Module::as_select())
        .load(conn)?;
    let prefixes: Vec<(i64, String)> = module_path_prefixes::table
        .order(module_path_prefixes::path_prefix.asc())
        .select((
            module_path_prefixes::module_id,
            module_path_prefixes::path_prefix,
        ))
        .load(conn)?;
    Ok(modules
        .into_iter()
        .map(|module| ModuleWithPaths {
            path_prefixes: prefixes
                .iter()
                .filter(|(id, _)| *id == module.id)
                .map(|(_, p)| p.clone())
                .collect(),
            module,
        })
        .collect())
}

pub fn list_scopes(conn: &mut DbConnection) -> QueryResult<Vec<Scope>> {
    scopes::table
        .order(scopes::name_key.asc())
        .select(Scope::as_select())
        .load(conn)
}

/// Every scope's ID and name, by name: what a token's choices are checked against.
pub fn scope_names(conn: &mut DbConnection) -> QueryResult<Vec<(i64, String)>> {
    scopes::table
        .order(scopes::name_key.asc())
        .select((scopes::id, scopes::name))
        .load(conn)
}

/// Every module's ID and key.
pub fn module_keys(conn: &mut DbConnection) -> QueryResult<Vec<(i64, String)>> {
    modules::table
        .select((modules::id, modules::module_key))
        .load(conn)
}

/// The scopes with these IDs that exist, for checking submitted choices.
pub fn existing_scope_ids(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<i64>> {
    scopes::table
        .filter(scopes::id.eq_any(ids))
        .select(scopes::id)
        .load(conn)
}

pub fn create_module(
    conn: &mut DbConnection,
    details: &ModuleDetails,
) -> Result<(), CatalogWriteError> {
    conn.transaction(|conn| {
        let taken: i64 = modules::table
            .filter(modules::module_key.eq(&details.key))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            return Err(CatalogWriteError::ModuleKeyTaken);
        }
        if let Some(prefix) = first_taken_prefix(conn, &details.path_prefixes, None)? {
            return Err(CatalogWriteError::PathPrefixTaken(prefix));
        }
        let now = now();
        diesel::insert_into(modules::table)
            .values((
                modules::module_key.eq(&details.key),
                modules::name.eq(&details.name),
                modules::description.eq(&details.description),
                modules::created_at.eq(now),
                modules::updated_at.eq(now),
            ))
            .execute(conn)
            .map_err(|e| {
                if is_unique_violation(&e) {
                    CatalogWriteError::ModuleKeyTaken
                } else {
                    e.into()
                }
            })?;
        let id: i64 = modules::table
            .filter(modules::module_key.eq(&details.key))
            .select(modules::id)
            .first(conn)?;
        replace_prefixes(conn, id, &details.path_prefixes)?;
        // Full access and Read-only grant every module: one more for theirs.
        usage_facts::refresh_every_module_grantee(conn)?;
        changes::catalog_changed(conn)?;
        Ok(())
    })
}

fn replace_prefixes(
    conn: &mut DbConnection,
    module_id: i64,
    prefixes: &[String],
) -> Result<(), CatalogWriteError> {
    diesel::delete(
        module_path_prefixes::table.filter(module_path_prefixes::module_id.eq(module_id)),
    )
    .execute(conn)?;
    for prefix in prefixes {
        diesel::insert_into(module_path_prefixes::table)
            .values((
                module_path_prefixes::module_id.eq(module_id),
                module_path_prefixes::path_prefix.eq(prefix),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn find_module(conn: &mut DbConnection, id: i64) -> QueryResult<Option<ModuleWithPaths>> {
    let Some(module) = modules::table
        .find(id)
        .select(Module::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let path_prefixes = module_path_prefixes::table
        .filter(module_path_prefixes::module_id.eq(id))
        .order(module_path_prefixes::path_prefix.asc())
        .select(module_path_prefixes::path_prefix)
        .load(conn)?;
    Ok(Some(ModuleWithPaths {
        module,
        path_prefixes,
    }))
}

/// Renames a module and changes its description and paths; its key stays, because
/// APIs and proxies use it.
pub fn update_module(
    conn: &mut DbConnection,
    id: i64,
    details: &ModuleDetails,
) -> Result<(), CatalogWriteError> {
    conn.transaction(|conn| {
        if let Some(prefix) = first_taken_prefix(conn, &details.path_prefixes, Some(id))? {
            return Err(CatalogWriteError::PathPrefixTaken(prefix));
        }
        let updated = diesel::update(modules::table.find(id))
            .set((
                modules::name.eq(&details.name),
                modules::description.eq(&details.description),
                modules::updated_at.eq(now()),
            ))
            .execute(conn)?;
        if updated == 0 {
            return Err(CatalogWriteError::NotFound);
        }
        replace_prefixes(conn, id, &details.path_prefixes)?;
        changes::catalog_changed(conn)?;
        Ok(())
    })
}

/// Deletes a module no live token is granted; deleted tokens lose their grant on it.
pub fn delete_module(conn: &mut DbConnection, id: i64) -> Result<(), CatalogWriteError> {
    conn.transaction(|conn| {
        let live: Vec<i64> = api_token_permissions::table
            .inner_join(api_tokens::table)
            .filter(api_token_permissions::module_id.eq(id))
            .filter(api_tokens::deleted_at.is_null())
            .select(api_tokens::id)
            .distinct()
            .load(conn)?;
        if !live.is_empty() {
            return Err(CatalogWriteError::InUse(live.len() as i64));
        }
        diesel::delete(
            api_token_permissions::table.filter(api_token_permissions::module_id.eq(id)),
        )
        .execute(conn)?;
        let deleted = diesel::delete(modules::table.find(id)).execute(conn)?;
        if deleted == 0 {
            return Err(CatalogWriteError::NotFound);
        }
        // Full access and Read-only grant every module: theirs changed.
        usage_facts::refresh_every_module_grantee(conn)?;
        changes::catalog_changed(conn)?;
        Ok(())
    })
}

pub fn find_scope(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Scope>> {
    scopes::table
        .find(id)
        .select(Scope::as_select())
        .first(conn)
        .optional()
}

pub fn update_scope(
    conn: &mut DbConnection,
    id: i64,
    details: &ScopeDetails,
) -> Result<(), CatalogWriteError> {
    let updated = diesel::update(scopes::table.find(id))
        .set((
            scopes::name.eq(&details.name),
            scopes::name_key.eq(name_key(&details.name)),
            scopes::description.eq(&details.description),
            scopes::updated_at.eq(now()),
        ))
        .execute(conn)
        .map_err(|e| {
            if is_unique_violation(&e) {
                CatalogWriteError::ScopeNameTaken
            } else {
                e.into()
            }
        })?;
    if updated == 0 {
        return Err(CatalogWriteError::NotFound);
    }
    changes::catalog_changed(conn)?;
    Ok(())
}

/// Deletes a scope nothing uses ([`scope_users`]); deleted tokens, revoked and
/// expired API keys, and administrators who see every scope lose it.
pub fn delete_scope(conn: &mut DbConnection, id: i64) -> Result<(), CatalogWriteError> {
    conn.transaction(|conn| {
        // On PostgreSQL, the scope's row is locked first: an assignment to it made
        // meanwhile is either seen below (and refuses the delete) or waits for it.
        if let DbConnection::Postgres(pg) = conn {
            scopes::table
                .find(id)
                .select(scopes::id)
                .for_update()
                .first::<i64>(pg)
                .optional()?;
        }
        let users = scope_users(conn, id, now())?;
        if !users.is_empty() {
            return Err(CatalogWriteError::ScopeInUse(users));
        }
        // The deleted tokens that had it: their sets lose it, and their counts follow.
        let holders = api_token_scopes::table
            .filter(api_token_scopes::scope_id.eq(id))
            .select(api_token_scopes::token_id);
        diesel::update(api_tokens::table.filter(api_tokens::id.eq_any(holders)))
            .set(api_tokens::scope_set.eq(replace(api_tokens::scope_set, format!(",{id},"), ",")))
            .execute(conn)?;
        diesel::delete(api_token_scopes::table.filter(api_token_scopes::scope_id.eq(id)))
            .execute(conn)?;
        let deleted = diesel::delete(scopes::table.find(id)).execute(conn)?;
        if deleted == 0 {
            return Err(CatalogWriteError::NotFound);
        }
        changes::catalog_changed(conn)?;
        Ok(())
    })
}

fn first_taken_prefix(
    conn: &mut DbConnection,
    prefixes: &[String],
    except_module: Option<i64>,
) -> QueryResult<Option<String>> {
    module_path_prefixes::table
        .filter(module_path_prefixes::path_prefix.eq_any(prefixes))
        .filter(module_path_prefixes::module_id.ne(except_module.unwrap_or(-1)))
        .select(module_path_prefixes::path_prefix)
        .first(conn)
        .optional()
}

pub fn create_scope(
    conn: &mut DbConnection,
    details: &ScopeDetails,
) -> Result<(), CatalogWriteError> {
    let now = now();
    diesel::insert_into(scopes::table)
        .values((
            scopes::name.eq(&details.name),
            scopes::name_key.eq(name_key(&details.name)),
            scopes::description.eq(&details.description),
            scopes::created_at.eq(now),
            scopes::updated_at.eq(now),
        ))
        .execute(conn)
        .map_err(|e| {
            if is_unique_violation(&e) {
                CatalogWriteError::ScopeNameTaken
            } else {
                e.into()
            }
        })?;
    Ok(())
}

/// Adds the example modules and scopes that do not exist yet; returns how many were added.
pub fn add_examples(
    conn: &mut DbConnection,
    modules: &[ModuleDetails],
    scopes: &[ScopeDetails],
) -> Result<usize, CatalogWriteError> {
    conn.transaction(|conn| {
        let mut added = 0;
        for module in modules {
            match create_module(conn, module) {
                Ok(()) => added += 1,
                Err(CatalogWriteError::ModuleKeyTaken | CatalogWriteError::PathPrefixTaken(_)) => {}
                Err(e) => return Err(e),
            }
        }
        for scope in scopes {
            let exists: i64 = scopes::table
                .filter(scopes::name_key.eq(name_key(&scope.name)))
                .count()
                .get_result(conn)?;
            if exists == 0 {
                create_scope(conn, scope)?;
                added += 1;
            }
        }
        Ok(added)
    })
}
