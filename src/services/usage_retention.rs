//! The retention rule of usage counts: hourly detail for the hourly window, daily
//! totals for the daily window. One instance rolls each day up; running it again,
//! or on another instance, changes nothing.

use time::PrimitiveDateTime;

use crate::db::usage_retention::{claim_roll_up, remove_before, roll_up};
use crate::db::{Db, DbError};
use crate::domain::usage::{Day, UsageRetention};

/// What a run changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RolledUp {
    /// Rows whose hours were cleared.
    pub rolled: usize,
    /// Rows removed.
    pub removed: usize,
}

/// Rolls up the days that left the hourly window at `now` and removes those that
/// left the daily window, in one transaction; `None` when there was nothing to do
/// (or another instance is doing it).
pub async fn apply(
    db: &Db,
    retention: UsageRetention,
    now: PrimitiveDateTime,
) -> Result<Option<RolledUp>, DbError> {
    let today = Day::of(now);
    let through = retention.first_hourly_day(today).plus(-1);
    let first_kept = retention.first_kept_day(today);
    db.write(move |c| {
        let Some(after) = claim_roll_up(c, through)? else {
            return Ok(None);
        };
        Ok(Some(RolledUp {
            rolled: roll_up(c, after, through)?,
            removed: remove_before(c, first_kept)?,
        }))
    })
    .await
}
