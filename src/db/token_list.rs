//! The API tokens list: filters, sorting and keyset pagination over any number of
//! tokens. The query is built as SQL text because it varies in shape (keywords,
//! scopes, cursors); it is the one place where the two backends' dialects differ,
//! and every value is a bound parameter.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamp};
use time::PrimitiveDateTime;

use super::connection::MultiBackend;
use super::schema::{api_token_permissions, api_token_scopes, modules, scopes};
use super::{DbConnection, now};
use crate::domain::scopes::ScopeAccess;
use crate::domain::token_list::{
    Cursor, CursorValue, SortDirection, SortKey, StatusFilter, TokenFilter,
};
use crate::domain::tokens::{Action, TokenStatus, TokenType};

/// One row of the list, with what its columns show.
#[derive(Debug, Clone, QueryableByName)]
pub struct ListedToken {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub guid: String,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub name_key: String,
    #[diesel(sql_type = Text)]
    pub description: String,
    #[diesel(sql_type = Text)]
    pub token_type: String,
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
    pub fn cursor(&self, sort: SortKey, now: PrimitiveDateTime) -> Cursor {
        let value = match sort {
            SortKey::Name => CursorValue::Text(self.name_key.clone()),
            SortKey::Created => CursorValue::Time(self.created_at),
            SortKey::LastUsed => {
                CursorValue::Time(self.last_used_at.unwrap_or(SortKey::NEVER_USED))
            }
            SortKey::Expires => CursorValue::Time(self.valid_to.unwrap_or(SortKey::NEVER_EXPIRES)),
            SortKey::Status => CursorValue::Rank(status_rank(self.lifecycle().status(now))),
        };
        Cursor { id: self.id, value }
    }
}

fn status_rank(status: TokenStatus) -> i32 {
    TokenStatus::ALL
        .iter()
        .position(|s| *s == status)
        .unwrap_or(0) as i32
}

/// A page of the list, with what the page around it needs.
#[derive(Debug, Clone)]
pub struct TokenPage {
    pub tokens: Vec<ListedToken>,
    pub total: i64,
    /// Cursors for the neighbouring pages, when there are any.
    pub next: Option<Cursor>,
    pub previous: Option<Cursor>,
    /// Per token ID: its scopes (ID, name), and the modules granted (IDs).
    pub scopes: Vec<(i64, i64, String)>,
    pub custom_modules: Vec<(i64, i64)>,
    pub module_names: Vec<(i64, String)>,
}

#[derive(Debug)]
enum Bind {
    Text(String),
    BigInt(i64),
    Integer(i32),
    Timestamp(PrimitiveDateTime),
}

/// SQL text with placeholders in the backend's style and the values they stand for.
struct Sql {
    postgres: bool,
    text: String,
    binds: Vec<Bind>,
}

impl Sql {
    fn new(conn: &DbConnection) -> Self {
        Self {
            postgres: matches!(conn, DbConnection::Postgres(_)),
            text: String::with_capacity(1024),
            binds: Vec::new(),
        }
    }

    fn push(&mut self, sql: &str) -> &mut Self {
        self.text.push_str(sql);
        self
    }

    fn bind(&mut self, value: Bind) -> &mut Self {
        self.binds.push(value);
        if self.postgres {
            self.text.push_str(&format!("${}", self.binds.len()));
        } else {
            self.text.push('?');
        }
        self
    }

    fn timestamp_literal(&self, value: &str) -> String {
        if self.postgres {
            format!("TIMESTAMP '{value}'")
        } else {
            format!("'{value}'")
        }
    }

    fn load<T>(self, conn: &mut DbConnection) -> QueryResult<Vec<T>>
    where
        T: QueryableByName<MultiBackend> + 'static,
    {
        let mut query = diesel::sql_query(self.text).into_boxed::<MultiBackend>();
        for bind in self.binds {
            query = match bind {
                Bind::Text(v) => query.bind::<Text, _>(v),
                Bind::BigInt(v) => query.bind::<BigInt, _>(v),
                Bind::Integer(v) => query.bind::<Integer, _>(v),
                Bind::Timestamp(v) => query.bind::<Timestamp, _>(v),
            };
        }
        query.load(conn)
    }
}

/// The expression a sort key orders by. Must match the indexes of the migrations
/// character for character, or the database sorts instead of walking an index.
fn sort_expression(sql: &mut Sql, sort: SortKey, now: PrimitiveDateTime) {
    match sort {
        SortKey::Name => {
            sql.push("t.name_key");
        }
        SortKey::Created => {
            sql.push("t.created_at");
        }
        SortKey::LastUsed => {
            let never = sql.timestamp_literal(SortKey::NEVER_USED_SQL);
            sql.push(&format!("COALESCE(t.last_used_at, {never})"));
        }
        SortKey::Expires => {
            let never = sql.timestamp_literal(SortKey::NEVER_EXPIRES_SQL);
            sql.push(&format!("COALESCE(t.valid_to, {never})"));
        }
        SortKey::Status => {
            // The rank of the first status whose own condition holds.
            sql.push("(CASE");
            for status in TokenStatus::PRECEDENCE {
                if status == TokenStatus::Active {
                    continue;
                }
                sql.push(" WHEN ");
                own_condition(sql, status, true, now);
                sql.push(&format!(" THEN {}", status as u8));
            }
            sql.push(&format!(" ELSE {} END)", TokenStatus::Active as u8));
        }
    }
}

