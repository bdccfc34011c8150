//! The retention rule of the outboxes: what ended longer ago than the operator
//! keeps it is removed, and the audit log says how much.

use time::{Duration, PrimitiveDateTime};

use crate::db::audit::{self, Actor, Target};
use crate::db::retention::{self, Removed};
use crate::db::{Db, DbError};
use crate::domain::audit::{AuditAction, TargetKind};
use crate::services::tokens::IDEMPOTENCY_WINDOW;

/// Removes webhook deliveries and mails that ended more than `keep` before `now`
/// (and the events no delivery needs), and idempotency keys past their window;
/// one audit event tells the counts when anything was removed.
pub async fn apply(db: &Db, keep: Duration, now: PrimitiveDateTime) -> Result<Removed, DbError> {
    db.write(move |c| {
        let removed = retention::prune(c, now - keep, now - IDEMPOTENCY_WINDOW)?;
        if removed.total() > 0 {
            let details = serde_json::json!({
                "kept_days": keep.whole_days(),
                "removed": removed,
            });
            audit::record(
                c,
                &Actor::system(),
                AuditAction::OldRecordsRemoved,
                &Target::of(TargetKind::Settings, None, "Retention"),
                &details.to_string(),
            )?;
        }
        Ok::<_, DbError>(removed)
    })
    .await
}
