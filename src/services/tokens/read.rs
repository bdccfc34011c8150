//! Reading tokens: a page of the list, or one token, as the caller may see them.

use super::{Choices, TokenError};
use crate::db::catalog;
use crate::db::token_list::{self, PagePosition, TokenPage};
use crate::db::tokens::{self, TokenDetails};
use crate::domain::ids::Guid;
use crate::domain::permissions::Permission;
use crate::domain::token_list::TokenFilter;
use crate::services::{Caller, Services};

/// A page of the tokens the caller sees, matching `filter`.
pub async fn list(
    services: Services<'_>,
    caller: &Caller,
    filter: TokenFilter,
    position: PagePosition,
) -> Result<TokenPage, TokenError> {
    caller.require(Permission::TokensRead)?;
    let seen_by = caller.scopes.clone();
    services
        .db
        .run(move |c| {
            let rows = filter.page_size.rows();
            Ok(token_list::list(c, &filter, &seen_by, &position, rows)?)
        })
        .await
}

/// The token, if the caller sees it, and the keys of the modules (by ID) its
/// grants name.
pub async fn read(
    services: Services<'_>,
    caller: &Caller,
    guid: &Guid,
) -> Result<(TokenDetails, Vec<(i64, String)>), TokenError> {
    caller.require(Permission::TokensRead)?;
    let (seen_by, guid) = (caller.scopes.clone(), guid.clone());
    services
        .db
        .run(move |c| {
            let token = tokens::find(c, &guid, &seen_by)?.ok_or(TokenError::NotFound)?;
            Ok((token, catalog::module_keys(c)?))
        })
        .await
}

/// What the caller may name in a token: their scopes, and every module.
pub async fn catalog_for(services: Services<'_>, caller: &Caller) -> Result<Choices, TokenError> {
    let access = caller.scopes.clone();
    services
        .db
        .run(move |c| Ok(Choices::read(c, &access)?))
        .await
}
