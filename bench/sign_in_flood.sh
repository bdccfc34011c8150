#!/usr/bin/env bash
# Verification while the admin side is flooded with sign-ins: 40 client addresses
# (through the trusted proxy header) x 10 concurrent POST /login with unknown
# emails, against a server on one core with one worker, as an attacker would send
# them. Measures verification (S1, cache hit, wrk on the other core) before and
# during the flood, the server's peak memory and threads, and how the sign-ins were
# answered. Usage: bench/sign_in_flood.sh   (SQLite; BENCH_DATABASE_URL for PostgreSQL)
# Environment: BENCH_SECONDS (default 20), BENCH_CONNECTIONS (default 64),
# BENCH_APART (default 1: verification on its own listener, TESSERA_VERIFY_LISTEN;
# 0: one listener for everything).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${BENCH_SECONDS:-20}
connections=${BENCH_CONNECTIONS:-64}
work=$(mktemp -d)
server=
flood=
trap 'kill $server $flood 2>/dev/null || true; rm -rf "$work"' EXIT
database=${BENCH_DATABASE_URL:-$work/bench.db}
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port=$(free_port)
base="http://127.0.0.1:$port"
verify_base=$base
if [[ ${BENCH_APART:-1} == 1 ]]; then
    verify_port=$(free_port)
    export TESSERA_VERIFY_LISTEN=127.0.0.1:$verify_port
    verify_base="http://127.0.0.1:$verify_port"
fi

cargo build --release --quiet
bin=$PWD/target/release/tessera
export TESSERA_DATABASE_URL=$database TESSERA_LOG=error
if [[ $database == postgres* ]]; then
    psql "$database" -qc 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' >/dev/null
fi
echo "benchmark password" | "$bin" admin create --name Bench --email bench@example.com \
    --example-catalog --password-stdin >/dev/null
"$bin" token create --name "Bench reader" --scope Production --expires unlimited 2>/dev/null > "$work/valid"

taskset -c 0 "$bin" serve --listen "127.0.0.1:$port" --workers 1 --trusted-proxies 127.0.0.1 \
    >/dev/null 2>"$work/server.log" &
server=$!
for _ in $(seq 1 100); do curl -sf "$verify_base/healthz" >/dev/null && break; sleep 0.1; done

s1() {
    TOKENS="$work/valid" TOKENS_PATH=/api/v1/verify taskset -c 1 wrk -t1 -c"$connections" \
        -d"${seconds}s" --latency -s bench/tokens.lua "$verify_base/api/v1/verify" |
        awk '/Requests\/sec/ {rps=$2} $1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; p99=v} END {printf "%.0f requests/s, p99 %.2f ms", rps, p99}'
}

rss_before=$(ps -o rss= -p "$server")
s1 >/dev/null   # warm-up
quiet=$(s1)

# The flood: 400 concurrent sign-ins with unknown emails, each client a session of
# its own (sign-in form, CSRF token), for as long as the measurement lasts.
# The flood runs at the lowest priority on wrk's core, so that wrk measures the
# server rather than waiting for its own core.
taskset -c 1 nice -n 19 python3 - "$base" "$((seconds + 4))" > "$work/flood" <<'PY' &
import collections, http.client, re, sys, threading, time, urllib.parse
base, duration = sys.argv[1], float(sys.argv[2])
host = base.removeprefix("http://")
statuses = collections.Counter()
lock = threading.Lock()
deadline = time.time() + duration
def client(n):
    address = f"198.51.100.{n % 40 + 1}"
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection(host, timeout=60)
            c.request("GET", "/login", headers={"X-Forwarded-For": address})
            r = c.getresponse(); page = r.read().decode()
            cookie = r.getheader("set-cookie", "").split(";")[0]
            # A locked-out address gets no form, and posts all the same.
            found = re.search(r'name="csrf_token" value="([^"]+)"', page)
            token = found.group(1) if found else ""
            body = urllib.parse.urlencode({"csrf_token": token, "email": f"nobody{n}-{time.time()}@example.com",
                                           "password": "wrong password guess", "next": ""})
            c.request("POST", "/login", body=body, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
                "X-Forwarded-For": address, "Origin": base})
            status = c.getresponse().status
        except Exception:
            status = "error"
        with lock:
            statuses[status] += 1
threads = [threading.Thread(target=client, args=(n,)) for n in range(400)]
for t in threads: t.start()
for t in threads: t.join()
print(" ".join(f"{k}: {v}" for k, v in sorted(statuses.items(), key=str)))
PY
flood=$!
sleep 2
peak_rss=0; peak_threads=0
( while kill -0 "$server" 2>/dev/null; do
      echo "$(ps -o rss= -p "$server") $(ls /proc/$server/task | wc -l)"; sleep 0.5
  done ) > "$work/samples" &
sampler=$!
flooded=$(s1)
wait "$flood" || true
flood=
kill "$sampler" 2>/dev/null || true
read -r peak_rss peak_threads < <(sort -n "$work/samples" | tail -n 1)
threads_max=$(awk '{print $2}' "$work/samples" | sort -n | tail -n 1)

backend=sqlite; [[ $database == postgres* ]] && backend=postgres
echo "Sign-in flood, $backend, $(date -u +%Y-%m-%d), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)),"
listeners="one listener"; [[ -n ${TESSERA_VERIFY_LISTEN:-} ]] && listeners="verification on its own listener"
echo "server on core 0 (one worker per listener, $listeners), wrk and the flood (nice 19) on core 1, ${seconds}s each."
echo
echo "| | S1 verify, cache hit | server memory (RSS) | threads |"
echo "| --- | --- | --- | --- |"
echo "| quiet | $quiet | $((rss_before / 1024)) MB | |"
echo "| during the flood | $flooded | $((peak_rss / 1024)) MB (peak) | $threads_max (peak) |"
echo
echo "Sign-ins answered during the flood: $(cat "$work/flood")"
