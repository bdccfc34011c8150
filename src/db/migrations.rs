//! Embedded migrations, one set per backend with the same folder names.

use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::DbConnection;

pub const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

type MigrationResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Applies every pending migration and returns the names of those applied.
pub fn run_pending(conn: &mut DbConnection) -> MigrationResult<Vec<String>> {
    let applied = match conn {
        DbConnection::Postgres(c) => c.run_pending_migrations(POSTGRES)?,
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE)?,
    };
    Ok(applied.into_iter().map(|v| v.to_string()).collect())
}

/// Reverts every applied migration, newest first.
pub fn revert_all(conn: &mut DbConnection) -> MigrationResult<Vec<String>> {
    let reverted = match conn {
        DbConnection::Postgres(c) => c.revert_all_migrations(POSTGRES)?,
        DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE)?,
    };
    Ok(reverted.into_iter().map(|v| v.to_string()).collect())
}
