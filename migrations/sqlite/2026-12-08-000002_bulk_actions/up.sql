-- The events of one bulk action share its batch ID, which the audit log filters by.
ALTER TABLE audit_events ADD COLUMN batch_id TEXT;
CREATE INDEX audit_events_by_batch ON audit_events (batch_id) WHERE batch_id IS NOT NULL;

-- What a bulk action did, token by token (JSON): shown on its result page, and
-- answered again to a retry of its API request. Kept for a week.
CREATE TABLE bulk_actions (
    batch_id TEXT PRIMARY KEY,
    created_at TIMESTAMP NOT NULL,
    actor_id BIGINT,
    action TEXT NOT NULL,
    done INTEGER NOT NULL,
    skipped INTEGER NOT NULL,
    results TEXT NOT NULL
);
CREATE INDEX bulk_actions_by_age ON bulk_actions (created_at);