/// The SQL of a status's own condition ([`TokenStatus::holds`]), or of its
/// negation; none for Active, whose condition always holds.
fn own_condition(sql: &mut Sql, status: TokenStatus, holds: bool, now: PrimitiveDateTime) {
    let (text, bound) = match (status, holds) {
        (TokenStatus::Deleted, true) => ("t.deleted_at IS NOT NULL", false),
        (TokenStatus::Deleted, false) => ("t.deleted_at IS NULL", false),
        (TokenStatus::Revoked, true) => ("t.revoked_at IS NOT NULL", false),
        (TokenStatus::Revoked, false) => ("t.revoked_at IS NULL", false),
        (TokenStatus::Disabled, true) => ("t.disabled_at IS NOT NULL", false),
        (TokenStatus::Disabled, false) => ("t.disabled_at IS NULL", false),
        (TokenStatus::Expired, true) => ("t.valid_to IS NOT NULL AND t.valid_to <= ", true),
        (TokenStatus::Expired, false) => ("(t.valid_to IS NULL OR t.valid_to > ", true),
        (TokenStatus::Scheduled, true) => ("t.valid_from > ", true),
        (TokenStatus::Scheduled, false) => ("t.valid_from <= ", true),
        (TokenStatus::Active, _) => return,
    };
    sql.push(text);
    if bound {
        sql.bind(Bind::Timestamp(now));
    }
    if (status, holds) == (TokenStatus::Expired, false) {
        sql.push(")");
    }
}

/// The condition of one precise status, as of `now`: its own, and none of those
/// that take precedence over it.
fn status_condition(sql: &mut Sql, status: TokenStatus, now: PrimitiveDateTime) {
    let earlier = TokenStatus::PRECEDENCE
        .into_iter()
        .take_while(|s| *s != status);
    let mut first = true;
    for (other, holds) in earlier.map(|s| (s, false)).chain([(status, true)]) {
        if other == TokenStatus::Active {
            continue;
        }
        if !first {
            sql.push(" AND ");
        }
        first = false;
        own_condition(sql, other, holds, now);
    }
    if first {
        sql.push("1 = 1");
    }
}

/// `%text%` for LIKE, with LIKE's own wildcards taken literally.
fn contains_pattern(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 2);
    escaped.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped.push('%');
    escaped
}

/// Which query the conditions are for: SQLite answers each fastest with a different
/// form of the scope condition (measured in bench/token_list.sh).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Page,
    Count,
}

fn where_clause(
    sql: &mut Sql,
    filter: &TokenFilter,
    visibility: &ScopeAccess,
    now: PrimitiveDateTime,
    purpose: Purpose,
) {
    sql.push(" WHERE 1 = 1");
    if let ScopeAccess::Scopes(ids) = visibility {
        if ids.is_empty() {
            sql.push(" AND 1 = 0");
        } else {
            // A page walks the sort index and checks each row; a count starts from
            // the tokens of those scopes.
            sql.push(match purpose {
                Purpose::Page => {
                    " AND EXISTS (SELECT 1 FROM api_token_scopes vs WHERE vs.token_id = t.id AND vs.scope_id IN ("
                }
                Purpose::Count => " AND t.id IN (SELECT vs.token_id FROM api_token_scopes vs WHERE vs.scope_id IN (",
            });
            for (i, id) in ids.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.bind(Bind::BigInt(*id));
            }
            sql.push("))");
        }
    }
    if let Some(scope_id) = filter.scope_id {
        sql.push(" AND EXISTS (SELECT 1 FROM api_token_scopes fs WHERE fs.token_id = t.id AND fs.scope_id = ");
        sql.bind(Bind::BigInt(scope_id));
        sql.push(")");
    }
    if let Some(creator) = filter.created_by {
        sql.push(" AND t.created_by = ");
        sql.bind(Bind::BigInt(creator));
    }
    for keyword in &filter.keywords {
        sql.push(" AND t.name_key LIKE ");
        sql.bind(Bind::Text(contains_pattern(keyword)));
        sql.push(" ESCAPE '\\'");
    }
    if let Some(guid) = &filter.guid {
        // GUIDs are found by their beginning (or whole), with the GUID index.
        if guid.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
            sql.push(" AND t.guid >= ");
            sql.bind(Bind::Text(guid.clone()));
            sql.push(" AND t.guid < ");
            sql.bind(Bind::Text(format!("{guid}~")));
        } else {
            sql.push(" AND 1 = 0");
        }
    }
    match filter.status {
        StatusFilter::AllButDeleted => {
            sql.push(" AND t.deleted_at IS NULL");
        }
        StatusFilter::Inactive => {
            sql.push(" AND t.deleted_at IS NULL AND NOT (");
            status_condition(sql, TokenStatus::Active, now);
            sql.push(")");
        }
        StatusFilter::Is(status) => {
            sql.push(" AND ");
            status_condition(sql, status, now);
        }
    }
}

