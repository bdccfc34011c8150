//! One connection type over SQLite and PostgreSQL, chosen by the URL scheme.

use std::cell::Cell;
use std::sync::Arc;
use std::time::Duration;

use diesel::connection::InstrumentationEvent;

use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel::{Connection, PgConnection, SqliteConnection};

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    // SQLite last: it accepts any string as a file name.
    Sqlite(SqliteConnection),
}

pub type DbPool = r2d2::Pool<ConnectionManager>;
pub type PooledConnection = r2d2::PooledConnection<ConnectionManager>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where the database lives, parsed once from `TESSERA_DATABASE_URL`.
#[derive(Clone)]
pub struct DatabaseUrl {
    backend: Backend,
    target: String,
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> anyhow::Result<Self> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self {
                backend: Backend::Postgres,
                target: url.to_owned(),
            });
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        if path.is_empty() || path == ":memory:" {
            anyhow::bail!(
                "TESSERA_DATABASE_URL must name a SQLite file (such as tessera.db) or a postgres:// URL"
            );
        }
        if path.contains("://") {
            anyhow::bail!(
                "unsupported database URL scheme; use a SQLite file path or a postgres:// URL"
            );
        }
        Ok(Self {
            backend: Backend::Sqlite,
            target: path.to_owned(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The PostgreSQL URL, for a connection of its own (change notifications).
    pub fn postgres(&self) -> Option<&str> {
        (self.backend == Backend::Postgres).then_some(self.target.as_str())
    }

    /// The SQLite file's path.
    pub fn sqlite_file(&self) -> Option<&std::path::Path> {
        (self.backend == Backend::Sqlite).then(|| std::path::Path::new(&self.target))
    }

    /// Opens one connection, configured like the pooled ones.
    pub fn connect(&self) -> diesel::ConnectionResult<DbConnection> {
        match self.backend {
            Backend::Postgres => {
                let mut conn = PgConnection::establish(&self.target)?;
                configure_postgres(&mut conn)
                    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Postgres(conn))
            }
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(&self.target)?;
                configure_sqlite(&mut conn)
                    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

// The URL may carry a password: never print it.
impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.backend {
            Backend::Sqlite => write!(f, "sqlite:{}", self.target),
            Backend::Postgres => f.write_str("postgres://[redacted]"),
        }
    }
}

/// WAL lets readers run beside the writer; the busy timeout makes a writer wait for
/// the lock instead of failing; foreign keys are off in SQLite unless asked for;
/// temporary tables and indexes (sorts, `IN` lists) stay in memory, not in files
/// created and removed for one statement.
fn configure_sqlite(conn: &mut SqliteConnection) -> diesel::QueryResult<()> {
    use diesel::connection::SimpleConnection;
    conn.batch_execute(
        "PRAGMA busy_timeout = 10000;
         PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;",
    )
}

/// No JIT compilation: the planner's cost of a count over every token (a
/// correlated subquery per row) passes JIT's threshold, and compiling it took
/// longer than running it (555 of 750 ms at 100,000 tokens). Every query here is
/// short, so none gains from it.
fn configure_postgres(conn: &mut PgConnection) -> diesel::QueryResult<()> {
    use diesel::connection::SimpleConnection;
    conn.batch_execute("SET jit = off")
}

/// Called once per statement a pooled connection runs for the verification path
/// (for `/metrics`): what the admin app and background jobs run is not counted.
pub type StatementHook = Arc<dyn Fn() + Send + Sync>;

thread_local! {
    static VERIFYING: Cell<bool> = const { Cell::new(false) };
}

/// Runs `work` with the calling thread's statements counted as the verification
/// path's: lookups, the module catalog, last-use writes.
pub fn for_verification<T>(work: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            VERIFYING.set(self.0);
        }
    }
    let _restore = Restore(VERIFYING.replace(true));
    work()
}

/// An r2d2 manager that picks the backend from the URL, never by trying each in turn.
pub struct ConnectionManager {
    url: DatabaseUrl,
    on_statement: Option<StatementHook>,
}

impl ConnectionManager {
    pub fn new(url: DatabaseUrl, on_statement: Option<StatementHook>) -> Self {
        Self { url, on_statement }
    }
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = diesel::ConnectionError;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        let mut conn = self.url.connect()?;
        if let Some(hook) = self.on_statement.clone() {
            conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
                if let InstrumentationEvent::StartQuery { .. } = event
                    && VERIFYING.get()
                {
                    hook();
                }
            });
        }
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.ping()
            .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        conn.is_broken()
    }
}

pub fn build_pool(
    url: &DatabaseUrl,
    max_size: u32,
    on_statement: Option<StatementHook>,
) -> anyhow::Result<DbPool> {
    let pool = r2d2::Pool::builder()
        .max_size(max_size.max(1))
        .connection_timeout(Duration::from_secs(10))
        // A round trip per checkout would double the cost of a verification that
        // misses the cache; broken connections are noticed when they fail, and
        // replaced.
        .test_on_check_out(false)
        .build(ConnectionManager::new(url.clone(), on_statement))?;
    Ok(pool)
}

/// Runs the same Diesel query on whichever backend the connection is, for
/// statements `MultiConnection` cannot express (such as `ON CONFLICT` upserts).
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$inner:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Postgres($inner) => $body,
            $crate::db::DbConnection::Sqlite($inner) => $body,
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_chooses_the_backend() {
        assert_eq!(
            DatabaseUrl::parse("tessera.db").unwrap().backend(),
            Backend::Sqlite
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/t.db").unwrap().target,
            "data/t.db"
        );
        assert_eq!(
            DatabaseUrl::parse("postgres://u:p@h/db").unwrap().backend(),
            Backend::Postgres
        );
        assert_eq!(
            DatabaseUrl::parse("postgresql://h/db").unwrap().backend(),
            Backend::Postgres
        );
        assert!(DatabaseUrl::parse("mysql://h/db").is_err());
        assert!(DatabaseUrl::parse(":memory:").is_err());
        assert!(DatabaseUrl::parse("").is_err());
    }

    /// Set in `.cargo/config.toml`: without it, every `.first()` (Diesel binds its
    /// `LIMIT`) is parsed and planned again each time it runs.
    #[test]
    fn sqlite_keeps_statements_prepared_whatever_their_parameters() {
        use diesel::{Connection, RunQueryDsl, dsl::sql, sql_types::Integer};
        let mut conn = diesel::SqliteConnection::establish(":memory:").unwrap();
        let built_with: i32 =
            diesel::select(sql::<Integer>("sqlite_compileoption_used('ENABLE_QPSG')"))
                .get_result(&mut conn)
                .unwrap();
        assert_eq!(built_with, 1);
    }

    #[test]
    fn debug_output_hides_the_postgres_password() {
        let url = DatabaseUrl::parse("postgres://u:secret@h/db").unwrap();
        assert!(!format!("{url:?}").contains("secret"));
    }
}
