//! The WHERE and ORDER BY of the list: filters, visibility, status, sort keys.

use crate::db::sql::{Bind, Sql};
use crate::domain::scopes::{ScopeAccess, seen_patterns};
use crate::domain::token_list::{SortKey, StatusFilter, TokenFilter, words};

use super::plan::{KeywordSearch, Share};
use crate::domain::tokens::{TokenStatus, TokenType};

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

/// What a query reads: a page walks an order and stops when it is full; a capped
/// count stops at its cap in whatever order is quickest.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Page,
    Count,
}

/// The FROM of the query. A count with keywords on SQLite reads from the keyword
/// index, whose matches stream in ID order, so it stops at its cap instead of
/// reading every match first.
fn from_clause(sql: &mut Sql, search: Option<&KeywordSearch>, purpose: Purpose) {
    sql.push(if joins_search(sql, search, purpose) {
        " FROM api_tokens_search s CROSS JOIN api_tokens t ON t.id = s.rowid"
    } else {
        " FROM api_tokens t"
    });
}

fn joins_search(sql: &Sql, search: Option<&KeywordSearch>, purpose: Purpose) -> bool {
    purpose == Purpose::Count && search.is_some() && !sql.postgres
}

/// FROM and WHERE of the list's queries.
pub fn from_where(
    sql: &mut Sql,
    filter: &TokenFilter,
    visibility: &ScopeAccess,
    scopes: Share,
    search: Option<&KeywordSearch>,
    purpose: Purpose,
) {
    from_clause(sql, search, purpose);
    sql.push(" WHERE 1 = 1");
    if let ScopeAccess::Scopes(ids) = visibility {
        if ids.is_empty() {
            sql.push(" AND 1 = 0");
        } else {
            match scopes {
                // Read from the scope index, then looked up.
                Share::Few => {
                    sql.push(" AND t.id IN (SELECT vs.token_id FROM api_token_scopes vs WHERE vs.scope_id IN (");
                    sql.bind_list(ids.iter().map(|id| Bind::BigInt(*id)));
                    sql.push("))");
                }
                // Checked on each row read, from the row's own set of scopes.
                Share::Many => {
                    sql.push(" AND (1 = 0");
                    for pattern in seen_patterns(visibility).unwrap_or_default() {
                        sql.push(" OR t.scope_set LIKE ").bind(Bind::Text(pattern));
                    }
                    sql.push(")");
                }
            }
        }
    }
    if let Some(scope_id) = filter.scope_id {
        sql.push(" AND t.scope_set LIKE ");
        sql.bind(Bind::Text(format!("%,{scope_id},%")));
    }
    if let Some(creator) = filter.created_by {
        sql.push(" AND t.created_by = ");
        sql.bind(Bind::BigInt(creator.0));
    }
    if let Some(module_id) = filter.module_id {
        // Every type but Custom may call every module, those added later too.
        sql.push(" AND (t.token_type <> ");
        sql.bind(Bind::Text(TokenType::Custom.key().to_owned()));
        sql.push(" OR EXISTS (SELECT 1 FROM api_token_permissions p WHERE p.token_id = t.id AND p.module_id = ");
        sql.bind(Bind::BigInt(module_id));
        sql.push("))");
    }
    if let Some(unused) = filter.unused {
        sql.push(" AND COALESCE(t.last_used_at, t.created_at) < ");
        sql.bind(Bind::Timestamp(unused.cutoff(crate::db::now())));
    }
    let joined = joins_search(sql, search, purpose);
    keyword_condition(sql, &filter.keywords, search, joined);
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
    // Wide filters are written so no index applies to a page (the sort order's
    // index is walked instead); a single status walks the status index, and so do
    // the inactive ones when counted.
    let rank = |status: TokenStatus| i32::from(status.rank());
    match filter.status {
        StatusFilter::AllButDeleted => {
            sql.push(" AND t.status <> ");
            sql.bind(Bind::Integer(rank(TokenStatus::Deleted)));
        }
        StatusFilter::Inactive if purpose == Purpose::Count => {
            sql.push(" AND t.status IN (");
            sql.bind_list(
                TokenStatus::ALL
                    .into_iter()
                    .filter(|s| !matches!(s, TokenStatus::Active | TokenStatus::Deleted))
                    .map(|s| Bind::Integer(rank(s))),
            );
            sql.push(")");
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
    if let Some(window) = filter.expiring {
        // Active and ending within the window: a range of the expiry order's index.
        let now = crate::db::now();
        sql.push(" AND ");
        sort_expression(sql, SortKey::Expires);
        sql.push(" > ");
        sql.bind(Bind::Timestamp(now));
        sql.push(" AND ");
        sort_expression(sql, SortKey::Expires);
        sql.push(" <= ");
        sql.bind(Bind::Timestamp(window.until(now)));
        // `+`: checked on the rows of the range, never a reason to walk the
        // status index instead (most tokens are active).
        sql.push(" AND +t.status = ");
        sql.bind(Bind::Integer(rank(TokenStatus::Active)));
    }
}

/// Every keyword's words must begin words of the name, found with the search index;
/// a keyword without letters or digits is looked for anywhere in the name.
fn keyword_condition(
    sql: &mut Sql,
    keywords: &[String],
    search: Option<&KeywordSearch>,
    joined: bool,
) {
    if let Some(search) = search {
        let query = Bind::Text(search.query.clone());
        match (sql.postgres, search.share) {
            (false, _) if joined => {
                sql.push(" AND s.api_tokens_search MATCH ").bind(query);
            }
            (false, share) => {
                // `+t.id` keeps SQLite from reading the matches row by row by ID
                // (then sorting them all): the sort order's index is walked instead.
                sql.push(if share == Share::Few {
                    " AND t.id IN"
                } else {
                    " AND +t.id IN"
                });
                sql.push(" (SELECT rowid FROM api_tokens_search WHERE api_tokens_search MATCH ")
                    .bind(query)
                    .push(")");
            }
            (true, Share::Few) => {
                // Read whole from the index first, then the rows by ID; PostgreSQL's
                // estimate for a word's beginning is a guess, often a wrong one.
                sql.push(
                    " AND t.id = ANY(ARRAY(SELECT w.id FROM api_tokens w \
                     WHERE w.name_words @@ to_tsquery('simple', ",
                )
                .bind(query)
                .push(")))");
            }
            (true, Share::Many) => {
                // Stored with the row: checking a row parses nothing.
                sql.push(" AND t.name_words @@ to_tsquery('simple', ")
                    .bind(query)
                    .push(")");
            }
        }
    }
    for keyword in keywords.iter().filter(|k| words(k).next().is_none()) {
        sql.push(" AND t.name_key LIKE ");
        sql.bind(Bind::Text(contains_pattern(keyword)));
        sql.push(" ESCAPE '\\'");
    }
}
