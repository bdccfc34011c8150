//! Example tokens written in bulk (`tessera seed`): many rows per statement and per
//! transaction, with their stored status, so that a million load in minutes.

use std::collections::HashMap;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::DbConnection;
use super::schema::{
    api_token_permissions, api_token_scopes, api_tokens, token_clients, token_permission_uses,
};
use crate::domain::tokens::{Action, TokenType};
use crate::on_backend;

/// Rows per INSERT statement: 18 values each, within both backends' limits.
const ROWS_PER_INSERT: usize = 1000;

/// One example token's row. `None` is written as NULL, never as the column's
/// default (a default `status_until` would mark the row due for a refresh).
#[derive(Insertable)]
#[diesel(table_name = api_tokens, treat_none_as_default_value = false)]
pub struct ExampleRow {
    pub guid: String,
    pub name: String,
    pub name_key: String,
    pub description: String,
    pub token_type: TokenType,
    pub secret_digest: String,
    pub secret_hint: String,
    pub valid_from: PrimitiveDateTime,
    pub valid_to: Option<PrimitiveDateTime>,
    pub disabled_at: Option<PrimitiveDateTime>,
    pub revoked_at: Option<PrimitiveDateTime>,
    pub deleted_at: Option<PrimitiveDateTime>,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
    pub last_used_at: Option<PrimitiveDateTime>,
    pub last_used_ip: Option<String>,
    pub status: i16,
    pub status_until: Option<PrimitiveDateTime>,
    pub scope_set: String,
}

/// An example token with its scopes, for a custom token its grants, and the
/// usage it had.
pub struct ExampleToken {
    pub row: ExampleRow,
    pub scope_ids: Vec<i64>,
    pub grants: Vec<(i64, Action)>,
    pub uses: Vec<ExampleUse>,
    pub clients: Vec<ExampleClient>,
}

/// The latest use of a module and action.
pub struct ExampleUse {
    pub module: String,
    pub action: Action,
    pub at: PrimitiveDateTime,
}

/// A client the token was used from.
pub struct ExampleClient {
    pub client_ip: String,
    pub user_agent: String,
    pub first_seen: PrimitiveDateTime,
    pub last_seen: PrimitiveDateTime,
}

/// Before a bulk load. Inserts land at random places in the GUID and digest
/// indexes: with SQLite's default 2 MB page cache, most would read from disk.
pub fn begin_bulk_load(conn: &mut DbConnection) -> QueryResult<()> {
    match conn {
        DbConnection::Sqlite(sqlite) => sqlite.batch_execute("PRAGMA cache_size = -524288"),
        DbConnection::Postgres(_) => Ok(()),
    }
}

/// Adds the tokens in one transaction.
pub fn insert(conn: &mut DbConnection, tokens: &[ExampleToken]) -> QueryResult<()> {
    conn.transaction(|conn| {
        for chunk in tokens.chunks(ROWS_PER_INSERT) {
            insert_chunk(conn, chunk)?;
        }
        Ok(())
    })
}

fn insert_chunk(conn: &mut DbConnection, tokens: &[ExampleToken]) -> QueryResult<()> {
    let rows: Vec<&ExampleRow> = tokens.iter().map(|t| &t.row).collect();
    let insert = diesel::insert_into(api_tokens::table)
        .values(rows)
        .returning((api_tokens::guid, api_tokens::id));
    let ids: HashMap<String, i64> = on_backend!(&mut *conn, |c| insert.get_results(c))?
        .into_iter()
        .collect();
    let mut scopes = Vec::new();
    let mut grants = Vec::new();
    let mut uses = Vec::new();
    let mut clients = Vec::new();
    for token in tokens {
        let id = ids[&token.row.guid];
        let live_name = token
            .row
            .deleted_at
            .is_none()
            .then_some(&token.row.name_key);
        for scope in &token.scope_ids {
            scopes.push((
                api_token_scopes::token_id.eq(id),
                api_token_scopes::scope_id.eq(*scope),
                api_token_scopes::live_name_key.eq(live_name),
            ));
        }
        for (module, action) in &token.grants {
            grants.push((
                api_token_permissions::token_id.eq(id),
                api_token_permissions::module_id.eq(*module),
                api_token_permissions::action.eq(*action),
            ));
        }
        for used in &token.uses {
            uses.push((
                token_permission_uses::token_id.eq(id),
                token_permission_uses::module.eq(&used.module),
                token_permission_uses::action.eq(used.action.key()),
                token_permission_uses::last_used_at.eq(used.at),
            ));
        }
        for client in &token.clients {
            clients.push((
                token_clients::token_id.eq(id),
                token_clients::client_ip.eq(&client.client_ip),
                token_clients::user_agent.eq(&client.user_agent),
                token_clients::first_seen.eq(client.first_seen),
                token_clients::last_seen.eq(client.last_seen),
            ));
        }
    }
    let insert = diesel::insert_into(api_token_scopes::table).values(&scopes);
    on_backend!(&mut *conn, |c| insert.execute(c))?;
    let insert = diesel::insert_into(api_token_permissions::table).values(&grants);
    on_backend!(&mut *conn, |c| insert.execute(c))?;
    // Within SQLite's 32,766 bound values per statement.
    for chunk in uses.chunks(ROWS_PER_INSERT) {
        let insert = diesel::insert_into(token_permission_uses::table).values(chunk);
        on_backend!(&mut *conn, |c| insert.execute(c))?;
    }
    for chunk in clients.chunks(ROWS_PER_INSERT) {
        let insert = diesel::insert_into(token_clients::table).values(chunk);
        on_backend!(&mut *conn, |c| insert.execute(c))?;
    }
    Ok(())
}

/// After a bulk load.
pub fn end_bulk_load(conn: &mut DbConnection) -> QueryResult<()> {
    super::token_counts::fold(conn)?;
    super::usage_facts::refresh_all(conn)?;
    match conn {
        // What autovacuum would do soon after a bulk load: statistics for the planner,
        // and a visibility map for index-only scans.
        DbConnection::Postgres(pg) => {
            pg.batch_execute(
            "VACUUM ANALYZE api_tokens, api_token_scopes, api_token_permissions, token_count_changes, \
             token_counts, token_permission_uses, token_clients, token_usage_facts",
        )
        }
        // The load sits in the write-ahead log; moved into the database here, or the
        // next start's first write would wait for it.
        DbConnection::Sqlite(sqlite) => sqlite.batch_execute("PRAGMA wal_checkpoint(TRUNCATE)"),
    }
}
