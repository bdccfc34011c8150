//! Bounds concurrent password hashing. Each argon2 check takes 19 MiB and tens of
//! milliseconds of a core; unbounded, a flood of sign-ins fills the blocking pool,
//! the memory and the cores that verification needs. At most one check per core
//! runs, on the low-priority blocking threads; beyond that, a request is answered
//! at once instead of queued.

use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::blocking::BlockingPool;

#[derive(Debug, thiserror::Error)]
pub enum HashingError {
    /// Every permit is taken: try again in a moment.
    #[error("every password check slot is taken")]
    Busy,
    #[error("the blocking thread pool is gone")]
    Canceled,
}

#[derive(Clone)]
pub struct HashingGate {
    permits: Arc<Semaphore>,
    threads: BlockingPool,
}

impl HashingGate {
    pub fn new(permits: usize, threads: BlockingPool) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(permits.max(1))),
            threads,
        }
    }

    /// One permit per core of this machine.
    pub fn per_core(threads: BlockingPool) -> Self {
        Self::new(
            std::thread::available_parallelism().map_or(2, |n| n.get()),
            threads,
        )
    }

    /// Runs `work` (a hash or a check) on the blocking threads while holding a permit;
    /// [`HashingError::Busy`] at once, without hashing, when every permit is taken.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashingError> {
        let permit = self
            .permits
            .clone()
            .try_acquire_owned()
            .map_err(|_| HashingError::Busy)?;
        let result = self
            .threads
            .run(move || {
                let result = work();
                drop(permit);
                result
            })
            .await
            .map_err(|_| HashingError::Canceled)?;
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn work_beyond_the_permits_is_refused_at_once() {
        let gate = HashingGate::new(1, BlockingPool::new(2));
        let (started, release) = std::sync::mpsc::channel::<()>();
        let (unblock, wait) = std::sync::mpsc::channel::<()>();
        let busy = gate.clone();
        let first = actix_web::rt::spawn(async move {
            busy.run(move || {
                started.send(()).unwrap();
                wait.recv().unwrap();
                1
            })
            .await
        });
        // Let the first one take its permit and start.
        while release.try_recv().is_err() {
            actix_web::rt::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        assert!(matches!(gate.run(|| 2).await, Err(HashingError::Busy)));
        unblock.send(()).unwrap();
        assert_eq!(first.await.unwrap().unwrap(), 1);
        assert_eq!(gate.run(|| 3).await.unwrap(), 3, "the permit came back");
    }
}
