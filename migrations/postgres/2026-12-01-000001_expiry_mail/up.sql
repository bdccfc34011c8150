-- Expiry digests: what each administrator wants to hear about, and the mails
-- waiting to be sent (written with the warnings they tell of, so none is lost).
ALTER TABLE administrators ADD COLUMN expiry_mail_own BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE administrators ADD COLUMN expiry_mail_scopes BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE mail_outbox (
    id BIGSERIAL PRIMARY KEY,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP,
    claimed_until TIMESTAMP,
    last_error TEXT
);
CREATE INDEX mail_outbox_waiting ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL;
