//! What uses a module: the live tokens that may call it, and the Custom tokens
//! granted it one by one.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{api_token_permissions, api_tokens, modules};
use crate::domain::catalog::ModuleUsers;
use crate::domain::tokens::TokenType;

/// What uses each module (by ID): every live token of a type that calls every
/// module, and the live Custom tokens granted it.
pub fn module_users(conn: &mut DbConnection) -> QueryResult<HashMap<i64, ModuleUsers>> {
    let every_module: i64 = api_tokens::table
        .filter(api_tokens::deleted_at.is_null())
        .filter(api_tokens::token_type.ne(TokenType::Custom.key()))
        .count()
        .get_result(conn)?;
    let granted: Vec<(i64, i64)> = api_token_permissions::table
        .inner_join(api_tokens::table)
        .filter(api_tokens::deleted_at.is_null())
        .filter(api_tokens::token_type.eq(TokenType::Custom.key()))
        .group_by(api_token_permissions::module_id)
        .select((
            api_token_permissions::module_id,
            diesel::dsl::count(api_token_permissions::token_id).aggregate_distinct(),
        ))
        .load(conn)?;
    let mut users: HashMap<i64, ModuleUsers> = modules::table
        .select(modules::id)
        .load::<i64>(conn)?
        .into_iter()
        .map(|id| {
            let users = ModuleUsers {
                tokens: every_module,
                granted: 0,
            };
            (id, users)
        })
        .collect();
    for (module, count) in granted {
        if let Some(users) = users.get_mut(&module) {
            users.granted = count;
            users.tokens += count;
        }
    }
    Ok(users)
}
