//! The daily expiry run: every token that has reached a lead time before its end
//! (or has just ended) is told about once — as a `token.expiring` or
//! `token.expired` webhook event — by one instance, and a run missed while
//! Tessera was down is caught up.

use time::Duration;

use crate::db::{Db, DbError, expiry};
use crate::domain::expiry::{DEFAULT_LEAD_DAYS, DEFAULT_RUN_HOUR, EXPIRED, reached_lead, run_due};
use crate::domain::webhooks::EventType;
use crate::services::events;

/// What a run told.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Told {
    pub expiring: usize,
    pub expired: usize,
}

/// Runs the expiry run if it is due at `now` and no other instance took it.
pub async fn run_if_due(db: &Db, now: time::PrimitiveDateTime) -> Result<Option<Told>, DbError> {
    db.write(move |c| {
        let Some(last_run) =
            expiry::claim_run(c, now, |last| run_due(DEFAULT_RUN_HOUR, last, now))?
        else {
            return Ok(None);
        };
        let leads = DEFAULT_LEAD_DAYS;
        let horizon = now + Duration::days(leads.iter().copied().max().unwrap_or(0));
        // Tokens that ended since the last run are told they expired; the first
        // run looks back one day, not over the whole history.
        let since = last_run.unwrap_or(now - Duration::days(1));
        let mut told = Told::default();
        for (id, guid, valid_to) in expiry::ending_between(c, since, horizon)? {
            let Some(lead) = reached_lead(&leads, valid_to, now) else {
                continue;
            };
            if !expiry::claim_notice(c, id, lead, valid_to, now)? {
                continue;
            }
            let event = if lead == EXPIRED {
                told.expired += 1;
                EventType::TokenExpired
            } else {
                told.expiring += 1;
                EventType::TokenExpiring
            };
            events::token_event(c, event, None, &guid)?;
        }
        Ok::<_, DbError>(Some(told))
    })
    .await
}
