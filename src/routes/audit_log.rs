//! Settings > Audit log.

use actix_web::{HttpRequest, web};
use serde::Deserialize;

use crate::auth::{Authorized, perm};
use crate::db::{DbError, audit};
use crate::domain::audit::label_of;
use crate::http::AppError;
use crate::startup::AppState;
use crate::views::audit::{AuditLogPage, AuditRow};
use crate::views::format::{datetime, iso};
use crate::views::{Layout, Section};

const PAGE_SIZE: i64 = 50;

#[derive(Deserialize)]
pub struct AuditQuery {
    before: Option<i64>,
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Authorized<perm::AuditRead>,
    query: web::Query<AuditQuery>,
) -> Result<AuditLogPage, AppError> {
    let before = query.before;
    let events = state
        .db
        .run(move |c| audit::recent(c, PAGE_SIZE, before).map_err(DbError::from))
        .await?;
    let older_than = (events.len() as i64 == PAGE_SIZE)
        .then(|| events.last().map(|e| e.id))
        .flatten();
    let events = events
        .into_iter()
        .map(|e| AuditRow {
            when: datetime(&e.occurred_at),
            iso: iso(&e.occurred_at),
            actor: e.actor_label,
            action: label_of(&e.action),
            target: match e.target_id {
                Some(id) if id != e.target_label => format!("{} · {}", e.target_label, id),
                _ => e.target_label,
            },
            ip: e.ip.unwrap_or_else(|| "—".into()),
        })
        .collect();
    Ok(AuditLogPage {
        layout: Layout::page(&req, Some(&admin), "Audit log", Section::AuditLog),
        events,
        older_than,
    })
}
