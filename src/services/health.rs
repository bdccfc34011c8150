//! Token health: how many of the administrator's tokens each finding holds, and
//! the tokens of one finding with what makes them part of it. The remedies are
//! bulk actions ([`crate::services::tokens::apply_bulk`]) on the finding.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use thiserror::Error;
use time::PrimitiveDateTime;

use super::{Caller, Forbidden};
use crate::db::health::{self, Lens};
use crate::db::tokens::{self, TokenRow};
use crate::db::{Db, DbConnection, DbError, catalog, token_status};
use crate::domain::ids::TokenId;
use crate::domain::permissions::Permission;
use crate::domain::scopes::ScopeAccess;
use crate::domain::tokens::{Action, Cutoffs, Finding};
use crate::services::tokens::policy::{Policies, saved_shape};

/// Tokens of a finding shown at once; the remedy acts on all of them.
pub const LISTED: usize = 50;

#[derive(Debug, Clone)]
pub struct FindingCount {
    pub finding: Finding,
    pub tokens: i64,
}

/// A token of a finding, and why it is one.
#[derive(Debug, Clone)]
pub struct FoundToken {
    pub token: TokenRow,
    /// The unused (module key, action) pairs, or the addresses with when each was
    /// first seen: what the finding is about, where the row's dates do not say.
    pub unused: Vec<String>,
    pub addresses: Vec<(String, PrimitiveDateTime)>,
    /// The scope policy rules it breaks, in words.
    pub breaches: Vec<String>,
}

