//! Modules and scopes.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::{module_path_prefixes, modules, scopes};
use super::{DbConnection, DbError, is_unique_violation, now};
use crate::domain::catalog::{ModuleDetails, ScopeDetails};
use crate::domain::validation::name_key;

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
        if let Some(prefix) = first_taken_prefix(conn, &details.path_prefixes)? {
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
        for prefix in &details.path_prefixes {
            diesel::insert_into(module_path_prefixes::table)
                .values((
                    module_path_prefixes::module_id.eq(id),
                    module_path_prefixes::path_prefix.eq(prefix),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}

fn first_taken_prefix(conn: &mut DbConnection, prefixes: &[String]) -> QueryResult<Option<String>> {
    module_path_prefixes::table
        .filter(module_path_prefixes::path_prefix.eq_any(prefixes))
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
