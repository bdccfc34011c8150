//! Writing tokens. Each function is one step of a use case in
//! [`crate::services::tokens`], which runs it inside its transaction after
//! [`claim_version`] and the rules of [`crate::domain::tokens`].

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::TokenRow;
use crate::db::connection::MultiBackend;
use crate::db::schema::{
    api_token_allowed_networks, api_token_permissions, api_token_scopes, api_tokens,
};
use crate::db::{DbConnection, DbError, is_unique_violation, now, usage_facts};
use crate::domain::ids::{AdministratorId, TokenId};
use crate::domain::scopes::ScopeSet;
use crate::domain::tokens::{INTROSPECT, StoredSecret, TokenDefinition};
use crate::domain::validation::name_key;

#[derive(Debug, thiserror::Error)]
pub enum TokenWriteError {
    #[error("a live token of the same scope already has this name")]
    NameTaken,
    #[error("a token already has this GUID")]
    GuidTaken,
    #[error("someone else changed this token meanwhile")]
    Conflict,
    #[error("token not found")]
    NotFound,
    #[error("a chosen module or scope no longer exists")]
    UnknownReference,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for TokenWriteError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match error {
            Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
                TokenWriteError::UnknownReference
            }
            e => TokenWriteError::Db(e.into()),
        }
    }
}

/// A new token: its definition, and its first secret as stored.
pub struct NewToken<'a> {
    pub definition: &'a TokenDefinition,
    pub secret: &'a StoredSecret,
    pub created_by: Option<AdministratorId>,
}

/// Writes a new token. Its GUID and its name in each scope are checked by the
/// unique indexes as the rows go in, not by queries beforehand.
pub fn create(conn: &mut DbConnection, new: &NewToken<'_>) -> Result<TokenRow, TokenWriteError> {
    let def = new.definition;
    let now = now();
    let token: TokenRow = diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::guid.eq(&def.guid),
            api_tokens::name.eq(&def.name),
            api_tokens::name_key.eq(name_key(&def.name)),
            api_tokens::description.eq(&def.description),
            api_tokens::token_type.eq(def.token_type),
            api_tokens::capabilities.eq(capabilities(def)),
            api_tokens::secret_digest.eq(&new.secret.digest),
            api_tokens::secret_hint.eq(&new.secret.hint),
            api_tokens::secret_ciphertext.eq(&new.secret.sealed),
            api_tokens::valid_from.eq(def.validity.valid_from),
            api_tokens::valid_to.eq(def.validity.valid_to),
            api_tokens::created_by.eq(new.created_by),
            api_tokens::created_at.eq(now),
            api_tokens::updated_at.eq(now),
            api_tokens::version.eq(1),
            api_tokens::scope_set.eq(scope_set(def)),
        ))
        // The columns themselves: a `SelectBy` is written per backend, not for both.
        .returning(<TokenRow as Selectable<MultiBackend>>::construct_selection())
        .get_result(conn)
        .map_err(unique_means(TokenWriteError::GuidTaken))?;
    add_associations(conn, token.id, def)?;
    Ok(token)
}

