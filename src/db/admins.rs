//! Administrators, their roles and their scopes.
//!
//! [`Administrator`] never carries the password hash; only [`find_credentials`]
//! reads it, for sign-in.

pub mod preferences;
pub mod sso;
mod writes;

pub use writes::*;

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::DbConnection;
use super::schema::{administrator_scopes, administrators, role_permissions, roles, scopes};
use crate::domain::ids::AdministratorId;
use crate::domain::permissions::{Permission, PermissionSet};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = administrators)]
pub struct Administrator {
    pub id: AdministratorId,
    pub public_id: String,
    pub display_name: String,
    pub email: String,
    pub role_key: String,
    pub disabled_at: Option<PrimitiveDateTime>,
    pub last_sign_in_at: Option<PrimitiveDateTime>,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
    pub version: i32,
    /// Mailed about the tokens they created that expire soon (on by default).
    pub expiry_mail_own: bool,
    /// Mailed about every token of their scopes that expires soon (off by default).
    pub expiry_mail_scopes: bool,
    /// The identity provider's subject, for an administrator who signs in through
    /// it: their role and scopes follow its groups.
    pub sso_subject: Option<String>,
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
    /// The role sees every scope, whatever the assignments.
    pub all_scopes: bool,
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

pub fn find(conn: &mut DbConnection, id: AdministratorId) -> QueryResult<Option<Administrator>> {
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
) -> QueryResult<Option<(AdministratorId, String, Option<PrimitiveDateTime>)>> {
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

pub fn password_hash(conn: &mut DbConnection, id: AdministratorId) -> QueryResult<String> {
    administrators::table
        .find(id)
        .select(administrators::password_hash)
        .first(conn)
}

pub fn load_access(
    conn: &mut DbConnection,
    id: AdministratorId,
) -> QueryResult<Option<AdminAccess>> {
    let Some((admin, role_name)) = administrators::table
        .inner_join(roles::table)
        .filter(administrators::id.eq(id))
        .select((Administrator::as_select(), roles::name))
        .first::<(Administrator, String)>(conn)
        .optional()?
    else {
        return Ok(None);
    };
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

/// Every administrator's ID and name, by name: the list's "Created by" choices.
pub fn names(conn: &mut DbConnection) -> QueryResult<Vec<(i64, String)>> {
    administrators::table
        .order((administrators::display_name.asc(), administrators::id.asc()))
        .select((administrators::id, administrators::display_name))
        .load(conn)
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
    let ids: Vec<AdministratorId> = rows.iter().map(|(a, _)| a.id).collect();
    let assignments: Vec<(AdministratorId, i64, String)> = administrator_scopes::table
        .inner_join(scopes::table)
        .filter(administrator_scopes::administrator_id.eq_any(&ids))
        .order(scopes::name_key.asc())
        .select((
            administrator_scopes::administrator_id,
            scopes::id,
            scopes::name,
        ))
        .load(conn)?;
    let all_scope_roles: Vec<String> = role_permissions::table
        .filter(role_permissions::permission.eq(Permission::AllScopes.key()))
        .select(role_permissions::role_key)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(admin, role_name)| {
            let mine = assignments.iter().filter(|(a, _, _)| *a == admin.id);
            let (scope_ids, scope_names) = mine.map(|(_, id, name)| (*id, name.clone())).unzip();
            AdminSummary {
                all_scopes: all_scope_roles.contains(&admin.role_key),
                admin,
                role_name,
                scope_ids,
                scope_names,
            }
        })
        .collect())
}

/// Enabled administrators whose role is `role_key`, in the order they were added.
pub fn enabled_with_role(
    conn: &mut DbConnection,
    role_key: &str,
) -> QueryResult<Vec<Administrator>> {
    administrators::table
        .filter(administrators::role_key.eq(role_key))
        .filter(administrators::disabled_at.is_null())
        .order(administrators::id)
        .select(Administrator::as_select())
        .load(conn)
}

/// Enabled administrators whose role is `role_key` (to keep one Super Admin at least).
pub fn count_enabled_with_role(conn: &mut DbConnection, role_key: &str) -> QueryResult<i64> {
    administrators::table
        .filter(administrators::role_key.eq(role_key))
        .filter(administrators::disabled_at.is_null())
        .count()
        .get_result(conn)
}
