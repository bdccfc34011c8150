//! Usage counts, added in batches: each statement adds many rows' counts to what is
//! stored (`ON CONFLICT ... DO UPDATE`), so several instances' counts sum.

use std::net::IpAddr;

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::DbConnection;
use super::sql::{Bind, Sql};
use crate::domain::ids::TokenId;
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

/// A stored row of a token's usage: one day, outcome, module and action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageRow {
    pub day: StoredDay,
    /// For passing requests that named one.
    pub access: Option<(String, Action)>,
}

type Hours = (
    Option<i32>,
    Option<i32>,
    Option<i32>,
    Option<i32>,
    Option<i32>,
    Option<i32>,
    Option<i32>,
    Option<i32>,
    Option<i32>,
    Option<i32>,
    Option<i32>,
    Option<i32>,
);

/// The token's rows for the days `first` to `last`.
pub fn token_rows(
    conn: &mut DbConnection,
    token_id: TokenId,
    (first, last): (Day, Day),
) -> QueryResult<Vec<UsageRow>> {
    use super::schema::token_usage as u;
    let rows: Vec<(i32, String, String, String, Hours, Hours, i64)> = u::table
        .filter(u::token_id.eq(token_id.0))
        .filter(u::day.between(first.0, last.0))
        .select((
            u::day,
            u::outcome,
            u::module,
            u::action,
            (
                u::h0,
                u::h1,
                u::h2,
                u::h3,
                u::h4,
                u::h5,
                u::h6,
                u::h7,
                u::h8,
                u::h9,
                u::h10,
                u::h11,
            ),
            (
                u::h12,
                u::h13,
                u::h14,
                u::h15,
                u::h16,
                u::h17,
                u::h18,
                u::h19,
                u::h20,
                u::h21,
                u::h22,
                u::h23,
            ),
            u::total,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(day, outcome, module, action, am, pm, total)| {
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

fn hours(am: Hours, pm: Hours) -> [Option<i32>; HOURS_PER_DAY] {
    let (a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11) = am;
    let (p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11) = pm;
    [
        a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, p0, p1, p2, p3, p4, p5, p6, p7, p8, p9,
        p10, p11,
    ]
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
