//! Exact token counts per (set of scopes, stored status). The database's triggers
//! append every change to `token_count_changes` in the transaction that writes the
//! token (see the migration `token_counts`); [`fold`] moves them into one row per
//! pair every few seconds, and a count is the sum of both, read in one statement (one snapshot), so
//! it is exact whether or not a fold ran meanwhile.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, SmallInt};
use diesel::upsert::excluded;

use super::schema::{token_count_changes, token_counts};
use super::sql::{Bind, Sql};
use super::{DbConnection, now, token_status, write_transaction};
use crate::domain::scopes::{ScopeAccess, seen_patterns};
use crate::domain::token_list::StatusCounts;
use crate::domain::tokens::TokenStatus;
use crate::on_backend;

/// Changes folded per transaction, at most.
const FOLD_BATCH: i64 = 20_000;

#[derive(QueryableByName)]
struct StatusCount {
    #[diesel(sql_type = SmallInt)]
    status: i16,
    #[diesel(sql_type = BigInt)]
    tokens: i64,
}

/// How many tokens the administrator sees in each status, of one scope if `scope`
/// is given. Stored statuses whose time has come are refreshed first, so that
/// tokens that expired or started a moment ago are counted as they are now.
pub fn status_counts(
    conn: &mut DbConnection,
    access: &ScopeAccess,
    scope: Option<i64>,
) -> QueryResult<StatusCounts> {
    token_status::refresh_due(conn, now())?;
    let mut sql = Sql::new(conn);
    sql.push(
        "SELECT status, CAST(SUM(tokens) AS BIGINT) AS tokens FROM (\
         SELECT scope_set, status, tokens FROM token_counts UNION ALL \
         SELECT scope_set, status, change AS tokens FROM token_count_changes) AS c WHERE 1 = 1",
    );
    if let Some(patterns) = seen_patterns(access) {
        sql.push(" AND (1 = 0");
        for pattern in patterns {
            sql.push(" OR scope_set LIKE ").bind(Bind::Text(pattern));
        }
        sql.push(")");
    }
    if let Some(scope) = scope {
        sql.push(" AND scope_set LIKE ")
            .bind(Bind::Text(format!("%,{scope},%")));
    }
    sql.push(" GROUP BY status");
    let mut counts = StatusCounts::default();
    for row in sql.load::<StatusCount>(conn)? {
        if let Some(status) = usize::try_from(row.status)
            .ok()
            .and_then(|rank| TokenStatus::ALL.get(rank))
        {
            counts.add(*status, row.tokens);
        }
    }
    Ok(counts)
}

/// Moves the oldest appended changes (a batch) into the counts, in the caller's
/// write transaction; returns how many, `None` when there were none. Each change is
/// deleted, and so added, by one fold only.
pub fn fold_batch(conn: &mut DbConnection) -> QueryResult<Option<usize>> {
    // One fold at a time on PostgreSQL (readers are not held up): two deleting the
    // same changes could otherwise lock them in opposite orders.
    if let DbConnection::Postgres(pg) = conn {
        diesel::sql_query("LOCK TABLE token_counts IN SHARE ROW EXCLUSIVE MODE").execute(pg)?;
    }
    let Some(first) = token_count_changes::table
        .select(diesel::dsl::min(token_count_changes::id))
        .first::<Option<i64>>(conn)?
    else {
        return Ok(None);
    };
    let changes: Vec<(String, i16, i32)> = diesel::delete(
        token_count_changes::table.filter(token_count_changes::id.lt(first + FOLD_BATCH)),
    )
    .returning((
        token_count_changes::scope_set,
        token_count_changes::status,
        token_count_changes::change,
    ))
    .get_results(conn)?;
    let mut sums: BTreeMap<(String, i16), i64> = BTreeMap::new();
    for (scope_set, status, change) in &changes {
        *sums.entry((scope_set.clone(), *status)).or_default() += i64::from(*change);
    }
    for ((scope_set, status), change) in sums.into_iter().filter(|(_, c)| *c != 0) {
        let upsert = diesel::insert_into(token_counts::table)
            .values((
                token_counts::scope_set.eq(scope_set),
                token_counts::status.eq(status),
                token_counts::tokens.eq(change),
            ))
            .on_conflict((token_counts::scope_set, token_counts::status))
            .do_update()
            .set(token_counts::tokens.eq(token_counts::tokens + excluded(token_counts::tokens)));
        on_backend!(&mut *conn, |c| upsert.execute(c))?;
    }
    // Pairs no token is in any more.
    diesel::delete(token_counts::table.filter(token_counts::tokens.eq(0))).execute(conn)?;
    Ok(Some(changes.len()))
}

/// Folds every appended change, a batch per transaction; returns how many.
pub fn fold(conn: &mut DbConnection) -> QueryResult<usize> {
    let mut folded = 0;
    while let Some(batch) = write_transaction(conn, fold_batch)? {
        folded += batch;
    }
    Ok(folded)
}
