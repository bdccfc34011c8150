//! Settings > Modules and Settings > Scopes.

use askama::Template;
use askama_web::WebTemplate;

use super::Layout;
use crate::db::catalog::ModuleWithPaths;
use crate::domain::validation::FieldErrors;

/// The words of one kind of catalog entry, for its pages and its questions.
pub struct CatalogText {
    pub title: &'static str,
    pub intro: &'static str,
    /// "module" or "scope", in headings, buttons and messages.
    pub noun: &'static str,
    pub list: &'static str,
    /// The edit action's label ("Edit", "Rename").
    pub edit: &'static str,
    /// What a delete takes with it, and what prevents it.
    pub delete_warning: &'static str,
    pub delete_button: &'static str,
}

#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct ModuleValues {
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub path_prefixes: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "catalog/modules.html")]
pub struct ModulesPage {
    pub layout: Layout,
    pub text: &'static CatalogText,
    pub entries: Vec<ModuleWithPaths>,
    pub form: ModuleValues,
    pub errors: FieldErrors,
}

#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct ScopeValues {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
}

pub struct ScopeRow {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub created: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "catalog/scopes.html")]
pub struct ScopesPage {
    pub layout: Layout,
    pub text: &'static CatalogText,
    pub entries: Vec<ScopeRow>,
    pub form: ScopeValues,
    pub errors: FieldErrors,
}

#[derive(Template, WebTemplate)]
#[template(path = "catalog/module_edit.html")]
pub struct ModuleEditPage {
    pub layout: Layout,
    pub text: &'static CatalogText,
    pub id: i64,
    pub key: String,
    pub form: ModuleValues,
    pub errors: FieldErrors,
}

#[derive(Template, WebTemplate)]
#[template(path = "catalog/scope_edit.html")]
pub struct ScopeEditPage {
    pub layout: Layout,
    pub text: &'static CatalogText,
    pub id: i64,
    pub form: ScopeValues,
    pub errors: FieldErrors,
}
