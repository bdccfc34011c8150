#!/usr/bin/env bash
# S7: verification of a token with a rate limit and credits configured but never
# reached, against S1 (the same without) in the same rounds: in memory on one
# instance, and shared through Redis. Then the overshoot of one shared limit across
# two instances under concurrent load. Server on core 0 (one worker), wrk on core 1,
# Redis (Debian's redis-server) on core 1.
# Usage: bench/limits.sh   Environment: BENCH_SECONDS (default 10), BENCH_ROUNDS (4),
# BENCH_CONNECTIONS (64).
set -euo pipefail
cd "$(dirname "$0")/.."

source bench/wrk.sh
seconds=${BENCH_SECONDS:-10}
rounds=${BENCH_ROUNDS:-4}
connections=${BENCH_CONNECTIONS:-64}
work=$(mktemp -d)
# Servers start in command substitutions (subshells): their PIDs go to a file.
trap 'kill $(cat "$work/pids" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
cargo build --release --locked --quiet
bin=$PWD/target/release/tessera
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

export TESSERA_LOG=warn TESSERA_DATABASE_URL=$work/bench.db
echo "benchmark password" | "$bin" admin create --name Bench --email bench@example.com \
    --example-catalog --password-stdin >/dev/null
"$bin" token create --name "Bench reader" --scope Production --expires unlimited 2>/dev/null >"$work/plain"
"$bin" token create --name "Bench limited" --scope Production --expires unlimited 2>/dev/null >"$work/limited"
"$bin" token create --name "Bench shared" --scope Production --expires unlimited 2>/dev/null >"$work/shared"
# Limits and credits written as the admin app writes them: far above what a run uses,
# except the shared limit of the overshoot test (1000 per hour).
python3 - "$work/bench.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
ids = dict(db.execute("SELECT name, id FROM api_tokens WHERE name LIKE 'Bench %'"))
now = "2026-01-01 00:00:00"
for name, limit, period in [("requests", 10**12, 60), ("daily", 10**12, 86400)]:
    db.execute("INSERT INTO rate_limits (token_id, name, max_requests, period_seconds) VALUES (?, ?, ?, ?)",
               (ids["Bench limited"], name, limit, period))
db.execute("INSERT INTO credits (token_id, remaining, version, updated_at, granted, notified_level) VALUES (?, ?, 1, ?, ?, 0)",
           (ids["Bench limited"], 10**12, now, 10**12))
db.execute("INSERT INTO rate_limits (token_id, name, max_requests, period_seconds) VALUES (?, 'hourly', 1000, 3600)",
           (ids["Bench shared"],))
db.commit()
PY

redis_port=$(free_port)
taskset -c 1 redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
    >/dev/null 2>&1 &
echo $! >>"$work/pids"
start() { # name, then environment assignments
    local name=$1 port; shift
    port=$(free_port)
    env "$@" taskset -c 0 "$bin" serve --listen "127.0.0.1:$port" --workers 1 \
        >/dev/null 2>"$work/$name.log" &
    echo $! >>"$work/pids"
    for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
    echo "http://127.0.0.1:$port"
}
memory=$(start memory)
redis=$(start redis TESSERA_REDIS_URL="redis://127.0.0.1:$redis_port/0")
for _ in $(seq 1 100); do curl -s "$redis/readyz" | grep -q '"shared_limits":"redis"' && break; sleep 0.1; done

run() { # mode base label path tokens
    local summary
    summary=$(wrk_tokens "$2" "$4" "$work/$5" "$seconds" "$connections")
    echo "$1|$3|$summary"
}
for base in "$memory" "$redis"; do run warm "$base" warm /api/v1/verify limited >/dev/null; done
results=()
for round in $(seq 1 "$rounds"); do
    for mode in memory redis; do
        base=$memory; [ "$mode" = redis ] && base=$redis
        results+=("$(run "$mode" "$base" "S0 trivial route (/healthz)" /healthz plain)")
        results+=("$(run "$mode" "$base" "S1 verify, cache hit" /api/v1/verify plain)")
        results+=("$(run "$mode" "$base" "S7 verify, limits and credits not reached" /api/v1/verify limited)")
    done
done
trips=$(curl -s "$redis/metrics" | awk '/^tessera_shared_limits_round_trips_total/ {print $2}')

# The overshoot: two instances share "hourly: 1000 per hour"; 16 clients send
# 3000 requests across both as fast as they can.
second=$(start second TESSERA_REDIS_URL="redis://127.0.0.1:$redis_port/0")
for _ in $(seq 1 100); do curl -s "$second/readyz" | grep -q '"shared_limits":"redis"' && break; sleep 0.1; done
overshoot=$(python3 - "$redis" "$second" "$(cat "$work/shared")" <<'PY'
import sys, urllib.request, urllib.error
from concurrent.futures import ThreadPoolExecutor
first, second, token = sys.argv[1:4]
def call(i):
    request = urllib.request.Request((first, second)[i % 2] + "/api/v1/verify",
                                     headers={"Authorization": "Bearer " + token})
    try:
        return urllib.request.urlopen(request).status
    except urllib.error.HTTPError as e:
        return e.code
with ThreadPoolExecutor(16) as pool:
    statuses = list(pool.map(call, range(3000)))
print(f"{statuses.count(200)} admitted of 3000 against a limit of 1000 "
      f"({statuses.count(429)} refused with 429)")
PY
)

echo "Rate limits and credits, $(date -u +%Y-%m-%d), $(git describe --always --dirty):"
echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)); server on core 0 (one worker),"
echo "wrk and Redis on core 1: -t1 -c$connections, ${seconds}s per scenario, $rounds rounds; SQLite."
echo
printf '%s\n' "${results[@]}" | python3 -c '
import statistics, sys
runs = {}
for line in sys.stdin:
    mode, label, rps, p99, non2xx = line.rstrip("\n").split("|")
    runs.setdefault((mode, label), []).append((float(rps), float(p99), int(non2xx)))
print("| Mode | Scenario | requests/s | × S0 | × S1, same rounds (by round) | p99 ms | non-2xx |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for (mode, label), rs in runs.items():
    s0 = [r[0] for r in runs[(mode, "S0 trivial route (/healthz)")]]
    s1 = [r[0] for r in runs[(mode, "S1 verify, cache hit")]]
    rps = [r[0] for r in rs]
    by_s1 = [r / s for r, s in zip(rps, s1)]
    rounds = " ".join("%.2f" % x for x in by_s1)
    print(f"| {mode} | {label} | {statistics.median(rps):,.0f} | "
          f"{statistics.median(r / s for r, s in zip(rps, s0)):.2f} | "
          f"{statistics.median(by_s1):.2f} ({rounds}) | "
          f"{statistics.median(r[1] for r in rs):.2f} | {sum(r[2] for r in rs)} |")
'
echo
echo "Redis round trips for the shared runs' limited requests: $trips"
echo "Overshoot across two instances: $overshoot"
