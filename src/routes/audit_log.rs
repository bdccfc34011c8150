//! Settings > Audit log, filtered by who, what, which token and when.

use actix_web::{HttpRequest, web};
use serde::Deserialize;
use time::PrimitiveDateTime;
use time::macros::time;

use crate::auth::{Authorized, perm};
use crate::db::audit::{self, AuditFilter, AuditReader};
use crate::db::{DbError, admins, catalog};
use crate::domain::audit::{AuditAction, TargetKind};
use crate::domain::ids::{AdministratorId, Guid};
use crate::domain::scopes::ScopeAccess;
use crate::domain::timestamps::iso;
use crate::domain::tokens::parse_date;
use crate::http::AppError;
use crate::state::AppState;
use crate::urls;
use crate::views::audit::{AuditLogPage, AuditRow};
use crate::views::format::datetime;
use crate::views::tokens::{Choice, history};
use crate::views::{Layout, Section};

const PAGE_SIZE: i64 = 50;
const COMMAND_LINE: &str = "cli";

/// The log's filters, as the page's address and the API's parameters give them.
#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub token: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// The events of one bulk action.
    #[serde(default)]
    pub batch: String,
    pub before: Option<i64>,
}

impl AuditQuery {
    pub fn filter(&self, reader: AuditReader) -> AuditFilter {
        let actor = match self.actor.as_str() {
            COMMAND_LINE => Some(None),
            other => other.parse().ok().map(|id| Some(AdministratorId(id))),
        };
        AuditFilter {
            reader,
            actor,
            action: AuditAction::from_key(&self.action),
            token: Some(self.token.trim().to_lowercase()).filter(|t| !t.is_empty()),
            from: parse_date(&self.from).map(|d| PrimitiveDateTime::new(d, time!(00:00))),
            until: parse_date(&self.to).map(|d| PrimitiveDateTime::new(d, time!(23:59:59.999999))),
            batch: Some(self.batch.trim().to_owned()).filter(|b| !b.is_empty()),
        }
    }

    /// The filters as a query string, for the link to older events.
    pub fn query_string(&self) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("actor", self.actor.as_str()),
            ("action", self.action.as_str()),
            ("token", self.token.as_str()),
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
            ("batch", self.batch.as_str()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        serde_html_form::to_string(pairs).unwrap_or_default()
    }
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Authorized<perm::AuditRead>,
    query: web::Query<AuditQuery>,
) -> Result<AuditLogPage, AppError> {
    let reader = AuditReader {
        scopes: admin.scope_access(),
        public_id: admin.admin.admin.public_id.clone(),
    };
    let filter = query.filter(reader.clone());
    let before = query.before;
    let (events, authors, administrators, names) = state
        .db
        .run(move |c| {
            Ok::<_, DbError>((
                audit::search(c, &filter, PAGE_SIZE, before)?,
                // A reader of every scope is offered every author.
                match reader.scopes {
                    ScopeAccess::All => None,
                    ScopeAccess::Scopes(_) => Some(audit::actors(c, &reader)?),
                },
                admins::list(c)?,
                (
                    catalog::scope_names(c)?,
                    catalog::list_modules(c)?
                        .into_iter()
                        .map(|m| (m.module.id, m.module.name))
                        .collect::<Vec<_>>(),
                ),
            ))
        })
        .await?;
    let names = history::Names {
        scopes: &names.0,
        modules: &names.1,
    };
    let older_than = (events.len() as i64 == PAGE_SIZE)
        .then(|| events.last().map(|e| e.id))
        .flatten();
    let events = events
        .into_iter()
        .map(|e| AuditRow {
            when: datetime(&e.occurred_at),
            iso: iso(&e.occurred_at),
            actor: e.actor_label,
            via_api_key: e.via_api_key,
            action: e.action.label().to_owned(),
            target_href: match (e.target_type, e.target_id.as_deref()) {
                (TargetKind::Token, Some(id)) => Guid::parse(id).map(|guid| urls::token(&guid)),
                (TargetKind::Administrator, Some(id)) => Some(urls::administrator(id)),
                _ => None,
            },
            changes: history::sentence(&e.details, &names),
            target_title: e.target_id.clone().unwrap_or_default(),
            target: match e.target_id {
                // An administrator's label holds their ID already; a GUID is
                // shown by its first block, as in the token list.
                Some(id) if !e.target_label.contains(&id) => {
                    let short = match e.target_type {
                        TargetKind::Token => id.split('-').next().unwrap_or_default(),
                        _ => id.as_str(),
                    };
                    format!("{} · {short}", e.target_label)
                }
                _ => e.target_label,
            },
            ip: e.ip.unwrap_or_else(|| "—".into()),
            batch_href: e.batch_id.map(|b| urls::audit_batch(&b)),
        })
        .collect();
    // A reader limited to some scopes is offered only the authors of what they see.
    let offered = |id: Option<AdministratorId>| authors.as_ref().is_none_or(|a| a.contains(&id));
    let mut actors: Vec<Choice> = administrators
        .into_iter()
        .filter(|s| offered(Some(s.admin.id)))
        .map(|s| Choice {
            selected: query.actor == s.admin.id.to_string(),
            value: s.admin.id.to_string(),
            label: s.admin.label(),
        })
        .collect();
    if offered(None) {
        actors.push(Choice {
            selected: query.actor == COMMAND_LINE,
            value: COMMAND_LINE.into(),
            label: "Command line".into(),
        });
    }
    let actions = AuditAction::ALL
        .into_iter()
        .map(|a| Choice {
            selected: query.action == a.key(),
            value: a.key().into(),
            label: a.label().into(),
        })
        .collect();
    let filters = query.query_string();
    Ok(AuditLogPage {
        layout: Layout::page(&req, Some(&admin), "Audit log", Section::AuditLog),
        events,
        older_href: older_than.map(|id| urls::audit_log_before(&filters, id)),
        filtered: !filters.is_empty(),
        actors,
        actions,
        token: query.token.clone(),
        from: query.from.clone(),
        to: query.to.clone(),
        export_query: filters.clone(),
    })
}
