# Sourced by the verification benchmarks: one wrk run on core 1, presenting the tokens
# of a file in turn (bench/tokens.lua; with ORIGINAL_URI set, as nginx's auth_request
# would), summed up as "requests/s|p99 ms|non-2xx responses".
# Usage: wrk_tokens BASE_URL PATH TOKENS_FILE SECONDS CONNECTIONS
wrk_tokens() {
    local base=$1 path=$2 tokens=$3 duration=$4 connections=$5
    TOKENS="$tokens" TOKENS_PATH="$path" taskset -c 1 wrk -t1 -c"$connections" \
        -d"${duration}s" --latency -s bench/tokens.lua "$base$path" | awk '
        /Requests\/sec/ {rps = $2}
        /Non-2xx/ {non2xx = $NF}
        $1 == "99%" {v = $2; if (v ~ /us$/) {sub(/us/, "", v); v /= 1000} else if (v ~ /ms$/) {sub(/ms/, "", v)} else if (v ~ /s$/) {sub(/s/, "", v); v *= 1000}; p99 = v}
        END {print rps "|" p99 "|" non2xx + 0}'
}
