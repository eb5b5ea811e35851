#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# run.sh - runs the libFuzzer targets (build/fuzz/NAME, from tests/fuzz/NAME.c).
#   tests/fuzz/run.sh SECONDS [NAME...]    each target (default: all) for SECONDS
#   tests/fuzz/run.sh --budget SECONDS     all of them within SECONDS in total
#                                          (make test: tests/run.sh fuzz)
# Each run first replays the seed corpus (tests/fuzz/NAME/) and what earlier
# runs found (build/fuzz/corpus/NAME/, where new inputs go), then mutates
# them until its time is up.  With --budget only the seed corpus is
# replayed (into an emptied build/fuzz/corpus-test/NAME/), so that make
# test takes the same time however long earlier runs were.  A crash, leak, sanitizer report, timeout (10 s
# for one input) or broken assertion stops the target; the input is saved
# as build/fuzz/artifacts/NAME/crash-* (or leak-*, timeout-*) and named in
# the output.  Reproduce one with: build/fuzz/NAME FILE
# One line a target:
#   fuzz: NAME ok: 1234567 runs in 60 s (20576/s), corpus 321
#   fuzz: NAME FAILED: crash-... (build/fuzz/artifacts/NAME/crash-...)
# FUZZ_RUNS=N stops each target after N executions, if that comes before its
# time is up (make fuzz-long: FUZZ_RUNS=10000000, the goal per target).
# Expects make fuzz-build to have run.  Exit status: 1 when any failed.
set -u
cd "$(dirname "$0")/../.." || exit 2

budget=
if [ "${1:-}" = --budget ]; then
    budget=${2:?--budget SECONDS}
    shift 2
    set --
else
    secs=${1:?usage: tests/fuzz/run.sh SECONDS [NAME...] | --budget SECONDS}
    shift
fi
targets=$*
if [ -z "$targets" ]; then
    for f in tests/fuzz/*.c; do
        targets="$targets $(basename "$f" .c)"
    done
fi
if [ -n "$budget" ]; then
    # Each process spends about a second starting (the request target sets
    # up a data directory), outside -max_total_time.
    n=$(echo $targets | wc -w)
    secs=$(( (budget - 2 * n) / n ))
    [ "$secs" -lt 1 ] && secs=1
fi

status=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in $targets; do
    bin=build/fuzz/$t
    if [ ! -x "$bin" ]; then
        echo "fuzz: $t FAILED: $bin is missing (make fuzz-build)"
        status=1
        continue
    fi
    corpus=build/fuzz/corpus/$t
    if [ -n "$budget" ]; then
        corpus=build/fuzz/corpus-test/$t
        rm -rf "$corpus"
    fi
    mkdir -p "$corpus" "build/fuzz/artifacts/$t"
    seeds=tests/fuzz/$t
    [ -d "$seeds" ] || seeds=
    # detect_leaks: a leak is a failure like a crash; nice: other work
    # on this machine comes first
    ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}" \
        nice "$bin" -max_total_time="$secs" ${FUZZ_RUNS:+-runs="$FUZZ_RUNS"} -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="build/fuzz/artifacts/$t/" \
        "$corpus" $seeds >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
    size=$(ls "$corpus" | wc -l)
    if [ "$rc" -eq 0 ] && [ -n "$took" ]; then
        rate=$(( ${runs:-0} / (took > 0 ? took : 1) ))
        echo "fuzz: $t ok: ${runs:-0} runs in $took s ($rate/s), corpus $size"
    else
        tail -n 60 "$log"
        art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
        echo "fuzz: $t FAILED (exit $rc) after ${runs:-?} runs: ${art:-no input saved}"
        status=1
    fi
done
exit $status
