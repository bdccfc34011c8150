DROP TRIGGER api_tokens_search_terms_update ON api_tokens;
DROP FUNCTION api_tokens_search_terms_rename();
DROP TRIGGER api_tokens_search_terms_insert ON api_tokens;
DROP FUNCTION api_tokens_search_terms_add();
DROP TABLE api_tokens_search_terms;
