//! API tokens. [`TokenRow`] never carries the secret's digest: only the functions
//! that store a new secret write it, and only verification reads it.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::{
    administrators, api_token_allowed_networks, api_token_permissions, api_token_scopes,
    api_tokens, scopes,
};
use super::{DbConnection, DbError, changes, is_unique_violation, now};
use crate::domain::scopes::ScopeAccess;
use crate::domain::tokens::{
    Action, INTROSPECT, Lifecycle, StoredSecret, TokenDefinition, TokenStatus, TokenType, Validity,
};
use crate::domain::validation::name_key;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
pub struct TokenRow {
    pub id: i64,
    pub guid: String,
    pub name: String,
    pub description: String,
    pub token_type: String,
    pub capabilities: String,
    pub secret_hint: String,
    pub previous_secret_expires_at: Option<PrimitiveDateTime>,
    pub valid_from: PrimitiveDateTime,
    pub valid_to: Option<PrimitiveDateTime>,
    pub disabled_at: Option<PrimitiveDateTime>,
    pub revoked_at: Option<PrimitiveDateTime>,
    pub deleted_at: Option<PrimitiveDateTime>,
    pub created_by: Option<i64>,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
    pub last_used_at: Option<PrimitiveDateTime>,
    pub last_used_ip: Option<String>,
    pub last_used_user_agent: Option<String>,
    pub version: i32,
}

impl TokenRow {
    pub fn lifecycle(&self) -> Lifecycle {
        Lifecycle {
            valid_from: self.valid_from,
            valid_to: self.valid_to,
            disabled_at: self.disabled_at,
            revoked_at: self.revoked_at,
            deleted_at: self.deleted_at,
        }
    }

    pub fn status(&self, now: PrimitiveDateTime) -> TokenStatus {
        self.lifecycle().status(now)
    }

    pub fn token_type(&self) -> TokenType {
        // Rows are written from `TokenType::key`; anything else grants the least.
        TokenType::from_key(&self.token_type).unwrap_or(TokenType::Custom)
    }

    pub fn can_introspect(&self) -> bool {
        self.capabilities
            .split_whitespace()
            .any(|c| c == INTROSPECT)
    }

    pub fn validity(&self) -> Validity {
        Validity {
            valid_from: self.valid_from,
            valid_to: self.valid_to,
        }
    }
}

/// A token with what its pages show around it.
#[derive(Debug, Clone)]
pub struct TokenDetails {
    pub token: TokenRow,
    pub created_by: Option<(String, String)>,
    pub scopes: Vec<(i64, String)>,
    /// Per-module grants of a Custom token: (module id, action).
    pub permissions: Vec<(i64, Action)>,
    /// Client networks the token may be used from; empty for any.
    pub allowed_networks: Vec<String>,
    /// The secret is also stored encrypted, so it can be shown again.
    pub has_sealed_secret: bool,
}

impl TokenDetails {
    pub fn created_by_label(&self) -> String {
        match &self.created_by {
            Some((name, public_id)) => crate::domain::admins::label(name, public_id),
            None => "Command line".into(),
        }
    }

