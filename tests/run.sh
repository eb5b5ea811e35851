#!/bin/sh
# SPDX-License-Identifier: EUPL-1.2
# run.sh - runs the test suites and prints one closing line.
#   tests/run.sh          unit + e2e + http + the dated runs (below)
#   tests/run.sh unit     Check suites only (build/test/unit/test_*)
#   tests/run.sh e2e      end-to-end only (node --test tests/e2e/)
#   tests/run.sh http     the HTTP conformance and slow-client test
#                         (tests/http/conformance.py: raw sockets on
#                         loopback, Python's standard library, under 60 s),
#                         and memory after bursts of large bodies
#                         (tests/http/memory.py: the release build,
#                         build/meldpunt, under 30 s)
#   tests/run.sh dated    the unit suites and the end-to-end tests of the
#                         incident, classification, notification, time and
#                         regulatory and reporting areas again under libfaketime, about 400 days ahead
#                         and on a leap day, so a test that depends on
#                         today's date fails now and not a year from now
#   tests/run.sh browser  browser tests only (node --test tests/browser/:
#                         Debian's chromium driven by playwright-core)
#   tests/run.sh crash    the durability harness, shortened: CRASH_CYCLES
#                         (default 3) kill -9 cycles under load
#                         (tests/crash/crash.mjs; make crash-test runs 20)
#   tests/run.sh fuzz     the libFuzzer targets (tests/fuzz/): each replays its
#                         corpus, then fuzzes, all within 60 s; one test each
# Expects `make test-build` (and for fuzz `make fuzz-build`, for http
# `make build/meldpunt`) to have run (make test does all three).
set -u
cd "$(dirname "$0")/.." || exit 2

what=${1:-all}
passed=0
failed=0
status=0
log=$(mktemp)
# The failures' own lines, repeated just before the closing line: CI shows
# only the tail of a run, and "1 failed" alone names nothing.
fails=$(mktemp)
trap 'rm -f "$log" "$fails"; pg_stop' EXIT

# issue 23: one throwaway PostgreSQL cluster (tests/pg/cluster.sh) for the
# suites that need one (test_pg*, tests/e2e/storage*), started here and
# stopped at exit; a cluster that cannot start is a failure here
# (MELDPUNT_PG_REQUIRED=1: the suites do not skip).
pgdir=
pg_stop() {
    [ -n "$pgdir" ] && tests/pg/cluster.sh stop "$pgdir"
    pgdir=
}
pg_start() {
    [ -n "$pgdir" ] && return 0
    export MELDPUNT_PG_REQUIRED=${MELDPUNT_PG_REQUIRED:-1}
    pgdir=$(mktemp -d -u "${TMPDIR:-/tmp}/meldpunt-pg-run.XXXXXX")
    if tests/pg/cluster.sh start "$pgdir" >"$log" 2>&1; then
        set -a
        . "$pgdir/env"
        set +a
        echo "run.sh: PostgreSQL cluster for the tests: $MELDPUNT_PG_CONNINFO"
    else
        echo "run.sh: the throwaway PostgreSQL cluster did not start:" | tee -a "$fails"
        tail -n 5 "$log" | tee -a "$fails"
        pgdir=
        failed=$((failed + 1))
        status=1
    fi
}
case "$what" in all | unit | e2e | dated) pg_start ;; esac

# Keeps the lines of $log that name a failure, labelled with $1.
note_failures() {
    # node --test: the "not ok" line, and its block's location and error
    awk '/^[[:space:]]*not ok / { print; n = 12; next }
         m > 0 { print; m-- }
         n > 0 && /^[[:space:]]*(location|error):/ { print; if (/\|-?$/) m = 2 }
         n > 0 { n-- }
         /:[FE]:|FAILED|^run\.sh: / { print }' "$log" \
        | sed "s|^ *|  [$1] |" | head -n 30 >>"$fails"
}
conc=
node --help 2>/dev/null | grep -q -- --test-concurrency && conc=--test-concurrency=1

# Every Check suite; $1 labels the run in failures.
run_unit() {
    for t in build/test/unit/test_*; do
        [ -x "$t" ] || continue
        CK_DEFAULT_TIMEOUT=30 "$t" >"$log" 2>&1
        rc=$?
        cat "$log"
        note_failures "$t$1"
        # Check's summary: "100%: Checks: 12, Failures: 0, Errors: 0"
        line=$(grep -E '^[0-9]+%: Checks: ' "$log" | tail -n 1)
        checks=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
        counts=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+), Errors: ([0-9]+).*/\1 \2/')
        if [ -z "$line" ]; then
            echo "run.sh: $t$1 printed no Check summary (exit $rc)" | tee -a "$fails"
            failed=$((failed + 1))
            status=1
            continue
        fi
        f=$(( $(echo "$counts" | cut -d' ' -f1) + $(echo "$counts" | cut -d' ' -f2) ))
        passed=$((passed + checks - f))
        failed=$((failed + f))
        [ "$rc" -eq 0 ] && [ "$f" -eq 0 ] || status=1
    done
}

# Runs a command whose output closes with "# pass N" and "# fail N" (node
# --test, and the Python tests that print the same), and adds its counts.
run_counted() {
    MELDPUNT_BIN=${MELDPUNT_BIN:-$PWD/build/test/meldpunt} "$@" >"$log" 2>&1
    rc=$?
    cat "$log"
    note_failures "$(echo "$*" | sed -E 's/^node --test( --test-concurrency=1)? //')"
    p=$(grep -E '^# pass [0-9]+' "$log" | tail -n 1 | sed -E 's/# pass //')
    f=$(grep -E '^# fail [0-9]+' "$log" | tail -n 1 | sed -E 's/# fail //')
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
    if [ "$rc" -ne 0 ] || [ -z "$p" ]; then
        [ "${f:-0}" -eq 0 ] && failed=$((failed + 1))
        status=1
    fi
}

