//! The API tokens list: filters, sorting and keyset pagination over any number of
//! tokens. The query is built as SQL text because it varies in shape (keywords,
//! scopes, cursors); it is the one place where the two backends' dialects differ,
//! and every value is a bound parameter.

mod conditions;
mod export;
mod plan;

pub use export::{ExportWalk, ExportedToken};

use super::sql::{Bind, Sql};
use conditions::{Purpose, from_where, sort_expression};
pub(crate) use plan::Number;
use plan::{KeywordSearch, Share, keyword_search, scope_share};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, SmallInt, Text, Timestamp};
use time::PrimitiveDateTime;

use super::schema::{api_token_permissions, api_token_scopes, modules, scopes};
use super::{DbConnection, now, token_counts, token_status};
use crate::domain::ids::{Guid, TokenId};
use crate::domain::scopes::ScopeAccess;
use crate::domain::token_list::{
    Cursor, CursorValue, EXACT_COUNT_LIMIT, SortDirection, SortKey, TokenCount, TokenFilter,
};
use crate::domain::tokens::{Action, TokenType};

/// One row of the list, with what its columns show.
#[derive(Debug, Clone, QueryableByName)]
pub struct ListedToken {
    #[diesel(sql_type = BigInt)]
    pub id: TokenId,
    #[diesel(sql_type = Text)]
    pub guid: Guid,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub name_key: String,
    #[diesel(sql_type = Text)]
    pub description: String,
    #[diesel(sql_type = Text)]
    pub token_type: TokenType,
    #[diesel(sql_type = Timestamp)]
    pub valid_from: PrimitiveDateTime,
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub valid_to: Option<PrimitiveDateTime>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub disabled_at: Option<PrimitiveDateTime>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub revoked_at: Option<PrimitiveDateTime>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub deleted_at: Option<PrimitiveDateTime>,
    #[diesel(sql_type = Timestamp)]
    pub created_at: PrimitiveDateTime,
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub last_used_at: Option<PrimitiveDateTime>,
    #[diesel(sql_type = Integer)]
    pub version: i32,
    /// The stored status's rank, which the list sorts by.
    #[diesel(sql_type = SmallInt)]
    pub status: i16,
    #[diesel(sql_type = Nullable<Text>)]
    pub creator_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub creator_public_id: Option<String>,
}

impl ListedToken {
    pub fn lifecycle(&self) -> crate::domain::tokens::Lifecycle {
        crate::domain::tokens::Lifecycle {
            valid_from: self.valid_from,
            valid_to: self.valid_to,
            disabled_at: self.disabled_at,
            revoked_at: self.revoked_at,
            deleted_at: self.deleted_at,
        }
    }

    /// The value of the sort column, for the cursor of the next page.
    pub fn cursor(&self, sort: SortKey) -> Cursor {
        let value = match sort {
            SortKey::Name => CursorValue::Text(self.name_key.clone()),
            SortKey::Created => CursorValue::Time(self.created_at),
            SortKey::LastUsed => {
                CursorValue::Time(self.last_used_at.unwrap_or(SortKey::NEVER_USED))
            }
            SortKey::Expires => CursorValue::Time(self.valid_to.unwrap_or(SortKey::NEVER_EXPIRES)),
            SortKey::Status => CursorValue::Rank(self.status.into()),
        };
        Cursor { id: self.id, value }
    }
}

/// A page of the list, with what the page around it needs.
#[derive(Debug, Clone)]
pub struct TokenPage {
    pub tokens: Vec<ListedToken>,
    pub total: TokenCount,
    /// Cursors for the neighbouring pages, when there are any.
    pub next: Option<Cursor>,
    pub previous: Option<Cursor>,
    /// Per token ID: its scopes (ID, name), and the modules granted (IDs).
    pub scopes: Vec<(TokenId, i64, String)>,
    pub custom_modules: Vec<(TokenId, i64)>,
    pub module_names: Vec<(i64, String)>,
    /// How much of the list the viewer's scopes hold, for further counts.
    share: Share,
}

const COLUMNS: &str = "t.id, t.guid, t.name, t.name_key, t.description, t.token_type, t.valid_from, \
    t.valid_to, t.disabled_at, t.revoked_at, t.deleted_at, t.created_at, t.last_used_at, t.version, t.status, \
    a.display_name AS creator_name, a.public_id AS creator_public_id";

