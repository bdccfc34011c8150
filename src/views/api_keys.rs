//! My profile > API keys: the administrator's keys for the management API, the form
//! that makes one, and the page that shows a new key once.

use askama::Template;
use askama_web::WebTemplate;
use time::PrimitiveDateTime;

use super::Layout;
use super::format::Moment;
use super::tokens::TabLink;
use crate::db::api_keys::ApiKeySummary;
use crate::db::catalog::Scope;
use crate::domain::api_keys::{ApiKeyInput, KeyStatus};
use crate::domain::permissions::Permission;
use crate::domain::validation::FieldErrors;
use crate::urls;

#[derive(Template, WebTemplate)]
#[template(path = "profile/api_keys.html")]
pub struct ApiKeysPage {
    pub layout: Layout,
    pub profile_tabs: Vec<TabLink>,
    pub keys: Vec<ApiKeyRowView>,
    /// As submitted, to show again with its errors.
    pub form: ApiKeyInput,
    pub errors: FieldErrors,
    /// The permissions a key may be given: the administrator's own.
    pub permissions: Vec<Permission>,
    /// The scopes a key may be limited to.
    pub scopes: Vec<Scope>,
    pub lifetimes: &'static [i64],
    pub docs_url: &'static str,
    /// The password was not confirmed lately: the form asks for it.
    pub confirm_password: bool,
}

/// One key in the list.
pub struct ApiKeyRowView {
    pub public_id: String,
    pub name: String,
    pub hint: String,
    pub permissions: String,
    pub scopes: String,
    pub created: Moment,
    pub expires: Moment,
    pub last_used: Moment,
    /// "from 192.0.2.1 with curl/8.5"
    pub last_used_from: String,
    pub status: KeyStatus,
    /// The badge's class.
    pub badge: &'static str,
    /// Where its Revoke button posts.
    pub revoke_href: String,
}

impl ApiKeyRowView {
    pub fn of(summary: &ApiKeySummary, now: &PrimitiveDateTime) -> Self {
        let key = &summary.key;
        let status = key.status(*now);
        let last_used_from = match (&key.last_used_ip, &key.last_used_user_agent) {
            (Some(ip), Some(agent)) => format!("from {ip} with {agent}"),
            (Some(ip), None) => format!("from {ip}"),
            _ => String::new(),
        };
        Self {
            public_id: key.public_id.clone(),
            name: key.name.clone(),
            hint: key.secret_hint.clone(),
            permissions: key
                .permissions()
                .iter()
                .map(Permission::key)
                .collect::<Vec<_>>()
                .join(", "),
            scopes: if key.every_scope {
                "All my scopes".into()
            } else if summary.scope_names.is_empty() {
                "None (its scopes were deleted)".into()
            } else {
                summary.scope_names.join(", ")
            },
            created: Moment::of(&key.created_at, now),
            expires: Moment::of(&key.expires_at, now),
            last_used: Moment::or(&key.last_used_at, now, "Never"),
            last_used_from,
            status,
            badge: match status {
                KeyStatus::Active => "badge-active",
                KeyStatus::Expired => "badge-expired",
                KeyStatus::Revoked => "badge-revoked",
            },
            revoke_href: urls::api_key_revoke(&key.public_id),
        }
    }

    /// The row on its owner's page under Settings > Administrators, read by another
    /// administrator.
    pub fn on_owner_page(
        summary: &ApiKeySummary,
        now: &PrimitiveDateTime,
        owner_public_id: &str,
    ) -> Self {
        let mut row = Self::of(summary, now);
        if summary.key.every_scope {
            row.scopes = "All their scopes".into();
        }
        row.revoke_href = urls::administrator_api_key_revoke(owner_public_id, &row.public_id);
        row
    }
}

/// ", and 2 API keys revoked" for a message that ends with what was revoked
/// besides; nothing when none was.
pub fn keys_revoked(count: usize) -> String {
    match count {
        0 => String::new(),
        1 => ", and 1 API key revoked".into(),
        n => format!(", and {n} API keys revoked"),
    }
}

/// What a box that revokes an administrator's keys offers ("my 2 API keys", "their
/// API key"), or nothing when none of their keys works.
pub fn keys_to_revoke(whose: &str, active: usize) -> Option<String> {
    match active {
        0 => None,
        1 => Some(format!("{whose} API key")),
        n => Some(format!("{whose} {n} API keys")),
    }
}

/// The one page that shows a new key.
#[derive(Template, WebTemplate)]
#[template(path = "profile/api_key_created.html")]
pub struct ApiKeyCreatedPage {
    pub layout: Layout,
    pub name: String,
    pub secret: String,
    pub permissions: String,
    pub scopes: String,
    pub expires: String,
    /// A first request to try, with the key in it.
    pub example: String,
    pub docs_url: &'static str,
}
