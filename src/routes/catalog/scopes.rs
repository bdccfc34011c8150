//! Settings > Scopes: the named areas tokens belong to and administrators are
//! limited to.

use super::Kind;
use crate::db::catalog::{self as stored, Scope};
use crate::db::{DbConnection, now, scope_policies};
use crate::domain::catalog::ScopeUsers;
use crate::domain::validation::FieldErrors;
use crate::services::catalog::{self, CatalogError};
use crate::services::{Caller, Services};
use crate::urls;
use crate::views::catalog::{CatalogText, ScopeEditPage, ScopeRow, ScopeValues, ScopesPage};
use crate::views::format::datetime;
use crate::views::{Layout, Section};

pub struct Scopes;

/// A scope, with its policy's rules in words for the list, and what uses it.
pub struct ScopeEntry {
    scope: Scope,
    rules: Vec<String>,
    users: ScopeUsers,
}

impl Kind for Scopes {
    type Entry = ScopeEntry;
    type Values = ScopeValues;
    type ListPage = ScopesPage;
    type EditPage = ScopeEditPage;

    const SECTION: Section = Section::Scopes;
    const TEXT: CatalogText = CatalogText {
        title: "Scopes",
        intro: "Named areas — teams, projects, environments. Tokens belong to scopes, and administrators see only the tokens of their scopes.",
        noun: "scope",
        list: urls::SCOPES,
        edit: "Edit",
        delete_warning: "Tokens in it, and administrators, API keys and webhooks limited to it, prevent the delete: take it off them first.",
        delete_button: "Delete scope",
    };

    fn all(conn: &mut DbConnection) -> diesel::QueryResult<Vec<ScopeEntry>> {
        let mut policies = scope_policies::of_scopes(conn, None)?;
        let modules = stored::module_keys(conn)?;
        let key = |id: i64| {
            modules
                .iter()
                .find(|(m, _)| *m == id)
                .map_or_else(String::new, |(_, k)| k.clone())
        };
        let mut entries = Vec::new();
        for scope in stored::list_scopes(conn)? {
            entries.push(ScopeEntry {
                rules: policies
                    .remove(&scope.id)
                    .map(|p| p.describe(key))
                    .unwrap_or_default(),
                users: stored::scope_users(conn, scope.id, now())?,
                scope,
            });
        }
        Ok(entries)
    }

    fn find(conn: &mut DbConnection, id: i64) -> diesel::QueryResult<Option<ScopeEntry>> {
        let Some(scope) = stored::find_scope(conn, id)? else {
            return Ok(None);
        };
        Ok(Some(ScopeEntry {
            users: stored::scope_users(conn, id, now())?,
            rules: Vec::new(),
            scope,
        }))
    }

    fn delete_warning(entry: &ScopeEntry) -> String {
        if entry.users.is_empty() {
            Self::TEXT.delete_warning.to_owned()
        } else {
            entry.users.warning(&entry.scope.name)
        }
    }

    fn name(entry: &ScopeEntry) -> &str {
        &entry.scope.name
    }

    fn delete_url(id: i64) -> String {
        urls::scope_delete(id)
    }

    fn values(entry: &ScopeEntry) -> ScopeValues {
        ScopeValues {
            name: entry.scope.name.clone(),
            description: entry.scope.description.clone(),
        }
    }

    fn list_page(
        layout: Layout,
        scopes: Vec<ScopeEntry>,
        form: ScopeValues,
        errors: FieldErrors,
    ) -> ScopesPage {
        let scopes = scopes
            .into_iter()
            .map(|entry| {
                let delete_warning = Self::delete_warning(&entry);
                let ScopeEntry {
                    scope: s,
                    rules,
                    users,
                } = entry;
                ScopeRow {
                    id: s.id,
                    created: datetime(&s.created_at),
                    tokens: users.tokens,
                    administrators: users.administrators.len(),
                    delete_warning,
                    name: s.name,
                    description: s.description,
                    rules,
                }
            })
            .collect();
        ScopesPage {
            layout,
            text: &Self::TEXT,
            entries: scopes,
            form,
            errors,
        }
    }

    fn edit_page(
        layout: Layout,
        entry: &ScopeEntry,
        form: ScopeValues,
        errors: FieldErrors,
    ) -> ScopeEditPage {
        ScopeEditPage {
            layout,
            text: &Self::TEXT,
            id: entry.scope.id,
            form,
            errors,
        }
    }

    async fn create(
        services: Services<'_>,
        caller: &Caller,
        form: &ScopeValues,
    ) -> Result<String, CatalogError> {
        let created =
            catalog::create_scope(services, caller, &form.name, &form.description).await?;
        Ok(created.name)
    }

    async fn update(
        services: Services<'_>,
        caller: &Caller,
        id: i64,
        form: &ScopeValues,
    ) -> Result<String, CatalogError> {
        let saved =
            catalog::update_scope(services, caller, id, &form.name, &form.description).await?;
        Ok(saved.name)
    }

    async fn delete(
        services: Services<'_>,
        caller: &Caller,
        id: i64,
    ) -> Result<String, CatalogError> {
        catalog::delete_scope(services, caller, id).await
    }
}
