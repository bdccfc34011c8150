//! The token list for an export: every token the viewer sees that matches the
//! filter, in the list's order, a batch at a time, each with its scopes, grants
//! and networks by name.

use std::collections::HashMap;

use diesel::prelude::*;

use super::plan::{KeywordSearch, Share};
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

/// How far an export has read.
pub struct ExportWalk {
    filter: TokenFilter,
    visibility: ScopeAccess,
    share: Share,
    search: Option<KeywordSearch>,
    position: Option<PagePosition>,
}

impl ExportWalk {
    pub fn start(
        conn: &mut DbConnection,
        filter: TokenFilter,
        visibility: ScopeAccess,
    ) -> QueryResult<Self> {
        let (share, search) = prepare(conn, &filter, &visibility)?;
        Ok(Self {
            filter,
            visibility,
            share,
            search,
            position: Some(PagePosition::First),
        })
    }

    /// The next `size` tokens; none once all were read.
    pub fn next(&mut self, conn: &mut DbConnection, size: i64) -> QueryResult<Vec<ExportedToken>> {
        let Some(position) = self.position.take() else {
            return Ok(Vec::new());
        };
        let share = (self.share, self.search.as_ref());
        let mut ids = page_ids(conn, &self.filter, &self.visibility, share, &position, size)?;
        let more = ids.len() as i64 > size;
        ids.truncate(size as usize);
        let tokens = rows(conn, &ids)?;
        if more {
            let last = tokens.last().map(|t| t.cursor(self.filter.sort));
            self.position = last.map(PagePosition::After);
        }
        let mut scopes = grouped(
            api_token_scopes::table
                .inner_join(scopes::table)
                .filter(api_token_scopes::token_id.eq_any(&ids))
                .order(scopes::name_key.asc())
                .select((api_token_scopes::token_id, scopes::name))
                .load(conn)?,
        );
        let mut grants = grouped(
            api_token_permissions::table
                .inner_join(modules::table)
                .filter(api_token_permissions::token_id.eq_any(&ids))
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
                .filter(api_token_allowed_networks::token_id.eq_any(&ids))
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
