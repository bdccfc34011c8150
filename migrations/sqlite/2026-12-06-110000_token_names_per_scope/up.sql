-- A token's name is unique among the live tokens that share a scope with it,
-- rather than across the installation: a name is then only ever refused because
-- of a token the administrator can see. Each of a token's scope rows holds its
-- name key while the token is live (NULL once it is deleted), so that the
-- database keeps names unique per scope, also against concurrent writes.
ALTER TABLE api_token_scopes ADD COLUMN live_name_key TEXT;
UPDATE api_token_scopes SET live_name_key = (
    SELECT t.name_key FROM api_tokens t
    WHERE t.id = api_token_scopes.token_id AND t.deleted_at IS NULL
);
CREATE UNIQUE INDEX api_token_scopes_live_name
    ON api_token_scopes (scope_id, live_name_key) WHERE live_name_key IS NOT NULL;
DROP INDEX api_tokens_live_name;
