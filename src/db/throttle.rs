//! Attempt counters (sign-in, password re-confirmation, token reveals, failed API
//! keys), shared by
//! every instance through the database. Each attempt is counted by one statement
//! that returns the counter as it left it, so concurrent attempts each see their own
//! count and none slips past a limit.

use diesel::dsl::case_when;
use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::sign_in_throttle as t;
use super::{DbConnection, now};
use crate::domain::throttle::{ThrottlePolicy, ThrottleState};

/// Counts one attempt under `key` and returns the counter after it. A window that
/// is over, or a lock that has ended, starts the count again; a lock in force is
/// neither lifted nor extended; the attempt that reaches the limit sets the lock.
pub fn count_attempt(
    conn: &mut DbConnection,
    key: &str,
    policy: &ThrottlePolicy,
) -> QueryResult<ThrottleState> {
    let now = now();
    let window_cutoff = now - policy.window;
    let new_lock: Option<PrimitiveDateTime> = policy.lock().map(|lock| now + lock);
    let first_lock = new_lock.filter(|_| policy.max_attempts <= 1);
    // Still counting: the window runs, and no lock has come and gone.
    let counting = t::window_started_at
        .gt(window_cutoff)
        .and(t::locked_until.is_null().or(t::locked_until.gt(now)));
    let upsert = diesel::insert_into(t::table)
        .values((
            t::throttle_key.eq(key),
            t::failures.eq(1),
            t::window_started_at.eq(now),
            t::locked_until.eq(first_lock),
        ))
        .on_conflict(t::throttle_key)
        .do_update()
        .set((
            t::failures.eq(case_when(counting, t::failures + 1).otherwise(1)),
            t::window_started_at.eq(case_when(counting, t::window_started_at).otherwise(now)),
            t::locked_until.eq(case_when(t::locked_until.gt(now), t::locked_until)
                .when(
                    counting.and((t::failures + 1).ge(policy.max_attempts)),
                    new_lock,
                )
                .otherwise(first_lock)),
        ))
        .returning((t::failures, t::window_started_at, t::locked_until));
    let (failures, window_started_at, locked_until) = crate::on_backend!(&mut *conn, |c| upsert
        .get_result::<(i32, PrimitiveDateTime, Option<PrimitiveDateTime>,)>(c))?;
    Ok(ThrottleState {
        failures,
        window_started_at,
        locked_until,
    })
}

/// The counter `key` as it stands, if there is one.
pub fn find(conn: &mut DbConnection, key: &str) -> QueryResult<Option<ThrottleState>> {
    let row = t::table
        .find(key)
        .select((t::failures, t::window_started_at, t::locked_until))
        .first::<(i32, PrimitiveDateTime, Option<PrimitiveDateTime>)>(conn)
        .optional()?;
    Ok(row.map(
        |(failures, window_started_at, locked_until)| ThrottleState {
            failures,
            window_started_at,
            locked_until,
        },
    ))
}

/// Takes back one counted attempt that turned out to be legitimate (a successful
/// sign-in from a client IP that others share).
pub fn forgive_one(conn: &mut DbConnection, key: &str) -> QueryResult<()> {
    diesel::update(t::table.find(key).filter(t::failures.gt(0)))
        .set(t::failures.eq(t::failures - 1))
        .execute(conn)?;
    Ok(())
}

pub fn clear(conn: &mut DbConnection, key: &str) -> QueryResult<()> {
    diesel::delete(t::table.find(key)).execute(conn)?;
    Ok(())
}

/// Removes the counter `key` and those whose keys extend it (`key/...`).
pub fn clear_family(conn: &mut DbConnection, key: &str) -> QueryResult<usize> {
    diesel::delete(
        t::table.filter(
            t::throttle_key
                .eq(key)
                .or(t::throttle_key.like(format!("{key}/%"))),
        ),
    )
    .execute(conn)
}

/// Removes counters whose window and lock are both over.
pub fn delete_stale(conn: &mut DbConnection, older_than: time::Duration) -> QueryResult<usize> {
    let cutoff = now() - older_than;
    diesel::delete(
        t::table
            .filter(t::window_started_at.lt(cutoff))
            .filter(t::locked_until.is_null().or(t::locked_until.lt(now()))),
    )
    .execute(conn)
}
