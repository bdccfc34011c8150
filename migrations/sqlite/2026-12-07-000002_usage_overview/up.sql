-- Usage across tokens. Each token's counts are also added, in the same
-- transaction, to the row of its set of scopes (the scope IDs when counted, as
-- ',1,5,'; ',' for none): the totals an administrator sees are those of the sets
-- that hold one of their scopes, each request counted once however many of their
-- scopes its token is in.
CREATE TABLE scope_set_usage (
    scope_set TEXT NOT NULL,
    day INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    h0 INTEGER,
    h1 INTEGER,
    h2 INTEGER,
    h3 INTEGER,
    h4 INTEGER,
    h5 INTEGER,
    h6 INTEGER,
    h7 INTEGER,
    h8 INTEGER,
    h9 INTEGER,
    h10 INTEGER,
    h11 INTEGER,
    h12 INTEGER,
    h13 INTEGER,
    h14 INTEGER,
    h15 INTEGER,
    h16 INTEGER,
    h17 INTEGER,
    h18 INTEGER,
    h19 INTEGER,
    h20 INTEGER,
    h21 INTEGER,
    h22 INTEGER,
    h23 INTEGER,
    total BIGINT NOT NULL,
    PRIMARY KEY (scope_set, day, outcome)
) WITHOUT ROWID;
-- By day, covering the daily totals the charts of 30 and 90 days read.
CREATE INDEX scope_set_usage_by_day ON scope_set_usage (day, outcome, scope_set, total);

-- The busiest and the most refused tokens of each period, per set of scopes (the
-- token's when ranked), replaced as a whole by the ranking job: a handful of rows
-- per set, so that ranking the tokens of any administrator's scopes reads a few.
CREATE TABLE usage_leaders (
    period TEXT NOT NULL,
    ranking TEXT NOT NULL,
    scope_set TEXT NOT NULL,
    token_id BIGINT NOT NULL,
    requests BIGINT NOT NULL,
    refused BIGINT NOT NULL,
    PRIMARY KEY (period, ranking, scope_set, token_id)
) WITHOUT ROWID;
