#!/usr/bin/env bash
# Measures a bulk action on about 10,000 tokens (every active token of one scope,
# disabled through POST /api/v1/tokens/bulk), and verification's throughput (S1:
# one valid token, over and over) before and while it runs. The server is pinned
# to core 0 and wrk to core 1. Usage:
#   bench/bulk.sh                            # SQLite
#   BENCH_DATABASE_URL=postgres://... bench/bulk.sh
# Environment: BENCH_TOKENS (default 150000: "Team 01" then holds about 10,400
# active tokens), BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 64).
set -euo pipefail
cd "$(dirname "$0")/.."

tokens=${BENCH_TOKENS:-150000}
seconds=${BENCH_SECONDS:-10}
connections=${BENCH_CONNECTIONS:-64}
source bench/server.sh
source bench/wrk.sh

empty_database
echo "benchmark password" | "$bin" admin create --name Bench --email bench@example.com \
    --password-stdin >/dev/null
"$bin" seed --tokens "$tokens" 2>/dev/null
key=$("$bin" admin key create --email bench@example.com --name bench --expires-days 1)
"$bin" token create --name "Bench reader" --scope Production --expires unlimited 2>/dev/null \
    >"$work/reader"
taskset -c 0 "$bin" serve --listen "127.0.0.1:$port" --workers 2 >"$work/out" 2>"$work/err" &
server=$!
for _ in $(seq 1 300); do curl -sf -o /dev/null "$base/healthz" && break; sleep 0.2; done

s1() { wrk_tokens "$base" /api/v1/verify "$work/reader" "$1" "$connections"; }
bulk() {
    curl -s -o "$work/answer" -w '%{time_total}' -H "Authorization: Bearer $key" \
        -H 'Content-Type: application/json' \
        -d "{\"action\": \"$1\", \"filter\": {\"scope\": \"Team 01\", \"status\": \"$2\"}}" \
        "$base/api/v1/tokens/bulk"
}
done_count() { python3 -c 'import json,sys; a = json.load(open(sys.argv[1])); print(a["done"], "done,", a["skipped"], "skipped")' "$work/answer"; }

echo "Tessera bulk action, $tokens tokens, $backend ($(date -u +%Y-%m-%d), $(nproc) cores)"
echo
s1 5 >/dev/null # warm
before=$(s1 "$seconds")
echo "S1 alone, ${seconds} s: $before (requests/s|p99 ms|non-2xx)"
s1 "$seconds" >"$work/during" &
wrk=$!
sleep 1
took=$(bulk disable active)
echo "Disable every active token of Team 01: $(done_count) in ${took} s"
wait "$wrk"
echo "S1 while it ran (${seconds} s): $(cat "$work/during")"
took=$(bulk enable disabled)
echo "Enable them again: $(done_count) in ${took} s"
