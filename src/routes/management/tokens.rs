//! `/api/v1/tokens`: list, create, read, change, regenerate, enable, disable,
//! revoke and delete tokens.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::token_json::{CreatedToken, NewToken, Token, TokenChanges, TokenList, TokenSummary};
use super::{
    IfMatch, Problem, TokenChangeProblems, csv_export, etag, if_match, json, wants_csv,
    with_next_link,
};
use crate::auth::api_key::ApiCaller;
use crate::db::token_list::PagePosition;
use crate::db::{DbError, admins};
use crate::domain::digest::sha256_hex;
use crate::domain::export::ExportFormat;
use crate::domain::ids::Guid;
use crate::domain::token_list::{
    Cursor, ExpiringWithin, ListQuery, PageSize, SortDirection, SortKey, StatusFilter, TokenFilter,
    UnusedFor,
};
use crate::domain::tokens::TokenStatus;
use crate::http::api_error::{ApiError, api_field_name};
use crate::services::exports::{self, Reader};
use crate::services::tokens::{self, Choices, CreateOutcome, Idempotency};
use crate::state::AppState;

/// Filters, order and page of the list, as on the API tokens page.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Words of the name (all must match).
    q: Option<String>,
    /// The start of a GUID.
    guid: Option<String>,
    /// A scope ID (`GET /api/v1/scopes`).
    #[param(minimum = 1)]
    scope: Option<i64>,
    /// Only tokens in this status (`inactive`: any but active); all but deleted
    /// ones when left out.
    status: Option<StatusFilter>,
    /// Only active tokens whose validity ends within this many days.
    expiring: Option<ExpiringWithin>,
    /// A module ID (`GET /api/v1/modules`): only tokens that may call it (every
    /// token but a Custom one without a grant on it).
    #[param(minimum = 1)]
    module: Option<i64>,
    /// An administrator's ID (`GET /api/v1/administrators`): only the tokens they
    /// created.
    #[param(min_length = 1)]
    creator: Option<String>,
    /// Only tokens not used for this many days (30, 60 or 90), counting from their
    /// creation when never used.
    unused: Option<i64>,
    /// The order; newest first when left out.
    sort: Option<SortKey>,
    /// The direction; the sort's usual one when left out.
    dir: Option<SortDirection>,
    /// 25 when left out.
    per_page: Option<PageSize>,
    /// The cursor of the next page, from `next` or the `Link` header.
    #[param(min_length = 1)]
    after: Option<String>,
}

