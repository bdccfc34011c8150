DROP TABLE api_tokens_search_terms;
