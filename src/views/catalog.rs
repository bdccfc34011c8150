//! Settings > Modules and Settings > Scopes.

use askama::Template;
use askama_web::WebTemplate;

use super::Layout;
use crate::db::catalog::ModuleWithPaths;
use crate::domain::scopes::policy::ScopePolicy;
use crate::domain::tokens::{Action, TokenType};
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

/// A module of the list, with what uses it.
pub struct ModuleRow {
    pub module: ModuleWithPaths,
    pub users: crate::domain::catalog::ModuleUsers,
    pub delete_warning: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "catalog/modules.html")]
pub struct ModulesPage {
    pub layout: Layout,
    pub text: &'static CatalogText,
    pub entries: Vec<ModuleRow>,
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
    /// The scope's policy in words; none without one.
    pub rules: Vec<String>,
    /// Its live tokens, and the administrators limited to it.
    pub tokens: i64,
    pub administrators: usize,
    /// What a delete would do, or what keeps it from being deleted.
    pub delete_warning: String,
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

/// The policy form's values, as saved or as typed.
#[derive(Debug, Clone)]
pub struct PolicyValues {
    pub max_lifetime_days: String,
    pub expiry_required: bool,
    pub allowed_types: Vec<TokenType>,
    pub limits_grants: bool,
    pub grants: Vec<(i64, Action)>,
    pub networks_required: bool,
    pub show_again: bool,
}

impl PolicyValues {
    pub fn of(policy: &ScopePolicy) -> Self {
        Self {
            max_lifetime_days: policy
                .max_lifetime_days
                .map_or_else(String::new, |d| d.to_string()),
            expiry_required: policy.expiry_required,
            allowed_types: policy.allowed_types.clone(),
            limits_grants: policy.allowed_grants.is_some(),
            grants: policy.allowed_grants.clone().unwrap_or_default(),
            networks_required: policy.networks_required,
            show_again: policy.show_again,
        }
    }

    pub fn allows(&self, kind: &TokenType) -> bool {
        self.allowed_types.contains(kind)
    }

    pub fn grants(&self, module: &i64, action: &Action) -> bool {
        self.grants.contains(&(*module, *action))
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "catalog/scope_policy.html")]
pub struct ScopePolicyPage {
    pub layout: Layout,
    pub id: i64,
    pub scope: String,
    pub values: PolicyValues,
    pub errors: FieldErrors,
    /// Every module, ID and key.
    pub modules: Vec<(i64, String)>,
    pub types: [TokenType; 3],
    pub actions: [Action; 2],
}

impl ScopePolicyPage {
    /// The scope's tokens that break its policy.
    pub fn health_href(&self) -> String {
        crate::urls::health("policy", 30, Some(self.id))
    }
}
