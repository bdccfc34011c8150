//! My profile.

use askama::Template;
use askama_web::WebTemplate;

use super::Layout;
use super::tokens::TabLink;
use crate::domain::validation::FieldErrors;

#[derive(Template, WebTemplate)]
#[template(path = "profile/show.html")]
pub struct ProfilePage {
    pub layout: Layout,
    pub profile_tabs: Vec<TabLink>,
    /// As typed, when the form comes back with an error.
    pub display_name: String,
    pub email: String,
    pub public_id: String,
    pub role_name: String,
    pub version: i32,
    pub name_errors: FieldErrors,
    pub password_errors: FieldErrors,
    pub expiry_mail_own: bool,
    pub expiry_mail_scopes: bool,
    /// The operator set up mail; without it, the choices wait until they do.
    pub mail_set_up: bool,
    /// "my 2 API keys", offered for revocation with the password and the sessions.
    pub revoke_keys: Option<String>,
}
