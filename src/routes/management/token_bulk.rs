//! `POST /api/v1/tokens/bulk`: one action on many tokens, named by GUID or by a
//! filter of the list, with each token's result.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::token_json::Grant;
use super::tokens::idempotency;
use super::{Problem, json};
use crate::auth::api_key::ApiCaller;
use crate::domain::ids::Guid;
use crate::domain::token_list::{ExpiringWithin, ListQuery, StatusFilter, TokenFilter};
use crate::domain::tokens::{Action, BulkAction};
use crate::http::api_error::ApiError;
use crate::services::tokens::{self, BulkOutcome, BulkResult, Selection, apply_bulk, preview_bulk};
use crate::state::AppState;

/// Tokens named in one request, at most.
const MAX_GUIDS: usize = 1_000;

/// The tokens of a filter, as `GET /api/v1/tokens` takes it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkFilter {
    /// Words of the name (all must match).
    pub q: Option<String>,
    /// The start of a GUID.
    pub guid: Option<String>,
    /// A scope's name.
    pub scope: Option<String>,
    /// All but deleted tokens when left out.
    pub status: Option<StatusFilter>,
    /// Only active tokens whose validity ends within this many days.
    pub expiring: Option<ExpiringWithin>,
}

/// An action and the tokens it is for: `tokens` or `filter`, not both.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "action": "disable", "filter": { "scope": "Staging", "status": "active" } }))]
pub struct BulkRequest {
    /// `disable`, `enable`, `revoke`, `delete`, `extend` (the expiry, by `days`),
    /// `set_expiry` (`days` from now, for tokens that never expire), `add_scope` or
    /// `remove_scope` (`scope`).
    #[schema(example = "disable")]
    pub action: String,
    /// For `extend` and `set_expiry`: 7, 30, 90 or 365.
    pub days: Option<i64>,
    /// For `add_scope` and `remove_scope`: the scope's name.
    pub scope: Option<String>,
    /// The tokens' GUIDs, at most 1,000 (a filter selects up to 100,000).
    #[schema(max_items = 1000)]
    pub tokens: Option<Vec<String>>,
    pub filter: Option<BulkFilter>,
    /// Only say what would be done.
    #[serde(default)]
    pub dry_run: bool,
}

/// One token's result.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkItemAnswer {
    pub guid: String,
    pub name: String,
    /// `done` (or, in a dry run, `would_apply`) or `skipped`.
    pub result: &'static str,
    /// Why it was skipped.
    pub reason: Option<String>,
    /// For `drop_unused_permissions`: the permissions it keeps, as a custom token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<Grant>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulkAnswer {
    /// Shared by the action's audit events (`GET /api/v1/audit-events?batch=`);
    /// none for a dry run.
    pub batch_id: Option<String>,
    pub action: String,
    pub done: usize,
    pub skipped: usize,
    pub results: Vec<BulkItemAnswer>,
}

impl BulkAnswer {
    fn of(action: BulkAction, result: &BulkResult, dry_run: bool) -> Self {
        Self {
            batch_id: result.batch_id.clone(),
            action: action.key().to_owned(),
            done: result.done().count(),
            skipped: result.skipped().count(),
            results: result
                .items
                .iter()
                .map(|i| BulkItemAnswer {
                    guid: i.guid.clone(),
                    name: i.name.clone(),
                    result: match (&i.skipped, dry_run) {
                        (Some(_), _) => "skipped",
                        (None, true) => "would_apply",
                        (None, false) => "done",
                    },
                    reason: i.skipped.clone(),
                    permissions: i.grants.as_ref().map(|g| {
                        g.kept
                            .iter()
                            .filter_map(|(module, action)| {
                                Some(Grant {
                                    module: module.clone(),
                                    action: Action::from_key(action)?,
                                })
                            })
                            .collect()
                    }),
                })
                .collect(),
        }
    }
}

#[utoipa::path(
    post, path = "/api/v1/tokens/bulk", tag = "Tokens", summary = "Act on many tokens",
    description = "Applies one action to every token named, or matching the filter, that the key may change. Tokens it does not fit are skipped with the reason, never an error. Each change is audited (the events share the answer's batch_id) and sent to webhooks, and verification refuses a revoked or disabled token at once.",
    request_body = BulkRequest,
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$",
            description = "Retrying with the same key and body answers with the first request's results instead of acting again, for 24 hours")),
    responses(
        (status = 200, description = "Each token's result", body = BulkAnswer),
        (status = 400, description = "The body cannot be read", body = Problem),
        (status = 401, description = "No valid API key", body = Problem),
        (status = 403, description = "The key may not make this change", body = Problem),
        (status = 409, description = "More than 100,000 tokens are selected, or a request with the same Idempotency-Key is still being handled", body = Problem),
        (status = 422, description = "The action, days, scope or selection is not valid, or the Idempotency-Key was used for another request", body = Problem),
    ),
    security(("api_key" = []))
)]
pub async fn bulk(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: ApiCaller,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let request: BulkRequest = super::parse_body(&req, &body)?;
    let idempotency = idempotency(&req, &body)?;
    let choices = tokens::catalog_for(state.services(), &caller).await?;
    let scope = |name: &Option<String>| -> Result<Option<i64>, ApiError> {
        name.as_deref()
            .map(|n| {
                choices
                    .scope_named(n)
                    .ok_or_else(|| unprocessable("scope", n))
            })
            .transpose()
    };
    let action = BulkAction::parse(&request.action, request.days, scope(&request.scope)?).map_err(
        |message| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_action", message),
    )?;
    let selection = match (request.tokens, request.filter) {
        (Some(guids), None) if guids.len() > MAX_GUIDS => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_selection",
                "Name at most 1,000 tokens; select more with a filter.",
            ));
        }
        (Some(guids), None) => Selection::Guids(
            guids
                .iter()
                .map(|g| Guid::parse(g).ok_or_else(|| unprocessable("GUID", g)))
                .collect::<Result<_, _>>()?,
        ),
        (None, Some(filter)) => Selection::Filter(token_filter(filter, scope)?),
        _ => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_selection",
                "Name the tokens (tokens) or give a filter (filter): one of the two.",
            ));
        }
    };
    let services = state.services();
    let answer = if request.dry_run {
        BulkAnswer::of(
            action,
            &preview_bulk(services, &caller, action, selection).await?,
            true,
        )
    } else {
        match apply_bulk(services, &caller, action, selection, idempotency).await? {
            BulkOutcome::Applied(result) | BulkOutcome::Replayed(result) => {
                BulkAnswer::of(action, &result, false)
            }
        }
    };
    Ok(json(StatusCode::OK, &answer))
}

fn unprocessable(what: &str, value: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_selection",
        format!("No {what} “{value}” of yours."),
    )
}

fn token_filter(
    filter: BulkFilter,
    scope: impl Fn(&Option<String>) -> Result<Option<i64>, ApiError>,
) -> Result<TokenFilter, ApiError> {
    // Words and GUIDs are read as the page reads them; the rest is typed already.
    let words = ListQuery {
        q: filter.q.unwrap_or_default(),
        guid: filter.guid.unwrap_or_default(),
        ..ListQuery::default()
    }
    .filter();
    Ok(TokenFilter {
        scope_id: scope(&filter.scope)?,
        status: filter.status.unwrap_or(words.status),
        expiring: filter.expiring,
        ..words
    })
}
