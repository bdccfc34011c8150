-- Values shared by every instance, such as the key that signs session cookies.
CREATE TABLE server_settings (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- One-time codes that allow creating the first administrator; only digests are kept.
CREATE TABLE setup_codes (
    code_digest TEXT PRIMARY KEY NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

CREATE TABLE roles (
    role_key TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    position INTEGER NOT NULL
);

CREATE TABLE role_permissions (
    role_key TEXT NOT NULL REFERENCES roles (role_key) ON DELETE CASCADE,
    permission TEXT NOT NULL,
    PRIMARY KEY (role_key, permission)
);

CREATE TABLE administrators (
    id BIGSERIAL PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role_key TEXT NOT NULL REFERENCES roles (role_key),
    disabled_at TIMESTAMP,
    password_changed_at TIMESTAMP NOT NULL,
    last_sign_in_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE scopes (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE administrator_scopes (
    administrator_id BIGINT NOT NULL REFERENCES administrators (id) ON DELETE CASCADE,
    scope_id BIGINT NOT NULL REFERENCES scopes (id) ON DELETE CASCADE,
    PRIMARY KEY (administrator_id, scope_id)
);

CREATE TABLE modules (
    id BIGSERIAL PRIMARY KEY,
    module_key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- URL path prefixes a module covers; forward-auth maps a request path to its module.
CREATE TABLE module_path_prefixes (
    module_id BIGINT NOT NULL REFERENCES modules (id) ON DELETE CASCADE,
    path_prefix TEXT NOT NULL UNIQUE,
    PRIMARY KEY (module_id, path_prefix)
);

CREATE TABLE api_tokens (
    id BIGSERIAL PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    token_type TEXT NOT NULL,
    capabilities TEXT NOT NULL DEFAULT '',
    secret_digest TEXT NOT NULL UNIQUE,
    secret_hint TEXT NOT NULL,
    previous_secret_digest TEXT,
    previous_secret_expires_at TIMESTAMP,
    secret_ciphertext TEXT,
    valid_from TIMESTAMP NOT NULL,
    valid_to TIMESTAMP,
    disabled_at TIMESTAMP,
    revoked_at TIMESTAMP,
    deleted_at TIMESTAMP,
    created_by BIGINT REFERENCES administrators (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    last_used_ip TEXT,
    last_used_user_agent TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
-- Names are unique among tokens that are not deleted.
CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (name_key) WHERE deleted_at IS NULL;
-- Counting the live tokens of some scopes reads this instead of the table.
CREATE INDEX api_tokens_live ON api_tokens (id) WHERE deleted_at IS NULL;
CREATE INDEX api_tokens_previous_secret ON api_tokens (previous_secret_digest);
CREATE INDEX api_tokens_created_by ON api_tokens (created_by);
-- One index per sort order of the token list, starting with the sort expression
-- (the list query uses these expressions verbatim) and holding the columns the
-- filters read, so a page is found without reading the table.
CREATE INDEX api_tokens_by_name ON api_tokens (name_key, id, deleted_at, revoked_at, disabled_at, valid_to, valid_from, guid);
CREATE INDEX api_tokens_by_created ON api_tokens (created_at, id, deleted_at, revoked_at, disabled_at, valid_to, valid_from, name_key, guid);
CREATE INDEX api_tokens_by_last_used ON api_tokens ((COALESCE(last_used_at, TIMESTAMP '0001-01-01 00:00:00')), id, deleted_at, revoked_at, disabled_at, valid_to, valid_from, name_key, guid);
CREATE INDEX api_tokens_by_expiry ON api_tokens ((COALESCE(valid_to, TIMESTAMP '9999-12-31 23:59:59')), id, deleted_at, revoked_at, disabled_at, valid_to, valid_from, name_key, guid);

CREATE TABLE api_token_permissions (
    token_id BIGINT NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
    module_id BIGINT NOT NULL REFERENCES modules (id),
    action TEXT NOT NULL,
    PRIMARY KEY (token_id, module_id, action)
);
CREATE INDEX api_token_permissions_module ON api_token_permissions (module_id);

CREATE TABLE api_token_scopes (
    token_id BIGINT NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
    scope_id BIGINT NOT NULL REFERENCES scopes (id),
    PRIMARY KEY (token_id, scope_id)
);
CREATE INDEX api_token_scopes_scope ON api_token_scopes (scope_id, token_id);

-- Client networks (CIDR) a token may be used from; none means any.
CREATE TABLE api_token_allowed_networks (
    token_id BIGINT NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
    cidr TEXT NOT NULL,
    PRIMARY KEY (token_id, cidr)
);

CREATE TABLE audit_events (
    id BIGSERIAL PRIMARY KEY,
    occurred_at TIMESTAMP NOT NULL,
    actor_id BIGINT REFERENCES administrators (id),
    actor_label TEXT NOT NULL,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT,
    target_label TEXT NOT NULL,
    ip TEXT,
    details TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_by_time ON audit_events (occurred_at, id);
CREATE INDEX audit_events_by_target ON audit_events (target_type, target_id, occurred_at);
CREATE INDEX audit_events_by_actor ON audit_events (actor_id, occurred_at);

-- Server-side sessions: the cookie carries a random key, the table keeps only its digest.
CREATE TABLE sessions (
    key_digest TEXT PRIMARY KEY NOT NULL,
    administrator_id BIGINT REFERENCES administrators (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_administrator ON sessions (administrator_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- Failed sign-in counters per account and per client IP (keys are digests).
CREATE TABLE sign_in_throttle (
    throttle_key TEXT PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL,
    window_started_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP
);

INSERT INTO roles (role_key, name, description, position) VALUES
    ('super_admin', 'Super Admin', 'Every permission, in every scope.', 1),
    ('token_manager', 'Token Manager', 'Creates, edits and deletes API tokens in their scopes, and reads the audit log.', 2),
    ('viewer', 'Viewer', 'Sees the API tokens of their scopes; changes nothing.', 3);

INSERT INTO role_permissions (role_key, permission) VALUES
    ('super_admin', 'tokens.read'),
    ('super_admin', 'tokens.create'),
    ('super_admin', 'tokens.update'),
    ('super_admin', 'tokens.delete'),
    ('super_admin', 'admins.manage'),
    ('super_admin', 'settings.manage'),
    ('super_admin', 'audit.read'),
    ('super_admin', 'scopes.all'),
    ('token_manager', 'tokens.read'),
    ('token_manager', 'tokens.create'),
    ('token_manager', 'tokens.update'),
    ('token_manager', 'tokens.delete'),
    ('token_manager', 'audit.read'),
    ('viewer', 'tokens.read');
