//! The tokens of each health finding (see [`crate::domain::tokens::Finding`]):
//! active tokens the administrator sees, narrowed by the finding's rule. Scopes
//! are read from the token's own set of scopes, and what its usage says from its
//! facts ([`super::usage_facts`]).

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use time::PrimitiveDateTime;

use super::schema::token_clients;
use super::sql::{Bind, Sql};
use super::token_list::Number;
use super::{DbConnection, scope_policies};
use crate::domain::ids::TokenId;
use crate::domain::scopes::policy::{ScopePolicy, too_long_from};
use crate::domain::scopes::{ScopeAccess, seen_patterns};
use crate::domain::tokens::{Cutoffs, Finding, TokenStatus, TokenType};

/// Who looks, at which scope, and when.
#[derive(Debug, Clone)]
pub struct Lens {
    pub access: ScopeAccess,
    pub scope: Option<i64>,
    pub cutoffs: Cutoffs,
}

/// The active tokens the lens sees.
fn from_where(sql: &mut Sql, lens: &Lens) {
    sql.push(
        " FROM api_tokens t LEFT JOIN token_usage_facts f ON f.token_id = t.id WHERE t.status = ",
    )
    .bind(Bind::Integer(TokenStatus::Active.rank().into()));
    if let Some(patterns) = seen_patterns(&lens.access) {
        sql.push(" AND (1 = 0");
        for pattern in patterns {
            sql.push(" OR t.scope_set LIKE ").bind(Bind::Text(pattern));
        }
        sql.push(")");
    }
    if let Some(scope) = lens.scope {
        sql.push(" AND t.scope_set LIKE ")
            .bind(Bind::Text(format!("%,{scope},%")));
    }
}

/// The finding's rule about a token `t`, as a condition; `policies` are every
/// scope's.
fn condition(sql: &mut Sql, finding: Finding, c: &Cutoffs, policies: &HashMap<i64, ScopePolicy>) {
    let at = |t: PrimitiveDateTime| Bind::Timestamp(t);
    sql.push("(1 = 1");
    match finding {
        Finding::NeverUsed => {
            sql.push(" AND t.last_used_at IS NULL AND t.created_at < ")
                .bind(at(c.created_before));
        }
        Finding::Idle(days) => {
            sql.push(" AND t.last_used_at < ")
                .bind(at(c.idle_since(days)));
        }
        Finding::NoExpiry => {
            sql.push(" AND t.valid_to IS NULL");
        }
        Finding::Expiring => {
            sql.push(" AND t.valid_to > ").bind(at(c.now));
            sql.push(" AND t.valid_to <= ").bind(at(c.expiring_before));
        }
        Finding::UnusedPermissions => {
            // Older than the window, used for a module within it (so what it uses
            // is known: a service that never names a module tells nothing of its
            // needs), with a granted pair not used within it.
            sql.push(" AND t.created_at < ").bind(at(c.window_start));
            sql.push(" AND f.modules_used_at >= ")
                .bind(at(c.window_start));
            sql.push(" AND f.grants_used_until < ")
                .bind(at(c.window_start));
        }
        Finding::NewAddresses => {
            // A sixth address seen within the window, or an address first seen in
            // the last day by a token seen from another one before.
            sql.push(" AND (f.sixth_address_seen >= ")
                .bind(at(c.window_start));
            sql.push(" OR (f.newest_address_since >= ")
                .bind(at(c.day_start));
            sql.push(" AND f.oldest_address_since < ")
                .bind(at(c.day_start));
            sql.push("))");
        }
        Finding::PolicyBreach => {
            sql.push(" AND (1 = 0");
            for (scope, policy) in policies {
                sql.push(" OR (t.scope_set LIKE ")
                    .bind(Bind::Text(format!("%,{scope},%")));
                sql.push(" AND (1 = 0");
                breach(sql, *scope, policy, c.now);
                sql.push("))");
            }
            sql.push(")");
        }
    }
    sql.push(")");
}

