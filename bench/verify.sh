#!/usr/bin/env bash
# Verification throughput and latency with wrk (Debian's package), the server pinned
# to one core and wrk to the other. Usage:
#   bench/verify.sh                          # SQLite
#   BENCH_DATABASE_URL=postgres://... bench/verify.sh
# Environment: BENCH_SECONDS (default 20), BENCH_CONNECTIONS (default 64),
# BENCH_ROUNDS (default 3): every scenario runs once per round, the rounds one after
# the other, and the table gives each scenario's median round, so that a noisy
# moment on the machine moves one round, not the result.
# BENCH_SEED_TOKENS (default 250000): example tokens added with `tessera seed`; S5
# presents 100,000 of the usable ones in turn, S6 all of them in a Zipf-like mix
# (with 1000000, a million tokens behind a cache of 200,000). Each round also runs
# S1 and S5 on a server with usage counting off, and the summary says what counting
# costs.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${BENCH_SECONDS:-20}
connections=${BENCH_CONNECTIONS:-64}
rounds=${BENCH_ROUNDS:-3}
work=$(mktemp -d)
server=
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
database=${BENCH_DATABASE_URL:-$work/bench.db}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

source bench/wrk.sh
cargo build --release --quiet
bin=$PWD/target/release/tessera
export TESSERA_DATABASE_URL=$database TESSERA_LOG=warn
if [[ $database == postgres* ]]; then
    psql "$database" -qc 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' >/dev/null
fi
echo "benchmark password" | "$bin" admin create --name Bench --email bench@example.com \
    --example-catalog --password-stdin >/dev/null
seed_tokens=${BENCH_SEED_TOKENS:-250000}
"$bin" seed --tokens "$seed_tokens" --secrets-file "$work/usable" 2>/dev/null
secret=$("$bin" token create --name "Bench reader" --scope Production --expires unlimited 2>/dev/null)
guid=$("$bin" token list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["guid"])')

# Tokens for S3: random and malformed; for S3b: well-formed (right checksum) but unknown.
python3 - "$work" <<'PY'
import random, string, sys, zlib
alphabet = string.digits + string.ascii_uppercase + string.ascii_lowercase
def base62(n, width):
    out = ""
    for _ in range(width):
        out = alphabet[n % 62] + out
        n //= 62
    return out
rng = random.Random(7)
with open(f"{sys.argv[1]}/garbage", "w") as f:
    for _ in range(1000):
        f.write("tsr_" + "".join(rng.choice(alphabet) for _ in range(46)) + "\n")
with open(f"{sys.argv[1]}/unknown", "w") as f:
    for _ in range(1000):
        head = "tsr_" + "".join(rng.choice(alphabet) for _ in range(40))
        f.write(head + base62(zlib.crc32(head.encode()), 6) + "\n")
# The usable tokens in a random order (the file lists them oldest first, and the
# oldest are the likeliest to expire during the run). S5: 100,000 of them in turn.
# S6: a million requests over all of them, the k-th most used drawn with weight
# 1/k (Zipf, s = 1): a few thousand tokens make most of the traffic.
usable = open(f"{sys.argv[1]}/usable").read().split()
rng.shuffle(usable)
open(f"{sys.argv[1]}/many", "w").write("\n".join(usable[:100_000]) + "\n")
weights = [1 / k for k in range(1, len(usable) + 1)]
with open(f"{sys.argv[1]}/zipf", "w") as f:
    f.write("\n".join(rng.choices(usable, weights=weights, k=1_000_000)) + "\n")
top = sum(weights[:5000]) / sum(weights)
open(f"{sys.argv[1]}/zipf-top", "w").write(f"{top:.0%}")
PY
echo "$secret" > "$work/valid"

