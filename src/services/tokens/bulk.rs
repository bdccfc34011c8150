//! One action on many tokens, chosen one by one or by a filter of the list: each
//! token changed as its own page would change it (rule, version, audit event with
//! the batch ID, webhook event, cache), a few hundred per transaction so that
//! verification and other writers never wait long; tokens the action does not fit
//! are skipped with the reason.

use serde::{Deserialize, Serialize};
use time::Duration;

use super::TokenError;
use super::bulk_chunk::{Loaded, apply_chunk, grant_change, item};
use super::create::{api_key_of, reserve_key};
use super::policy::Policies;
use crate::db::bulk_actions::{self, BulkRecord};
use crate::db::health::{self, Lens};
use crate::db::tokens;
use crate::db::{DbConnection, catalog, idempotency, now, token_list, token_status};
use crate::domain::ids::{Guid, TokenId};
use crate::domain::token_list::TokenFilter;
use crate::domain::tokens::{BulkAction, Cutoffs, Finding, MAX_BULK_TOKENS, bulk_step};
use crate::services::{Caller, Services};

use super::Idempotency;

/// Tokens changed per transaction.
const CHUNK: usize = 250;

/// How long the result of a bulk action is kept.
pub const BULK_RESULTS_KEPT: Duration = Duration::days(7);

/// The tokens an action is for.
#[derive(Debug, Clone)]
pub enum Selection {
    Guids(Vec<Guid>),
    /// Every token of the list's filter that the caller sees.
    Filter(TokenFilter),
    /// Every token of a health finding, of one scope or of all the caller's.
    Finding(Finding, Option<i64>),
}

/// One token's result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BulkItem {
    pub guid: String,
    pub name: String,
    /// Why the action was not applied; none when it was.
    pub skipped: Option<String>,
    /// The grants it had and keeps, for an action that drops some.
    #[serde(default)]
    pub grants: Option<GrantChange>,
}

/// A token's grants before an action and after it, as (module key, action key)
/// pairs; what remains is Custom.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GrantChange {
    /// The type it had: "Full access", "Read-only" or "Custom".
    pub was: String,
    pub before: Vec<(String, String)>,
    pub kept: Vec<(String, String)>,
}

/// What an action did (or, previewed, would do), token by token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BulkResult {
    /// Shared by the audit events of the action; none for a preview.
    pub batch_id: Option<String>,
    /// "Disable", "Add to Staging"…
    pub label: String,
    pub items: Vec<BulkItem>,
}

impl BulkResult {
    pub fn done(&self) -> impl Iterator<Item = &BulkItem> {
        self.items.iter().filter(|i| i.skipped.is_none())
    }

    pub fn skipped(&self) -> impl Iterator<Item = &BulkItem> {
        self.items.iter().filter(|i| i.skipped.is_some())
    }
}

/// An action answered by an earlier request with the same idempotency key.
pub enum BulkOutcome {
    Applied(BulkResult),
    Replayed(BulkResult),
}

/// The tokens the selection names that the caller sees, and the GUIDs of the
/// others (which do not exist, or are not theirs to see).
async fn resolve(
    services: Services<'_>,
    caller: &Caller,
    selection: Selection,
) -> Result<(Vec<TokenId>, Vec<String>), TokenError> {
    let access = caller.scopes.clone();
    services
        .db
        .run(move |c| {
            let (ids, unseen) = match selection {
                Selection::Filter(filter) => {
                    (token_list::matching_ids(c, &filter, &access, MAX_BULK_TOKENS)?, Vec::new())
                }
                Selection::Finding(finding, scope) => {
                    token_status::refresh_due(c, now())?;
                    let lens = Lens {
                        access: access.clone(),
                        scope,
                        cutoffs: Cutoffs::at(now()),
                    };
                    (health::token_ids(c, finding, &lens, MAX_BULK_TOKENS + 1)?, Vec::new())
                }
                Selection::Guids(guids) => {
                    let found = tokens::ids_of(c, &guids)?;
                    let visible = tokens::visible_ids(c, &found.iter().map(|f| f.1).collect::<Vec<_>>(), &access)?;
                    let unseen = guids
                        .iter()
                        .filter(|g| !found.iter().any(|(f, id)| f == *g && visible.contains(id)))
                        .map(|g| g.to_string())
                        .collect();
                    let mut ids: Vec<TokenId> = visible;
                    ids.sort_unstable();
                    ids.dedup();
                    (ids, unseen)
                }
            };
            if ids.len() > MAX_BULK_TOKENS {
                return Err(TokenError::Refused(
                    "More than 100,000 tokens are selected. Narrow the filter and act on each part.",
                ));
            }
            Ok((ids, unseen))
        })
        .await
}

fn unseen_items(unseen: Vec<String>) -> impl Iterator<Item = BulkItem> {
    unseen.into_iter().map(|guid| BulkItem {
        name: String::new(),
        guid,
        skipped: Some("No such token, or you cannot see it.".into()),
        grants: None,
    })
}

