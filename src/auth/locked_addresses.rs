//! Client addresses whose sign-in limit is in force, remembered in memory so that a
//! flood from them is answered before any session, form or database work. The
//! counters in the database stay the authority: this only repeats, until the lock
//! ends, what they already decided on this instance.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Enough for every address of a large botnet; beyond it, refusals take the slower
/// path through the database rather than memory growing without bound.
const CAPACITY: usize = 100_000;

#[derive(Default)]
pub struct LockedAddresses {
    until: Mutex<HashMap<String, Instant>>,
}

impl LockedAddresses {
    /// Remembers that `address` (as [`crate::services::sign_in::throttled_address`] keys it)
    /// may not sign in for `wait`.
    pub fn lock(&self, address: String, wait: Duration) {
        let now = Instant::now();
        let mut until = self.until.lock().expect("locked addresses");
        if until.len() >= CAPACITY {
            until.retain(|_, end| *end > now);
        }
        if until.len() < CAPACITY {
            until.insert(address, now + wait);
        }
    }

    /// How long `address` stays locked, if it is.
    pub fn locked_for(&self, address: &str) -> Option<Duration> {
        let until = self.until.lock().expect("locked addresses");
        let end = *until.get(address)?;
        end.checked_duration_since(Instant::now())
            .filter(|wait| !wait.is_zero())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_locked_until_its_lock_ends() {
        let board = LockedAddresses::default();
        assert_eq!(board.locked_for("198.51.100.7"), None);
        board.lock("198.51.100.7".into(), Duration::from_secs(900));
        let wait = board.locked_for("198.51.100.7").expect("locked");
        assert!(wait > Duration::from_secs(899) && wait <= Duration::from_secs(900));
        assert_eq!(board.locked_for("198.51.100.8"), None, "only that address");

        board.lock("198.51.100.9".into(), Duration::ZERO);
        assert_eq!(board.locked_for("198.51.100.9"), None, "a lock that ended");
    }

    #[test]
    fn a_full_board_makes_room_from_ended_locks_only() {
        let board = LockedAddresses::default();
        for n in 0..CAPACITY {
            board.lock(format!("ended-{n}"), Duration::ZERO);
        }
        board.lock("new".into(), Duration::from_secs(60));
        assert!(board.locked_for("new").is_some(), "ended locks made room");
        assert_eq!(board.until.lock().unwrap().len(), 1);

        for n in 1..CAPACITY {
            board.lock(format!("live-{n}"), Duration::from_secs(60));
        }
        board.lock("one too many".into(), Duration::from_secs(60));
        assert_eq!(
            board.locked_for("one too many"),
            None,
            "never beyond the capacity"
        );
        assert_eq!(board.until.lock().unwrap().len(), CAPACITY);
    }
}
