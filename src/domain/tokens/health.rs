//! Token health: the findings that point at risky tokens among thousands, each
//! with the remedy that fixes it. Findings are about active tokens only: a token
//! that is disabled, expired, revoked or deleted lets nothing through already.

use time::{Duration, PrimitiveDateTime};

use super::BulkAction;

/// Days a token may go unused after its creation before it is "never used".
pub const NEVER_USED_AFTER_DAYS: i64 = 30;
/// The windows an administrator may call a token idle after.
pub const IDLE_DAYS: [i64; 3] = [30, 60, 90];
/// Tokens whose validity ends within this many days are "expiring".
pub const EXPIRING_WITHIN_DAYS: i64 = 7;
/// Permissions not used within this many days are "unused"; addresses are
/// counted over the same window.
pub const USE_WINDOW_DAYS: i64 = 30;
/// More distinct client addresses than this within the window is "many".
pub const MANY_ADDRESSES: i64 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Finding {
    /// Never used, and created more than [`NEVER_USED_AFTER_DAYS`] ago.
    NeverUsed,
    /// Used once, but not within this many days.
    Idle(i64),
    NoExpiry,
    Expiring,
    /// Granted (module, action) pairs not used within [`USE_WINDOW_DAYS`].
    UnusedPermissions,
    /// Used from more than [`MANY_ADDRESSES`] addresses within the window, or from
    /// an address first seen in the last day.
    NewAddresses,
    /// Breaks a rule of one of its scopes' policies: made before the rule, or
    /// changed in a way no rule looked at.
    PolicyBreach,
}

impl Finding {
    pub const ALL: [Finding; 7] = [
        Finding::NeverUsed,
        Finding::Idle(30),
        Finding::NoExpiry,
        Finding::Expiring,
        Finding::UnusedPermissions,
        Finding::NewAddresses,
        Finding::PolicyBreach,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Finding::NeverUsed => "never_used",
            Finding::Idle(_) => "idle",
            Finding::NoExpiry => "no_expiry",
            Finding::Expiring => "expiring",
            Finding::UnusedPermissions => "unused_permissions",
            Finding::NewAddresses => "new_addresses",
            Finding::PolicyBreach => "policy",
        }
    }

    /// The finding named `key`; idle for `days` (30, 60 or 90; 30 otherwise).
    pub fn from_key(key: &str, days: Option<i64>) -> Option<Self> {
        let idle = days
            .filter(|d| IDLE_DAYS.contains(d))
            .unwrap_or(IDLE_DAYS[0]);
        Finding::ALL
            .into_iter()
            .map(|f| {
                if let Finding::Idle(_) = f {
                    Finding::Idle(idle)
                } else {
                    f
                }
            })
            .find(|f| f.key() == key)
    }

    pub fn title(self) -> String {
        match self {
            Finding::NeverUsed => "Never used".into(),
            Finding::Idle(days) => format!("Idle for {days} days"),
            Finding::NoExpiry => "Never expire".into(),
            Finding::Expiring => format!("Expire within {EXPIRING_WITHIN_DAYS} days"),
            Finding::UnusedPermissions => "Unused permissions".into(),
            Finding::NewAddresses => "New or many addresses".into(),
            Finding::PolicyBreach => "Break a scope policy".into(),
        }
    }

    /// What the finding means, in a sentence.
    pub fn explanation(self) -> String {
        match self {
            Finding::NeverUsed => format!(
                "Active for more than {NEVER_USED_AFTER_DAYS} days and not used once: probably not needed."
            ),
            Finding::Idle(days) => format!("Used before, but not in the last {days} days."),
            Finding::NoExpiry => "Valid until revoked: a leaked one works for ever.".into(),
            Finding::Expiring => {
                "Their clients stop working when they end, unless they are renewed.".into()
            }
            Finding::UnusedPermissions => format!(
                "In use, but with modules or actions it has not used in {USE_WINDOW_DAYS} days."
            ),
            Finding::NewAddresses => format!(
                "Used from more than {MANY_ADDRESSES} addresses in {USE_WINDOW_DAYS} days, or from an address first seen today."
            ),
            Finding::PolicyBreach => {
                "Made before a rule of their scope, which was left alone: shorten or narrow each, or revoke them.".into()
            }
        }
    }

    /// What fixes it, for every token of the finding at once.
    pub fn remedy(self, days: i64) -> BulkAction {
        let days = Duration::days(days);
        match self {
            Finding::NeverUsed | Finding::Idle(_) | Finding::NewAddresses => BulkAction::Disable,
            Finding::NoExpiry => BulkAction::SetExpiry(days),
            Finding::Expiring => BulkAction::Extend(days),
            Finding::UnusedPermissions => BulkAction::DropUnusedPermissions,
            Finding::PolicyBreach => BulkAction::Revoke,
        }
    }

    /// The remedy needs a number of days (the new expiry, or the extension).
    pub fn remedy_takes_days(self) -> bool {
        matches!(self, Finding::NoExpiry | Finding::Expiring)
    }
}

/// The moments a finding's rule compares with, as of `now`.
#[derive(Debug, Clone, Copy)]
pub struct Cutoffs {
    pub now: PrimitiveDateTime,
    /// Created before this and never used: never used.
    pub created_before: PrimitiveDateTime,
    /// Uses since this count as recent (permissions, addresses).
    pub window_start: PrimitiveDateTime,
    /// Addresses first seen since this are new.
    pub day_start: PrimitiveDateTime,
    pub expiring_before: PrimitiveDateTime,
}

impl Cutoffs {
    pub fn at(now: PrimitiveDateTime) -> Self {
        Self {
            now,
            created_before: now - Duration::days(NEVER_USED_AFTER_DAYS),
            window_start: now - Duration::days(USE_WINDOW_DAYS),
            day_start: now - Duration::DAY,
            expiring_before: now + Duration::days(EXPIRING_WITHIN_DAYS),
        }
    }

    /// Last used before this: idle for `days`.
    pub fn idle_since(&self, days: i64) -> PrimitiveDateTime {
        self.now - Duration::days(days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_are_named_by_key_and_idle_by_its_days() {
        assert_eq!(Finding::from_key("idle", Some(60)), Some(Finding::Idle(60)));
        assert_eq!(Finding::from_key("idle", Some(45)), Some(Finding::Idle(30)));
        assert_eq!(
            Finding::from_key("no_expiry", None),
            Some(Finding::NoExpiry)
        );
        assert_eq!(Finding::from_key("nonsense", None), None);
        for finding in Finding::ALL {
            assert_eq!(Finding::from_key(finding.key(), Some(30)), Some(finding));
        }
    }

    #[test]
    fn each_finding_has_its_remedy() {
        assert_eq!(Finding::Idle(90).remedy(30), BulkAction::Disable);
        assert_eq!(
            Finding::NoExpiry.remedy(90),
            BulkAction::SetExpiry(Duration::days(90))
        );
        assert_eq!(
            Finding::Expiring.remedy(30),
            BulkAction::Extend(Duration::days(30))
        );
        assert_eq!(
            Finding::UnusedPermissions.remedy(30),
            BulkAction::DropUnusedPermissions
        );
        assert!(Finding::Expiring.remedy_takes_days() && !Finding::NeverUsed.remedy_takes_days());
    }
}
