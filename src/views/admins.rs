//! Settings > Administrators.

use askama::Template;
use askama_web::WebTemplate;

use super::Layout;
use super::api_keys::ApiKeyRowView;
use crate::db::admins::Role;
use crate::db::catalog::Scope;
use crate::domain::validation::FieldErrors;

pub struct AdminRow {
    pub display_name: String,
    pub public_id: String,
    pub email: String,
    pub role_name: String,
    pub scopes: String,
    /// Sees no token at all: worth a warning.
    pub no_scopes: bool,
    pub last_sign_in: String,
    pub enabled: bool,
    pub is_you: bool,
    /// Signs in through the identity provider.
    pub single_sign_on: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "administrators/list.html")]
pub struct AdminsPage {
    pub layout: Layout,
    pub rows: Vec<AdminRow>,
}

/// What the role and scope fields show.
#[derive(Debug, Default, Clone)]
pub struct AccessValues {
    pub role: String,
    pub scopes: Vec<i64>,
}

impl AccessValues {
    pub fn has_scope(&self, id: &i64) -> bool {
        self.scopes.contains(id)
    }
}

#[derive(Debug, Default, Clone)]
pub struct NewAdminValues {
    pub display_name: String,
    pub email: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "administrators/new.html")]
pub struct NewAdminPage {
    pub layout: Layout,
    pub form: NewAdminValues,
    pub access: AccessValues,
    pub roles: Vec<Role>,
    pub scopes: Vec<Scope>,
    pub errors: FieldErrors,
}

#[derive(Template, WebTemplate)]
#[template(path = "administrators/edit.html")]
pub struct EditAdminPage {
    pub layout: Layout,
    pub public_id: String,
    pub display_name: String,
    pub email: String,
    pub enabled: bool,
    pub is_you: bool,
    /// Signs in through the identity provider, whose groups set their role and scopes.
    pub single_sign_on: bool,
    pub version: i32,
    pub access: AccessValues,
    pub roles: Vec<Role>,
    pub scopes: Vec<Scope>,
    pub errors: FieldErrors,
    pub password_errors: FieldErrors,
    /// Their keys for the management API.
    pub keys: Vec<ApiKeyRowView>,
    /// "their 2 API keys": what a narrower access or a new password may revoke.
    pub revoke_keys: Option<String>,
}
