//! `/api/v1/scopes`, `/api/v1/modules`, `/api/v1/administrators` and
//! `/api/v1/audit-events`: what tokens are made of, who manages them, what happened.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Problem, csv_export, json, wants_csv, with_next_link};
use crate::auth::api_key::ApiCaller;
use crate::db::audit::{self, AuditReader};
use crate::db::{DbError, admins, catalog};
use crate::domain::audit::AuditAction;
use crate::domain::export::ExportFormat;
use crate::domain::permissions::Permission;
use crate::domain::scopes::ScopeAccess;
use crate::domain::timestamps::iso;
use crate::domain::tokens::parse_date;
use crate::http::api_error::ApiError;
use crate::routes::audit_log::AuditQuery;
use crate::services::exports::{self, Reader};
use crate::services::tokens::assignable_scopes;
use crate::state::AppState;
use crate::urls;

#[derive(Debug, Serialize, ToSchema)]
pub struct ScopeItem {
    pub id: i64,
    pub name: String,
    pub description: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ModuleItem {
    pub id: i64,
    /// What grants name (`{"module": "orders", ...}`).
    #[schema(example = "orders")]
    pub key: String,
    pub name: String,
    pub description: String,
    /// URL path prefixes forward-auth maps to this module.
    pub path_prefixes: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdministratorItem {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: String,
    pub enabled: bool,
    /// Names of the assigned scopes; the role may see every scope regardless.
    pub scopes: Vec<String>,
    pub all_scopes: bool,
    pub last_sign_in_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventItem {
    pub id: i64,
    pub occurred_at: String,
    pub actor: String,
    /// The API key the actor used, if any.
    pub via_api_key: Option<String>,
    #[schema(example = "token.create")]
    pub action: String,
    #[schema(example = "token")]
    pub target_type: String,
    pub target_id: Option<String>,
    pub target: String,
    pub ip: Option<String>,
    /// The bulk action the event is one of, if any.
    pub batch_id: Option<String>,
}

/// A page of audit events, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventList {
    pub events: Vec<AuditEventItem>,
    /// The URL of the next (older) page, if there is one.
    pub next: Option<String>,
}

#[utoipa::path(
    get, path = "/api/v1/scopes", tag = "Catalog", summary = "List scopes",
    responses(
        (status = 200, description = "The scopes the key works in", body = Vec<ScopeItem>),
        (status = 401, description = "No valid API key", body = Problem),
    ),
    security(("api_key" = []))
)]
pub async fn scopes(
    state: web::Data<AppState>,
    caller: ApiCaller,
) -> Result<HttpResponse, ApiError> {
    let access = caller.scopes.clone();
    let scopes = state
        .db
        .run(move |c| Ok::<_, DbError>(assignable_scopes(c, &access)?))
        .await?;
    let items: Vec<ScopeItem> = scopes
        .into_iter()
        .map(|s| ScopeItem {
            id: s.id,
            name: s.name,
            description: s.description,
        })
        .collect();
    Ok(json(StatusCode::OK, &items))
}

#[utoipa::path(
    get, path = "/api/v1/modules", tag = "Catalog", summary = "List modules",
    responses(
        (status = 200, description = "Every module", body = Vec<ModuleItem>),
        (status = 401, description = "No valid API key", body = Problem),
    ),
    security(("api_key" = []))
)]
pub async fn modules(
    state: web::Data<AppState>,
    _caller: ApiCaller,
) -> Result<HttpResponse, ApiError> {
    let modules = state
        .db
        .run(move |c| Ok::<_, DbError>(catalog::list_modules(c)?))
        .await?;
    let items: Vec<ModuleItem> = modules
        .into_iter()
        .map(|m| ModuleItem {
            id: m.module.id,
            key: m.module.module_key,
            name: m.module.name,
            description: m.module.description,
            path_prefixes: m.path_prefixes,
        })
        .collect();
    Ok(json(StatusCode::OK, &items))
}

#[utoipa::path(
    get, path = "/api/v1/administrators", tag = "Administrators", summary = "List administrators",
    responses(
        (status = 200, description = "Every administrator", body = Vec<AdministratorItem>),
        (status = 401, description = "No valid API key", body = Problem),
        (status = 403, description = "The key may not manage administrators", body = Problem),
    ),
    security(("api_key" = []))
)]
pub async fn administrators(
    state: web::Data<AppState>,
    caller: ApiCaller,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::AdminsManage)?;
    let admins = state
        .db
        .run(move |c| Ok::<_, DbError>(admins::list(c)?))
        .await?;
    let items: Vec<AdministratorItem> = admins
        .into_iter()
        .map(|a| AdministratorItem {
            id: a.admin.public_id,
            name: a.admin.display_name,
            email: a.admin.email,
            role: a.role_name,
            enabled: a.admin.disabled_at.is_none(),
            scopes: a.scope_names,
            all_scopes: a.all_scopes,
            last_sign_in_at: a.admin.last_sign_in_at.as_ref().map(iso),
        })
        .collect();
    Ok(json(StatusCode::OK, &items))
}

