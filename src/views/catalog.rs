//! Settings > Modules and Settings > Scopes.

use askama::Template;
use askama_web::WebTemplate;

use super::Layout;
use crate::db::catalog::ModuleWithPaths;
use crate::domain::validation::FieldErrors;

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
    pub modules: Vec<ModuleWithPaths>,
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
    pub scopes: Vec<ScopeRow>,
    pub form: ScopeValues,
    pub errors: FieldErrors,
}

#[derive(Template, WebTemplate)]
#[template(path = "catalog/module_edit.html")]
pub struct ModuleEditPage {
    pub layout: Layout,
    pub id: i64,
    pub key: String,
    pub form: ModuleValues,
    pub errors: FieldErrors,
}

#[derive(Template, WebTemplate)]
#[template(path = "catalog/scope_edit.html")]
pub struct ScopeEditPage {
    pub layout: Layout,
    pub id: i64,
    pub form: ScopeValues,
    pub errors: FieldErrors,
}
