DROP INDEX api_token_scopes_live_name;
ALTER TABLE api_token_scopes DROP COLUMN live_name_key;
-- Fails while two live tokens share a name, as it should.
CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (name_key) WHERE deleted_at IS NULL;
