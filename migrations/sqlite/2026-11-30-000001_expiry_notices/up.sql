-- The warnings given before (and when) a token expires: one per token, lead time
-- and end of validity, so that none is given twice, also across restarts and
-- instances, and a renewed token is warned again about its new end.
CREATE TABLE expiry_notices (
    token_id BIGINT NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
    -- Days before the end; 0 for "has expired".
    lead_days INTEGER NOT NULL,
    valid_to TIMESTAMP NOT NULL,
    noticed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (token_id, lead_days, valid_to)
);
