ALTER TABLE webhook_endpoints DROP COLUMN every_scope;
