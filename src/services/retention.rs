//! The retention rule of the outboxes: what ended longer ago than the operator
//! keeps it is removed, and the audit log says how much.

use time::{Duration, PrimitiveDateTime};

use crate::db::audit::{self, Actor, Target};
use crate::db::retention::{self, Removed};
use crate::db::{Db, DbError};
use crate::domain::audit::{AuditAction, TargetKind};
use crate::services::tokens::{BULK_RESULTS_KEPT, IDEMPOTENCY_WINDOW};

/// Rows of each kind removed per transaction.
const BATCH: i64 = 1000;

/// Removes webhook deliveries and mails that ended more than `keep` before `now`
/// (and the events no delivery needs), and idempotency keys past their window, a
/// batch per transaction; one audit event tells the counts when anything was
/// removed.
pub async fn apply(db: &Db, keep: Duration, now: PrimitiveDateTime) -> Result<Removed, DbError> {
    let mut removed = Removed::default();
    loop {
        let batch = db
            .write(move |c| {
                Ok::<_, DbError>(retention::prune_batch(
                    c,
                    now - keep,
                    (now - IDEMPOTENCY_WINDOW, now - BULK_RESULTS_KEPT),
                    BATCH,
                )?)
            })
            .await?;
        removed.add(batch);
        let full = |n: usize| n as i64 >= BATCH;
        if !(full(batch.webhook_deliveries) || full(batch.outbox_events) || full(batch.mails)) {
            break;
        }
    }
    if removed.total() > 0 {
        let details = serde_json::json!({
            "kept_days": keep.whole_days(),
            "removed": removed,
        });
        db.write(move |c| {
            Ok::<_, DbError>(audit::record(
                c,
                &Actor::system(),
                AuditAction::OldRecordsRemoved,
                &Target::of(TargetKind::Settings, None, "Retention"),
                &details.to_string(),
            )?)
        })
        .await?;
    }
    Ok(removed)
}
