#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# bench/run.sh - load test with wrk against the release build (make bench).
#
# Every figure is printed beside the baseline measured in the same run at the
# same concurrency: POST /bench/echo, which goes through the whole HTTP path
# (body accumulation, routing, JSON parse and encode) with no authentication
# and no storage.  This machine is shared and noisy; ratios travel, absolute
# numbers do not.
#
# Environment: BENCH_SCALE (N: seed N incidents through `meldpunt import` and
# measure start-up, memory, size and every list at 2 connections instead;
# bench/scale.sh), BENCH_BASE_BIN (OLD: incident creates and bytes per
# incident of this binary beside OLD's instead; bench/write_path.sh), BENCH_SECONDS (default 5), BENCH_CONNECTIONS (default "16 64"),
# BENCH_ONLY (an extended regular expression: run only the endpoints whose
# name matches, beside the baseline; e.g. BENCH_ONLY='alerts|incidents \(').
set -eu
cd "$(dirname "$0")/.."

# BENCH_SCALE=N: the costs at N incidents instead (bench/scale.sh)
[ -n "${BENCH_SCALE:-}" ] && exec bench/scale.sh
# BENCH_BASE_BIN=OLD: the write path of this binary beside OLD's, round by
# round (bench/write_path.sh)
[ -n "${BENCH_BASE_BIN:-}" ] && exec bench/write_path.sh

BIN=${MELDPUNT_BIN:-$PWD/build/meldpunt}
SECONDS_EACH=${BENCH_SECONDS:-5}
CONNS=${BENCH_CONNECTIONS:-"16 64"}

dir=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT INT TERM

cat >"$dir/bench.conf" <<CONF
[server]
bench_endpoints = true
per_ip_connection_limit = 0
rate_limit = 0
[log]
level = warn
CONF

MP_TOKEN=$("$BIN" init --data "$dir/data" 2>/dev/null)
export MP_TOKEN
"$BIN" serve --config "$dir/bench.conf" --data "$dir/data" --listen 127.0.0.1:0 \
    --log-level notice 2>"$dir/serve.log" &
pid=$!
url=
for _ in $(seq 1 100); do
    url=$(grep -o 'url=http://[0-9.]*:[0-9]*' "$dir/serve.log" 2>/dev/null | head -n 1 | sed 's/url=//')
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "$url" ] || { echo "bench: the server did not start:"; cat "$dir/serve.log"; exit 1; }

# Alerts to list: ALERTS_SEED of them, posted in batches of 100 (the
# listing is measured on this many plus what the ingestion run adds).
seed_alerts() {
    i=0
    while [ "$i" -lt "$1" ]; do
        awk -v base="$i" 'BEGIN { printf "["; for (k = 0; k < 100; k++) {
            printf "%s{\"source\":\"seed\",\"title\":\"Seeded alert %d\",\"severity\":\"low\",\"service\":\"svc-%d\",\"labels\":{\"n\":\"%d\"}}",
                (k ? "," : ""), base + k, (base + k) % 20, base + k } printf "]" }' |
            curl -s -o /dev/null -H "Authorization: Bearer $MP_TOKEN" \
                -H 'Content-Type: application/json' --data-binary @- "$url/api/v1/alerts"
        i=$((i + 100))
    done
}

# One incident to read by id.
incident=$(curl -s -H "Authorization: Bearer $MP_TOKEN" -H 'Content-Type: application/json' \
    -d '{"title":"Benchmark incident","severity":"low"}' "$url/api/v1/incidents" |
    sed -E 's/^\{"id":"([^"]+)".*/\1/')

