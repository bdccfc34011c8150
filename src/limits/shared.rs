//! Rate limits shared between instances through Redis. Each instance takes an
//! allowance of a limit from Redis (a Lua script that counts it against the shared
//! sliding window atomically) and spends it locally: one round trip per allowance,
//! not per request. Units are counted in Redis before they are spent, so together
//! the instances never admit more than the limit; what an instance took and did
//! not spend before its window ended is lost (at most one allowance per instance
//! and limit). While Redis does not answer, the operator's [`WhenDown`] applies.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use foldhash::fast::FixedState;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::{LimitRule, lock};
use crate::config::SharedLimits;
use crate::domain::limits::{Judgement, WhenDown, Window};
use crate::verification::metrics::SharedLimitMetrics;

/// Counts `ARGV[4]` units (at least `ARGV[5]`) against a sliding window whose
/// current and previous counts are `KEYS[1]` and `KEYS[2]`, as far as the limit
/// `ARGV[1]` per `ARGV[2]` ms allows at `ARGV[3]` ms into the window. Returns the
/// units granted and both counts.
const TAKE: &str = r"
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
local limit, period = tonumber(ARGV[1]), tonumber(ARGV[2])
local elapsed, want, need = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local free = math.floor(limit - previous * (period - elapsed) / period - current)
local granted = 0
if free >= need then
  granted = math.min(want, free)
  current = redis.call('INCRBY', KEYS[1], granted)
  redis.call('PEXPIRE', KEYS[1], 2 * period + 1000)
end
return {granted, current, previous}
";

/// The most an allowance holds: a twentieth of the limit, at most 50.
pub fn allowance(limit: i64) -> i64 {
    (limit / 20).clamp(1, 50)
}

#[derive(Debug, Clone, Copy, Default)]
struct Lease {
    window_start: i64,
    period: i64,
    /// Taken from Redis, not spent yet.
    left: i64,
    /// What Redis had left for everyone after the last allowance.
    free: i64,
}

/// Redis, as this instance reaches it.
pub struct Shared {
    connection: RwLock<Option<ConnectionManager>>,
    up: AtomicBool,
    pub when_down: WhenDown,
    leases: Mutex<HashMap<i64, Lease, FixedState>>,
    script: redis::Script,
    metrics: SharedLimitMetrics,
}

/// What one limit said.
pub enum Took {
    Spent(Judgement),
    Refused(Judgement),
}

/// Redis did not answer in time.
#[derive(Debug)]
pub struct Unreachable;

impl Shared {
    /// Starts connecting (and reconnecting) in the background; until Redis answers,
    /// [`Shared::is_up`] is false.
    pub fn start(
        settings: &SharedLimits,
        metrics: SharedLimitMetrics,
    ) -> anyhow::Result<Arc<Self>> {
        let client = redis::Client::open(settings.url.as_str()).map_err(|_| {
            anyhow::anyhow!("TESSERA_REDIS_URL is not a Redis URL such as redis://127.0.0.1:6379/0")
        })?;
        metrics
            .fail_open
            .set(i64::from(settings.when_down == WhenDown::Open));
        let shared = Arc::new(Self {
            connection: RwLock::new(None),
            up: AtomicBool::new(false),
            when_down: settings.when_down,
            leases: Mutex::default(),
            script: redis::Script::new(TAKE),
            metrics,
        });
        let watched = Arc::downgrade(&shared);
        actix_web::rt::spawn(async move {
            let config = ConnectionManagerConfig::new()
                .set_connection_timeout(Duration::from_millis(500))
                .set_response_timeout(Duration::from_millis(250))
                .set_number_of_retries(1);
            let mut manager = None;
            loop {
                let Some(shared) = watched.upgrade() else {
                    return;
                };
                if manager.is_none() {
                    manager = ConnectionManager::new_with_config(client.clone(), config.clone())
                        .await
                        .ok();
                    *shared.connection.write().expect("redis lock") = manager.clone();
                }
                if let Some(connection) = &mut manager {
                    let pong: redis::RedisResult<String> =
                        redis::cmd("PING").query_async(connection).await;
                    shared.set_up(pong.is_ok());
                }
                drop(shared);
                actix_web::rt::time::sleep(Duration::from_secs(1)).await;
            }
        });
        Ok(shared)
    }

