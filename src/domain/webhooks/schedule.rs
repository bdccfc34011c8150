//! When a failed delivery is tried again, and when an endpoint has failed for too
//! long: the schedule receivers know from other Standard Webhooks senders.

use time::{Duration, PrimitiveDateTime};

/// The wait before each retry: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
pub const RETRY_DELAYS: [Duration; 7] = [
    Duration::seconds(5),
    Duration::minutes(5),
    Duration::minutes(30),
    Duration::hours(2),
    Duration::hours(5),
    Duration::hours(10),
    Duration::hours(10),
];

/// An endpoint whose deliveries have all failed for this long is disabled.
pub const DISABLE_AFTER: Duration = Duration::days(5);

/// How long the previous secret keeps signing after a rotation.
pub const ROTATION_OVERLAP: Duration = Duration::hours(24);

/// When to try again after `attempts` failed attempts, or `None` when they are
/// used up.
pub fn next_attempt(attempts: i32, failed_at: PrimitiveDateTime) -> Option<PrimitiveDateTime> {
    let index = usize::try_from(attempts.checked_sub(1)?).ok()?;
    RETRY_DELAYS.get(index).map(|delay| failed_at + *delay)
}

/// Whether an endpoint that has not succeeded since `failing_since` should stop.
pub fn should_disable(failing_since: PrimitiveDateTime, now: PrimitiveDateTime) -> bool {
    now - failing_since >= DISABLE_AFTER
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T: PrimitiveDateTime = datetime!(2026-11-25 10:00:00);

    #[test]
    fn retries_back_off_then_stop() {
        let waits: Vec<Duration> = (1..=7).map(|n| next_attempt(n, T).unwrap() - T).collect();
        assert_eq!(waits, RETRY_DELAYS);
        assert_eq!(next_attempt(8, T), None);
        assert_eq!(next_attempt(0, T), None);
        let total: Duration = RETRY_DELAYS.iter().copied().sum();
        assert!(total > Duration::days(1) && total < DISABLE_AFTER);
    }

    #[test]
    fn an_endpoint_is_disabled_after_five_days_of_failures() {
        assert!(!should_disable(T, T + Duration::days(4)));
        assert!(should_disable(T, T + Duration::days(5)));
    }
}
