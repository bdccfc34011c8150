//! The module catalog as verification uses it: the keys permissions are checked
//! against, the path prefixes forward-auth maps to modules, and what the token
//! types that grant on every module grant, prepared once for every answer.

use std::collections::BTreeSet;
use std::sync::Arc;

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
        }
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
