//! Usage counting: every verification answer is tallied in memory, by token, hour,
//! outcome and (passing) module and action, and malformed or unknown tokens by hour
//! and client address; the verifier's flusher adds the tallies to the database in a
//! few statements. The verification path calls [`UsageCounts::token`] and
//! [`UsageCounts::unknown`] and nothing else: a lock held for a map update, never a
//! write.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use foldhash::fast::FixedState;
use time::PrimitiveDateTime;

use crate::db::usage::{
    PermissionUse, ScopeSetCount, TokenCount, UnknownCount, add_scope_set_counts, add_token_counts,
    add_unknown_counts, record_permission_uses,
};
use crate::db::usage_overview::scope_sets_of;
use crate::db::{Db, DbError, usage_facts, write_transaction};
use crate::domain::ids::TokenId;
use crate::domain::scopes::ScopeSet;
use crate::domain::tokens::Action;
use crate::domain::usage::{Counted, Hour};
use crate::domain::verification::Outcome;

/// Client addresses of unknown tokens tallied between two flushes; the requests of
/// any further address count in the total only.
const MAX_UNKNOWN_ADDRESSES: usize = 4096;
/// Rows of counts added per transaction.
const ROWS_PER_TRANSACTION: usize = 500;
/// Addresses written per hour and flush: the ones that sent the most.
const TOP_UNKNOWN_ADDRESSES: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct TokenKey {
    token: TokenId,
    hour: Hour,
    counted: Counted<Arc<str>>,
}

#[derive(Debug, Clone, Copy)]
struct Tally {
    requests: i64,
    /// The latest request counted.
    last: PrimitiveDateTime,
}

#[derive(Debug, Default)]
struct Unknown {
    per_hour: HashMap<Hour, i64, FixedState>,
    per_address: HashMap<(Hour, IpAddr), i64, FixedState>,
}

/// The tallies since the last flush.
#[derive(Debug, Default)]
pub struct UsageCounts {
    tokens: Mutex<HashMap<TokenKey, Tally, FixedState>>,
    unknown: Mutex<Unknown>,
}

impl UsageCounts {
    /// Counts an answer about a known token.
    pub fn token(
        &self,
        token: TokenId,
        at: PrimitiveDateTime,
        outcome: Outcome,
        access: Option<(Arc<str>, Action)>,
    ) {
        let key = TokenKey {
            token,
            hour: Hour::of(at),
            counted: Counted { outcome, access },
        };
        let mut tokens = lock(&self.tokens);
        let tally = tokens.entry(key).or_insert(Tally {
            requests: 0,
            last: at,
        });
        tally.requests += 1;
        tally.last = tally.last.max(at);
    }

    /// Counts an answer about a malformed or unknown token, sent from `client_ip`
    /// (unknown when a gateway asked without naming its client).
    pub fn unknown(&self, at: PrimitiveDateTime, client_ip: Option<IpAddr>) {
        let hour = Hour::of(at);
        let mut unknown = lock(&self.unknown);
        *unknown.per_hour.entry(hour).or_default() += 1;
        let Some(ip) = client_ip else {
            return;
        };
        let addresses = unknown.per_address.len();
        match unknown.per_address.get_mut(&(hour, ip)) {
            Some(count) => *count += 1,
            None if addresses < MAX_UNKNOWN_ADDRESSES => {
                unknown.per_address.insert((hour, ip), 1);
            }
            None => {}
        }
    }

    /// Adds the tallies to the database and starts new ones; returns the statements
    /// run. Blocking.
    ///
    /// The counts go a few hundred rows per transaction, so that SQLite's write
    /// lock is never held long; a batch that fails, and those after it, are kept
    /// for the next flush, and none is added twice.
    pub fn flush(&self, db: &Db) -> Result<usize, DbError> {
        let tokens = std::mem::take(&mut *lock(&self.tokens));
        let unknown = std::mem::take(&mut *lock(&self.unknown));
        if tokens.is_empty() && unknown.per_hour.is_empty() {
            return Ok(0);
        }
        let mut conn = match db.get() {
            Ok(conn) => conn,
            Err(error) => {
                self.put_back(tokens, unknown);
                return Err(error);
            }
        };
        let (mut entries, uses) = entries_and_uses(tokens);
        // The latest uses first: keeping the latest is safe to do twice.
        let mut statements = match write_transaction(&mut conn, |c| {
            let statements = record_permission_uses(c, &uses)?;
            let ids: Vec<TokenId> = uses.iter().map(|u| u.token_id).collect();
            usage_facts::refresh(c, &ids)?;
            Ok::<_, diesel::result::Error>(statements)
        }) {
            Ok(statements) => statements,
            Err(error) => {
                self.put_back(entries.into_iter().collect(), unknown);
                return Err(error.into());
            }
        };
        let mut written = 0;
        while written < entries.len() {
            let batch = &entries[written..(written + ROWS_PER_TRANSACTION).min(entries.len())];
            let rows: Vec<TokenCount> = batch.iter().map(count_of).collect();
            let added = write_transaction(&mut conn, |c| {
                let sets = by_scope_set(&rows, scope_sets_of(c, &token_ids(&rows))?);
                Ok::<_, diesel::result::Error>(
                    add_token_counts(c, &rows)? + add_scope_set_counts(c, &sets)?,
                )
            });
            match added {
                Ok(n) => statements += n,
                Err(error) => {
                    self.put_back(entries.split_off(written).into_iter().collect(), unknown);
                    return Err(error.into());
                }
            }
            written += batch.len();
        }
        let rows = rows_of_unknown(&unknown);
        match write_transaction(&mut conn, |c| add_unknown_counts(c, &rows)) {
            Ok(n) => Ok(statements + n),
            Err(error) => {
                self.put_back(HashMap::default(), unknown);
                Err(error.into())
            }
        }
    }

