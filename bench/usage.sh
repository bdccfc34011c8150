#!/usr/bin/env bash
# Usage counts at scale: 90 days of usage for 100,000 tokens, each used every hour
# (allowed, and refused too for one token in ten), as the flusher writes them:
# hourly rows for the last 8 days, daily totals before. Prints the space they take
# per active token per day, the time of the roll-up and ranking jobs, and how fast
# the Usage tab, Settings > Usage and the token list answer. Usage:
#   bench/usage.sh                              # SQLite, in a temporary directory
#   BENCH_DATABASE_URL=postgres://... bench/usage.sh
# Environment: BENCH_TOKENS (default 100000), BENCH_DAYS (default 90), BENCH_RUNS
# (default 20). The flusher's share of a core while it counts is measured by
# bench/verify.sh, during S5.
set -euo pipefail
cd "$(dirname "$0")/.."

tokens=${BENCH_TOKENS:-100000}
days=${BENCH_DAYS:-90}
runs=${BENCH_RUNS:-20}
source bench/server.sh

sql() {
    if [[ $backend == postgres ]]; then psql "$database" -qAt -v ON_ERROR_STOP=1 -c "$1"; else sqlite3 "$database" "$1"; fi
}
seconds_of() {
    local start
    start=$(date +%s.%N)
    "$@" >/dev/null
    awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'
}

empty_database
"$bin" seed --tokens "$tokens" 2>/dev/null
echo "benchmark password" | "$bin" admin create --name Bench --email bench@example.com \
    --password-stdin >/dev/null
echo "manager password" | "$bin" admin create --name Manager --email manager@example.com \
    --role token-manager --scope Production --scope "Team 01" --password-stdin >/dev/null

today=$(($(date -u +%s) / 86400))
hours=$(for h in $(seq 0 23); do printf 'h%d, ' "$h"; done)
# Hour columns: filled for the days the hourly window keeps, empty before.
hourly() { for h in $(seq 0 23); do printf 'CASE WHEN d.n <= 7 THEN %d END, ' "$1"; done; }
sums=$(for h in $(seq 0 23); do printf 'SUM(u.h%d), ' "$h"; done)
if [[ $backend == postgres ]]; then
    numbers="(SELECT generate_series(0, $days - 1) AS n) d"
    set_key="',' || string_agg(scope_id::text, ',' ORDER BY scope_id) || ','"
    stamp="TIMESTAMP '$(date -u +%Y-%m-%d) 00:00:00'"
else
    numbers="(WITH RECURSIVE r(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM r WHERE n < $days - 1) SELECT n FROM r) d"
    set_key="',' || group_concat(scope_id, ',') || ','"
    stamp="'$(date -u +%Y-%m-%d) 00:00:00'"
fi
seed_usage() {
    sql "INSERT INTO token_usage (token_id, day, outcome, module, action, $hours total)
         SELECT t.id, $today - d.n, 'valid', 'orders', 'read', $(hourly 10) 240
         FROM api_tokens t CROSS JOIN $numbers"
    sql "INSERT INTO token_usage (token_id, day, outcome, module, action, $hours total)
         SELECT t.id, $today - d.n, 'insufficient_permissions', '', '', $(hourly 1) 24
         FROM api_tokens t CROSS JOIN $numbers WHERE t.id % 10 = 0"
    sql "INSERT INTO scope_set_usage (scope_set, day, outcome, $hours total)
         SELECT s.set_key, u.day, u.outcome, $sums SUM(u.total) FROM token_usage u
         JOIN (SELECT token_id, $set_key AS set_key
               FROM (SELECT token_id, scope_id FROM api_token_scopes ORDER BY token_id, scope_id) o
               GROUP BY token_id) s ON s.token_id = u.token_id
         GROUP BY s.set_key, u.day, u.outcome"
    sql "INSERT INTO token_permission_uses (token_id, module, action, last_used_at)
         SELECT id, 'orders', 'read', $stamp FROM api_tokens"
    sql "INSERT INTO token_clients (token_id, client_ip, user_agent, first_seen, last_seen)
         SELECT id, '10.0.0.1', 'billing-sync/2.1', $stamp, $stamp FROM api_tokens"
    sql "INSERT INTO unknown_token_usage (day, client_ip, $hours total)
         SELECT $today - d.n, '', $(hourly 50) 1200 FROM $numbers"
}
usage_tables="'token_usage', 'scope_set_usage', 'unknown_token_usage', 'token_permission_uses', 'token_clients', 'usage_leaders'"
usage_bytes() {
    if [[ $backend == postgres ]]; then
        sql "VACUUM ANALYZE" >/dev/null
        sql "SELECT SUM(pg_total_relation_size(c)) FROM unnest(ARRAY[$usage_tables]) AS c"
    else
        sql "SELECT SUM(pgsize) FROM dbstat WHERE name IN ($usage_tables, 'token_usage_by_day', 'scope_set_usage_by_day')"
    fi
}

