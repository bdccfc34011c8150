//! Settings > Modules: the parts of an API that tokens are granted, with the path
//! prefixes forward-auth maps requests by.

use super::Kind;
use crate::db::DbConnection;
use crate::db::catalog::{self as stored, ModuleWithPaths};
use crate::domain::validation::FieldErrors;
use crate::services::catalog::{self, CatalogError, ModuleInput};
use crate::services::{Caller, Services};
use crate::urls;
use crate::views::catalog::{CatalogText, ModuleEditPage, ModuleValues, ModulesPage};
use crate::views::{Layout, Section};

pub struct Modules;

fn input(form: &ModuleValues) -> ModuleInput {
    ModuleInput {
        key: form.key.clone(),
        name: form.name.clone(),
        description: form.description.clone(),
        path_prefixes: form.path_prefixes.clone(),
    }
}

impl Kind for Modules {
    type Entry = ModuleWithPaths;
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
        delete_warning: "Its key and paths are removed. Tokens granted this module prevent the delete.",
        delete_button: "Delete module",
    };

    fn all(conn: &mut DbConnection) -> diesel::QueryResult<Vec<ModuleWithPaths>> {
        stored::list_modules(conn)
    }

    fn find(conn: &mut DbConnection, id: i64) -> diesel::QueryResult<Option<ModuleWithPaths>> {
        stored::find_module(conn, id)
    }

    fn name(entry: &ModuleWithPaths) -> &str {
        &entry.module.name
    }

    fn delete_url(id: i64) -> String {
        urls::module_delete(id)
    }

    fn values(entry: &ModuleWithPaths) -> ModuleValues {
        ModuleValues {
            key: entry.module.module_key.clone(),
            name: entry.module.name.clone(),
            description: entry.module.description.clone(),
            path_prefixes: entry.path_prefixes.join("\n"),
        }
    }

    fn list_page(
        layout: Layout,
        modules: Vec<ModuleWithPaths>,
        form: ModuleValues,
        errors: FieldErrors,
    ) -> ModulesPage {
        ModulesPage {
            layout,
            text: &Self::TEXT,
            entries: modules,
            form,
            errors,
        }
    }

    fn edit_page(
        layout: Layout,
        entry: &ModuleWithPaths,
        form: ModuleValues,
        errors: FieldErrors,
    ) -> ModuleEditPage {
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
