//! The verification service behind `/api/v1/verify`, `/introspect` and `/auth`:
//! a cache of verified tokens keyed by digest, the module catalog, the rules of
//! [`crate::domain::verification`], and a buffer of last uses written in batches.
//!
//! A cache hit touches neither the database nor a lock held across requests.
//! Changes made in the admin forget the token here at once; other instances hear of
//! them through PostgreSQL notifications (see [`listener`]).

mod answers;
mod cache;
mod cached;
mod catalog;
mod control;
pub mod listener;
pub mod loader;
pub mod metrics;
pub mod usage;

pub use cache::CacheReport;
pub use cached::CachedToken;
pub(crate) use cached::prepare;
pub use catalog::Catalog;
pub use control::Control;

use std::net::IpAddr;
use std::ops::Deref;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use actix_web::web::Bytes;

use crate::config::VerifierSettings;
use crate::db::connection::for_verification;
use crate::db::{self, Db, DbError};
use crate::domain::digest::{hex, sha256};
use crate::domain::ids::Guid;
use crate::domain::tokens::{Action, check_format};
use crate::domain::verification::{Access, Outcome, PathModule, evaluate, module_for_path};
use cache::{Digest, Lookup, TokenCache};
pub use metrics::{Endpoint, Metrics};
pub use usage::UsageBuffer;

use crate::limits::{Decision, Limiter};
use crate::usage::UsageCounts;

/// What a request asks to do.
#[derive(Debug, Clone, Copy)]
pub enum Requested<'a> {
    /// Only whether the token is usable.
    Nothing,
    Module {
        key: &'a str,
        action: Action,
    },
    /// Forward-auth: the original request's path, normalised
    /// ([`crate::domain::request_path::normalize`]), and method.
    Path {
        path: &'a str,
        action: Action,
    },
    /// Forward-auth: an original path that servers could resolve to different
    /// resources; refused whatever the token, once the token is known.
    AmbiguousPath,
}

/// Who presents the token.
#[derive(Debug, Clone, Copy)]
pub struct Client<'a> {
    pub ip: IpAddr,
    pub user_agent: Option<&'a str>,
}

/// For whom a token is judged.
#[derive(Debug, Clone, Copy)]
pub enum Presenter<'a> {
    /// The client presenting it: its allow-list applies and the use is recorded.
    Client(Client<'a>),
    /// A gateway asking about a token its client presented (introspection): no use
    /// is recorded; the allow-list is judged on the client address the gateway
    /// names, and a token limited to networks does not pass when it names none.
    Gateway { client_ip: Option<IpAddr> },
}

