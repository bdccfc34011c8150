-- Whether an endpoint hears about tokens of every scope is said, not inferred
-- from an empty list: TRUE, every scope; FALSE, those of webhook_endpoint_scopes
-- (none, should they all be deleted: it hears nothing). Endpoints without scopes
-- heard about every scope until now, and still do.
ALTER TABLE webhook_endpoints ADD COLUMN every_scope BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE webhook_endpoints SET every_scope = TRUE
WHERE id NOT IN (SELECT endpoint_id FROM webhook_endpoint_scopes);