/// What `action` would do to the selection, without doing it.
pub async fn preview(
    services: Services<'_>,
    caller: &Caller,
    action: BulkAction,
    selection: Selection,
) -> Result<BulkResult, TokenError> {
    caller.require(action.permission())?;
    let (ids, unseen) = resolve(services, caller, selection).await?;
    let access = caller.scopes.clone();
    let (label, mut items) = services
        .db
        .run(move |c| {
            let now = now();
            let label = describe(c, action)?;
            let mut items = Vec::with_capacity(ids.len());
            let modules = catalog::module_keys(c)?;
            let policies = Policies::read(c)?;
            for chunk in ids.chunks(CHUNK * 4) {
                let loaded = Loaded::read(c, action, chunk, now)?;
                for (i, (row, scope_ids)) in loaded.rows.iter().enumerate() {
                    let target = loaded.target(i, now);
                    let step = bulk_step(action, &target, &access, now);
                    let step = policies.judge(c, (row, scope_ids), step, now)?;
                    let grants = grant_change(&step, &target, row.token_type, &modules);
                    items.push(item(row, step.as_ref().err().cloned(), grants));
                }
            }
            Ok::<_, TokenError>((label, items))
        })
        .await?;
    items.extend(unseen_items(unseen));
    Ok(BulkResult {
        batch_id: None,
        label,
        items,
    })
}

/// Applies `action` to the selection; once per idempotency key when one is given.
pub async fn apply(
    services: Services<'_>,
    caller: &Caller,
    action: BulkAction,
    selection: Selection,
    idempotency: Option<Idempotency>,
) -> Result<BulkOutcome, TokenError> {
    caller.require(action.permission())?;
    let batch_id = uuid::Uuid::new_v4().to_string();
    if let Some(request) = idempotency
        && let Some(replayed) = reserve(services, caller, &request, &batch_id).await?
    {
        return Ok(BulkOutcome::Replayed(replayed));
    }
    let (ids, unseen) = resolve(services, caller, selection).await?;
    let label = services
        .db
        .run(move |c| Ok::<_, TokenError>(describe(c, action)?))
        .await?;
    let mut caller = caller.clone();
    caller.actor.batch = Some(batch_id.clone());
    let mut items = Vec::with_capacity(ids.len() + unseen.len());
    for chunk in ids.chunks(CHUNK) {
        let (chunk, caller) = (chunk.to_vec(), caller.clone());
        let done: Vec<BulkItem> = services
            .db
            .write(move |c| apply_chunk(c, &caller, action, &chunk))
            .await?;
        for item in done.iter().filter(|i| i.skipped.is_none()) {
            if let Some(guid) = Guid::parse(&item.guid) {
                services.token_changed(&guid);
            }
        }
        items.extend(done);
    }
    items.extend(unseen_items(unseen));
    let result = BulkResult {
        batch_id: Some(batch_id.clone()),
        label,
        items,
    };
    let record = BulkRecord {
        batch_id,
        created_at: now(),
        actor_id: caller.actor.id,
        action: result.label.clone(),
        done: result.done().count() as i32,
        skipped: result.skipped().count() as i32,
        results: serde_json::to_string(&result.items).unwrap_or_default(),
    };
    services
        .db
        .write(move |c| Ok::<_, TokenError>(bulk_actions::record(c, &record)?))
        .await?;
    Ok(BulkOutcome::Applied(result))
}

/// Takes the idempotency key for this action, or answers with what the earlier
/// request with it did.
async fn reserve(
    services: Services<'_>,
    caller: &Caller,
    request: &Idempotency,
    batch_id: &str,
) -> Result<Option<BulkResult>, TokenError> {
    let api_key = api_key_of(caller)?;
    let (request, batch_id) = (request.clone(), batch_id.to_owned());
    services
        .db
        .write(move |c| {
            let now = now();
            idempotency::prune(c, api_key, now - super::IDEMPOTENCY_WINDOW)?;
            if let Some((digest, earlier)) = idempotency::find(c, api_key, &request.key)? {
                if digest != request.request_digest {
                    return Err(TokenError::IdempotencyKeyReused);
                }
                // Still being applied: its result is recorded at its end.
                let record =
                    bulk_actions::find(c, &earlier)?.ok_or(TokenError::IdempotencyKeyInFlight)?;
                let items = serde_json::from_str(&record.results).unwrap_or_default();
                return Ok(Some(BulkResult {
                    batch_id: Some(record.batch_id),
                    label: record.action,
                    items,
                }));
            }
            reserve_key(c, api_key, &request, &batch_id, now)?;
            Ok(None)
        })
        .await
}

/// "Disable", "Add to Staging": the action as its pages name it.
fn describe(c: &mut DbConnection, action: BulkAction) -> diesel::QueryResult<String> {
    let scope_name = match action {
        BulkAction::AddScope(id) | BulkAction::RemoveScope(id) => catalog::list_scopes(c)?
            .into_iter()
            .find(|s| s.id == id)
            .map(|s| s.name)
            .unwrap_or_default(),
        _ => String::new(),
    };
    Ok(action.describe(&scope_name))
}
