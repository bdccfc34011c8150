//! Rate limits and credits as the API reads and writes them, for tokens and
//! identities alike.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::limits::{CreditsRow, RateLimitRow};
use crate::domain::limits::{CreditsInput, RateLimit, Refill, UsageControl, check_limits};
use crate::domain::timestamps::iso;
use crate::domain::validation::FieldErrors;
use crate::services::limits::Settings;

/// One named limit.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateLimitJson {
    /// Lowercase letters, digits, `-` and `_`: what headers call it.
    #[schema(example = "requests", pattern = "^[a-z0-9_-]{1,32}$")]
    pub name: String,
    /// Requests (or the sum of their costs) admitted per period.
    #[schema(example = 100, minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub limit: i64,
    /// The period, in seconds (at most 31 days).
    #[schema(example = 60, minimum = 1, maximum = 2678400)]
    pub period: u32,
}

/// How credits refill.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefillJson {
    /// `day` (00:00 UTC) or `month` (the 1st, 00:00 UTC).
    #[schema(example = "month")]
    pub interval: RefillInterval,
    /// The credits after each refill.
    #[schema(example = 1000, minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub amount: i64,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RefillInterval {
    Day,
    Month,
}

/// Credits: a remaining count each request spends.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreditsJson {
    #[schema(example = 1000, minimum = 0, maximum = 1_000_000_000_000_i64)]
    pub remaining: i64,
    pub refill: Option<RefillJson>,
}

/// Credits as they stand.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreditsState {
    /// As of the last flush of spent credits (every few seconds).
    pub remaining: i64,
    pub refill: Option<RefillJson>,
    /// When they last refilled.
    pub refilled_at: Option<String>,
}

/// A token's or identity's limits and credits, as read.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Limits {
    pub ratelimits: Vec<RateLimitJson>,
    /// None: requests spend no credits.
    pub credits: Option<CreditsState>,
}

/// A token's or identity's limits and credits, as written.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "ratelimits": [
        { "name": "requests", "limit": 100, "period": 60 },
        { "name": "daily", "limit": 10000, "period": 86400 }
    ],
    "credits": { "remaining": 1000, "refill": { "interval": "month", "amount": 1000 } }
}))]
pub struct LimitsDocument {
    #[serde(default)]
    pub ratelimits: Vec<RateLimitJson>,
    /// None: requests spend no credits.
    #[serde(default)]
    pub credits: Option<CreditsJson>,
}

impl Limits {
    pub fn of(limits: &[RateLimitRow], credits: Option<&CreditsRow>) -> Self {
        Self {
            ratelimits: limits
                .iter()
                .map(|row| RateLimitJson {
                    name: row.name.clone(),
                    limit: row.max_requests,
                    period: u32::try_from(row.period_seconds).unwrap_or(1),
                })
                .collect(),
            credits: credits.map(|row| {
                let credits = row.credits();
                CreditsState {
                    remaining: credits.remaining.max(0),
                    refill: credits.refill.map(|(period, amount)| RefillJson {
                        interval: match period {
                            Refill::Daily => RefillInterval::Day,
                            Refill::Monthly => RefillInterval::Month,
                        },
                        amount,
                    }),
                    refilled_at: credits.refilled_at.as_ref().map(iso),
                }
            }),
        }
    }

    pub fn of_settings(settings: &Settings) -> Self {
        Self::of(&settings.limits, settings.credits.as_ref())
    }
}

impl LimitsDocument {
    /// The usage control this document asks for, or what is wrong with it.
    pub fn control(&self) -> Result<UsageControl, FieldErrors> {
        let mut errors = FieldErrors::default();
        let limits: Vec<RateLimit> = self
            .ratelimits
            .iter()
            .map(|l| RateLimit {
                name: l.name.clone(),
                limit: l.limit,
                period_seconds: l.period,
            })
            .collect();
        if let Err(message) = check_limits(&limits) {
            errors.add("ratelimits", message);
        }
        let credits = self.credits.as_ref().map(|c| CreditsInput {
            remaining: c.remaining,
            refill: c.refill.map(|r| {
                let period = match r.interval {
                    RefillInterval::Day => Refill::Daily,
                    RefillInterval::Month => Refill::Monthly,
                };
                (period, r.amount)
            }),
        });
        if let Some(Err((_, message))) = credits.map(|c| c.check()) {
            errors.add("credits", message);
        }
        errors.into_result(UsageControl { limits, credits })
    }
}