#[utoipa::path(
    get, path = "/api/v1/tokens", tag = "Tokens", summary = "List tokens",
    params(ListParams),
    responses(
        (status = 200, description = "A page of the tokens the key sees; with `Accept: text/csv`, every token the filters match (the cursor and page size aside), as a CSV file with a header row",
         content((TokenList = "application/json"), (String = "text/csv")),
         headers(("Link" = String, description = "`<url>; rel=\"next\"` when there is a next page"))),
        (status = 400, description = "A parameter is not valid", body = Problem),
        (status = 401, description = "No valid API key", body = Problem),
        (status = 403, description = "The key may not read tokens", body = Problem),
    ),
    security(("api_key" = []))
)]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: ApiCaller,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    if params.scope.is_some_and(|id| id < 1) {
        return Err(ApiError::bad_request(
            "scope is a scope's ID, from GET /api/v1/scopes.",
        ));
    }
    if params.module.is_some_and(|id| id < 1) {
        return Err(ApiError::bad_request(
            "module is a module's ID, from GET /api/v1/modules.",
        ));
    }
    let unused =
        match params.unused {
            None => None,
            Some(days) => Some(UnusedFor::from_key(&days.to_string()).ok_or_else(|| {
                ApiError::bad_request("unused is a number of days: 30, 60 or 90.")
            })?),
        };
    let created_by = match params.creator.as_deref() {
        None => None,
        Some(public_id) => {
            let public_id = public_id.to_owned();
            let found = state
                .db
                .run(move |c| admins::find_by_public_id(c, &public_id).map_err(DbError::from))
                .await?;
            Some(found.map(|a| a.id).ok_or_else(|| {
                ApiError::bad_request(
                    "creator is an administrator's ID, from GET /api/v1/administrators.",
                )
            })?)
        }
    };
    // Words and GUIDs are read as the page reads them; the rest is typed already.
    let words = ListQuery {
        q: params.q.unwrap_or_default(),
        guid: params.guid.unwrap_or_default(),
        ..ListQuery::default()
    }
    .filter();
    let sort = params.sort.unwrap_or(words.sort);
    let filter = TokenFilter {
        scope_id: params.scope,
        status: params.status.unwrap_or(words.status),
        expiring: params.expiring,
        module_id: params.module,
        created_by,
        unused,
        sort,
        direction: params.dir.unwrap_or(sort.default_direction()),
        page_size: params.per_page.unwrap_or(words.page_size),
        ..words
    };
    let position = match params.after.as_deref() {
        None => PagePosition::First,
        Some(after) => PagePosition::After(
            Cursor::decode(after, sort)
                .ok_or_else(|| ApiError::bad_request("The cursor is not valid."))?,
        ),
    };
    if wants_csv(&req) {
        let query = filter.query_string(&[]);
        let format = (ExportFormat::Csv, Reader::Program);
        return csv_export(exports::tokens(&state.db, &caller, filter, &query, format)).await;
    }
    let page = tokens::list(state.services(), &caller, filter.clone(), position).await?;
    let next = page.next.as_ref().map(|cursor| {
        // The page's links name the creator by row ID; the API names them by public ID.
        let creator = params.creator.as_deref().unwrap_or_default();
        let links = TokenFilter {
            created_by: None,
            ..filter.clone()
        };
        let query = links.query_string(&[("creator", creator), ("after", &cursor.encode())]);
        format!("{}{}?{query}", state.config.public_url(), req.path())
    });
    let mut response = json(
        StatusCode::OK,
        &TokenList {
            tokens: TokenSummary::list(&page),
            next: next.clone(),
        },
    );
    with_next_link(&mut response, next.as_deref());
    Ok(response)
}

#[utoipa::path(
    post, path = "/api/v1/tokens", tag = "Tokens", summary = "Create a token",
    request_body = NewToken,
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$",
            description = "Retrying with the same key and body answers with the token made the first time (without its secret) instead of making another, for 24 hours")),
    responses(
        (status = 201, description = "Created; the secret is in the answer, this once", body = CreatedToken,
         headers(("ETag" = String), ("Location" = String))),
        (status = 200, description = "A retry: the token made the first time, without its secret", body = CreatedToken),
        (status = 401, description = "No valid API key", body = Problem),
        (status = 403, description = "The key may not create tokens", body = Problem),
        (status = 409, description = "The name is taken in one of the token's scopes (`name_taken`), the GUID is taken (`guid_taken`), or a request with the same Idempotency-Key is still being handled (`idempotency_key_in_flight`): retry it for its answer", body = Problem),
        (status = 422, description = "A field is not valid, the token would break a rule of its scopes' policies (`policy_violation`, with `rules`), or the Idempotency-Key was used for another request", body = Problem),
    ),
    security(("api_key" = []))
)]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: ApiCaller,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let new: NewToken = super::parse_body(&req, &body)?;
    // Names are looked up among the caller's choices in the create's transaction.
    let input = move |choices: &Choices| new.input(choices);
    let (token, secret, status) = match idempotency(&req, &body)? {
        None => {
            let created = tokens::create(state.services(), &caller, input).await?;
            (
                Token::of(&created.token, &created.modules),
                Some(created.secret),
                StatusCode::CREATED,
            )
        }
        Some(idempotency) => {
            match tokens::create_once(state.services(), &caller, input, idempotency).await? {
                CreateOutcome::Created(created) => (
                    Token::of(&created.token, &created.modules),
                    Some(created.secret),
                    StatusCode::CREATED,
                ),
                CreateOutcome::Replayed(guid) => (
                    read_token(&state, &caller, &guid).await?,
                    None,
                    StatusCode::OK,
                ),
            }
        }
    };
    let location = format!("/api/v1/tokens/{}", token.guid);
    let mut response = json(
        status,
        &CreatedToken {
            token: token.clone(),
            secret: secret.map(|s| s.expose().to_owned()),
        },
    );
    with_etag(&mut response, token.version);
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// The request's `Idempotency-Key`, with the digest of its body, if it has one.
pub(super) fn idempotency(req: &HttpRequest, body: &[u8]) -> Result<Option<Idempotency>, ApiError> {
    let Some(key) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    match key.to_str().map(str::trim) {
        Ok(key) if (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(Some(Idempotency {
                key: key.to_owned(),
                request_digest: sha256_hex(body),
            }))
        }
        _ => Err(ApiError::bad_request(
            "Idempotency-Key must be 1 to 255 visible characters.",
        )),
    }
}