# run NAME PATH SCRIPT CONNECTIONS -> "rps p50_ms p99_ms non2xx"
run() {
    MP_RUN=$(date +%s%N)
    export MP_RUN
    out=$(wrk -t2 -c"$4" -d"${SECONDS_EACH}s" --latency -s "bench/$3" "$url$2" 2>&1)
    rps=$(echo "$out" | awk '/^Requests\/sec:/ {print $2}')
    p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
    p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
    bad=$(echo "$out" | awk '/Non-2xx or 3xx responses:/ {print $NF}')
    errs=$(echo "$out" | awk '/Socket errors:/ {print $0}')
    [ -n "$errs" ] && echo "  ($1 c=$4: $errs)" >&2
    echo "$rps $(to_ms "$p50") $(to_ms "$p99") ${bad:-0}"
}

# wrk prints latencies as 1.23ms, 456.00us or 1.20s.
to_ms() {
    echo "$1" | awk '/us$/ {sub("us","",$1); printf "%.3f", $1/1000; next}
                     /ms$/ {sub("ms","",$1); printf "%.3f", $1; next}
                     /s$/  {sub("s","",$1);  printf "%.3f", $1*1000; next}
                     {print "?"}'
}

echo "meldpunt $("$BIN" version | cut -d' ' -f2) - wrk -t2, ${SECONDS_EACH}s per run, $(nproc) cores"
printf '%-34s %5s %10s %8s %9s %9s %7s\n' endpoint conns req/s ratio p50_ms p99_ms non2xx
# The baseline first at every concurrency, then each endpoint at every
# concurrency; writes last, so reads are measured on the same database size.
for c in $CONNS; do
    r=$(run baseline /bench/echo post_json.lua "$c")
    eval "base_$c=\"\$r\""
done
for spec in "POST /bench/echo (baseline)|/bench/echo|post_json.lua" \
            "GET /healthz|/healthz|auth_get.lua" \
            "GET /api/v1/me (token lookup)|/api/v1/me|auth_get.lua" \
            "GET /api/v1/audit?limit=50|/api/v1/audit?limit=50|auth_get.lua" \
            "GET /api/v1/incidents/{id}|/api/v1/incidents/$incident|auth_get.lua" \
            "GET /api/v1/incidents?limit=50|/api/v1/incidents?limit=50|auth_get.lua" \
            "POST /api/v1/tokens (write+audit)|/api/v1/tokens|create_token.lua" \
            "POST /api/v1/incidents (durable)|/api/v1/incidents|create_incident.lua" \
            "POST /api/v1/alerts (90% repeats)|/api/v1/alerts|create_alert.lua" \
            "GET /api/v1/alerts?limit=100|/api/v1/alerts?limit=100|auth_get.lua" \
            "GET /api/v1/alerts?state=new&limit=100|/api/v1/alerts?state=new&limit=100|auth_get.lua"; do
    name=${spec%%|*}
    if [ -n "${BENCH_ONLY:-}" ] && ! echo "$name" | grep -Eq "$BENCH_ONLY|baseline"; then
        continue
    fi
    case "$name" in
    "GET /api/v1/alerts?limit=100"*)
        # 10,000 alerts (ALERTS_SEED) before the first listing
        seed_alerts "${ALERTS_SEED:-10000}"
        echo "  (listing with ${ALERTS_SEED:-10000} seeded alerts and those ingested above)" >&2 ;;
    esac
    rest=${spec#*|}
    path=${rest%%|*}
    script=${rest#*|}
    for c in $CONNS; do
        eval "base=\$base_$c"
        base_rps=$(echo "$base" | cut -d' ' -f1)
        if [ "$path" = /bench/echo ]; then r=$base; else r=$(run "$name" "$path" "$script" "$c"); fi
        set -- $r
        ratio=$(awk -v a="$1" -v b="$base_rps" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }')
        printf '%-34s %5s %10s %8s %9s %9s %7s\n' "$name" "$c" "$1" "$ratio" "$2" "$3" "$4"
    done
done

[ -n "${BENCH_ONLY:-}" ] && exit 0

echo
echo "classification: meldpunt rules bench (the built-in rules, generated incidents)"
"$BIN" rules bench 20000

echo
echo "approve and sign: meldpunt key bench (a notification document, canonical form and signature)"
"$BIN" key bench 5000
