//! A token's set of scopes as one value: counts kept per set count each token once
//! however many of an administrator's scopes it is in.

use super::ScopeAccess;

/// A token's scopes as one value, stored with the token and with its counts: the IDs in order between commas
/// (`,1,5,`), `,` for none.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ScopeSet(String);

impl ScopeSet {
    pub fn of(mut ids: Vec<i64>) -> Self {
        ids.sort_unstable();
        ids.dedup();
        let mut key = String::from(",");
        for id in ids {
            key.push_str(&id.to_string());
            key.push(',');
        }
        Self(key)
    }

    pub fn from_stored(key: String) -> Self {
        Self(key)
    }

    pub fn key(&self) -> &str {
        &self.0
    }

    /// The administrator sees the tokens of this set.
    pub fn seen_by(&self, access: &ScopeAccess) -> bool {
        match access {
            ScopeAccess::All => true,
            ScopeAccess::Scopes(mine) => mine.iter().any(|id| self.0.contains(&format!(",{id},"))),
        }
    }
}

/// The `LIKE` patterns of the sets an administrator sees: `None` for every set,
/// none at all for an administrator without scopes.
pub fn seen_patterns(access: &ScopeAccess) -> Option<Vec<String>> {
    match access {
        ScopeAccess::All => None,
        ScopeAccess::Scopes(mine) => Some(mine.iter().map(|id| format!("%,{id},%")).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_is_its_sorted_distinct_ids_between_commas() {
        assert_eq!(ScopeSet::of(vec![5, 1, 5]).key(), ",1,5,");
        assert_eq!(ScopeSet::of(vec![]).key(), ",");
        let set = ScopeSet::of(vec![12, 3]);
        assert!(set.seen_by(&ScopeAccess::Scopes(vec![3])));
        assert!(
            !set.seen_by(&ScopeAccess::Scopes(vec![1, 2])),
            "12 is not 1 or 2"
        );
        assert!(!ScopeSet::of(vec![]).seen_by(&ScopeAccess::Scopes(vec![1])));
        assert!(ScopeSet::of(vec![]).seen_by(&ScopeAccess::All));
        assert_eq!(
            seen_patterns(&ScopeAccess::Scopes(vec![3])),
            Some(vec!["%,3,%".to_owned()])
        );
    }
}
