-- Exact counts at any number of tokens, kept by the database in the transaction
-- that writes the token.
--
-- Each token carries its set of scopes as one value (`,1,5,`, `,` for none), so
-- that an administrator's count takes each token once however many of their
-- scopes it is in. Every insert, and every change of a stored status or of a set,
-- appends its change to `token_count_changes`: appends never wait for each other,
-- where one counter row per (set, status) would make every writer of that set
-- queue behind the others. The application folds the changes into `token_counts`
-- every few seconds; a count is the sum of both.
ALTER TABLE api_tokens ADD COLUMN scope_set TEXT NOT NULL DEFAULT ',';
UPDATE api_tokens t SET scope_set = s.scope_set FROM (
    SELECT token_id, ',' || string_agg(scope_id::text, ',' ORDER BY scope_id) || ',' AS scope_set
    FROM api_token_scopes GROUP BY token_id
) s WHERE s.token_id = t.id;

CREATE TABLE token_counts (
    scope_set TEXT NOT NULL,
    status SMALLINT NOT NULL,
    tokens BIGINT NOT NULL,
    PRIMARY KEY (scope_set, status)
);
INSERT INTO token_counts (scope_set, status, tokens)
    SELECT scope_set, status, COUNT(*) FROM api_tokens GROUP BY scope_set, status;

CREATE TABLE token_count_changes (
    id BIGSERIAL PRIMARY KEY,
    scope_set TEXT NOT NULL,
    status SMALLINT NOT NULL,
    change INTEGER NOT NULL
);

CREATE FUNCTION token_counts_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO token_count_changes (scope_set, status, change)
            VALUES (OLD.scope_set, OLD.status, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO token_count_changes (scope_set, status, change)
            VALUES (NEW.scope_set, NEW.status, 1);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER token_counts_insert_delete AFTER INSERT OR DELETE ON api_tokens
    FOR EACH ROW EXECUTE FUNCTION token_counts_follow();
CREATE TRIGGER token_counts_update AFTER UPDATE OF status, scope_set ON api_tokens
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.scope_set IS DISTINCT FROM NEW.scope_set)
    EXECUTE FUNCTION token_counts_follow();
