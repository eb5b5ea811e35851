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
# bench/scale.sh), BENCH_REMINDERS (N: only the reminders' cost with N open
# obligations, bench/reminders.sh, which a whole run ends with at 10,000),
# BENCH_BASE_BIN (OLD: incident creates and bytes per incident of this binary
# beside OLD's instead; bench/write_path.sh),
# BENCH_SECONDS (default 5), BENCH_CONNECTIONS (default "16 64"),
# BENCH_ONLY (an extended regular expression: run only the endpoints whose
# name matches, beside the baseline; e.g. BENCH_ONLY='alerts|incidents \(').
set -eu
cd "$(dirname "$0")/.."

# BENCH_SCALE=N: the costs at N incidents instead (bench/scale.sh)
[ -n "${BENCH_SCALE:-}" ] && exec bench/scale.sh
# BENCH_REMINDERS=N: only what reminders cost the API, with N open
# obligations (bench/reminders.sh; also run at the end of a whole run)
[ -n "${BENCH_REMINDERS:-}" ] && exec bench/reminders.sh
# BENCH_BASE_BIN=OLD: the write path of this binary beside OLD's, round by
# round (bench/write_path.sh)
[ -n "${BENCH_BASE_BIN:-}" ] && exec bench/write_path.sh

SECONDS_EACH=${BENCH_SECONDS:-5}
CONNS=${BENCH_CONNECTIONS:-"16 64"}

. bench/lib.sh
bench_init
bench_serve

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
run() { bench_wrk 2 "$4" "$2" "$3"; }

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

echo
echo "reminders: the API's p99 with and without them (bench/reminders.sh)"
bench_cleanup || : # the server stopped, its directory gone, before the next part
trap - EXIT
bench/reminders.sh
