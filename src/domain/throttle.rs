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

/// What happens to attempts beyond a counter's limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverLimit {
    /// Refused until the lock ends; attempts while locked do not extend it.
    Lock(Duration),
    /// Slowed, never refused: each attempt beyond the limit waits twice as long as
    /// the one before, up to `max`. Nobody can lock an administrator out this way.
    Delay { first: Duration, max: Duration },
}

#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    /// Attempts within the window that pass unhindered.
    pub max_attempts: i32,
    pub window: Duration,
    pub over_limit: OverLimit,
}

/// One account from one client IP: a guessing attacker is stopped for a quarter hour.
pub const ACCOUNT_FROM_IP: ThrottlePolicy = ThrottlePolicy {
    max_attempts: 5,
    window: Duration::minutes(15),
    over_limit: OverLimit::Lock(Duration::minutes(15)),
};

/// One client IP (an IPv6 client by its /64) over every account: password spraying.
pub const CLIENT_IP: ThrottlePolicy = ThrottlePolicy {
    max_attempts: 20,
    window: Duration::minutes(15),
    over_limit: OverLimit::Lock(Duration::minutes(15)),
};

/// One account from anywhere: distributed guessing is slowed, never turned into a
/// lock-out of the administrator (a browser that signed in before skips it).
pub const ACCOUNT: ThrottlePolicy = ThrottlePolicy {
    max_attempts: 10,
    window: Duration::minutes(15),
    over_limit: OverLimit::Delay {
        first: Duration::seconds(1),
        max: Duration::seconds(30),
    },
};

/// An administrator typing their password again (to show a token value, to change the
/// password): five mistakes lock it for a quarter hour, as at sign-in.
pub const PASSWORD_CONFIRMATION: ThrottlePolicy = ACCOUNT_FROM_IP;

/// API keys that match no stored key, from one client address (an IPv6 client by
/// its /64): guessing keys stops for a quarter hour, and every key from there with it.
pub const API_KEY_FAILURES: ThrottlePolicy = CLIENT_IP;

/// Token values one administrator shows or copies: enough for real work, not for
/// harvesting every token.
pub const REVEALS: ThrottlePolicy = ThrottlePolicy {
    max_attempts: 20,
    window: Duration::minutes(15),
    over_limit: OverLimit::Lock(Duration::minutes(15)),
};

/// What a counter says of the attempt that was just counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Allowed after this wait.
    Delayed(Duration),
    /// Refused; try again after this long.
    Refused(Duration),
}

impl Verdict {
    /// How long the attempt must wait, if at all: for a counter guarding one
    /// person's own actions, any wait refuses the attempt.
    pub fn wait(self) -> Option<Duration> {
        match self {
            Verdict::Allowed => None,
            Verdict::Delayed(wait) | Verdict::Refused(wait) => Some(wait),
        }
    }
}

impl ThrottlePolicy {
    /// How long a lock set now lasts; `None` for a policy that delays instead.
    pub fn lock(&self) -> Option<Duration> {
        match self.over_limit {
            OverLimit::Lock(lock) => Some(lock),
            OverLimit::Delay { .. } => None,
        }
    }

    /// Judges an attempt from the counter's state after counting it: the first
    /// `max_attempts` of a window pass; later ones are refused or delayed.
    pub fn judge(&self, state: &ThrottleState, now: PrimitiveDateTime) -> Verdict {
        let beyond = state.failures - self.max_attempts;
        if beyond <= 0 {
            return Verdict::Allowed;
        }
        match self.over_limit {
            OverLimit::Lock(_) => Verdict::Refused(
                state
                    .locked_for(now)
                    .unwrap_or_else(|| state.window_started_at + self.window - now)
                    .max(Duration::seconds(1)),
            ),
            OverLimit::Delay { first, max } => {
                let doublings = (beyond - 1).clamp(0, 16) as u32;
                Verdict::Delayed((first * 2_i32.pow(doublings)).min(max))
            }
        }
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

    fn counted(failures: i32, locked_until: Option<PrimitiveDateTime>) -> ThrottleState {
        ThrottleState {
            failures,
            window_started_at: T0,
            locked_until,
        }
    }

    #[test]
    fn the_first_attempts_of_a_window_pass_and_later_ones_are_refused() {
        for n in 1..=5 {
            assert_eq!(
                ACCOUNT_FROM_IP.judge(&counted(n, None), T0),
                Verdict::Allowed
            );
        }
        let locked = counted(6, Some(T0 + Duration::minutes(15)));
        assert_eq!(
            ACCOUNT_FROM_IP.judge(&locked, T0 + Duration::minutes(5)),
            Verdict::Refused(Duration::minutes(10))
        );
    }

    #[test]
    fn the_account_wide_counter_slows_and_never_refuses() {
        assert_eq!(ACCOUNT.judge(&counted(10, None), T0), Verdict::Allowed);
        assert_eq!(
            ACCOUNT.judge(&counted(11, None), T0),
            Verdict::Delayed(Duration::seconds(1))
        );
        assert_eq!(
            ACCOUNT.judge(&counted(13, None), T0),
            Verdict::Delayed(Duration::seconds(4))
        );
        for n in [20, 1000, i32::MAX] {
            assert_eq!(
                ACCOUNT.judge(&counted(n, None), T0),
                Verdict::Delayed(Duration::seconds(30))
            );
        }
        assert_eq!(ACCOUNT.lock(), None);
    }

    #[test]
    fn retry_messages_round_up() {
        assert!(retry_message(Duration::seconds(1)).ends_with("1 second."));
        assert!(retry_message(Duration::seconds(61)).ends_with("2 minutes."));
    }
}
