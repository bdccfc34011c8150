#!/usr/bin/env bash
# Measures the exports: every token of the list (about 100,000 by default) and
# every event of the audit log (as many), as CSV and JSON, with the time each
# download takes and the server's peak memory (VmHWM) before and after. Usage:
#   bench/export.sh                          # SQLite, in a temporary directory
#   BENCH_DATABASE_URL=postgres://... bench/export.sh
# Environment: BENCH_ROWS (default 100000), BENCH_RUNS (default 5). The seed
# deletes about one token in twenty, which the list leaves out: it seeds a
# twentieth more, so that the list holds about BENCH_ROWS.
set -euo pipefail
cd "$(dirname "$0")/.."

rows=${BENCH_ROWS:-100000}
tokens=$(( rows + rows / 19 ))
runs=${BENCH_RUNS:-5}
source bench/server.sh

empty_database
"$bin" seed --tokens "$tokens" 2>/dev/null
echo "benchmark password" | "$bin" admin create --name Bench --email bench@example.com \
    --password-stdin >/dev/null
# As many audit events as tokens, each with a change's details.
events="INSERT INTO audit_events (occurred_at, actor_label, action, target_type, target_id, target_label, details)"
if [[ $backend == postgres ]]; then
    psql "$database" -qc "$events SELECT now() - g * interval '1 second', 'Bench · 7KD2QX4M', 'token.update', 'token', md5(g::text), 'Token ' || g, '{\"name\":[\"old\",\"new\"]}' FROM generate_series(1, $rows) g" >/dev/null
else
    sqlite3 "$database" "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < $rows) $events SELECT datetime('now', '-' || n || ' seconds'), 'Bench · 7KD2QX4M', 'token.update', 'token', hex(randomblob(16)), 'Token ' || n, '{\"name\":[\"old\",\"new\"]}' FROM g"
fi
start_server /login
jar=$work/cookies
login "$jar" bench@example.com "benchmark password"
curl -s -o /dev/null -b "$jar" "$base/settings/api-tokens"

peak_mb() { awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$server/status"; }

echo "Tessera exports, $tokens tokens seeded and $rows audit events, $backend, $runs runs each ($(date -u +%Y-%m-%d), $(nproc) cores)"
echo
echo "Server peak RSS before the first export: $(peak_mb) MB"
echo
echo '| Export | rows | size MB | median s | slowest s | server peak RSS after, MB |'
echo '| --- | --- | --- | --- | --- | --- |'
for path in /settings/api-tokens/export.csv /settings/api-tokens/export.json \
    /settings/audit-log/export.csv /settings/audit-log/export.json; do
    times=$(for _ in $(seq 1 "$runs"); do
        curl -s -b "$jar" -o "$work/file" -w '%{time_total}\n' "$base$path"
    done | sort -n)
    if [[ $path == *.csv ]]; then
        counted=$(( $(python3 -c "import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], encoding='utf-8-sig'))))" "$work/file") - 1 ))
    else
        counted=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$work/file")
    fi
    size=$(du -m "$work/file" | cut -f1)
    median=$(echo "$times" | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]}')
    slowest=$(echo "$times" | tail -1 | awk '{printf "%.2f", $1}')
    echo "| \`$path\` | $counted | $size | $median | $slowest | $(peak_mb) |"
done
