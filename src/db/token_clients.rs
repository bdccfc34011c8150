//! The clients seen passing with each token: address and user agent, first and
//! last seen, written with the batched last uses.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::DbConnection;
use super::schema::token_clients;
use super::sql::{Bind, Sql};
use crate::domain::ids::TokenId;

/// Rows per statement.
const ROWS_PER_STATEMENT: usize = 250;

#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct ClientSeen {
    pub token_id: TokenId,
    pub client_ip: String,
    /// Empty when the client sent none.
    pub user_agent: String,
    pub first_seen: PrimitiveDateTime,
    pub last_seen: PrimitiveDateTime,
}

/// Adds clients, or widens the first and last seen of those known; the clients'
/// keys must be distinct. Returns the statements run.
pub fn record_clients(conn: &mut DbConnection, clients: &[ClientSeen]) -> QueryResult<usize> {
    let mut statements = 0;
    for chunk in clients.chunks(ROWS_PER_STATEMENT) {
        let mut sql = Sql::new(conn);
        sql.push(
            "INSERT INTO token_clients (token_id, client_ip, user_agent, first_seen, last_seen) \
             VALUES ",
        );
        for (i, client) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" })
                .bind_list([
                    Bind::BigInt(client.token_id.0),
                    Bind::Text(client.client_ip.clone()),
                    Bind::Text(client.user_agent.clone()),
                    Bind::Timestamp(client.first_seen),
                    Bind::Timestamp(client.last_seen),
                ])
                .push(")");
        }
        sql.push(
            " ON CONFLICT (token_id, client_ip, user_agent) DO UPDATE SET \
             first_seen = CASE WHEN excluded.first_seen < token_clients.first_seen \
             THEN excluded.first_seen ELSE token_clients.first_seen END, \
             last_seen = CASE WHEN excluded.last_seen > token_clients.last_seen \
             THEN excluded.last_seen ELSE token_clients.last_seen END",
        );
        sql.execute(conn)?;
        statements += 1;
    }
    Ok(statements)
}

/// The token's clients, the most recently seen first, at most `limit`.
pub fn clients_of(
    conn: &mut DbConnection,
    token_id: TokenId,
    limit: i64,
) -> QueryResult<Vec<ClientSeen>> {
    token_clients::table
        .filter(token_clients::token_id.eq(token_id.0))
        .order((token_clients::last_seen.desc(), token_clients::client_ip))
        .limit(limit)
        .load(conn)
}
