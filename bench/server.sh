# Shared by the list and API benchmarks (sourced): a working directory removed at
# exit with the server in `$server`, the database (`BENCH_DATABASE_URL`, or SQLite
# in the working directory), a free port and its `$base` URL, the release build,
# and functions to empty the database, start the server and time requests.
work=$(mktemp -d)
server=
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
database=${BENCH_DATABASE_URL:-$work/bench.db}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
backend=sqlite; [[ $database == postgres* ]] && backend=postgres

cargo build --release --quiet
bin=target/release/tessera
export TESSERA_DATABASE_URL=$database TESSERA_LOG=warn

# An empty PostgreSQL schema before seeding (a SQLite file starts empty).
empty_database() {
    if [[ $database == postgres* ]]; then
        psql "$database" -qc 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' >/dev/null
    fi
}

# Serves on `$port` with two workers, once `$1` answers.
start_server() {
    "$bin" serve --listen "127.0.0.1:$port" --workers 2 >"$work/out" 2>"$work/err" &
    server=$!
    for _ in $(seq 1 300); do curl -sf -o /dev/null "$base$1" && break; sleep 0.2; done
}

# "median | p95" in ms of `$runs` requests, made with curl's arguments `$@`.
timings() {
    for _ in $(seq 1 "$runs"); do
        curl -s -o /dev/null -w '%{time_total}\n' "$@"
    done | sort -n | awk '{a[NR]=$1} END {i=int(NR*0.95); if (i<1) i=1; printf "%.1f | %.1f", a[int((NR+1)/2)]*1000, a[i]*1000}'
}

# Signs in with the cookie jar `$1` as `$2` with password `$3`. (`sed -n 1p` reads
# to the end, where `head` would end the pipe early and fail it.)
csrf() { sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | sed -n 1p; }
login() {
    local jar=$1 email=$2 password=$3 token
    token=$(curl -s -c "$jar" -b "$jar" "$base/login" | csrf)
    curl -s -o /dev/null -c "$jar" -b "$jar" -H "Origin: $base" \
        --data-urlencode "csrf_token=$token" --data-urlencode "email=$email" \
        --data-urlencode "password=$password" "$base/login"
}
