# Shared by the list and API benchmarks (sourced): a working directory removed at
# exit with the server in `$server`, the database (`BENCH_DATABASE_URL`, or SQLite
# in the working directory), a free port and its `$base` URL, and the release build.
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
