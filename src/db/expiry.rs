//! The expiry run's bookkeeping: which tokens end soon (or just ended), which
//! warnings were given, and when the daily run last ran.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::schema::{api_tokens, expiry_notices, server_settings};
use super::{DbConnection, settings};
use crate::domain::expiry::Schedule;
use crate::domain::ids::{Guid, TokenId};
use crate::domain::timestamps::{iso, parse_iso};
use crate::on_backend;

const LAST_RUN: &str = "expiry_last_run";
const LEAD_DAYS: &str = "expiry_lead_days";
const RUN_HOUR: &str = "expiry_run_hour";

/// The schedule the operator set, or the default one.
pub fn schedule(c: &mut DbConnection) -> QueryResult<Schedule> {
    let leads = settings::get(c, LEAD_DAYS)?;
    let hour = settings::get(c, RUN_HOUR)?;
    Ok(match (leads, hour) {
        (Some(leads), Some(hour)) => Schedule::parse(&leads, &hour).unwrap_or_default(),
        _ => Schedule::default(),
    })
}

pub fn save_schedule(c: &mut DbConnection, schedule: &Schedule) -> QueryResult<()> {
    settings::put(c, LEAD_DAYS, &schedule.lead_text())?;
    settings::put(c, RUN_HOUR, &schedule.run_hour.to_string())
}

/// Claims the run due at `now` for this instance: `false` when another instance
/// took it, or it is not due (`due` decides from the last run).
pub fn claim_run(
    c: &mut DbConnection,
    now: PrimitiveDateTime,
    due: impl FnOnce(Option<PrimitiveDateTime>) -> bool,
) -> QueryResult<Option<Option<PrimitiveDateTime>>> {
    let stored = settings::get_or_insert_with(c, LAST_RUN, String::new)?;
    let last = parse_iso(&stored);
    if !due(last) {
        return Ok(None);
    }
    // Compare and set: of two instances reading the same last run, one writes.
    let taken = diesel::update(
        server_settings::table
            .filter(server_settings::name.eq(LAST_RUN))
            .filter(server_settings::value.eq(&stored)),
    )
    .set((
        server_settings::value.eq(iso(&now)),
        server_settings::updated_at.eq(now),
    ))
    .execute(c)?;
    Ok((taken == 1).then_some(last))
}

/// Tokens neither revoked nor deleted whose validity ends after `since` and at
/// most `horizon`.
pub fn ending_between(
    c: &mut DbConnection,
    since: PrimitiveDateTime,
    horizon: PrimitiveDateTime,
) -> QueryResult<Vec<(TokenId, Guid, PrimitiveDateTime)>> {
    let rows: Vec<(TokenId, Guid, Option<PrimitiveDateTime>)> = api_tokens::table
        .filter(api_tokens::revoked_at.is_null())
        .filter(api_tokens::deleted_at.is_null())
        .filter(api_tokens::valid_to.gt(since))
        .filter(api_tokens::valid_to.le(horizon))
        .select((api_tokens::id, api_tokens::guid, api_tokens::valid_to))
        .load(c)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, guid, to)| Some((id, guid, to?)))
        .collect())
}

/// Records a warning unless it was given already; whether this call recorded it.
pub fn claim_notice(
    c: &mut DbConnection,
    token: TokenId,
    lead_days: i64,
    valid_to: PrimitiveDateTime,
    now: PrimitiveDateTime,
) -> QueryResult<bool> {
    let insert = diesel::insert_into(expiry_notices::table)
        .values((
            expiry_notices::token_id.eq(token.0),
            expiry_notices::lead_days.eq(i32::try_from(lead_days).unwrap_or(i32::MAX)),
            expiry_notices::valid_to.eq(valid_to),
            expiry_notices::noticed_at.eq(now),
        ))
        .on_conflict_do_nothing();
    Ok(on_backend!(c, |c| insert.execute(c))? == 1)
}
