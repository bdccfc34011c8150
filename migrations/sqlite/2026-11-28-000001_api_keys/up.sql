-- Administrators' personal keys for the management API. The key itself is never
-- stored: its SHA-256 digest finds it, the hint tells keys apart on screen.
CREATE TABLE admin_api_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    public_id TEXT NOT NULL UNIQUE,
    administrator_id BIGINT NOT NULL REFERENCES administrators (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    secret_digest TEXT NOT NULL UNIQUE,
    secret_hint TEXT NOT NULL,
    -- Permission names, space-separated; the key never exceeds its owner's own.
    permissions TEXT NOT NULL,
    -- TRUE: every scope of the owner; FALSE: those of admin_api_key_scopes that
    -- are still the owner's (none when they were all deleted).
    every_scope BOOLEAN NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    last_used_at TIMESTAMP,
    last_used_ip TEXT,
    last_used_user_agent TEXT
);
CREATE INDEX admin_api_keys_owner ON admin_api_keys (administrator_id);

CREATE TABLE admin_api_key_scopes (
    api_key_id BIGINT NOT NULL REFERENCES admin_api_keys (id) ON DELETE CASCADE,
    scope_id BIGINT NOT NULL REFERENCES scopes (id) ON DELETE CASCADE,
    PRIMARY KEY (api_key_id, scope_id)
);

-- A create retried with the same Idempotency-Key answers with the token made the
-- first time. The secret is not kept: the retry gets the token without it.
CREATE TABLE api_idempotency_keys (
    api_key_id BIGINT NOT NULL REFERENCES admin_api_keys (id) ON DELETE CASCADE,
    idempotency_key TEXT NOT NULL,
    request_digest TEXT NOT NULL,
    token_guid TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (api_key_id, idempotency_key)
);

-- The API key through which an administrator acted, if any.
ALTER TABLE audit_events ADD COLUMN via_api_key TEXT;
