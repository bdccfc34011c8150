//! The roll-up and removal of usage counts: days past the hourly window lose their
//! hours and keep their totals; days past the daily window are removed.

use diesel::prelude::*;

use super::DbConnection;
use super::settings;
use super::sql::{Bind, Sql};
use crate::domain::usage::{Day, HOURS_PER_DAY};

/// The last day whose hours were cleared.
const ROLLED_THROUGH: &str = "usage_rolled_through_day";

/// Claims the roll-up of every day up to `through`: returns the last day rolled
/// before (`Some(None)` the first time), or `None` when those days are rolled or
/// another instance claimed them at this moment. The claim is a compare-and-set in
/// the caller's transaction, so a roll-up that fails leaves the days to the next.
pub fn claim_roll_up(c: &mut DbConnection, through: Day) -> QueryResult<Option<Option<Day>>> {
    let stored = settings::get_or_insert_with(c, ROLLED_THROUGH, String::new)?;
    let rolled = stored.parse().ok().map(Day);
    if rolled.is_some_and(|day| day >= through) {
        return Ok(None);
    }
    let taken = settings::compare_and_set(c, ROLLED_THROUGH, &stored, &through.0.to_string())?;
    Ok(taken.then_some(rolled))
}

/// Clears the hours of the days after `after` (all, when `None`) up to `through`;
/// returns the rows rolled up.
pub fn roll_up(c: &mut DbConnection, after: Option<Day>, through: Day) -> QueryResult<usize> {
    let columns: Vec<String> = (0..HOURS_PER_DAY).map(|h| format!("h{h}")).collect();
    let hours: Vec<String> = columns.iter().map(|h| format!("{h} = NULL")).collect();
    let mut rolled = 0;
    for table in ["token_usage", "unknown_token_usage", "scope_set_usage"] {
        let mut sql = Sql::new(c);
        // Rows without hours (rolled up already, by a run that did not record
        // it) are left as they are: rewriting them would only grow the table.
        sql.push(&format!(
            "UPDATE {table} SET {} WHERE COALESCE({}) IS NOT NULL AND day <= ",
            hours.join(", "),
            columns.join(", ")
        ))
        .bind(Bind::Integer(through.0));
        if let Some(after) = after {
            sql.push(" AND day > ").bind(Bind::Integer(after.0));
        }
        rolled += sql.execute(c)?;
    }
    Ok(rolled)
}

/// Removes the counts of the days before `first_kept`, and the permission uses
/// and clients last seen before its start; returns the rows removed.
pub fn remove_before(c: &mut DbConnection, first_kept: Day) -> QueryResult<usize> {
    use super::schema::{
        scope_set_usage, token_clients, token_permission_uses, token_usage, unknown_token_usage,
    };
    let usage = diesel::delete(token_usage::table.filter(token_usage::day.lt(first_kept.0)));
    let sets = diesel::delete(scope_set_usage::table.filter(scope_set_usage::day.lt(first_kept.0)));
    let unknown = diesel::delete(
        unknown_token_usage::table.filter(unknown_token_usage::day.lt(first_kept.0)),
    );
    let uses = diesel::delete(
        token_permission_uses::table
            .filter(token_permission_uses::last_used_at.lt(first_kept.start())),
    );
    let clients = diesel::delete(
        token_clients::table.filter(token_clients::last_seen.lt(first_kept.start())),
    );
    let removed = usage.execute(c)?
        + sets.execute(c)?
        + unknown.execute(c)?
        + uses.execute(c)?
        + clients.execute(c)?;
    // Every day, whether or not this pruned any: it also catches facts that the
    // flushes of several instances did not (each sees its own clients change).
    super::usage_facts::refresh_all(c)?;
    Ok(removed)
}
