//! Credits held in memory: spent per request, written and re-read at each flush.

use std::collections::HashMap;
use std::sync::Mutex;

use foldhash::fast::FixedState;
use time::PrimitiveDateTime;

use super::{CreditRule, lock};
use crate::db::limits::{Spent, Stored};
use crate::domain::limits::Credits;

#[derive(Debug, Clone, Copy)]
struct Balance {
    credits: Credits,
    version: i32,
    /// Spent since the last flush, in the period `credits.refilled_at`.
    unflushed: i64,
}

impl Balance {
    fn of(rule: &CreditRule) -> Self {
        Balance {
            credits: rule.stored,
            version: rule.version,
            unflushed: 0,
        }
    }
}

#[derive(Debug, Default)]
pub(super) struct Balances(Mutex<HashMap<i64, Balance, FixedState>>);

impl Balances {
    /// Spends `cost` from every one of these credits, or from none: `Ok` with the
    /// fewest left, `Err` with the next refill when one has too few.
    pub fn spend(
        &self,
        rules: &[CreditRule],
        now: PrimitiveDateTime,
        cost: i64,
    ) -> Result<Option<i64>, Option<PrimitiveDateTime>> {
        let mut balances = lock(&self.0);
        for rule in rules {
            let balance = balances.entry(rule.id).or_insert_with(|| Balance::of(rule));
            // Set anew by an administrator: what was spent before counts no more.
            if balance.version != rule.version {
                *balance = Balance::of(rule);
            }
            if balance.credits.refill_if_due(now) {
                balance.unflushed = 0;
            }
            if balance.credits.remaining < cost {
                return Err(balance.credits.next_refill(now));
            }
        }
        let mut fewest = None::<i64>;
        for rule in rules {
            if let Some(balance) = balances.get_mut(&rule.id) {
                balance.credits.spend(cost);
                balance.unflushed += cost;
                let left = balance.credits.remaining;
                fewest = Some(fewest.map_or(left, |f| f.min(left)));
            }
        }
        Ok(fewest)
    }

    /// The fewest credits left, without spending.
    pub fn standing(&self, rules: &[CreditRule], now: PrimitiveDateTime) -> Option<i64> {
        let balances = lock(&self.0);
        rules
            .iter()
            .map(|rule| {
                let mut credits = match balances.get(&rule.id) {
                    Some(b) if b.version == rule.version => b.credits,
                    _ => rule.stored,
                };
                credits.refill_if_due(now);
                credits.remaining
            })
            .min()
    }

    /// What was spent since the last flush (taken off the balances' books), and the
    /// IDs of every balance held, to re-read.
    pub fn take_spent(&self) -> (Vec<Spent>, Vec<i64>) {
        let mut balances = lock(&self.0);
        let mut spent = Vec::new();
        for (id, balance) in balances.iter_mut().filter(|(_, b)| b.unflushed > 0) {
            spent.push(Spent {
                id: *id,
                version: balance.version,
                amount: balance.unflushed,
                period: balance.credits.refilled_at,
            });
            balance.unflushed = 0;
        }
        (spent, balances.keys().copied().collect())
    }

    /// A failed flush: the spending goes back on the books.
    pub fn restore(&self, spent: &[Spent]) {
        let mut balances = lock(&self.0);
        for s in spent {
            if let Some(balance) = balances.get_mut(&s.id)
                && balance.version == s.version
                && balance.credits.refilled_at == s.period
            {
                balance.unflushed += s.amount;
            }
        }
    }

    /// Takes what the database holds after a flush: the stored remaining, less what
    /// was spent here meanwhile. Rows gone or set anew are forgotten (the next
    /// request loads them again).
    pub fn settle(&self, stored: &[Stored]) {
        let mut balances = lock(&self.0);
        let held: Vec<i64> = balances.keys().copied().collect();
        for id in held {
            let Some(row) = stored.iter().find(|s| s.id == id) else {
                balances.remove(&id);
                continue;
            };
            let Some(balance) = balances.get_mut(&id) else {
                continue;
            };
            if row.version != balance.version {
                balances.remove(&id);
                continue;
            }
            // Only when both speak of the same period: a refill here that the
            // database has not heard of yet is written at the next flush.
            if row.refilled_at == balance.credits.refilled_at {
                balance.credits.remaining = row.remaining - balance.unflushed;
            }
        }
    }
}
