//! The verification service behind `/api/v1/verify`, `/introspect` and `/auth`:
//! a cache of verified tokens keyed by digest, the module catalog, the rules of
//! [`crate::domain::verification`], and a buffer of last uses written in batches.
//!
//! A cache hit touches neither the database nor a lock held across requests.
//! Changes made in the admin forget the token here at once; other instances hear of
//! them through PostgreSQL notifications (see [`listener`]).

pub mod listener;
pub mod metrics;
pub mod usage;

use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use actix_web::web::Bytes;
use ipnet::IpNet;
use moka::sync::Cache;
use serde_json::json;
use time::PrimitiveDateTime;

use crate::db::{self, Db, DbError, catalog};
use crate::domain::digest::sha256_hex;
use crate::domain::networks::parse_network;
use crate::domain::tokens::{Action, TokenType, check_format};
use crate::domain::verification::{
    Access, Outcome, SecretMatch, TokenRules, evaluate, module_for_path,
};
use crate::http::AppError;
use crate::views::format::iso;
pub use metrics::{Endpoint, Metrics};
pub use usage::UsageBuffer;

/// How long a verified token stays cached when nothing says it changed; the bound
/// on staleness if change notifications were lost.
pub const KNOWN_TTL: Duration = Duration::from_secs(60);
/// How long an unknown digest stays cached, so a flood of wrong tokens costs one
/// query each per period.
pub const UNKNOWN_TTL: Duration = Duration::from_secs(10);
const CACHE_CAPACITY: u64 = 200_000;

/// A token as verification sees it, with its answers prepared.
#[derive(Debug)]
pub struct CachedToken {
    pub id: i64,
    pub guid: String,
    pub name: String,
    pub rules: TokenRules,
    pub matched: SecretMatch,
    pub can_introspect: bool,
    /// The body of a passing `/verify`.
    pub verify_body: Bytes,
    /// The body of an active `/introspect` answer.
    pub introspection_body: Bytes,
}

#[derive(Debug, Clone)]
enum Lookup {
    Unknown,
    Known(Arc<CachedToken>),
}

/// The modules, for permission checks and for mapping paths to modules.
#[derive(Debug, Default)]
pub struct Catalog {
    pub keys: HashSet<String>,
    /// (path prefix, module key)
    pub prefixes: Vec<(String, String)>,
}

/// What a request asks to do.
#[derive(Debug, Clone, Copy)]
pub enum Requested<'a> {
    /// Only whether the token is usable.
    Nothing,
    Module {
        key: &'a str,
        action: Action,
    },
    /// Forward-auth: the original request's path and method.
    Path {
        path: &'a str,
        action: Action,
    },
}

/// Who presents the token.
#[derive(Debug, Clone, Copy)]
pub struct Client<'a> {
    pub ip: IpAddr,
    pub user_agent: Option<&'a str>,
}

#[derive(Debug, Clone)]
pub struct Verdict {
    pub outcome: Outcome,
    pub token: Option<Arc<CachedToken>>,
}

pub struct Verifier {
    db: Db,
    cache: Cache<String, Lookup>,
    catalog: RwLock<Option<Arc<Catalog>>>,
    /// Bumped by every invalidation; a lookup that started before one does not
    /// store what it read, which may predate the change.
    generation: AtomicU64,
    pub usage: UsageBuffer,
    pub metrics: Arc<Metrics>,
    pub trusted_proxies: Vec<IpNet>,
}

struct TtlByKind;

impl moka::Expiry<String, Lookup> for TtlByKind {
    fn expire_after_create(
        &self,
        _: &String,
        value: &Lookup,
        _: std::time::Instant,
    ) -> Option<Duration> {
        Some(match value {
            Lookup::Known(_) => KNOWN_TTL,
            Lookup::Unknown => UNKNOWN_TTL,
        })
    }
}

