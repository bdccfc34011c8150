DROP TRIGGER token_counts_delete;
DROP TRIGGER token_counts_update;
DROP TRIGGER token_counts_insert;
DROP TABLE token_count_changes;
DROP TABLE token_counts;
ALTER TABLE api_tokens DROP COLUMN scope_set;
