//! Usage control on the verification path: each token's rate limits (its own and its
//! identity's) judged over sliding windows kept in memory, and credits spent in
//! memory and written with the usage flush. Verification calls [`Limiter::admit`]
//! for tokens that have limits or credits, and nothing else here; a token without
//! them costs nothing.
//!
//! What a `kill -9` loses: the credits spent since the last flush (at most
//! `TESSERA_USAGE_FLUSH_SECONDS` of uses), which come back to their owner. Several
//! instances on one database re-read each other's spending at every flush, so
//! together they may overspend by what the others spend in one flush interval.

mod balances;
pub mod shared;
mod thresholds;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use foldhash::fast::FixedState;
use smallvec::SmallVec;
use time::PrimitiveDateTime;

use crate::config::SharedLimits;
use crate::db::limits::{self, CreditsRow, RateLimitRow};
use crate::db::{Db, DbError, write_transaction};
use crate::domain::limits::{Credits, WhenDown, Window};
use crate::domain::verification::Outcome;
use crate::verification::metrics::SharedLimitMetrics;
use balances::Balances;
use shared::{Shared, Took, Unreachable};

/// A rate limit as verification holds it.
#[derive(Debug, Clone)]
pub struct LimitRule {
    /// Its row: the key of what it counted.
    pub id: i64,
    pub name: Arc<str>,
    pub limit: i64,
    pub period_seconds: u32,
}

/// Credits as verification holds them: the stored row as loaded.
#[derive(Debug, Clone)]
pub struct CreditRule {
    pub id: i64,
    pub version: i32,
    pub stored: Credits,
}

impl From<&RateLimitRow> for LimitRule {
    fn from(row: &RateLimitRow) -> Self {
        LimitRule {
            id: row.id,
            name: Arc::from(row.name.as_str()),
            limit: row.max_requests,
            period_seconds: u32::try_from(row.period_seconds).unwrap_or(1),
        }
    }
}

impl From<&CreditsRow> for CreditRule {
    fn from(row: &CreditsRow) -> Self {
        CreditRule {
            id: row.id,
            version: row.version,
            stored: row.credits(),
        }
    }
}

/// Where a limit or credits stand after a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub remaining: i64,
    /// Seconds until the window ends or the credits refill, when they do.
    pub reset_seconds: Option<i64>,
}

/// Where a limit stands, named (for pages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitState {
    pub name: Arc<str>,
    pub limit: i64,
    pub period_seconds: u32,
    pub remaining: i64,
    pub reset_seconds: i64,
}

/// The answer of usage control for one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decision {
    /// `RateLimited` or `UsageExceeded`; `None`: the request passes.
    pub refusal: Option<Outcome>,
    /// One per rate limit, in their order, then one per credits when they were
    /// judged (not when a rate limit refused first). Held inline: few have more.
    pub limits: SmallVec<[Standing; 4]>,
    /// Refused: seconds until the request could pass, when it ever can.
    pub retry_after: Option<i64>,
}

impl Decision {
    /// A rate limit refuses: the longest wait of those that refuse.
    fn refuse_for(&mut self, retry_after: Option<i64>) {
        self.refusal = Some(Outcome::RateLimited);
        // `None` (no wait helps) orders below any wait.
        self.retry_after = self.retry_after.max(retry_after);
    }

