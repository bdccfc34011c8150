-- What a token's usage says about its health, kept per token so that the health
-- findings read columns instead of every token's usage rows. Rewritten for a
-- token whenever its usage or its grants change (see db/usage_facts.rs).
CREATE TABLE token_usage_facts (
    token_id BIGINT PRIMARY KEY,
    -- The latest use of any module.
    modules_used_at TIMESTAMP,
    -- The oldest of the latest uses of the granted (module, action) pairs: long ago
    -- for a pair never used, far ahead for a token granted none.
    grants_used_until TIMESTAMP NOT NULL,
    -- When the sixth most recently seen address was last seen.
    sixth_address_seen TIMESTAMP,
    -- When the newest address and the oldest one were first seen.
    newest_address_since TIMESTAMP,
    oldest_address_since TIMESTAMP
);
