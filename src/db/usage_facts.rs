//! What each token's usage says about its health (`token_usage_facts`): when it
//! last used a module, how long its least used grant has gone unused, and when
//! its addresses were seen. Each fact is a time that does not depend on the
//! window a finding looks at, so the findings compare columns with their cutoffs
//! instead of reading every token's usage rows.
//!
//! A token's facts are rewritten by whatever changes what they are made of: the
//! usage flushes (uses and clients), a change of its grants, and, for every
//! token, a change of the modules or the pruning of old usage.

use diesel::prelude::*;

use super::DbConnection;
use super::sql::{Bind, Sql};
use crate::domain::ids::TokenId;
use crate::domain::tokens::MANY_ADDRESSES;

/// Tokens per statement.
const TOKENS_PER_STATEMENT: usize = 500;

/// Rewrites the facts of the tokens `ids`.
pub fn refresh(conn: &mut DbConnection, ids: &[TokenId]) -> QueryResult<()> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(TOKENS_PER_STATEMENT) {
        let mut sql = Sql::new(conn);
        upsert(&mut sql, |sql| {
            sql.push("t.id IN (")
                .bind_list(chunk.iter().map(|id| Bind::BigInt(id.0)))
                .push(")");
        });
        sql.execute(conn)?;
    }
    Ok(())
}

/// Rewrites every token's facts, dropping those of tokens without usage left.
pub fn refresh_all(conn: &mut DbConnection) -> QueryResult<()> {
    diesel::sql_query("DELETE FROM token_usage_facts").execute(conn)?;
    let mut sql = Sql::new(conn);
    upsert(&mut sql, |sql| {
        sql.push(
            "t.id IN (SELECT token_id FROM token_permission_uses \
             UNION SELECT token_id FROM token_clients)",
        );
    });
    sql.execute(conn)?;
    Ok(())
}

/// `INSERT ... SELECT` of the facts of the tokens `which` selects, replacing
/// those stored.
fn upsert(sql: &mut Sql, which: impl FnOnce(&mut Sql)) {
    let long_ago = sql.timestamp_literal("0001-01-01 00:00:00");
    let far_ahead = sql.timestamp_literal("9999-12-31 23:59:59");
    // The latest use of one granted pair, long ago when it was never used.
    let pair_used = |action: &str| {
        format!(
            "COALESCE((SELECT u.last_used_at FROM token_permission_uses u \
             WHERE u.token_id = t.id AND u.module = m.module_key AND u.action = {action}), \
             {long_ago})"
        )
    };
    sql.push(
        "INSERT INTO token_usage_facts (token_id, modules_used_at, grants_used_until, \
         sixth_address_seen, newest_address_since, oldest_address_since) \
         SELECT t.id, \
         (SELECT MAX(u.last_used_at) FROM token_permission_uses u WHERE u.token_id = t.id), ",
    );
    // A custom token's grants are its permissions; the others' are every module's
    // read, and write too for full access.
    sql.push(&format!(
        "COALESCE(CASE WHEN t.token_type = 'custom' THEN \
         (SELECT MIN({custom}) FROM api_token_permissions p JOIN modules m ON m.id = p.module_id \
         WHERE p.token_id = t.id) \
         ELSE (SELECT MIN({typed}) FROM modules m CROSS JOIN \
         (SELECT 'read' AS action UNION ALL SELECT 'write') a \
         WHERE a.action = 'read' OR t.token_type = 'full_access') END, {far_ahead}), ",
        custom = pair_used("p.action"),
        typed = pair_used("a.action"),
    ));
    // Addresses: an address's last seen is its latest over user agents, its first
    // seen the earliest.
    sql.push(&format!(
        "(SELECT s.seen FROM (SELECT MAX(c.last_seen) AS seen FROM token_clients c \
         WHERE c.token_id = t.id GROUP BY c.client_ip) s ORDER BY s.seen DESC \
         LIMIT 1 OFFSET {MANY_ADDRESSES}), \
         (SELECT MAX(s.since) FROM (SELECT MIN(c.first_seen) AS since FROM token_clients c \
         WHERE c.token_id = t.id GROUP BY c.client_ip) s), \
         (SELECT MIN(c.first_seen) FROM token_clients c WHERE c.token_id = t.id) \
         FROM api_tokens t WHERE "
    ));
    which(sql);
    sql.push(
        " ON CONFLICT (token_id) DO UPDATE SET modules_used_at = excluded.modules_used_at, \
         grants_used_until = excluded.grants_used_until, \
         sixth_address_seen = excluded.sixth_address_seen, \
         newest_address_since = excluded.newest_address_since, \
         oldest_address_since = excluded.oldest_address_since",
    );
}
