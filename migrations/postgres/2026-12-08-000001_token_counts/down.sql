DROP TRIGGER token_counts_update ON api_tokens;
DROP TRIGGER token_counts_insert_delete ON api_tokens;
DROP FUNCTION token_counts_follow();
DROP TABLE token_count_changes;
DROP TABLE token_counts;
ALTER TABLE api_tokens DROP COLUMN scope_set;
