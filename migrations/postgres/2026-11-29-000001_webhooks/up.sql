-- Webhook endpoints: where Tessera tells what happens to tokens.
CREATE TABLE webhook_endpoints (
    id BIGSERIAL PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL,
    description TEXT NOT NULL,
    -- Event keys, space-separated.
    events TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    -- The signing secret, sealed with the operator's encryption key (never in
    -- clear); during a rotation the previous one signs too, until its time is up.
    secret_sealed TEXT NOT NULL,
    previous_secret_sealed TEXT,
    previous_secret_until TIMESTAMP,
    -- Since when every delivery has failed; after five days the endpoint stops.
    failing_since TIMESTAMP,
    disabled_reason TEXT,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- An endpoint limited to tokens of these scopes (none: every scope).
CREATE TABLE webhook_endpoint_scopes (
    endpoint_id BIGINT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    scope_id BIGINT NOT NULL REFERENCES scopes (id) ON DELETE CASCADE,
    PRIMARY KEY (endpoint_id, scope_id)
);

-- The outbox: each event is written in the transaction of the change it tells
-- about, so none is lost and none is told of a change that did not happen.
CREATE TABLE outbox_events (
    id BIGSERIAL PRIMARY KEY,
    event_type TEXT NOT NULL,
    -- The webhook-id receivers deduplicate on.
    message_id TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,
    -- The token's scopes, space-separated, for endpoints limited to scopes.
    scope_ids TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    -- When the event was turned into a delivery per subscribed endpoint.
    dispatched_at TIMESTAMP
);
CREATE INDEX outbox_events_waiting ON outbox_events (id) WHERE dispatched_at IS NULL;

-- One event to one endpoint: tried until delivered or out of retries.
CREATE TABLE webhook_deliveries (
    id BIGSERIAL PRIMARY KEY,
    endpoint_id BIGINT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id BIGINT NOT NULL REFERENCES outbox_events (id) ON DELETE CASCADE,
    -- pending, delivered or failed.
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP,
    -- An instance sending it holds it until then; after, another may take it.
    claimed_until TIMESTAMP,
    last_attempt_at TIMESTAMP,
    last_status INTEGER,
    last_duration_ms INTEGER,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_of_endpoint ON webhook_deliveries (endpoint_id, id);
