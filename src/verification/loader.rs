//! Looks tokens up by digest on a thread of its own, in batches: every lookup that
//! arrives while one batch runs joins the next. Under a flood of cache misses (cache
//! turned off, every token forgotten at once, many unknown tokens) the database
//! answers a few queries per batch instead of a few per request, and the async
//! workers never wait for it.

use std::collections::HashMap;
use std::sync::mpsc;
use std::thread;

use tokio::sync::oneshot;

use crate::db::verification::{LoadedToken, find_by_digests};
use crate::db::{Db, DbError};

/// Largest number of digests in one batch.
const MAX_BATCH: usize = 256;

type Reply = oneshot::Sender<Result<Option<LoadedToken>, String>>;

pub struct Loader {
    jobs: mpsc::Sender<(String, Reply)>,
}

impl Loader {
    pub fn start(db: Db) -> Self {
        let (jobs, queue) = mpsc::channel::<(String, Reply)>();
        thread::Builder::new()
            .name("tessera-lookups".into())
            .spawn(move || {
                // Ends when every sender (the verifier) is gone.
                while let Ok(first) = queue.recv() {
                    let mut batch = vec![first];
                    while batch.len() < MAX_BATCH {
                        match queue.try_recv() {
                            Ok(job) => batch.push(job),
                            Err(_) => break,
                        }
                    }
                    answer(&db, batch);
                }
            })
            .expect("spawn the lookup thread");
        Self { jobs }
    }

    /// The live token one of whose secrets has this digest.
    pub async fn find(&self, digest: String) -> Result<Option<LoadedToken>, DbError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send((digest, reply))
            .map_err(|_| DbError::Canceled)?;
        match answer.await {
            Ok(Ok(found)) => Ok(found),
            Ok(Err(message)) => Err(DbError::Lookup(message)),
            Err(_) => Err(DbError::Canceled),
        }
    }
}

fn answer(db: &Db, batch: Vec<(String, Reply)>) {
    let mut digests: Vec<String> = batch.iter().map(|(d, _)| d.clone()).collect();
    digests.sort_unstable();
    digests.dedup();
    let result: Result<HashMap<String, LoadedToken>, String> = db
        .get()
        .map_err(|e| e.to_string())
        .and_then(|mut conn| find_by_digests(&mut conn, &digests).map_err(|e| e.to_string()));
    for (digest, reply) in batch {
        let answer = match &result {
            Ok(found) => Ok(found.get(&digest).cloned()),
            Err(message) => Err(message.clone()),
        };
        // The request may have gone away meanwhile; nothing to tell it then.
        let _ = reply.send(answer);
    }
}
