//! Usage across tokens: the counts of sets of scopes, the counts of unknown
//! tokens, and the sets of scopes of the tokens counted.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};
use time::PrimitiveDateTime;

use super::DbConnection;
use super::connection::MultiBackend;
use super::schema::{api_token_scopes, scope_set_usage, unknown_token_usage};
use super::sql::{Bind, Sql};
use super::usage::{DayHours, hour_columns, hours};
use crate::domain::ids::{Guid, TokenId};
use crate::domain::scopes::ScopeAccess;
use crate::domain::scopes::{ScopeSet, seen_patterns};
use crate::domain::tokens::Lifecycle;
use crate::domain::usage::Day;
use crate::domain::usage::series::{Granularity, StoredDay, Window};
use crate::domain::verification::Outcome;

/// Token IDs per statement.
const IDS_PER_STATEMENT: usize = 500;

/// The set of scopes of each of these tokens (the empty set for a token in none).
pub fn scope_sets_of(
    conn: &mut DbConnection,
    tokens: &[TokenId],
) -> QueryResult<HashMap<TokenId, ScopeSet>> {
    let mut scopes: HashMap<TokenId, Vec<i64>> =
        tokens.iter().map(|id| (*id, Vec::new())).collect();
    for chunk in tokens.chunks(IDS_PER_STATEMENT) {
        let ids: Vec<i64> = chunk.iter().map(|id| id.0).collect();
        let rows: Vec<(i64, i64)> = api_token_scopes::table
            .filter(api_token_scopes::token_id.eq_any(ids))
            .select((api_token_scopes::token_id, api_token_scopes::scope_id))
            .load(conn)?;
        for (token, scope) in rows {
            scopes.entry(TokenId(token)).or_default().push(scope);
        }
    }
    Ok(scopes
        .into_iter()
        .map(|(id, scopes)| (id, ScopeSet::of(scopes)))
        .collect())
}

/// The scope set of every token, for ranking them all.
pub fn every_scope_set(conn: &mut DbConnection) -> QueryResult<HashMap<TokenId, ScopeSet>> {
    let rows: Vec<(i64, i64)> = api_token_scopes::table
        .select((api_token_scopes::token_id, api_token_scopes::scope_id))
        .load(conn)?;
    let mut scopes: HashMap<TokenId, Vec<i64>> = HashMap::new();
    for (token, scope) in rows {
        scopes.entry(TokenId(token)).or_default().push(scope);
    }
    Ok(scopes
        .into_iter()
        .map(|(id, scopes)| (id, ScopeSet::of(scopes)))
        .collect())
}

type SetCondition =
    Box<dyn BoxableExpression<scope_set_usage::table, MultiBackend, SqlType = Bool>>;

/// The requests in `window` of the sets of scopes the administrator sees, summed
/// by day and outcome (with their hours, for an hourly window).
pub fn scope_set_rows(
    conn: &mut DbConnection,
    access: &ScopeAccess,
    window: Window,
) -> QueryResult<Vec<StoredDay>> {
    use diesel::dsl::{sql, sum};
    use scope_set_usage as s;
    let (first, last) = window.days();
    let seen = match seen_patterns(access) {
        None => None,
        Some(patterns) => {
            let mut patterns = patterns.into_iter();
            let Some(first) = patterns.next() else {
                return Ok(Vec::new());
            };
            let seen: SetCondition = patterns
                .fold(Box::new(s::scope_set.like(first)), |seen, p| {
                    Box::new(seen.or(s::scope_set.like(p)))
                });
            Some(seen)
        }
    };
    let total = || sql::<BigInt>("CAST(SUM(total) AS BIGINT)");
    let in_window = s::table
        .filter(s::day.between(first.0, last.0))
        .group_by((s::day, s::outcome));
    let rows: Vec<(i32, String, DayHours<i64>, i64)> = match window.granularity {
        // Days need their totals only, which the index by day holds.
        Granularity::Day => {
            let mut query = in_window.select((s::day, s::outcome, total())).into_boxed();
            if let Some(seen) = seen {
                query = query.filter(seen);
            }
            let rows: Vec<(i32, String, i64)> = query.load(conn)?;
            rows.into_iter()
                .map(|(day, outcome, total)| (day, outcome, Default::default(), total))
                .collect()
        }
        Granularity::Hour => {
            let mut query = in_window
                .select((s::day, s::outcome, hour_columns!(s, sum), total()))
                .into_boxed();
            if let Some(seen) = seen {
                query = query.filter(seen);
            }
            query.load(conn)?
        }
    };
    Ok(rows
        .into_iter()
        .filter_map(|(day, outcome, (am, pm), total)| {
            Some(StoredDay {
                day: Day(day),
                outcome: Outcome::from_code(&outcome)?,
                hours: hours(am, pm),
                total,
            })
        })
        .collect())
}

