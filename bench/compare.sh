#!/usr/bin/env bash
# Verification of another revision's build and the working tree's, side by side:
# both servers run at once on core 0 (one worker each, each on a SQLite database
# of its own), wrk on core 1, and the scenarios alternate between them round by
# round, so that whatever the machine does meanwhile touches both alike. Run it
# before a change to the verification path lands; its ratios to S0 must not fall.
# Usage:
#   bench/compare.sh <rev>
# Environment: BENCH_SECONDS (default 10) per scenario and round, BENCH_ROUNDS
# (default 4), BENCH_CONNECTIONS (default 64), BENCH_SEED_TOKENS (default 120000:
# example tokens in each database; S5 presents 100,000 usable ones in turn).
set -euo pipefail
cd "$(dirname "$0")/.."

source bench/wrk.sh
rev=${1:?usage: bench/compare.sh <rev>}
commit=$(git rev-parse --verify "$rev^{commit}")
seconds=${BENCH_SECONDS:-10}
rounds=${BENCH_ROUNDS:-4}
connections=${BENCH_CONNECTIONS:-64}
seed_tokens=${BENCH_SEED_TOKENS:-120000}
work=$(mktemp -d)
servers=()
trap 'kill "${servers[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

# <rev> in a target directory of its own; the working tree in target/release.
them=target/compare/${commit:0:12}
mkdir -p "$them" "$work/src"
git archive "$commit" | tar -x -C "$work/src"
(cd "$work/src" && CARGO_TARGET_DIR="$OLDPWD/$them" cargo build --release --locked --quiet)
cargo build --release --locked --quiet
declare -A bin=([old]="$PWD/$them/release/tessera" [new]="$PWD/target/release/tessera")
declare -A base=()

export TESSERA_LOG=warn
for build in old new; do
    dir=$work/$build
    mkdir -p "$dir"
    export TESSERA_DATABASE_URL=$dir/bench.db
    echo "benchmark password" | "${bin[$build]}" admin create --name Bench \
        --email bench@example.com --example-catalog --password-stdin >/dev/null
    "${bin[$build]}" seed --tokens "$seed_tokens" --secrets-file "$dir/usable" 2>/dev/null
    "${bin[$build]}" token create --name "Bench reader" --scope Production \
        --expires unlimited 2>/dev/null >"$dir/valid"
    python3 - "$dir" <<'PY'
import random, string, sys
alphabet = string.digits + string.ascii_uppercase + string.ascii_lowercase
rng = random.Random(7)
with open(f"{sys.argv[1]}/garbage", "w") as f:
    for _ in range(1000):
        f.write("tsr_" + "".join(rng.choice(alphabet) for _ in range(46)) + "\n")
usable = open(f"{sys.argv[1]}/usable").read().split()
rng.shuffle(usable)
open(f"{sys.argv[1]}/many", "w").write("\n".join(usable[:100_000]) + "\n")
PY
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    base[$build]="http://127.0.0.1:$port"
    taskset -c 0 "${bin[$build]}" serve --listen "127.0.0.1:$port" --workers 1 \
        >/dev/null 2>"$dir/server.log" &
    servers+=($!)
    for _ in $(seq 1 100); do curl -sf -o /dev/null "${base[$build]}/healthz" && break; sleep 0.1; done
done

# One scenario against one build: "build|label|requests/s|p99 ms".
run() {
    local build=$1 label=$2 path=$3 tokens=$4 duration=${5:-$seconds} summary
    summary=$(wrk_tokens "${base[$build]}" "$path" "$work/$build/$tokens" "$duration" "$connections")
    echo "$build|$label|${summary%|*}"
}

# Warm-up: every build's cache filled with the 100,000 tokens S5 presents.
for build in old new; do
    run "$build" warm-up /api/v1/verify many 15 >/dev/null
done
results=()
for round in $(seq 1 "$rounds"); do
    order=(old new); [ $((round % 2)) -eq 0 ] && order=(new old)
    for build in "${order[@]}"; do
        results+=("$(run "$build" "S0 trivial route (/healthz)" /healthz valid)")
        results+=("$(run "$build" "S1 verify, cache hit" /api/v1/verify valid)")
        results+=("$(run "$build" "S3 random malformed tokens" /api/v1/verify garbage)")
        results+=("$(ORIGINAL_URI=/orders/42 run "$build" "S4 forward-auth, cache hit" /api/v1/auth valid)")
        results+=("$(run "$build" "S5 100,000 distinct tokens in turn" /api/v1/verify many)")
    done
done

echo "Verification side by side, $(date -u +%Y-%m-%d): $rev (${commit:0:12}) and the working tree ($(git describe --always --dirty)),"
echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)); both servers on core 0 (one worker each),"
echo "wrk on core 1: -t1 -c$connections, ${seconds}s per scenario, $rounds alternating rounds; SQLite, $seed_tokens example tokens each."
echo
printf '%s\n' "${results[@]}" | python3 -c '
import statistics, sys
runs = {}
for line in sys.stdin:
    build, label, rps, p99 = line.rstrip("\n").split("|")
    runs.setdefault((build, label), []).append((float(rps), float(p99)))
labels = list(dict.fromkeys(label for _, label in runs))
s0 = {b: [r[0] for r in runs[(b, labels[0])]] for b in ("old", "new")}
s0p99 = {b: statistics.median(r[1] for r in runs[(b, labels[0])]) for b in ("old", "new")}
print("| Scenario | rev: requests/s | rev: × S0 | tree: requests/s | tree: × S0 | tree × S0 by round | rev p99 − S0 (ms) | tree p99 − S0 (ms) |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for label in labels:
    row = [label]
    for b in ("old", "new"):
        rps = [r[0] for r in runs[(b, label)]]
        ratio = statistics.median(r / s for r, s in zip(rps, s0[b]))
        row += [f"{statistics.median(rps):,.0f}", f"{ratio:.2f}"]
    row.append(" ".join(f"{r / s:.2f}" for r, s in zip((r[0] for r in runs[("new", label)]), s0["new"])))
    for b in ("old", "new"):
        p99 = statistics.median(r[1] for r in runs[(b, label)])
        row.append(f"{p99 - s0p99[b]:+.2f}")
    print("| " + " | ".join(row) + " |")
'
