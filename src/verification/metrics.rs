//! Prometheus metrics at `/metrics`: verifications by endpoint and outcome, their
//! latency, cache hits and misses, usage flushes, and database statements.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use super::CacheReport;
use crate::domain::verification::Outcome;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    Verify,
    Introspect,
    ForwardAuth,
}

impl Endpoint {
    const ALL: [Endpoint; 3] = [
        Endpoint::Verify,
        Endpoint::Introspect,
        Endpoint::ForwardAuth,
    ];

    /// Where the endpoint is served; forward-auth also serves the paths below its
    /// own (Envoy's original path).
    pub const fn path(self) -> &'static str {
        match self {
            Endpoint::Verify => "/api/v1/verify",
            Endpoint::Introspect => "/api/v1/introspect",
            Endpoint::ForwardAuth => "/api/v1/auth",
        }
    }

    /// The endpoint a request path addresses, if any.
    pub fn of_path(path: &str) -> Option<Endpoint> {
        Endpoint::ALL.into_iter().find(|endpoint| {
            path.strip_prefix(endpoint.path()).is_some_and(|rest| {
                rest.is_empty() || (*endpoint == Endpoint::ForwardAuth && rest.starts_with('/'))
            })
        })
    }

    fn label(self) -> &'static str {
        match self {
            Endpoint::Verify => "verify",
            Endpoint::Introspect => "introspect",
            Endpoint::ForwardAuth => "auth",
        }
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    endpoint: &'static str,
    outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EndpointLabels {
    endpoint: &'static str,
}

fn latency_histogram() -> Histogram {
    // 25 µs to about 0.4 s.
    Histogram::new(exponential_buckets(0.000_025, 2.0, 15))
}

pub struct Metrics {
    registry: Registry,
    /// Per endpoint, per outcome (in `Outcome::ALL` order), resolved once, so a
    /// verification counts without hashing labels.
    verifications: [[Counter; Outcome::ALL.len()]; 3],
    latency: [Histogram; 3],
    cache_hits: Counter,
    cache_misses: Counter,
    cache_capacity: Gauge,
    cache_entries: Gauge,
    cache_bytes: Gauge,
    flushes: Counter,
    flushed_tokens: Counter,
    statements: Counter,
    count_flushes: Counter,
    count_statements: Counter,
    notifications: Counter,
    listens: Counter,
    pub shared_limits: SharedLimitMetrics,
}

/// Rate limits shared through Redis: whether it answers, what this instance does
/// when it does not, and the round trips the local allowances save.
#[derive(Debug, Clone, Default)]
pub struct SharedLimitMetrics {
    pub up: Gauge,
    pub fail_open: Gauge,
    pub round_trips: Counter,
    pub errors: Counter,
}

