//! Failed sign-in counters, shared by every instance through the database.

use diesel::prelude::*;

use super::schema::sign_in_throttle;
use super::{DbConnection, now};
use crate::domain::throttle::{ThrottlePolicy, ThrottleState};

pub fn get(conn: &mut DbConnection, key: &str) -> QueryResult<Option<ThrottleState>> {
    let row: Option<(
        i32,
        time::PrimitiveDateTime,
        Option<time::PrimitiveDateTime>,
    )> = sign_in_throttle::table
        .find(key)
        .select((
            sign_in_throttle::failures,
            sign_in_throttle::window_started_at,
            sign_in_throttle::locked_until,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(
        |(failures, window_started_at, locked_until)| ThrottleState {
            failures,
            window_started_at,
            locked_until,
        },
    ))
}

/// Counts one more failure under `key`, in a transaction so concurrent failures all count.
pub fn record_failure(
    conn: &mut DbConnection,
    key: &str,
    policy: &ThrottlePolicy,
) -> QueryResult<ThrottleState> {
    conn.transaction(|conn| {
        let previous = get(conn, key)?;
        let next = policy.after_failure(previous.as_ref(), now());
        let values = (
            sign_in_throttle::throttle_key.eq(key),
            sign_in_throttle::failures.eq(next.failures),
            sign_in_throttle::window_started_at.eq(next.window_started_at),
            sign_in_throttle::locked_until.eq(next.locked_until),
        );
        let upsert = diesel::insert_into(sign_in_throttle::table)
            .values(values)
            .on_conflict(sign_in_throttle::throttle_key)
            .do_update()
            .set(values);
        crate::on_backend!(&mut *conn, |c| upsert.execute(c))?;
        Ok(next)
    })
}

pub fn clear(conn: &mut DbConnection, key: &str) -> QueryResult<()> {
    diesel::delete(sign_in_throttle::table.find(key)).execute(conn)?;
    Ok(())
}

/// Removes counters whose window and lock are both over.
pub fn delete_stale(conn: &mut DbConnection, older_than: time::Duration) -> QueryResult<usize> {
    let cutoff = now() - older_than;
    diesel::delete(
        sign_in_throttle::table
            .filter(sign_in_throttle::window_started_at.lt(cutoff))
            .filter(
                sign_in_throttle::locked_until
                    .is_null()
                    .or(sign_in_throttle::locked_until.lt(now())),
            ),
    )
    .execute(conn)
}
