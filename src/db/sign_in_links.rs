//! One-time sign-in links, made on the server's command line for when the identity
//! provider is down. Only SHA-256 digests of their codes are stored.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::sign_in_links;
use super::{DbConnection, now};
use crate::domain::ids::AdministratorId;

/// Keeps a new link, and removes those that expired (their retention rule: they
/// open nothing).
pub fn insert(
    conn: &mut DbConnection,
    digest: &str,
    admin_id: AdministratorId,
    expires_at: PrimitiveDateTime,
) -> QueryResult<()> {
    diesel::delete(sign_in_links::table.filter(sign_in_links::expires_at.le(now())))
        .execute(conn)?;
    diesel::insert_into(sign_in_links::table)
        .values((
            sign_in_links::code_digest.eq(digest),
            sign_in_links::administrator_id.eq(admin_id),
            sign_in_links::created_at.eq(now()),
            sign_in_links::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .map(drop)
}

/// Consumes a code that has not expired: whom it signs in, once. Two uses at once
/// cannot both delete the row.
pub fn consume(conn: &mut DbConnection, digest: &str) -> QueryResult<Option<AdministratorId>> {
    let found = sign_in_links::table
        .filter(sign_in_links::code_digest.eq(digest))
        .filter(sign_in_links::expires_at.gt(now()))
        .select(sign_in_links::administrator_id)
        .first::<AdministratorId>(conn)
        .optional()?;
    let Some(admin_id) = found else {
        return Ok(None);
    };
    let deleted =
        diesel::delete(sign_in_links::table.filter(sign_in_links::code_digest.eq(digest)))
            .execute(conn)?;
    Ok((deleted == 1).then_some(admin_id))
}
