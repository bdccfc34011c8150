//! SQLite's writer. SQLite has one writer at a time: connections that each write
//! poll for its lock in sleeps of up to 100 ms (its busy handler), and each starts
//! from a cold page cache (a connection forgets its cache whenever another one
//! wrote). So every write of this process is handed to one thread with one
//! connection, which commits the writes that queued while it was busy together, in
//! one transaction (group commit): a commit writes each page it changed to the
//! log once, however many writes changed it, and most of a token create's pages
//! (the ends of the tables and of their indexes by id and time, the search index's
//! new segment) are the next one's too. Each write runs in a savepoint of its own,
//! so one that fails or panics is undone alone, and each learns its outcome only
//! once the transaction it ran in has committed. The write-ahead log is copied
//! back into the database by a thread of its own rather than by the write that
//! happens to fill it.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;

use diesel::connection::{SimpleConnection, TransactionManager};
use diesel::r2d2::ManageConnection;
use tokio::sync::oneshot;

mod checkpoints;

use checkpoints::Pauses;

use super::connection::{ConnectionManager, DatabaseUrl, StatementHook};
use super::{DbConnection, DbError, write_transaction};

/// Pages the log may hold before a write copies it back itself: reached only when
/// the checkpoint thread cannot run (40 MB at 4 KiB a page).
const WRITER_CHECKPOINTS_AT: u32 = 10_000;

/// The most writes one transaction commits: enough to share a commit between
/// every request a busy server has in flight, few enough that the first of them
/// does not wait long for the last.
const MOST_WRITES_PER_COMMIT: usize = 64;

#[derive(Clone)]
pub struct Writer {
    /// The writer thread, and with it the checkpoint thread, ends once the last
    /// clone of this is gone.
    writes: Sender<Box<dyn Write>>,
}

impl Writer {
    pub fn open(url: &DatabaseUrl, on_statement: Option<StatementHook>) -> Self {
        let (writes, queue) = mpsc::channel();
        let manager = ConnectionManager::new(url.clone(), on_statement);
        let pauses = Arc::new(Pauses::default());
        checkpoints::spawn(url.clone(), Arc::downgrade(&pauses));
        let started = thread::Builder::new()
            .name("tessera-writer".into())
            .spawn(move || {
                crate::blocking::lower_this_threads_priority(crate::blocking::NICE);
                commit_in_groups(&manager, &queue, &pauses);
            });
        // Without its thread, every write is answered as cancelled.
        if let Err(error) = started {
            tracing::error!(%error, "could not start the writer thread");
        }
        Self { writes }
    }

    /// Runs `f` in a transaction on the writer's connection; `f`'s changes stay
    /// only if it returns `Ok`, and its value is answered once they are committed.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + From<diesel::result::Error> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        if self.writes.send(Box::new(Job { f, reply })).is_err() {
            return Err(DbError::Canceled.into());
        }
        // Dropped unanswered: the write panicked, or the writer thread is gone.
        answer.await.unwrap_or(Err(DbError::Canceled.into()))
    }
}

/// One queued write, its types erased so that writes of every kind share a queue.
trait Write: Send {
    /// Runs the write; what it returns is answered once its transaction ends.
    fn run(self: Box<Self>, conn: &mut DbConnection) -> Ran;
    /// Answers a write that never ran, or whose transaction did not commit.
    fn fail(self: Box<Self>, why: &str);
}

/// What a write left: its changes to keep or to undo, and how to answer it.
enum Ran {
    Keep(Box<dyn Answer>),
    Undo(Box<dyn Answer>),
}

/// Answers a write once its transaction has committed (`None`) or failed.
trait Answer: Send {
    fn answer(self: Box<Self>, failed: Option<&str>);
}

struct Job<F, T, E> {
    f: F,
    reply: oneshot::Sender<Result<T, E>>,
}

impl<F, T, E> Write for Job<F, T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<DbError> + From<diesel::result::Error> + Send + 'static,
{
    fn run(self: Box<Self>, conn: &mut DbConnection) -> Ran {
        let Job { f, reply } = *self;
        let outcome = f(conn);
        let keep = outcome.is_ok();
        let answer = Box::new(Reply { reply, outcome });
        if keep {
            Ran::Keep(answer)
        } else {
            Ran::Undo(answer)
        }
    }

