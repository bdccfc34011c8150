//! Token health: how many of the administrator's tokens each finding holds, and
//! the tokens of one finding with what makes them part of it. The remedies are
//! bulk actions ([`crate::services::tokens::apply_bulk`]) on the finding.

use std::collections::HashMap;

use thiserror::Error;
use time::PrimitiveDateTime;

use super::{Caller, Forbidden};
use crate::db::health::{self, Lens};
use crate::db::tokens::{self, TokenRow};
use crate::db::{Db, DbError, catalog, token_status};
use crate::domain::permissions::Permission;
use crate::domain::tokens::{Action, Cutoffs, Finding};

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
        Finding::ALL
            .into_iter()
            .map(|finding| {
                let finding = match finding {
                    Finding::Idle(_) => Finding::Idle(idle_days),
                    other => other,
                };
                Ok(FindingCount {
                    finding,
                    tokens: health::count(c, finding, &lens)?,
                })
            })
            .collect::<Result<Vec<_>, HealthError>>()
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
        Ok(rows
            .into_iter()
            .map(|(token, _)| FoundToken {
                unused: unused.remove(&token.id).unwrap_or_default(),
                addresses: addresses.remove(&token.id).unwrap_or_default(),
                token,
            })
            .collect())
    })
    .await
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
