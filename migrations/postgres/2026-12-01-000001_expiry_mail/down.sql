DROP TABLE mail_outbox;
ALTER TABLE administrators DROP COLUMN expiry_mail_scopes;
ALTER TABLE administrators DROP COLUMN expiry_mail_own;
