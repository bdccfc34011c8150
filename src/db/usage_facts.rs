//! What each token's usage says about its health (`token_usage_facts`): when it
//! last used a module, how long its least used grant has gone unused, and when
//! its addresses were seen. Each fact is a time that does not depend on the
//! window a finding looks at, so the findings compare columns with their cutoffs
//! instead of reading every token's usage rows.
//!
//! A token's facts are rewritten by whatever changes what they are made of: the
//! usage flushes (uses, and clients when a token is seen from another one), a
//! change of its grants, a change of the modules (for the tokens granted every
//! module), and, for every token, the daily pruning of old usage.

use diesel::prelude::*;

use super::DbConnection;
use super::sql::{Bind, Sql};
use crate::domain::ids::TokenId;
use crate::domain::tokens::MANY_ADDRESSES;

/// Tokens per statement.
const TOKENS_PER_STATEMENT: usize = 500;

/// Rewrites the facts of the tokens `ids`, after a write of their usage.
pub fn refresh(conn: &mut DbConnection, ids: &[TokenId]) -> QueryResult<()> {
    refresh_ids(conn, ids, Lock::Exclusive)
}

/// Rewrites the facts of the tokens `ids` within the transaction that changed
/// their grants.
pub fn refresh_after_grants(conn: &mut DbConnection, ids: &[TokenId]) -> QueryResult<()> {
    refresh_ids(conn, ids, Lock::Shared)
}

fn refresh_ids(conn: &mut DbConnection, ids: &[TokenId], lock: Lock) -> QueryResult<()> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(TOKENS_PER_STATEMENT) {
        rewrite(conn, lock, |sql| {
            sql.push("t.id IN (")
                .bind_list(chunk.iter().map(|id| Bind::BigInt(id.0)))
                .push(")");
        })?;
    }
    Ok(())
}

/// Rewrites the facts of the Full access and Read-only tokens with usage, which
/// every module's coming or going changes.
pub fn refresh_every_module_grantee(conn: &mut DbConnection) -> QueryResult<()> {
    rewrite(conn, Lock::Exclusive, |sql| {
        sql.push("t.token_type <> 'custom' AND ").push(WITH_USAGE);
    })
}

/// Rewrites every token's facts, dropping those of tokens without usage left.
pub fn refresh_all(conn: &mut DbConnection) -> QueryResult<()> {
    conn.transaction(|c| {
        serialize(c, Lock::Exclusive)?;
        diesel::sql_query("DELETE FROM token_usage_facts").execute(c)?;
        let mut sql = Sql::new(c);
        upsert(&mut sql, |sql| {
            sql.push(WITH_USAGE);
        });
        sql.execute(c)?;
        Ok(())
    })
}

const WITH_USAGE: &str = "t.id IN (SELECT token_id FROM token_permission_uses \
     UNION SELECT token_id FROM token_clients)";

/// One upsert, after the rewrites it must not overtake have committed.
fn rewrite(conn: &mut DbConnection, lock: Lock, which: impl FnOnce(&mut Sql)) -> QueryResult<()> {
    let mut sql = Sql::new(conn);
    upsert(&mut sql, which);
    match conn {
        DbConnection::Postgres(_) => conn.transaction(|c| {
            serialize(c, lock)?;
            sql.execute(c).map(drop)
        }),
        DbConnection::Sqlite(_) => sql.execute(conn).map(drop),
    }
}

/// On PostgreSQL, an upsert reads the grants and usage as its statement began:
/// a rewrite after a usage write, running beside a transaction that changed
/// grants and rewrote their facts, would write its older reading over them. So
/// usage writers (and every-token rewrites) take the facts' lock alone, grant
/// writers share it, in a statement before the upsert, which then reads after
/// the other side committed. Grant writers take it after their tokens' row
/// locks, and a usage writer holds none that they wait for, so no two wait for
/// each other. SQLite has one writer at a time already.
#[derive(Clone, Copy)]
enum Lock {
    Exclusive,
    Shared,
}

fn serialize(conn: &mut DbConnection, lock: Lock) -> QueryResult<()> {
    if let DbConnection::Postgres(pg) = conn {
        let function = match lock {
            Lock::Exclusive => "pg_advisory_xact_lock",
            Lock::Shared => "pg_advisory_xact_lock_shared",
        };
        diesel::sql_query(format!("SELECT {function}({FACTS_LOCK})")).execute(pg)?;
    }
    Ok(())
}

/// The advisory lock of the facts' rewrites ("facts" in ASCII).
const FACTS_LOCK: i64 = 0x0066_6163_7473;

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
