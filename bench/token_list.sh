#!/usr/bin/env bash
# Measures how fast the API tokens list answers with a million tokens: every view of
# the table, for a Super Admin and for a Token Manager of two scopes, as seen by a
# client on the same machine. Usage:
#   bench/token_list.sh                        # SQLite, in a temporary directory
#   BENCH_DATABASE_URL=postgres://... bench/token_list.sh
# Environment: BENCH_TOKENS (default 1000000), BENCH_RUNS (default 30); BENCH_REUSE=1
# measures a database seeded by an earlier run as it is.
set -euo pipefail
cd "$(dirname "$0")/.."

tokens=${BENCH_TOKENS:-1000000}
runs=${BENCH_RUNS:-30}
source bench/server.sh

if [[ -z ${BENCH_REUSE:-} ]]; then
    empty_database
    "$bin" seed --tokens "$tokens" 2>/dev/null
    # A Super Admin, and a Token Manager who sees two of the ten scopes.
    echo "benchmark password" | "$bin" admin create --name Bench --email bench@example.com \
        --password-stdin >/dev/null
    echo "manager password" | "$bin" admin create --name Manager --email manager@example.com \
        --role token-manager --scope Production --scope "Team 01" --password-stdin >/dev/null
fi
start_server /login
jar=$work/cookies
manager_jar=$work/manager
login "$jar" bench@example.com "benchmark password"
login "$manager_jar" manager@example.com "manager password"

# The cursor of a page near the end: the second page of the opposite order.
tail_cursor() {
    curl -s -b "$jar" "$base/settings/api-tokens?sort=$1&dir=$2" \
        | grep -o 'after=[A-Za-z0-9_-]*' | sed -n 1p | cut -d= -f2
}
deep=$(tail_cursor created asc)

measure() {
    local label=$1 path=$2 times rows
    times=$(timings -b "$jar" "$base$path")
    rows=$(curl -s -b "$jar" "$base$path" | grep -o '<p class="result-count"[^<]*' | sed 's/.*>//; s/ ·.*//' || true)
    printf '| %s | `%s` | %s | %s |\n' "$label" "$path" "$times" "${rows:-no tokens}"
}

echo "Tessera token list, $tokens tokens, $backend, $runs runs each ($(date -u +%Y-%m-%d), $(nproc) cores)"
echo
echo '| View | Query | median ms | p95 ms | matching |'
echo '| --- | --- | --- | --- | --- |'
measure "First page" "/settings/api-tokens"
measure "Keyword filter" "/settings/api-tokens?q=billing+sync"
measure "Sort by expiry" "/settings/api-tokens?sort=expires&dir=asc"
measure "Deep page (last)" "/settings/api-tokens?sort=created&dir=desc&after=$deep"
measure "Sort by name, deep" "/settings/api-tokens?sort=name&dir=desc&after=$(tail_cursor name asc)"
measure "Status: inactive" "/settings/api-tokens?status=inactive"
measure "Sort by status" "/settings/api-tokens?sort=status"
measure "Sort by last use" "/settings/api-tokens?sort=last_used"
measure "Status: revoked" "/settings/api-tokens?status=revoked"
measure "Status: scheduled (none)" "/settings/api-tokens?status=scheduled"
measure "Keyword, one common word" "/settings/api-tokens?q=billing"
measure "Keyword, rare" "/settings/api-tokens?q=000123"
measure "GUID filter" "/settings/api-tokens?guid=abc"
jar=$manager_jar
measure "Two scopes of ten: first page" "/settings/api-tokens"
measure "Two scopes of ten: keyword filter" "/settings/api-tokens?q=billing+sync"
measure "Two scopes of ten: sort by expiry" "/settings/api-tokens?sort=expires&dir=asc"
measure "Two scopes of ten: status inactive" "/settings/api-tokens?status=inactive"
measure "Two scopes of ten: sort by status" "/settings/api-tokens?sort=status"
