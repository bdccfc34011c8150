//! Looks tokens up by digest on a thread of its own, in batches: every lookup that
//! arrives while one batch runs joins the next. Under a flood of cache misses (cache
//! turned off, every token forgotten at once, many unknown tokens) the database
//! answers a few queries per batch instead of a few per request, and the async
//! workers never wait for it. Each token found is prepared once per batch and shared
//! by every request in the batch that presented it.

use std::collections::HashMap;
use std::sync::{Arc, mpsc};
use std::thread;

use tokio::sync::oneshot;

use super::{Catalog, Lookup, prepare};
use crate::db::connection::for_verification;
use crate::db::verification::find_by_digests;
use crate::db::{Db, DbError};

/// Largest number of digests in one batch.
const MAX_BATCH: usize = 256;

type Reply = oneshot::Sender<Result<Lookup, String>>;

/// A digest to look up, with the module catalog to prepare the token with.
struct Job {
    digest: String,
    catalog: Arc<Catalog>,
    reply: Reply,
}

pub struct Loader {
    jobs: mpsc::Sender<Job>,
}

impl Loader {
    pub fn start(db: Db) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
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

    /// The live token one of whose secrets has this digest, prepared with `catalog`.
    pub(crate) async fn find(
        &self,
        digest: String,
        catalog: Arc<Catalog>,
    ) -> Result<Lookup, DbError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job {
                digest,
                catalog,
                reply,
            })
            .map_err(|_| DbError::Canceled)?;
        match answer.await {
            Ok(Ok(lookup)) => Ok(lookup),
            Ok(Err(message)) => Err(DbError::Lookup(message)),
            Err(_) => Err(DbError::Canceled),
        }
    }
}

fn answer(db: &Db, batch: Vec<Job>) {
    let mut digests: Vec<String> = batch.iter().map(|job| job.digest.clone()).collect();
    digests.sort_unstable();
    digests.dedup();
    let result = db.get().map_err(|e| e.to_string()).and_then(|mut conn| {
        for_verification(|| find_by_digests(&mut conn, &digests)).map_err(|e| e.to_string())
    });
    let found = match result {
        Ok(found) => found,
        Err(message) => {
            for job in batch {
                let _ = job.reply.send(Err(message.clone()));
            }
            return;
        }
    };
    // Prepared once per digest and catalog, then shared.
    let mut prepared: HashMap<String, (Arc<Catalog>, Lookup)> = HashMap::new();
    for Job {
        digest,
        catalog,
        reply,
    } in batch
    {
        let lookup = match prepared.get(&digest) {
            Some((seen, lookup)) if Arc::ptr_eq(seen, &catalog) => lookup.clone(),
            _ => {
                let lookup = match found.get(&digest) {
                    Some(loaded) => Lookup::Known(Arc::new(prepare(loaded.clone(), &catalog))),
                    None => Lookup::Unknown,
                };
                prepared.insert(digest, (catalog, lookup.clone()));
                lookup
            }
        };
        // The request may have gone away meanwhile; nothing to tell it then.
        let _ = reply.send(Ok(lookup));
    }
}
