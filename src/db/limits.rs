//! Rate limits and credits of tokens and identities, and the flush of spent credits.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::DbConnection;
use super::schema::{credits, rate_limits};
use super::sql::{Bind, Sql};
use crate::domain::ids::{IdentityId, TokenId};
use crate::domain::limits::{Credits, CreditsInput, RateLimit, Refill, UsageControl};

/// What usage control is set on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner {
    Token(TokenId),
    Identity(IdentityId),
}

impl Owner {
    fn columns(self) -> (Option<i64>, Option<i64>) {
        match self {
            Owner::Token(id) => (Some(id.0), None),
            Owner::Identity(id) => (None, Some(id.0)),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rate_limits)]
pub struct RateLimitRow {
    pub id: i64,
    pub token_id: Option<i64>,
    pub identity_id: Option<i64>,
    pub name: String,
    pub max_requests: i64,
    pub period_seconds: i32,
}

impl RateLimitRow {
    pub fn limit(&self) -> RateLimit {
        RateLimit {
            name: self.name.clone(),
            limit: self.max_requests,
            period_seconds: u32::try_from(self.period_seconds).unwrap_or(1),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = credits)]
pub struct CreditsRow {
    pub id: i64,
    pub token_id: Option<i64>,
    pub identity_id: Option<i64>,
    pub remaining: i64,
    pub refill_period: Option<String>,
    pub refill_amount: Option<i64>,
    pub refilled_at: Option<PrimitiveDateTime>,
    pub version: i32,
    pub granted: i64,
    /// The threshold (80, 100) last told.
    pub notified_level: i32,
}

impl CreditsRow {
    pub fn credits(&self) -> Credits {
        Credits {
            remaining: self.remaining,
            refill: self
                .refill_period
                .as_deref()
                .and_then(Refill::from_key)
                .zip(self.refill_amount),
            refilled_at: self.refilled_at,
        }
    }
}

/// The limits and credits set on any of these tokens or identities.
pub fn of_owners(
    c: &mut DbConnection,
    tokens: &[TokenId],
    identities: &[IdentityId],
) -> QueryResult<(Vec<RateLimitRow>, Vec<CreditsRow>)> {
    let tokens: Vec<i64> = tokens.iter().map(|t| t.0).collect();
    let identities: Vec<i64> = identities.iter().map(|i| i.0).collect();
    let limits = rate_limits::table
        .filter(
            rate_limits::token_id
                .eq_any(&tokens)
                .or(rate_limits::identity_id.eq_any(&identities)),
        )
        .order((rate_limits::period_seconds.asc(), rate_limits::name.asc()))
        .select(RateLimitRow::as_select())
        .load(c)?;
    let credits = credits::table
        .filter(
            credits::token_id
                .eq_any(&tokens)
                .or(credits::identity_id.eq_any(&identities)),
        )
        .select(CreditsRow::as_select())
        .load(c)?;
    Ok((limits, credits))
}

/// The limits and credits of one owner.
pub fn of_owner(
    c: &mut DbConnection,
    owner: Owner,
) -> QueryResult<(Vec<RateLimitRow>, Option<CreditsRow>)> {
    let (tokens, identities) = match owner {
        Owner::Token(id) => (vec![id], vec![]),
        Owner::Identity(id) => (vec![], vec![id]),
    };
    let (limits, mut credits) = of_owners(c, &tokens, &identities)?;
    Ok((limits, credits.pop()))
}

/// Replaces an owner's limits and credits. Limits keep their row (and so what they
/// counted) while their name stays; credits set anew get a new version, which tells
/// every instance to drop what it held.
pub fn set(
    c: &mut DbConnection,
    owner: Owner,
    control: &UsageControl,
    now: PrimitiveDateTime,
) -> QueryResult<()> {
    let (token_id, identity_id) = owner.columns();
    let (existing, stored) = of_owner(c, owner)?;
    for gone in existing
        .iter()
        .filter(|row| !control.limits.iter().any(|l| l.name == row.name))
    {
        diesel::delete(rate_limits::table.filter(rate_limits::id.eq(gone.id))).execute(c)?;
    }
    for limit in &control.limits {
        let period = i32::try_from(limit.period_seconds).unwrap_or(i32::MAX);
        match existing.iter().find(|row| row.name == limit.name) {
            Some(row) => {
                diesel::update(rate_limits::table.filter(rate_limits::id.eq(row.id)))
                    .set((
                        rate_limits::max_requests.eq(limit.limit),
                        rate_limits::period_seconds.eq(period),
                    ))
                    .execute(c)?;
            }
            None => {
                diesel::insert_into(rate_limits::table)
                    .values((
                        rate_limits::token_id.eq(token_id),
                        rate_limits::identity_id.eq(identity_id),
                        rate_limits::name.eq(&limit.name),
                        rate_limits::max_requests.eq(limit.limit),
                        rate_limits::period_seconds.eq(period),
                    ))
                    .execute(c)?;
            }
        }
    }
    match (control.credits, stored) {
        (None, Some(row)) => {
            diesel::delete(credits::table.filter(credits::id.eq(row.id))).execute(c)?;
        }
        (None, None) => {}
        (Some(input), row) => write_credits(c, owner, input, row, now)?,
    }
    Ok(())
}

fn write_credits(
    c: &mut DbConnection,
    owner: Owner,
    input: CreditsInput,
    row: Option<CreditsRow>,
    now: PrimitiveDateTime,
) -> QueryResult<()> {
    let (token_id, identity_id) = owner.columns();
    let (period, amount) = match input.refill {
        Some((period, amount)) => (Some(period.key()), Some(amount)),
        None => (None, None),
    };
    // Set now, the credits count for the period under way: the next refill is at
    // its end.
    let refilled_at = input.refill.map(|(period, _)| period.period_start(now));
    match row {
        Some(row) => {
            diesel::update(credits::table.filter(credits::id.eq(row.id)))
                .set((
                    credits::remaining.eq(input.remaining),
                    credits::refill_period.eq(period),
                    credits::refill_amount.eq(amount),
                    credits::refilled_at.eq(refilled_at),
                    credits::version.eq(row.version + 1),
                    credits::updated_at.eq(now),
                    credits::granted.eq(input.remaining),
                    credits::notified_level.eq(0),
                ))
                .execute(c)?;
        }
        None => {
            diesel::insert_into(credits::table)
                .values((
                    credits::token_id.eq(token_id),
                    credits::identity_id.eq(identity_id),
                    credits::remaining.eq(input.remaining),
                    credits::refill_period.eq(period),
                    credits::refill_amount.eq(amount),
                    credits::refilled_at.eq(refilled_at),
                    credits::version.eq(1),
                    credits::updated_at.eq(now),
                    credits::granted.eq(input.remaining),
                    credits::notified_level.eq(0),
                ))
                .execute(c)?;
        }
    }
    Ok(())
}

/// Credits an instance spent since its last flush, in the refill period `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spent {
    pub id: i64,
    pub version: i32,
    pub amount: i64,
    pub period: Option<PrimitiveDateTime>,
}

/// Credits as stored, re-read after a flush.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable)]
pub struct Stored {
    pub id: i64,
    pub remaining: i64,
    pub refilled_at: Option<PrimitiveDateTime>,
    pub version: i32,
}

/// The stored credits with these IDs (those that still exist).
pub fn stored(c: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<Stored>> {
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        found.extend(
            credits::table
                .filter(credits::id.eq_any(chunk))
                .select((
                    credits::id,
                    credits::remaining,
                    credits::refilled_at,
                    credits::version,
                ))
                .load::<Stored>(c)?,
        );
    }
    Ok(found)
}

/// Takes spent credits off what is stored, refilling first when the stored credits
/// belong to an earlier period than the spending. Spends on credits an
/// administrator set anew (another version), or that another instance already
/// refilled for a later period, count no more.
pub fn spend(c: &mut DbConnection, spent: Spent) -> QueryResult<usize> {
    let mut sql = Sql::new(c);
    let due = |sql: &mut Sql| {
        sql.push("(refill_period IS NOT NULL AND (refilled_at IS NULL OR refilled_at < ")
            .bind(Bind::NullableTimestamp(spent.period))
            .push("))");
    };
    sql.push("UPDATE credits SET remaining = CASE WHEN ");
    due(&mut sql);
    sql.push(" THEN refill_amount ELSE remaining END - ")
        .bind(Bind::BigInt(spent.amount))
        .push(", refilled_at = CASE WHEN ");
    due(&mut sql);
    sql.push(" THEN ")
        .bind(Bind::NullableTimestamp(spent.period))
        .push(" ELSE refilled_at END, notified_level = CASE WHEN ");
    due(&mut sql);
    sql.push(" THEN 0 ELSE notified_level END WHERE id = ")
        .bind(Bind::BigInt(spent.id))
        .push(" AND version = ")
        .bind(Bind::Integer(spent.version));
    if let Some(period) = spent.period {
        sql.push(" AND (refilled_at IS NULL OR refilled_at <= ")
            .bind(Bind::Timestamp(period))
            .push(")");
    }
    sql.execute(c)
}

/// Credits whose use just reached a threshold not told yet.
#[derive(Debug, Clone)]
pub struct Crossing {
    pub id: i64,
    pub token_id: Option<i64>,
    pub identity_id: Option<i64>,
    pub remaining: i64,
    pub reference: i64,
    pub threshold: i32,
}

/// Marks the thresholds these credits reached as told, and returns them: each
/// once, whichever instance flushes first (the update is conditional).
pub fn crossed(c: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<Crossing>> {
    let rows: Vec<CreditsRow> = credits::table
        .filter(credits::id.eq_any(ids))
        .select(CreditsRow::as_select())
        .load(c)?;
    let mut crossed = Vec::new();
    for row in rows {
        let (id, token_id, identity_id, remaining) =
            (row.id, row.token_id, row.identity_id, row.remaining);
        let told = row.notified_level;
        let reference = row.refill_amount.unwrap_or(row.granted);
        let threshold = crate::domain::limits::credits::threshold(remaining, reference);
        if threshold <= told {
            continue;
        }
        let claimed = diesel::update(
            credits::table
                .filter(credits::id.eq(id))
                .filter(credits::notified_level.eq(told)),
        )
        .set(credits::notified_level.eq(threshold))
        .execute(c)?;
        if claimed == 1 {
            crossed.push(Crossing {
                id,
                token_id,
                identity_id,
                remaining,
                reference,
                threshold,
            });
        }
    }
    Ok(crossed)
}

/// The credits told at 80 % or more used (and not refilled or set since), most
/// used first.
pub fn running_low(c: &mut DbConnection, limit: i64) -> QueryResult<Vec<CreditsRow>> {
    credits::table
        .filter(credits::notified_level.ge(80))
        .order((credits::notified_level.desc(), credits::remaining.asc()))
        .limit(limit)
        .select(CreditsRow::as_select())
        .load(c)
}
