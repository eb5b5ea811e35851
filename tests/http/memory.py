#!/usr/bin/env python3
# SPDX-License-Identifier: EUPL-1.2
"""memory.py - memory from large bodies is given back (issue 18, defect 6).

Starts the release build (MELDPUNT_RELEASE_BIN, default build/meldpunt:
glibc's allocator, whose behaviour this is about; the sanitizers' own
allocator holds freed memory in quarantine by design) and sends bursts of 64
concurrent 1 MiB JSON bodies over raw sockets on loopback:

  - arrays of 500,000 numbers (the issue's burst): refused 422 naming the
    limit before jansson builds them, or 503 with Retry-After when every
    large-body slot is taken;
  - bodies the shape check lets through, the most jansson may build from
    one: 49 arrays of 1,000 strings, and a 1 MB string;
  - bodies under 64 KiB that build 5 MB each (21,700 empty objects): each
    needs a decode slot, 503 with Retry-After beyond;
  - the same with large_bodies = 64, every body admitted at once.

After each burst the daemon's VmRSS (/proc/PID/status) is polled until it is
under RSS_LIMIT_MB, for at most 5 s; the peak (VmHWM) and the figures are
printed (--measure: the figures for docs/SECURITY.md, RSS 5 s after each
burst of each shape).  Output: "ok N - name" / "not ok N - name", then "# pass N" and
"# fail N" (tests/run.sh http runs it).
"""
import json
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import conformance as c  # noqa: E402

BIN = os.environ.get("MELDPUNT_RELEASE_BIN", os.path.join(c.ROOT, "build/meldpunt"))
RSS_LIMIT_MB = 100
SETTLE = 5.0  # seconds after the burst
CONCURRENT = 64
RUN_LIMIT = 120


def status_mb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {key} in /proc/{pid}/status")


