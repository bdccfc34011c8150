//! Server-side session rows. Keys are stored as SHA-256 digests, so reading the table
//! does not let anyone take over a session.

use diesel::prelude::*;
use time::{Duration, PrimitiveDateTime};

use super::schema::sessions;
use super::{DbConnection, now};
use crate::domain::ids::AdministratorId;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub state: String,
    pub created_at: PrimitiveDateTime,
    pub expires_at: PrimitiveDateTime,
}

/// The live session with this digest; expired ones (idle or past `lifetime`) are removed.
pub fn load(
    conn: &mut DbConnection,
    digest: &str,
    lifetime: Duration,
) -> QueryResult<Option<String>> {
    let row: Option<SessionRow> = sessions::table
        .find(digest)
        .select(SessionRow::as_select())
        .first(conn)
        .optional()?;
    let Some(row) = row else { return Ok(None) };
    let now = now();
    if row.expires_at <= now || row.created_at + lifetime <= now {
        delete(conn, digest)?;
        return Ok(None);
    }
    Ok(Some(row.state))
}

pub fn insert(
    conn: &mut DbConnection,
    digest: &str,
    administrator_id: Option<AdministratorId>,
    state: &str,
    ttl: Duration,
) -> QueryResult<()> {
    let now = now();
    diesel::insert_into(sessions::table)
        .values((
            sessions::key_digest.eq(digest),
            sessions::administrator_id.eq(administrator_id),
            sessions::state.eq(state),
            sessions::created_at.eq(now),
            sessions::expires_at.eq(now + ttl),
        ))
        .execute(conn)?;
    Ok(())
}

/// Saves new state into a live session; false when the session is gone meanwhile
/// (signed out elsewhere, or its administrator disabled).
pub fn update(
    conn: &mut DbConnection,
    digest: &str,
    administrator_id: Option<AdministratorId>,
    state: &str,
    ttl: Duration,
) -> QueryResult<bool> {
    let now = now();
    let updated = diesel::update(
        sessions::table
            .filter(sessions::key_digest.eq(digest))
            .filter(sessions::expires_at.gt(now)),
    )
    .set((
        sessions::administrator_id.eq(administrator_id),
        sessions::state.eq(state),
        sessions::expires_at.eq(now + ttl),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Pushes the idle expiry forward after activity.
pub fn touch(conn: &mut DbConnection, digest: &str, ttl: Duration) -> QueryResult<()> {
    let now = now();
    diesel::update(
        sessions::table
            .filter(sessions::key_digest.eq(digest))
            .filter(sessions::expires_at.gt(now)),
    )
    .set(sessions::expires_at.eq(now + ttl))
    .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut DbConnection, digest: &str) -> QueryResult<()> {
    diesel::delete(sessions::table.find(digest)).execute(conn)?;
    Ok(())
}

/// Removes sessions past their idle expiry or their absolute lifetime.
pub fn delete_expired(conn: &mut DbConnection, lifetime: Duration) -> QueryResult<usize> {
    let now = now();
    diesel::delete(
        sessions::table.filter(
            sessions::expires_at
                .le(now)
                .or(sessions::created_at.le(now - lifetime)),
        ),
    )
    .execute(conn)
}
