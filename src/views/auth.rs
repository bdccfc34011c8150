//! Sign-in and first-run setup pages.

use askama::Template;
use askama_web::WebTemplate;

use super::Layout;
use crate::db::catalog::{ModuleWithPaths, Scope};
use crate::domain::validation::FieldErrors;

#[derive(Template, WebTemplate)]
#[template(path = "auth/login.html")]
pub struct LoginPage {
    pub layout: Layout,
    pub email: String,
    pub next: String,
    pub error: Option<String>,
    pub errors: FieldErrors,
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/setup.html")]
pub struct SetupPage {
    pub layout: Layout,
    pub code: String,
    pub display_name: String,
    pub email: String,
    pub errors: FieldErrors,
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/setup_catalog.html")]
pub struct SetupCatalogPage {
    pub layout: Layout,
    pub modules: Vec<ModuleWithPaths>,
    pub scopes: Vec<Scope>,
}
