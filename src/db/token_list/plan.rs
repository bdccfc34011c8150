//! Where a list query starts. A narrow filter (a few scopes, a rare word) is read
//! whole from its own index and sorted; a wide one (many scopes, a common word)
//! is checked row by row while the sort order's index is walked, which stops as
//! soon as the page is full.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::db::DbConnection;
use crate::db::sql::{Bind, Sql};
use crate::domain::scopes::ScopeAccess;
use crate::domain::token_list::words;

/// Scopes holding at most this many tokens are read whole and sorted.
const FEW_SCOPED: i64 = 10_000;

/// Keywords matching at most this many tokens are read whole and sorted: the search
/// index gives its matches in ID order, which every match must then be looked up
/// in, where walking the sort order finds a page of a common word's matches soon.
const FEW_MATCHES: i64 = 1_000;

/// A word that begins more distinct words than this is searched as a prefix
/// (slower) instead of as the list of its words (see [`KeywordSearch`]).
const MAX_EXPANSION: i64 = 32;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Share {
    Few,
    Many,
}

/// One number per row: a count, or an ID.
#[derive(QueryableByName)]
pub struct Number {
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

#[derive(QueryableByName)]
struct Term {
    #[diesel(sql_type = Text)]
    term: String,
    #[diesel(sql_type = BigInt)]
    docs: i64,
}

/// How many of the list's tokens an administrator's scopes hold, counted from the
/// scope index up to [`FEW_SCOPED`] (a few milliseconds at most).
pub fn scope_share(conn: &mut DbConnection, visibility: &ScopeAccess) -> QueryResult<Share> {
    let ScopeAccess::Scopes(ids) = visibility else {
        return Ok(Share::Many);
    };
    let mut sql = Sql::new(conn);
    sql.push("SELECT COUNT(*) AS n FROM (SELECT 1 FROM api_token_scopes WHERE scope_id IN (");
    sql.bind_list(ids.iter().map(|id| Bind::BigInt(*id)));
    sql.push(&format!(") LIMIT {}) AS held", FEW_SCOPED + 1));
    let held = sql.load::<Number>(conn)?.first().map_or(0, |c| c.n);
    Ok(if held > FEW_SCOPED {
        Share::Many
    } else {
        Share::Few
    })
}

/// The keywords of a list query, ready for the search index. Each word is looked
/// up in the index's vocabulary and searched as the whole words it begins: both
/// indexes read a word's beginning (`bill*`) several times slower than the list
/// of words it stands for. How many tokens they match is estimated from the
/// index's own statistics (SQLite: how many names hold each word; PostgreSQL: the
/// most common words that ANALYZE keeps); the rarest word decides.
#[derive(Debug, Clone)]
pub struct KeywordSearch {
    /// The full-text query in the backend's syntax.
    pub query: String,
    pub share: Share,
}

/// How a full-text query is written on each backend.
struct Syntax {
    word: fn(&str) -> String,
    prefix: fn(&str) -> String,
    or: &'static str,
    and: &'static str,
}

const TSQUERY: Syntax = Syntax {
    word: |w| w.to_owned(),
    prefix: |w| format!("{w}:*"),
    or: " | ",
    and: " & ",
};

const FTS5: Syntax = Syntax {
    word: |w| format!("\"{w}\""),
    prefix: |w| format!("\"{w}\"*"),
    or: " OR ",
    and: " AND ",
};

/// `None` when the keywords hold no words (then no index is read).
pub fn keyword_search(
    conn: &mut DbConnection,
    keywords: &[String],
) -> QueryResult<Option<KeywordSearch>> {
    let words: Vec<String> = keywords
        .iter()
        .flat_map(|k| words(k))
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() {
        return Ok(None);
    }
    let postgres = matches!(conn, DbConnection::Postgres(_));
    let syntax = if postgres { &TSQUERY } else { &FTS5 };
    let mut parts = Vec::with_capacity(words.len());
    let mut fewest = i64::MAX;
    for word in &words {
        let terms = terms(conn, word)?;
        let estimate = if terms.is_empty() {
            // No name holds a word beginning so: nothing matches.
            return Ok(Some(KeywordSearch {
                query: (syntax.word)(word),
                share: Share::Few,
            }));
        } else if terms.len() as i64 > MAX_EXPANSION {
            parts.push((syntax.prefix)(word));
            i64::MAX
        } else {
            let quoted: Vec<String> = terms.iter().map(|t| (syntax.word)(&t.term)).collect();
            parts.push(format!("({})", quoted.join(syntax.or)));
            terms.iter().map(|t| t.docs).sum()
        };
        fewest = fewest.min(if postgres {
            postgres_estimate(conn, word)?
        } else {
            estimate
        });
    }
    Ok(Some(KeywordSearch {
        query: parts.join(syntax.and),
        share: if fewest > FEW_MATCHES {
            Share::Many
        } else {
            Share::Few
        },
    }))
}

/// The indexed words that begin with `word` (one more than [`MAX_EXPANSION`] at
/// most), with how many names hold each where the index counts them (SQLite).
fn terms(conn: &mut DbConnection, word: &str) -> QueryResult<Vec<Term>> {
    let mut sql = Sql::new(conn);
    sql.push(if sql.postgres {
        "SELECT term, CAST(0 AS BIGINT) AS docs FROM api_tokens_search_terms WHERE term >= "
    } else {
        "SELECT term, doc AS docs FROM api_tokens_search_terms WHERE term >= "
    });
    sql.bind(Bind::Text(word.to_owned()));
    sql.push(" AND term < ");
    // Words are letters and digits, so every longer word sorts below this bound.
    sql.bind(Bind::Text(format!("{word}\u{10FFFF}")));
    if sql.postgres {
        // SQLite's vocabulary comes in order (and would be read whole to sort).
        sql.push(" ORDER BY term");
    }
    sql.push(&format!(" LIMIT {}", MAX_EXPANSION + 1));
    sql.load(conn)
}

/// Tokens whose names hold a word beginning with `word`, from the frequencies
/// ANALYZE keeps of the index's most common words; a word not among them is rare.
fn postgres_estimate(conn: &mut DbConnection, word: &str) -> QueryResult<i64> {
    let mut sql = Sql::new(conn);
    sql.push(
        "SELECT CAST(COALESCE(SUM(f.freq), 0) * \
           (SELECT MAX(reltuples) FROM pg_class WHERE relname = 'api_tokens') AS BIGINT) AS n \
         FROM pg_stats s, unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) \
           AS f(elem, freq) \
         WHERE s.schemaname = current_schema() AND s.tablename = 'api_tokens' \
           AND s.attname = 'name_words' \
           AND f.elem LIKE ",
    );
    sql.bind(Bind::Text(format!("{word}%")));
    Ok(sql.load::<Number>(conn)?.first().map_or(0, |n| n.n))
}