    pub fn grants(&self, module_id: i64, action: Action) -> bool {
        self.token.token_type().grants_everywhere(action)
            || self.permissions.contains(&(module_id, action))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TokenWriteError {
    #[error("a live token already has this name")]
    NameTaken,
    #[error("a token already has this GUID")]
    GuidTaken,
    #[error("someone else changed this token meanwhile")]
    Conflict,
    #[error("token not found")]
    NotFound,
    #[error("a chosen module or scope no longer exists")]
    UnknownReference,
    #[error("{0}")]
    NotAllowed(&'static str),
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

fn visible(
    guid: &str,
    visibility: &ScopeAccess,
) -> api_tokens::BoxedQuery<'static, super::connection::MultiBackend> {
    let query = api_tokens::table
        .filter(api_tokens::guid.eq(guid.to_owned()))
        .into_boxed();
    match visibility {
        ScopeAccess::All => query,
        ScopeAccess::Scopes(ids) => query.filter(
            api_tokens::id.eq_any(
                api_token_scopes::table
                    .filter(api_token_scopes::scope_id.eq_any(ids.clone()))
                    .select(api_token_scopes::token_id),
            ),
        ),
    }
}

/// The token with this GUID, if the administrator may see it.
pub fn find(
    conn: &mut DbConnection,
    guid: &str,
    visibility: &ScopeAccess,
) -> QueryResult<Option<TokenDetails>> {
    let Some((token, has_sealed_secret)) = visible(guid, visibility)
        .select((
            TokenRow::as_select(),
            api_tokens::secret_ciphertext.is_not_null(),
        ))
        .first::<(TokenRow, bool)>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let created_by = match token.created_by {
        Some(id) => administrators::table
            .find(id)
            .select((administrators::display_name, administrators::public_id))
            .first(conn)
            .optional()?,
        None => None,
    };
    let scopes = api_token_scopes::table
        .inner_join(scopes::table)
        .filter(api_token_scopes::token_id.eq(token.id))
        .order(scopes::name_key.asc())
        .select((scopes::id, scopes::name))
        .load(conn)?;
    let permissions = api_token_permissions::table
        .filter(api_token_permissions::token_id.eq(token.id))
        .select((
            api_token_permissions::module_id,
            api_token_permissions::action,
        ))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .filter_map(|(module, action)| Action::from_key(&action).map(|a| (module, a)))
        .collect();
    let allowed_networks = api_token_allowed_networks::table
        .filter(api_token_allowed_networks::token_id.eq(token.id))
        .order(api_token_allowed_networks::cidr.asc())
        .select(api_token_allowed_networks::cidr)
        .load(conn)?;
    Ok(Some(TokenDetails {
        token,
        created_by,
        scopes,
        permissions,
        allowed_networks,
        has_sealed_secret,
    }))
}

/// The token's secret, encrypted (base64), if it is stored for showing again.
pub fn sealed_secret(conn: &mut DbConnection, id: i64) -> QueryResult<Option<String>> {
    api_tokens::table
        .find(id)
        .select(api_tokens::secret_ciphertext)
        .first(conn)
}

/// Every encrypted secret: (id, GUID, ciphertext), for re-encrypting under a new key.
pub fn sealed_secrets(conn: &mut DbConnection) -> QueryResult<Vec<(i64, String, String)>> {
    api_tokens::table
        .filter(api_tokens::secret_ciphertext.is_not_null())
        .order(api_tokens::id.asc())
        .select((
            api_tokens::id,
            api_tokens::guid,
            api_tokens::secret_ciphertext.assume_not_null(),
        ))
        .load(conn)
}

pub fn replace_sealed_secret(conn: &mut DbConnection, id: i64, sealed: &str) -> QueryResult<()> {
    diesel::update(api_tokens::table.find(id))
        .set(api_tokens::secret_ciphertext.eq(sealed))
        .execute(conn)?;
    Ok(())
}

/// A new token: its definition, and its first secret as stored.
pub struct NewToken<'a> {
    pub definition: &'a TokenDefinition,
    pub secret: &'a StoredSecret,
    pub created_by: Option<i64>,
}

pub fn create(conn: &mut DbConnection, new: &NewToken<'_>) -> Result<TokenRow, TokenWriteError> {
    let def = new.definition;
    conn.transaction(|conn| {
        let guid_taken: i64 = api_tokens::table
            .filter(api_tokens::guid.eq(&def.guid))
            .count()
            .get_result(conn)?;
        if guid_taken > 0 {
            return Err(TokenWriteError::GuidTaken);
        }
        ensure_name_free(conn, &def.name, None)?;
        let now = now();
        diesel::insert_into(api_tokens::table)
            .values((
                api_tokens::guid.eq(&def.guid),
                api_tokens::name.eq(&def.name),
                api_tokens::name_key.eq(name_key(&def.name)),
                api_tokens::description.eq(&def.description),
                api_tokens::token_type.eq(def.token_type.key()),
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
            ))
            .execute(conn)
            .map_err(map_unique)?;
        let token: TokenRow = api_tokens::table
            .filter(api_tokens::guid.eq(&def.guid))
            .select(TokenRow::as_select())
            .first(conn)?;
        replace_scopes(conn, token.id, &def.scope_ids)?;
        replace_permissions(conn, token.id, &def.permissions)?;
        replace_networks(conn, token.id, &def.allowed_networks)?;
        changes::token_changed(conn, &def.guid)?;
        Ok(token)
    })
}

fn capabilities(def: &TokenDefinition) -> &'static str {
    if def.can_introspect { INTROSPECT } else { "" }
}

fn map_unique(error: diesel::result::Error) -> TokenWriteError {
    if is_unique_violation(&error) {
        TokenWriteError::NameTaken
    } else {
        error.into()
    }
}

/// Names are unique among tokens that are not deleted, whatever their case.
fn ensure_name_free(
    conn: &mut DbConnection,
    name: &str,
    except_id: Option<i64>,
) -> Result<(), TokenWriteError> {
    let mut query = api_tokens::table
        .filter(api_tokens::name_key.eq(name_key(name)))
        .filter(api_tokens::deleted_at.is_null())
        .into_boxed();
    if let Some(id) = except_id {
        query = query.filter(api_tokens::id.ne(id));
    }
    let taken: i64 = query.count().get_result(conn)?;
    if taken > 0 {
        return Err(TokenWriteError::NameTaken);
    }
    Ok(())
}

// One statement per row: MultiConnection has no batch insert.
fn replace_scopes(
    conn: &mut DbConnection,
    token_id: i64,
    scope_ids: &[i64],
) -> Result<(), TokenWriteError> {
    diesel::delete(api_token_scopes::table.filter(api_token_scopes::token_id.eq(token_id)))
        .execute(conn)?;
    for scope_id in scope_ids {
        diesel::insert_into(api_token_scopes::table)
            .values((
                api_token_scopes::token_id.eq(token_id),
                api_token_scopes::scope_id.eq(scope_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn replace_permissions(
    conn: &mut DbConnection,
    token_id: i64,
    grants: &[(i64, Action)],
) -> Result<(), TokenWriteError> {
    diesel::delete(
        api_token_permissions::table.filter(api_token_permissions::token_id.eq(token_id)),
    )
    .execute(conn)?;
    for (module_id, action) in grants {
        diesel::insert_into(api_token_permissions::table)
            .values((
                api_token_permissions::token_id.eq(token_id),
                api_token_permissions::module_id.eq(module_id),
                api_token_permissions::action.eq(action.key()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn replace_networks(
    conn: &mut DbConnection,
    token_id: i64,
    networks: &[ipnet::IpNet],
) -> Result<(), TokenWriteError> {
    diesel::delete(
        api_token_allowed_networks::table.filter(api_token_allowed_networks::token_id.eq(token_id)),
    )
    .execute(conn)?;
    for network in networks {
        diesel::insert_into(api_token_allowed_networks::table)
            .values((
                api_token_allowed_networks::token_id.eq(token_id),
                api_token_allowed_networks::cidr.eq(network.to_string()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Claims the next version of the token, or says why not. Every change goes through
/// here first, inside its transaction, so two changes made from the same page
/// version cannot both succeed.
fn claim_version(
    conn: &mut DbConnection,
    id: i64,
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
    // Sent at commit: other instances forget the token's cached verification.
    changes::token_changed(conn, &token.guid)?;
    Ok(token)
}

/// Saves an edit. `scope_ids` is the full new set (the caller keeps the scopes the
/// editor cannot see).
pub fn update(
    conn: &mut DbConnection,
    id: i64,
    expected_version: i32,
    def: &TokenDefinition,
    scope_ids: &[i64],
) -> Result<(), TokenWriteError> {
    conn.transaction(|conn| {
        let token = claim_version(conn, id, expected_version)?;
        if token.status(now()).is_final() {
            return Err(TokenWriteError::NotAllowed(
                "Revoked and deleted tokens cannot be edited.",
            ));
        }
        ensure_name_free(conn, &def.name, Some(id))?;
        diesel::update(api_tokens::table.find(id))
            .set((
                api_tokens::name.eq(&def.name),
                api_tokens::name_key.eq(name_key(&def.name)),
                api_tokens::description.eq(&def.description),
                api_tokens::token_type.eq(def.token_type.key()),
                api_tokens::capabilities.eq(capabilities(def)),
                api_tokens::valid_from.eq(def.validity.valid_from),
                api_tokens::valid_to.eq(def.validity.valid_to),
            ))
            .execute(conn)
            .map_err(map_unique)?;
        replace_scopes(conn, id, scope_ids)?;
        replace_permissions(conn, id, &def.permissions)?;
        replace_networks(conn, id, &def.allowed_networks)
    })
}

/// Replaces the secret. With a grace period, the previous secret keeps working until
/// `previous_until`; without one it stops at once.
pub fn regenerate(
    conn: &mut DbConnection,
    id: i64,
    expected_version: i32,
    secret: &StoredSecret,
    previous_until: Option<PrimitiveDateTime>,
) -> Result<(), TokenWriteError> {
    conn.transaction(|conn| {
        let token = claim_version(conn, id, expected_version)?;
        if token.status(now()).is_final() {
            return Err(TokenWriteError::NotAllowed(
                "Revoked and deleted tokens cannot be regenerated.",
            ));
        }
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
    })
}

pub fn set_disabled(
    conn: &mut DbConnection,
    id: i64,
    expected_version: i32,
    disabled: bool,
) -> Result<(), TokenWriteError> {
    conn.transaction(|conn| {
        let token = claim_version(conn, id, expected_version)?;
        if token.status(now()).is_final() {
            return Err(TokenWriteError::NotAllowed(
                "Revoked and deleted tokens cannot be enabled or disabled.",
            ));
        }
        if token.disabled_at.is_some() == disabled {
            return Ok(());
        }
        diesel::update(api_tokens::table.find(id))
            .set(api_tokens::disabled_at.eq(disabled.then(now)))
            .execute(conn)?;
        Ok(())
    })
}

/// Revokes an active token for good: it ends now.
pub fn revoke(
    conn: &mut DbConnection,
    id: i64,
    expected_version: i32,
) -> Result<(), TokenWriteError> {
    conn.transaction(|conn| {
        let token = claim_version(conn, id, expected_version)?;
        let now = now();
        if token.status(now) != TokenStatus::Active {
            return Err(TokenWriteError::NotAllowed(
                "Only active tokens can be revoked.",
            ));
        }
        diesel::update(api_tokens::table.find(id))
            .set((
                api_tokens::revoked_at.eq(now),
                api_tokens::valid_to.eq(now),
                api_tokens::previous_secret_digest.eq(None::<String>),
                api_tokens::previous_secret_expires_at.eq(None::<PrimitiveDateTime>),
                // A secret that can never pass again is not kept for showing.
                api_tokens::secret_ciphertext.eq(None::<String>),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// Deletes a token for good. The row stays, as Deleted, for the audit trail.
pub fn delete(
    conn: &mut DbConnection,
    id: i64,
    expected_version: i32,
) -> Result<(), TokenWriteError> {
    conn.transaction(|conn| {
        let token = claim_version(conn, id, expected_version)?;
        if token.deleted_at.is_some() {
            return Err(TokenWriteError::NotAllowed(
                "This token is already deleted.",
            ));
        }
        diesel::update(api_tokens::table.find(id))
            .set((
                api_tokens::deleted_at.eq(now()),
                api_tokens::previous_secret_digest.eq(None::<String>),
                api_tokens::previous_secret_expires_at.eq(None::<PrimitiveDateTime>),
                api_tokens::secret_ciphertext.eq(None::<String>),
            ))
            .execute(conn)?;
        Ok(())
    })
}