impl Presenter<'_> {
    /// The address the token is judged (and counted) for.
    pub fn client_ip(&self) -> Option<IpAddr> {
        match self {
            Presenter::Client(client) => Some(client.ip),
            Presenter::Gateway { client_ip } => *client_ip,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Verdict {
    pub outcome: Outcome,
    pub token: Option<Presented>,
    /// What the token's limits and credits said, when it has any and was judged.
    pub limits: Option<Decision>,
}

/// The token a request presented, with the catalog its answers are written from.
#[derive(Debug, Clone)]
pub struct Presented {
    token: Arc<CachedToken>,
    catalog: Arc<Catalog>,
}

impl Presented {
    pub fn verify_body(&self) -> Bytes {
        self.token.verify_body(&self.catalog)
    }

    pub fn introspection_body(&self) -> Bytes {
        self.token.introspection_body(&self.catalog)
    }
}

impl Deref for Presented {
    type Target = CachedToken;

    fn deref(&self) -> &CachedToken {
        &self.token
    }
}

pub struct Verifier {
    db: Db,
    loader: loader::Loader,
    /// None: every verification reads the database (for measurements).
    cache: Option<TokenCache>,
    catalog: RwLock<Option<Arc<Catalog>>>,
    /// One catalog load at a time: requests that miss together wait for it.
    catalog_loading: tokio::sync::Mutex<()>,
    /// Bumped by every invalidation; a lookup that started before one does not
    /// store what it read, which may predate the change.
    generation: AtomicU64,
    pub usage: UsageBuffer,
    /// Rate limits and credits.
    pub limiter: Limiter,
    /// Every answer, tallied for the usage pages; `None`: nothing is counted (to
    /// measure what counting costs).
    counts: Option<UsageCounts>,
    /// Seconds within which repeated uses from one client are written once.
    usage_granularity: u32,
    pub metrics: Arc<Metrics>,
}

impl Verifier {
    pub fn new(db: Db, metrics: Arc<Metrics>, settings: VerifierSettings) -> Self {
        Self {
            loader: loader::Loader::start(db.clone()),
            db,
            cache: settings.cache_capacity.map(TokenCache::new),
            catalog: RwLock::new(None),
            catalog_loading: tokio::sync::Mutex::new(()),
            generation: AtomicU64::new(0),
            usage: UsageBuffer::default(),
            limiter: Limiter::default(),
            counts: settings.count_usage.then(UsageCounts::default),
            usage_granularity: settings.usage_granularity,
            metrics,
        }
    }

    /// Checks a presented secret for a request of `cost` (what it spends of limits
    /// and credits). Malformed secrets are refused before any hashing or lookup, and
    /// who presents a token is asked only once it is known.
    pub async fn check<'p>(
        &self,
        endpoint: Endpoint,
        presented: Option<&str>,
        requested: Requested<'_>,
        cost: i64,
        presenter: impl FnOnce() -> Presenter<'p>,
    ) -> Result<Verdict, DbError> {
        let verdict = self.decide(presented, requested, cost, presenter).await?;
        self.metrics.outcome(endpoint, verdict.outcome);
        Ok(verdict)
    }

    async fn decide<'p>(
        &self,
        presented: Option<&str>,
        requested: Requested<'_>,
        cost: i64,
        presenter: impl FnOnce() -> Presenter<'p>,
    ) -> Result<Verdict, DbError> {
        let token = match presented.filter(|s| check_format(s).is_ok()) {
            Some(secret) => match self.lookup(sha256(secret.as_bytes())).await? {
                Lookup::Known(token) => Some(token),
                Lookup::Unknown => None,
            },
            None => None,
        };
        let now = db::now();
        let Some(token) = token else {
            if let Some(counts) = &self.counts {
                counts.unknown(now, presenter().client_ip());
            }
            return Ok(Verdict {
                outcome: Outcome::Invalid,
                token: None,
                limits: None,
            });
        };
        let catalog = self.catalog().await?;
        let ambiguous = Err(Outcome::AmbiguousPath);
        let access = match requested {
            Requested::Nothing => Ok(None),
            Requested::Module { key, action } => Ok(Some(Access {
                module: key,
                action,
                module_exists: catalog.keys.contains(key),
            })),
            Requested::Path { path, action } => match module_for_path(path, &catalog.prefixes) {
                PathModule::Module(key) => Ok(Some(Access {
                    module: key,
                    action,
                    module_exists: true,
                })),
                PathModule::Unmapped => Ok(Some(Access {
                    module: "",
                    action,
                    module_exists: false,
                })),
                PathModule::AmbiguousCase => ambiguous,
            },
            Requested::AmbiguousPath => ambiguous,
        };
        let access = match access {
            Ok(access) => access,
            Err(outcome) => {
                if let Some(counts) = &self.counts {
                    counts.token(token.id, now, outcome, None);
                }
                return Ok(Verdict {
                    outcome,
                    token: None,
                    limits: None,
                });
            }
        };
        let presenter = presenter();
        let mut outcome = evaluate(
            &token.rules,
            token.matched,
            now,
            presenter.client_ip(),
            access,
        );
        let mut limits = None;
        if let (Outcome::Valid, Presenter::Client(_), Some(control)) =
            (outcome, presenter, token.control.as_deref())
            && control.limits_use()
        {
            let decision = self
                .limiter
                .admit(&control.limits, &control.credits, now, cost)
                .await;
            outcome = decision.refusal.unwrap_or(outcome);
            limits = Some(decision);
        }
        if let Some(counts) = &self.counts {
            let access = access
                .filter(|_| outcome == Outcome::Valid)
                .and_then(|a| Some((catalog.keys.get(a.module)?.clone(), a.action)));
            counts.token(token.id, now, outcome, access);
        }
        if let (Outcome::Valid, Presenter::Client(client)) = (outcome, presenter) {
            let news =
                token
                    .last_use
                    .news(now, client.ip, client.user_agent, self.usage_granularity);
            self.usage
                .record(token.id, now, news, client.ip, client.user_agent);
        }
        Ok(Verdict {
            outcome,
            token: Some(Presented { token, catalog }),
            limits,
        })
    }

    async fn lookup(&self, digest: Digest) -> Result<Lookup, DbError> {
        if let Some(hit) = self.cache.as_ref().and_then(|c| c.get(&digest)) {
            self.metrics.cache_hit();
            return Ok(hit);
        }
        self.metrics.cache_miss();
        let generation = self.generation.load(Ordering::Acquire);
        let catalog = self.catalog().await?;
        let lookup = self.loader.find(hex(&digest), catalog).await?;
        if let Some(cache) = &self.cache
            && self.generation.load(Ordering::Acquire) == generation
        {
            cache.insert(digest, lookup.clone());
        }
        Ok(lookup)
    }

    /// The module catalog, loaded once and again after it changes.
    pub async fn catalog(&self) -> Result<Arc<Catalog>, DbError> {
        if let Some(catalog) = self.catalog.read().expect("catalog lock").as_ref() {
            return Ok(catalog.clone());
        }
        let _loading = self.catalog_loading.lock().await;
        if let Some(catalog) = self.catalog.read().expect("catalog lock").as_ref() {
            return Ok(catalog.clone());
        }
        let generation = self.generation.load(Ordering::Acquire);
        let modules = self
            .db
            .run(|c| for_verification(|| db::catalog::list_modules(c)).map_err(DbError::from))
            .await?;
        let catalog = Arc::new(Catalog::new(
            modules
                .iter()
                .map(|m| m.module.module_key.as_str().into())
                .collect(),
            modules
                .iter()
                .flat_map(|m| {
                    m.path_prefixes
                        .iter()
                        .map(|p| (p.clone(), m.module.module_key.clone()))
                })
                .collect(),
        ));
        if self.generation.load(Ordering::Acquire) == generation {
            *self.catalog.write().expect("catalog lock") = Some(catalog.clone());
        }
        Ok(catalog)
    }

    /// Forgets one token, in whatever form it is cached (current or previous secret).
    pub fn token_changed(&self, guid: &Guid) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        if let Some(cache) = &self.cache {
            cache.forget(guid.uuid());
        }
    }

    /// Forgets everything: the catalog changed (cached custom grants name its
    /// modules, and share its keys), or notifications may have been missed.
    pub fn forget_everything(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        *self.catalog.write().expect("catalog lock") = None;
        if let Some(cache) = &self.cache {
            cache.clear();
        }
    }

    /// How full the token cache is (`None` when it is off). Walks the cache: call it
    /// off the async workers.
    pub fn cache_report(&self) -> Option<CacheReport> {
        self.cache.as_ref().map(TokenCache::report)
    }

    /// Writes the usage tallies and the buffered last uses; returns how many
    /// tokens' last uses were written. Blocking.
    pub fn flush_usage(&self) -> Result<usize, DbError> {
        // The tallies, whatever becomes of the last uses (and the other way round).
        let counted = match &self.counts {
            Some(counts) => counts.flush(&self.db).map(|statements| {
                if statements > 0 {
                    self.metrics.counts_flushed(statements);
                }
            }),
            None => Ok(()),
        };
        let limited = self.limiter.flush(&self.db, db::now());
        let written = self.usage.flush(&self.db)?;
        if written > 0 {
            self.metrics.flushed(written);
        }
        counted?;
        limited?;
        Ok(written)
    }
}
