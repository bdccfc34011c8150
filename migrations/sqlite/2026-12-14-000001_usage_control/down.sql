DROP TABLE credits;
DROP TABLE rate_limits;
DROP INDEX api_tokens_identity;
ALTER TABLE api_tokens DROP COLUMN identity_id;
DROP TABLE identity_scopes;
DROP TABLE identities;
