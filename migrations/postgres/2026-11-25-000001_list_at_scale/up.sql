-- The list at a million tokens.
--
-- A stored status to filter and sort by with an index: the status as of its last
-- refresh (TokenStatus rank: 0 active, 1 scheduled, 2 expired, 3 disabled,
-- 4 revoked, 5 deleted) and the time at which time alone changes it. The
-- application derives both with its one rule and refreshes every row whose time
-- has come before it reads the list; new rows, and rows whose dates change, are
-- due at once (the default and the trigger below).
ALTER TABLE api_tokens ADD COLUMN status SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN status_until TIMESTAMP DEFAULT TIMESTAMP '0001-01-01 00:00:00';
CREATE INDEX api_tokens_status_due ON api_tokens (status_until) WHERE status_until IS NOT NULL;
CREATE FUNCTION api_tokens_status_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.status_until := TIMESTAMP '0001-01-01 00:00:00';
    RETURN NEW;
END
$$;
CREATE TRIGGER api_tokens_status_changed
BEFORE UPDATE OF valid_from, valid_to, disabled_at, revoked_at, deleted_at ON api_tokens
FOR EACH ROW EXECUTE FUNCTION api_tokens_status_changed();

-- One index per sort order, starting with the sort expression (the list query uses
-- these expressions verbatim) and holding the status, so a page is found from the
-- index alone; a status filter walks the status index.
DROP INDEX api_tokens_by_name;
DROP INDEX api_tokens_by_created;
DROP INDEX api_tokens_by_last_used;
DROP INDEX api_tokens_by_expiry;
CREATE INDEX api_tokens_by_name ON api_tokens (name_key, id, status);
CREATE INDEX api_tokens_by_created ON api_tokens (created_at, id, status);
CREATE INDEX api_tokens_by_last_used ON api_tokens ((COALESCE(last_used_at, TIMESTAMP '0001-01-01 00:00:00')), id, status);
CREATE INDEX api_tokens_by_expiry ON api_tokens ((COALESCE(valid_to, TIMESTAMP '9999-12-31 23:59:59')), id, status);
CREATE INDEX api_tokens_by_status ON api_tokens (status, id);
CREATE INDEX api_tokens_by_status_created ON api_tokens (status, created_at, id);

-- Keyword search: the words of every name (letters and digits; anything else
-- separates words), in a GIN index the database keeps with the row. A keyword
-- matches the beginnings of words.
CREATE INDEX api_tokens_search ON api_tokens
    USING gin (to_tsvector('simple', regexp_replace(name_key, '[^[:alnum:]]+', ' ', 'g')));
