//! Changing administrators: each function is one step of a use case in
//! [`crate::services::admins`].

use diesel::prelude::*;

use crate::db::schema::{administrator_scopes, administrators, sessions};
use crate::db::{DbConnection, DbError, is_unique_violation, now};
use crate::domain::ids::AdministratorId;

use super::{Administrator, find, find_by_public_id};

pub struct NewAdmin<'a> {
    pub public_id: &'a str,
    pub display_name: &'a str,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub role_key: &'a str,
    pub scope_ids: &'a [i64],
}

#[derive(Debug, thiserror::Error)]
pub enum AdminWriteError {
    #[error("an administrator with this email already exists")]
    EmailTaken,
    #[error("someone else changed this administrator meanwhile")]
    Conflict,
    #[error("administrator not found")]
    NotFound,
    #[error("unknown role or scope")]
    UnknownReference,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for AdminWriteError {
    fn from(error: diesel::result::Error) -> Self {
        AdminWriteError::Db(error.into())
    }
}

pub fn create(
    conn: &mut DbConnection,
    new: &NewAdmin<'_>,
) -> Result<Administrator, AdminWriteError> {
    conn.transaction(|conn| {
        let taken: i64 = administrators::table
            .filter(administrators::email.eq(new.email))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            return Err(AdminWriteError::EmailTaken);
        }
        let now = now();
        diesel::insert_into(administrators::table)
            .values((
                administrators::public_id.eq(new.public_id),
                administrators::display_name.eq(new.display_name),
                administrators::email.eq(new.email),
                administrators::password_hash.eq(new.password_hash),
                administrators::role_key.eq(new.role_key),
                administrators::password_changed_at.eq(now),
                administrators::created_at.eq(now),
                administrators::updated_at.eq(now),
                administrators::version.eq(1),
            ))
            .execute(conn)
            .map_err(map_write_error)?;
        let admin = find_by_public_id(conn, new.public_id)?.ok_or(AdminWriteError::NotFound)?;
        replace_scopes(conn, admin.id, new.scope_ids)?;
        Ok(admin)
    })
}

fn map_write_error(error: diesel::result::Error) -> AdminWriteError {
    use diesel::result::{DatabaseErrorKind, Error};
    match error {
        e if is_unique_violation(&e) => AdminWriteError::EmailTaken,
        Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
            AdminWriteError::UnknownReference
        }
        e => e.into(),
    }
}

fn replace_scopes(
    conn: &mut DbConnection,
    admin_id: AdministratorId,
    scope_ids: &[i64],
) -> Result<(), AdminWriteError> {
    diesel::delete(
        administrator_scopes::table.filter(administrator_scopes::administrator_id.eq(admin_id)),
    )
    .execute(conn)?;
    // One statement per row: MultiConnection has no batch insert.
    for scope_id in scope_ids {
        diesel::insert_into(administrator_scopes::table)
            .values((
                administrator_scopes::administrator_id.eq(admin_id),
                administrator_scopes::scope_id.eq(*scope_id),
            ))
            .execute(conn)
            .map_err(map_write_error)?;
    }
    Ok(())
}

/// Changes role and scopes, if nobody changed the administrator since `expected_version`.
pub fn update_access(
    conn: &mut DbConnection,
    id: AdministratorId,
    expected_version: i32,
    role_key: &str,
    scope_ids: &[i64],
) -> Result<(), AdminWriteError> {
    conn.transaction(|conn| {
        claim_version(conn, id, expected_version)?;
        diesel::update(administrators::table.find(id))
            .set(administrators::role_key.eq(role_key))
            .execute(conn)
            .map_err(map_write_error)?;
        replace_scopes(conn, id, scope_ids)
    })
}

/// Disables (ending every session) or enables an administrator.
pub fn set_disabled(
    conn: &mut DbConnection,
    id: AdministratorId,
    expected_version: i32,
    disabled: bool,
) -> Result<(), AdminWriteError> {
    conn.transaction(|conn| {
        claim_version(conn, id, expected_version)?;
        diesel::update(administrators::table.find(id))
            .set(administrators::disabled_at.eq(disabled.then(now)))
            .execute(conn)?;
        if disabled {
            end_sessions(conn, id)?;
        }
        Ok(())
    })
}

/// An administrator's own new display name, if nobody changed them meanwhile.
pub fn update_display_name(
    conn: &mut DbConnection,
    id: AdministratorId,
    expected_version: i32,
    display_name: &str,
) -> Result<(), AdminWriteError> {
    conn.transaction(|conn| {
        claim_version(conn, id, expected_version)?;
        diesel::update(administrators::table.find(id))
            .set(administrators::display_name.eq(display_name))
            .execute(conn)?;
        Ok(())
    })
}

/// Stores a new password hash and ends every session of the administrator.
pub fn set_password(
    conn: &mut DbConnection,
    id: AdministratorId,
    password_hash: &str,
) -> Result<(), AdminWriteError> {
    conn.transaction(|conn| {
        let now = now();
        let updated = diesel::update(administrators::table.find(id))
            .set((
                administrators::password_hash.eq(password_hash),
                administrators::password_changed_at.eq(now),
                administrators::updated_at.eq(now),
            ))
            .execute(conn)?;
        if updated == 0 {
            return Err(AdminWriteError::NotFound);
        }
        end_sessions(conn, id)?;
        Ok(())
    })
}

/// Claims the next version of the administrator, or reports who got there first.
/// Called inside the transaction that then applies the change.
fn claim_version(
    conn: &mut DbConnection,
    id: AdministratorId,
    expected_version: i32,
) -> Result<(), AdminWriteError> {
    let updated = diesel::update(
        administrators::table.filter(
            administrators::id
                .eq(id)
                .and(administrators::version.eq(expected_version)),
        ),
    )
    .set((
        administrators::version.eq(administrators::version + 1),
        administrators::updated_at.eq(now()),
    ))
    .execute(conn)?;
    if updated == 1 {
        return Ok(());
    }
    match find(conn, id)? {
        Some(_) => Err(AdminWriteError::Conflict),
        None => Err(AdminWriteError::NotFound),
    }
}

/// Deletes the administrator's sessions.
pub fn end_sessions(conn: &mut DbConnection, admin_id: AdministratorId) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::administrator_id.eq(admin_id))).execute(conn)
}

pub fn record_sign_in(conn: &mut DbConnection, id: AdministratorId) -> QueryResult<()> {
    diesel::update(administrators::table.find(id))
        .set(administrators::last_sign_in_at.eq(now()))
        .execute(conn)?;
    Ok(())
}
