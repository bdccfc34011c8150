//! A token's status, from its dates, in one order of precedence.

use time::{Duration, PrimitiveDateTime};

use crate::domain::permissions::Permission;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
// In JSON (the management API) by its key.
#[derive(serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TokenStatus {
    Active,
    Scheduled,
    Expired,
    Disabled,
    Revoked,
    Deleted,
}

impl TokenStatus {
    pub const ALL: [TokenStatus; 6] = [
        TokenStatus::Active,
        TokenStatus::Scheduled,
        TokenStatus::Expired,
        TokenStatus::Disabled,
        TokenStatus::Revoked,
        TokenStatus::Deleted,
    ];

    pub fn key(self) -> &'static str {
        match self {
            TokenStatus::Active => "active",
            TokenStatus::Scheduled => "scheduled",
            TokenStatus::Expired => "expired",
            TokenStatus::Disabled => "disabled",
            TokenStatus::Revoked => "revoked",
            TokenStatus::Deleted => "deleted",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            TokenStatus::Active => "Active",
            TokenStatus::Scheduled => "Scheduled",
            TokenStatus::Expired => "Expired",
            TokenStatus::Disabled => "Disabled",
            TokenStatus::Revoked => "Revoked",
            TokenStatus::Deleted => "Deleted",
        }
    }

    /// Deleted > Revoked > Disabled > Expired > Scheduled > Active: a token has the
    /// first status whose own condition holds. The list query is built from this.
    pub const PRECEDENCE: [TokenStatus; 6] = [
        TokenStatus::Deleted,
        TokenStatus::Revoked,
        TokenStatus::Disabled,
        TokenStatus::Expired,
        TokenStatus::Scheduled,
        TokenStatus::Active,
    ];

    /// This status's own condition, before precedence: Active's always holds.
    pub fn holds(self, dates: &Lifecycle, now: PrimitiveDateTime) -> bool {
        match self {
            TokenStatus::Deleted => dates.deleted_at.is_some(),
            TokenStatus::Revoked => dates.revoked_at.is_some(),
            TokenStatus::Disabled => dates.disabled_at.is_some(),
            TokenStatus::Expired => dates.valid_to.is_some_and(|to| to <= now),
            TokenStatus::Scheduled => dates.valid_from > now,
            TokenStatus::Active => true,
        }
    }

    /// Its place when the list is sorted by status: Active first, Deleted last.
    pub fn rank(self) -> u8 {
        self as u8
    }

    /// Deleted and revoked are final; the rest can still change.
    pub fn is_final(self) -> bool {
        matches!(self, TokenStatus::Deleted | TokenStatus::Revoked)
    }
}

/// The dates that decide a token's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifecycle {
    pub valid_from: PrimitiveDateTime,
    pub valid_to: Option<PrimitiveDateTime>,
    pub disabled_at: Option<PrimitiveDateTime>,
    pub revoked_at: Option<PrimitiveDateTime>,
    pub deleted_at: Option<PrimitiveDateTime>,
}

impl Lifecycle {
    /// The first status of [`TokenStatus::PRECEDENCE`] whose own condition holds.
    pub fn status(&self, now: PrimitiveDateTime) -> TokenStatus {
        TokenStatus::PRECEDENCE
            .into_iter()
            .find(|status| status.holds(self, now))
            .unwrap_or(TokenStatus::Active)
    }

    /// The status as of `now`, and when time alone will change it (a scheduled
    /// token starts, an active one expires): what the list stores, to filter and
    /// sort by status with an index.
    pub fn status_until(&self, now: PrimitiveDateTime) -> (TokenStatus, Option<PrimitiveDateTime>) {
        let status = self.status(now);
        let until = match status {
            TokenStatus::Scheduled => Some(self.valid_from),
            TokenStatus::Active => self.valid_to,
            _ => None,
        };
        (status, until)
    }

    /// An active token that stops working within [`EXPIRY_WARNING`]: its clients
    /// need a new one soon.
    pub fn expires_soon(&self, now: PrimitiveDateTime) -> bool {
        self.status(now) == TokenStatus::Active
            && self.valid_to.is_some_and(|end| end - now <= EXPIRY_WARNING)
    }
}

/// How long before its end an active token is flagged as expiring.
pub const EXPIRY_WARNING: Duration = Duration::days(7);

/// What an administrator may ask of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenChange {
    Edit,
    Regenerate,
    Disable,
    Enable,
    Revoke,
    Delete,
}

impl TokenChange {
    /// The permission the change needs.
    pub fn permission(self) -> Permission {
        match self {
            TokenChange::Delete => Permission::TokensDelete,
            _ => Permission::TokensUpdate,
        }
    }