pub(super) async fn read_token(
    state: &AppState,
    caller: &ApiCaller,
    guid: &Guid,
) -> Result<Token, ApiError> {
    let (details, modules) = tokens::read(state.services(), caller, guid).await?;
    Ok(Token::of(&details, &modules))
}

pub(super) fn with_etag(response: &mut HttpResponse, version: i32) {
    response.headers_mut().insert(header::ETAG, etag(version));
}

pub(super) fn token_response(token: &Token) -> HttpResponse {
    let mut response = json(StatusCode::OK, token);
    with_etag(&mut response, token.version);
    response
}

#[utoipa::path(
    get, path = "/api/v1/tokens/{guid}", tag = "Tokens", summary = "Read a token",
    params(("guid" = String, Path, description = "The token's GUID")),
    responses(
        (status = 200, description = "The token", body = Token, headers(("ETag" = String))),
        (status = 401, description = "No valid API key", body = Problem),
        (status = 403, description = "The key may not read tokens", body = Problem),
        (status = 404, description = "No such token in the key's scopes", body = Problem),
        (status = 410, description = "The token was deleted: it is listed with `status=deleted`, and in the audit log", body = Problem),
    ),
    security(("api_key" = []))
)]
pub async fn read(
    state: web::Data<AppState>,
    caller: ApiCaller,
    guid: web::Path<Guid>,
) -> Result<HttpResponse, ApiError> {
    let token = read_token(&state, &caller, &guid).await?;
    if token.status == TokenStatus::Deleted {
        return Err(deleted());
    }
    Ok(token_response(&token))
}

/// Gone, as a client that deleted the token expects; its row is kept for the record.
pub(super) fn deleted() -> ApiError {
    tokens::TokenError::Deleted.into()
}

#[utoipa::path(
    patch, path = "/api/v1/tokens/{guid}", tag = "Tokens", summary = "Edit a token",
    params(("guid" = String, Path, description = "The token's GUID"),
           ("If-Match" = String, Header, description = "The ETag of the version read")),
    request_body = TokenChanges,
    responses(
        (status = 200, description = "The token as saved", body = Token, headers(("ETag" = String))),
        TokenChangeProblems,
        (status = 422, description = "A field is not valid, or the token would break a rule of its scopes' policies (`policy_violation`, with `rules`)", body = Problem),
    ),
    security(("api_key" = []))
)]
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: ApiCaller,
    guid: web::Path<Guid>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let changes: TokenChanges = super::parse_body(&req, &body)?;
    let if_match = if_match(&req)?;
    let current = tokens::find_changeable(state.services(), &caller, &guid).await?;
    let version = match if_match {
        IfMatch::Version(version) => version,
        IfMatch::Any => current.token.version,
    };
    let choices = tokens::catalog_for(state.services(), &caller).await?;
    let input = changes
        .apply(&current, &choices)
        .map_err(|e| ApiError::invalid(&e, api_field_name))?;
    tokens::update(state.services(), &caller, &guid, version, input).await?;
    Ok(token_response(&read_token(&state, &caller, &guid).await?))
}