def request(d, body):
    head = (b"POST /api/v1/alerts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
            + d.token.encode() + b"\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + b"Content-Length: %d\r\n\r\n" % len(body))
    s = c.connect(d.port, timeout=30)
    raw = b""
    try:
        try:
            s.sendall(head + body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # answered before the body was read (503): the answer is in
        while True:
            try:
                b = s.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not b:
                break
            raw += b
    finally:
        s.close()
    answers = c.parse_responses(raw)
    return answers[0] if answers else (0, {}, raw[:200])


def burst(d, bodies):
    """Sends the bodies at once, one connection each, all released together."""
    out = [None] * len(bodies)
    gate = threading.Barrier(len(bodies))

    def one(i):
        gate.wait()
        out[i] = request(d, bodies[i])

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


def settle(pid):
    """Polls VmRSS until it is under the limit or SETTLE seconds pass."""
    t0 = time.monotonic()
    while True:
        rss = status_mb(pid, "VmRSS")
        took = time.monotonic() - t0
        if rss < RSS_LIMIT_MB or took >= SETTLE:
            return rss, took
        time.sleep(0.1)


def check_problem(status, headers, body, want):
    assert status in want, f"status {status}, want one of {want}: {body[:200]!r}"
    assert headers.get("content-type", "").startswith("application/problem+json"), headers
    return json.loads(body)


ISSUE = b"[" + b",".join([b"1"] * 500000) + b"]"  # 1 MB: the issue's body
ROWS = b"[" + b",".join([b"[" + b",".join([b'"abcdefghijklmnopq"'] * 1000) + b"]"] * 49) + b"]"
STRING = b'[{"title":"x","annotations":{"a":"' + b"y" * ((1 << 20) - 100) + b'"}}]'
# the costliest value per byte for jansson: an empty object (a hash table)
OBJECTS = b"[" + b",".join([b"[" + b",".join([b"{}"] * 9800) + b"]"] * 5) + b"]"
# under 64 KiB, so no read slot, but some 5 MB once built: a decode slot
SMALL = b"[" + b",".join([b"[" + b",".join([b"{}"] * n) + b"]" for n in (9000, 9000, 3700)]) + b"]"


def run_burst(d, name, bodies, admitted_all):
    pid = d.proc.pid
    before = status_mb(pid, "VmRSS")
    answers = burst(d, bodies)
    statuses = {}
    for status, headers, body in answers:
        statuses[status] = statuses.get(status, 0) + 1
        if status == 200:  # a batch: each item refused in it, nothing created
            assert json.loads(body)["created"] == 0, body[:200]
            continue
        p = check_problem(status, headers, body, (422, 503))
        if status == 503:
            assert headers.get("retry-after") == "1", headers
            assert "large request bodies" in p["detail"], p
    if admitted_all:
        assert statuses.get(503, 0) == 0, statuses
    else:
        assert 0 < CONCURRENT - statuses.get(503, 0) <= CONCURRENT, statuses
    peak = status_mb(pid, "VmHWM")
    rss, took = settle(pid)
    print(f"# {name}: answers {dict(sorted(statuses.items()))}; RSS before {before:.1f} MB, "
          f"peak so far (VmHWM) {peak:.1f} MB, {rss:.1f} MB after {took:.1f} s", flush=True)
    assert rss < RSS_LIMIT_MB, f"VmRSS {rss:.1f} MB {SETTLE:.0f} s after the burst"
    return answers


def measure():
    """The figures in docs/SECURITY.md ("Memory"): per shape, 64 at once,
    with the default slots and with every body admitted; RSS 5 s after."""
    for slots in (8, 64):
        for name, body in (("500,000 numbers (1 MB)", ISSUE), ("49,000 strings (1 MB)", ROWS),
                           ("a 1 MB string", STRING), ("49,000 empty objects (150 KB)", OBJECTS),
                           ("21,700 empty objects (64 KB)", SMALL)):
            d = c.Daemon(f"[server]\nlarge_bodies = {slots}\nrate_limit = 0\n", binary=BIN,
                         log_level="notice")
            pid = d.proc.pid
            before = status_mb(pid, "VmRSS")
            answers = burst(d, [body] * CONCURRENT)
            statuses = {}
            for a in answers:
                statuses[a[0]] = statuses.get(a[0], 0) + 1
            peak = status_mb(pid, "VmHWM")
            t0 = time.monotonic()
            rss = settle(pid)[0]
            time.sleep(max(0.0, SETTLE - (time.monotonic() - t0)))
            print(f"large_bodies = {slots}, 64 x {name}: {dict(sorted(statuses.items()))}; RSS "
                  f"idle {before:.1f} MB, peak {peak:.1f} MB, {status_mb(pid, 'VmRSS'):.1f} MB "
                  f"5 s after", flush=True)
            d.stop()
    return 0


def main():
    if "--measure" in sys.argv[1:]:
        return measure()
    cases = []

    def case(name, config, fn):
        cases.append((name, config, fn))

    def issue_burst(d):
        answers = run_burst(d, "500,000-element arrays, large_bodies = 8", [ISSUE] * CONCURRENT,
                            False)
        for status, _, body in answers:
            if status == 422:
                assert "more than 10000 elements" in json.loads(body)["detail"], body[:200]

    def allowed_burst(d):
        run_burst(d, "the most the shape check lets through, large_bodies = 8",
                  [ROWS, STRING] * (CONCURRENT // 2), False)

    def all_admitted(d):
        run_burst(d, "the same with every body admitted, large_bodies = 64",
                  [ROWS, STRING] * (CONCURRENT // 2), True)
        run_burst(d, "500,000-element arrays, large_bodies = 64", [ISSUE] * CONCURRENT, True)

    case("64 x 1 MB arrays of 500,000 elements: 422 or 503 with Retry-After; RSS < "
         f"{RSS_LIMIT_MB} MB within {SETTLE:.0f} s", "[server]\n", issue_burst)
    case("64 x 1 MB bodies within the shape limits: RSS back under "
         f"{RSS_LIMIT_MB} MB within {SETTLE:.0f} s", "[server]\n", allowed_burst)
    def small_burst(d):
        answers = run_burst(d, "64 KiB bodies of 21,700 empty objects, large_bodies = 8",
                            [SMALL] * CONCURRENT, False)
        assert any(a[0] == 503 for a in answers), "no decode slot was ever refused"

    case("64 x 64 KiB bodies that build 5 MB each: a decode slot each, 503 beyond; RSS < "
         f"{RSS_LIMIT_MB} MB within {SETTLE:.0f} s", "[server]\n", small_burst)
    case("large_bodies = 64, every body admitted and built: memory still given back within "
         f"{SETTLE:.0f} s", "[server]\nlarge_bodies = 64\n", all_admitted)

    def too_long(*_):
        print(f"not ok - the run passed its time limit of {RUN_LIMIT} s\n# fail 1", flush=True)
        os._exit(1)

    signal.signal(signal.SIGALRM, too_long)
    signal.alarm(RUN_LIMIT)
    if not os.access(BIN, os.X_OK):
        print(f"not ok 1 - {BIN} is missing (make build/meldpunt)\n# pass 0\n# fail 1")
        return 1
    passed = failed = 0
    for n, (name, config, fn) in enumerate(cases, 1):
        d = c.Daemon(config + "rate_limit = 0\n", binary=BIN, log_level="notice")
        t0 = time.monotonic()
        try:
            fn(d)
            print(f"ok {n} - {name} ({time.monotonic() - t0:.1f} s)", flush=True)
            passed += 1
        except Exception as e:  # noqa: BLE001 - every failure is reported
            print(f"not ok {n} - {name}\n#   {type(e).__name__}: {e}", flush=True)
            failed += 1
        finally:
            code = d.stop()
        if code != 0:
            print(f"not ok {n} - the daemon exits 0 (exit {code})\n#   "
                  + d.stderr()[-2000:].replace("\n", "\n#   "))
            failed += 1
    print(f"# pass {passed}\n# fail {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
