#!/usr/bin/env bash
# Measures the management API: tokens created for 10 s by 8 concurrent clients (wrk,
# bench/api_create.lua), then the list through the API at the tokens there are then
# (first page, filters, deep pages), as a client on the same machine sees it. Usage:
#   bench/api.sh                                    # SQLite, in a temporary directory
#   BENCH_DATABASE_URL=postgres://... bench/api.sh
# Environment: BENCH_SEEDED (default 90000 tokens before the creates),
# BENCH_CREATE_SECONDS (10), BENCH_CLIENTS (8), BENCH_RUNS (30 per list view).
set -euo pipefail
cd "$(dirname "$0")/.."

seeded=${BENCH_SEEDED:-90000}
create_seconds=${BENCH_CREATE_SECONDS:-10}
clients=${BENCH_CLIENTS:-8}
runs=${BENCH_RUNS:-30}
source bench/server.sh
empty_database
"$bin" seed --tokens "$seeded" 2>/dev/null
echo "benchmark password" | "$bin" admin create --name Bench --email bench@example.com \
    --password-stdin >/dev/null
key=$("$bin" admin key create --email bench@example.com --name bench --expires-days 1)
start_server /healthz

echo "Tessera management API, $backend ($(date -u +%Y-%m-%d), $(nproc) cores)"
echo
echo '| Work | Rate | median ms | p95 ms | made | other answers |'
echo '| --- | --- | --- | --- | --- | --- |'
created=$(API_KEY=$key RUN=$$ wrk -t1 -c"$clients" -d"${create_seconds}s" \
    -s bench/api_create.lua "$base" | tail -1)
IFS='|' read -r rate median p95 made other <<<"$created"
printf '| Creates for %s s, %s clients | %s tokens/s | %s | %s | %s | %s |\n' \
    "$create_seconds" "$clients" "$rate" "$median" "$p95" "$made" "$other"
echo
if [[ $other != 0 ]]; then
    echo "$other creates were not answered 201" >&2
    exit 1
fi

api() { curl -s -H "Authorization: Bearer $key" "$base$1"; }
# The cursor of a page near the end: the second page of the opposite order.
tail_cursor() {
    api "/api/v1/tokens?sort=$1&dir=$2" | python3 -c 'import json, sys; print(json.load(sys.stdin)["next"].split("after=")[1].split("&")[0])'
}
measure() {
    local label=$1 path=$2 times rows
    times=$(timings -H "Authorization: Bearer $key" "$base$path")
    rows=$(api "$path" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["tokens"]))')
    printf '| %s | `%s` | %s | %s |\n' "$label" "$path" "$times" "$rows"
}
total=$((seeded + made))
echo "List through the API at $total tokens, $runs runs each:"
echo
echo '| View | Query | median ms | p95 ms | tokens on the page |'
echo '| --- | --- | --- | --- | --- |'
measure "First page" "/api/v1/tokens"
measure "Keyword filter" "/api/v1/tokens?q=billing+sync"
measure "Status filter" "/api/v1/tokens?status=revoked"
measure "Sort by expiry, 100 a page" "/api/v1/tokens?sort=expires&per_page=100"
measure "Deep page (last)" "/api/v1/tokens?sort=created&dir=desc&after=$(tail_cursor created asc)"
measure "Sort by name, deep" "/api/v1/tokens?sort=name&dir=desc&after=$(tail_cursor name asc)"
