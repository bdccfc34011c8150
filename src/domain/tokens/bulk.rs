//! One action on many tokens: which of them it applies to, and why the others are
//! skipped. A skip is an answer, never an error: the rest of the batch goes on.

use time::{Duration, PrimitiveDateTime};

use super::{Action, TokenChange, TokenStatus};
use crate::domain::permissions::Permission;
use crate::domain::scopes::ScopeAccess;

/// At most this many tokens in one action: a filter matching more is narrowed first.
pub const MAX_BULK_TOKENS: usize = 100_000;

/// What to do to every selected token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkAction {
    Disable,
    Enable,
    Revoke,
    Delete,
    /// Moves the end of validity this much later (from now, for an expired token).
    Extend(Duration),
    /// Ends the validity this long from now: for tokens that never expire.
    SetExpiry(Duration),
    AddScope(i64),
    RemoveScope(i64),
    /// Keeps only the (module, action) pairs used within the health window: the
    /// token becomes Custom.
    DropUnusedPermissions,
}

/// How long an extension or a new expiry may be, in days.
pub const BULK_DAYS: [i64; 4] = [7, 30, 90, 365];

impl BulkAction {
    /// The lifecycle change the action is, for its permission and status rule.
    pub fn change(self) -> TokenChange {
        match self {
            BulkAction::Disable => TokenChange::Disable,
            BulkAction::Enable => TokenChange::Enable,
            BulkAction::Revoke => TokenChange::Revoke,
            BulkAction::Delete => TokenChange::Delete,
            _ => TokenChange::Edit,
        }
    }

    pub fn permission(self) -> Permission {
        self.change().permission()
    }

    /// `disable`, `extend`, `add_scope`… as forms and the API name it.
    pub fn key(self) -> &'static str {
        match self {
            BulkAction::Disable => "disable",
            BulkAction::Enable => "enable",
            BulkAction::Revoke => "revoke",
            BulkAction::Delete => "delete",
            BulkAction::Extend(_) => "extend",
            BulkAction::SetExpiry(_) => "set_expiry",
            BulkAction::AddScope(_) => "add_scope",
            BulkAction::RemoveScope(_) => "remove_scope",
            BulkAction::DropUnusedPermissions => "drop_unused_permissions",
        }
    }

    /// The action named `key`, with the days or the scope it needs.
    pub fn parse(key: &str, days: Option<i64>, scope: Option<i64>) -> Result<Self, &'static str> {
        let days = || match days {
            Some(d) if BULK_DAYS.contains(&d) => Ok(Duration::days(d)),
            _ => Err("Choose how many days: 7, 30, 90 or 365."),
        };
        let scope = || scope.ok_or("Choose a scope.");
        Ok(match key {
            "disable" => BulkAction::Disable,
            "enable" => BulkAction::Enable,
            "revoke" => BulkAction::Revoke,
            "delete" => BulkAction::Delete,
            "extend" => BulkAction::Extend(days()?),
            "set_expiry" => BulkAction::SetExpiry(days()?),
            "add_scope" => BulkAction::AddScope(scope()?),
            "remove_scope" => BulkAction::RemoveScope(scope()?),
            "drop_unused_permissions" => BulkAction::DropUnusedPermissions,
            _ => return Err("Choose an action."),
        })
    }

    /// "Disable", "Extend by 90 days", "Add to Staging": what the confirmation asks.
    pub fn describe(self, scope_name: &str) -> String {
        match self {
            BulkAction::Disable => "Disable".into(),
            BulkAction::Enable => "Enable".into(),
            BulkAction::Revoke => "Revoke".into(),
            BulkAction::Delete => "Delete".into(),
            BulkAction::Extend(d) => format!("Extend the expiry by {} days", d.whole_days()),
            BulkAction::SetExpiry(d) => format!("Set an expiry {} days from now", d.whole_days()),
            BulkAction::AddScope(_) => format!("Add to {scope_name}"),
            BulkAction::RemoveScope(_) => format!("Remove from {scope_name}"),
            BulkAction::DropUnusedPermissions => "Drop unused permissions".into(),
        }
    }
}