    /// Adds tallies that could not be written to those counted since.
    fn put_back(&self, tokens: HashMap<TokenKey, Tally, FixedState>, unknown: Unknown) {
        let mut current = lock(&self.tokens);
        for (key, tally) in tokens {
            let kept = current.entry(key).or_insert(Tally {
                requests: 0,
                last: tally.last,
            });
            kept.requests += tally.requests;
            kept.last = kept.last.max(tally.last);
        }
        drop(current);
        let mut current = lock(&self.unknown);
        for (hour, requests) in unknown.per_hour {
            *current.per_hour.entry(hour).or_default() += requests;
        }
        for (key, requests) in unknown.per_address {
            *current.per_address.entry(key).or_default() += requests;
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while counting leaves a map that is still whole.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The tallies in the table's order (neighbouring rows are written together), and
/// the latest use of each (token, module, action).
fn entries_and_uses(
    tokens: HashMap<TokenKey, Tally, FixedState>,
) -> (Vec<(TokenKey, Tally)>, Vec<PermissionUse>) {
    let mut latest: HashMap<(TokenId, Arc<str>, Action), PrimitiveDateTime, FixedState> =
        HashMap::default();
    for (key, tally) in &tokens {
        if let Some((module, action)) = &key.counted.access {
            let at = latest
                .entry((key.token, module.clone(), *action))
                .or_insert(tally.last);
            *at = (*at).max(tally.last);
        }
    }
    let mut entries: Vec<(TokenKey, Tally)> = tokens.into_iter().collect();
    entries.sort_unstable_by_key(|(key, _)| (key.token, key.hour));
    let uses = latest
        .into_iter()
        .map(|((token_id, module, action), at)| PermissionUse {
            token_id,
            module: module.to_string(),
            action,
            at,
        })
        .collect();
    (entries, uses)
}

fn count_of((key, tally): &(TokenKey, Tally)) -> TokenCount {
    TokenCount {
        token_id: key.token,
        hour: key.hour,
        outcome: key.counted.outcome,
        access: key
            .counted
            .access
            .as_ref()
            .map(|(module, action)| (module.to_string(), *action)),
        requests: tally.requests,
    }
}

fn token_ids(rows: &[TokenCount]) -> Vec<TokenId> {
    let mut ids: Vec<TokenId> = rows.iter().map(|r| r.token_id).collect();
    ids.dedup();
    ids
}

/// The counts summed by the set of scopes of their token (an unknown token's
/// set being the empty one).
fn by_scope_set(
    rows: &[TokenCount],
    mut sets: std::collections::HashMap<TokenId, ScopeSet>,
) -> Vec<ScopeSetCount> {
    let mut sums: HashMap<(ScopeSet, Hour, Outcome), i64, FixedState> = HashMap::default();
    for row in rows {
        let set = sets
            .entry(row.token_id)
            .or_insert_with(|| ScopeSet::of(Vec::new()))
            .clone();
        *sums.entry((set, row.hour, row.outcome)).or_default() += row.requests;
    }
    sums.into_iter()
        .map(|((scope_set, hour, outcome), requests)| ScopeSetCount {
            scope_set,
            hour,
            outcome,
            requests,
        })
        .collect()
}

/// Each hour's total, and its busiest addresses.
fn rows_of_unknown(unknown: &Unknown) -> Vec<UnknownCount> {
    let mut rows: Vec<UnknownCount> = unknown
        .per_hour
        .iter()
        .map(|(hour, requests)| UnknownCount {
            hour: *hour,
            client_ip: None,
            requests: *requests,
        })
        .collect();
    let mut addresses: Vec<(&(Hour, IpAddr), &i64)> = unknown.per_address.iter().collect();
    addresses.sort_unstable_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let mut per_hour: HashMap<Hour, usize, FixedState> = HashMap::default();
    for ((hour, ip), requests) in addresses {
        let written = per_hour.entry(*hour).or_default();
        if *written < TOP_UNKNOWN_ADDRESSES {
            *written += 1;
            rows.push(UnknownCount {
                hour: *hour,
                client_ip: Some(*ip),
                requests: *requests,
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests;