    /// Whether a token with this status may take the change; if not, why.
    pub fn allowed_from(self, status: TokenStatus) -> Result<(), &'static str> {
        match self {
            TokenChange::Edit if status.is_final() => {
                Err("Revoked and deleted tokens cannot be edited.")
            }
            TokenChange::Regenerate if status.is_final() => {
                Err("Revoked and deleted tokens cannot be regenerated.")
            }
            TokenChange::Disable | TokenChange::Enable if status.is_final() => {
                Err("Revoked and deleted tokens cannot be enabled or disabled.")
            }
            TokenChange::Revoke if status != TokenStatus::Active => {
                Err("Only active tokens can be revoked.")
            }
            TokenChange::Delete if status == TokenStatus::Deleted => {
                Err("This token is already deleted.")
            }
            _ => Ok(()),
        }
    }

    /// Whether a page offers the change: allowed, and not what the token is already.
    pub fn offered_from(self, status: TokenStatus) -> bool {
        let meaningful = match self {
            TokenChange::Enable => status == TokenStatus::Disabled,
            TokenChange::Disable => status != TokenStatus::Disabled,
            _ => true,
        };
        meaningful && self.allowed_from(status).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: PrimitiveDateTime = datetime!(2026-11-23 17:54:31);

    fn lifecycle() -> Lifecycle {
        Lifecycle {
            valid_from: NOW - Duration::days(1),
            valid_to: None,
            disabled_at: None,
            revoked_at: None,
            deleted_at: None,
        }
    }

    #[test]
    fn status_follows_the_documented_precedence() {
        let base = lifecycle();
        assert_eq!(base.status(NOW), TokenStatus::Active);
        let scheduled = Lifecycle {
            valid_from: NOW + Duration::hours(1),
            ..base
        };
        assert_eq!(scheduled.status(NOW), TokenStatus::Scheduled);
        let expired = Lifecycle {
            valid_to: Some(NOW),
            ..scheduled
        };
        assert_eq!(
            expired.status(NOW),
            TokenStatus::Expired,
            "expired beats scheduled"
        );
        let disabled = Lifecycle {
            disabled_at: Some(NOW),
            ..expired
        };
        assert_eq!(disabled.status(NOW), TokenStatus::Disabled);
        let revoked = Lifecycle {
            revoked_at: Some(NOW),
            ..disabled
        };
        assert_eq!(revoked.status(NOW), TokenStatus::Revoked);
        let deleted = Lifecycle {
            deleted_at: Some(NOW),
            ..revoked
        };
        assert_eq!(deleted.status(NOW), TokenStatus::Deleted);
    }

    #[test]
    fn only_active_tokens_ending_within_a_week_expire_soon() {
        let token = |days: i64| Lifecycle {
            valid_from: NOW - Duration::days(1),
            valid_to: Some(NOW + Duration::days(days)),
            disabled_at: None,
            revoked_at: None,
            deleted_at: None,
        };
        assert!(token(7).expires_soon(NOW));
        assert!(token(1).expires_soon(NOW));
        assert!(!token(8).expires_soon(NOW));
        assert!(!token(-1).expires_soon(NOW), "already expired");
        let disabled = Lifecycle {
            disabled_at: Some(NOW),
            ..token(3)
        };
        assert!(!disabled.expires_soon(NOW), "not in use anyway");
        let forever = Lifecycle {
            valid_to: None,
            ..token(3)
        };
        assert!(!forever.expires_soon(NOW));
    }

    #[test]
    fn a_stored_status_lasts_until_time_alone_changes_it() {
        let start = NOW + Duration::hours(1);
        let end = NOW + Duration::days(2);
        let scheduled = Lifecycle {
            valid_from: start,
            valid_to: Some(end),
            ..lifecycle()
        };
        assert_eq!(
            scheduled.status_until(NOW),
            (TokenStatus::Scheduled, Some(start))
        );
        assert_eq!(
            scheduled.status_until(start),
            (TokenStatus::Active, Some(end))
        );
        assert_eq!(scheduled.status_until(end), (TokenStatus::Expired, None));
        assert_eq!(lifecycle().status_until(NOW), (TokenStatus::Active, None));
        let disabled = Lifecycle {
            disabled_at: Some(NOW),
            ..scheduled
        };
        assert_eq!(disabled.status_until(NOW), (TokenStatus::Disabled, None));
        // Whatever the status until then, it is the rule's status at that time.
        for at in [NOW, start, end] {
            let (status, until) = scheduled.status_until(at);
            if let Some(until) = until {
                let just_before = until - Duration::seconds(1);
                assert_eq!(scheduled.status(just_before.max(at)), status);
                assert_ne!(scheduled.status(until), status);
            }
        }
    }

    #[test]
    fn lifecycle_changes_follow_the_status() {
        use TokenStatus::*;
        for status in TokenStatus::ALL {
            let open = !status.is_final();
            assert_eq!(TokenChange::Edit.allowed_from(status).is_ok(), open);
            assert_eq!(TokenChange::Regenerate.allowed_from(status).is_ok(), open);
            assert_eq!(TokenChange::Disable.allowed_from(status).is_ok(), open);
            assert_eq!(
                TokenChange::Revoke.allowed_from(status).is_ok(),
                status == Active
            );
            assert_eq!(
                TokenChange::Delete.allowed_from(status).is_ok(),
                status != Deleted
            );
        }
        assert!(TokenChange::Enable.offered_from(Disabled));
        assert!(!TokenChange::Enable.offered_from(Active));
        assert!(!TokenChange::Disable.offered_from(Disabled));
        assert!(TokenChange::Disable.offered_from(Expired));
        assert_eq!(
            TokenChange::Revoke.allowed_from(Expired),
            Err("Only active tokens can be revoked.")
        );
    }
}
