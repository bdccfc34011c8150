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
UPDATE api_tokens SET scope_set = (
    SELECT ',' || group_concat(s.scope_id, ',' ORDER BY s.scope_id) || ','
    FROM api_token_scopes s WHERE s.token_id = api_tokens.id
) WHERE id IN (SELECT token_id FROM api_token_scopes);

CREATE TABLE token_counts (
    scope_set TEXT NOT NULL,
    status SMALLINT NOT NULL,
    tokens BIGINT NOT NULL,
    PRIMARY KEY (scope_set, status)
);
INSERT INTO token_counts (scope_set, status, tokens)
    SELECT scope_set, status, COUNT(*) FROM api_tokens GROUP BY scope_set, status;

CREATE TABLE token_count_changes (
    id INTEGER PRIMARY KEY,
    scope_set TEXT NOT NULL,
    status SMALLINT NOT NULL,
    change INTEGER NOT NULL
);

CREATE TRIGGER token_counts_insert AFTER INSERT ON api_tokens BEGIN
    INSERT INTO token_count_changes (scope_set, status, change)
        VALUES (new.scope_set, new.status, 1);
END;
CREATE TRIGGER token_counts_update AFTER UPDATE OF status, scope_set ON api_tokens
WHEN old.status <> new.status OR old.scope_set <> new.scope_set BEGIN
    INSERT INTO token_count_changes (scope_set, status, change)
        VALUES (old.scope_set, old.status, -1), (new.scope_set, new.status, 1);
END;
CREATE TRIGGER token_counts_delete AFTER DELETE ON api_tokens BEGIN
    INSERT INTO token_count_changes (scope_set, status, change)
        VALUES (old.scope_set, old.status, -1);
END;