/// The listed rows with these IDs, in the order of `ids`.
fn rows(conn: &mut DbConnection, ids: &[TokenId]) -> QueryResult<Vec<ListedToken>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(conn);
    sql.push("SELECT ").push(COLUMNS).push(
        " FROM api_tokens t LEFT JOIN administrators a ON a.id = t.created_by WHERE t.id IN (",
    );
    sql.bind_list(ids.iter().map(|id| Bind::BigInt(id.0)));
    sql.push(")");
    let mut rows: Vec<ListedToken> = sql.load(conn)?;
    let order: std::collections::HashMap<TokenId, usize> =
        ids.iter().enumerate().map(|(at, id)| (*id, at)).collect();
    rows.sort_by_key(|row| order.get(&row.id).copied());
    Ok(rows)
}

/// Where a page starts: after the cursor (next pages) or before it (previous pages).
#[derive(Debug, Clone)]
pub enum PagePosition {
    First,
    After(Cursor),
    Before(Cursor),
}

/// How many tokens, up to `limit`, match another `filter` (all but its page) than
/// the `listed` page, read for the same viewer with [`list`], whose refresh of the
/// stored statuses and plan it relies on.
pub fn count_after_list(
    conn: &mut DbConnection,
    listed: &TokenPage,
    filter: &TokenFilter,
    visibility: &ScopeAccess,
    limit: i64,
) -> QueryResult<TokenCount> {
    let search = keyword_search(conn, &filter.keywords)?;
    count_matching(
        conn,
        filter,
        visibility,
        listed.share,
        search.as_ref(),
        limit,
    )
}

/// Exact from the kept counts when only status and scope narrow the list; else
/// counted up to one past `limit`.
fn count_matching(
    conn: &mut DbConnection,
    filter: &TokenFilter,
    visibility: &ScopeAccess,
    scopes: Share,
    search: Option<&KeywordSearch>,
    limit: i64,
) -> QueryResult<TokenCount> {
    if filter.counted_by_status() {
        let counts = token_counts::status_counts(conn, visibility, filter.scope_id)?;
        return Ok(TokenCount::Exact(counts.matching(filter.status)));
    }
    let mut count = Sql::new(conn);
    count.push("SELECT COUNT(*) AS n FROM (SELECT 1");
    from_where(
        &mut count,
        filter,
        visibility,
        scopes,
        search,
        Purpose::Count,
    );
    count.push(&format!(" LIMIT {}) AS matching", limit + 1));
    let counted = count.load::<Number>(conn)?.first().map_or(0, |c| c.n);
    Ok(TokenCount::from_capped(counted, limit))
}

/// What a query of the list starts from: statuses whose time has come (or whose
/// dates changed) refreshed first, so that filters and the status order agree with
/// the rule; then how much the viewer's scopes hold, and the keywords' search.
fn prepare(
    conn: &mut DbConnection,
    filter: &TokenFilter,
    visibility: &ScopeAccess,
) -> QueryResult<(Share, Option<KeywordSearch>)> {
    token_status::refresh_due(conn, now())?;
    let share = scope_share(conn, visibility)?;
    Ok((share, keyword_search(conn, &filter.keywords)?))
}

/// The IDs of the tokens the viewer sees that match `filter` (its page aside), in ID
/// order: at most `limit` and one more, to say there are more.
pub fn matching_ids(
    conn: &mut DbConnection,
    filter: &TokenFilter,
    visibility: &ScopeAccess,
    limit: usize,
) -> QueryResult<Vec<TokenId>> {
    let (share, search) = prepare(conn, filter, visibility)?;
    let mut sql = Sql::new(conn);
    sql.push("SELECT t.id AS n");
    from_where(
        &mut sql,
        filter,
        visibility,
        share,
        search.as_ref(),
        Purpose::Count,
    );
    sql.push(&format!(" ORDER BY t.id LIMIT {}", limit + 1));
    Ok(sql
        .load::<Number>(conn)?
        .into_iter()
        .map(|row| TokenId(row.n))
        .collect())
}

