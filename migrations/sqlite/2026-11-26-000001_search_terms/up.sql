-- The keyword index's vocabulary: each word with the number of names that hold it,
-- so a keyword's words can be looked up (and counted) before the search runs.
CREATE VIRTUAL TABLE api_tokens_search_terms USING fts5vocab(api_tokens_search, row);
