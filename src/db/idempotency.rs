//! Idempotency keys of token creates made through the API: which token a key's
//! request made, so a retry answers with that token instead of making another.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::DbConnection;
use super::schema::api_idempotency_keys as keys;

/// What a request with this idempotency key made: the digest of the request, and
/// the token's GUID.
pub fn find(
    conn: &mut DbConnection,
    api_key_id: i64,
    idempotency_key: &str,
) -> QueryResult<Option<(String, String)>> {
    keys::table
        .find((api_key_id, idempotency_key))
        .select((keys::request_digest, keys::token_guid))
        .first(conn)
        .optional()
}

pub fn insert(
    conn: &mut DbConnection,
    api_key_id: i64,
    idempotency_key: &str,
    request_digest: &str,
    token_guid: &str,
    at: PrimitiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(keys::table)
        .values((
            keys::api_key_id.eq(api_key_id),
            keys::idempotency_key.eq(idempotency_key),
            keys::request_digest.eq(request_digest),
            keys::token_guid.eq(token_guid),
            keys::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Forgets the keys of `api_key_id` used before `before`.
pub fn prune(
    conn: &mut DbConnection,
    api_key_id: i64,
    before: PrimitiveDateTime,
) -> QueryResult<()> {
    diesel::delete(
        keys::table
            .filter(keys::api_key_id.eq(api_key_id))
            .filter(keys::created_at.lt(before)),
    )
    .execute(conn)?;
    Ok(())
}
