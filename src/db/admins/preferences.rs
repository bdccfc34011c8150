//! What each administrator wants to be mailed about expiring tokens.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::administrators;
use crate::domain::ids::AdministratorId;

/// Digests of the tokens they created (on unless they opt out), and of every token
/// of their scopes (off unless they opt in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpiryMail {
    pub own: bool,
    pub scopes: bool,
}

pub fn set_expiry_mail(
    conn: &mut DbConnection,
    id: AdministratorId,
    choice: ExpiryMail,
) -> QueryResult<()> {
    diesel::update(administrators::table.find(id))
        .set((
            administrators::expiry_mail_own.eq(choice.own),
            administrators::expiry_mail_scopes.eq(choice.scopes),
        ))
        .execute(conn)?;
    Ok(())
}

/// Enabled administrators who asked for digests of their scopes' tokens.
pub fn scope_watchers(conn: &mut DbConnection) -> QueryResult<Vec<AdministratorId>> {
    administrators::table
        .filter(administrators::disabled_at.is_null())
        .filter(administrators::expiry_mail_scopes.eq(true))
        .select(administrators::id)
        .load(conn)
}