#[derive(Debug, Error)]
pub enum HealthError {
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for HealthError {
    fn from(error: diesel::result::Error) -> Self {
        Self::Db(error.into())
    }
}

fn lens(caller: &Caller, scope: Option<i64>, now: PrimitiveDateTime) -> Lens {
    Lens {
        access: caller.scopes.clone(),
        scope,
        cutoffs: Cutoffs::at(now),
    }
}

/// Every finding's count, idle counted over `idle_days`.
pub async fn summary(
    db: &Db,
    caller: &Caller,
    scope: Option<i64>,
    idle_days: i64,
    now: PrimitiveDateTime,
) -> Result<Vec<FindingCount>, HealthError> {
    caller.require(Permission::TokensRead)?;
    let lens = lens(caller, scope, now);
    db.run(move |c| {
        token_status::refresh_due(c, now)?;
        let findings = Finding::ALL.map(|finding| match finding {
            Finding::Idle(_) => Finding::Idle(idle_days),
            other => other,
        });
        Ok(health::counts(c, findings, &lens)?
            .into_iter()
            .map(|(finding, tokens)| FindingCount { finding, tokens })
            .collect())
    })
    .await
}

/// The first [`LISTED`] tokens of `finding` by name.
pub async fn tokens_of(
    db: &Db,
    caller: &Caller,
    finding: Finding,
    scope: Option<i64>,
    now: PrimitiveDateTime,
) -> Result<Vec<FoundToken>, HealthError> {
    caller.require(Permission::TokensRead)?;
    let lens = lens(caller, scope, now);
    db.run(move |c| {
        token_status::refresh_due(c, now)?;
        let ids = health::token_ids(c, finding, &lens, LISTED)?;
        let rows = tokens::rows_with_scope_ids(c, &ids)?;
        let (mut unused, mut addresses): (HashMap<_, Vec<String>>, HashMap<_, _>) = match finding {
            Finding::UnusedPermissions => {
                let types: Vec<_> = rows.iter().map(|(r, _)| (r.id, r.token_type)).collect();
                let grants = tokens::grants_of(c, &types)?;
                let used = tokens::used_since(c, &ids, lens.cutoffs.window_start)?;
                let modules = catalog::module_keys(c)?;
                let name = |(module, action): &(i64, Action)| {
                    let key = modules
                        .iter()
                        .find(|(id, _)| id == module)
                        .map_or("?", |(_, k)| k);
                    format!("{key}: {}", action.key())
                };
                let unused = grants
                    .into_iter()
                    .map(|(id, pairs)| {
                        let used = used.get(&id).cloned().unwrap_or_default();
                        let names = pairs
                            .iter()
                            .filter(|p| !used.contains(p))
                            .map(name)
                            .collect();
                        (id, names)
                    })
                    .collect();
                (unused, Default::default())
            }
            Finding::NewAddresses => (
                Default::default(),
                health::addresses_since(c, &ids, lens.cutoffs.window_start)?,
            ),
            _ => Default::default(),
        };
        let mut breaches = if finding == Finding::PolicyBreach {
            policy_breaches(c, &rows, now)?
        } else {
            HashMap::new()
        };
        Ok(rows
            .into_iter()
            .map(|(token, _)| FoundToken {
                unused: unused.remove(&token.id).unwrap_or_default(),
                addresses: addresses.remove(&token.id).unwrap_or_default(),
                breaches: breaches.remove(&token.id).unwrap_or_default(),
                token,
            })
            .collect())
    })
    .await
}

/// The rules each token breaks, in words.
fn policy_breaches(
    c: &mut DbConnection,
    rows: &[(TokenRow, Vec<i64>)],
    now: PrimitiveDateTime,
) -> diesel::QueryResult<HashMap<TokenId, Vec<String>>> {
    let policies = Policies::read(c)?;
    let mut found = HashMap::new();
    for (row, scope_ids) in rows {
        let Some(token) = tokens::find(c, &row.guid, &ScopeAccess::All)? else {
            continue;
        };
        let shape = saved_shape(&token, token.token.validity());
        let breaches = policies.breaches(scope_ids, &shape, now);
        found.insert(row.id, breaches.into_iter().map(|b| b.message).collect());
    }
    Ok(found)
}

/// The GUIDs of the first `limit` tokens of `finding` by name.
pub async fn guids_of(
    db: &Db,
    caller: &Caller,
    finding: Finding,
    scope: Option<i64>,
    (now, limit): (PrimitiveDateTime, usize),
) -> Result<Vec<String>, HealthError> {
    caller.require(Permission::TokensRead)?;
    let lens = lens(caller, scope, now);
    db.run(move |c| {
        token_status::refresh_due(c, now)?;
        let ids = health::token_ids(c, finding, &lens, limit)?;
        Ok(tokens::rows_with_scope_ids(c, &ids)?
            .into_iter()
            .map(|(row, _)| row.guid.to_string())
            .collect())
    })
    .await
}

/// How old a summary line may be before it is worked out again.
const SUMMARY_KEPT: Duration = Duration::from_secs(60);

/// Every finding's count per set of scopes, for the token list's summary line: at
/// most a minute old, and worked out in the background, so that no view of the
/// list waits for it (at a million tokens the counts take longer than the list).
#[derive(Default)]
pub struct SummaryCache(Mutex<HashMap<String, Summary>>);

struct Summary {
    at: Instant,
    counts: Option<Vec<FindingCount>>,
}

impl SummaryCache {
    /// The latest counts for `caller`'s scopes, if any; `refresh` is called (to
    /// work them out anew in the background) when they are missing or old and
    /// no refresh is under way.
    pub fn latest(&self, caller: &Caller, refresh: impl FnOnce()) -> Option<Vec<FindingCount>> {
        let key = format!("{:?}", caller.scopes);
        let mut cache = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let entry = cache.entry(key).or_insert(Summary {
            at: Instant::now() - SUMMARY_KEPT * 2,
            counts: None,
        });
        if entry.at.elapsed() >= SUMMARY_KEPT {
            // Marked fresh now, so that one refresh runs at a time.
            entry.at = Instant::now();
            refresh();
        }
        entry.counts.clone()
    }

    pub fn store(&self, caller: &Caller, counts: Vec<FindingCount>) {
        let key = format!("{:?}", caller.scopes);
        let mut cache = self.0.lock().unwrap_or_else(|e| e.into_inner());
        cache.insert(
            key,
            Summary {
                at: Instant::now(),
                counts: Some(counts),
            },
        );
    }
}