/// A token as an action sees it.
#[derive(Debug, Clone)]
pub struct BulkTarget<'a> {
    pub status: TokenStatus,
    pub valid_to: Option<PrimitiveDateTime>,
    pub scope_ids: &'a [i64],
    /// What the token may do, (module ID, action) — its type's pairs spelled out —
    /// and which of those it used within the window; read for the actions that
    /// need them only.
    pub grants: &'a [(i64, Action)],
    pub used: &'a [(i64, Action)],
}

/// What the action does to one token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkStep {
    Change(TokenChange),
    ValidTo(PrimitiveDateTime),
    Scopes(Vec<i64>),
    /// Custom, with exactly these grants.
    Permissions(Vec<(i64, Action)>),
}

/// What `action` does to `token` for an administrator with `access`, or why it
/// is skipped.
pub fn bulk_step(
    action: BulkAction,
    token: &BulkTarget<'_>,
    access: &ScopeAccess,
    now: PrimitiveDateTime,
) -> Result<BulkStep, String> {
    if !access.may_change(token.scope_ids) {
        return Err("It is also in scopes you do not manage.".into());
    }
    let change = action.change();
    change.allowed_from(token.status).map_err(str::to_owned)?;
    if !change.offered_from(token.status) {
        return Err(format!(
            "It is {} already.",
            token.status.label().to_lowercase()
        ));
    }
    match action {
        BulkAction::Extend(by) => match token.valid_to {
            None => Err("It never expires: set an expiry instead.".into()),
            Some(end) => Ok(BulkStep::ValidTo(end.max(now) + by)),
        },
        BulkAction::SetExpiry(_) if token.valid_to.is_some() => {
            Err("It has an expiry already: extend it instead.".into())
        }
        BulkAction::SetExpiry(after) => Ok(BulkStep::ValidTo(now + after)),
        BulkAction::AddScope(scope) if token.scope_ids.contains(&scope) => {
            Err("It is in this scope already.".into())
        }
        BulkAction::AddScope(scope) if !access.includes(scope) => {
            Err("You do not manage this scope.".into())
        }
        BulkAction::AddScope(scope) => {
            let mut scopes = token.scope_ids.to_vec();
            scopes.push(scope);
            scopes.sort_unstable();
            Ok(BulkStep::Scopes(scopes))
        }
        BulkAction::RemoveScope(scope) if !token.scope_ids.contains(&scope) => {
            Err("It is not in this scope.".into())
        }
        BulkAction::RemoveScope(_) if token.scope_ids.len() == 1 => {
            Err("This is its only scope, and a token needs one.".into())
        }
        BulkAction::RemoveScope(scope) => Ok(BulkStep::Scopes(
            token
                .scope_ids
                .iter()
                .copied()
                .filter(|s| *s != scope)
                .collect(),
        )),
        BulkAction::DropUnusedPermissions => {
            let kept: Vec<(i64, Action)> = token
                .grants
                .iter()
                .filter(|g| token.used.contains(g))
                .copied()
                .collect();
            if kept.is_empty() {
                Err("It used none of its permissions recently: disable it instead.".into())
            } else if kept.len() == token.grants.len() {
                Err("It used every permission it has.".into())
            } else {
                Ok(BulkStep::Permissions(kept))
            }
        }
        _ => Ok(BulkStep::Change(change)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: PrimitiveDateTime = datetime!(2026-12-07 10:00);

    fn target(status: TokenStatus, scope_ids: &[i64]) -> BulkTarget<'_> {
        BulkTarget {
            status,
            valid_to: Some(NOW + Duration::days(3)),
            scope_ids,
            grants: &[],
            used: &[],
        }
    }

    #[test]
    fn tokens_the_action_does_not_fit_are_skipped_with_the_reason() {
        let all = ScopeAccess::All;
        let active = target(TokenStatus::Active, &[1]);
        let revoked = target(TokenStatus::Revoked, &[1]);
        let disabled = target(TokenStatus::Disabled, &[1]);
        assert_eq!(
            bulk_step(BulkAction::Revoke, &active, &all, NOW),
            Ok(BulkStep::Change(TokenChange::Revoke))
        );
        assert_eq!(
            bulk_step(BulkAction::Revoke, &revoked, &all, NOW),
            Err("Only active tokens can be revoked.".into())
        );
        assert_eq!(
            bulk_step(BulkAction::Disable, &disabled, &all, NOW),
            Err("It is disabled already.".into())
        );
        assert!(bulk_step(BulkAction::Enable, &active, &all, NOW).is_err());
        assert!(bulk_step(BulkAction::Enable, &disabled, &all, NOW).is_ok());
        let shared = target(TokenStatus::Active, &[1, 2]);
        assert_eq!(
            bulk_step(
                BulkAction::Disable,
                &shared,
                &ScopeAccess::Scopes(vec![2]),
                NOW
            ),
            Err("It is also in scopes you do not manage.".into())
        );
    }

    #[test]
    fn expiries_move_later_or_begin() {
        let all = ScopeAccess::All;
        let ending = target(TokenStatus::Active, &[1]);
        let by = BulkAction::Extend(Duration::days(90));
        assert_eq!(
            bulk_step(by, &ending, &all, NOW),
            Ok(BulkStep::ValidTo(NOW + Duration::days(93)))
        );
        let expired = BulkTarget {
            valid_to: Some(NOW - Duration::days(10)),
            ..target(TokenStatus::Expired, &[1])
        };
        assert_eq!(
            bulk_step(by, &expired, &all, NOW),
            Ok(BulkStep::ValidTo(NOW + Duration::days(90))),
            "renewed from now"
        );
        let endless = BulkTarget {
            valid_to: None,
            ..target(TokenStatus::Active, &[1])
        };
        assert!(bulk_step(by, &endless, &all, NOW).is_err());
        let set = BulkAction::SetExpiry(Duration::days(30));
        assert_eq!(
            bulk_step(set, &endless, &all, NOW),
            Ok(BulkStep::ValidTo(NOW + Duration::days(30)))
        );
        assert!(bulk_step(set, &ending, &all, NOW).is_err());
    }

    #[test]
    fn scopes_are_added_and_removed_within_the_administrators_own() {
        let mine = ScopeAccess::Scopes(vec![1, 2]);
        let token = target(TokenStatus::Active, &[1]);
        assert_eq!(
            bulk_step(BulkAction::AddScope(2), &token, &mine, NOW),
            Ok(BulkStep::Scopes(vec![1, 2]))
        );
        assert!(bulk_step(BulkAction::AddScope(3), &token, &mine, NOW).is_err());
        assert!(bulk_step(BulkAction::RemoveScope(1), &token, &mine, NOW).is_err());
        let both = target(TokenStatus::Active, &[1, 2]);
        assert_eq!(
            bulk_step(BulkAction::RemoveScope(1), &both, &mine, NOW),
            Ok(BulkStep::Scopes(vec![2]))
        );
        assert!(bulk_step(BulkAction::AddScope(2), &both, &mine, NOW).is_err());
    }

    #[test]
    fn unused_permissions_are_dropped_down_to_those_used() {
        let all = ScopeAccess::All;
        let grants = [(1, Action::Read), (1, Action::Write), (2, Action::Read)];
        let used = [(1, Action::Read)];
        let token = BulkTarget {
            grants: &grants,
            used: &used,
            ..target(TokenStatus::Active, &[1])
        };
        assert_eq!(
            bulk_step(BulkAction::DropUnusedPermissions, &token, &all, NOW),
            Ok(BulkStep::Permissions(vec![(1, Action::Read)]))
        );
        let busy = BulkTarget {
            used: &grants,
            ..token.clone()
        };
        assert!(bulk_step(BulkAction::DropUnusedPermissions, &busy, &all, NOW).is_err());
        let idle = BulkTarget { used: &[], ..token };
        assert!(bulk_step(BulkAction::DropUnusedPermissions, &idle, &all, NOW).is_err());
    }

    #[test]
    fn actions_are_read_by_name_with_what_they_need() {
        assert_eq!(
            BulkAction::parse("disable", None, None),
            Ok(BulkAction::Disable)
        );
        assert_eq!(
            BulkAction::parse("extend", Some(90), None),
            Ok(BulkAction::Extend(Duration::days(90)))
        );
        assert!(BulkAction::parse("extend", Some(5), None).is_err());
        assert!(BulkAction::parse("add_scope", None, None).is_err());
        assert!(BulkAction::parse("explode", None, None).is_err());
    }
}
