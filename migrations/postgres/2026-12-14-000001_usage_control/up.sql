-- Identities: who owns tokens (a customer, a system), with the metadata verification
-- answers carry. Limits and credits set on one are shared by its tokens.
CREATE TABLE identities (
    id BIGSERIAL PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    external_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    metadata TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE identity_scopes (
    identity_id BIGINT NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
    scope_id BIGINT NOT NULL REFERENCES scopes (id) ON DELETE CASCADE,
    PRIMARY KEY (identity_id, scope_id)
);
CREATE INDEX identity_scopes_scope ON identity_scopes (scope_id);

ALTER TABLE api_tokens ADD COLUMN identity_id BIGINT REFERENCES identities (id) ON DELETE SET NULL;
CREATE INDEX api_tokens_identity ON api_tokens (identity_id);

-- Named rate limits, each on a token or on an identity.
CREATE TABLE rate_limits (
    id BIGSERIAL PRIMARY KEY,
    token_id BIGINT REFERENCES api_tokens (id) ON DELETE CASCADE,
    identity_id BIGINT REFERENCES identities (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    max_requests BIGINT NOT NULL,
    period_seconds INTEGER NOT NULL,
    CHECK ((token_id IS NULL) <> (identity_id IS NULL))
);
CREATE UNIQUE INDEX rate_limits_token ON rate_limits (token_id, name);
CREATE UNIQUE INDEX rate_limits_identity ON rate_limits (identity_id, name);

-- Credits of a token or an identity. `remaining` is what was left at the last
-- flush of spent credits; `version` changes when an administrator sets them.
CREATE TABLE credits (
    id BIGSERIAL PRIMARY KEY,
    token_id BIGINT UNIQUE REFERENCES api_tokens (id) ON DELETE CASCADE,
    identity_id BIGINT UNIQUE REFERENCES identities (id) ON DELETE CASCADE,
    remaining BIGINT NOT NULL,
    refill_period TEXT,
    refill_amount BIGINT,
    refilled_at TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TIMESTAMP NOT NULL,
    -- What the use is measured against: the refill amount, or the count set.
    granted BIGINT NOT NULL,
    -- The highest threshold (80, 100 percent used) already told, since the last
    -- refill or setting.
    notified_level INTEGER NOT NULL DEFAULT 0,
    CHECK ((token_id IS NULL) <> (identity_id IS NULL))
);
