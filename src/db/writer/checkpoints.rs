//! Copying the write-ahead log back into the database, off the writer's thread.
//!
//! A passive checkpoint copies the frames the log holds when it starts and waits
//! for no one. But the log starts over from its beginning only when a write begins
//! with every frame copied and no reader still reading from it, which a writer
//! that never pauses, and readers that never stop, do not allow: the log would
//! grow until the writer copied it back itself, in one long stop of every write
//! (two `fsync`s of tens of megabytes). So once the log is long, this thread
//! copies it in passes, each shorter than the one before, flushes what they
//! copied, and asks the writer to pause between two transactions for a last short
//! pass that waits for the readers; the next transaction starts the log over.

use std::fs::File;
use std::sync::{Condvar, Mutex, MutexGuard, Weak};
use std::thread;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::sql_types::Integer;
use diesel::{QueryResult, QueryableByName, RunQueryDsl};

use crate::db::DbConnection;
use crate::db::connection::DatabaseUrl;
use crate::on_backend;

/// How often the log is copied back.
const EVERY: Duration = Duration::from_millis(200);

/// Frames (pages) in the log from which it is brought back to its start.
const LONG_LOG: i32 = 2_000;

/// Frames left uncopied that the writer pauses for: a few milliseconds' copy.
const SHORT_REST: i32 = 500;

/// The longest the writer pauses for readers still reading from the log; one
/// that reads longer keeps the log from starting over this time.
const MOST_READER_WAIT: Duration = Duration::from_millis(20);

/// Passes that try to catch up with the writer before it is asked to pause anyway.
const MOST_PASSES: usize = 8;

/// Where the writer and the checkpoint thread meet.
#[derive(Default)]
pub(super) struct Pauses {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Default)]
struct State {
    /// The checkpoint thread waits for the writer to pause.
    wanted: bool,
    /// The writer is in a transaction.
    writing: bool,
}

impl Pauses {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn wait_while(&self, condition: impl FnMut(&mut State) -> bool) -> MutexGuard<'_, State> {
        self.changed
            .wait_while(self.lock(), condition)
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The writer's transactions: each waits while a pause is wanted.
    pub(super) fn writing<T>(&self, transaction: impl FnOnce() -> T) -> T {
        let mut state = self.wait_while(|state| state.wanted);
        state.writing = true;
        drop(state);
        let done = transaction();
        self.lock().writing = false;
        self.changed.notify_all();
        done
    }

    /// Runs `f` while no transaction of the writer's runs or starts.
    fn paused<T>(&self, f: impl FnOnce() -> T) -> T {
        self.lock().wanted = true;
        drop(self.wait_while(|state| state.writing));
        let done = f();
        self.lock().wanted = false;
        self.changed.notify_all();
        done
    }
}

/// What a checkpoint found: the frames in the log, and how many of them are
/// copied into the database.
#[derive(QueryableByName)]
struct Log {
    #[diesel(sql_type = Integer)]
    log: i32,
    #[diesel(sql_type = Integer)]
    checkpointed: i32,
}

/// A checkpoint: `PASSIVE` copies what it can and waits for no one; `RESTART`
/// also waits (up to the connection's busy timeout) until no reader is still
/// reading from the log, so that the next write starts it over.
fn checkpoint(conn: &mut DbConnection, mode: &str) -> QueryResult<Log> {
    let sql = format!("PRAGMA wal_checkpoint({mode})");
    on_backend!(conn, |c| diesel::sql_query(&sql).get_result(c))
}

/// Copies the log back every [`EVERY`], and brings it back to its start once it
/// is long, at the lowest priority; ends once the writer is gone.
pub(super) fn spawn(url: DatabaseUrl, pauses: Weak<Pauses>) {
    let started = thread::Builder::new()
        .name("tessera-checkpoint".into())
        .spawn(move || {
            crate::blocking::lower_this_threads_priority(crate::blocking::NICE);
            let mut conn = None;
            let database = url.sqlite_file().and_then(|path| File::open(path).ok());
            loop {
                thread::sleep(EVERY);
                let Some(pauses) = pauses.upgrade() else {
                    return;
                };
                if conn.is_none() {
                    conn = open(&url);
                }
                let Some(c) = conn.as_mut() else { continue };
                if let Err(error) = copy_back(c, database.as_ref(), &pauses) {
                    tracing::warn!(%error, "could not copy the write-ahead log back");
                    conn = None;
                }
            }
        });
    if let Err(error) = started {
        tracing::warn!(%error, "no checkpoint thread: writes copy the log back themselves");
    }
}

/// The checkpoint thread's connection. Its busy timeout bounds how long a
/// `RESTART` waits for readers, and with it the writer's pause.
fn open(url: &DatabaseUrl) -> Option<DbConnection> {
    let mut conn = url.connect().ok()?;
    conn.batch_execute(&format!(
        "PRAGMA busy_timeout = {}",
        MOST_READER_WAIT.as_millis()
    ))
    .ok()?;
    Some(conn)
}

/// One round: a pass, and when the log is long, passes until little is left and
/// a last one while the writer pauses.
fn copy_back(conn: &mut DbConnection, database: Option<&File>, pauses: &Pauses) -> QueryResult<()> {
    let mut log = checkpoint(conn, "PASSIVE")?;
    if log.log < LONG_LOG {
        return Ok(());
    }
    // Each pass copies what the writer added during the one before: fewer frames
    // each time, as copying is faster than writing them.
    let mut copied = log.checkpointed;
    for _ in 1..MOST_PASSES {
        log = checkpoint(conn, "PASSIVE")?;
        let added = log.checkpointed - copied;
        copied = log.checkpointed;
        if added <= SHORT_REST {
            break;
        }
    }
    // A pass that the writer outran copies without syncing the database file; the
    // pages it copied are flushed here, so that the paused pass syncs few.
    if let Some(Err(error)) = database.map(File::sync_data) {
        tracing::warn!(%error, "could not flush the database file");
    }
    pauses.paused(|| checkpoint(conn, "RESTART"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::mpsc;

    #[test]
    fn a_pause_waits_for_the_transaction_under_way_and_holds_back_the_next() {
        let pauses = Arc::new(Pauses::default());
        let (events, seen) = mpsc::channel();
        let (started, wait_start) = mpsc::channel();
        let writer = {
            let (pauses, events) = (pauses.clone(), events.clone());
            thread::spawn(move || {
                pauses.writing(|| {
                    started.send(()).unwrap();
                    thread::sleep(Duration::from_millis(50));
                    events.send("first transaction ends").unwrap();
                });
            })
        };
        wait_start.recv().unwrap();
        let next = {
            let (pauses, events) = (pauses.clone(), events.clone());
            move || {
                thread::spawn(move || {
                    pauses.writing(|| events.send("next transaction runs").unwrap())
                })
            }
        };
        let mut later = None;
        pauses.paused(|| {
            events.send("pause begins").unwrap();
            later = Some(next());
            thread::sleep(Duration::from_millis(50));
            events.send("pause ends").unwrap();
        });
        writer.join().unwrap();
        later.unwrap().join().unwrap();
        drop(events);
        assert_eq!(
            seen.iter().collect::<Vec<_>>(),
            [
                "first transaction ends",
                "pause begins",
                "pause ends",
                "next transaction runs"
            ]
        );
    }
}
