//! What every page shows around its content: navigation, the signed-in
//! administrator, flash messages.

use actix_session::SessionExt;
use actix_web::HttpRequest;

use crate::auth::CurrentAdmin;
use crate::auth::session::{self, Flash};
use crate::domain::permissions::Permission;
use crate::http::static_files;
use crate::urls;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    ApiTokens,
    Identities,
    Health,
    Usage,
    Modules,
    Scopes,
    Administrators,
    AuditLog,
    Webhooks,
    Notifications,
    /// My profile and my tokens: nothing highlighted in the settings navigation.
    Profile,
    /// Pages outside the settings navigation (sign-in, setup, errors).
    None,
}

const NAVIGATION: [(Section, &str, &str, Permission); 10] = [
    (
        Section::ApiTokens,
        "API tokens",
        urls::TOKENS,
        Permission::TokensRead,
    ),
    (
        Section::Identities,
        "Identities",
        urls::IDENTITIES,
        Permission::TokensRead,
    ),
    (
        Section::Health,
        "Token health",
        urls::HEALTH,
        Permission::TokensRead,
    ),
    (Section::Usage, "Usage", urls::USAGE, Permission::TokensRead),
    (
        Section::Modules,
        "Modules",
        urls::MODULES,
        Permission::SettingsManage,
    ),
    (
        Section::Scopes,
        "Scopes",
        urls::SCOPES,
        Permission::SettingsManage,
    ),
    (
        Section::Administrators,
        "Administrators",
        urls::ADMINISTRATORS,
        Permission::AdminsManage,
    ),
    (
        Section::Webhooks,
        "Webhooks",
        urls::WEBHOOKS,
        Permission::SettingsManage,
    ),
    (
        Section::Notifications,
        "Notifications",
        urls::NOTIFICATIONS,
        Permission::SettingsManage,
    ),
    (
        Section::AuditLog,
        "Audit log",
        urls::AUDIT_LOG,
        Permission::AuditRead,
    ),
];

pub struct NavLink {
    pub label: &'static str,
    pub href: &'static str,
    pub current: bool,
}

pub struct LayoutAdmin {
    pub display_name: String,
    pub public_id: String,
    pub role_name: String,
    /// Their role creates tokens: their own list of them is of use.
    pub makes_tokens: bool,
    /// They sign in through the identity provider of this name, and confirm who
    /// they are there (not with a password) before sensitive actions.
    pub confirms_with: Option<String>,
}

/// A page that reloads itself (to hide a shown token value again).
pub struct Refresh {
    pub seconds: u32,
    pub url: String,
}

pub struct Layout {
    pub title: String,
    pub refresh: Option<Refresh>,
    pub admin: Option<LayoutAdmin>,
    pub nav: Vec<NavLink>,
    pub csrf_token: String,
    pub flashes: Vec<Flash>,
    pub css_url: &'static str,
    pub table_css_url: &'static str,
    pub frame_css_url: &'static str,
    pub js_url: &'static str,
    pub icon_url: &'static str,
}

/// The identity provider an administrator signs in through, when one is
/// configured and they are linked to it.
fn provider_of(req: &HttpRequest, admin: &CurrentAdmin) -> Option<String> {
    admin.admin.sso_subject.as_ref()?;
    let state = req.app_data::<actix_web::web::Data<crate::state::AppState>>()?;
    Some(state.oidc.as_ref()?.settings.name.clone())
}

impl Layout {
    /// The provider the signed-in administrator confirms who they are with, if any.
    pub fn confirms_with(&self) -> Option<&str> {
        self.admin.as_ref()?.confirms_with.as_deref()
    }

    /// The layout of a page; takes the flash messages waiting in the session.
    pub fn page(
        req: &HttpRequest,
        admin: Option<&CurrentAdmin>,
        title: impl Into<String>,
        section: Section,
    ) -> Self {
        let mut layout = Self::without_flashes(req, admin, title, section);
        layout.flashes = session::take_flashes(&req.get_session());
        layout
    }

    /// The layout of a page with a form for visitors who are not signed in (sign-in,
    /// setup): the one kind of anonymous page that needs a session, for its CSRF token.
    pub fn anonymous_form(req: &HttpRequest, title: impl Into<String>) -> Self {
        let mut layout = Self::page(req, None, title, Section::None);
        layout.csrf_token = session::csrf_token(&req.get_session());
        layout
    }

    /// For error pages, rendered after the session was saved: flashes stay for the next page.
    pub fn without_flashes(
        req: &HttpRequest,
        admin: Option<&CurrentAdmin>,
        title: impl Into<String>,
        section: Section,
    ) -> Self {
        let nav = admin
            .map(|admin| {
                NAVIGATION
                    .iter()
                    .filter(|(_, _, _, permission)| admin.can(*permission))
                    .map(|(s, label, href, _)| NavLink {
                        label,
                        href,
                        current: *s == section,
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            title: title.into(),
            refresh: None,
            admin: admin.map(|a| LayoutAdmin {
                display_name: a.admin.display_name.clone(),
                public_id: a.admin.public_id.clone(),
                role_name: a.role_name.clone(),
                makes_tokens: a.can(crate::domain::permissions::Permission::TokensCreate),
                confirms_with: provider_of(req, a),
            }),
            nav,
            // Signed-in pages all have forms (Sign out at least). Anonymous pages
            // create no session of their own: see `anonymous_form`.
            csrf_token: match admin {
                Some(_) => session::csrf_token(&req.get_session()),
                None => session::expected_csrf_token(&req.get_session()).unwrap_or_default(),
            },
            flashes: Vec::new(),
            css_url: &static_files::CSS_URL,
            table_css_url: &static_files::TABLE_CSS_URL,
            frame_css_url: &static_files::FRAME_CSS_URL,
            js_url: &static_files::JS_URL,
            icon_url: &static_files::ICON_URL,
        }
    }
}
