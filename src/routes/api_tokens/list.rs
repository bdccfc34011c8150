//! `GET /settings/api-tokens`: the list, with filters, sorting and pages in the
//! query string.

use actix_web::{HttpRequest, web};

use crate::auth::{Authorized, CurrentAdmin, perm};
use crate::db::token_list::{self, PagePosition, TokenPage};
use crate::db::usage::daily_requests;
use crate::db::{DbError, now};
use crate::domain::ids::TokenId;
use crate::domain::permissions::Permission;
use crate::domain::scopes::ScopeAccess;
use crate::domain::token_list::{
    Cursor, ExpiringWithin, ListQuery, PageSize, SortDirection, SortKey, TokenCount, TokenFilter,
    first_position,
};
use crate::domain::tokens::IDLE_DAYS;
use crate::domain::tokens::TokenType;
use crate::domain::usage::Day;
use crate::http::AppError;
use crate::services::health::{FindingCount, summary};
use crate::services::tokens;
use crate::state::AppState;
use crate::urls;
use crate::views::charts::sparkline::{DAYS, sparkline};
use crate::views::format::Moment;
use crate::views::health::summary_line;
use crate::views::tokens::bulk::BulkBar;
use crate::views::tokens::{
    Choice, FilterBar, FilterNames, NameList, SortHeaders, TabLink, TokenActions, TokenListPage,
    TokenRow, expiring_notice,
};
use crate::views::{Layout, Section};

pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Authorized<perm::TokensRead>,
    query: web::Query<ListQuery>,
) -> Result<TokenListPage, AppError> {
    let filter = query.filter();
    render(
        &req,
        &state,
        &admin,
        &query,
        filter,
        urls::TOKENS,
        Vec::new(),
    )
    .await
}

/// Renders a list of tokens for `filter` (the full list, or one administrator's own).
pub async fn render(
    req: &HttpRequest,
    state: &AppState,
    admin: &CurrentAdmin,
    query: &ListQuery,
    filter: TokenFilter,
    base_path: &'static str,
    profile_tabs: Vec<TabLink>,
) -> Result<TokenListPage, AppError> {
    let (title, section) = if profile_tabs.is_empty() {
        ("API tokens", Section::ApiTokens)
    } else {
        ("API token management", Section::Profile)
    };
    let page_size = filter.page_size.rows();
    // The first page starts at 1; others know where from their links.
    let first = match query.cursor(filter.sort) {
        (None, None) => Some(1),
        _ => first_position(&query.from),
    };
    let position = match query.cursor(filter.sort) {
        (Some(after), _) => PagePosition::After(after),
        (None, Some(before)) => PagePosition::Before(before),
        (None, None) => PagePosition::First,
    };
    let access = admin.scope_access();
    let listed = filter.clone();
    let seen_by = access.clone();
    // The notice counts the tokens this list would show expiring soon, unless the
    // list is those already.
    let soon = (filter.expiring != Some(ExpiringWithin::NOTICE)).then(|| TokenFilter {
        expiring: Some(ExpiringWithin::NOTICE),
        created_by: filter.created_by,
        ..TokenFilter::default()
    });
    let today = Day::of(now());
    let everyone = profile_tabs.is_empty();
    let (page, scopes, expiring, requests, creators) = state
        .db
        .run(move |c| {
            let page = token_list::list(c, &listed, &seen_by, &position, page_size)?;
            let expiring = match &soon {
                Some(soon) => token_list::count_after_list(
                    c,
                    &page,
                    soon,
                    &seen_by,
                    ExpiringWithin::NOTICE_COUNT_LIMIT,
                )?,
                None => TokenCount::Exact(0),
            };
            let ids: Vec<TokenId> = page.tokens.iter().map(|t| t.id).collect();
            let requests = daily_requests(c, &ids, (today.plus(1 - DAYS as i32), today))?;
            let scopes = tokens::assignable_scopes(c, &seen_by)?;
            let creators = everyone.then(|| crate::db::admins::names(c)).transpose()?;
            Ok::<_, DbError>((page, scopes, expiring, requests, creators))
        })
        .await?;
    let expiring_notice = (expiring != TokenCount::Exact(0)).then(|| {
        let window = TokenFilter {
            expiring: Some(ExpiringWithin::NOTICE),
            sort: SortKey::Expires,
            direction: SortDirection::Asc,
            ..TokenFilter::default()
        };
        (
            expiring_notice(expiring, ExpiringWithin::NOTICE),
            format!("{base_path}?{}", window.query_string(&[])),
        )
    });
    let can_update = admin.can(Permission::TokensUpdate);
    let can_delete = admin.can(Permission::TokensDelete);
    let rows = rows(&page, &requests, &access, can_update, can_delete);
    let shown = rows.len() as i64;
    let link = |param: &str, cursor: &Cursor, from: Option<i64>| {
        let from = from.map(|n| n.to_string()).unwrap_or_default();
        format!(
            "{base_path}?{}",
            filter.query_string(&[(param, &cursor.encode()), ("from", &from)])
        )
    };
    let filters = FilterBar::new(
        &filter,
        &query.q,
        base_path,
        FilterNames {
            scopes: scopes.iter().map(|s| (s.id, s.name.clone())).collect(),
            modules: page.module_names.clone(),
            creators,
        },
    );
    let scope_choices: Vec<Choice> = scopes
        .into_iter()
        .map(|s| Choice {
            selected: false,
            value: s.id.to_string(),
            label: s.name,
        })
        .collect();
    let bulk =
        (profile_tabs.is_empty() && (can_update || can_delete) && !rows.is_empty()).then(|| {
            let all = match page.total {
                TokenCount::Exact(n) => format!(
                    "All {} matching these filters",
                    TokenCount::Exact(n).describe()
                ),
                TokenCount::MoreThan(_) => "All tokens matching these filters".to_owned(),
            };
            BulkBar::new(&filter, all, (can_update, can_delete), scope_choices)
        });
    let health_line = profile_tabs
        .is_empty()
        .then(|| health_summary(req, state, admin))
        .flatten()
        .and_then(|counts| summary_line(&counts));
    let running_low = if profile_tabs.is_empty() {
        crate::services::limits::running_low(state.services(), &admin.caller(req)).await?
    } else {
        Vec::new()
    };
    Ok(TokenListPage {
        layout: Layout::page(req, Some(admin), title, section),
        rows,
        total: first
            .and_then(|first| page.total.describe_range(first, shown))
            .unwrap_or_else(|| page.total.describe()),
        page_size_choices: PageSize::CHOICES
            .iter()
            .map(|n| Choice {
                value: n.to_string(),
                label: format!("{n} per page"),
                selected: *n == page_size,
            })
            .collect(),
        filtered: !filters.active.is_empty(),
        active_filters: filters.active.len(),
        no_scopes: matches!(&access, ScopeAccess::Scopes(ids) if ids.is_empty()),
        filters,
        expiring_notice,
        sort: SortHeaders::new(&filter, base_path),
        next_href: page
            .next
            .as_ref()
            .map(|c| link("after", c, first.map(|f| f + shown))),
        previous_href: page
            .previous
            .as_ref()
            .map(|c| link("before", c, first.map(|f| (f - page_size).max(1)))),
        can_create: admin.can(Permission::TokensCreate),
        base_path,
        export_query: profile_tabs.is_empty().then(|| filter.query_string(&[])),
        profile_tabs,
        bulk,
        health_line,
        running_low,
    })
}