    fn fail(self: Box<Self>, why: &str) {
        let _ = self.reply.send(Err(DbError::Write(why.to_owned()).into()));
    }
}

struct Reply<T, E> {
    reply: oneshot::Sender<Result<T, E>>,
    outcome: Result<T, E>,
}

impl<T: Send, E: From<DbError> + Send> Answer for Reply<T, E> {
    /// A write's own error is answered whatever became of the transaction.
    fn answer(self: Box<Self>, failed: Option<&str>) {
        let outcome = match (self.outcome, failed) {
            (Ok(_), Some(why)) => Err(DbError::Write(why.to_owned()).into()),
            (outcome, _) => outcome,
        };
        let _ = self.reply.send(outcome);
    }
}

/// The writer thread: takes every write that is waiting (up to
/// [`MOST_WRITES_PER_COMMIT`]) and commits them together, until the last
/// [`Writer`] is gone.
fn commit_in_groups(
    manager: &ConnectionManager,
    queue: &Receiver<Box<dyn Write>>,
    pauses: &Pauses,
) {
    let mut conn = None;
    while let Ok(first) = queue.recv() {
        let mut group = vec![first];
        group.extend(queue.try_iter().take(MOST_WRITES_PER_COMMIT - 1));
        if conn.is_none() {
            conn = open(manager)
                .inspect_err(
                    |error| tracing::error!(%error, "could not open the writer's connection"),
                )
                .ok();
        }
        let Some(c) = conn.as_mut() else {
            for write in group {
                write.fail("the database cannot be opened for writing");
            }
            continue;
        };
        if let Err(error) = pauses.writing(|| commit_group(c, group)) {
            tracing::error!(%error, "a write transaction failed; reconnecting");
            conn = None;
        }
    }
}

fn open(manager: &ConnectionManager) -> Result<DbConnection, diesel::ConnectionError> {
    let mut conn = manager.connect()?;
    conn.batch_execute(&format!(
        "PRAGMA wal_autocheckpoint = {WRITER_CHECKPOINTS_AT}"
    ))
    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
    Ok(conn)
}

/// Runs `group` in one [`write_transaction`], each write in a savepoint, and
/// answers each. An error means the connection is in an unknown state; every write
/// has been answered all the same.
fn commit_group(conn: &mut DbConnection, group: Vec<Box<dyn Write>>) -> diesel::QueryResult<()> {
    let mut kept: Vec<Box<dyn Answer>> = Vec::with_capacity(group.len());
    let mut waiting = group.into_iter();
    let outcome = write_transaction(conn, |conn| {
        waiting
            .by_ref()
            .try_for_each(|write| run_in_savepoint(conn, write, &mut kept))
    });
    let why = outcome.as_ref().err().map(ToString::to_string);
    kept.into_iter()
        .for_each(|answer| answer.answer(why.as_deref()));
    if let Some(why) = &why {
        waiting.for_each(|write| write.fail(why));
    }
    outcome
}

/// The connection's own transaction manager: nested, it makes savepoints.
type Transactions = <DbConnection as diesel::Connection>::TransactionManager;

/// Runs one write in a savepoint and keeps or undoes its changes. A write that
/// panicked is undone and left unanswered (its caller hears it was cancelled).
/// An error means the transaction can go no further.
fn run_in_savepoint(
    conn: &mut DbConnection,
    write: Box<dyn Write>,
    kept: &mut Vec<Box<dyn Answer>>,
) -> diesel::QueryResult<()> {
    Transactions::begin_transaction(conn)?;
    match catch_unwind(AssertUnwindSafe(|| write.run(conn))) {
        Ok(Ran::Keep(answer)) => match Transactions::commit_transaction(conn) {
            Ok(()) => kept.push(answer),
            Err(error) => {
                answer.answer(Some(&error.to_string()));
                return Err(error);
            }
        },
        Ok(Ran::Undo(answer)) => {
            let undone = Transactions::rollback_transaction(conn);
            answer.answer(None);
            undone?;
        }
        Err(_) => {
            // A panic may have left savepoints of its own open inside ours.
            while depth(conn)? > 1 {
                Transactions::rollback_transaction(conn)?;
            }
        }
    }
    Ok(())
}

fn depth(conn: &mut DbConnection) -> diesel::QueryResult<u32> {
    let status = Transactions::transaction_manager_status_mut(conn);
    Ok(status.transaction_depth()?.map_or(0, |depth| depth.get()))
}
