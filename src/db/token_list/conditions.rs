//! The WHERE and ORDER BY of the list: filters, visibility, status, sort keys.

use time::PrimitiveDateTime;

use crate::db::sql::{Bind, Sql};
use crate::domain::scopes::ScopeAccess;
use crate::domain::token_list::{SortKey, StatusFilter, TokenFilter};
use crate::domain::tokens::TokenStatus;

/// The expression a sort key orders by. Must match the indexes of the migrations
/// character for character, or the database sorts instead of walking an index.
pub fn sort_expression(sql: &mut Sql, sort: SortKey, now: PrimitiveDateTime) {
    match sort {
        SortKey::Name => {
            sql.push("t.name_key");
        }
        SortKey::Created => {
            sql.push("t.created_at");
        }
        SortKey::LastUsed => {
            let never = sql.timestamp_literal(SortKey::NEVER_USED_SQL);
            sql.push(&format!("COALESCE(t.last_used_at, {never})"));
        }
        SortKey::Expires => {
            let never = sql.timestamp_literal(SortKey::NEVER_EXPIRES_SQL);
            sql.push(&format!("COALESCE(t.valid_to, {never})"));
        }
        SortKey::Status => {
            // The rank of the first status whose own condition holds.
            sql.push("(CASE");
            for status in TokenStatus::PRECEDENCE {
                if status == TokenStatus::Active {
                    continue;
                }
                sql.push(" WHEN ");
                own_condition(sql, status, true, now);
                sql.push(&format!(" THEN {}", status.rank()));
            }
            sql.push(&format!(" ELSE {} END)", TokenStatus::Active.rank()));
        }
    }
}

/// The SQL of a status's own condition ([`TokenStatus::holds`]), or of its
/// negation; none for Active, whose condition always holds.
fn own_condition(sql: &mut Sql, status: TokenStatus, holds: bool, now: PrimitiveDateTime) {
    let (text, bound) = match (status, holds) {
        (TokenStatus::Deleted, true) => ("t.deleted_at IS NOT NULL", false),
        (TokenStatus::Deleted, false) => ("t.deleted_at IS NULL", false),
        (TokenStatus::Revoked, true) => ("t.revoked_at IS NOT NULL", false),
        (TokenStatus::Revoked, false) => ("t.revoked_at IS NULL", false),
        (TokenStatus::Disabled, true) => ("t.disabled_at IS NOT NULL", false),
        (TokenStatus::Disabled, false) => ("t.disabled_at IS NULL", false),
        (TokenStatus::Expired, true) => ("t.valid_to IS NOT NULL AND t.valid_to <= ", true),
        (TokenStatus::Expired, false) => ("(t.valid_to IS NULL OR t.valid_to > ", true),
        (TokenStatus::Scheduled, true) => ("t.valid_from > ", true),
        (TokenStatus::Scheduled, false) => ("t.valid_from <= ", true),
        (TokenStatus::Active, _) => return,
    };
    sql.push(text);
    if bound {
        sql.bind(Bind::Timestamp(now));
    }
    if (status, holds) == (TokenStatus::Expired, false) {
        sql.push(")");
    }
}

/// The condition of one precise status, as of `now`: its own, and none of those
/// that take precedence over it.
fn status_condition(sql: &mut Sql, status: TokenStatus, now: PrimitiveDateTime) {
    let earlier = TokenStatus::PRECEDENCE
        .into_iter()
        .take_while(|s| *s != status);
    let mut first = true;
    for (other, holds) in earlier.map(|s| (s, false)).chain([(status, true)]) {
        if other == TokenStatus::Active {
            continue;
        }
        if !first {
            sql.push(" AND ");
        }
        first = false;
        own_condition(sql, other, holds, now);
    }
    if first {
        sql.push("1 = 1");
    }
}

/// `%text%` for LIKE, with LIKE's own wildcards taken literally.
fn contains_pattern(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 2);
    escaped.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped.push('%');
    escaped
}

/// Which query the conditions are for: SQLite answers each fastest with a different
/// form of the scope condition (measured in bench/token_list.sh).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Page,
    Count,
}

pub fn where_clause(
    sql: &mut Sql,
    filter: &TokenFilter,
    visibility: &ScopeAccess,
    now: PrimitiveDateTime,
    purpose: Purpose,
) {
    sql.push(" WHERE 1 = 1");
    if let ScopeAccess::Scopes(ids) = visibility {
        if ids.is_empty() {
            sql.push(" AND 1 = 0");
        } else {
            // A page walks the sort index and checks each row; a count starts from
            // the tokens of those scopes.
            sql.push(match purpose {
                Purpose::Page => {
                    " AND EXISTS (SELECT 1 FROM api_token_scopes vs WHERE vs.token_id = t.id AND vs.scope_id IN ("
                }
                Purpose::Count => " AND t.id IN (SELECT vs.token_id FROM api_token_scopes vs WHERE vs.scope_id IN (",
            });
            for (i, id) in ids.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.bind(Bind::BigInt(*id));
            }
            sql.push("))");
        }
    }
    if let Some(scope_id) = filter.scope_id {
        sql.push(" AND EXISTS (SELECT 1 FROM api_token_scopes fs WHERE fs.token_id = t.id AND fs.scope_id = ");
        sql.bind(Bind::BigInt(scope_id));
        sql.push(")");
    }
    if let Some(creator) = filter.created_by {
        sql.push(" AND t.created_by = ");
        sql.bind(Bind::BigInt(creator.0));
    }
    for keyword in &filter.keywords {
        sql.push(" AND t.name_key LIKE ");
        sql.bind(Bind::Text(contains_pattern(keyword)));
        sql.push(" ESCAPE '\\'");
    }
    if let Some(guid) = &filter.guid {
        // GUIDs are found by their beginning (or whole), with the GUID index.
        if guid.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
            sql.push(" AND t.guid >= ");
            sql.bind(Bind::Text(guid.clone()));
            sql.push(" AND t.guid < ");
            sql.bind(Bind::Text(format!("{guid}~")));
        } else {
            sql.push(" AND 1 = 0");
        }
    }
    match filter.status {
        StatusFilter::AllButDeleted => {
            sql.push(" AND t.deleted_at IS NULL");
        }
        StatusFilter::Inactive => {
            sql.push(" AND t.deleted_at IS NULL AND NOT (");
            status_condition(sql, TokenStatus::Active, now);
            sql.push(")");
        }
        StatusFilter::Is(status) => {
            sql.push(" AND ");
            status_condition(sql, status, now);
        }
    }
}