/// The health findings' counts as of the last minute, worked out in the
/// background when older (the first view after that shows none).
fn health_summary(
    req: &HttpRequest,
    state: &AppState,
    admin: &CurrentAdmin,
) -> Option<Vec<FindingCount>> {
    let caller = admin.caller(req);
    let shared = req.app_data::<web::Data<AppState>>().cloned();
    state.health_summaries.latest(&caller, || {
        let Some(state) = shared else { return };
        let caller = caller.clone();
        actix_web::rt::spawn(async move {
            match summary(&state.db, &caller, None, IDLE_DAYS[0], now()).await {
                Ok(counts) => state.health_summaries.store(&caller, counts),
                Err(error) => tracing::warn!(%error, "counting the health findings failed"),
            }
        });
    })
}

fn rows(
    page: &TokenPage,
    requests: &[(TokenId, Day, i64)],
    access: &ScopeAccess,
    can_update: bool,
    can_delete: bool,
) -> Vec<TokenRow> {
    let now = now();
    let today = Day::of(now);
    let module_count = page.module_names.len();
    let module_name = |id: i64| {
        page.module_names
            .iter()
            .find(|(m, _)| *m == id)
            .map_or_else(String::new, |(_, name)| name.clone())
    };
    page.tokens
        .iter()
        .map(|t| {
            let status = t.lifecycle().status(now);
            let granted: Vec<i64> = page
                .custom_modules
                .iter()
                .filter(|(token, _)| *token == t.id)
                .map(|(_, module)| *module)
                .collect();
            let modules = match (t.token_type, granted.as_slice(), module_count) {
                (TokenType::Custom, [], _) => vec!["None".to_owned()],
                (TokenType::Custom, granted, _) => {
                    granted.iter().map(|m| module_name(*m)).collect()
                }
                (_, _, 0) => vec!["None yet".to_owned()],
                (_, _, 1) => vec![page.module_names[0].1.clone()],
                (_, _, n) => vec![format!("All {n} modules")],
            };
            let (scope_ids, scopes): (Vec<i64>, Vec<&str>) = page
                .scopes
                .iter()
                .filter(|(token, _, _)| *token == t.id)
                .map(|(_, id, name)| (*id, name.as_str()))
                .unzip();
            TokenRow {
                guid: t.guid.clone(),
                name: t.name.clone(),
                description: t.description.lines().next().unwrap_or_default().to_owned(),
                modules: NameList::new(modules),
                scopes: NameList::new(scopes.into_iter().map(str::to_owned).collect()),
                created_by: t
                    .creator_name
                    .clone()
                    .unwrap_or_else(|| "Command line".into()),
                created_by_id: t.creator_public_id.clone().unwrap_or_default(),
                created: Moment::of(&t.created_at, &now),
                last_used: Moment::or(&t.last_used_at, &now, "Never"),
                active_from: Moment::of(&t.valid_from, &now),
                expires: Moment::or(&t.valid_to, &now, "Never"),
                badge: status.into(),
                requests: {
                    let mut days = [0; DAYS];
                    for (_, day, n) in requests.iter().filter(|(token, _, _)| *token == t.id) {
                        let back = usize::try_from(today.0 - day.0).unwrap_or(DAYS);
                        if let Some(slot) = DAYS.checked_sub(back + 1) {
                            days[slot] += n;
                        }
                    }
                    sparkline(days)
                },
                expires_soon: t.lifecycle().expires_soon(now),
                version: t.version,
                actions: TokenActions::new(
                    status,
                    can_update,
                    can_delete,
                    access.may_change(&scope_ids),
                ),
            }
        })
        .collect()
}
