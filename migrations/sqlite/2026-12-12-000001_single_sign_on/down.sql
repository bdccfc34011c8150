DROP TABLE sign_in_links;
DROP INDEX administrators_sso;
ALTER TABLE administrators DROP COLUMN sso_subject;
ALTER TABLE administrators DROP COLUMN sso_issuer;
