-- Usage, counted in memory by the verifier and added in batches (never a write per
-- verification; several instances add to the same rows).
--
-- One row per token, UTC day (days since 1970-01-01), outcome and, for passing
-- requests that named one, module and action ('' when none): a column per hour,
-- NULL when nothing was counted in it (or once the day left the hourly window),
-- and the day's total.
CREATE TABLE token_usage (
    token_id BIGINT NOT NULL,
    day INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    module TEXT NOT NULL,
    action TEXT NOT NULL,
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
    PRIMARY KEY (token_id, day, outcome, module, action)
);
CREATE INDEX token_usage_by_day ON token_usage (day);

-- Requests whose token is malformed or unknown, in aggregate: client_ip '' holds
-- every such request, the other rows the addresses that sent the most.
CREATE TABLE unknown_token_usage (
    day INTEGER NOT NULL,
    client_ip TEXT NOT NULL,
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
    PRIMARY KEY (day, client_ip)
);

-- The last passing use of each granted (token, module, action).
CREATE TABLE token_permission_uses (
    token_id BIGINT NOT NULL,
    module TEXT NOT NULL,
    action TEXT NOT NULL,
    last_used_at TIMESTAMP NOT NULL,
    PRIMARY KEY (token_id, module, action)
);

-- The clients seen passing with each token: address and user agent ('' when
-- none was sent), first and last seen (to the usage granularity).
CREATE TABLE token_clients (
    token_id BIGINT NOT NULL,
    client_ip TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    first_seen TIMESTAMP NOT NULL,
    last_seen TIMESTAMP NOT NULL,
    PRIMARY KEY (token_id, client_ip, user_agent)
);
