//! The module catalog as verification uses it: the keys permissions are checked
//! against, the path prefixes forward-auth maps to modules, and what the token
//! types that grant on every module grant, prepared once for every answer.

use std::collections::{BTreeSet, HashSet};
use std::sync::{Arc, Mutex};

use super::answers;
use crate::domain::tokens::{Action, TokenType};

/// The modules, for permission checks and for mapping paths to modules.
#[derive(Debug)]
pub struct Catalog {
    /// Sorted, as answers list them; shared by the cached tokens' grants.
    pub keys: BTreeSet<Arc<str>>,
    /// (path prefix, module key)
    pub prefixes: Vec<(String, String)>,
    read_only: Everywhere,
    full_access: Everywhere,
    /// The `scopes` arrays of `/verify` answers, written once per set of scope
    /// names and shared by every cached token with that set: a few sets serve
    /// thousands of tokens, from memory the processor's caches keep.
    scope_sets: Mutex<HashSet<Arc<[u8]>>>,
}

/// What a token type grants on every module: its (module, action) pairs, sorted by
/// key, and the `permissions` object of a `/verify` answer written from them.
#[derive(Debug)]
struct Everywhere {
    grants: Box<[(Arc<str>, Action)]>,
    permissions: Box<[u8]>,
}

impl Everywhere {
    fn of(token_type: TokenType, keys: &BTreeSet<Arc<str>>) -> Self {
        let grants: Box<[(Arc<str>, Action)]> = keys
            .iter()
            .flat_map(|key| {
                Action::ALL
                    .into_iter()
                    .filter(move |a| token_type.grants_everywhere(*a))
                    .map(move |a| (key.clone(), a))
            })
            .collect();
        let mut permissions = Vec::new();
        answers::permissions(&mut permissions, &grants);
        Self {
            grants,
            permissions: permissions.into_boxed_slice(),
        }
    }
}

impl Catalog {
    pub fn new(keys: BTreeSet<Arc<str>>, prefixes: Vec<(String, String)>) -> Self {
        Self {
            read_only: Everywhere::of(TokenType::ReadOnly, &keys),
            full_access: Everywhere::of(TokenType::FullAccess, &keys),
            keys,
            prefixes,
            scope_sets: Mutex::default(),
        }
    }

    /// The `scopes` array of a `/verify` answer for these names, as JSON.
    pub fn scopes_answer(&self, names: &[String]) -> Arc<[u8]> {
        let mut written = Vec::new();
        answers::strings(&mut written, names.iter().map(String::as_str));
        let mut sets = self.scope_sets.lock().expect("scope sets lock");
        if let Some(shared) = sets.get(written.as_slice()) {
            return shared.clone();
        }
        let shared: Arc<[u8]> = written.into();
        sets.insert(shared.clone());
        shared
    }

    /// Every (module, action) a token of this type grants on every module; none
    /// for a custom token, whose grants are its own.
    pub fn granted_everywhere(&self, token_type: TokenType) -> &[(Arc<str>, Action)] {
        self.everywhere(token_type).map_or(&[], |e| &e.grants)
    }

    /// The `permissions` object of a `/verify` answer for a token of this type,
    /// already written; `None` for a custom token.
    pub fn permissions_everywhere(&self, token_type: TokenType) -> Option<&[u8]> {
        self.everywhere(token_type).map(|e| &*e.permissions)
    }

    fn everywhere(&self, token_type: TokenType) -> Option<&Everywhere> {
        match token_type {
            TokenType::ReadOnly => Some(&self.read_only),
            TokenType::FullAccess => Some(&self.full_access),
            TokenType::Custom => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_of_the_same_scopes_share_one_written_answer() {
        let catalog = Catalog::new(BTreeSet::new(), Vec::new());
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let first = catalog.scopes_answer(&names(&["Production", "Say \"hi\" \\ é"]));
        let again = catalog.scopes_answer(&names(&["Production", "Say \"hi\" \\ é"]));
        let other = catalog.scopes_answer(&names(&["Production"]));
        assert!(Arc::ptr_eq(&first, &again));
        assert!(!Arc::ptr_eq(&first, &other));
        let expected = serde_json::to_vec(&["Production", "Say \"hi\" \\ é"]).unwrap();
        assert_eq!(&*first, expected.as_slice());
        assert_eq!(&*catalog.scopes_answer(&[]), b"[]");
    }
}
