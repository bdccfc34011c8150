-- What a token's usage says about its health, kept per token so that the health
-- findings read columns instead of every token's usage rows. Rewritten for a
-- token whenever its usage or its grants change (see db/usage_facts.rs).
CREATE TABLE token_usage_facts (
    token_id BIGINT PRIMARY KEY,
    -- The latest use of any module.
    modules_used_at TIMESTAMP,
    -- The oldest of the latest uses of the granted (module, action) pairs: long ago
    -- for a pair never used, far ahead for a token granted none.
    grants_used_until TIMESTAMP NOT NULL,
    -- When the sixth most recently seen address was last seen.
    sixth_address_seen TIMESTAMP,
    -- When the newest address and the oldest one were first seen.
    newest_address_since TIMESTAMP,
    oldest_address_since TIMESTAMP
);

-- The facts of the tokens used before this table existed.
INSERT INTO token_usage_facts (token_id, modules_used_at, grants_used_until,
    sixth_address_seen, newest_address_since, oldest_address_since)
SELECT t.id,
    (SELECT MAX(u.last_used_at) FROM token_permission_uses u WHERE u.token_id = t.id),
    COALESCE(CASE WHEN t.token_type = 'custom' THEN
        (SELECT MIN(COALESCE((SELECT u.last_used_at FROM token_permission_uses u WHERE u.token_id = t.id AND u.module = m.module_key AND u.action = p.action), '0001-01-01 00:00:00'))
         FROM api_token_permissions p JOIN modules m ON m.id = p.module_id WHERE p.token_id = t.id)
    ELSE
        (SELECT MIN(COALESCE((SELECT u.last_used_at FROM token_permission_uses u WHERE u.token_id = t.id AND u.module = m.module_key AND u.action = a.action), '0001-01-01 00:00:00'))
         FROM modules m CROSS JOIN (SELECT 'read' AS action UNION ALL SELECT 'write') a
         WHERE a.action = 'read' OR t.token_type = 'full_access')
    END, '9999-12-31 23:59:59'),
    (SELECT s.seen FROM (SELECT MAX(c.last_seen) AS seen FROM token_clients c
        WHERE c.token_id = t.id GROUP BY c.client_ip) s ORDER BY s.seen DESC LIMIT 1 OFFSET 5),
    (SELECT MAX(s.since) FROM (SELECT MIN(c.first_seen) AS since FROM token_clients c
        WHERE c.token_id = t.id GROUP BY c.client_ip) s),
    (SELECT MIN(c.first_seen) FROM token_clients c WHERE c.token_id = t.id)
FROM api_tokens t
WHERE t.id IN (SELECT token_id FROM token_permission_uses UNION SELECT token_id FROM token_clients);
