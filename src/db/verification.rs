//! What verification reads (a token by the digest of a presented secret, the module
//! catalog) and the one thing it writes: batched last-use data.

use std::collections::HashMap;

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::DbConnection;
use super::identities::IdentityRow;
use super::limits::{CreditsRow, RateLimitRow};
use super::schema::identities;
use super::schema::{
    api_token_allowed_networks, api_token_permissions, api_token_scopes, api_tokens, modules,
    scopes,
};
use super::sql::{Bind, Sql};
use super::tokens::TokenRow;
use crate::domain::ids::{IdentityId, TokenId};
use crate::domain::tokens::{Action, TokenType};
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
    /// The identity that owns it.
    pub identity: Option<IdentityRow>,
    /// The token's limits and its identity's, and their credits.
    pub limits: Vec<RateLimitRow>,
    pub credits: Vec<CreditsRow>,
}

/// The live tokens whose current (or previous, during its grace) secret has one of
/// these digests, by digest. Verification looks tokens up in batches: under load,
/// many requests share each of these four queries.
pub fn find_by_digests(
    conn: &mut DbConnection,
    digests: &[String],
) -> QueryResult<HashMap<String, LoadedToken>> {
    let rows: Vec<(TokenRow, String, Option<String>)> = api_tokens::table
        .filter(
            api_tokens::secret_digest
                .eq_any(digests)
                .or(api_tokens::previous_secret_digest.eq_any(digests)),
        )
        .filter(api_tokens::deleted_at.is_null())
        .select((
            TokenRow::as_select(),
            api_tokens::secret_digest,
            api_tokens::previous_secret_digest,
        ))
        .load(conn)?;
    if rows.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<TokenId> = rows.iter().map(|(t, _, _)| t.id).collect();
    let custom: Vec<TokenId> = rows
        .iter()
        .filter(|(t, _, _)| t.token_type == TokenType::Custom)
        .map(|(t, _, _)| t.id)
        .collect();
    let scope_names: Vec<(TokenId, String)> = api_token_scopes::table
        .inner_join(scopes::table)
        .filter(api_token_scopes::token_id.eq_any(&ids))
        .order(scopes::name_key.asc())
        .select((api_token_scopes::token_id, scopes::name))
        .load(conn)?;
    // Only Custom tokens have per-module grants.
    let grants: Vec<(TokenId, String, Action)> = if custom.is_empty() {
        Vec::new()
    } else {
        api_token_permissions::table
            .inner_join(modules::table)
            .filter(api_token_permissions::token_id.eq_any(&custom))
            .order(modules::module_key.asc())
            .select((
                api_token_permissions::token_id,
                modules::module_key,
                api_token_permissions::action,
            ))
            .load(conn)?
    };
    let networks: Vec<(TokenId, String)> = api_token_allowed_networks::table
        .filter(api_token_allowed_networks::token_id.eq_any(&ids))
        .select((
            api_token_allowed_networks::token_id,
            api_token_allowed_networks::cidr,
        ))
        .load(conn)?;
    let owners: Vec<IdentityId> = rows.iter().filter_map(|(t, _, _)| t.identity_id).collect();
    let owners_rows: Vec<IdentityRow> = if owners.is_empty() {
        Vec::new()
    } else {
        identities::table
            .filter(identities::id.eq_any(owners.iter().map(|i| i.0)))
            .select(IdentityRow::as_select())
            .load(conn)?
    };
    let (limits, credits) = super::limits::of_owners(conn, &ids, &owners)?;

    let mut found = HashMap::new();
    for (token, current, previous) in rows {
        let id = token.id;
        let owner = token.identity_id;
        let owned = |token_id: Option<i64>, identity_id: Option<i64>| {
            token_id == Some(id.0) || (identity_id.is_some() && identity_id == owner.map(|o| o.0))
        };
        let loaded = LoadedToken {
            identity: owners_rows.iter().find(|i| Some(i.id) == owner).cloned(),
            limits: limits
                .iter()
                .filter(|l| owned(l.token_id, l.identity_id))
                .cloned()
                .collect(),
            credits: credits
                .iter()
                .filter(|c| owned(c.token_id, c.identity_id))
                .cloned()
                .collect(),
            matched: SecretMatch::Current,
            scope_names: scope_names
                .iter()
                .filter(|(t, _)| *t == id)
                .map(|(_, n)| n.clone())
                .collect(),
            grants: grants
                .iter()
                .filter(|(t, _, _)| *t == id)
                .map(|(_, key, action)| (key.clone(), *action))
                .collect(),
            allowed_networks: networks
                .iter()
                .filter(|(t, _)| *t == id)
                .map(|(_, c)| c.clone())
                .collect(),
            token,
        };
        if let Some(previous) = previous.filter(|p| digests.contains(p)) {
            // A previous secret without an end date has no grace left.
            let until = loaded
                .token
                .previous_secret_expires_at
                .unwrap_or(PrimitiveDateTime::MIN);
            found.insert(
                previous,
                LoadedToken {
                    matched: SecretMatch::Previous { until },
                    ..loaded.clone()
                },
            );
        }
        if digests.contains(&current) {
            found.insert(current, loaded);
        }
    }
    Ok(found)
}

/// The last use of a token, as buffered in memory between flushes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Usage {
    pub token_id: TokenId,
    pub at: PrimitiveDateTime,
    /// Address and user agent, when they changed; otherwise they are kept.
    pub client: Option<(String, Option<String>)>,
}

/// Rows per statement, each statement its own transaction: the write lock is held
/// for a few milliseconds of work at a time, even by a flusher that gets only the
/// time a busy core leaves over.
const USAGE_ROWS_PER_STATEMENT: usize = 250;

/// Writes buffered uses a few hundred tokens per statement (`UPDATE ... FROM
/// (VALUES ...)`, which both backends read alike). An older use never replaces a
/// newer one (another instance may have written it), so a batch that fails half
/// way can be written again whole.
pub fn record_usage(conn: &mut DbConnection, usages: &[Usage]) -> QueryResult<usize> {
    let mut written = 0;
    for chunk in usages.chunks(USAGE_ROWS_PER_STATEMENT) {
        let mut sql = Sql::new(conn);
        sql.push("UPDATE api_tokens SET last_used_at = v.column2, ")
            .push("last_used_ip = COALESCE(v.column3, api_tokens.last_used_ip), ")
            .push("last_used_user_agent = CASE WHEN v.column3 IS NULL ")
            .push("THEN api_tokens.last_used_user_agent ELSE v.column4 END FROM ")
            .values(chunk.iter().map(|usage| {
                let (ip, agent) = match &usage.client {
                    Some((ip, agent)) => (Some(ip.clone()), agent.clone()),
                    None => (None, None),
                };
                [
                    Bind::BigInt(usage.token_id.0),
                    Bind::Timestamp(usage.at),
                    Bind::NullableText(ip),
                    Bind::NullableText(agent),
                ]
            }))
            .push(" WHERE api_tokens.id = v.column1 AND ")
            .push("(api_tokens.last_used_at IS NULL OR api_tokens.last_used_at < v.column2)");
        written += sql.execute(conn)?;
    }
    Ok(written)
}
