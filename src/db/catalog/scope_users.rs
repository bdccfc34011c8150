//! What uses a scope: the live tokens in it, and the administrators, API keys
//! and webhooks limited to it.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::DbConnection;
use crate::db::schema::{
    admin_api_key_scopes, admin_api_keys, administrator_scopes, administrators, api_token_scopes,
    api_tokens, role_permissions, webhook_endpoint_scopes, webhook_endpoints,
};
use crate::domain::admins::label;
use crate::domain::catalog::ScopeUsers;
use crate::domain::permissions::Permission;
use crate::domain::webhooks::destination::redacted;

/// Who would lose the scope `id` at `now`. Revoked and expired keys, and
/// administrators whose role sees every scope, lose nothing that matters.
pub fn scope_users(
    conn: &mut DbConnection,
    id: i64,
    now: PrimitiveDateTime,
) -> QueryResult<ScopeUsers> {
    let tokens = api_token_scopes::table
        .inner_join(api_tokens::table)
        .filter(api_token_scopes::scope_id.eq(id))
        .filter(api_tokens::deleted_at.is_null())
        .count()
        .get_result(conn)?;
    let every_scope_roles: Vec<String> = role_permissions::table
        .filter(role_permissions::permission.eq(Permission::AllScopes.key()))
        .select(role_permissions::role_key)
        .load(conn)?;
    let administrators = administrator_scopes::table
        .inner_join(administrators::table)
        .filter(administrator_scopes::scope_id.eq(id))
        .order(administrators::display_name)
        .select((
            administrators::display_name,
            administrators::public_id,
            administrators::role_key,
        ))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .filter(|(_, _, role)| !every_scope_roles.contains(role))
        .map(|(name, public_id, _)| label(&name, &public_id))
        .collect();
    let api_keys = admin_api_key_scopes::table
        .inner_join(admin_api_keys::table.inner_join(administrators::table))
        .filter(admin_api_key_scopes::scope_id.eq(id))
        .filter(admin_api_keys::revoked_at.is_null())
        .filter(admin_api_keys::expires_at.gt(now))
        .order(admin_api_keys::name)
        .select((admin_api_keys::name, administrators::display_name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .map(|(key, owner)| format!("\u{201c}{key}\u{201d} of {owner}"))
        .collect();
    let webhooks = webhook_endpoint_scopes::table
        .inner_join(webhook_endpoints::table)
        .filter(webhook_endpoint_scopes::scope_id.eq(id))
        .filter(webhook_endpoints::every_scope.eq(false))
        .order(webhook_endpoints::id)
        .select(webhook_endpoints::url)
        .load::<String>(conn)?
        .iter()
        .map(|url| redacted(url))
        .collect();
    Ok(ScopeUsers {
        tokens,
        administrators,
        api_keys,
        webhooks,
    })
}
