//! Tells every instance sharing a PostgreSQL database that a token or the catalog
//! changed, so their verification caches forget it. The notification is sent when
//! the surrounding transaction commits; SQLite serves a single instance, which
//! forgets its own cache directly.

use diesel::RunQueryDsl;
use diesel::sql_types::Text;

use super::DbConnection;
use crate::domain::ids::Guid;

pub const CHANNEL: &str = "tessera_changes";
pub const CATALOG: &str = "catalog";
const TOKEN_PREFIX: &str = "token:";

/// What a notification says changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Token(Guid),
    Catalog,
}

impl Change {
    pub fn parse(payload: &str) -> Option<Self> {
        match payload {
            CATALOG => Some(Change::Catalog),
            other => other
                .strip_prefix(TOKEN_PREFIX)
                .and_then(Guid::parse)
                .map(Change::Token),
        }
    }

    fn payload(&self) -> String {
        match self {
            Change::Token(guid) => format!("{TOKEN_PREFIX}{guid}"),
            Change::Catalog => CATALOG.to_owned(),
        }
    }
}

pub fn announce(conn: &mut DbConnection, change: &Change) -> diesel::QueryResult<()> {
    if let DbConnection::Postgres(pg) = conn {
        diesel::sql_query("SELECT pg_notify($1, $2)")
            .bind::<Text, _>(CHANNEL)
            .bind::<Text, _>(change.payload())
            .execute(pg)?;
    }
    Ok(())
}

pub fn token_changed(conn: &mut DbConnection, guid: &Guid) -> diesel::QueryResult<()> {
    announce(conn, &Change::Token(guid.clone()))
}

pub fn catalog_changed(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    announce(conn, &Change::Catalog)
}

#[cfg(test)]
mod tests {
    use super::Change;
    use crate::domain::ids::Guid;

    #[test]
    fn payloads_round_trip() {
        for change in [Change::Catalog, Change::Token(Guid::generate())] {
            assert_eq!(Change::parse(&change.payload()), Some(change));
        }
        assert_eq!(Change::parse("something else"), None);
        assert_eq!(Change::parse("token:not-a-guid"), None);
    }
}
