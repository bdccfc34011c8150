//! Identities, their scopes and the tokens they own.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::DbConnection;
use super::connection::MultiBackend;
use super::schema::{api_tokens, identities, identity_scopes, scopes};
use crate::domain::identities::IdentityDefinition;
use crate::domain::ids::{Guid, IdentityId, TokenId};
use crate::domain::scopes::ScopeAccess;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = identities)]
pub struct IdentityRow {
    pub id: IdentityId,
    pub public_id: String,
    pub external_id: String,
    pub name: String,
    /// A JSON object, compact.
    pub metadata: String,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
    pub version: i32,
}

/// An identity with its scopes (ID, name) and how many live tokens it owns.
#[derive(Debug, Clone)]
pub struct IdentityWithScopes {
    pub identity: IdentityRow,
    pub scopes: Vec<(i64, String)>,
    pub tokens: i64,
}

impl IdentityWithScopes {
    pub fn scope_ids(&self) -> Vec<i64> {
        self.scopes.iter().map(|(id, _)| *id).collect()
    }
}

fn visible(access: &ScopeAccess) -> identities::BoxedQuery<'static, MultiBackend> {
    let query = identities::table.into_boxed();
    match access {
        ScopeAccess::All => query,
        ScopeAccess::Scopes(ids) => query.filter(
            identities::id.eq_any(
                identity_scopes::table
                    .filter(identity_scopes::scope_id.eq_any(ids.clone()))
                    .select(identity_scopes::identity_id),
            ),
        ),
    }
}

/// The identities the administrator sees, by name; `search` matches the start of
/// the external ID or of the name.
pub fn list(
    c: &mut DbConnection,
    access: &ScopeAccess,
    search: &str,
    limit: i64,
) -> QueryResult<Vec<IdentityWithScopes>> {
    let mut query = visible(access);
    let search = search.trim();
    if !search.is_empty() {
        let pattern = format!("{}%", search.replace(['%', '_', '\\'], ""));
        query = query.filter(
            identities::external_id
                .like(pattern.clone())
                .or(identities::name.like(pattern)),
        );
    }
    let rows = query
        .order((identities::name.asc(), identities::id.asc()))
        .limit(limit)
        .select(IdentityRow::as_select())
        .load(c)?;
    with_scopes(c, rows)
}

/// The identity with this public ID or external ID, if the administrator sees it.
pub fn find(
    c: &mut DbConnection,
    access: &ScopeAccess,
    id: &str,
) -> QueryResult<Option<IdentityWithScopes>> {
    let rows = visible(access)
        .filter(
            identities::public_id
                .eq(id.to_owned())
                .or(identities::external_id.eq(id.to_owned())),
        )
        .order(identities::id.asc())
        .limit(1)
        .select(IdentityRow::as_select())
        .load(c)?;
    Ok(with_scopes(c, rows)?.pop())
}

fn with_scopes(
    c: &mut DbConnection,
    rows: Vec<IdentityRow>,
) -> QueryResult<Vec<IdentityWithScopes>> {
    let ids: Vec<IdentityId> = rows.iter().map(|r| r.id).collect();
    let links: Vec<(i64, i64, String)> = identity_scopes::table
        .inner_join(scopes::table)
        .filter(identity_scopes::identity_id.eq_any(ids.iter().map(|i| i.0)))
        .order(scopes::name_key.asc())
        .select((identity_scopes::identity_id, scopes::id, scopes::name))
        .load(c)?;
    let counts: Vec<(Option<IdentityId>, i64)> = api_tokens::table
        .filter(api_tokens::identity_id.eq_any(ids.iter().map(|i| i.0)))
        .filter(api_tokens::deleted_at.is_null())
        .group_by(api_tokens::identity_id)
        .select((api_tokens::identity_id, diesel::dsl::count_star()))
        .load(c)?;
    Ok(rows
        .into_iter()
        .map(|identity| IdentityWithScopes {
            scopes: links
                .iter()
                .filter(|(id, _, _)| *id == identity.id.0)
                .map(|(_, scope, name)| (*scope, name.clone()))
                .collect(),
            tokens: counts
                .iter()
                .find(|(id, _)| *id == Some(identity.id))
                .map_or(0, |(_, n)| *n),
            identity,
        })
        .collect())
}

