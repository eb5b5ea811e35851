#!/usr/bin/env python3
# SPDX-License-Identifier: EUPL-1.2
"""proxy.py - docs/examples/nginx-meldpunt.conf, run and checked.

Starts meldpunt (MELDPUNT_BIN, default build/meldpunt) as the example
expects it (trusted_proxies = 127.0.0.1, per_ip_connection_limit = 0) and
Debian's nginx with the example file, changed only where a test must: the
ports, and plain HTTP instead of TLS (no certificate here).  Then:

  - the requests the daemon's own library answers in HTML (a target or a
    header too long, HTTP/2.5, a Content-Length that is not a number), and
    the smuggling cases, get problems with the security headers from nginx;
  - the slowloris of issue 18 at full scale through nginx, with probes.

make test runs it with --quick (the refusals, about 2 s; tests/run.sh
http); the slowloris takes about two more minutes:
    apt-get install nginx && make && tests/http/proxy.py
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import conformance as c  # noqa: E402

EXAMPLE = os.path.join(c.ROOT, "docs/examples/nginx-meldpunt.conf")


def nginx_conf(tmp, upstream_port, port):
    site = open(EXAMPLE).read()
    site = site.replace("server 127.0.0.1:8080;", f"server 127.0.0.1:{upstream_port};")
    site = site.replace("listen 443 ssl;", f"listen 127.0.0.1:{port};")
    site = site.replace("listen [::]:443 ssl;", "")
    site = "\n".join(line for line in site.splitlines() if not line.strip().startswith("ssl_"))
    path = os.path.join(tmp, "nginx.conf")
    with open(path, "w") as f:
        f.write(f"""worker_processes 2;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
worker_rlimit_nofile 20000;
events {{ worker_connections 8192; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
{site}
}}
""")
    return path


def check_problem(answers, statuses, what):
    assert len(answers) == 1, f"{what}: {len(answers)} answers"
    status, headers, body = answers[0]
    assert status in statuses, f"{what}: {status} {body[:200]!r}"
    assert headers.get("content-type", "").startswith("application/problem+json"), (what, headers)
    missing = c.SECURITY_HEADERS - set(headers)
    assert not missing, f"{what}: missing {sorted(missing)}"
    p = json.loads(body)
    assert p["status"] == status, (what, p)
    return status, p["detail"]


def main():
    binary = os.environ.get("MELDPUNT_BIN", os.path.join(c.ROOT, "build/meldpunt"))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    d = c.Daemon("[server]\ntrusted_proxies = 127.0.0.1\nper_ip_connection_limit = 0\n",
                 binary=binary, log_level="notice")
    tmp = tempfile.mkdtemp(prefix="meldpunt-nginx-")
    os.chmod(tmp, 0o755)
    port = 18600 + os.getpid() % 1000
    conf = nginx_conf(tmp, d.port, port)
    ng = subprocess.Popen([nginx, "-c", conf, "-g", "daemon off;"])
    failed = passed = 0
    try:
        for _ in range(50):
            try:
                c.connect(port).close()
                break
            except OSError:
                time.sleep(0.1)
        proxy = type("P", (), {"port": port, "token": d.token})
        cases = [
            ("a target over 16K", b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
             {414, 400}),
            ("a header over 16K", b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 70000
             + b"\r\n\r\n", {400}),
            ("HTTP/2.5", b"GET /healthz HTTP/2.5\r\nHost: x\r\n\r\n", {505, 400}),
            ("Content-Length +3", c.post(proxy, b"Content-Length: +3\r\n", b"abc"), {400}),
            ("two Content-Length", c.post(proxy, b"Content-Length: 3\r\nContent-Length: 4\r\n",
                                          b"abcd"), {400}),
            ("Content-Length with chunked", c.post(
                proxy, b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n",
                b"0\r\n\r\nGET /hidden HTTP/1.1\r\nHost: x\r\n\r\n"), {400}),
            ("Transfer-Encoding: gzip", c.post(proxy, b"Transfer-Encoding: gzip\r\n", b"abc"),
             {400, 501}),
            ("%00 in the path", b"GET /index.html%00.png HTTP/1.1\r\nHost: x\r\n\r\n", {400}),
            ("a chunk size that is not hexadecimal", c.post(
                proxy, b"Transfer-Encoding: chunked\r\n", b"zz\r\nabc\r\n0\r\n\r\n"), {400}),
            ("a chunk size too large to represent", c.post(
                proxy, b"Transfer-Encoding: chunked\r\n", b"fffffffffffffffffff\r\nabc\r\n"),
             {400, 413}),
        ]
        for what, raw, statuses in cases:
            try:
                answers, closed, _ = c.exchange(port, raw)
                status, detail = check_problem(answers, statuses, what)
                print(f"ok - through nginx, {what}: {status} problem+json ({detail}), "
                      f"{'closed' if closed else 'kept open'}")
                passed += 1
            except (AssertionError, OSError, ValueError) as e:
                print(f"not ok - through nginx, {what}: {e}")
                failed += 1
        loads = () if "--quick" in sys.argv[1:] else (("9 addresses x 60", 9, 60),
                                                         ("40 addresses x 50", 40, 50))
        for label, addrs, per in loads:
            t = c.Trickler(port, [f"127.0.3.{i}" for i in range(1, addrs + 1)], per, every=10)
            t.start()
            time.sleep(2)
            lat, bad = c.probe_during(port, 60, "127.0.4.1", interval=0.2)
            t.stop()
            print(f"{'ok' if bad == 0 and c.p99(lat) < 200 else 'not ok'} - through nginx, "
                  f"{label} trickling a header line every 10 s: probes {len(lat)} ok, {bad} "
                  f"failed, p99 {c.p99(lat):.1f} ms; trickling connections opened {t.opened}, "
                  f"cut off {t.closed_by_server}, longest {max(t.lifetimes, default=0):.1f} s",
                  flush=True)
            failed += bad > 0 or c.p99(lat) >= 200
            passed += bad == 0 and c.p99(lat) < 200
    finally:
        ng.send_signal(signal.SIGQUIT)
        ng.wait(10)
        d.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"# pass {passed}\n# fail {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
