use std::sync::Arc;

use time::macros::datetime;

use super::*;
use crate::domain::limits::Refill;

fn rule(id: i64, limit: i64, period_seconds: u32) -> LimitRule {
    LimitRule {
        id,
        name: Arc::from(format!("limit{id}")),
        limit,
        period_seconds,
    }
}

fn credits(id: i64, remaining: i64, refill: Option<(Refill, i64)>) -> CreditRule {
    CreditRule {
        id,
        version: 1,
        stored: Credits {
            remaining,
            refill,
            refilled_at: refill.map(|_| datetime!(2026-12-07 0:00)),
        },
    }
}

/// The credits' standing: listed after the rate limits.
fn credits_left(decision: &Decision) -> Option<i64> {
    decision.limits.last().map(|s| s.remaining)
}

#[test]
fn the_boundary_is_exact_and_every_limit_counts() {
    let limiter = Limiter::default();
    let now = datetime!(2026-12-07 12:00:30);
    let rules = [rule(1, 5, 60), rule(2, 3, 86_400)];
    for expected_left in [2, 1, 0] {
        let decision = limiter.admit_here(&rules, &[], now, 1);
        assert_eq!(decision.refusal, None);
        assert_eq!(decision.limits[1].remaining, expected_left);
    }
    let refused = limiter.admit_here(&rules, &[], now, 1);
    assert_eq!(refused.refusal, Some(Outcome::RateLimited));
    // The daily limit refuses; the per-minute one had room and counted nothing more.
    assert_eq!(limiter.standing(&rules, &[], now).0[0].1, 3);
    // Half a day to the next window, then a third of it for the full one to fade enough.
    assert_eq!(refused.retry_after, Some(12 * 3600 - 30 + 8 * 3600));
}

#[test]
fn costs_weigh_and_credits_are_spent_only_when_everything_passes() {
    let limiter = Limiter::default();
    let now = datetime!(2026-12-07 12:00:00);
    let rules = [rule(1, 10, 60)];
    let wallet = [credits(7, 4, None)];
    let decision = limiter.admit_here(&rules, &wallet, now, 3);
    assert_eq!((decision.refusal, credits_left(&decision)), (None, Some(1)));
    assert_eq!(decision.limits[0].remaining, 7);
    let refused = limiter.admit_here(&rules, &wallet, now, 2);
    assert_eq!(refused.refusal, Some(Outcome::UsageExceeded));
    assert_eq!(refused.retry_after, None, "no refill: no time helps");
    // The refused request counted against no limit.
    assert_eq!(limiter.standing(&rules, &wallet, now).0[0].1, 3);
    assert_eq!(
        credits_left(&limiter.admit_here(&rules, &wallet, now, 1)),
        Some(0)
    );
}

#[test]
fn credits_refill_at_midnight_utc() {
    let limiter = Limiter::default();
    let wallet = [credits(9, 2, Some((Refill::Daily, 2)))];
    let evening = datetime!(2026-12-07 23:59:59.999);
    assert!(
        limiter
            .admit_here(&[], &wallet, evening, 2)
            .refusal
            .is_none()
    );
    let refused = limiter.admit_here(&[], &wallet, evening, 1);
    assert_eq!(refused.refusal, Some(Outcome::UsageExceeded));
    assert_eq!(refused.retry_after, Some(1));
    let midnight = datetime!(2026-12-08 0:00);
    assert_eq!(
        credits_left(&limiter.admit_here(&[], &wallet, midnight, 1)),
        Some(1)
    );
}

#[test]
fn credits_set_anew_replace_what_was_held() {
    let limiter = Limiter::default();
    let now = datetime!(2026-12-07 12:00);
    let mut wallet = [credits(3, 1, None)];
    limiter.admit_here(&[], &wallet, now, 1);
    assert_eq!(
        limiter.admit_here(&[], &wallet, now, 1).refusal,
        Some(Outcome::UsageExceeded)
    );
    wallet[0].version = 2;
    wallet[0].stored.remaining = 5;
    assert_eq!(
        credits_left(&limiter.admit_here(&[], &wallet, now, 1)),
        Some(4)
    );
}

#[test]
fn credits_of_token_and_identity_are_spent_together_or_not_at_all() {
    let limiter = Limiter::default();
    let now = datetime!(2026-12-07 18:00);
    let wallets = [
        credits(1, 10, Some((Refill::Daily, 10))),
        credits(2, 2, None),
    ];
    let spent = limiter.admit_here(&[rule(5, 100, 60)], &wallets, now, 2);
    assert_eq!(spent.refusal, None);
    // The rate limit, then each credits: the daily ones refill in six hours.
    let standings: Vec<_> = spent
        .limits
        .iter()
        .map(|s| (s.remaining, s.reset_seconds))
        .collect();
    assert_eq!(standings, [(98, Some(60)), (8, Some(6 * 3600)), (0, None)]);
    let refused = limiter.admit_here(&[rule(5, 100, 60)], &wallets, now, 1);
    assert_eq!(refused.refusal, Some(Outcome::UsageExceeded));
    assert_eq!(refused.retry_after, None, "the identity's never refill");
    // Nothing was spent: not the token's credits, not the rate limit.
    assert_eq!(refused.limits[1].remaining, 8);
    assert_eq!(
        limiter.standing(&[rule(5, 100, 60)], &wallets, now).0[0].1,
        2
    );
}
