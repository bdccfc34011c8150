//! Storage: the connection, the schema, the migrations, and one module of queries
//! per part of the domain. Query functions are plain functions taking a connection;
//! callers run them off the async workers (see [`Db::run`]).

pub mod admins;
pub mod api_keys;
pub mod audit;
pub mod bulk_actions;
pub mod catalog;
pub mod changes;
pub mod connection;
pub mod examples;
pub mod expiry;
pub mod health;
pub mod idempotency;
pub mod identities;
pub mod limits;
pub mod mail;
pub mod migrations;
pub mod outbox;
pub mod retention;
pub mod schema;
pub mod scope_policies;
pub mod sessions;
pub mod settings;
pub mod setup;
pub mod sign_in_links;
pub mod sql;
mod sql_types;
pub mod throttle;
pub mod token_clients;
pub mod token_counts;
pub mod token_list;
pub mod token_status;
pub mod tokens;
pub mod usage;
pub mod usage_facts;
pub mod usage_leaders;
pub mod usage_overview;
pub mod usage_retention;
pub mod verification;
pub mod webhooks;
mod writer;

pub use connection::{Backend, DatabaseUrl, DbConnection, DbPool};
pub use writer::Writer;

use time::{OffsetDateTime, PrimitiveDateTime};

use crate::blocking::BlockingPool;

/// The current time in UTC, to the microsecond (what both backends store).
pub fn now() -> PrimitiveDateTime {
    let now = OffsetDateTime::now_utc();
    let micros = now.microsecond();
    let now = now.replace_microsecond(micros).expect("valid microsecond");
    PrimitiveDateTime::new(now.date(), now.time())
}

/// Runs `f` in a transaction that changes something. On SQLite it takes the write
/// lock at its start (`BEGIN IMMEDIATE`, waiting up to the busy timeout): a
/// transaction that reads first and writes later is refused outright when another
/// writer went first. PostgreSQL runs an ordinary transaction.
pub fn write_transaction<T, E>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    use diesel::result::Error;
    fn sqlite(conn: &mut DbConnection) -> Option<&mut diesel::SqliteConnection> {
        match conn {
            DbConnection::Sqlite(inner) => Some(inner),
            DbConnection::Postgres(_) => None,
        }
    }
    let Some(inner) = sqlite(conn) else {
        return diesel::Connection::transaction(conn, f);
    };
    // As Diesel's own `transaction`, with another first statement.
    AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
    let outcome = f(conn);
    let inner = sqlite(conn).expect("still SQLite");
    match outcome {
        Ok(value) => {
            AnsiTransactionManager::commit_transaction(inner)?;
            Ok(value)
        }
        Err(error) => match AnsiTransactionManager::rollback_transaction(inner) {
            Ok(()) | Err(Error::BrokenTransactionManager) => Err(error),
            Err(rollback) => Err(rollback.into()),
        },
    }
}

/// True when a Diesel error is a unique-constraint violation.
pub fn is_unique_violation(error: &diesel::result::Error) -> bool {
    matches!(
        error,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// The pool, with a way to run blocking queries on the low-priority blocking threads.
#[derive(Clone)]
pub struct Db {
    pool: DbPool,
    url: DatabaseUrl,
    blocking: BlockingPool,
    /// SQLite: the one connection write transactions take turns on.
    writer: Option<Writer>,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("no database connection available: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    #[error("the blocking thread pool is gone")]
    Canceled,
    #[error("token lookup failed: {0}")]
    Lookup(String),
    #[error("the write was not committed: {0}")]
    Write(String),
}

impl Db {
    /// `writer`: SQLite's, for its write transactions.
    pub fn new(pool: DbPool, writer: Option<Writer>, url: DatabaseUrl) -> Self {
        // Queries wait for one of the pool's connections, hashing for one of the
        // cores: more threads than that would only wait, and each idle one keeps
        // memory (a flood of sign-ins once grew 100 of them).
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let blocking = BlockingPool::new(pool.max_size() as usize + cores + 2);
        Self {
            pool,
            url,
            blocking,
            writer,
        }
    }

    /// The threads that run queries, shared with password hashing.
    pub fn blocking(&self) -> &BlockingPool {
        &self.blocking
    }

    /// How many connections the pool holds at most.
    pub fn max_connections(&self) -> usize {
        self.pool.max_size() as usize
    }

    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// Runs `f` with a pooled connection on the low-priority blocking threads, so
    /// neither waiting for a connection nor the query itself holds up an async worker
    /// or takes the core from verification.
    pub async fn run<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let pool = self.pool.clone();
        self.blocking
            .run(move || {
                let mut conn = pool.get().map_err(DbError::from)?;
                f(&mut conn)
            })
            .await
            .map_err(|_| E::from(DbError::Canceled))?
    }

    /// Runs `f` as [`run`](Self::run) does, in one [`write_transaction`] (on SQLite,
    /// the [`Writer`]'s).
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + From<diesel::result::Error> + Send + 'static,
    {
        match &self.writer {
            Some(writer) => writer.write(f).await,
            None => self.run(move |c| write_transaction(c, f)).await,
        }
    }

    /// A connection for code that is already off the async workers (CLI, background jobs).
    pub fn get(&self) -> Result<connection::PooledConnection, DbError> {
        Ok(self.pool.get()?)
    }
}