impl Verifier {
    pub fn new(db: Db, metrics: Arc<Metrics>, trusted_proxies: Vec<IpNet>) -> Self {
        Self {
            db,
            cache: Cache::builder()
                .max_capacity(CACHE_CAPACITY)
                .expire_after(TtlByKind)
                .support_invalidation_closures()
                .build(),
            catalog: RwLock::new(None),
            generation: AtomicU64::new(0),
            usage: UsageBuffer::default(),
            metrics,
            trusted_proxies,
        }
    }

    /// Checks a presented secret for a request. Malformed secrets are refused
    /// before any hashing or lookup.
    pub async fn check(
        &self,
        endpoint: Endpoint,
        presented: Option<&str>,
        requested: Requested<'_>,
        client: Client<'_>,
    ) -> Result<Verdict, AppError> {
        let verdict = self.decide(presented, requested, client).await?;
        self.metrics.outcome(endpoint, verdict.outcome);
        Ok(verdict)
    }

    async fn decide(
        &self,
        presented: Option<&str>,
        requested: Requested<'_>,
        client: Client<'_>,
    ) -> Result<Verdict, AppError> {
        let invalid = Verdict {
            outcome: Outcome::Invalid,
            token: None,
        };
        let Some(secret) = presented.filter(|s| check_format(s).is_ok()) else {
            return Ok(invalid);
        };
        let Lookup::Known(token) = self.lookup(sha256_hex(secret.as_bytes())).await? else {
            return Ok(invalid);
        };
        let catalog = self.catalog().await?;
        let access = match requested {
            Requested::Nothing => None,
            Requested::Module { key, action } => Some(Access {
                module: key,
                action,
                module_exists: catalog.keys.contains(key),
            }),
            Requested::Path { path, action } => {
                Some(match module_for_path(path, &catalog.prefixes) {
                    Some(key) => Access {
                        module: key,
                        action,
                        module_exists: true,
                    },
                    None => Access {
                        module: "",
                        action,
                        module_exists: false,
                    },
                })
            }
        };
        let now = db::now();
        let outcome = evaluate(&token.rules, token.matched, now, client.ip, access);
        if outcome == Outcome::Valid {
            self.usage
                .record(token.id, now, client.ip, client.user_agent);
        }
        Ok(Verdict {
            outcome,
            token: Some(token),
        })
    }

    async fn lookup(&self, digest: String) -> Result<Lookup, AppError> {
        if let Some(hit) = self.cache.get(&digest) {
            self.metrics.cache_hit();
            return Ok(hit);
        }
        self.metrics.cache_miss();
        let generation = self.generation.load(Ordering::Acquire);
        let catalog = self.catalog().await?;
        let key = digest.clone();
        let loaded = self
            .db
            .run(move |c| db::verification::find_by_digest(c, &key).map_err(DbError::from))
            .await?;
        let lookup = match loaded {
            Some(loaded) => Lookup::Known(Arc::new(prepare(loaded, &catalog))),
            None => Lookup::Unknown,
        };
        if self.generation.load(Ordering::Acquire) == generation {
            self.cache.insert(digest, lookup.clone());
        }
        Ok(lookup)
    }

    /// The module catalog, loaded once and again after it changes.
    pub async fn catalog(&self) -> Result<Arc<Catalog>, AppError> {
        if let Some(catalog) = self.catalog.read().expect("catalog lock").as_ref() {
            return Ok(catalog.clone());
        }
        let generation = self.generation.load(Ordering::Acquire);
        let modules = self
            .db
            .run(|c| catalog::list_modules(c).map_err(DbError::from))
            .await?;
        let catalog = Arc::new(Catalog {
            keys: modules
                .iter()
                .map(|m| m.module.module_key.clone())
                .collect(),
            prefixes: modules
                .iter()
                .flat_map(|m| {
                    m.path_prefixes
                        .iter()
                        .map(|p| (p.clone(), m.module.module_key.clone()))
                })
                .collect(),
        });
        if self.generation.load(Ordering::Acquire) == generation {
            *self.catalog.write().expect("catalog lock") = Some(catalog.clone());
        }
        Ok(catalog)
    }

