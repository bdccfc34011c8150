//! Sign-in throttling rules. Three counters apply to each attempt: the account from
//! one client IP (strict), the client IP over all accounts, and the account over all
//! IPs (loose, with a short lock, so an attacker cannot keep an administrator out).

use time::{Duration, PrimitiveDateTime};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleState {
    pub failures: i32,
    pub window_started_at: PrimitiveDateTime,
    pub locked_until: Option<PrimitiveDateTime>,
}

#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    /// Failures within the window that lock the key.
    pub max_failures: i32,
    pub window: Duration,
    pub lock: Duration,
}

/// One account from one client IP: a guessing attacker is stopped for a quarter hour.
pub const ACCOUNT_FROM_IP: ThrottlePolicy = ThrottlePolicy {
    max_failures: 5,
    window: Duration::minutes(15),
    lock: Duration::minutes(15),
};

/// One client IP over every account: password spraying.
pub const CLIENT_IP: ThrottlePolicy = ThrottlePolicy {
    max_failures: 20,
    window: Duration::minutes(15),
    lock: Duration::minutes(15),
};

/// One account from anywhere: slows distributed guessing, and locks only for a minute.
pub const ACCOUNT: ThrottlePolicy = ThrottlePolicy {
    max_failures: 10,
    window: Duration::minutes(15),
    lock: Duration::minutes(1),
};

/// An administrator typing their password again (to show a token value, to change the
/// password): five mistakes lock it for a quarter hour, as at sign-in.
pub const PASSWORD_CONFIRMATION: ThrottlePolicy = ACCOUNT_FROM_IP;

/// Token values one administrator shows or copies: enough for real work, not for
/// harvesting every token.
pub const REVEALS: ThrottlePolicy = ThrottlePolicy {
    max_failures: 20,
    window: Duration::minutes(15),
    lock: Duration::minutes(15),
};

impl ThrottlePolicy {
    pub fn after_failure(
        &self,
        previous: Option<&ThrottleState>,
        now: PrimitiveDateTime,
    ) -> ThrottleState {
        let fresh = ThrottleState {
            failures: 1,
            window_started_at: now,
            locked_until: None,
        };
        let mut state = match previous {
            Some(p) if now - p.window_started_at < self.window => ThrottleState {
                failures: p.failures.saturating_add(1),
                ..p.clone()
            },
            _ => fresh,
        };
        if state.failures >= self.max_failures {
            state.locked_until = Some(now + self.lock);
        }
        state
    }
}

impl ThrottleState {
    /// How long the key stays locked, if it is.
    pub fn locked_for(&self, now: PrimitiveDateTime) -> Option<Duration> {
        self.locked_until
            .filter(|until| *until > now)
            .map(|until| until - now)
    }
}

/// "3 minutes", rounded up so the advice is never too early.
pub fn wait_text(wait: Duration) -> String {
    let seconds = wait.whole_seconds().max(1);
    if seconds <= 60 {
        format!("{seconds} second{}", if seconds == 1 { "" } else { "s" })
    } else {
        let minutes = (seconds + 59) / 60;
        format!("{minutes} minutes")
    }
}

pub fn retry_message(wait: Duration) -> String {
    format!(
        "Too many failed sign-in attempts. Try again in {}.",
        wait_text(wait)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T0: PrimitiveDateTime = datetime!(2026-01-01 12:00);

    #[test]
    fn locks_after_the_limit_and_unlocks_after_the_lock() {
        let mut state = None;
        for i in 1..=5 {
            let next = ACCOUNT_FROM_IP.after_failure(state.as_ref(), T0 + Duration::seconds(i));
            assert_eq!(next.locked_for(T0 + Duration::seconds(i)).is_some(), i == 5);
            state = Some(next);
        }
        let state = state.unwrap();
        assert!(state.locked_for(T0 + Duration::minutes(14)).is_some());
        assert!(state.locked_for(T0 + Duration::minutes(16)).is_none());
    }

    #[test]
    fn the_window_resets_the_count() {
        let first = ACCOUNT.after_failure(None, T0);
        let later = ACCOUNT.after_failure(Some(&first), T0 + Duration::minutes(16));
        assert_eq!(later.failures, 1);
        assert_eq!(later.window_started_at, T0 + Duration::minutes(16));
    }

    #[test]
    fn the_account_wide_lock_is_short() {
        assert!(ACCOUNT.lock <= Duration::minutes(1));
    }

    #[test]
    fn retry_messages_round_up() {
        assert!(retry_message(Duration::seconds(1)).ends_with("1 second."));
        assert!(retry_message(Duration::seconds(61)).ends_with("2 minutes."));
    }
}
