//! Settings > Audit log.

use askama::Template;
use askama_web::WebTemplate;

use super::Layout;
use super::tokens::Choice;

pub struct AuditRow {
    pub when: String,
    pub iso: String,
    pub actor: String,
    /// The API key the actor acted through.
    pub via_api_key: Option<String>,
    pub action: String,
    pub target: String,
    /// The target's whole ID, where the row shows it shortened.
    pub target_title: String,
    /// What changed ("Scopes: Production → Staging"), or the facts of the event.
    pub changes: String,
    /// The token's or administrator's page, for events about one.
    pub target_href: Option<String>,
    pub ip: String,
    /// The events of the same bulk action, for one of them.
    pub batch_href: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit/log.html")]
pub struct AuditLogPage {
    pub layout: Layout,
    pub events: Vec<AuditRow>,
    pub older_href: Option<String>,
    pub filtered: bool,
    pub actors: Vec<Choice>,
    pub actions: Vec<Choice>,
    pub token: String,
    pub from: String,
    pub to: String,
    /// The filters as a query string, for the exports.
    pub export_query: String,
}
