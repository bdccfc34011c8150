-- The rules every token of a scope must follow; a scope without a row has none.
CREATE TABLE scope_policies (
    scope_id BIGINT PRIMARY KEY REFERENCES scopes (id) ON DELETE CASCADE,
    max_lifetime_days INTEGER,
    expiry_required BOOLEAN NOT NULL,
    allow_read_only BOOLEAN NOT NULL,
    allow_full_access BOOLEAN NOT NULL,
    allow_custom BOOLEAN NOT NULL,
    -- Only the pairs of scope_policy_grants may be granted.
    limits_grants BOOLEAN NOT NULL,
    networks_required BOOLEAN NOT NULL,
    show_again BOOLEAN NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE scope_policy_grants (
    scope_id BIGINT NOT NULL REFERENCES scope_policies (scope_id) ON DELETE CASCADE,
    module_id BIGINT NOT NULL REFERENCES modules (id) ON DELETE CASCADE,
    action TEXT NOT NULL,
    PRIMARY KEY (scope_id, module_id, action)
);
CREATE INDEX scope_policy_grants_module ON scope_policy_grants (module_id);
