//! SQLite's writer. SQLite has one writer at a time: connections that each write
//! poll for its lock in sleeps of up to 100 ms (its busy handler), and each starts
//! from a cold page cache (a connection forgets its cache whenever another one
//! wrote). So every write transaction of this process takes its turn on one
//! connection, and the write-ahead log is copied back into the database by a
//! thread of its own rather than by the write that happens to fill it.

use std::sync::{Arc, Weak};
use std::thread;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2;

use super::DbConnection;
use super::connection::{ConnectionManager, DatabaseUrl, DbPool, StatementHook};

/// How often the log is copied back into the database.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);

/// Pages the log may hold before a write copies it back itself: reached only when
/// the checkpoint thread falls behind (40 MB at 4 KiB a page).
const WRITER_CHECKPOINTS_AT: u32 = 10_000;

#[derive(Clone)]
pub struct Writer {
    connection: DbPool,
    /// The checkpoint thread ends once the last clone of this is gone.
    _alive: Arc<()>,
}

impl Writer {
    pub fn open(url: &DatabaseUrl, on_statement: Option<StatementHook>) -> Self {
        let connection = r2d2::Pool::builder()
            .max_size(1)
            .min_idle(Some(0))
            // A burst of writes queues; only a writer stuck for half a minute
            // fails the ones waiting.
            .connection_timeout(Duration::from_secs(30))
            .test_on_check_out(false)
            .connection_customizer(Box::new(CheckpointsAt(WRITER_CHECKPOINTS_AT)))
            .build_unchecked(ConnectionManager::new(url.clone(), on_statement));
        let alive = Arc::new(());
        spawn_checkpoints(url.clone(), Arc::downgrade(&alive));
        Self {
            connection,
            _alive: alive,
        }
    }

    /// The pool of the one writing connection: a write takes its turn by getting it.
    pub fn connection(&self) -> &DbPool {
        &self.connection
    }
}

#[derive(Debug)]
struct CheckpointsAt(u32);

impl r2d2::CustomizeConnection<DbConnection, diesel::ConnectionError> for CheckpointsAt {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::ConnectionError> {
        conn.batch_execute(&format!("PRAGMA wal_autocheckpoint = {}", self.0))
            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)
    }
}

/// Copies the log back every [`CHECKPOINT_EVERY`] (a passive checkpoint: it waits
/// for no reader or writer), at the lowest priority.
fn spawn_checkpoints(url: DatabaseUrl, alive: Weak<()>) {
    let started = thread::Builder::new()
        .name("tessera-checkpoint".into())
        .spawn(move || {
            crate::blocking::lower_this_threads_priority(crate::blocking::NICE);
            let mut conn = None;
            while alive.strong_count() > 0 {
                thread::sleep(CHECKPOINT_EVERY);
                if conn.is_none() {
                    conn = url.connect().ok();
                }
                let Some(c) = conn.as_mut() else { continue };
                if let Err(error) = c.batch_execute("PRAGMA wal_checkpoint(PASSIVE)") {
                    tracing::warn!(%error, "could not copy the write-ahead log back");
                    conn = None;
                }
            }
        });
    if let Err(error) = started {
        tracing::warn!(%error, "no checkpoint thread: writes copy the log back themselves");
    }
}
