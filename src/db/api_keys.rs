//! Administrators' API keys. [`ApiKeyRow`] never carries the key's digest: only
//! [`create`] writes it and only [`find_by_digest`] reads it.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::DbConnection;
use super::schema::{admin_api_key_scopes, admin_api_keys, scopes};
use crate::domain::api_keys::{ApiKeyDefinition, KeyScopes, KeyStatus};
use crate::domain::ids::AdministratorId;
use crate::domain::permissions::PermissionSet;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = admin_api_keys)]
pub struct ApiKeyRow {
    pub id: i64,
    pub public_id: String,
    pub administrator_id: AdministratorId,
    pub name: String,
    pub secret_hint: String,
    pub permissions: String,
    pub every_scope: bool,
    pub expires_at: PrimitiveDateTime,
    pub created_at: PrimitiveDateTime,
    pub revoked_at: Option<PrimitiveDateTime>,
    pub last_used_at: Option<PrimitiveDateTime>,
    pub last_used_ip: Option<String>,
    pub last_used_user_agent: Option<String>,
}

impl ApiKeyRow {
    pub fn permissions(&self) -> PermissionSet {
        PermissionSet::from_keys(self.permissions.split_whitespace())
    }

    pub fn status(&self, now: PrimitiveDateTime) -> KeyStatus {
        KeyStatus::of(self.revoked_at, self.expires_at, now)
    }
}

/// A key with the names of the scopes it is limited to (none: every scope of its owner).
#[derive(Debug, Clone)]
pub struct ApiKeySummary {
    pub key: ApiKeyRow,
    pub scope_names: Vec<String>,
}

/// A new key of `owner`, stored as its digest and hint.
pub fn create(
    conn: &mut DbConnection,
    owner: AdministratorId,
    definition: &ApiKeyDefinition,
    digest: &str,
    hint: &str,
) -> QueryResult<ApiKeySummary> {
    let public_id = uuid::Uuid::new_v4().to_string();
    diesel::insert_into(admin_api_keys::table)
        .values((
            admin_api_keys::public_id.eq(&public_id),
            admin_api_keys::administrator_id.eq(owner),
            admin_api_keys::name.eq(&definition.name),
            admin_api_keys::secret_digest.eq(digest),
            admin_api_keys::secret_hint.eq(hint),
            admin_api_keys::permissions.eq(definition.permissions.keys()),
            admin_api_keys::every_scope.eq(definition.scopes == KeyScopes::Owner),
            admin_api_keys::expires_at.eq(definition.expires_at),
            admin_api_keys::created_at.eq(super::now()),
        ))
        .execute(conn)?;
    let key: ApiKeyRow = admin_api_keys::table
        .filter(admin_api_keys::public_id.eq(&public_id))
        .select(ApiKeyRow::as_select())
        .first(conn)?;
    if let KeyScopes::Listed(ids) = &definition.scopes {
        // One statement per row: batch inserts are not available on both backends at once.
        for id in ids {
            diesel::insert_into(admin_api_key_scopes::table)
                .values((
                    admin_api_key_scopes::api_key_id.eq(key.id),
                    admin_api_key_scopes::scope_id.eq(id),
                ))
                .execute(conn)?;
        }
    }
    Ok(with_scope_names(conn, vec![key])?.remove(0))
}

/// The keys of `owner`, newest first, revoked ones included.
pub fn list_for(
    conn: &mut DbConnection,
    owner: AdministratorId,
) -> QueryResult<Vec<ApiKeySummary>> {
    let keys: Vec<ApiKeyRow> = admin_api_keys::table
        .filter(admin_api_keys::administrator_id.eq(owner))
        .order(admin_api_keys::id.desc())
        .select(ApiKeyRow::as_select())
        .load(conn)?;
    with_scope_names(conn, keys)
}

/// The keys with the names of the scopes each is limited to.
fn with_scope_names(
    conn: &mut DbConnection,
    keys: Vec<ApiKeyRow>,
) -> QueryResult<Vec<ApiKeySummary>> {
    let ids: Vec<i64> = keys.iter().map(|k| k.id).collect();
    let names: Vec<(i64, String)> = admin_api_key_scopes::table
        .inner_join(scopes::table)
        .filter(admin_api_key_scopes::api_key_id.eq_any(&ids))
        .order(scopes::name.asc())
        .select((admin_api_key_scopes::api_key_id, scopes::name))
        .load(conn)?;
    Ok(keys
        .into_iter()
        .map(|key| ApiKeySummary {
            scope_names: names
                .iter()
                .filter(|(id, _)| *id == key.id)
                .map(|(_, name)| name.clone())
                .collect(),
            key,
        })
        .collect())
}

