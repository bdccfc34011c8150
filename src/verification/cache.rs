//! The cache of verified tokens, keyed by the SHA-256 of a presented secret: a
//! bounded S3-FIFO cache (quick_cache) whose entries cost a few dozen bytes besides
//! the token itself, each with the time after which it is read again.

use std::sync::Arc;
use std::time::{Duration, Instant};

use quick_cache::sync::Cache;
use uuid::Uuid;

use super::CachedToken;

/// How long a verified token stays cached when nothing says it changed; the bound
/// on staleness if change notifications were lost.
pub const KNOWN_TTL: Duration = Duration::from_secs(60);
/// How long an unknown digest stays cached, so a flood of wrong tokens costs one
/// query each per period.
pub const UNKNOWN_TTL: Duration = Duration::from_secs(10);

/// A secret's SHA-256, the cache's key.
pub type Digest = [u8; 32];

#[derive(Debug, Clone)]
pub(crate) enum Lookup {
    Unknown,
    Known(Arc<CachedToken>),
}

#[derive(Clone)]
struct Entry {
    lookup: Lookup,
    /// Seconds after the cache's start at which the entry is stale.
    stale_at: u32,
}

/// How full the cache is, for `/metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheReport {
    pub capacity: u64,
    pub entries: u64,
    /// The cache's tables and the tokens they hold (without the allocator's own
    /// overhead, which the benchmark's RSS figures include).
    pub bytes: u64,
}

pub struct TokenCache {
    entries: Cache<Digest, Entry>,
    started: Instant,
}

impl TokenCache {
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: Cache::new(capacity),
            started: Instant::now(),
        }
    }

    /// The lookup cached for this digest, unless it went stale.
    pub fn get(&self, digest: &Digest) -> Option<Lookup> {
        let entry = self.entries.get(digest)?;
        if entry.stale_at > self.seconds() {
            return Some(entry.lookup);
        }
        self.entries
            .remove_if(digest, |e| e.stale_at <= self.seconds());
        None
    }

    pub fn insert(&self, digest: Digest, lookup: Lookup) {
        let ttl = match lookup {
            Lookup::Known(_) => KNOWN_TTL,
            Lookup::Unknown => UNKNOWN_TTL,
        };
        let stale_at = self.seconds().saturating_add(ttl.as_secs() as u32);
        self.entries.insert(digest, Entry { lookup, stale_at });
    }

    /// Forgets the token with this GUID, under any of its secrets.
    pub fn forget(&self, guid: Uuid) {
        self.entries
            .retain(|_, e| !matches!(&e.lookup, Lookup::Known(t) if t.guid == guid));
    }

    pub fn clear(&self) {
        self.entries.clear();
    }

    /// Walks every entry to add up the tokens' memory: for a scrape, not a request.
    pub fn report(&self) -> CacheReport {
        let tokens: usize = self
            .entries
            .iter()
            .map(|(_, e)| match &e.lookup {
                Lookup::Known(token) => token.footprint(),
                Lookup::Unknown => 0,
            })
            .sum();
        CacheReport {
            capacity: self.entries.capacity(),
            entries: self.entries.len() as u64,
            bytes: (self.entries.memory_used().total() + tokens) as u64,
        }
    }

    fn seconds(&self) -> u32 {
        self.started.elapsed().as_secs() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_digest_is_cached_and_forgotten_with_everything() {
        let cache = TokenCache::new(10);
        cache.insert([1; 32], Lookup::Unknown);
        assert!(matches!(cache.get(&[1; 32]), Some(Lookup::Unknown)));
        assert!(cache.get(&[2; 32]).is_none());
        cache.clear();
        assert!(cache.get(&[1; 32]).is_none());
    }

    #[test]
    fn a_stale_entry_is_a_miss_and_leaves_the_cache() {
        let cache = TokenCache::new(10);
        cache.entries.insert(
            [1; 32],
            Entry {
                lookup: Lookup::Unknown,
                stale_at: 0,
            },
        );
        assert!(cache.get(&[1; 32]).is_none());
        assert_eq!(cache.report().entries, 0);
    }

    #[test]
    fn the_report_counts_entries_and_their_tables_within_the_capacity() {
        let cache = TokenCache::new(1000);
        for i in 0..=255u8 {
            cache.insert([i; 32], Lookup::Unknown);
        }
        let report = cache.report();
        assert_eq!(report.entries, 256);
        assert!(report.capacity >= 1000);
        assert!(report.bytes >= 256 * 32, "{report:?}");
    }
}
