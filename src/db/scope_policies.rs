//! The scopes' policies: one row per scope that has rules, and the module ×
//! action pairs of those that limit grants.

use std::collections::HashMap;

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::DbConnection;
use super::schema::{scope_policies, scope_policy_grants};
use crate::domain::scopes::policy::ScopePolicy;
use crate::domain::tokens::{Action, TokenType};

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = scope_policies, treat_none_as_null = true)]
struct PolicyRow {
    scope_id: i64,
    max_lifetime_days: Option<i32>,
    expiry_required: bool,
    allow_read_only: bool,
    allow_full_access: bool,
    allow_custom: bool,
    limits_grants: bool,
    networks_required: bool,
    show_again: bool,
    updated_at: PrimitiveDateTime,
}

impl PolicyRow {
    fn policy(&self, grants: Vec<(i64, Action)>) -> ScopePolicy {
        let allowed = [
            (TokenType::ReadOnly, self.allow_read_only),
            (TokenType::FullAccess, self.allow_full_access),
            (TokenType::Custom, self.allow_custom),
        ];
        ScopePolicy {
            max_lifetime_days: self.max_lifetime_days.map(i64::from),
            expiry_required: self.expiry_required,
            allowed_types: allowed
                .into_iter()
                .filter(|(_, allowed)| *allowed)
                .map(|(t, _)| t)
                .collect(),
            allowed_grants: self.limits_grants.then_some(grants),
            networks_required: self.networks_required,
            show_again: self.show_again,
        }
    }
}

/// The policies of these scopes (of every scope with `None`), by scope; a scope
/// without rules has none here.
pub fn of_scopes(
    conn: &mut DbConnection,
    scope_ids: Option<&[i64]>,
) -> QueryResult<HashMap<i64, ScopePolicy>> {
    let mut rows = scope_policies::table.into_boxed();
    let mut pairs = scope_policy_grants::table.into_boxed();
    if let Some(ids) = scope_ids {
        rows = rows.filter(scope_policies::scope_id.eq_any(ids));
        pairs = pairs.filter(scope_policy_grants::scope_id.eq_any(ids));
    }
    let rows = rows.select(PolicyRow::as_select()).load(conn)?;
    if rows.is_empty() {
        return Ok(HashMap::new());
    }
    let mut grants: HashMap<i64, Vec<(i64, Action)>> = HashMap::new();
    for (scope, module, action) in pairs
        .order((scope_policy_grants::module_id, scope_policy_grants::action))
        .select((
            scope_policy_grants::scope_id,
            scope_policy_grants::module_id,
            scope_policy_grants::action,
        ))
        .load::<(i64, i64, String)>(conn)?
    {
        if let Some(action) = Action::from_key(&action) {
            grants.entry(scope).or_default().push((module, action));
        }
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let pairs = grants.remove(&row.scope_id).unwrap_or_default();
            (row.scope_id, row.policy(pairs))
        })
        .collect())
}

/// Replaces the scope's policy; no rule at all removes its row.
pub fn save(
    conn: &mut DbConnection,
    scope_id: i64,
    policy: &ScopePolicy,
    now: PrimitiveDateTime,
) -> QueryResult<()> {
    diesel::delete(scope_policies::table.find(scope_id)).execute(conn)?;
    if policy.is_unrestricted() {
        return Ok(());
    }
    let allows = |t| policy.allowed_types.contains(&t);
    diesel::insert_into(scope_policies::table)
        .values(PolicyRow {
            scope_id,
            max_lifetime_days: policy
                .max_lifetime_days
                .map(|d| i32::try_from(d).unwrap_or(i32::MAX)),
            expiry_required: policy.expiry_required,
            allow_read_only: allows(TokenType::ReadOnly),
            allow_full_access: allows(TokenType::FullAccess),
            allow_custom: allows(TokenType::Custom),
            limits_grants: policy.allowed_grants.is_some(),
            networks_required: policy.networks_required,
            show_again: policy.show_again,
            updated_at: now,
        })
        .execute(conn)?;
    for (module, action) in policy.allowed_grants.iter().flatten() {
        diesel::insert_into(scope_policy_grants::table)
            .values((
                scope_policy_grants::scope_id.eq(scope_id),
                scope_policy_grants::module_id.eq(*module),
                scope_policy_grants::action.eq(action.key()),
            ))
            .execute(conn)?;
    }
    Ok(())
}
