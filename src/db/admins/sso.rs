//! Administrators who sign in through the identity provider: found by the subject
//! it gives them, or linked to it by their verified email.

use diesel::prelude::*;

use super::Administrator;
use crate::db::DbConnection;
use crate::db::schema::administrators;
use crate::domain::ids::AdministratorId;

/// What an administrator who signs in only through the provider has instead of a
/// password hash: no password matches it.
pub const NO_PASSWORD: &str = "!single-sign-on";

pub fn find_by_subject(
    conn: &mut DbConnection,
    issuer: &str,
    subject: &str,
) -> QueryResult<Option<Administrator>> {
    administrators::table
        .filter(administrators::sso_issuer.eq(issuer))
        .filter(administrators::sso_subject.eq(subject))
        .select(Administrator::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<Administrator>> {
    administrators::table
        .filter(administrators::email.eq(email))
        .select(Administrator::as_select())
        .first(conn)
        .optional()
}

/// Links an administrator to the provider's subject. (Two first sign-ins of one
/// person at once: the second fails on the unique index, and is refused.)
pub fn link(
    conn: &mut DbConnection,
    id: AdministratorId,
    issuer: &str,
    subject: &str,
) -> QueryResult<()> {
    diesel::update(administrators::table.find(id))
        .set((
            administrators::sso_issuer.eq(issuer),
            administrators::sso_subject.eq(subject),
        ))
        .execute(conn)
        .map(drop)
}
