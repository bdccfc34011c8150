//! The threads that run the admin side's blocking work — database queries and
//! password hashing — at the lowest scheduling priority. Verification answers from
//! the async workers and its own lookup thread at normal priority, so however much
//! blocking work a flood of sign-ins or page loads queues up, the scheduler gives
//! verification the core first.

use std::sync::Arc;

use tokio::runtime::{Builder, Runtime};

/// The nice value of the pool's threads: the lowest priority there is.
pub const NICE: i32 = 19;

#[derive(Clone)]
pub struct BlockingPool(Arc<Threads>);

/// Owns the runtime whose blocking threads do the work; its task scheduler stays idle.
struct Threads(Option<Runtime>);

#[derive(Debug, thiserror::Error)]
#[error("the blocking work panicked or was cancelled")]
pub struct Canceled;

impl BlockingPool {
    /// A pool of at most `threads` threads, started on demand and stopped when idle.
    pub fn new(threads: usize) -> Self {
        let runtime = Builder::new_current_thread()
            .thread_name("tessera-blocking")
            .max_blocking_threads(threads.max(1))
            .thread_keep_alive(std::time::Duration::from_secs(10))
            .on_thread_start(lower_priority)
            .build()
            .expect("build the blocking thread pool");
        Self(Arc::new(Threads(Some(runtime))))
    }

    /// Runs `work` on one of the pool's threads; the caller's task waits without
    /// holding up its async worker.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Canceled> {
        let runtime = self.0.0.as_ref().expect("the pool runs until dropped");
        runtime.spawn_blocking(work).await.map_err(|_| Canceled)
    }
}

impl Drop for Threads {
    fn drop(&mut self) {
        // The last handle may go away on an async worker, where waiting is not allowed.
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

fn lower_priority() {
    lower_this_threads_priority(NICE);
}

/// Gives the calling thread the nice value `nice` (up to 19, the lowest priority).
/// Raising it needs no privilege; failing to is harmless.
pub fn lower_this_threads_priority(nice: i32) {
    // SAFETY: on Linux a nice value belongs to the calling thread alone (threads are
    // scheduled on their own); setpriority reads no memory of ours.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, nice);
    }
}

/// Lets the calling thread run only on a core that nothing else wants
/// (`SCHED_IDLE`): a thread that wakes up takes the core from it at once, where a
/// nice thread may finish its time slice first. Needs no privilege; failing to is
/// harmless.
pub fn run_this_thread_when_idle() {
    let param = libc::sched_param { sched_priority: 0 };
    // SAFETY: pid 0 is the calling thread; `param` outlives the call.
    unsafe {
        libc::sched_setscheduler(0, libc::SCHED_IDLE, &param);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nice() -> i32 {
        unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) }
    }

    #[actix_web::test]
    async fn work_runs_below_the_callers_priority() {
        let pool = BlockingPool::new(2);
        let caller = nice();
        assert!(caller < NICE, "the test runs at normal priority ({caller})");
        assert_eq!(pool.run(nice).await.unwrap(), NICE);
        assert_eq!(nice(), caller, "the caller's thread keeps its priority");
    }

    #[test]
    fn an_idle_thread_is_scheduled_apart_from_the_others() {
        let policy = || unsafe { libc::sched_getscheduler(0) };
        let idle = std::thread::spawn(move || {
            run_this_thread_when_idle();
            policy()
        });
        assert_eq!(idle.join().unwrap(), libc::SCHED_IDLE);
        assert_eq!(policy(), libc::SCHED_OTHER, "only the calling thread");
    }

    #[actix_web::test]
    async fn a_panic_is_an_error_and_the_pool_goes_on() {
        let pool = BlockingPool::new(1);
        assert!(pool.run(|| panic!("boom")).await.is_err());
        assert_eq!(pool.run(|| 7).await.unwrap(), 7);
    }
}