impl SharedLimitMetrics {
    fn register(registry: &mut Registry) -> Self {
        let metrics = Self::default();
        registry.register(
            "shared_limits_up",
            "1 while Redis answers (rate limits are shared), 0 while it does not or is not configured",
            metrics.up.clone(),
        );
        registry.register(
            "shared_limits_fail_open",
            "1: while Redis is down, each instance applies every limit on its own (TESSERA_REDIS_WHEN_DOWN=open); 0: limited tokens are refused",
            metrics.fail_open.clone(),
        );
        registry.register(
            "shared_limits_round_trips",
            "Calls to Redis for a new allowance of a rate limit",
            metrics.round_trips.clone(),
        );
        registry.register(
            "shared_limits_errors",
            "Calls to Redis that failed or timed out",
            metrics.errors.clone(),
        );
        metrics
    }
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("tessera");
        let verifications = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "verifications",
            "Token verifications by endpoint and outcome",
            verifications.clone(),
        );
        let latency = Family::<EndpointLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        registry.register(
            "verification_duration_seconds",
            "Time to answer a verification, from request to response",
            latency.clone(),
        );
        let cache_hits = Counter::default();
        registry.register(
            "token_cache_hits",
            "Verifications answered from the cache",
            cache_hits.clone(),
        );
        let cache_misses = Counter::default();
        registry.register(
            "token_cache_misses",
            "Verifications that read the database",
            cache_misses.clone(),
        );
        let cache_capacity = Gauge::default();
        registry.register(
            "token_cache_capacity",
            "Tokens (and unknown digests) the cache may hold",
            cache_capacity.clone(),
        );
        let cache_entries = Gauge::default();
        registry.register(
            "token_cache_entries",
            "Tokens (and unknown digests) in the cache",
            cache_entries.clone(),
        );
        let cache_bytes = Gauge::default();
        registry.register_with_unit(
            "token_cache_memory",
            "Memory the cache's tables and tokens take",
            prometheus_client::registry::Unit::Bytes,
            cache_bytes.clone(),
        );
        let flushes = Counter::default();
        registry.register(
            "usage_flushes",
            "Batched writes of last-use data",
            flushes.clone(),
        );
        let flushed_tokens = Counter::default();
        registry.register(
            "usage_flushed_tokens",
            "Tokens whose last use was written",
            flushed_tokens.clone(),
        );
        let statements = Counter::default();
        registry.register(
            "db_statements",
            "Statements the verification path sent to the database (lookups, the module catalog, last-use writes)",
            statements.clone(),
        );
        let count_flushes = Counter::default();
        registry.register(
            "usage_count_flushes",
            "Batched additions of usage counts",
            count_flushes.clone(),
        );
        let count_statements = Counter::default();
        registry.register(
            "usage_count_statements",
            "Statements that added usage counts",
            count_statements.clone(),
        );
        let notifications = Counter::default();
        registry.register(
            "change_notifications",
            "Changes heard from every instance (PostgreSQL)",
            notifications.clone(),
        );
        let listens = Counter::default();
        registry.register(
            "change_listens",
            "Times the change listener (re)connected, forgetting the cache (PostgreSQL)",
            listens.clone(),
        );
        let shared_limits = SharedLimitMetrics::register(&mut registry);
        // Every series exists from the start, at zero, so rates work at once.
        let verifications = Endpoint::ALL.map(|endpoint| {
            Outcome::ALL.map(|outcome| {
                verifications
                    .get_or_create(&OutcomeLabels {
                        endpoint: endpoint.label(),
                        outcome: outcome.code(),
                    })
                    .clone()
            })
        });
        let latency = Endpoint::ALL.map(|endpoint| {
            latency
                .get_or_create(&EndpointLabels {
                    endpoint: endpoint.label(),
                })
                .clone()
        });
        Self {
            registry,
            verifications,
            latency,
            cache_hits,
            cache_misses,
            cache_capacity,
            cache_entries,
            cache_bytes,
            flushes,
            flushed_tokens,
            statements,
            count_flushes,
            count_statements,
            notifications,
            listens,
            shared_limits,
        }
    }
}

impl Metrics {
    pub fn outcome(&self, endpoint: Endpoint, outcome: Outcome) {
        let index = Outcome::ALL.iter().position(|o| *o == outcome).unwrap_or(0);
        self.verifications[endpoint as usize][index].inc();
    }

    pub fn latency(&self, endpoint: Endpoint, seconds: f64) {
        self.latency[endpoint as usize].observe(seconds);
    }

    pub fn cache_hit(&self) {
        self.cache_hits.inc();
    }

    pub fn cache_miss(&self) {
        self.cache_misses.inc();
    }

    /// How full the cache is, as of this scrape.
    pub fn cache_size(&self, report: CacheReport) {
        let gauge = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        self.cache_capacity.set(gauge(report.capacity));
        self.cache_entries.set(gauge(report.entries));
        self.cache_bytes.set(gauge(report.bytes));
    }

    pub fn flushed(&self, tokens: usize) {
        self.flushes.inc();
        self.flushed_tokens.inc_by(tokens as u64);
    }

    pub fn counts_flushed(&self, statements: usize) {
        self.count_flushes.inc();
        self.count_statements.inc_by(statements as u64);
    }

    /// Counts one database statement; given to the connection pool.
    pub fn statement(&self) {
        self.statements.inc();
    }

    pub fn notification_heard(&self) {
        self.notifications.inc();
    }

    pub fn listening(&self) {
        self.listens.inc();
    }

    /// The text exposition format.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::Endpoint;

    #[test]
    fn a_path_names_its_endpoint_and_only_forward_auth_serves_paths_below_it() {
        for endpoint in Endpoint::ALL {
            assert_eq!(Endpoint::of_path(endpoint.path()), Some(endpoint));
        }
        assert_eq!(
            Endpoint::of_path("/api/v1/auth/orders/1"),
            Some(Endpoint::ForwardAuth)
        );
        for other in [
            "/api/v1/verify/x",
            "/api/v1/verifyx",
            "/api/v1/authz",
            "/api/v1/tokens",
            "/healthz",
        ] {
            assert_eq!(Endpoint::of_path(other), None, "{other}");
        }
    }
}
