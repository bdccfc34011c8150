-- Administrators who sign in through the identity provider: who it says they are.
ALTER TABLE administrators ADD COLUMN sso_issuer TEXT;
ALTER TABLE administrators ADD COLUMN sso_subject TEXT;
CREATE UNIQUE INDEX administrators_sso ON administrators (sso_issuer, sso_subject);

-- One-time sign-in links made on the server's command line (when the identity
-- provider is down). Only SHA-256 digests of the codes are stored.
CREATE TABLE sign_in_links (
    code_digest TEXT PRIMARY KEY NOT NULL,
    administrator_id BIGINT NOT NULL REFERENCES administrators (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
