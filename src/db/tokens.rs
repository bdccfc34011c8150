//! API tokens. [`TokenRow`] never carries the secret's digest: only the functions
//! that store a new secret write it, and only verification reads it.

mod bulk;
mod writes;

pub use bulk::*;
pub use writes::*;

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::DbConnection;
use super::schema::{
    administrators, api_token_allowed_networks, api_token_permissions, api_token_scopes,
    api_tokens, scopes,
};
use crate::domain::ids::{AdministratorId, Guid, IdentityId, TokenId};
use crate::domain::scopes::ScopeAccess;
use crate::domain::tokens::{Action, INTROSPECT, Lifecycle, TokenStatus, TokenType, Validity};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
pub struct TokenRow {
    pub id: TokenId,
    pub guid: Guid,
    pub name: String,
    pub description: String,
    pub token_type: TokenType,
    pub capabilities: String,
    pub secret_hint: String,
    pub previous_secret_expires_at: Option<PrimitiveDateTime>,
    pub valid_from: PrimitiveDateTime,
    pub valid_to: Option<PrimitiveDateTime>,
    pub disabled_at: Option<PrimitiveDateTime>,
    pub revoked_at: Option<PrimitiveDateTime>,
    pub deleted_at: Option<PrimitiveDateTime>,
    pub created_by: Option<AdministratorId>,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
    pub last_used_at: Option<PrimitiveDateTime>,
    pub last_used_ip: Option<String>,
    pub last_used_user_agent: Option<String>,
    pub version: i32,
    /// The identity that owns the token, if any.
    pub identity_id: Option<IdentityId>,
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
    /// The identity that owns it.
    pub identity: Option<super::identities::IdentityRow>,
}

impl TokenDetails {
    pub fn created_by_label(&self) -> String {
        match &self.created_by {
            Some((name, public_id)) => crate::domain::admins::label(name, public_id),
            None => "Command line".into(),
        }
    }

    pub fn grants(&self, module_id: i64, action: Action) -> bool {
        self.token.token_type.grants_everywhere(action)
            || self.permissions.contains(&(module_id, action))
    }
}

fn visible(
    guid: &Guid,
    visibility: &ScopeAccess,
) -> api_tokens::BoxedQuery<'static, super::connection::MultiBackend> {
    let query = api_tokens::table
        .filter(api_tokens::guid.eq(guid.clone()))
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
    guid: &Guid,
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
    let scopes = scopes_of(conn, token.id)?;
    let permissions = api_token_permissions::table
        .filter(api_token_permissions::token_id.eq(token.id))
        .select((
            api_token_permissions::module_id,
            api_token_permissions::action,
        ))
        .load(conn)?;
    let mut allowed_networks: Vec<String> = api_token_allowed_networks::table
        .filter(api_token_allowed_networks::token_id.eq(token.id))
        .select(api_token_allowed_networks::cidr)
        .load(conn)?;
    // Byte by byte, whatever the database's collation: as a new token lists them.
    allowed_networks.sort();
    let identity = match token.identity_id {
        Some(id) => super::identities::by_id(conn, id)?,
        None => None,
    };
    Ok(Some(TokenDetails {
        token,
        created_by,
        scopes,
        permissions,
        allowed_networks,
        has_sealed_secret,
        identity,
    }))
}

/// A live token's GUID and name.
pub fn live_name(conn: &mut DbConnection, id: TokenId) -> QueryResult<Option<(Guid, String)>> {
    api_tokens::table
        .filter(api_tokens::id.eq(id))
        .filter(api_tokens::deleted_at.is_null())
        .select((api_tokens::guid, api_tokens::name))
        .first(conn)
        .optional()
}

/// A token's scopes: (ID, name), by name.
pub type ScopeNames = Vec<(i64, String)>;

pub fn scopes_of(conn: &mut DbConnection, id: TokenId) -> QueryResult<ScopeNames> {
    api_token_scopes::table
        .inner_join(scopes::table)
        .filter(api_token_scopes::token_id.eq(id))
        .order(scopes::name_key.asc())
        .select((scopes::id, scopes::name))
        .load(conn)
}

/// The token with this GUID and its scopes, whoever may see it: what its events
/// and notices tell.
pub fn row_with_scopes(
    conn: &mut DbConnection,
    guid: &Guid,
) -> QueryResult<Option<(TokenRow, ScopeNames)>> {
    let Some(token) = visible(guid, &ScopeAccess::All)
        .select(TokenRow::as_select())
        .first::<TokenRow>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let scopes = scopes_of(conn, token.id)?;
    Ok(Some((token, scopes)))
}

/// The token's secret, encrypted (base64), if it is stored for showing again.
pub fn sealed_secret(conn: &mut DbConnection, id: TokenId) -> QueryResult<Option<String>> {
    api_tokens::table
        .find(id)
        .select(api_tokens::secret_ciphertext)
        .first(conn)
}

/// Every encrypted secret: (id, GUID, ciphertext), for re-encrypting under a new key.
pub fn sealed_secrets(conn: &mut DbConnection) -> QueryResult<Vec<(TokenId, Guid, String)>> {
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

/// Forgets the token's kept value: it is shown once, never again.
pub fn forget_sealed_secret(conn: &mut DbConnection, id: TokenId) -> QueryResult<()> {
    diesel::update(api_tokens::table.find(id))
        .set(api_tokens::secret_ciphertext.eq(None::<String>))
        .execute(conn)?;
    Ok(())
}

pub fn replace_sealed_secret(
    conn: &mut DbConnection,
    id: TokenId,
    sealed: &str,
) -> QueryResult<()> {
    diesel::update(api_tokens::table.find(id))
        .set(api_tokens::secret_ciphertext.eq(sealed))
        .execute(conn)?;
    Ok(())
}
