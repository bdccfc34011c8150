ALTER TABLE audit_events DROP COLUMN via_api_key;
DROP TABLE api_idempotency_keys;
DROP TABLE admin_api_key_scopes;
DROP TABLE admin_api_keys;