/// Whether another identity has this external ID.
pub fn external_id_taken(
    c: &mut DbConnection,
    external_id: &str,
    except: Option<IdentityId>,
) -> QueryResult<bool> {
    let mut query = identities::table
        .filter(identities::external_id.eq(external_id.to_owned()))
        .into_boxed();
    if let Some(except) = except {
        query = query.filter(identities::id.ne(except.0));
    }
    Ok(query
        .select(identities::id)
        .first::<i64>(c)
        .optional()?
        .is_some())
}

pub fn create(
    c: &mut DbConnection,
    definition: &IdentityDefinition,
    now: PrimitiveDateTime,
) -> QueryResult<IdentityRow> {
    let public_id = uuid::Uuid::new_v4().to_string();
    diesel::insert_into(identities::table)
        .values((
            identities::public_id.eq(&public_id),
            identities::external_id.eq(&definition.external_id),
            identities::name.eq(&definition.name),
            identities::metadata.eq(&definition.metadata),
            identities::created_at.eq(now),
            identities::updated_at.eq(now),
            identities::version.eq(1),
        ))
        .execute(c)?;
    let row: IdentityRow = identities::table
        .filter(identities::public_id.eq(&public_id))
        .select(IdentityRow::as_select())
        .first(c)?;
    set_scopes(c, row.id, &definition.scope_ids)?;
    Ok(row)
}

/// Saves a new definition on the version the caller saw; false when someone changed
/// it meanwhile.
pub fn update(
    c: &mut DbConnection,
    id: IdentityId,
    version: i32,
    definition: &IdentityDefinition,
    now: PrimitiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(
        identities::table
            .filter(identities::id.eq(id.0))
            .filter(identities::version.eq(version)),
    )
    .set((
        identities::external_id.eq(&definition.external_id),
        identities::name.eq(&definition.name),
        identities::metadata.eq(&definition.metadata),
        identities::updated_at.eq(now),
        identities::version.eq(version + 1),
    ))
    .execute(c)?;
    if changed == 1 {
        set_scopes(c, id, &definition.scope_ids)?;
    }
    Ok(changed == 1)
}

/// Deletes the identity; its tokens stay, owned by no one.
pub fn delete(c: &mut DbConnection, id: IdentityId) -> QueryResult<()> {
    diesel::update(api_tokens::table.filter(api_tokens::identity_id.eq(id.0)))
        .set(api_tokens::identity_id.eq(None::<i64>))
        .execute(c)?;
    diesel::delete(identities::table.filter(identities::id.eq(id.0))).execute(c)?;
    Ok(())
}

fn set_scopes(c: &mut DbConnection, id: IdentityId, scope_ids: &[i64]) -> QueryResult<()> {
    diesel::delete(identity_scopes::table.filter(identity_scopes::identity_id.eq(id.0)))
        .execute(c)?;
    for scope in scope_ids {
        diesel::insert_into(identity_scopes::table)
            .values((
                identity_scopes::identity_id.eq(id.0),
                identity_scopes::scope_id.eq(scope),
            ))
            .execute(c)?;
    }
    Ok(())
}

/// The live tokens an identity owns: (row ID, GUID, name), by name.
pub fn tokens_of(
    c: &mut DbConnection,
    id: IdentityId,
) -> QueryResult<Vec<(TokenId, Guid, String)>> {
    api_tokens::table
        .filter(api_tokens::identity_id.eq(id.0))
        .filter(api_tokens::deleted_at.is_null())
        .order(api_tokens::name_key.asc())
        .select((api_tokens::id, api_tokens::guid, api_tokens::name))
        .load(c)
}

/// Links a token to an identity, or to none.
pub fn link_token(
    c: &mut DbConnection,
    token: TokenId,
    identity: Option<IdentityId>,
) -> QueryResult<()> {
    diesel::update(api_tokens::table.filter(api_tokens::id.eq(token.0)))
        .set(api_tokens::identity_id.eq(identity.map(|i| i.0)))
        .execute(c)?;
    Ok(())
}

/// The identity with this row ID (verification and pages that hold a token's link).
pub fn by_id(c: &mut DbConnection, id: IdentityId) -> QueryResult<Option<IdentityRow>> {
    identities::table
        .filter(identities::id.eq(id.0))
        .select(IdentityRow::as_select())
        .first(c)
        .optional()
}
