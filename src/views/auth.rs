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
    /// The password form is offered (not when sign-in is through the provider alone).
    pub passwords: bool,
    pub single_sign_on: Option<SingleSignOn>,
}

/// The "Sign in with <provider>" button.
pub struct SingleSignOn {
    pub name: String,
    pub url: String,
}

/// After a sign-in through the provider: on to `next`.
#[derive(Template, WebTemplate)]
#[template(path = "auth/signing_in.html")]
pub struct SignedInElsewherePage {
    pub layout: Layout,
    pub next: String,
}

/// After signing out of Tessera: on to sign out at the provider.
#[derive(Template, WebTemplate)]
#[template(path = "auth/signed_out.html")]
pub struct SignedOutPage {
    pub layout: Layout,
    pub url: String,
    pub provider: String,
}

/// Where a one-time sign-in code from the command line is entered.
#[derive(Template, WebTemplate)]
#[template(path = "auth/sign_in_link.html")]
pub struct SignInLinkPage {
    pub layout: Layout,
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
