//! Usage counts, added in batches: each statement adds many rows' counts to what is
//! stored (`ON CONFLICT ... DO UPDATE`), so several instances' counts sum.

use std::net::IpAddr;

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::DbConnection;
use super::sql::{Bind, Sql};
use crate::domain::ids::TokenId;
use crate::domain::scopes::ScopeSet;
use crate::domain::tokens::Action;
use crate::domain::usage::series::StoredDay;
use crate::domain::usage::{Day, HOURS_PER_DAY, Hour};
use crate::domain::verification::Outcome;

/// Rows per statement: well within both backends' limits on bound values.
const ROWS_PER_STATEMENT: usize = 500;

/// Requests of one token in one hour with one outcome (and, passing, one module
/// and action).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenCount {
    pub token_id: TokenId,
    pub hour: Hour,
    pub outcome: Outcome,
    pub access: Option<(String, Action)>,
    pub requests: i64,
}

/// Requests with a malformed or unknown token in one hour: from every address
/// (`None`), or from one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCount {
    pub hour: Hour,
    pub client_ip: Option<IpAddr>,
    pub requests: i64,
}

/// The latest passing use of a token's module and action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionUse {
    pub token_id: TokenId,
    pub module: String,
    pub action: Action,
    pub at: PrimitiveDateTime,
}

/// Adds token counts; returns the statements run. Each statement holds one hour's
/// rows, whose keys must be distinct (as a tally's are).
pub fn add_token_counts(conn: &mut DbConnection, counts: &[TokenCount]) -> QueryResult<usize> {
    add_by_hour(
        conn,
        counts,
        |c| c.hour,
        "token_usage",
        "token_id, day, outcome, module, action",
        |c| {
            let (module, action) = match &c.access {
                Some((module, action)) => (module.clone(), action.key()),
                None => (String::new(), ""),
            };
            let key = vec![
                Bind::BigInt(c.token_id.0),
                Bind::Integer(c.hour.day.0),
                Bind::Text(c.outcome.code().to_owned()),
                Bind::Text(module),
                Bind::Text(action.to_owned()),
            ];
            (key, c.requests)
        },
    )
}

/// Adds the counts of malformed and unknown tokens; returns the statements run.
pub fn add_unknown_counts(conn: &mut DbConnection, counts: &[UnknownCount]) -> QueryResult<usize> {
    add_by_hour(
        conn,
        counts,
        |c| c.hour,
        "unknown_token_usage",
        "day, client_ip",
        |c| {
            let ip = c.client_ip.map(|ip| ip.to_string()).unwrap_or_default();
            (
                vec![Bind::Integer(c.hour.day.0), Bind::Text(ip)],
                c.requests,
            )
        },
    )
}

/// Requests of the tokens of one set of scopes in one hour with one outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeSetCount {
    pub scope_set: ScopeSet,
    pub hour: Hour,
    pub outcome: Outcome,
    pub requests: i64,
}

/// Adds the counts of sets of scopes; returns the statements run.
pub fn add_scope_set_counts(
    conn: &mut DbConnection,
    counts: &[ScopeSetCount],
) -> QueryResult<usize> {
    add_by_hour(
        conn,
        counts,
        |c| c.hour,
        "scope_set_usage",
        "scope_set, day, outcome",
        |c| {
            let key = vec![
                Bind::Text(c.scope_set.key().to_owned()),
                Bind::Integer(c.hour.day.0),
                Bind::Text(c.outcome.code().to_owned()),
            ];
            (key, c.requests)
        },
    )
}

/// Inserts `rows` into `table`, each with its key and its count in the column of
/// its hour and in the total, or adds the count to the row already there. One
/// statement per hour (and per [`ROWS_PER_STATEMENT`] rows of it).
fn add_by_hour<T>(
    conn: &mut DbConnection,
    rows: &[T],
    hour_of: impl Fn(&T) -> Hour,
    table: &str,
    key_columns: &str,
    key_and_count: impl Fn(&T) -> (Vec<Bind>, i64),
) -> QueryResult<usize> {
    let mut hours: Vec<Hour> = rows.iter().map(&hour_of).collect();
    hours.sort_unstable();
    hours.dedup();
    let mut statements = 0;
    for hour in hours {
        let column = format!("h{}", hour.of_day);
        let in_hour: Vec<&T> = rows.iter().filter(|r| hour_of(r) == hour).collect();
        for chunk in in_hour.chunks(ROWS_PER_STATEMENT) {
            let mut sql = Sql::new(conn);
            sql.push(&format!(
                "INSERT INTO {table} ({key_columns}, {column}, total) VALUES "
            ));
            for (i, row) in chunk.iter().enumerate() {
                let (mut values, requests) = key_and_count(row);
                values.extend([Bind::BigInt(requests), Bind::BigInt(requests)]);
                sql.push(if i == 0 { "(" } else { ", (" })
                    .bind_list(values)
                    .push(")");
            }
            sql.push(&format!(
                " ON CONFLICT ({key_columns}) DO UPDATE SET {column} = \
                 COALESCE({table}.{column}, 0) + excluded.{column}, \
                 total = {table}.total + excluded.total"
            ));
            sql.execute(conn)?;
            statements += 1;
        }
    }
    Ok(statements)
}