const AUDIT_PAGE_SIZE: i64 = 50;

/// Filters of the audit log.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Only events of this action.
    action: Option<AuditAction>,
    /// Part of a token's GUID or name.
    token: Option<String>,
    /// The first day (YYYY-MM-DD, UTC).
    #[param(format = Date)]
    from: Option<String>,
    /// The last day (YYYY-MM-DD, UTC).
    #[param(format = Date)]
    to: Option<String>,
    /// Only the events of this bulk action (its `batch_id`).
    batch: Option<String>,
    /// Events older than this ID: the cursor of the next page.
    #[param(minimum = 1)]
    before: Option<i64>,
}

#[utoipa::path(
    get, path = "/api/v1/audit-events", tag = "Audit log", summary = "List audit events",
    params(AuditParams),
    responses(
        (status = 200, description = "The newest matching events the key may read; with `Accept: text/csv`, every one of them (older than `before`, if given), as a CSV file with a header row and each event's details",
         content((AuditEventList = "application/json"), (String = "text/csv")),
         headers(("Link" = String, description = "`<url>; rel=\"next\"` when there are older events"))),
        (status = 400, description = "A filter is not valid", body = Problem),
        (status = 401, description = "No valid API key", body = Problem),
        (status = 403, description = "The key may not read the audit log", body = Problem),
    ),
    security(("api_key" = []))
)]
pub async fn audit_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: ApiCaller,
    params: web::Query<AuditParams>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Permission::AuditRead)?;
    let params = params.into_inner();
    if params.before.is_some_and(|id| id < 1) {
        return Err(ApiError::bad_request(
            "before is an event's ID, from the last page.",
        ));
    }
    // Strict here, where the page is lenient; then read as the page reads them.
    if [&params.from, &params.to]
        .into_iter()
        .flatten()
        .any(|day| parse_date(day).is_none())
    {
        return Err(ApiError::bad_request("Dates are written YYYY-MM-DD."));
    }
    let query = AuditQuery {
        actor: String::new(),
        action: params
            .action
            .map(|a| a.key().to_owned())
            .unwrap_or_default(),
        token: params.token.unwrap_or_default(),
        from: params.from.unwrap_or_default(),
        to: params.to.unwrap_or_default(),
        batch: params.batch.unwrap_or_default(),
        before: params.before,
    };
    let (owner, scopes) = (caller.actor.id, caller.scopes.clone());
    let filters = query.query_string();
    let before = query.before;
    // A reader limited to some scopes also reads the events about themselves.
    let limited = matches!(scopes, ScopeAccess::Scopes(_));
    let public_id = state
        .db
        .run(move |c| match owner {
            Some(id) if limited => Ok::<_, DbError>(admins::find(c, id)?.map(|a| a.public_id)),
            _ => Ok(None),
        })
        .await?
        .unwrap_or_default();
    let filter = query.filter(AuditReader { scopes, public_id });
    if wants_csv(&req) {
        let format = (ExportFormat::Csv, Reader::Program);
        let described = match before {
            Some(id) => format!("{filters}&before={id}"),
            None => filters,
        };
        let export = exports::audit_log(&state.db, &caller, filter, before, &described, format);
        return csv_export(export).await;
    }
    let events = state
        .db
        .run(move |c| Ok::<_, DbError>(audit::search(c, &filter, AUDIT_PAGE_SIZE, before)?))
        .await?;
    let next = (events.len() as i64 == AUDIT_PAGE_SIZE)
        .then(|| events.last().map(|e| e.id))
        .flatten()
        .map(|id| {
            let here = format!("{}{}", state.config.public_url(), req.path());
            urls::older(&here, &filters, id)
        });
    let items = events
        .into_iter()
        .map(|e| AuditEventItem {
            id: e.id,
            occurred_at: iso(&e.occurred_at),
            actor: e.actor_label,
            via_api_key: e.via_api_key,
            action: e.action.key().to_owned(),
            target_type: e.target_type.key().to_owned(),
            target_id: e.target_id,
            target: e.target_label,
            ip: e.ip,
            batch_id: e.batch_id,
        })
        .collect();
    let mut response = json(
        StatusCode::OK,
        &AuditEventList {
            events: items,
            next: next.clone(),
        },
    );
    with_next_link(&mut response, next.as_deref());
    Ok(response)
}
