//! Settings > Modules: the parts of an API that tokens are granted, with the path
//! prefixes forward-auth maps requests by.

use std::collections::HashMap;

use super::Kind;
use crate::db::DbConnection;
use crate::db::catalog::{self as stored, ModuleWithPaths};
use crate::domain::catalog::ModuleUsers;
use crate::domain::validation::FieldErrors;
use crate::services::catalog::{self, CatalogError, ModuleInput};
use crate::services::{Caller, Services};
use crate::urls;
use crate::views::catalog::{CatalogText, ModuleEditPage, ModuleRow, ModuleValues, ModulesPage};
use crate::views::{Layout, Section};

pub struct Modules;

/// A module, with what uses it.
pub struct ModuleEntry {
    module: ModuleWithPaths,
    users: ModuleUsers,
}

impl ModuleEntry {
    fn of(module: ModuleWithPaths, users: &HashMap<i64, ModuleUsers>) -> Self {
        let users = users.get(&module.module.id).copied().unwrap_or_default();
        Self { module, users }
    }
}

fn input(form: &ModuleValues) -> ModuleInput {
    ModuleInput {
        key: form.key.clone(),
        name: form.name.clone(),
        description: form.description.clone(),
        path_prefixes: form.path_prefixes.clone(),
    }
}

impl Kind for Modules {
    type Entry = ModuleEntry;
    type Values = ModuleValues;
    type ListPage = ModulesPage;
    type EditPage = ModuleEditPage;

    const SECTION: Section = Section::Modules;
    const TEXT: CatalogText = CatalogText {
        title: "Modules",
        intro: "The parts of your API that tokens grant access to. Each covers URL path prefixes, which forward-auth uses to find the module of a request.",
        noun: "module",
        list: urls::MODULES,
        edit: "Edit",
        delete_warning: "Its key and paths are removed; no token is granted it one by one.",
        delete_button: "Delete module",
    };

    fn all(conn: &mut DbConnection) -> diesel::QueryResult<Vec<ModuleEntry>> {
        let users = stored::module_users(conn)?;
        Ok(stored::list_modules(conn)?
            .into_iter()
            .map(|module| ModuleEntry::of(module, &users))
            .collect())
    }

    fn find(conn: &mut DbConnection, id: i64) -> diesel::QueryResult<Option<ModuleEntry>> {
        let users = stored::module_users(conn)?;
        Ok(stored::find_module(conn, id)?.map(|module| ModuleEntry::of(module, &users)))
    }

    fn delete_warning(entry: &ModuleEntry) -> String {
        entry
            .users
            .warning(&entry.module.module.name)
            .unwrap_or_else(|| Self::TEXT.delete_warning.to_owned())
    }

    fn name(entry: &ModuleEntry) -> &str {
        &entry.module.module.name
    }

    fn delete_url(id: i64) -> String {
        urls::module_delete(id)
    }

    fn values(entry: &ModuleEntry) -> ModuleValues {
        let entry = &entry.module;
        ModuleValues {
            key: entry.module.module_key.clone(),
            name: entry.module.name.clone(),
            description: entry.module.description.clone(),
            path_prefixes: entry.path_prefixes.join("\n"),
        }
    }

    fn list_page(
        layout: Layout,
        modules: Vec<ModuleEntry>,
        form: ModuleValues,
        errors: FieldErrors,
    ) -> ModulesPage {
        ModulesPage {
            layout,
            text: &Self::TEXT,
            entries: modules
                .into_iter()
                .map(|entry| ModuleRow {
                    delete_warning: Self::delete_warning(&entry),
                    module: entry.module,
                    users: entry.users,
                })
                .collect(),
            form,
            errors,
        }
    }

    fn edit_page(
        layout: Layout,
        entry: &ModuleEntry,
        form: ModuleValues,
        errors: FieldErrors,
    ) -> ModuleEditPage {
        let entry = &entry.module;
        ModuleEditPage {
            layout,
            text: &Self::TEXT,
            id: entry.module.id,
            key: entry.module.module_key.clone(),
            form,
            errors,
        }
    }

    async fn create(
        services: Services<'_>,
        caller: &Caller,
        form: &ModuleValues,
    ) -> Result<String, CatalogError> {
        let created = catalog::create_module(services, caller, input(form)).await?;
        Ok(created.name)
    }

    async fn update(
        services: Services<'_>,
        caller: &Caller,
        id: i64,
        form: &ModuleValues,
    ) -> Result<String, CatalogError> {
        let saved = catalog::update_module(services, caller, id, input(form)).await?;
        Ok(saved.name)
    }

    async fn delete(
        services: Services<'_>,
        caller: &Caller,
        id: i64,
    ) -> Result<String, CatalogError> {
        catalog::delete_module(services, caller, id).await
    }
}
