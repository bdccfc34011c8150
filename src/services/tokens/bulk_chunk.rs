//! One chunk of a bulk action: the tokens read with what the action needs of them,
//! and, to apply it, each changed (a change of scopes in a savepoint of its own).

use diesel::Connection;

use super::bulk::{BulkItem, GrantChange};
use super::lifecycle::write_change;
use super::policy::Policies;
use super::{TokenError, audit_action, record_change};
use crate::db::tokens::{self, Pairs, TokenRow, TokenWriteError};
use crate::db::{DbConnection, catalog, now};
use crate::domain::ids::TokenId;
use crate::domain::timestamps::iso;
use crate::domain::tokens::{
    Action, BulkAction, BulkStep, BulkTarget, Cutoffs, TokenType, bulk_step,
};
use crate::domain::validation::name_key;
use crate::services::Caller;

/// Tokens as an action sees them.
pub(super) struct Loaded {
    pub rows: Vec<(TokenRow, Vec<i64>)>,
    grants: Pairs,
    used: Pairs,
}

impl Loaded {
    pub fn read(
        c: &mut DbConnection,
        action: BulkAction,
        ids: &[TokenId],
        now: time::PrimitiveDateTime,
    ) -> diesel::QueryResult<Self> {
        let rows = tokens::rows_with_scope_ids(c, ids)?;
        let (grants, used) = if action == BulkAction::DropUnusedPermissions {
            let types: Vec<_> = rows.iter().map(|(r, _)| (r.id, r.token_type)).collect();
            let since = Cutoffs::at(now).window_start;
            (
                tokens::grants_of(c, &types)?,
                tokens::used_since(c, ids, since)?,
            )
        } else {
            Default::default()
        };
        Ok(Self { rows, grants, used })
    }

    pub fn target(&self, i: usize, now: time::PrimitiveDateTime) -> BulkTarget<'_> {
        let (row, scope_ids) = &self.rows[i];
        BulkTarget {
            status: row.status(now),
            valid_to: row.valid_to,
            scope_ids,
            grants: pairs_of(&self.grants, row.id),
            used: pairs_of(&self.used, row.id),
        }
    }
}

fn pairs_of(pairs: &Pairs, id: TokenId) -> &[(i64, Action)] {
    pairs.get(&id).map_or(&[], Vec::as_slice)
}

pub(super) fn item(
    row: &TokenRow,
    skipped: Option<String>,
    grants: Option<GrantChange>,
) -> BulkItem {
    BulkItem {
        guid: row.guid.to_string(),
        name: row.name.clone(),
        skipped,
        grants,
    }
}

/// The grants a token had and those it keeps, where the action drops some.
pub(super) fn grant_change(
    step: &Result<BulkStep, String>,
    target: &BulkTarget<'_>,
    was: TokenType,
    modules: &[(i64, String)],
) -> Option<GrantChange> {
    match step {
        Ok(BulkStep::Permissions(kept)) => Some(GrantChange {
            was: was.label().to_owned(),
            before: pair_names(target.grants, modules),
            kept: pair_names(kept, modules),
        }),
        _ => None,
    }
}

/// (module key, action key) pairs.
fn pair_names(pairs: &[(i64, Action)], modules: &[(i64, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(module, action)| {
            let key = modules
                .iter()
                .find(|(id, _)| id == module)
                .map_or("?", |(_, k)| k);
            (key.to_owned(), action.key().to_owned())
        })
        .collect()
}

/// One transaction's share: each token read again inside it and changed, so that
/// one refused write skips that token alone.
pub(super) fn apply_chunk(
    c: &mut DbConnection,
    caller: &Caller,
    action: BulkAction,
    ids: &[TokenId],
) -> Result<Vec<BulkItem>, TokenError> {
    let now = now();
    let scope_names = catalog::list_scopes(c)?;
    let modules = catalog::module_keys(c)?;
    let name_of = |id: &i64| {
        scope_names
            .iter()
            .find(|s| s.id == *id)
            .map_or_else(String::new, |s| s.name.clone())
    };
    let loaded = Loaded::read(c, action, ids, now)?;
    let policies = Policies::read(c)?;
    let mut items = Vec::with_capacity(ids.len());
    for (i, (row, scope_ids)) in loaded.rows.iter().enumerate() {
        let planned = bulk_step(action, &loaded.target(i, now), &caller.scopes, now);
        let planned = policies.judge(c, (row, scope_ids), planned, now)?;
        let step = match &planned {
            Ok(step) => step,
            Err(reason) => {
                items.push(item(row, Some(reason.clone()), None));
                continue;
            }
        };
        let write = |c: &mut DbConnection| {
            let token = tokens::claim_version(c, row.id, row.version)?;
            let details = match step {
                BulkStep::Change(change) => {
                    write_change(c, &token, *change, now)?;
                    String::new()
                }
                BulkStep::ValidTo(to) => {
                    tokens::set_valid_to(c, token.id, *to)?;
                    let before = token.valid_to.as_ref().map(iso);
                    serde_json::json!({ "valid_to": [before, iso(to)] }).to_string()
                }
                BulkStep::Scopes(new) => {
                    tokens::set_scopes(c, token.id, &name_key(&token.name), new)?;
                    if !policies.strictest(new).keeps_value() {
                        // Now in a scope that shows values once.
                        tokens::forget_sealed_secret(c, token.id)?;
                    }
                    let names = |ids: &[i64]| ids.iter().map(&name_of).collect::<Vec<_>>();
                    serde_json::json!({ "scopes": [names(scope_ids), names(new)] }).to_string()
                }
                BulkStep::Permissions(kept) => {
                    tokens::set_permissions(c, token.id, kept)?;
                    let pairs = |pairs: &[(i64, Action)]| {
                        pair_names(pairs, &modules)
                            .into_iter()
                            .map(|(module, action)| format!("{module}: {action}"))
                            .collect::<Vec<_>>()
                    };
                    serde_json::json!({
                        "type": [token.token_type.key(), "custom"],
                        "permissions": [pairs(loaded.target(i, now).grants), pairs(kept)],
                    })
                    .to_string()
                }
            };
            let named = (&token.guid, token.name.as_str());
            record_change(
                c,
                &caller.actor,
                audit_action(action.change()),
                named,
                &details,
            )?;
            Ok::<_, TokenWriteError>(())
        };
        // A refused claim writes nothing; only a new scope's name can be refused
        // after writing, and that token's writes alone are undone.
        let written = match step {
            BulkStep::Scopes(_) => c.transaction(write),
            _ => write(c),
        };
        let skipped = match written {
            Ok(()) => None,
            Err(TokenWriteError::NameTaken) => {
                Some("Another token of that scope has its name.".into())
            }
            Err(TokenWriteError::Conflict) => Some("Someone else changed it meanwhile.".into()),
            Err(other) => return Err(other.into()),
        };
        let grants = grant_change(&planned, &loaded.target(i, now), row.token_type, &modules);
        items.push(item(row, skipped, grants));
    }
    Ok(items)
}
