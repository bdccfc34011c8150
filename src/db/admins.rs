//! Administrators, their roles and their scopes.
//!
//! [`Administrator`] never carries the password hash; only [`find_credentials`]
//! reads it, for sign-in.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::{
    administrator_scopes, administrators, role_permissions, roles, scopes, sessions,
};
use super::{DbConnection, DbError, is_unique_violation, now};
use crate::domain::permissions::PermissionSet;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = administrators)]
pub struct Administrator {
    pub id: i64,
    pub public_id: String,
    pub display_name: String,
    pub email: String,
    pub role_key: String,
    pub disabled_at: Option<PrimitiveDateTime>,
    pub last_sign_in_at: Option<PrimitiveDateTime>,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
    pub version: i32,
}

impl Administrator {
    pub fn label(&self) -> String {
        crate::domain::admins::label(&self.display_name, &self.public_id)
    }

    pub fn is_enabled(&self) -> bool {
        self.disabled_at.is_none()
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = roles)]
pub struct Role {
    pub role_key: String,
    pub name: String,
    pub description: String,
}

/// An administrator with everything needed to decide what they may do.
#[derive(Debug, Clone)]
pub struct AdminAccess {
    pub admin: Administrator,
    pub role_name: String,
    pub permissions: PermissionSet,
    pub scope_ids: Vec<i64>,
}

/// A row of Settings > Administrators.
#[derive(Debug, Clone)]
pub struct AdminSummary {
    pub admin: Administrator,
    pub role_name: String,
    pub scope_ids: Vec<i64>,
    pub scope_names: Vec<String>,
}

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

pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    administrators::table.count().get_result(conn)
}

pub fn roles(conn: &mut DbConnection) -> QueryResult<Vec<Role>> {
    roles::table
        .order(roles::position.asc())
        .select(Role::as_select())
        .load(conn)
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Administrator>> {
    administrators::table
        .find(id)
        .select(Administrator::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_public_id(
    conn: &mut DbConnection,
    public_id: &str,
) -> QueryResult<Option<Administrator>> {
    administrators::table
        .filter(administrators::public_id.eq(public_id))
        .select(Administrator::as_select())
        .first(conn)
        .optional()
}

/// The ID, password hash and disabled flag for a sign-in attempt.
pub fn find_credentials(
    conn: &mut DbConnection,
    email: &str,
) -> QueryResult<Option<(i64, String, Option<PrimitiveDateTime>)>> {
    administrators::table
        .filter(administrators::email.eq(email))
        .select((
            administrators::id,
            administrators::password_hash,
            administrators::disabled_at,
        ))
        .first(conn)
        .optional()
}

pub fn password_hash(conn: &mut DbConnection, id: i64) -> QueryResult<String> {
    administrators::table
        .find(id)
        .select(administrators::password_hash)
        .first(conn)
}

pub fn load_access(conn: &mut DbConnection, id: i64) -> QueryResult<Option<AdminAccess>> {
    let Some(admin) = find(conn, id)? else {
        return Ok(None);
    };
    let role_name = roles::table
        .find(&admin.role_key)
        .select(roles::name)
        .first(conn)?;
    let keys: Vec<String> = role_permissions::table
        .filter(role_permissions::role_key.eq(&admin.role_key))
        .select(role_permissions::permission)
        .load(conn)?;
    let scope_ids = administrator_scopes::table
        .filter(administrator_scopes::administrator_id.eq(id))
        .select(administrator_scopes::scope_id)
        .load(conn)?;
    Ok(Some(AdminAccess {
        admin,
        role_name,
        permissions: PermissionSet::from_keys(keys.iter().map(String::as_str)),
        scope_ids,
    }))
}

pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<AdminSummary>> {
    let rows: Vec<(Administrator, String)> = administrators::table
        .inner_join(roles::table)
        .order((administrators::display_name.asc(), administrators::id.asc()))
        .select((Administrator::as_select(), roles::name))
        .load(conn)?;
    with_scopes(conn, rows)
}

pub fn summary(conn: &mut DbConnection, public_id: &str) -> QueryResult<Option<AdminSummary>> {
    let rows: Vec<(Administrator, String)> = administrators::table
        .inner_join(roles::table)
        .filter(administrators::public_id.eq(public_id))
        .select((Administrator::as_select(), roles::name))
        .load(conn)?;
    Ok(with_scopes(conn, rows)?.pop())
}

fn with_scopes(
    conn: &mut DbConnection,
    rows: Vec<(Administrator, String)>,
) -> QueryResult<Vec<AdminSummary>> {
    let ids: Vec<i64> = rows.iter().map(|(a, _)| a.id).collect();
    let assignments: Vec<(i64, i64, String)> = administrator_scopes::table
        .inner_join(scopes::table)
        .filter(administrator_scopes::administrator_id.eq_any(&ids))
        .order(scopes::name_key.asc())
        .select((
            administrator_scopes::administrator_id,
            scopes::id,
            scopes::name,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(admin, role_name)| {
            let mine = assignments.iter().filter(|(a, _, _)| *a == admin.id);
            let (scope_ids, scope_names) = mine.map(|(_, id, name)| (*id, name.clone())).unzip();
            AdminSummary {
                admin,
                role_name,
                scope_ids,
                scope_names,
            }
        })
        .collect())
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
    admin_id: i64,
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
    id: i64,
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
    id: i64,
    expected_version: i32,
    disabled: bool,
) -> Result<(), AdminWriteError> {
    conn.transaction(|conn| {
        claim_version(conn, id, expected_version)?;
        diesel::update(administrators::table.find(id))
            .set(administrators::disabled_at.eq(disabled.then(now)))
            .execute(conn)?;
        if disabled {
            end_sessions(conn, id, None)?;
        }
        Ok(())
    })
}

/// An administrator's own new display name, if nobody changed them meanwhile.
pub fn update_display_name(
    conn: &mut DbConnection,
    id: i64,
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

/// Stores a new password hash and ends every session of the administrator except `keep`.
pub fn set_password(
    conn: &mut DbConnection,
    id: i64,
    password_hash: &str,
    keep_session_digest: Option<&str>,
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
        end_sessions(conn, id, keep_session_digest)?;
        Ok(())
    })
}

/// Claims the next version of the administrator, or reports who got there first.
/// Called inside the transaction that then applies the change.
fn claim_version(
    conn: &mut DbConnection,
    id: i64,
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

/// Deletes the administrator's sessions, except the one whose digest is `keep`.
pub fn end_sessions(
    conn: &mut DbConnection,
    admin_id: i64,
    keep: Option<&str>,
) -> QueryResult<usize> {
    let mine = sessions::table.filter(sessions::administrator_id.eq(admin_id));
    match keep {
        Some(digest) => diesel::delete(mine.filter(sessions::key_digest.ne(digest))).execute(conn),
        None => diesel::delete(mine).execute(conn),
    }
}

pub fn record_sign_in(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    diesel::update(administrators::table.find(id))
        .set(administrators::last_sign_in_at.eq(now()))
        .execute(conn)?;
    Ok(())
}

/// Enabled administrators whose role is `role_key` (to keep one Super Admin at least).
pub fn count_enabled_with_role(conn: &mut DbConnection, role_key: &str) -> QueryResult<i64> {
    administrators::table
        .filter(administrators::role_key.eq(role_key))
        .filter(administrators::disabled_at.is_null())
        .count()
        .get_result(conn)
}
