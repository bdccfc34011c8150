//! The WHERE and ORDER BY of the list: filters, visibility, status, sort keys.

use crate::db::sql::{Bind, Sql};
use crate::domain::scopes::ScopeAccess;
use crate::domain::token_list::{SortKey, StatusFilter, TokenFilter, words};
use crate::domain::tokens::TokenStatus;

/// The expression a sort key orders by. Must match the indexes of the migrations
/// character for character, or the database sorts instead of walking an index.
pub fn sort_expression(sql: &mut Sql, sort: SortKey) {
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
            // Stored by the one rule, refreshed before the list is read.
            sql.push("t.status");
        }
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

/// How much of the list an administrator's scopes hold, which decides where a
/// query starts: from the scope index when they hold few tokens, from the sort
/// order's index (checking each token's scopes) when they hold many.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ScopeShare {
    Few,
    Many,
}

pub fn where_clause(
    sql: &mut Sql,
    filter: &TokenFilter,
    visibility: &ScopeAccess,
    share: ScopeShare,
) {
    sql.push(" WHERE 1 = 1");
    if let ScopeAccess::Scopes(ids) = visibility {
        if ids.is_empty() {
            sql.push(" AND 1 = 0");
        } else {
            sql.push(match share {
                ScopeShare::Many => {
                    " AND EXISTS (SELECT 1 FROM api_token_scopes vs WHERE vs.token_id = t.id AND vs.scope_id IN ("
                }
                ScopeShare::Few => " AND t.id IN (SELECT vs.token_id FROM api_token_scopes vs WHERE vs.scope_id IN (",
            });
            sql.bind_list(ids.iter().map(|id| Bind::BigInt(*id)));
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
    keyword_condition(sql, &filter.keywords);
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
    // Wide filters are written so no index applies (the sort order's index is
    // walked instead); a single status walks the status index.
    let rank = |status: TokenStatus| i32::from(status.rank());
    match filter.status {
        StatusFilter::AllButDeleted => {
            sql.push(" AND t.status <> ");
            sql.bind(Bind::Integer(rank(TokenStatus::Deleted)));
        }
        StatusFilter::Inactive => {
            sql.push(" AND t.status NOT IN (");
            sql.bind(Bind::Integer(rank(TokenStatus::Active)));
            sql.push(", ");
            sql.bind(Bind::Integer(rank(TokenStatus::Deleted)));
            sql.push(")");
        }
        StatusFilter::Is(status) => {
            sql.push(" AND t.status = ");
            sql.bind(Bind::Integer(rank(status)));
        }
    }
}

/// Every keyword's words must begin words of the name, found with the search index;
/// a keyword without letters or digits is looked for anywhere in the name.
fn keyword_condition(sql: &mut Sql, keywords: &[String]) {
    let all: Vec<&str> = keywords.iter().flat_map(|k| words(k)).collect();
    if !all.is_empty() {
        if sql.postgres {
            let query: Vec<String> = all.iter().map(|w| format!("{w}:*")).collect();
            sql.push(
                " AND to_tsvector('simple', regexp_replace(t.name_key, '[^[:alnum:]]+', ' ', 'g')) \
                 @@ to_tsquery('simple', ",
            );
            sql.bind(Bind::Text(query.join(" & ")));
            sql.push(")");
        } else {
            let query: Vec<String> = all.iter().map(|w| format!("\"{w}\"*")).collect();
            sql.push(
                " AND t.id IN (SELECT rowid FROM api_tokens_search WHERE api_tokens_search MATCH ",
            );
            sql.bind(Bind::Text(query.join(" AND ")));
            sql.push(")");
        }
    }
    for keyword in keywords.iter().filter(|k| words(k).next().is_none()) {
        sql.push(" AND t.name_key LIKE ");
        sql.bind(Bind::Text(contains_pattern(keyword)));
        sql.push(" ESCAPE '\\'");
    }
}