/// The IDs of a page in the list's order, from the sort order's covering index
/// alone: after or before the cursor (walking backwards for a previous page, so
/// in reverse), at most `limit` (every one, without).
fn page_ids(
    conn: &mut DbConnection,
    filter: &TokenFilter,
    visibility: &ScopeAccess,
    (share, search): (Share, Option<&KeywordSearch>),
    position: &PagePosition,
    limit: Option<i64>,
) -> QueryResult<Vec<TokenId>> {
    let sort = filter.sort;
    let backwards = matches!(position, PagePosition::Before(_));
    let ascending = (filter.direction == SortDirection::Asc) != backwards;
    let mut sql = Sql::new(conn);
    sql.push("SELECT t.id AS n");
    from_where(&mut sql, filter, visibility, share, search, Purpose::Page);
    if let PagePosition::After(cursor) | PagePosition::Before(cursor) = position {
        sql.push(" AND (");
        sort_expression(&mut sql, sort);
        sql.push(", t.id) ")
            .push(if ascending { ">" } else { "<" })
            .push(" (");
        sql.bind(match &cursor.value {
            CursorValue::Text(v) => Bind::Text(v.clone()),
            CursorValue::Time(v) => Bind::Timestamp(*v),
            CursorValue::Rank(v) => Bind::Integer(*v),
        });
        sql.push(", ");
        sql.bind(Bind::BigInt(cursor.id.0));
        sql.push(")");
    }
    let order = if ascending { " ASC" } else { " DESC" };
    sql.push(" ORDER BY ");
    sort_expression(&mut sql, sort);
    sql.push(order).push(", t.id").push(order);
    if let Some(limit) = limit {
        sql.push(&format!(" LIMIT {limit}"));
    }
    Ok(sql
        .load::<Number>(conn)?
        .into_iter()
        .map(|row| TokenId(row.n))
        .collect())
}

pub fn list(
    conn: &mut DbConnection,
    filter: &TokenFilter,
    visibility: &ScopeAccess,
    position: &PagePosition,
    page_size: i64,
) -> QueryResult<TokenPage> {
    let (share, search) = prepare(conn, filter, visibility)?;
    let sort = filter.sort;
    let backwards = matches!(position, PagePosition::Before(_));
    let ids = page_ids(
        conn,
        filter,
        visibility,
        (share, search.as_ref()),
        position,
        Some(page_size + 1),
    )?;
    let mut tokens = rows(conn, &ids)?;

    let more = tokens.len() as i64 > page_size;
    tokens.truncate(page_size as usize);
    if backwards {
        tokens.reverse();
    }
    let (next, previous) = match position {
        PagePosition::First => (more.then(|| tokens.last()).flatten(), None),
        PagePosition::After(_) => (more.then(|| tokens.last()).flatten(), tokens.first()),
        PagePosition::Before(_) => (tokens.last(), more.then(|| tokens.first()).flatten()),
    };
    let next = next.map(|t| t.cursor(sort));
    let previous = previous.map(|t| t.cursor(sort));

    let total = count_matching(
        conn,
        filter,
        visibility,
        share,
        search.as_ref(),
        EXACT_COUNT_LIMIT,
    )?;

    let ids: Vec<TokenId> = tokens.iter().map(|t| t.id).collect();
    let scopes = api_token_scopes::table
        .inner_join(scopes::table)
        .filter(api_token_scopes::token_id.eq_any(&ids))
        .order(scopes::name_key.asc())
        .select((api_token_scopes::token_id, scopes::id, scopes::name))
        .load(conn)?;
    let custom_ids: Vec<TokenId> = tokens
        .iter()
        .filter(|t| t.token_type == TokenType::Custom)
        .map(|t| t.id)
        .collect();
    let mut custom_modules: Vec<(TokenId, i64)> = api_token_permissions::table
        .filter(api_token_permissions::token_id.eq_any(&custom_ids))
        .filter(api_token_permissions::action.eq_any(Action::ALL))
        .select((
            api_token_permissions::token_id,
            api_token_permissions::module_id,
        ))
        .load(conn)?;
    custom_modules.sort_unstable();
    custom_modules.dedup();
    let module_names = modules::table
        .order(modules::name.asc())
        .select((modules::id, modules::name))
        .load(conn)?;

    Ok(TokenPage {
        tokens,
        total,
        next,
        previous,
        scopes,
        custom_modules,
        module_names,
        share,
    })
}
