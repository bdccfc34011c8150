#!/usr/bin/env bash
# Measures Settings > Token health: the page with every finding's count, and each
# finding's tokens, for a Super Admin and for a Token Manager of two scopes. Usage:
#   bench/health.sh                          # SQLite, in a temporary directory
#   BENCH_DATABASE_URL=postgres://... bench/health.sh
# Environment: BENCH_TOKENS (default 100000), BENCH_RUNS (default 30). Half the used
# tokens get a use of one module, and every used token an address, so that the
# unused-permission and address findings have rows to read.
set -euo pipefail
cd "$(dirname "$0")/.."

tokens=${BENCH_TOKENS:-100000}
runs=${BENCH_RUNS:-30}
source bench/server.sh

empty_database
"$bin" seed --tokens "$tokens" 2>/dev/null
echo "benchmark password" | "$bin" admin create --name Bench --email bench@example.com \
    --password-stdin >/dev/null
echo "manager password" | "$bin" admin create --name Manager --email manager@example.com \
    --role token-manager --scope Production --scope "Team 01" --password-stdin >/dev/null
usage_sql="
INSERT INTO token_permission_uses (token_id, module, action, last_used_at)
    SELECT id, (SELECT module_key FROM modules ORDER BY id LIMIT 1), 'read', CURRENT_TIMESTAMP
    FROM api_tokens WHERE last_used_at IS NOT NULL AND id % 2 = 0;
INSERT INTO token_clients (token_id, client_ip, user_agent, first_seen, last_seen)
    SELECT id, '10.0.0.' || (id % 250), 'bench', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
    FROM api_tokens WHERE last_used_at IS NOT NULL;"
if [[ $backend == postgres ]]; then
    psql "$database" -qc "$usage_sql" -c "ANALYZE" >/dev/null
else
    python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()' \
        "$database" "$usage_sql"
fi

start_server /login
jar=$work/cookies
manager_jar=$work/manager
login "$jar" bench@example.com "benchmark password"
login "$manager_jar" manager@example.com "manager password"

measure() {
    local label=$1 cookies=$2 path=$3
    printf '| %s | `%s` | %s |\n' "$label" "$path" "$(timings -b "$cookies" "$base$path")"
}

echo "Tessera token health, $tokens tokens, $backend, $runs runs each ($(date -u +%Y-%m-%d), $(nproc) cores)"
echo
echo '| View | Query | median ms | p95 ms |'
echo '| --- | --- | --- | --- |'
for who in "Super Admin:$jar" "Two scopes of ten:$manager_jar"; do
    label=${who%%:*} cookies=${who#*:}
    measure "$label: every count" "$cookies" "/settings/token-health"
    for finding in never_used idle no_expiry expiring unused_permissions new_addresses; do
        measure "$label: $finding" "$cookies" "/settings/token-health?finding=$finding"
    done
done