/// The key `public_id` of `owner`.
pub fn find_for(
    conn: &mut DbConnection,
    owner: AdministratorId,
    public_id: &str,
) -> QueryResult<Option<ApiKeyRow>> {
    admin_api_keys::table
        .filter(admin_api_keys::administrator_id.eq(owner))
        .filter(admin_api_keys::public_id.eq(public_id))
        .select(ApiKeyRow::as_select())
        .first(conn)
        .optional()
}

pub fn revoke(conn: &mut DbConnection, id: i64, at: PrimitiveDateTime) -> QueryResult<()> {
    diesel::update(admin_api_keys::table.find(id))
        .filter(admin_api_keys::revoked_at.is_null())
        .set(admin_api_keys::revoked_at.eq(at))
        .execute(conn)?;
    Ok(())
}

/// The keys of `owner` that still open something at `at`: neither revoked nor expired.
#[diesel::dsl::auto_type]
fn active_of(owner: AdministratorId, at: PrimitiveDateTime) -> _ {
    admin_api_keys::table
        .filter(admin_api_keys::administrator_id.eq(owner))
        .filter(admin_api_keys::revoked_at.is_null())
        .filter(admin_api_keys::expires_at.gt(at))
}

/// How many keys of `owner` still open something at `at`.
pub fn count_active(
    conn: &mut DbConnection,
    owner: AdministratorId,
    at: PrimitiveDateTime,
) -> QueryResult<i64> {
    active_of(owner, at).count().get_result(conn)
}

/// Revokes at `at` every key of `owner` that still opens something; returns them.
pub fn revoke_active(
    conn: &mut DbConnection,
    owner: AdministratorId,
    at: PrimitiveDateTime,
) -> QueryResult<Vec<ApiKeyRow>> {
    let ids: Vec<i64> = active_of(owner, at).select(admin_api_keys::id).load(conn)?;
    revoke_listed(conn, &ids, at)
}

/// Revokes at `at` those of the keys `ids` that are not revoked yet, and returns
/// them: a key revoked meanwhile (by its owner, say) keeps its own revocation, and
/// is neither revoked nor audited twice.
pub fn revoke_listed(
    conn: &mut DbConnection,
    ids: &[i64],
    at: PrimitiveDateTime,
) -> QueryResult<Vec<ApiKeyRow>> {
    let update = diesel::update(
        admin_api_keys::table
            .filter(admin_api_keys::id.eq_any(ids))
            .filter(admin_api_keys::revoked_at.is_null()),
    )
    .set(admin_api_keys::revoked_at.eq(at));
    // The row type's columns are chosen per backend, so the statement is finished in each arm.
    crate::on_backend!(&mut *conn, |c| update
        .returning(ApiKeyRow::as_returning())
        .get_results(c))
}

/// The key with this digest, and the scopes it is limited to.
pub fn find_by_digest(
    conn: &mut DbConnection,
    digest: &str,
) -> QueryResult<Option<(ApiKeyRow, KeyScopes)>> {
    let key: Option<ApiKeyRow> = admin_api_keys::table
        .filter(admin_api_keys::secret_digest.eq(digest))
        .select(ApiKeyRow::as_select())
        .first(conn)
        .optional()?;
    let Some(key) = key else { return Ok(None) };
    let scopes = if key.every_scope {
        KeyScopes::Owner
    } else {
        KeyScopes::Listed(
            admin_api_key_scopes::table
                .filter(admin_api_key_scopes::api_key_id.eq(key.id))
                .select(admin_api_key_scopes::scope_id)
                .load(conn)?,
        )
    };
    Ok(Some((key, scopes)))
}

/// When, from where and with what the key was last used.
pub fn record_use(
    conn: &mut DbConnection,
    id: i64,
    at: PrimitiveDateTime,
    ip: &str,
    user_agent: Option<&str>,
) -> QueryResult<()> {
    diesel::update(admin_api_keys::table.find(id))
        .set((
            admin_api_keys::last_used_at.eq(at),
            admin_api_keys::last_used_ip.eq(ip),
            admin_api_keys::last_used_user_agent.eq(user_agent),
        ))
        .execute(conn)?;
    Ok(())
}