    /// A refused request leaves none of the first `rate_limits` standings.
    fn none_left(&mut self, rate_limits: usize) {
        for limit in &mut self.limits[..rate_limits] {
            limit.remaining = 0;
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Counted {
    window: Window,
    period_ms: i64,
}

/// The windows and balances of this instance, and Redis when limits are shared.
#[derive(Default)]
pub struct Limiter {
    /// One lock for both: a request takes it once.
    books: Mutex<Books>,
    shared: OnceLock<Arc<Shared>>,
}

#[derive(Default)]
struct Books {
    windows: HashMap<i64, Counted, FixedState>,
    balances: Balances,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves counts that are still counts.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn millis(at: PrimitiveDateTime) -> i64 {
    at.assume_utc().unix_timestamp() * 1000 + i64::from(at.millisecond())
}

/// Whole seconds from `now` to `at`, rounded up.
fn seconds_until(now: PrimitiveDateTime, at: PrimitiveDateTime) -> i64 {
    (millis(at) - millis(now) + 999).div_euclid(1000)
}

impl Limiter {
    /// Shares rate limits through Redis from now on (once: at start).
    pub fn share(
        &self,
        settings: &SharedLimits,
        metrics: SharedLimitMetrics,
    ) -> anyhow::Result<()> {
        let shared = Shared::start(settings, metrics)?;
        let _ = self.shared.set(shared);
        Ok(())
    }

    /// Whether limits are shared, and whether Redis answers.
    pub fn shared_state(&self) -> Option<(bool, WhenDown)> {
        self.shared.get().map(|s| (s.is_up(), s.when_down))
    }

    /// Judges a request of `cost` against every limit (shared through Redis when it
    /// is configured and answers), then the credits; counts it only when all of
    /// them let it pass.
    pub async fn admit(
        &self,
        rules: &[LimitRule],
        credits: &[CreditRule],
        now: PrimitiveDateTime,
        cost: i64,
    ) -> Decision {
        let Some(shared) = self.shared.get().filter(|_| !rules.is_empty()) else {
            return self.admit_here(rules, credits, now, cost);
        };
        // Boxed: the Redis call's future is large, and verification's own stays small.
        if shared.is_up()
            && let Ok(decision) =
                Box::pin(self.admit_shared(shared, rules, credits, now, cost)).await
        {
            return decision;
        }
        match shared.when_down {
            WhenDown::Open => self.admit_here(rules, credits, now, cost),
            WhenDown::Closed => Decision {
                refusal: Some(Outcome::RateLimited),
                retry_after: Some(1),
                ..Decision::default()
            },
        }
    }

    async fn admit_shared(
        &self,
        shared: &Shared,
        rules: &[LimitRule],
        credits: &[CreditRule],
        now: PrimitiveDateTime,
        cost: i64,
    ) -> Result<Decision, Unreachable> {
        let now_ms = millis(now);
        let mut decision = Decision::default();
        let mut taken = Vec::with_capacity(rules.len());
        for rule in rules {
            let judgement = match shared.take(rule, now_ms, cost).await {
                Ok(Took::Spent(judgement)) => {
                    taken.push(rule);
                    judgement
                }
                Ok(Took::Refused(judgement)) => {
                    decision.refuse_for(judgement.retry_after_seconds);
                    judgement
                }
                Err(unreachable) => {
                    for rule in &taken {
                        shared.give_back(rule, now_ms, cost);
                    }
                    return Err(unreachable);
                }
            };
            decision.limits.push(Standing {
                remaining: judgement.remaining,
                reset_seconds: Some(judgement.reset_seconds),
            });
        }
        if decision.refusal.is_none() && !credits.is_empty() {
            spend_credits(
                &mut lock(&self.books).balances,
                &mut decision,
                credits,
                now,
                cost,
            );
        }
        if decision.refusal.is_some() {
            for rule in &taken {
                shared.give_back(rule, now_ms, cost);
            }
            decision.none_left(rules.len());
        }
        Ok(decision)
    }

    /// [`Limiter::admit`] on this instance alone.
    fn admit_here(
        &self,
        rules: &[LimitRule],
        credits: &[CreditRule],
        now: PrimitiveDateTime,
        cost: i64,
    ) -> Decision {
        let now_ms = millis(now);
        let mut decision = Decision::default();
        let mut books = lock(&self.books);
        let Books { windows, balances } = &mut *books;
        // Counted as judged, one lookup each; taken back in the rare refusal.
        let mut counted = SmallVec::<[bool; 4]>::with_capacity(rules.len());
        for rule in rules {
            let period_ms = i64::from(rule.period_seconds) * 1000;
            let entry = windows.entry(rule.id).or_insert(Counted {
                window: Window::default(),
                period_ms,
            });
            entry.window = entry.window.at(now_ms, period_ms);
            entry.period_ms = period_ms;
            let judgement = entry.window.judge(now_ms, period_ms, rule.limit, cost);
            if judgement.admitted {
                entry.window.count(cost);
            } else {
                decision.refuse_for(judgement.retry_after_seconds);
            }
            counted.push(judgement.admitted);
            decision.limits.push(Standing {
                remaining: judgement.remaining,
                reset_seconds: Some(judgement.reset_seconds),
            });
        }
        if decision.refusal.is_none() && !credits.is_empty() {
            spend_credits(balances, &mut decision, credits, now, cost);
        }
        if decision.refusal.is_some() {
            for (rule, counted) in rules.iter().zip(counted) {
                if counted && let Some(entry) = windows.get_mut(&rule.id) {
                    entry.window.take_back(cost);
                }
            }
            decision.none_left(rules.len());
        }
        decision
    }

    /// What the limits and credits stand at now, without a request (for pages).
    pub fn standing(
        &self,
        rules: &[LimitRule],
        credits: &[CreditRule],
        now: PrimitiveDateTime,
    ) -> (Vec<(LimitState, i64)>, Option<i64>) {
        let now_ms = millis(now);
        let books = lock(&self.books);
        let limits = rules
            .iter()
            .map(|rule| {
                let period_ms = i64::from(rule.period_seconds) * 1000;
                let window = books
                    .windows
                    .get(&rule.id)
                    .map_or(Window::default(), |c| c.window)
                    .at(now_ms, period_ms);
                let judged = window.judge(now_ms, period_ms, rule.limit, 0);
                let state = LimitState {
                    name: rule.name.clone(),
                    limit: rule.limit,
                    period_seconds: rule.period_seconds,
                    remaining: judged.remaining,
                    reset_seconds: judged.reset_seconds,
                };
                (state, rule.limit - judged.remaining)
            })
            .collect();
        (limits, books.balances.standing(credits, now))
    }

    /// Writes the credits spent since the last flush and re-reads the rest, so this
    /// instance learns what others spent; forgets windows no request will weigh
    /// again. Blocking. Returns the credit rows written.
    pub fn flush(&self, db: &Db, now: PrimitiveDateTime) -> Result<usize, DbError> {
        let now_ms = millis(now);
        let (spent, held) = {
            let mut books = lock(&self.books);
            books
                .windows
                .retain(|_, c| c.window.start_ms + 2 * c.period_ms > now_ms);
            books.balances.take_spent()
        };
        if let Some(shared) = self.shared.get() {
            shared.prune(now_ms);
        }
        if spent.is_empty() && held.is_empty() {
            return Ok(0);
        }
        let written = spent.len();
        let result = db.get().and_then(|mut conn| {
            write_transaction(&mut conn, |c| {
                for s in &spent {
                    limits::spend(c, *s)?;
                }
                let ids: Vec<i64> = spent.iter().map(|s| s.id).collect();
                for crossing in limits::crossed(c, &ids)? {
                    thresholds::tell(c, &crossing, now)?;
                }
                limits::stored(c, &held)
            })
            .map_err(DbError::from)
        });
        match result {
            Ok(stored) => {
                lock(&self.books).balances.settle(&stored);
                Ok(written)
            }
            Err(error) => {
                // Spent stays spent: counted again at the next flush.
                lock(&self.books).balances.restore(&spent);
                Err(error)
            }
        }
    }
}

/// Spends `cost` of the credits into the decision, or refuses it.
fn spend_credits(
    balances: &mut Balances,
    decision: &mut Decision,
    credits: &[CreditRule],
    now: PrimitiveDateTime,
    cost: i64,
) {
    if let Err(next_refill) = balances.spend(credits, now, cost, &mut decision.limits) {
        decision.refusal = Some(Outcome::UsageExceeded);
        decision.retry_after = next_refill.map(|at| seconds_until(now, at).max(1));
    }
}

#[cfg(test)]
mod tests;
