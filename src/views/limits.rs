//! Rate limits and credits on a token's or an identity's page: where each stands
//! (as this instance counts), drawn as meters, and the form that changes them.

use time::PrimitiveDateTime;

use crate::db::limits::{CreditsRow, RateLimitRow};
use crate::domain::limits::{Refill, limits_text, period_text};
use crate::limits::{CreditRule, LimitRule, Limiter};
use crate::views::format::relative;

/// One limit: how much of it the current window used.
pub struct Meter {
    pub name: String,
    /// `100 per minute`.
    pub rule: String,
    pub used: i64,
    pub limit: i64,
    /// 0–100, for the bar.
    pub percent: i64,
    /// `ok`, `warn` (80 % or more) or `full`.
    pub level: &'static str,
    /// `resets in 42 s`.
    pub resets: String,
}

/// Credits: what is left and when they refill.
pub struct CreditsMeter {
    pub remaining: i64,
    /// Of the refill amount, when they refill; `None` otherwise.
    pub percent: Option<i64>,
    pub level: &'static str,
    pub refill: String,
}

/// The form's fields, as stored or as last submitted.
pub struct LimitsForm {
    pub limits: String,
    pub credits: String,
    pub refill: &'static str,
    pub refill_amount: String,
}

/// The usage-control panel of one owner.
pub struct LimitsPanel {
    pub meters: Vec<Meter>,
    pub credits: Option<CreditsMeter>,
    /// Where the form posts; `None` when the administrator may not change it.
    pub action: Option<String>,
    pub form: LimitsForm,
}

fn level(percent: i64) -> &'static str {
    match percent {
        100.. => "full",
        80..=99 => "warn",
        _ => "ok",
    }
}

impl LimitsPanel {
    pub fn new(
        limits: &[RateLimitRow],
        credits: Option<&CreditsRow>,
        limiter: &Limiter,
        now: PrimitiveDateTime,
        action: Option<String>,
    ) -> Self {
        let rules: Vec<LimitRule> = limits.iter().map(LimitRule::from).collect();
        let wallet: Vec<CreditRule> = credits.iter().map(|c| CreditRule::from(*c)).collect();
        let (standing, left) = limiter.standing(&rules, &wallet, now);
        let meters = standing
            .into_iter()
            .map(|(state, used)| {
                let percent = (used.saturating_mul(100) / state.limit.max(1)).clamp(0, 100);
                Meter {
                    name: state.name.to_string(),
                    rule: format!("{} per {}", state.limit, period_text(state.period_seconds)),
                    used,
                    limit: state.limit,
                    percent,
                    level: level(percent),
                    resets: format!("window resets in {}", seconds_text(state.reset_seconds)),
                }
            })
            .collect();
        let stored = credits.map(CreditsRow::credits);
        let credits_meter = stored.map(|c| {
            let remaining = left.unwrap_or(c.remaining).max(0);
            let percent = c.refill.map(|(_, amount)| {
                (100 - remaining.saturating_mul(100) / amount.max(1)).clamp(0, 100)
            });
            CreditsMeter {
                remaining,
                level: match (remaining, percent) {
                    (0, _) => "full",
                    (_, Some(p)) => level(p),
                    _ => "ok",
                },
                percent,
                refill: match c.refill {
                    Some((period, amount)) => format!(
                        "Refills to {amount} {}; next {}.",
                        period.label(),
                        relative(&period.next(now), &now)
                    ),
                    None => "Does not refill.".into(),
                },
            }
        });
        LimitsPanel {
            meters,
            credits: credits_meter,
            action,
            form: LimitsForm {
                limits: limits_text(&limits.iter().map(RateLimitRow::limit).collect::<Vec<_>>()),
                credits: stored
                    .map(|c| c.remaining.max(0).to_string())
                    .unwrap_or_default(),
                refill: stored
                    .and_then(|c| c.refill)
                    .map_or("", |(period, _)| period.key()),
                refill_amount: stored
                    .and_then(|c| c.refill)
                    .map(|(_, amount)| amount.to_string())
                    .unwrap_or_default(),
            },
        }
    }

    pub fn is_empty(&self) -> bool {
        self.meters.is_empty() && self.credits.is_none()
    }

    /// The refill choices of the form: (key, label).
    pub fn refill_choices(&self) -> [(&'static str, &'static str); 3] {
        [
            ("", "Never"),
            (Refill::Daily.key(), "Every day (00:00 UTC)"),
            (Refill::Monthly.key(), "Every month (the 1st, 00:00 UTC)"),
        ]
    }
}

fn seconds_text(seconds: i64) -> String {
    match seconds {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s => format!("{} h", s / 3600),
    }
}

/// The identity that owns a token, as its page links it.
pub struct OwnerLink {
    pub name: String,
    pub external_id: String,
    pub href: String,
}

/// A token's own limits and credits, and its identity's, which it shares.
pub struct TokenControl {
    pub own: LimitsPanel,
    pub owner: Option<(OwnerLink, LimitsPanel)>,
}