seeding=$(seconds_of seed_usage)
seeded_bytes=$(usage_bytes)
ranking=$(seconds_of "$bin" usage rank)
first_roll_up=$(seconds_of "$bin" usage roll-up)
# A day's roll-up, as each day brings: the last day rolled given its hours back,
# the record of it set back by a day, and the job again.
sql "UPDATE token_usage SET $(for h in $(seq 0 23); do printf 'h%d = 10, ' "$h"; done | sed 's/, $//')
     WHERE day = $((today - 8))" >/dev/null
sql "UPDATE server_settings SET value = CAST(CAST(value AS INTEGER) - 1 AS TEXT) WHERE name = 'usage_rolled_through_day'" >/dev/null
daily_roll_up=$(seconds_of "$bin" usage roll-up)
bytes=$(usage_bytes)
rows=$(sql "SELECT COUNT(*) FROM token_usage")

start_server /login
jar=$work/cookies
login "$jar" bench@example.com "benchmark password"
login "$work/manager" manager@example.com "manager password"
guid=$(sql "SELECT guid FROM api_tokens WHERE id = 10")

echo "Tessera usage counts, $tokens tokens used every hour for $days days, $backend ($(date -u +%Y-%m-%d), $(nproc) cores)"
echo
echo "- Seeded $rows rows of token usage in $seeding s."
echo "- Usage tables: $((seeded_bytes / 1024 / 1024)) MiB, $((seeded_bytes / (tokens * days))) bytes per active token per day;"
echo "  after the roll-ups and ranking: $((bytes / 1024 / 1024)) MiB, $((bytes / (tokens * days))) bytes."
echo "- Ranking every token over 24 hours, 7, 30 and 90 days (\`tessera usage rank\`): $ranking s."
echo "- First roll-up (every day before the hourly window, which has none left with hours): $first_roll_up s;"
echo "  a day's roll-up ($(sql "SELECT COUNT(*) FROM token_usage WHERE day = $((today - 8))") rows of token usage): $daily_roll_up s."
echo
echo '| Page | median ms | p95 ms |'
echo '| --- | --- | --- |'
measure() { printf '| %s | %s |\n' "$1" "$(timings -b "$2" "$base$3")"; }
measure "Usage tab, last 24 hours" "$jar" "/settings/api-tokens/$guid/usage?period=24h"
measure "Usage tab, last 7 days" "$jar" "/settings/api-tokens/$guid/usage?period=7d"
measure "Usage tab, last 90 days" "$jar" "/settings/api-tokens/$guid/usage?period=90d"
measure "Settings > Usage, last 24 hours" "$jar" "/settings/usage?period=24h"
measure "Settings > Usage, last 7 days" "$jar" "/settings/usage?period=7d"
measure "Settings > Usage, last 90 days" "$jar" "/settings/usage?period=90d"
measure "Settings > Usage, two scopes of ten, 7 days" "$work/manager" "/settings/usage?period=7d"
measure "Token list with requests column" "$jar" "/settings/api-tokens"