    /// Forgets one token, in whatever form it is cached (current or previous secret).
    pub fn token_changed(&self, guid: &str) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        let guid = guid.to_owned();
        // Fails only when invalidation closures are off, which `new` turns on.
        let _ = self.cache.invalidate_entries_if(
            move |_, lookup| matches!(lookup, Lookup::Known(t) if t.guid == guid),
        );
    }

    /// Forgets everything: the catalog changed (prepared answers list modules), or
    /// notifications may have been missed.
    pub fn forget_everything(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        *self.catalog.write().expect("catalog lock") = None;
        self.cache.invalidate_all();
    }

    /// Writes the buffered last uses; returns how many tokens were written.
    pub async fn flush_usage(&self) -> Result<usize, AppError> {
        let written = self.usage.flush(&self.db).await?;
        if written > 0 {
            self.metrics.flushed(written);
        }
        Ok(written)
    }
}

/// Builds the cached form of a token, with the bodies of its answers.
fn prepare(loaded: db::verification::LoadedToken, catalog: &Catalog) -> CachedToken {
    let t = &loaded.token;
    let token_type = t.token_type();
    let mut modules: Vec<&String> = catalog.keys.iter().collect();
    modules.sort();
    let granted: Vec<(String, Action)> = match token_type {
        TokenType::Custom => loaded.grants.clone(),
        _ => modules
            .iter()
            .flat_map(|key| {
                Action::ALL
                    .into_iter()
                    .filter(|a| token_type.grants_everywhere(*a))
                    .map(|a| ((*key).clone(), a))
            })
            .collect(),
    };
    let mut permissions = serde_json::Map::new();
    for (key, action) in &granted {
        let entry = permissions.entry(key.clone()).or_insert_with(|| json!([]));
        if let Some(list) = entry.as_array_mut() {
            list.push(json!(action.key()));
        }
    }
    let verify_body = json!({
        "valid": true,
        "token": {
            "guid": t.guid,
            "name": t.name,
            "type": token_type.key(),
            "scopes": loaded.scope_names,
            "permissions": permissions,
            "valid_from": iso(&t.valid_from),
            "valid_to": t.valid_to.as_ref().map(iso),
        }
    });
    let scope = granted
        .iter()
        .map(|(key, action)| format!("{key}:{}", action.key()))
        .collect::<Vec<_>>()
        .join(" ");
    let mut introspection = json!({
        "active": true,
        "scope": scope,
        "client_id": t.guid,
        "sub": t.guid,
        "username": t.name,
        "token_type": "bearer",
        "iat": unix(&t.created_at),
        "nbf": unix(&t.valid_from),
    });
    if let Some(to) = &t.valid_to {
        introspection["exp"] = json!(unix(to));
    }
    CachedToken {
        id: t.id,
        guid: t.guid.clone(),
        name: t.name.clone(),
        rules: TokenRules {
            lifecycle: t.lifecycle(),
            token_type,
            grants: loaded.grants.clone(),
            allowed_networks: networks(&loaded.allowed_networks),
        },
        matched: loaded.matched,
        can_introspect: t.can_introspect(),
        verify_body: Bytes::from(verify_body.to_string()),
        introspection_body: Bytes::from(introspection.to_string()),
    }
}

/// The stored allow-list. Rows are written from parsed networks; should one not parse,
/// the token is limited to an address no client has, rather than opened to all.
fn networks(stored: &[String]) -> Vec<IpNet> {
    let parsed: Option<Vec<IpNet>> = stored.iter().map(|n| parse_network(n)).collect();
    parsed.unwrap_or_else(|| {
        tracing::error!("a token's stored network list does not parse; refusing every address");
        vec![IpNet::from(IpAddr::from([0, 0, 0, 0]))]
    })
}

fn unix(at: &PrimitiveDateTime) -> i64 {
    at.assume_utc().unix_timestamp()
}
