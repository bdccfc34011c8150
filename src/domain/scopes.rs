//! Which tokens an administrator works with, by scope. Seeing a token needs one
//! of its scopes (the list shows tokens "for selected scopes"); changing it, or
//! showing its value, needs every one of them, so that one team cannot disable,
//! edit or delete another team's token.

pub mod policy;
mod set;

pub use set::{ScopeSet, seen_patterns};

use super::permissions::{Permission, PermissionSet};

/// The scopes an administrator works in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeAccess {
    /// Every scope (Super Admins).
    All,
    /// The scopes assigned (IDs); none at all sees nothing.
    Scopes(Vec<i64>),
}

impl ScopeAccess {
    /// The scopes of an administrator with these permissions and assigned scopes.
    pub fn of(permissions: PermissionSet, assigned: Vec<i64>) -> Self {
        if permissions.contains(Permission::AllScopes) {
            ScopeAccess::All
        } else {
            ScopeAccess::Scopes(assigned)
        }
    }

    /// The scope is one of the administrator's (or they have every scope).
    pub fn includes(&self, scope: i64) -> bool {
        self.sees(&[scope])
    }

    /// Sees a token in these scopes: one of them is the administrator's.
    pub fn sees(&self, token_scopes: &[i64]) -> bool {
        match self {
            ScopeAccess::All => true,
            ScopeAccess::Scopes(mine) => token_scopes.iter().any(|s| mine.contains(s)),
        }
    }

    /// May change a token in these scopes: every one of them is the administrator's.
    pub fn may_change(&self, token_scopes: &[i64]) -> bool {
        match self {
            ScopeAccess::All => true,
            ScopeAccess::Scopes(mine) => token_scopes.iter().all(|s| mine.contains(s)),
        }
    }

    /// Every scope of this access is also one of `other`'s.
    pub fn within(&self, other: &ScopeAccess) -> bool {
        match (self, other) {
            (_, ScopeAccess::All) => true,
            (ScopeAccess::All, ScopeAccess::Scopes(_)) => false,
            (ScopeAccess::Scopes(mine), ScopeAccess::Scopes(theirs)) => {
                mine.iter().all(|s| theirs.contains(s))
            }
        }
    }

    /// The names of the token's scopes (ID, name) that are not the administrator's:
    /// none means they may change it, as [`Self::may_change`] says.
    pub fn foreign<'a>(&self, token_scopes: &'a [(i64, String)]) -> Vec<&'a str> {
        match self {
            ScopeAccess::All => Vec::new(),
            ScopeAccess::Scopes(mine) => token_scopes
                .iter()
                .filter(|(id, _)| !mine.contains(id))
                .map(|(_, name)| name.as_str())
                .collect(),
        }
    }
}

/// The scope IDs a form chose (sorted, once each); at least one, and only among
/// `usable` (those that exist and the administrator may use).
pub fn chosen(
    errors: &mut super::validation::FieldErrors,
    submitted: &[String],
    usable: &[i64],
) -> Vec<i64> {
    let mut ids: Vec<i64> = submitted
        .iter()
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        errors.add("scopes", "Choose at least one scope.");
    } else if ids.iter().any(|id| !usable.contains(id)) {
        errors.add(
            "scopes",
            "Choose only scopes that exist and that you may use.",
        );
    }
    ids
}

/// Why a token cannot be changed by an administrator who sees it.
pub fn change_refusal(token_name: &str, foreign: &[&str]) -> String {
    format!(
        "\u{201c}{token_name}\u{201d} is also in {}, which you do not manage. Only an administrator of all its scopes, or a Super Admin, can change it.",
        foreign.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_scope_shows_a_token_and_all_of_them_change_it() {
        let staging = ScopeAccess::Scopes(vec![2]);
        // "Catalog read-only": Production (1) and Staging (2).
        assert!(staging.sees(&[1, 2]));
        assert!(!staging.may_change(&[1, 2]));
        assert!(staging.may_change(&[2]));
        assert!(!staging.sees(&[1]));
        assert!(!staging.may_change(&[1]));
        let both = ScopeAccess::Scopes(vec![1, 2, 3]);
        assert!(both.may_change(&[1, 2]));
        assert!(ScopeAccess::All.may_change(&[1, 2]));
        assert!(ScopeAccess::All.sees(&[7]));
        let none = ScopeAccess::Scopes(Vec::new());
        assert!(!none.sees(&[1]));
        assert!(!none.may_change(&[1]));
    }

    #[test]
    fn the_refusal_names_the_scopes_that_are_not_yours() {
        let scopes = vec![(1, "Production".to_owned()), (2, "Staging".to_owned())];
        let staging = ScopeAccess::Scopes(vec![2]);
        let foreign = staging.foreign(&scopes);
        assert_eq!(foreign, vec!["Production"]);
        assert!(change_refusal("Catalog read-only", &foreign).contains("also in Production"));
        assert!(ScopeAccess::All.foreign(&scopes).is_empty());
        let both = ScopeAccess::Scopes(vec![1, 2]);
        assert!(both.foreign(&scopes).is_empty() && both.may_change(&[1, 2]));
    }
}