    pub fn is_up(&self) -> bool {
        self.up.load(Ordering::Acquire)
    }

    fn set_up(&self, up: bool) {
        let was = self.up.swap(up, Ordering::AcqRel);
        self.metrics.up.set(i64::from(up));
        if was != up {
            if up {
                tracing::info!("Redis answers again: rate limits are shared");
            } else {
                tracing::warn!(when_down = self.when_down.key(), "Redis does not answer");
            }
        }
    }

    /// Spends `cost` of `rule` at `now_ms`, from this instance's allowance or a new
    /// one.
    pub async fn take(
        &self,
        rule: &LimitRule,
        now_ms: i64,
        cost: i64,
    ) -> Result<Took, Unreachable> {
        let period = i64::from(rule.period_seconds) * 1000;
        let window_start = now_ms - now_ms.rem_euclid(period);
        let reset = (window_start + period - now_ms + 999) / 1000;
        let spent = |lease: &Lease| {
            Took::Spent(Judgement {
                admitted: true,
                remaining: lease.left + lease.free,
                reset_seconds: reset,
                retry_after_seconds: None,
            })
        };
        if let Some(took) = self.spend(rule.id, window_start, cost).map(|l| spent(&l)) {
            return Ok(took);
        }
        let connection = self.connection.read().expect("redis lock").clone();
        let Some(mut connection) = connection else {
            return Err(Unreachable);
        };
        self.metrics.round_trips.inc();
        let key = |start: i64| format!("tessera:limit:{}:{start}", rule.id);
        let answer: redis::RedisResult<(i64, i64, i64)> = self
            .script
            .key(key(window_start))
            .key(key(window_start - period))
            .arg(rule.limit)
            .arg(period)
            .arg(now_ms - window_start)
            .arg(allowance(rule.limit).max(cost))
            .arg(cost)
            .invoke_async(&mut connection)
            .await;
        let (granted, current, previous) = answer.map_err(|error| {
            self.metrics.errors.inc();
            tracing::debug!(%error, "Redis did not grant an allowance");
            self.set_up(false);
            Unreachable
        })?;
        {
            let mut leases = lock(&self.leases);
            let lease = leases.entry(rule.id).or_default();
            if lease.window_start != window_start {
                *lease = Lease {
                    window_start,
                    period,
                    ..Lease::default()
                };
            }
            lease.left += granted;
            lease.free = (rule.limit - current).max(0);
        }
        if let Some(lease) = self.spend(rule.id, window_start, cost) {
            return Ok(spent(&lease));
        }
        let window = Window {
            start_ms: window_start,
            current,
            previous,
        };
        Ok(Took::Refused(
            window.judge(now_ms, period, rule.limit, cost),
        ))
    }

    /// Spends from the allowance of this window, when it holds enough.
    fn spend(&self, rule: i64, window_start: i64, cost: i64) -> Option<Lease> {
        let mut leases = lock(&self.leases);
        let lease = leases.get_mut(&rule)?;
        if lease.window_start != window_start || lease.left < cost {
            return None;
        }
        lease.left -= cost;
        Some(*lease)
    }

    /// Puts back what a request took but did not use (another limit or its credits
    /// refused it).
    pub fn give_back(&self, rule: &LimitRule, now_ms: i64, cost: i64) {
        let period = i64::from(rule.period_seconds) * 1000;
        let window_start = now_ms - now_ms.rem_euclid(period);
        if let Some(lease) = lock(&self.leases).get_mut(&rule.id)
            && lease.window_start == window_start
        {
            lease.left += cost;
        }
    }
}

impl Shared {
    /// Forgets allowances of windows that have ended.
    pub fn prune(&self, now_ms: i64) {
        lock(&self.leases).retain(|_, lease| lease.window_start + lease.period > now_ms);
    }
}
