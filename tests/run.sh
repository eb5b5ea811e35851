#!/bin/sh
# run.sh - runs the test suites and prints one closing line.
#   tests/run.sh          unit + e2e
#   tests/run.sh unit     Check suites only (build/test/unit/test_*)
#   tests/run.sh e2e      end-to-end only (node --test tests/e2e/)
#   tests/run.sh browser  browser tests only (node --test tests/browser/:
#                         Debian's chromium driven by playwright-core)
# Expects `make test-build` to have run (make test does both).
set -u
cd "$(dirname "$0")/.." || exit 2

what=${1:-all}
passed=0
failed=0
status=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
conc=
node --help 2>/dev/null | grep -q -- --test-concurrency && conc=--test-concurrency=1

if [ "$what" = all ] || [ "$what" = unit ]; then
    for t in build/test/unit/test_*; do
        [ -x "$t" ] || continue
        CK_DEFAULT_TIMEOUT=30 "$t" >"$log" 2>&1
        rc=$?
        cat "$log"
        # Check's summary: "100%: Checks: 12, Failures: 0, Errors: 0"
        line=$(grep -E '^[0-9]+%: Checks: ' "$log" | tail -n 1)
        checks=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
        fails=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+), Errors: ([0-9]+).*/\1 \2/')
        if [ -z "$line" ]; then
            echo "run.sh: $t printed no Check summary (exit $rc)"
            failed=$((failed + 1))
            status=1
            continue
        fi
        f=$(( $(echo "$fails" | cut -d' ' -f1) + $(echo "$fails" | cut -d' ' -f2) ))
        passed=$((passed + checks - f))
        failed=$((failed + f))
        [ "$rc" -eq 0 ] && [ "$f" -eq 0 ] || status=1
    done
fi

if [ "$what" = all ] || [ "$what" = e2e ]; then
    # One test file at a time: each starts its own daemons, and this
    # machine has two cores.  (Node before 20.10 lacks the flag and runs
    # files one by one anyway.)
    MELDPUNT_BIN=${MELDPUNT_BIN:-$PWD/build/test/meldpunt} \
        node --test $conc tests/e2e/ >"$log" 2>&1
    rc=$?
    cat "$log"
    p=$(grep -E '^# pass [0-9]+' "$log" | tail -n 1 | sed -E 's/# pass //')
    f=$(grep -E '^# fail [0-9]+' "$log" | tail -n 1 | sed -E 's/# fail //')
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
    if [ "$rc" -ne 0 ] || [ -z "$p" ]; then
        [ "${f:-0}" -eq 0 ] && failed=$((failed + 1))
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
        MELDPUNT_BIN=${MELDPUNT_BIN:-$PWD/build/test/meldpunt} \
            node --test $conc tests/browser/ >"$log" 2>&1
        rc=$?
        cat "$log"
        p=$(grep -E '^# pass [0-9]+' "$log" | tail -n 1 | sed -E 's/# pass //')
        f=$(grep -E '^# fail [0-9]+' "$log" | tail -n 1 | sed -E 's/# fail //')
        passed=$((passed + ${p:-0}))
        failed=$((failed + ${f:-0}))
        if [ "$rc" -ne 0 ] || [ -z "$p" ]; then
            [ "${f:-0}" -eq 0 ] && failed=$((failed + 1))
            status=1
        fi
    fi
fi

echo "tests: $passed passed, $failed failed"
exit $status