start_server() {
    taskset -c 0 "$bin" serve --listen "127.0.0.1:$port" --workers 1 "$@" >/dev/null 2>"$work/server.log" &
    server=$!
    for _ in $(seq 1 100); do curl -sf "$base/healthz" >/dev/null && return; sleep 0.1; done
    echo "the server did not start" >&2; exit 1
}
stop_server() { kill "$server"; wait "$server" 2>/dev/null || true; server=; }
metric() { curl -s "$base/metrics" | awk -v k="$1" '$1 == k {print $2}'; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$server/status"; }
# CPU time (clock ticks) of the whole server process, every thread.
process_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
# Runs S1 for 30 s, adds its result to `results` and the server's CPU time per
# request (ns) to the array named $1: less moved than throughput by what else the
# machine runs.
run_s1() {
    local -n per_request=$1
    local label=$2 before line rps
    before=$(process_ticks)
    line=$(run "$label" /api/v1/verify valid 30)
    rps=$(cut -d'|' -f2 <<<"$line")
    per_request+=("$(awk -v t="$(( $(process_ticks) - before ))" -v hz="$(getconf CLK_TCK)" -v r="$rps" \
        'BEGIN { printf "%.0f", t / hz * 1e9 / (r * 30) }')")
    results+=("$line")
}
# CPU time (clock ticks) of the server's thread named $1.
thread_ticks() {
    local task
    for task in /proc/"$server"/task/*; do
        if [ "$(cat "$task/comm")" = "$1" ]; then awk '{print $14 + $15}' "$task/stat"; return; fi
    done
    echo 0
}

# One scenario: "label|requests/s|p99 ms|non-2xx".
run() {
    local label=$1 path=$2 tokens=$3 duration=${4:-$seconds}
    echo "$label|$(wrk_tokens "$base" "$path" "$work/$tokens" "$duration" "$connections")"
}

backend=sqlite; [[ $database == postgres* ]] && backend=postgres
results=(); rss_per_token=(); flusher_share=(); hit_rates=(); cpu_on=(); cpu_off=()
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for round in $(seq 1 "$rounds"); do
    start_server
    run "S0 trivial route (/healthz)" /healthz valid 5 >/dev/null   # warm-up
    results+=("$(run "S0 trivial route (/healthz)" /healthz valid)")
    statements_before=$(metric tessera_db_statements_total)
    flushes_before=$(metric tessera_usage_flushes_total)
    run_s1 cpu_on "S1 verify, cache hit"
    sleep 6
    if [ "$round" -eq 1 ]; then
        statements=$(( $(metric tessera_db_statements_total) - statements_before ))
        flushes=$(( $(metric tessera_usage_flushes_total) - flushes_before ))
    fi
    results+=("$(run "S3 random malformed tokens" /api/v1/verify garbage)")
    results+=("$(run "S3b well-formed unknown tokens (1,000)" /api/v1/verify unknown)")
    results+=("$(ORIGINAL_URI=/orders/42 run "S4 forward-auth, cache hit" /api/v1/auth valid)")

    # S5: one pass to fill the cache with the 100,000 tokens, then measured.
    rss_before=$(rss_kb); entries_before=$(metric tessera_token_cache_entries)
    run warm-up /api/v1/verify many 15 >/dev/null
    rss_after=$(rss_kb); entries_after=$(metric tessera_token_cache_entries)
    rss_per_token+=("$(( (rss_after - rss_before) * 1024 / (entries_after - entries_before) ))")
    flusher_before=$(thread_ticks tessera-usage)
    results+=("$(run "S5 100,000 distinct tokens in turn, cache warm" /api/v1/verify many)")
    flusher_share+=("$(( ($(thread_ticks tessera-usage) - flusher_before) * 10000 / ($(getconf CLK_TCK) * seconds) ))")

    # S6: the Zipf mix over every usable token, after one run to warm the cache.
    run warm-up /api/v1/verify zipf 10 >/dev/null
    hits_before=$(metric tessera_token_cache_hits_total); misses_before=$(metric tessera_token_cache_misses_total)
    results+=("$(run "S6 Zipf mix over $(wc -l < "$work/usable") usable tokens" /api/v1/verify zipf)")
    hits=$(( $(metric tessera_token_cache_hits_total) - hits_before ))
    misses=$(( $(metric tessera_token_cache_misses_total) - misses_before ))
    hit_rates+=("$(( hits * 1000 / (hits + misses) ))")
    cache_entries=$(metric tessera_token_cache_entries); cache_bytes=$(metric tessera_token_cache_memory_bytes)
    stop_server

    start_server --token-cache false
    results+=("$(run "S2 verify, cache off" /api/v1/verify valid)")
    stop_server

    # What usage counting costs: S1 and S5 again with counting off, in the same round.
    start_server --usage-counting false
    run warm-up /api/v1/verify valid 5 >/dev/null
    run_s1 cpu_off "S1 verify, cache hit, counting off"
    run warm-up /api/v1/verify many 15 >/dev/null
    results+=("$(run "S5 100,000 distinct tokens in turn, counting off" /api/v1/verify many)")
    stop_server
done

start_server
revoke_same=$(taskset -c 1 python3 bench/revoke_probe.py --url "$base" --secret "$secret" --guid "$guid" \
    --email bench@example.com --password "benchmark password")
stop_server

echo "Tessera verification, $backend, $(date -u +%Y-%m-%d), $seed_tokens example tokens in the database, $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)),"
echo "server on core 0 (one worker), wrk on core 1: -t1 -c$connections, ${seconds}s (S1 30s), median of $rounds rounds."
echo
printf '%s\n' "${results[@]}" | python3 -c '
import statistics, sys
rows = {}
for line in sys.stdin:
    label, rps, p99, non2xx = line.rstrip("\n").split("|")
    rows.setdefault(label, []).append((float(rps), float(p99), int(non2xx or 0)))
s0 = statistics.median(r[0] for r in rows["S0 trivial route (/healthz)"])
s0p99 = statistics.median(r[1] for r in rows["S0 trivial route (/healthz)"])
print("| Scenario | requests/s (median) | × S0 | rounds × S0 | p99 ms (median) | p99 − S0 p99 (ms) | non-2xx |")
print("| --- | --- | --- | --- | --- | --- | --- |")
s0_rounds = [r[0] for r in rows["S0 trivial route (/healthz)"]]
for label, runs in rows.items():
    rps = statistics.median(r[0] for r in runs)
    p99 = statistics.median(r[1] for r in runs)
    each = " ".join(f"{r[0] / s:.2f}" for r, s in zip(runs, s0_rounds))
    print(f"| {label} | {rps:,.0f} | {rps / s0:.2f} | {each} | {p99:.2f} | {p99 - s0p99:+.2f} | {runs[0][2]:,} |")
print()
for on, off in [("S1 verify, cache hit", "S1 verify, cache hit, counting off"),
                ("S5 100,000 distinct tokens in turn, cache warm", "S5 100,000 distinct tokens in turn, counting off")]:
    if on in rows and off in rows:
        ratios = [a[0] / b[0] for a, b in zip(rows[on], rows[off])]
        p99s = [a[1] - b[1] for a, b in zip(rows[on], rows[off])]
        each = " ".join(f"{r:.3f}" for r in ratios)
        print(f"Usage counting, {on.split()[0]}: {statistics.median(ratios):.3f} of the throughput without it "
              f"(rounds: {each}), p99 {statistics.median(p99s):+.2f} ms.")
'
echo
echo "During the first 30 s S1 run and the 6 s after it: $statements database statements in all: $flushes batched"
echo "flushes of last uses (one UPDATE each, for the one token used), the rest the server's periodic work; none from"
echo "the verifications."
echo "Revoke under S1-level load, through the admin app: $revoke_same."
echo "S1: the server's CPU time per request (ns, by round): ${cpu_on[*]} with usage counting, ${cpu_off[*]} without;"
echo "medians $(median "${cpu_on[@]}") and $(median "${cpu_off[@]}") ns."
echo "S5: resident memory per cached token (RSS growth over the cache's growth, by round): ${rss_per_token[*]} bytes;"
echo "the usage flusher's share of a core while S5 ran: $(median "${flusher_share[@]}" | awk '{printf "%.2f", $1 / 100}') % (median)."
echo "S6: cache hit rate $(median "${hit_rates[@]}" | awk '{printf "%.1f", $1 / 10}') % (median); the 5,000 most used tokens make $(cat "$work/zipf-top") of the"
echo "requests; the cache then held $cache_entries entries in $(( cache_bytes / 1048576 )) MiB by its own count."
