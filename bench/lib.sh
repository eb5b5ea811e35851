#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# bench/lib.sh - what the benchmarks share (sourced by run.sh, scale.sh,
# reminders.sh and write_path.sh): a data directory with a bench config, the server started
# on a free port, and one wrk run read as "req/s p50_ms p99_ms non2xx".
#
# bench_init sets dir (a temporary directory, removed on exit with the
# server), writes $dir/bench.conf (the bench endpoints, no per-address
# limits, plus what BENCH_CONF_EXTRA adds) and creates the data directory;
# MP_TOKEN is the first admin's token.  bench_serve starts the server ($BIN)
# and waits until GET /readyz answers 200: pid and url are set.

BIN=${MELDPUNT_BIN:-$PWD/build/meldpunt}

bench_init() {
    dir=$(mktemp -d)
    pid=
    trap bench_cleanup EXIT INT TERM
    cat >"$dir/bench.conf" <<CONF
[server]
bench_endpoints = true
per_ip_connection_limit = 0
rate_limit = 0
[log]
level = warn
${BENCH_CONF_EXTRA:-}
CONF
    bench_fresh
}

# bench_fresh: an empty data directory made by $BIN (a benchmark that
# compares binaries sets BIN before each); MP_TOKEN its first admin's token.
bench_fresh() {
    rm -rf "$dir/data" "$dir/serve.log"
    MP_TOKEN=$("$BIN" init --data "$dir/data" 2>/dev/null)
    export MP_TOKEN
}

# bench_stop: the server stopped (and waited for).
bench_stop() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    pid=
}

bench_cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    [ -n "${bench_helper:-}" ] && kill "$bench_helper" 2>/dev/null
    rm -rf "$dir"
}

bench_now_ms() { date +%s%3N; }

bench_serve() {
    started=$(bench_now_ms)
    "$BIN" serve --config "$dir/bench.conf" --data "$dir/data" --listen 127.0.0.1:0 \
        --log-level notice 2>"$dir/serve.log" &
    pid=$!
    url=
    while :; do
        url=$(grep -o 'url=http://[0-9.]*:[0-9]*' "$dir/serve.log" 2>/dev/null | head -n 1 | sed 's/url=//')
        if [ -n "$url" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/readyz")" = 200 ]; then
            break
        fi
        kill -0 "$pid" 2>/dev/null || { echo "bench: the server did not start:"; cat "$dir/serve.log"; exit 1; }
        [ $(($(bench_now_ms) - started)) -lt 60000 ] || { echo "bench: not ready within 60 s"; exit 1; }
        sleep 0.01
    done
}

# wrk prints latencies as 1.23ms, 456.00us or 1.20s.
to_ms() {
    echo "$1" | awk '/us$/ {sub("us","",$1); printf "%.3f", $1/1000; next}
                     /ms$/ {sub("ms","",$1); printf "%.3f", $1; next}
                     /s$/  {sub("s","",$1);  printf "%.3f", $1*1000; next}
                     {print "?"}'
}

# bench_wrk THREADS CONNECTIONS PATH SCRIPT -> "rps p50_ms p99_ms non2xx";
# socket errors on stderr.
bench_wrk() {
    MP_RUN=$(date +%s%N)
    export MP_RUN
    out=$(wrk -t"$1" -c"$2" -d"${SECONDS_EACH:-5}s" --latency -s "bench/$4" "$url$3" 2>&1)
    rps=$(echo "$out" | awk '/^Requests\/sec:/ {print $2}')
    p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
    p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
    bad=$(echo "$out" | awk '/Non-2xx or 3xx responses:/ {print $NF}')
    errs=$(echo "$out" | awk '/Socket errors:/ {print $0}')
    [ -n "$errs" ] && echo "  ($3 c=$2: $errs)" >&2
    echo "$rps $(to_ms "$p50") $(to_ms "$p99") ${bad:-0}"
}
