//! Credits held in memory: spent per request, written and re-read at each flush.

use std::collections::HashMap;

use foldhash::fast::FixedState;
use time::PrimitiveDateTime;

use smallvec::SmallVec;

use super::{CreditRule, Standing, seconds_until};
use crate::db::limits::{Spent, Stored};
use crate::domain::limits::Credits;

fn standing(credits: Credits, now: PrimitiveDateTime) -> Standing {
    Standing {
        remaining: credits.remaining,
        reset_seconds: credits.next_refill(now).map(|at| seconds_until(now, at)),
    }
}

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

/// Held under the limiter's lock.
#[derive(Debug, Default)]
pub(super) struct Balances(HashMap<i64, Balance, FixedState>);

impl Balances {
    /// Spends `cost` from every one of these credits, or from none, and says where
    /// each stands into `standings`: `Err` with the next refill when one has too few.
    pub fn spend(
        &mut self,
        rules: &[CreditRule],
        now: PrimitiveDateTime,
        cost: i64,
        standings: &mut SmallVec<[Standing; 4]>,
    ) -> Result<(), Option<PrimitiveDateTime>> {
        let before = standings.len();
        for (i, rule) in rules.iter().enumerate() {
            let balance = self.0.entry(rule.id).or_insert_with(|| Balance::of(rule));
            // Set anew by an administrator: what was spent before counts no more.
            if balance.version != rule.version {
                *balance = Balance::of(rule);
            }
            if balance.credits.refill_if_due(now) {
                balance.unflushed = 0;
            }
            if !balance.credits.spend(cost) {
                let next_refill = balance.credits.next_refill(now);
                // All or none: the ones before give back what they spent.
                for rule in &rules[..i] {
                    if let Some(balance) = self.0.get_mut(&rule.id) {
                        balance.credits.remaining += cost;
                        balance.unflushed -= cost;
                    }
                }
                standings.truncate(before);
                standings.extend(
                    rules
                        .iter()
                        .map(|rule| standing(self.current(rule, now), now)),
                );
                return Err(next_refill);
            }
            balance.unflushed += cost;
            standings.push(standing(balance.credits, now));
        }
        Ok(())
    }

    /// These credits as they stand now.
    fn current(&self, rule: &CreditRule, now: PrimitiveDateTime) -> Credits {
        let mut credits = match self.0.get(&rule.id) {
            Some(b) if b.version == rule.version => b.credits,
            _ => rule.stored,
        };
        credits.refill_if_due(now);
        credits
    }

    /// The fewest credits left, without spending.
    pub fn standing(&self, rules: &[CreditRule], now: PrimitiveDateTime) -> Option<i64> {
        rules
            .iter()
            .map(|rule| self.current(rule, now).remaining)
            .min()
    }

    /// What was spent since the last flush (taken off the balances' books), and the
    /// IDs of every balance held, to re-read.
    pub fn take_spent(&mut self) -> (Vec<Spent>, Vec<i64>) {
        let balances = &mut self.0;
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
    pub fn restore(&mut self, spent: &[Spent]) {
        let balances = &mut self.0;
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
    pub fn settle(&mut self, stored: &[Stored]) {
        let balances = &mut self.0;
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
