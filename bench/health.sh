#!/usr/bin/env bash
# Measures Settings > Token health: the page with every finding's count, and each
# finding's tokens, for a Super Admin and for a Token Manager of two scopes. Usage:
#   bench/health.sh                          # SQLite, in a temporary directory
#   BENCH_DATABASE_URL=postgres://... bench/health.sh
# Environment: BENCH_TOKENS (default 100000), BENCH_RUNS (default 30). The seeded
# tokens come with usage (permission uses and clients), so that every finding has
# tokens and rows to read.
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
