//! The ranking of tokens by requests and refused requests: every token's totals
//! over each period, summed in one pass, and the short lists kept per set of
//! scopes.

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use time::PrimitiveDateTime;

use super::DbConnection;
use super::schema::usage_leaders;
use super::settings;
use super::sql::{Bind, Sql};
use crate::domain::ids::TokenId;
use crate::domain::scopes::ScopeAccess;
use crate::domain::scopes::{ScopeSet, seen_patterns};
use crate::domain::usage::overview::{Leader, PeriodTotals, Ranking};
use crate::domain::usage::series::{Granularity, Period, Window};
use crate::domain::usage::{Day, HOURS_PER_DAY, Hour};
use crate::domain::verification::Outcome;

/// When the leaders were last ranked (RFC 3339).
const RANKED_AT: &str = "usage_ranked_at";
/// Leaders written per statement.
const ROWS_PER_STATEMENT: usize = 500;

#[derive(QueryableByName)]
struct Sums {
    #[diesel(sql_type = BigInt)]
    token_id: i64,
    #[diesel(sql_type = BigInt)]
    r0: i64,
    #[diesel(sql_type = BigInt)]
    f0: i64,
    #[diesel(sql_type = BigInt)]
    r1: i64,
    #[diesel(sql_type = BigInt)]
    f1: i64,
    #[diesel(sql_type = BigInt)]
    r2: i64,
    #[diesel(sql_type = BigInt)]
    f2: i64,
    #[diesel(sql_type = BigInt)]
    r3: i64,
    #[diesel(sql_type = BigInt)]
    f3: i64,
}

/// The requests of a row within `window`, as SQL: the whole day's total for the
/// days inside it, and for an hourly window's first day the hours from its start.
fn within(window: Window) -> String {
    let first = Hour::of(window.first);
    let day = first.day.0;
    match window.granularity {
        Granularity::Day => format!("CASE WHEN day >= {day} THEN total ELSE 0 END"),
        Granularity::Hour => {
            let hours: Vec<String> = (usize::from(first.of_day)..HOURS_PER_DAY)
                .map(|h| format!("COALESCE(h{h}, 0)"))
                .collect();
            format!(
                "CASE WHEN day > {day} THEN total WHEN day = {day} THEN {} ELSE 0 END",
                hours.join(" + ")
            )
        }
    }
}

/// Every token's requests and refused requests in each period at `now`, in one
/// pass over the rows of the longest. Tokens without requests are left out.
pub fn token_totals(
    conn: &mut DbConnection,
    now: PrimitiveDateTime,
) -> QueryResult<Vec<(TokenId, [PeriodTotals; Period::ALL.len()])>> {
    let windows = Period::ALL.map(|p| p.window(now));
    let first_day = windows
        .iter()
        .map(|w| w.days().0)
        .min()
        .unwrap_or(Day::of(now));
    let mut sql = Sql::new(conn);
    sql.push("SELECT token_id");
    for (i, window) in windows.into_iter().enumerate() {
        let within = within(window);
        sql.push(&format!(
            ", CAST(SUM({within}) AS BIGINT) AS r{i}, \
             CAST(SUM(CASE WHEN outcome = '{valid}' THEN 0 ELSE {within} END) AS BIGINT) AS f{i}",
            valid = Outcome::Valid.code()
        ));
    }
    sql.push(" FROM token_usage WHERE day >= ")
        .bind(Bind::Integer(first_day.0))
        .push(" GROUP BY token_id");
    let rows: Vec<Sums> = sql.load(conn)?;
    let totals = |requests, refused| PeriodTotals { requests, refused };
    Ok(rows
        .into_iter()
        .map(|r| {
            let periods = [
                totals(r.r0, r.f0),
                totals(r.r1, r.f1),
                totals(r.r2, r.f2),
                totals(r.r3, r.f3),
            ];
            (TokenId(r.token_id), periods)
        })
        .collect())
}

/// When the leaders were last ranked, if ever.
pub fn ranked_at(conn: &mut DbConnection) -> QueryResult<Option<PrimitiveDateTime>> {
    Ok(settings::get(conn, RANKED_AT)?.and_then(|at| parse(&at)))
}

fn parse(at: &str) -> Option<PrimitiveDateTime> {
    let at =
        time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).ok()?;
    Some(PrimitiveDateTime::new(at.date(), at.time()))
}

/// Replaces the leaders with these, ranked at `now`, unless another instance
/// ranked them since `seen` (what [`ranked_at`] returned before ranking): a
/// compare-and-set in the caller's transaction. Returns whether they were written.
pub fn replace(
    conn: &mut DbConnection,
    seen: Option<PrimitiveDateTime>,
    now: PrimitiveDateTime,
    leaders: &[Leader],
) -> QueryResult<bool> {
    let stored = settings::get_or_insert_with(conn, RANKED_AT, String::new)?;
    if parse(&stored) != seen {
        return Ok(false);
    }
    let stamp = now
        .assume_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    if !settings::compare_and_set(conn, RANKED_AT, &stored, &stamp)? {
        return Ok(false);
    }
    diesel::delete(usage_leaders::table).execute(conn)?;
    for chunk in leaders.chunks(ROWS_PER_STATEMENT) {
        let mut sql = Sql::new(conn);
        sql.push(
            "INSERT INTO usage_leaders (period, ranking, scope_set, token_id, requests, refused) \
             VALUES ",
        );
        for (i, l) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" })
                .bind_list([
                    Bind::Text(l.period.key().to_owned()),
                    Bind::Text(l.ranking.key().to_owned()),
                    Bind::Text(l.scope_set.key().to_owned()),
                    Bind::BigInt(l.token_id.0),
                    Bind::BigInt(l.totals.requests),
                    Bind::BigInt(l.totals.refused),
                ])
                .push(")");
        }
        sql.execute(conn)?;
    }
    Ok(true)
}

/// The leaders of one period and ranking of the sets the administrator sees.
pub fn leaders_of(
    conn: &mut DbConnection,
    access: &ScopeAccess,
    period: Period,
    ranking: Ranking,
) -> QueryResult<Vec<Leader>> {
    let mut sql = Sql::new(conn);
    sql.push("SELECT scope_set, token_id, requests, refused FROM usage_leaders WHERE period = ")
        .bind(Bind::Text(period.key().to_owned()))
        .push(" AND ranking = ")
        .bind(Bind::Text(ranking.key().to_owned()));
    if let Some(patterns) = seen_patterns(access) {
        if patterns.is_empty() {
            return Ok(Vec::new());
        }
        sql.push(" AND (");
        for (i, pattern) in patterns.into_iter().enumerate() {
            sql.push(if i == 0 {
                "scope_set LIKE "
            } else {
                " OR scope_set LIKE "
            })
            .bind(Bind::Text(pattern));
        }
        sql.push(")");
    }
    let rows: Vec<LeaderRow> = sql.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| Leader {
            period,
            ranking,
            scope_set: ScopeSet::from_stored(r.scope_set),
            token_id: TokenId(r.token_id),
            totals: PeriodTotals {
                requests: r.requests,
                refused: r.refused,
            },
        })
        .collect())
}

#[derive(QueryableByName)]
struct LeaderRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    scope_set: String,
    #[diesel(sql_type = BigInt)]
    token_id: i64,
    #[diesel(sql_type = BigInt)]
    requests: i64,
    #[diesel(sql_type = BigInt)]
    refused: i64,
}
