//! Server-wide values every instance shares.

use diesel::prelude::*;

use super::schema::server_settings;
use super::{DbConnection, now};
use crate::on_backend;

pub fn get(conn: &mut DbConnection, name: &str) -> QueryResult<Option<String>> {
    server_settings::table
        .find(name)
        .select(server_settings::value)
        .first(conn)
        .optional()
}

/// Returns the stored value, storing `make()` first when there is none. When several
/// instances start at once, the first insert wins and all of them read the same value.
pub fn get_or_insert_with(
    conn: &mut DbConnection,
    name: &str,
    make: impl FnOnce() -> String,
) -> QueryResult<String> {
    if let Some(value) = get(conn, name)? {
        return Ok(value);
    }
    let insert = diesel::insert_into(server_settings::table)
        .values((
            server_settings::name.eq(name),
            server_settings::value.eq(make()),
            server_settings::updated_at.eq(now()),
        ))
        .on_conflict_do_nothing();
    on_backend!(conn, |c| insert.execute(c))?;
    get(conn, name)?.ok_or(diesel::result::Error::NotFound)
}

/// Stores `value` under `name`, replacing what was there.
pub fn put(conn: &mut DbConnection, name: &str, value: &str) -> QueryResult<()> {
    let upsert = diesel::insert_into(server_settings::table)
        .values((
            server_settings::name.eq(name),
            server_settings::value.eq(value),
            server_settings::updated_at.eq(now()),
        ))
        .on_conflict(server_settings::name)
        .do_update()
        .set((
            server_settings::value.eq(value),
            server_settings::updated_at.eq(now()),
        ));
    on_backend!(conn, |c| upsert.execute(c))?;
    Ok(())
}

/// Stores `value` under `name` if `expected` is still there (an instance's claim
/// on work that one instance does at a time); returns whether it was stored.
pub fn compare_and_set(
    conn: &mut DbConnection,
    name: &str,
    expected: &str,
    value: &str,
) -> QueryResult<bool> {
    let taken = diesel::update(
        server_settings::table
            .filter(server_settings::name.eq(name))
            .filter(server_settings::value.eq(expected)),
    )
    .set((
        server_settings::value.eq(value),
        server_settings::updated_at.eq(now()),
    ))
    .execute(conn)?;
    Ok(taken == 1)
}