/// Claims the next version of the token, or says why not, and returns the token as
/// it is. Every change goes through here first, inside its transaction, so two
/// changes made from the same page version cannot both succeed.
pub fn claim_version(
    conn: &mut DbConnection,
    id: TokenId,
    expected_version: i32,
) -> Result<TokenRow, TokenWriteError> {
    let updated = diesel::update(
        api_tokens::table.filter(
            api_tokens::id
                .eq(id)
                .and(api_tokens::version.eq(expected_version)),
        ),
    )
    .set((
        api_tokens::version.eq(api_tokens::version + 1),
        api_tokens::updated_at.eq(now()),
    ))
    .execute(conn)?;
    let token = api_tokens::table
        .find(id)
        .select(TokenRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(TokenWriteError::NotFound)?;
    if updated != 1 {
        return Err(TokenWriteError::Conflict);
    }
    Ok(token)
}

/// Saves an edit; the definition's scopes are the full new set. The name is checked
/// in each of them by the unique index as the scopes are written anew.
pub fn update(
    conn: &mut DbConnection,
    id: TokenId,
    def: &TokenDefinition,
) -> Result<(), TokenWriteError> {
    diesel::update(api_tokens::table.find(id))
        .set((
            api_tokens::name.eq(&def.name),
            api_tokens::name_key.eq(name_key(&def.name)),
            api_tokens::description.eq(&def.description),
            api_tokens::token_type.eq(def.token_type),
            api_tokens::capabilities.eq(capabilities(def)),
            api_tokens::valid_from.eq(def.validity.valid_from),
            api_tokens::valid_to.eq(def.validity.valid_to),
            api_tokens::scope_set.eq(scope_set(def)),
        ))
        .execute(conn)?;
    remove_associations(conn, id)?;
    add_associations(conn, id, def)?;
    // Its grants may have changed, and with them what it leaves unused.
    usage_facts::refresh_after_grants(conn, &[id])?;
    Ok(())
}

/// Replaces the secret. With a grace period, the previous secret keeps working until
/// `previous_until`; without one it stops at once.
pub fn replace_secret(
    conn: &mut DbConnection,
    id: TokenId,
    secret: &StoredSecret,
    previous_until: Option<PrimitiveDateTime>,
) -> QueryResult<()> {
    let previous: Option<String> = match previous_until {
        Some(_) => Some(
            api_tokens::table
                .find(id)
                .select(api_tokens::secret_digest)
                .first(conn)?,
        ),
        None => None,
    };
    diesel::update(api_tokens::table.find(id))
        .set((
            api_tokens::secret_digest.eq(&secret.digest),
            api_tokens::secret_hint.eq(&secret.hint),
            // Without a key now, an older ciphertext would show the old secret.
            api_tokens::secret_ciphertext.eq(&secret.sealed),
            api_tokens::previous_secret_digest.eq(previous),
            api_tokens::previous_secret_expires_at.eq(previous_until),
        ))
        .execute(conn)?;
    Ok(())
}

/// Disabled since `at`, or enabled with `None`.
pub fn set_disabled(
    conn: &mut DbConnection,
    id: TokenId,
    at: Option<PrimitiveDateTime>,
) -> QueryResult<()> {
    diesel::update(api_tokens::table.find(id))
        .set(api_tokens::disabled_at.eq(at))
        .execute(conn)?;
    Ok(())
}

/// Ends the token for good at `at`, and forgets the secrets it no longer needs.
pub fn revoke(conn: &mut DbConnection, id: TokenId, at: PrimitiveDateTime) -> QueryResult<()> {
    diesel::update(api_tokens::table.find(id))
        .set((
            api_tokens::revoked_at.eq(at),
            api_tokens::valid_to.eq(at),
            api_tokens::previous_secret_digest.eq(None::<String>),
            api_tokens::previous_secret_expires_at.eq(None::<PrimitiveDateTime>),
            // A secret that can never pass again is not kept for showing.
            api_tokens::secret_ciphertext.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Marks the token deleted at `at`. The row stays, as Deleted, for the audit trail,
/// and its name is free again in its scopes.
pub fn delete(conn: &mut DbConnection, id: TokenId, at: PrimitiveDateTime) -> QueryResult<()> {
    diesel::update(api_token_scopes::table.filter(api_token_scopes::token_id.eq(id)))
        .set(api_token_scopes::live_name_key.eq(None::<String>))
        .execute(conn)?;
    diesel::update(api_tokens::table.find(id))
        .set((
            api_tokens::deleted_at.eq(at),
            api_tokens::previous_secret_digest.eq(None::<String>),
            api_tokens::previous_secret_expires_at.eq(None::<PrimitiveDateTime>),
            api_tokens::secret_ciphertext.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

/// The token's scopes as the counts are kept by (see [`crate::db::token_counts`]).
fn scope_set(def: &TokenDefinition) -> String {
    ScopeSet::of(def.scope_ids.clone()).key().to_owned()
}

fn capabilities(def: &TokenDefinition) -> &'static str {
    if def.can_introspect { INTROSPECT } else { "" }
}

/// A unique-constraint violation read as `taken`; any other error as it is.
pub(super) fn unique_means(
    taken: TokenWriteError,
) -> impl FnOnce(diesel::result::Error) -> TokenWriteError {
    move |error| {
        if is_unique_violation(&error) {
            taken
        } else {
            error.into()
        }
    }
}

/// Removes a token's scopes, permissions and networks, before they are written anew.
fn remove_associations(conn: &mut DbConnection, token_id: TokenId) -> QueryResult<()> {
    use api_token_allowed_networks as networks;
    use api_token_permissions as permissions;
    diesel::delete(api_token_scopes::table.filter(api_token_scopes::token_id.eq(token_id)))
        .execute(conn)?;
    diesel::delete(permissions::table.filter(permissions::token_id.eq(token_id))).execute(conn)?;
    diesel::delete(networks::table.filter(networks::token_id.eq(token_id))).execute(conn)?;
    Ok(())
}

/// Writes the definition's scopes (each with the token's name: names are unique,
/// whatever their case, among the live tokens that share a scope), permissions
/// and networks. One statement per row:
/// MultiConnection has no batch insert.
fn add_associations(
    conn: &mut DbConnection,
    token_id: TokenId,
    def: &TokenDefinition,
) -> Result<(), TokenWriteError> {
    let key = name_key(&def.name);
    for scope_id in &def.scope_ids {
        diesel::insert_into(api_token_scopes::table)
            .values((
                api_token_scopes::token_id.eq(token_id),
                api_token_scopes::scope_id.eq(scope_id),
                api_token_scopes::live_name_key.eq(&key),
            ))
            .execute(conn)
            // A token of this scope has the name (or a concurrent write gave it).
            .map_err(unique_means(TokenWriteError::NameTaken))?;
    }
    for (module_id, action) in &def.permissions {
        diesel::insert_into(api_token_permissions::table)
            .values((
                api_token_permissions::token_id.eq(token_id),
                api_token_permissions::module_id.eq(module_id),
                api_token_permissions::action.eq(action),
            ))
            .execute(conn)?;
    }
    for network in &def.allowed_networks {
        diesel::insert_into(api_token_allowed_networks::table)
            .values((
                api_token_allowed_networks::token_id.eq(token_id),
                api_token_allowed_networks::cidr.eq(network.to_string()),
            ))
            .execute(conn)?;
    }
    Ok(())
}