const COLUMNS: &str = "t.id, t.guid, t.name, t.name_key, t.description, t.token_type, t.valid_from, \
    t.valid_to, t.disabled_at, t.revoked_at, t.deleted_at, t.created_at, t.last_used_at, t.version, \
    a.display_name AS creator_name, a.public_id AS creator_public_id";

/// One number per row: a count, or an ID.
#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The listed rows with these IDs, in the order of `ids`.
fn rows(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<ListedToken>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(conn);
    sql.push("SELECT ").push(COLUMNS).push(
        " FROM api_tokens t LEFT JOIN administrators a ON a.id = t.created_by WHERE t.id IN (",
    );
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(Bind::BigInt(*id));
    }
    sql.push(")");
    let mut rows: Vec<ListedToken> = sql.load(conn)?;
    rows.sort_by_key(|row| ids.iter().position(|id| *id == row.id));
    Ok(rows)
}

/// Where a page starts: after the cursor (next pages) or before it (previous pages).
#[derive(Debug, Clone)]
pub enum PagePosition {
    First,
    After(Cursor),
    Before(Cursor),
}

pub fn list(
    conn: &mut DbConnection,
    filter: &TokenFilter,
    visibility: &ScopeAccess,
    position: &PagePosition,
    page_size: i64,
) -> QueryResult<TokenPage> {
    let now = now();
    let sort = filter.sort;
    // Walking backwards for a previous page: flip the order, then the rows.
    let backwards = matches!(position, PagePosition::Before(_));
    let ascending = (filter.direction == SortDirection::Asc) != backwards;

    let mut sql = Sql::new(conn);
    // First the IDs of the page, from the sort order's covering index alone; then
    // the rows themselves.
    sql.push("SELECT t.id AS n FROM api_tokens t");
    if sort == SortKey::Status && !sql.postgres {
        // The status order is computed, so no index gives it; without this hint SQLite
        // reads every row through the partial name index to sort them.
        sql.push(" INDEXED BY api_tokens_by_created");
    }
    where_clause(&mut sql, filter, visibility, now, Purpose::Page);
    if let PagePosition::After(cursor) | PagePosition::Before(cursor) = position {
        sql.push(" AND (");
        sort_expression(&mut sql, sort, now);
        sql.push(", t.id) ")
            .push(if ascending { ">" } else { "<" })
            .push(" (");
        sql.bind(match &cursor.value {
            CursorValue::Text(v) => Bind::Text(v.clone()),
            CursorValue::Time(v) => Bind::Timestamp(*v),
            CursorValue::Rank(v) => Bind::Integer(*v),
        });
        sql.push(", ");
        sql.bind(Bind::BigInt(cursor.id));
        sql.push(")");
    }
    let order = if ascending { " ASC" } else { " DESC" };
    sql.push(" ORDER BY ");
    sort_expression(&mut sql, sort, now);
    sql.push(order).push(", t.id").push(order);
    sql.push(&format!(" LIMIT {}", page_size + 1));
    let ids: Vec<i64> = sql
        .load::<Count>(conn)?
        .into_iter()
        .map(|row| row.n)
        .collect();
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
    let next = next.map(|t| t.cursor(sort, now));
    let previous = previous.map(|t| t.cursor(sort, now));

    let mut count = Sql::new(conn);
    count.push("SELECT COUNT(*) AS n FROM api_tokens t");
    where_clause(&mut count, filter, visibility, now, Purpose::Count);
    let total = count.load::<Count>(conn)?.first().map_or(0, |c| c.n);

    let ids: Vec<i64> = tokens.iter().map(|t| t.id).collect();
    let scopes = api_token_scopes::table
        .inner_join(scopes::table)
        .filter(api_token_scopes::token_id.eq_any(&ids))
        .order(scopes::name_key.asc())
        .select((api_token_scopes::token_id, scopes::id, scopes::name))
        .load(conn)?;
    let custom_ids: Vec<i64> = tokens
        .iter()
        .filter(|t| TokenType::from_key(&t.token_type) == Some(TokenType::Custom))
        .map(|t| t.id)
        .collect();
    let mut custom_modules: Vec<(i64, i64)> = api_token_permissions::table
        .filter(api_token_permissions::token_id.eq_any(&custom_ids))
        .filter(api_token_permissions::action.eq_any([Action::Read.key(), Action::Write.key()]))
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
    })
}
