//! What bulk actions read and write of many tokens at once.

use std::collections::HashMap;

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::{TokenRow, TokenWriteError, unique_means};
use crate::db::schema::{
    api_token_permissions, api_token_scopes, api_tokens, modules, token_permission_uses,
};
use crate::db::{DbConnection, usage_facts};
use crate::domain::ids::{Guid, TokenId};
use crate::domain::scopes::{ScopeAccess, ScopeSet};
use crate::domain::tokens::{Action, TokenType};

/// The tokens with these IDs, each with its scope IDs, in the order of `ids`.
pub fn rows_with_scope_ids(
    conn: &mut DbConnection,
    ids: &[TokenId],
) -> QueryResult<Vec<(TokenRow, Vec<i64>)>> {
    let rows: Vec<TokenRow> = api_tokens::table
        .filter(api_tokens::id.eq_any(ids))
        .select(TokenRow::as_select())
        .load(conn)?;
    let mut scopes: HashMap<TokenId, Vec<i64>> = HashMap::new();
    for (token, scope) in api_token_scopes::table
        .filter(api_token_scopes::token_id.eq_any(ids))
        .select((api_token_scopes::token_id, api_token_scopes::scope_id))
        .load::<(TokenId, i64)>(conn)?
    {
        scopes.entry(token).or_default().push(scope);
    }
    let mut rows: Vec<(TokenRow, Vec<i64>)> = rows
        .into_iter()
        .map(|row| {
            let mut ids = scopes.remove(&row.id).unwrap_or_default();
            ids.sort_unstable();
            (row, ids)
        })
        .collect();
    rows.sort_by_key(|(row, _)| ids.iter().position(|id| *id == row.id));
    Ok(rows)
}

/// The IDs of the tokens with these GUIDs (those that exist).
pub fn ids_of(conn: &mut DbConnection, guids: &[Guid]) -> QueryResult<Vec<(Guid, TokenId)>> {
    api_tokens::table
        .filter(api_tokens::guid.eq_any(guids))
        .select((api_tokens::guid, api_tokens::id))
        .load(conn)
}

/// Those of `ids` the administrator sees.
pub fn visible_ids(
    conn: &mut DbConnection,
    ids: &[TokenId],
    access: &ScopeAccess,
) -> QueryResult<Vec<TokenId>> {
    match access {
        ScopeAccess::All => Ok(ids.to_vec()),
        ScopeAccess::Scopes(mine) => api_token_scopes::table
            .filter(api_token_scopes::token_id.eq_any(ids))
            .filter(api_token_scopes::scope_id.eq_any(mine))
            .select(api_token_scopes::token_id)
            .distinct()
            .load(conn),
    }
}

pub fn set_valid_to(
    conn: &mut DbConnection,
    id: TokenId,
    to: PrimitiveDateTime,
) -> QueryResult<()> {
    diesel::update(api_tokens::table.find(id))
        .set(api_tokens::valid_to.eq(to))
        .execute(conn)?;
    Ok(())
}

/// Puts a live token in exactly these scopes; its name must be free in each.
pub fn set_scopes(
    conn: &mut DbConnection,
    id: TokenId,
    name_key: &str,
    scope_ids: &[i64],
) -> Result<(), TokenWriteError> {
    diesel::delete(api_token_scopes::table.filter(api_token_scopes::token_id.eq(id)))
        .execute(conn)?;
    for scope_id in scope_ids {
        diesel::insert_into(api_token_scopes::table)
            .values((
                api_token_scopes::token_id.eq(id),
                api_token_scopes::scope_id.eq(scope_id),
                api_token_scopes::live_name_key.eq(name_key),
            ))
            .execute(conn)
            .map_err(unique_means(TokenWriteError::NameTaken))?;
    }
    diesel::update(api_tokens::table.find(id))
        .set(api_tokens::scope_set.eq(ScopeSet::of(scope_ids.to_vec()).key()))
        .execute(conn)?;
    Ok(())
}

/// Per token: (module ID, action) pairs.
pub type Pairs = HashMap<TokenId, Vec<(i64, Action)>>;

/// What each token may do, its type's pairs spelled out over every module.
pub fn grants_of(conn: &mut DbConnection, rows: &[(TokenId, TokenType)]) -> QueryResult<Pairs> {
    let modules: Vec<i64> = modules::table.select(modules::id).load(conn)?;
    let custom: Vec<TokenId> = rows
        .iter()
        .filter(|(_, t)| *t == TokenType::Custom)
        .map(|(id, _)| *id)
        .collect();
    let mut grants: Pairs = HashMap::new();
    for (token, module, action) in api_token_permissions::table
        .filter(api_token_permissions::token_id.eq_any(&custom))
        .select((
            api_token_permissions::token_id,
            api_token_permissions::module_id,
            api_token_permissions::action,
        ))
        .load::<(TokenId, i64, Action)>(conn)?
    {
        grants.entry(token).or_default().push((module, action));
    }
    for (id, token_type) in rows {
        let actions: &[Action] = match token_type {
            TokenType::ReadOnly => &[Action::Read],
            TokenType::FullAccess => &Action::ALL,
            TokenType::Custom => continue,
        };
        let pairs = modules
            .iter()
            .flat_map(|m| actions.iter().map(move |a| (*m, *a)));
        grants.insert(*id, pairs.collect());
    }
    Ok(grants)
}

/// The (module ID, action) pairs each token was allowed to use since `since`.
pub fn used_since(
    conn: &mut DbConnection,
    ids: &[TokenId],
    since: PrimitiveDateTime,
) -> QueryResult<Pairs> {
    let mut used: Pairs = HashMap::new();
    for (token, module, action) in token_permission_uses::table
        .inner_join(modules::table.on(modules::module_key.eq(token_permission_uses::module)))
        .filter(token_permission_uses::token_id.eq_any(ids))
        .filter(token_permission_uses::last_used_at.ge(since))
        .select((
            token_permission_uses::token_id,
            modules::id,
            token_permission_uses::action,
        ))
        .load::<(TokenId, i64, String)>(conn)?
    {
        if let Some(action) = Action::from_key(&action) {
            used.entry(token).or_default().push((module, action));
        }
    }
    Ok(used)
}

/// Makes the token Custom with exactly these grants.
pub fn set_permissions(
    conn: &mut DbConnection,
    id: TokenId,
    grants: &[(i64, Action)],
) -> QueryResult<()> {
    diesel::delete(api_token_permissions::table.filter(api_token_permissions::token_id.eq(id)))
        .execute(conn)?;
    for (module, action) in grants {
        diesel::insert_into(api_token_permissions::table)
            .values((
                api_token_permissions::token_id.eq(id),
                api_token_permissions::module_id.eq(module),
                api_token_permissions::action.eq(action),
            ))
            .execute(conn)?;
    }
    diesel::update(api_tokens::table.find(id))
        .set(api_tokens::token_type.eq(TokenType::Custom))
        .execute(conn)?;
    usage_facts::refresh_after_grants(conn, &[id])
}
