//! One-time codes for first-run setup. Only SHA-256 digests of codes are stored.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::setup_codes;
use super::{DbConnection, now};

/// Makes this the one valid code: codes printed at earlier starts stop working.
pub fn replace_code(
    conn: &mut DbConnection,
    digest: &str,
    expires_at: PrimitiveDateTime,
) -> QueryResult<()> {
    conn.transaction(|conn| {
        delete_all(conn)?;
        diesel::insert_into(setup_codes::table)
            .values((
                setup_codes::code_digest.eq(digest),
                setup_codes::created_at.eq(now()),
                setup_codes::expires_at.eq(expires_at),
            ))
            .execute(conn)?;
        Ok(())
    })
}

pub fn is_valid(conn: &mut DbConnection, digest: &str) -> QueryResult<bool> {
    let found: i64 = setup_codes::table
        .filter(setup_codes::code_digest.eq(digest))
        .filter(setup_codes::expires_at.gt(now()))
        .count()
        .get_result(conn)?;
    Ok(found > 0)
}

/// Consumes a valid code; true when it existed. Inside a transaction, the row lock makes
/// a second concurrent use of the same code see nothing.
pub fn consume(conn: &mut DbConnection, digest: &str) -> QueryResult<bool> {
    let deleted = diesel::delete(
        setup_codes::table
            .filter(setup_codes::code_digest.eq(digest))
            .filter(setup_codes::expires_at.gt(now())),
    )
    .execute(conn)?;
    Ok(deleted == 1)
}

pub fn delete_all(conn: &mut DbConnection) -> QueryResult<usize> {
    diesel::delete(setup_codes::table).execute(conn)
}