/// Keeps the latest use of each (token, module, action); the uses' keys must be
/// distinct. Returns the statements run.
pub fn record_permission_uses(
    conn: &mut DbConnection,
    uses: &[PermissionUse],
) -> QueryResult<usize> {
    let mut statements = 0;
    for chunk in uses.chunks(ROWS_PER_STATEMENT) {
        let mut sql = Sql::new(conn);
        sql.push(
            "INSERT INTO token_permission_uses (token_id, module, action, last_used_at) VALUES ",
        );
        for (i, used) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" })
                .bind_list([
                    Bind::BigInt(used.token_id.0),
                    Bind::Text(used.module.clone()),
                    Bind::Text(used.action.key().to_owned()),
                    Bind::Timestamp(used.at),
                ])
                .push(")");
        }
        sql.push(
            " ON CONFLICT (token_id, module, action) DO UPDATE SET last_used_at = CASE WHEN \
             excluded.last_used_at > token_permission_uses.last_used_at THEN \
             excluded.last_used_at ELSE token_permission_uses.last_used_at END",
        );
        sql.execute(conn)?;
        statements += 1;
    }
    Ok(statements)
}

/// A table's hour columns as two tuples of twelve (Diesel selects tuples of up to
/// sixteen), read back with [`hours`]; with a function such as `sum`, of each.
macro_rules! hour_columns {
    ($t:ident $(, $f:path)?) => {
        (
            ($($f)?($t::h0), $($f)?($t::h1), $($f)?($t::h2), $($f)?($t::h3), $($f)?($t::h4), $($f)?($t::h5), $($f)?($t::h6), $($f)?($t::h7), $($f)?($t::h8), $($f)?($t::h9), $($f)?($t::h10), $($f)?($t::h11)),
            ($($f)?($t::h12), $($f)?($t::h13), $($f)?($t::h14), $($f)?($t::h15), $($f)?($t::h16), $($f)?($t::h17), $($f)?($t::h18), $($f)?($t::h19), $($f)?($t::h20), $($f)?($t::h21), $($f)?($t::h22), $($f)?($t::h23)),
        )
    };
}
pub(super) use hour_columns;

/// A stored row of a token's usage: one day, outcome, module and action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageRow {
    pub day: StoredDay,
    /// For passing requests that named one.
    pub access: Option<(String, Action)>,
}

/// The hour columns as [`hour_columns`] selects them.
pub(super) type DayHours<T = i32> = (Hours<T>, Hours<T>);

pub(super) type Hours<T = i32> = (
    Option<T>,
    Option<T>,
    Option<T>,
    Option<T>,
    Option<T>,
    Option<T>,
    Option<T>,
    Option<T>,
    Option<T>,
    Option<T>,
    Option<T>,
    Option<T>,
);

/// The token's rows for the days `first` to `last`.
pub fn token_rows(
    conn: &mut DbConnection,
    token_id: TokenId,
    (first, last): (Day, Day),
) -> QueryResult<Vec<UsageRow>> {
    use super::schema::token_usage as u;
    let rows: Vec<(i32, String, String, String, DayHours, i64)> = u::table
        .filter(u::token_id.eq(token_id.0))
        .filter(u::day.between(first.0, last.0))
        .select((
            u::day,
            u::outcome,
            u::module,
            u::action,
            hour_columns!(u),
            u::total,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(day, outcome, module, action, (am, pm), total)| {
            // A code this version does not know (written by a newer one) is left out.
            let outcome = Outcome::from_code(&outcome)?;
            let access = Action::from_key(&action).map(|action| (module, action));
            Some(UsageRow {
                day: StoredDay {
                    day: Day(day),
                    outcome,
                    hours: hours(am, pm),
                    total,
                },
                access,
            })
        })
        .collect())
}

pub(super) fn hours<T: Into<i64>>(am: Hours<T>, pm: Hours<T>) -> [Option<i64>; HOURS_PER_DAY] {
    let (a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11) = am;
    let (p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11) = pm;
    [
        a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, p0, p1, p2, p3, p4, p5, p6, p7, p8, p9,
        p10, p11,
    ]
    .map(|hour| hour.map(Into::into))
}

/// The latest passing use of each of the token's (module, action).
pub fn permission_uses(
    conn: &mut DbConnection,
    token_id: TokenId,
) -> QueryResult<Vec<(String, Action, PrimitiveDateTime)>> {
    use super::schema::token_permission_uses as p;
    let rows: Vec<(String, String, PrimitiveDateTime)> = p::table
        .filter(p::token_id.eq(token_id.0))
        .select((p::module, p::action, p::last_used_at))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(module, action, at)| Some((module, Action::from_key(&action)?, at)))
        .collect())
}

#[derive(QueryableByName)]
struct DayTotal {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    token_id: i64,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    day: i32,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    requests: i64,
}

/// The requests of each of these tokens on each day from `first` to `last` (the
/// days with some only).
pub fn daily_requests(
    conn: &mut DbConnection,
    tokens: &[TokenId],
    (first, last): (Day, Day),
) -> QueryResult<Vec<(TokenId, Day, i64)>> {
    if tokens.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(conn);
    sql.push(
        "SELECT token_id, day, CAST(SUM(total) AS BIGINT) AS requests FROM token_usage \
         WHERE token_id IN (",
    )
    .bind_list(tokens.iter().map(|id| Bind::BigInt(id.0)))
    .push(") AND day BETWEEN ")
    .bind(Bind::Integer(first.0))
    .push(" AND ")
    .bind(Bind::Integer(last.0))
    .push(" GROUP BY token_id, day");
    let rows: Vec<DayTotal> = sql.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| (TokenId(r.token_id), Day(r.day), r.requests))
        .collect())
}
