//! What verification reads (a token by the digest of a presented secret, the module
//! catalog) and the one thing it writes: batched last-use data.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::DbConnection;
use super::schema::{
    api_token_allowed_networks, api_token_permissions, api_token_scopes, api_tokens, modules,
    scopes,
};
use super::tokens::TokenRow;
use crate::domain::tokens::Action;
use crate::domain::verification::SecretMatch;

/// A live token found by one of its secrets, with what verification needs.
#[derive(Debug, Clone)]
pub struct LoadedToken {
    pub token: TokenRow,
    pub matched: SecretMatch,
    pub scope_names: Vec<String>,
    /// Custom tokens: (module key, action).
    pub grants: Vec<(String, Action)>,
    pub allowed_networks: Vec<String>,
}

/// The token whose current (or previous, during its grace) secret has this digest.
/// Deleted tokens are not found.
pub fn find_by_digest(conn: &mut DbConnection, digest: &str) -> QueryResult<Option<LoadedToken>> {
    let found: Option<(TokenRow, String)> = api_tokens::table
        .filter(
            api_tokens::secret_digest
                .eq(digest)
                .or(api_tokens::previous_secret_digest.eq(digest)),
        )
        .filter(api_tokens::deleted_at.is_null())
        .select((TokenRow::as_select(), api_tokens::secret_digest))
        .first(conn)
        .optional()?;
    let Some((token, current)) = found else {
        return Ok(None);
    };
    let matched = if current == digest {
        SecretMatch::Current
    } else {
        // A previous secret without an end date has no grace left.
        SecretMatch::Previous {
            until: token
                .previous_secret_expires_at
                .unwrap_or(PrimitiveDateTime::MIN),
        }
    };
    let scope_names = api_token_scopes::table
        .inner_join(scopes::table)
        .filter(api_token_scopes::token_id.eq(token.id))
        .order(scopes::name_key.asc())
        .select(scopes::name)
        .load(conn)?;
    let grants = api_token_permissions::table
        .inner_join(modules::table)
        .filter(api_token_permissions::token_id.eq(token.id))
        .order(modules::module_key.asc())
        .select((modules::module_key, api_token_permissions::action))
        .load::<(String, String)>(conn)?
        .into_iter()
        .filter_map(|(key, action)| Action::from_key(&action).map(|a| (key, a)))
        .collect();
    let allowed_networks = api_token_allowed_networks::table
        .filter(api_token_allowed_networks::token_id.eq(token.id))
        .select(api_token_allowed_networks::cidr)
        .load(conn)?;
    Ok(Some(LoadedToken {
        token,
        matched,
        scope_names,
        grants,
        allowed_networks,
    }))
}

/// The last use of a token, as buffered in memory between flushes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Usage {
    pub token_id: i64,
    pub at: PrimitiveDateTime,
    pub ip: String,
    pub user_agent: Option<String>,
}

/// Writes buffered uses, one statement per token, in one transaction. An older use
/// never replaces a newer one (another instance may have flushed it).
pub fn record_usage(conn: &mut DbConnection, usages: &[Usage]) -> QueryResult<usize> {
    conn.transaction(|conn| {
        let mut written = 0;
        for usage in usages {
            written += diesel::update(
                api_tokens::table
                    .filter(api_tokens::id.eq(usage.token_id))
                    .filter(
                        api_tokens::last_used_at
                            .is_null()
                            .or(api_tokens::last_used_at.lt(usage.at)),
                    ),
            )
            .set((
                api_tokens::last_used_at.eq(usage.at),
                api_tokens::last_used_ip.eq(&usage.ip),
                api_tokens::last_used_user_agent.eq(&usage.user_agent),
            ))
            .execute(conn)?;
        }
        Ok(written)
    })
}