# node --test on the given files or directories.
run_node() {
    run_counted node --test $conc "$@"
}

if [ "$what" = all ] || [ "$what" = unit ]; then
    run_unit ""
fi

# The end-to-end helpers check every request and answer with ajv
# (tests/e2e/package.json; make test, make e2e or npm ci there installs it).
need_e2e_deps() {
    if [ ! -d tests/e2e/node_modules/ajv ]; then
        echo "run.sh: tests/e2e/node_modules is missing: run make e2e (or cd tests/e2e && npm ci)"
        failed=$((failed + 1))
        status=1
        return 1
    fi
}

if [ "$what" = all ] || [ "$what" = e2e ]; then
    # One test file at a time: each starts its own daemons, and this
    # machine has two cores.  (Node before 20.10 lacks the flag and runs
    # files one by one anyway.)
    need_e2e_deps && run_node tests/e2e/
fi

# A Python test printing "ok N - ..." / "not ok N - ..." and closing with
# "# pass N" and "# fail N".
run_python() {
    run_counted python3 "$@"
}

if [ "$what" = all ] || [ "$what" = http ]; then
    run_python tests/http/conformance.py
    # memory after bursts of large bodies: the release build (glibc's
    # allocator; the sanitizers' keeps freed memory in quarantine)
    run_python tests/http/memory.py
    # docs/examples/nginx-meldpunt.conf in front of the release build: the
    # answers libmicrohttpd 0.9.75 gives in plain HTML come from nginx as
    # problems (the slowloris through nginx: tests/http/proxy.py alone)
    run_python tests/http/proxy.py --quick
fi

if [ "$what" = all ] || [ "$what" = dated ]; then
    # libfaketime (Debian's faketime, installed by packaging/install-deps.sh)
    # moves the clocks of every process of the run, node and the daemons it
    # starts alike, by one offset.  (The monotonic clock moves by the same
    # offset, which durations do not notice: with FAKETIME_DONT_FAKE_MONOTONIC
    # libfaketime 0.9.10's pthread_cond_timedwait returns at once on a
    # monotonic condition variable, and timer threads would spin.)
    # AddressSanitizer must be told that libfaketime is preloaded before it.
    lib=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -n 1)
    if [ -z "$lib" ]; then
        echo "run.sh: libfaketime is missing: run make test (packaging/install-deps.sh)"
        failed=$((failed + 1))
        status=1
    else
        # As offsets from the real time: a start time ("@...") would start
        # each process's clock anew, and node and the daemons must agree.
        leap=$(( $(date -u -d '2028-02-29 10:00:00' +%s) - $(date -u +%s) ))
        for when in '+400d' "+${leap}s"; do
            echo "run.sh: the dated run, wall clock moved by $when ($(FAKETIME=$when LD_PRELOAD=$lib date -u +%FT%TZ))"
            export FAKETIME="$when" LD_PRELOAD="$lib"
            export ASAN_OPTIONS="verify_asan_link_order=0:detect_leaks=1:abort_on_error=0"
            run_unit " (faketime $when)"
            need_e2e_deps && run_node tests/e2e/incidents.test.mjs tests/e2e/classification.test.mjs \
                tests/e2e/notifications.test.mjs tests/e2e/time.test.mjs \
                tests/e2e/regulatory.test.mjs tests/e2e/reporting.test.mjs
            unset FAKETIME LD_PRELOAD ASAN_OPTIONS
        done
    fi
fi

if [ "$what" = all ] || [ "$what" = fuzz ]; then
    # A target that crashes, leaks or breaks an assertion fails, with the
    # input saved under build/fuzz/artifacts/ (tests/fuzz/run.sh).
    tests/fuzz/run.sh --budget "${FUZZ_BUDGET:-60}" >"$log" 2>&1
    rc=$?
    cat "$log"
    note_failures fuzz
    p=$(grep -c '^fuzz: [a-z_]* ok:' "$log")
    f=$(grep -c '^fuzz: [a-z_]* FAILED' "$log")
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$rc" -ne 0 ] || [ "$p" -eq 0 ]; then
        [ "$f" -eq 0 ] && failed=$((failed + 1))
        status=1
    fi
fi

if [ "$what" = all ] || [ "$what" = crash ]; then
    # "acked N, lost 0, duplicated 0" or a failure, counted as one test
    MELDPUNT_BIN=${MELDPUNT_BIN:-$PWD/build/test/meldpunt} \
        node tests/crash/crash.mjs --cycles "${CRASH_CYCLES:-3}" >"$log" 2>&1
    rc=$?
    cat "$log"
    [ "$rc" -eq 0 ] || { tail -n 5 "$log" | sed 's|^|  [crash] |' >>"$fails"; }
    if [ "$rc" -eq 0 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        status=1
    fi
fi

if [ "$what" = all ] || [ "$what" = browser ]; then
    # make test installs playwright-core (npm ci) and chromium (install-deps.sh).
    if [ ! -d tests/browser/node_modules/playwright-core ]; then
        echo "run.sh: tests/browser/node_modules is missing: run make test (or cd tests/browser && npm ci)"
        failed=$((failed + 1))
        status=1
    else
        run_node tests/browser/
    fi
fi

if [ -s "$fails" ]; then
    echo "run.sh: what failed (the lines above in full):"
    head -n 60 "$fails"
fi
echo "tests: $passed passed, $failed failed"
exit $status