/// The requests with a malformed or unknown token from `first` to `last`, as
/// days with the outcome `invalid`.
pub fn unknown_rows(
    conn: &mut DbConnection,
    (first, last): (Day, Day),
) -> QueryResult<Vec<StoredDay>> {
    use unknown_token_usage as u;
    let rows: Vec<(i32, DayHours, i64)> = u::table
        .filter(u::day.between(first.0, last.0))
        .filter(u::client_ip.eq(""))
        .select((u::day, hour_columns!(u), u::total))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(day, (am, pm), total)| StoredDay {
            day: Day(day),
            outcome: Outcome::Invalid,
            hours: hours(am, pm),
            total,
        })
        .collect())
}

#[derive(QueryableByName)]
struct AddressRequests {
    #[diesel(sql_type = Text)]
    client_ip: String,
    #[diesel(sql_type = BigInt)]
    requests: i64,
}

/// The addresses that sent the most malformed or unknown tokens from `first` to
/// `last`, with their requests, at most `limit`.
pub fn top_unknown_addresses(
    conn: &mut DbConnection,
    (first, last): (Day, Day),
    limit: i64,
) -> QueryResult<Vec<(String, i64)>> {
    let mut sql = Sql::new(conn);
    sql.push(
        "SELECT client_ip, CAST(SUM(total) AS BIGINT) AS requests FROM unknown_token_usage \
         WHERE client_ip <> '' AND day BETWEEN ",
    )
    .bind(Bind::Integer(first.0))
    .push(" AND ")
    .bind(Bind::Integer(last.0))
    .push(" GROUP BY client_ip ORDER BY requests DESC, client_ip LIMIT ")
    .bind(Bind::BigInt(limit));
    let rows: Vec<AddressRequests> = sql.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.client_ip, r.requests))
        .collect())
}

/// A ranked token as its row reads now.
#[derive(Debug, Clone, Queryable)]
pub struct RankedTokenRow {
    pub id: i64,
    pub guid: Guid,
    pub name: String,
    pub valid_from: PrimitiveDateTime,
    pub valid_to: Option<PrimitiveDateTime>,
    pub disabled_at: Option<PrimitiveDateTime>,
    pub revoked_at: Option<PrimitiveDateTime>,
    pub deleted_at: Option<PrimitiveDateTime>,
}

impl RankedTokenRow {
    pub fn lifecycle(&self) -> Lifecycle {
        Lifecycle {
            valid_from: self.valid_from,
            valid_to: self.valid_to,
            disabled_at: self.disabled_at,
            revoked_at: self.revoked_at,
            deleted_at: self.deleted_at,
        }
    }
}

/// The tokens with these IDs (those still stored).
pub fn ranked_tokens(conn: &mut DbConnection, ids: &[TokenId]) -> QueryResult<Vec<RankedTokenRow>> {
    use super::schema::api_tokens as t;
    t::table
        .filter(t::id.eq_any(ids.iter().map(|id| id.0)))
        .select((
            t::id,
            t::guid,
            t::name,
            t::valid_from,
            t::valid_to,
            t::disabled_at,
            t::revoked_at,
            t::deleted_at,
        ))
        .load(conn)
}
