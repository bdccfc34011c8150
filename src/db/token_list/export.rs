//! The token list for an export: every token the viewer sees that matches the
//! filter, in the list's order, each with its scopes, grants and networks by name.
//! Which tokens, and in what order, is read once at the start (8 bytes a token):
//! a token whose sort value changes meanwhile (its last use, say) is neither
//! skipped nor repeated. The rows are read a batch at a time.

use std::collections::HashMap;

use diesel::prelude::*;

use super::{ListedToken, PagePosition, page_ids, prepare, rows};
use crate::db::DbConnection;
use crate::db::schema::{
    api_token_allowed_networks, api_token_permissions, api_token_scopes, modules, scopes,
};
use crate::domain::ids::TokenId;
use crate::domain::scopes::ScopeAccess;
use crate::domain::token_list::TokenFilter;

pub struct ExportedToken {
    pub token: ListedToken,
    pub scopes: Vec<String>,
    /// `module:action`, for Custom tokens.
    pub grants: Vec<String>,
    pub networks: Vec<String>,
}

/// The tokens of an export, and how many were read.
pub struct ExportWalk {
    ids: Vec<TokenId>,
    read: usize,
}

impl ExportWalk {
    pub fn start(
        conn: &mut DbConnection,
        filter: &TokenFilter,
        visibility: &ScopeAccess,
    ) -> QueryResult<Self> {
        let (share, search) = prepare(conn, filter, visibility)?;
        let everything = &PagePosition::First;
        let ids = page_ids(
            conn,
            filter,
            visibility,
            (share, search.as_ref()),
            everything,
            None,
        )?;
        Ok(Self { ids, read: 0 })
    }

    /// The next `size` tokens; none once all were read.
    pub fn next(
        &mut self,
        conn: &mut DbConnection,
        size: usize,
    ) -> QueryResult<Vec<ExportedToken>> {
        let end = (self.read + size).min(self.ids.len());
        let ids = &self.ids[self.read..end];
        self.read = end;
        let tokens = rows(conn, ids)?;
        if tokens.is_empty() && end < self.ids.len() {
            // Removed since the start, every one: on to the next batch.
            return self.next(conn, size);
        }
        let mut scopes = grouped(
            api_token_scopes::table
                .inner_join(scopes::table)
                .filter(api_token_scopes::token_id.eq_any(ids))
                .order(scopes::name_key.asc())
                .select((api_token_scopes::token_id, scopes::name))
                .load(conn)?,
        );
        let mut grants = grouped(
            api_token_permissions::table
                .inner_join(modules::table)
                .filter(api_token_permissions::token_id.eq_any(ids))
                .order((
                    modules::module_key.asc(),
                    api_token_permissions::action.asc(),
                ))
                .select((
                    api_token_permissions::token_id,
                    modules::module_key
                        .concat(":")
                        .concat(api_token_permissions::action),
                ))
                .load(conn)?,
        );
        let mut networks = grouped(
            api_token_allowed_networks::table
                .filter(api_token_allowed_networks::token_id.eq_any(ids))
                .order(api_token_allowed_networks::cidr.asc())
                .select((
                    api_token_allowed_networks::token_id,
                    api_token_allowed_networks::cidr,
                ))
                .load(conn)?,
        );
        Ok(tokens
            .into_iter()
            .map(|token| ExportedToken {
                scopes: scopes.remove(&token.id).unwrap_or_default(),
                grants: grants.remove(&token.id).unwrap_or_default(),
                networks: networks.remove(&token.id).unwrap_or_default(),
                token,
            })
            .collect())
    }
}

fn grouped(pairs: Vec<(TokenId, String)>) -> HashMap<TokenId, Vec<String>> {
    let mut by_token: HashMap<TokenId, Vec<String>> = HashMap::new();
    for (token, value) in pairs {
        by_token.entry(token).or_default().push(value);
    }
    by_token
}
