//! Settings > Token health: every finding's count, of all the administrator's
//! scopes or of one, and the tokens of the finding chosen with its remedy.

use actix_web::{HttpRequest, web};
use serde::Deserialize;

use crate::auth::{Authorized, perm};
use crate::db::now;
use crate::domain::permissions::Permission;
use crate::domain::tokens::{Finding, IDLE_DAYS};
use crate::http::AppError;
use crate::services::health::{summary, tokens_of};
use crate::services::tokens;
use crate::state::AppState;
use crate::views::health::HealthPage;
use crate::views::{Layout, Section};

#[derive(Debug, Default, Deserialize)]
pub struct HealthQuery {
    #[serde(default)]
    pub finding: String,
    pub days: Option<String>,
    pub scope: Option<String>,
}

impl HealthQuery {
    /// The idle window asked for: 30, 60 or 90 days (30 for anything else).
    pub fn idle_days(&self) -> i64 {
        self.days
            .as_deref()
            .and_then(|d| d.parse().ok())
            .filter(|d| IDLE_DAYS.contains(d))
            .unwrap_or(IDLE_DAYS[0])
    }

    pub fn scope(&self) -> Option<i64> {
        self.scope.as_deref().and_then(|s| s.parse().ok())
    }

    pub fn finding(&self) -> Option<Finding> {
        Finding::from_key(&self.finding, Some(self.idle_days()))
    }
}

pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Authorized<perm::TokensRead>,
    query: web::Query<HealthQuery>,
) -> Result<HealthPage, AppError> {
    let caller = admin.caller(&req);
    let (now, idle_days, finding) = (now(), query.idle_days(), query.finding());
    let scopes = tokens::catalog_for(state.services(), &caller).await?.scopes;
    // A scope that is not the administrator's is all of theirs.
    let scope = query
        .scope()
        .filter(|id| scopes.iter().any(|(s, _)| s == id));
    let counts = summary(&state.db, &caller, scope, idle_days, now).await?;
    let found = match finding {
        Some(finding) => tokens_of(&state.db, &caller, finding, scope, now).await?,
        None => Vec::new(),
    };
    let layout = Layout::page(&req, Some(&admin), "Token health", Section::Health);
    let can_update = admin.can(Permission::TokensUpdate);
    Ok(HealthPage::new(
        layout,
        &counts,
        finding,
        found,
        (idle_days, scope),
        &scopes,
        (can_update, now),
    ))
}