/// A policy's rules broken by a token `t` of its scope, each as `OR` a condition:
/// what [`crate::domain::scopes::policy::Strictest::breaches`] finds, in SQL.
fn breach(sql: &mut Sql, scope: i64, policy: &ScopePolicy, now: PrimitiveDateTime) {
    if policy.max_lifetime_days.is_some() || policy.expiry_required {
        sql.push(" OR t.valid_to IS NULL");
    }
    if let Some(days) = policy.max_lifetime_days {
        // Ends on or after the midnight that ends the day `days` after now, and
        // the one `days` after its start (as `Strictest::breaches` says).
        let too_long = too_long_from(now, days).unwrap_or(PrimitiveDateTime::MAX);
        sql.push(" OR (t.valid_to >= ")
            .bind(Bind::Timestamp(too_long));
        if sql.postgres {
            sql.push(" AND t.valid_to >= date_trunc('day', t.valid_from) + make_interval(days => ")
                .bind(Bind::Integer(i32::try_from(days + 1).unwrap_or(i32::MAX)))
                .push("))");
        } else {
            sql.push(" AND julianday(t.valid_to) >= julianday(date(t.valid_from)) + ")
                .bind(Bind::BigInt(days + 1))
                .push(")");
        }
    }
    let forbidden = TokenType::ALL
        .into_iter()
        .filter(|t| !policy.allowed_types.contains(t))
        .map(|t| Bind::Text(t.key().to_owned()));
    sql.push(" OR t.token_type IN (")
        .bind_list(forbidden)
        .push(")");
    if policy.allowed_grants.is_some() {
        sql.push(" OR t.token_type <> ")
            .bind(Bind::Text(TokenType::Custom.key().to_owned()));
        sql.push(
            " OR EXISTS (SELECT 1 FROM api_token_permissions g WHERE g.token_id = t.id \
             AND NOT EXISTS (SELECT 1 FROM scope_policy_grants pg WHERE pg.scope_id = ",
        )
        .bind(Bind::BigInt(scope))
        .push(" AND pg.module_id = g.module_id AND pg.action = g.action))");
    }
    if policy.networks_required {
        sql.push(
            " OR NOT EXISTS (SELECT 1 FROM api_token_allowed_networks n WHERE n.token_id = t.id)",
        );
    }
}

#[derive(QueryableByName)]
struct Counts {
    #[diesel(sql_type = BigInt)]
    c0: i64,
    #[diesel(sql_type = BigInt)]
    c1: i64,
    #[diesel(sql_type = BigInt)]
    c2: i64,
    #[diesel(sql_type = BigInt)]
    c3: i64,
    #[diesel(sql_type = BigInt)]
    c4: i64,
    #[diesel(sql_type = BigInt)]
    c5: i64,
    #[diesel(sql_type = BigInt)]
    c6: i64,
}

/// How many tokens each finding holds, in one pass over the active tokens the
/// lens sees.
pub fn counts(
    conn: &mut DbConnection,
    findings: [Finding; 7],
    lens: &Lens,
) -> QueryResult<[(Finding, i64); 7]> {
    let policies = scope_policies::of_scopes(conn, None)?;
    let mut sql = Sql::new(conn);
    sql.push("SELECT ");
    for (i, finding) in findings.iter().enumerate() {
        sql.push(if i == 0 { "" } else { ", " })
            .push("CAST(COALESCE(SUM(CASE WHEN ");
        condition(&mut sql, *finding, &lens.cutoffs, &policies);
        sql.push(&format!(" THEN 1 ELSE 0 END), 0) AS BIGINT) AS c{i}"));
    }
    from_where(&mut sql, lens);
    let row = sql.load::<Counts>(conn)?.into_iter().next();
    let n = row.map_or([0; 7], |r| [r.c0, r.c1, r.c2, r.c3, r.c4, r.c5, r.c6]);
    Ok(std::array::from_fn(|i| (findings[i], n[i])))
}

/// The finding's tokens by name, at most `limit`.
pub fn token_ids(
    conn: &mut DbConnection,
    finding: Finding,
    lens: &Lens,
    limit: usize,
) -> QueryResult<Vec<TokenId>> {
    let policies = scope_policies::of_scopes(conn, None)?;
    let mut sql = Sql::new(conn);
    sql.push("SELECT t.id AS n");
    from_where(&mut sql, lens);
    sql.push(" AND ");
    condition(&mut sql, finding, &lens.cutoffs, &policies);
    sql.push(&format!(" ORDER BY t.name_key, t.id LIMIT {limit}"));
    Ok(sql
        .load::<Number>(conn)?
        .into_iter()
        .map(|n| TokenId(n.n))
        .collect())
}

/// The addresses each token was used from since `since`, with when each was
/// first seen, newest first.
pub fn addresses_since(
    conn: &mut DbConnection,
    ids: &[TokenId],
    since: PrimitiveDateTime,
) -> QueryResult<HashMap<TokenId, Vec<(String, PrimitiveDateTime)>>> {
    let mut found: HashMap<TokenId, Vec<(String, PrimitiveDateTime)>> = HashMap::new();
    for (token, ip, first_seen) in token_clients::table
        .filter(token_clients::token_id.eq_any(ids))
        .filter(token_clients::last_seen.ge(since))
        .order(token_clients::first_seen.desc())
        .select((
            token_clients::token_id,
            token_clients::client_ip,
            token_clients::first_seen,
        ))
        .load::<(TokenId, String, PrimitiveDateTime)>(conn)?
    {
        let seen = found.entry(token).or_default();
        if !seen.iter().any(|(known, _)| *known == ip) {
            seen.push((ip, first_seen));
        }
    }
    Ok(found)
}
