#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# bench/write_path.sh - the write path of an incident create, two binaries
# side by side in one run (BENCH_BASE_BIN=OLD make bench, or directly).
#
# For each binary, ROUNDS times in turn (old, new, old, new, ...), on a fresh
# data directory: the echo baseline (POST /bench/echo) and durable incident
# creates (bench/create_incident.lua), then the read that explains a
# judgement (GET /api/v1/incidents/{id}/classification), each with wrk -t2
# at CONNS connections for SECONDS_EACH seconds; then the server is
# stopped, the WAL folded in, and the database's growth divided by the
# incidents created.
# The machine is shared: read the ratios (creates over the same-run echo
# baseline; new over old), not the absolute figures.
#
# Environment: BENCH_BASE_BIN (the binary to compare with; required),
# MELDPUNT_BIN (default build/meldpunt), BENCH_ROUNDS (default 3),
# BENCH_SECONDS (default 5), BENCH_CONNECTIONS (default 64).
set -eu
cd "$(dirname "$0")/.."

NEW=${MELDPUNT_BIN:-$PWD/build/meldpunt}
OLD=${BENCH_BASE_BIN:?BENCH_BASE_BIN: the binary to compare with}
ROUNDS=${BENCH_ROUNDS:-3}
SECONDS_EACH=${BENCH_SECONDS:-5}
CONNS=${BENCH_CONNECTIONS:-64}

. bench/lib.sh

# wrk's requests per second
rps() {
    set -- $(bench_wrk 2 "$CONNS" "$1" "$2")
    echo "$1"
}

# one round for one binary: "echo_rps create_rps ratio bytes_per_incident
# classification_bytes_per_row read_ratio"
round() {
    BIN=$1
    bench_fresh
    bench_serve
    db="$dir/data/meldpunt.db"
    sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
    before=$(sqlite3 "$db" 'SELECT page_count * page_size FROM pragma_page_count, pragma_page_size;')
    n0=$(sqlite3 "$db" 'SELECT count(*) FROM incidents;')
    echo_rps=$(rps /bench/echo post_json.lua)
    create_rps=$(rps /api/v1/incidents create_incident.lua)
    # the read that explains a judgement: one incident's classification
    id=$(sqlite3 "$db" 'SELECT id FROM incidents ORDER BY seq DESC LIMIT 1;')
    read_rps=$(rps "/api/v1/incidents/$id/classification" auth_get.lua)
    bench_stop
    sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
    after=$(sqlite3 "$db" 'SELECT page_count * page_size FROM pragma_page_count, pragma_page_size;')
    n=$(sqlite3 "$db" 'SELECT count(*) FROM incidents;')
    cls=$(sqlite3 "$db" 'SELECT coalesce(avg(length(rules) + length(inputs) + length(result)), 0)
                         FROM classifications;')
    awk -v e="$echo_rps" -v c="$create_rps" -v b="$before" -v a="$after" -v n0="$n0" -v n="$n" \
        -v cls="$cls" -v rd="$read_rps" 'BEGIN { printf "%s %s %.3f %.0f %.0f %.3f\n", e, c,
                              (e > 0 ? c / e : 0), (n > n0 ? (a - b) / (n - n0) : 0), cls,
                              (e > 0 ? rd / e : 0) }'
}

echo "write path: incident creates, wrk -t2 -c$CONNS, ${SECONDS_EACH}s per run, $(nproc) cores"
bench_init
echo "old: $OLD"
echo "new: $NEW"
printf '%-5s %-4s %10s %10s %14s %12s %12s %12s\n' round bin echo_req/s creates/s creates/echo \
    bytes/inc class_row_B read/echo
: >"$dir/results"
r=1
while [ "$r" -le "$ROUNDS" ]; do
    for which in old new; do
        if [ "$which" = old ]; then bin=$OLD; else bin=$NEW; fi
        set -- $(round "$bin")
        printf '%-5s %-4s %10s %10s %14s %12s %12s %12s\n' "$r" "$which" "$1" "$2" "$3" "$4" "$5" "$6"
        echo "$which $*" >>"$dir/results"
    done
    r=$((r + 1))
done
# new over old, round by round (each pair ran back to back)
awk '$1 == "old" { o[++i] = $4; ob[i] = $5; orr[i] = $7 }
     $1 == "new" { n[++j] = $4; nb[j] = $5; nr[j] = $7 }
     END { for (k = 1; k <= j; k++)
               printf "round %d: new/old: creates/echo %.2f, bytes per incident %.2f, " \
                      "classification read/echo %.2f\n", k, (o[k] > 0 ? n[k] / o[k] : 0),
                      (ob[k] > 0 ? nb[k] / ob[k] : 0), (orr[k] > 0 ? nr[k] / orr[k] : 0) }' \
    "$dir/results"
