//! The status the list filters and sorts by, stored with each token: the status as
//! of its last refresh and the time at which time alone changes it. Both come from
//! [`Lifecycle::status_until`]; the database only marks rows due (new rows, and rows
//! whose dates change, through a trigger), and this module refreshes them.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::DbConnection;
use super::schema::api_tokens;
use super::sql::{Bind, Sql};
use crate::domain::ids::TokenId;
use crate::domain::tokens::Lifecycle;

/// Rows read and written per statement: three values each.
const BATCH: i64 = 5000;

type DueRow = (
    TokenId,
    i32,
    PrimitiveDateTime,
    Option<PrimitiveDateTime>,
    Option<PrimitiveDateTime>,
    Option<PrimitiveDateTime>,
    Option<PrimitiveDateTime>,
);

/// The status and its end for a token's dates, as stored.
pub fn stored_status(
    lifecycle: &Lifecycle,
    now: PrimitiveDateTime,
) -> (i16, Option<PrimitiveDateTime>) {
    let (status, until) = lifecycle.status_until(now);
    (status.rank().into(), until)
}

/// Refreshes every token whose stored status is due; returns how many. With none
/// due, this is one probe of the index of due rows and no write. A token
/// changed meanwhile (its version moved on) is left due for the next refresh.
pub fn refresh_due(conn: &mut DbConnection, now: PrimitiveDateTime) -> QueryResult<usize> {
    let mut refreshed = 0;
    loop {
        // Found through the index of due rows: no order, which would read the table.
        let due: Vec<DueRow> = api_tokens::table
            .filter(api_tokens::status_until.le(now))
            .select((
                api_tokens::id,
                api_tokens::version,
                api_tokens::valid_from,
                api_tokens::valid_to,
                api_tokens::disabled_at,
                api_tokens::revoked_at,
                api_tokens::deleted_at,
            ))
            .limit(BATCH)
            .load(conn)?;
        if due.is_empty() {
            return Ok(refreshed);
        }
        let mut sql = Sql::new(conn);
        sql.push("UPDATE api_tokens SET status = CAST(v.column3 AS SMALLINT), status_until = v.column4 FROM ")
            .values(due.iter().map(
                |&(id, version, valid_from, valid_to, disabled_at, revoked_at, deleted_at)| {
                    let lifecycle = Lifecycle {
                        valid_from,
                        valid_to,
                        disabled_at,
                        revoked_at,
                        deleted_at,
                    };
                    let (status, until) = stored_status(&lifecycle, now);
                    [
                        Bind::BigInt(id.0),
                        Bind::Integer(version),
                        Bind::Integer(status.into()),
                        Bind::NullableTimestamp(until),
                    ]
                },
            ))
            .push(" WHERE api_tokens.id = v.column1 AND api_tokens.version = v.column2");
        let written = sql.execute(conn)?;
        refreshed += written;
        // Rows changed meanwhile stay due; stop rather than read them again at once.
        if written == 0 || (due.len() as i64) < BATCH {
            return Ok(refreshed);
        }
    }
}
