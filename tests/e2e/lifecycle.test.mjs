// SPDX-License-Identifier: EUPL-1.2
// lifecycle.test.mjs - health and metrics, tokens through API and CLI while
// serving, the audit chain and tampering, restart, signals (TERM, INT,
// HUP), online backup, group commit, first start on an empty directory.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import {
    api,
    BIN,
    assertCleanExit,
    assertNoSanitizer,
    cli,
    sleep,
    sqlite,
    startDaemon,
    tempDir,
} from './lib/daemon.mjs';

describe('health and metrics', () => {
    let d;
    before(async () => {
        d = await startDaemon();
    });
    after(async () => {
        await d?.stopClean();
    });

    test('GET /healthz is 200 {"status":"ok"} without a token', async () => {
        const res = await api(d.url, null, 'GET', '/healthz');
        assert.equal(res.status, 200);
        assert.match(res.headers.get('content-type'), /^application\/json/);
        assert.deepEqual(res.json, { status: 'ok' });
    });

    test('GET /metrics needs a token or session of a reading role', async () => {
        assert.equal((await api(d.url, null, 'GET', '/metrics')).status, 401);
    });

    test('GET /metrics is Prometheus text', async () => {
        await api(d.url, null, 'GET', '/healthz');
        const res = await api(d.url, d.adminToken, 'GET', '/metrics');
        assert.equal(res.status, 200);
        assert.match(res.headers.get('content-type'), /^text\/plain/);
        const lines = res.text.split('\n');
        const hz = lines.find((l) =>
            l.startsWith('meldpunt_http_requests_total{method="GET",route="/healthz",code="200"} '),
        );
        assert.ok(hz, `no healthz counter in:\n${res.text}`);
        assert.ok(Number(hz.split(' ').pop()) >= 1);
        assert.ok(lines.some((l) => l.startsWith('meldpunt_http_request_duration_seconds_bucket{')));
        assert.ok(lines.some((l) => /^meldpunt_build_info\{version="[^"]+"\} 1$/.test(l)));
        assert.ok(lines.some((l) => l.startsWith('# TYPE meldpunt_http_requests_total counter')));
    });

    test('the counter grows with requests', async () => {
        const count = async () => {
            const t = (await api(d.url, d.adminToken, 'GET', '/metrics')).text;
            const l = t.split('\n').find((x) => x.startsWith('meldpunt_http_requests_total{method="GET",route="/healthz",code="200"} '));
            return Number(l.split(' ').pop());
        };
        const before = await count();
        for (let i = 0; i < 3; i++) await api(d.url, null, 'GET', '/healthz');
        assert.equal(await count(), before + 3);
    });

    test('promtool check metrics accepts the output', async () => {
        assert.ok(fs.existsSync('/usr/bin/promtool'), '/usr/bin/promtool is required (packaging/install-deps.sh)');
        await api(d.url, d.adminToken, 'GET', '/api/v1/me');
        await api(d.url, null, 'GET', '/nope');
        const res = await api(d.url, d.adminToken, 'GET', '/metrics');
        const r = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: res.text, encoding: 'utf8', timeout: 15000 });
        assert.equal(r.status, 0, `promtool: ${r.stdout}${r.stderr}\n---\n${res.text}`);
    });
});

describe('tokens while serving', () => {
    let d;
    before(async () => {
        d = await startDaemon();
    });
    after(async () => {
        await d?.stopClean();
    });

    test('create via the API, list without the token text, revoke via DELETE', async () => {
        const made = await api(d.url, d.adminToken, 'POST', '/api/v1/tokens', { name: 'api-one', role: 'analyst' });
        assert.equal(made.status, 201, made.text);
        assert.equal(made.headers.get('location'), '/api/v1/tokens/api-one');
        assert.match(made.json.token, /^mp_[A-Za-z0-9_-]{43}$/);
        assert.equal(made.json.name, 'api-one');
        assert.equal(made.json.role, 'analyst');
        assert.equal(made.json.created_by, 'token:admin');

        const me = await api(d.url, made.json.token, 'GET', '/api/v1/me');
        assert.equal(me.status, 200);
        assert.deepEqual(me.json, { principal: 'token:api-one', role: 'analyst' });

        const list = await api(d.url, d.adminToken, 'GET', '/api/v1/tokens');
        assert.equal(list.status, 200);
        const row = list.json.items.find((t) => t.name === 'api-one');
        assert.ok(row);
        assert.equal(row.role, 'analyst');
        assert.equal(row.token, undefined);
        assert.doesNotMatch(list.text, /mp_[A-Za-z0-9_-]{43}/);
        assert.ok(!list.text.includes(made.json.token));

        const del = await api(d.url, d.adminToken, 'DELETE', '/api/v1/tokens/api-one');
        assert.equal(del.status, 204);
        assert.equal(del.text, '');
        const after = await api(d.url, made.json.token, 'GET', '/api/v1/me');
        assert.equal(after.status, 401);

        const active = await api(d.url, d.adminToken, 'GET', '/api/v1/tokens');
        assert.ok(!active.json.items.some((t) => t.name === 'api-one'));
        const all = await api(d.url, d.adminToken, 'GET', '/api/v1/tokens?revoked=true');
        const gone = all.json.items.find((t) => t.name === 'api-one');
        assert.ok(gone?.revoked_at, 'revoked token listed with ?revoked=true');
        assert.equal(gone.revoked_by, 'token:admin');
        const again = await api(d.url, d.adminToken, 'DELETE', '/api/v1/tokens/api-one');
        assert.equal(again.status, 404);
    });

    test('a CLI-created token works at once; a CLI revoke takes effect at once', async () => {
        const r = cli(['token', 'create', '--name', 'cli-one', '--role', 'manager'], { dataDir: d.dataDir });
        assertNoSanitizer(r.stderr);
        assert.equal(r.code, 0, r.stderr);
        const tok = r.stdout.trim();
        const me = await api(d.url, tok, 'GET', '/api/v1/me');
        assert.equal(me.status, 200, me.text);
        assert.deepEqual(me.json, { principal: 'token:cli-one', role: 'manager' });

        const list = await api(d.url, d.adminToken, 'GET', '/api/v1/tokens');
        assert.match(list.json.items.find((t) => t.name === 'cli-one').created_by, /^cli:/);

        const rv = cli(['token', 'revoke', 'cli-one'], { dataDir: d.dataDir });
        assertNoSanitizer(rv.stderr);
        assert.equal(rv.code, 0, rv.stderr);
        assert.equal((await api(d.url, tok, 'GET', '/api/v1/me')).status, 401);
    });

    test('audit: the API lists and verifies the chain; the CLI agrees while serving', async () => {
        const list = await api(d.url, d.adminToken, 'GET', '/api/v1/audit?limit=500');
        assert.equal(list.status, 200);
        const items = list.json.items;
        // init, api-one create+revoke, cli-one create+revoke
        assert.equal(items.length, 5);
        assert.deepEqual(
            items.map((e) => e.seq),
            [1, 2, 3, 4, 5],
        );
        assert.deepEqual(
            items.map((e) => e.action),
            ['token.create', 'token.create', 'token.revoke', 'token.create', 'token.revoke'],
        );
        assert.equal(items[1].principal, 'token:admin');
        assert.deepEqual(items[1].payload, { name: 'api-one', role: 'analyst' });

        const v = await api(d.url, d.adminToken, 'GET', '/api/v1/audit/verify');
        assert.equal(v.status, 200);
        assert.equal(v.json.ok, true);
        assert.equal(v.json.entries, 5);
        assert.equal(v.json.head_seq, 5);
        assert.equal(v.json.head_hash, items[4].hash);

        const r = cli(['audit', 'verify'], { dataDir: d.dataDir });
        assertNoSanitizer(r.stderr);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^OK 5 entries/);
        assert.ok(r.stdout.includes(v.json.head_hash));

        const bad = await api(d.url, d.adminToken, 'GET', '/api/v1/audit?limit=0');
        assert.equal(bad.status, 400);
        assert.equal(bad.json.errors[0].field, 'limit');
    });

    test('tampering (after stop) is found by audit verify, naming the entry', async () => {
        assertCleanExit(await d.stop());
        const db = path.join(d.dataDir, 'meldpunt.db');
        const blocked = sqlite(db, "UPDATE audit SET principal='mallory' WHERE seq=2;");
        assert.notEqual(blocked.code, 0, 'the trigger refuses updates');
        const s = sqlite(db, "DROP TRIGGER audit_no_update; UPDATE audit SET principal='mallory' WHERE seq=2;");
        assert.equal(s.code, 0, s.stderr);
        const r = cli(['audit', 'verify'], { dataDir: d.dataDir });
        assertNoSanitizer(r.stderr);
        assert.equal(r.code, 1, `${r.stdout}${r.stderr}`);
        assert.match(r.stdout, /FAILED at entry 2\b/);

        // the API says so too
        await d.restart();
        const v = await api(d.url, d.adminToken, 'GET', '/api/v1/audit/verify');
        assert.equal(v.status, 200);
        assert.equal(v.json.ok, false);
        assert.equal(v.json.bad_seq, 2);
    });
});

describe('restart', () => {
    let d;
    before(async () => {
        d = await startDaemon();
    });
    after(async () => {
        await d?.stopClean();
    });

    test('data survive a restart', async () => {
        const made = await api(d.url, d.adminToken, 'POST', '/api/v1/tokens', { name: 'keeper', role: 'viewer' });
        assert.equal(made.status, 201);
        const pid = d.proc.pid;
        await d.restart();
        assert.notEqual(d.proc.pid, pid);
        const me = await api(d.url, made.json.token, 'GET', '/api/v1/me');
        assert.equal(me.status, 200, me.text);
        assert.equal(me.json.principal, 'token:keeper');
        const v = await api(d.url, d.adminToken, 'GET', '/api/v1/audit/verify');
        assert.equal(v.json.ok, true);
        assert.equal(v.json.entries, 2);
    });
});

describe('signals', () => {
    test('SIGTERM exits 0 and logs "stopped"', async () => {
        const d = await startDaemon();
        try {
            assert.equal((await api(d.url, null, 'GET', '/healthz')).status, 200);
            const res = await d.stop('SIGTERM');
            assertCleanExit(res);
            assert.match(res.stderr, /msg=stopping signal=TERM/);
            assert.match(res.stderr, /msg=stopped\b/);
        } finally {
            await d.stop('SIGKILL');
        }
    });

    test('SIGINT exits 0 and logs "stopped"', async () => {
        const d = await startDaemon();
        try {
            assert.equal((await api(d.url, null, 'GET', '/healthz')).status, 200);
            const res = await d.stop('SIGINT');
            assertCleanExit(res);
            assert.match(res.stderr, /msg=stopping signal=INT/);
            assert.match(res.stderr, /msg=stopped\b/);
        } finally {
            await d.stop('SIGKILL');
        }
    });

    test('SIGTERM with requests in flight: complete answers (2xx or 503), exit 0', async (t) => {
        const d = await startDaemon();
        try {
            const N = 20;
            const reqs = [];
            for (let i = 0; i < N; i++) {
                reqs.push(
                    api(d.url, d.adminToken, 'POST', '/api/v1/tokens', { name: `inflight-${i}`, role: 'viewer' }).then(
                        (r) => ({ ok: true, r }),
                        (e) => ({ ok: false, e }),
                    ),
                );
            }
            await sleep(5);
            const stopped = d.stop('SIGTERM');
            const results = await Promise.all(reqs);
            const res = await stopped;
            assertCleanExit(res);
            assert.match(res.stderr, /msg=stopped\b/);
            let answered = 0;
            const created = [];
            for (const x of results) {
                if (!x.ok) continue; // never answered: the connection was refused or closed
                answered++;
                const { status, json, text } = x.r;
                assert.ok((status >= 200 && status < 300) || status === 503, `status ${status}: ${text}`);
                assert.ok(json && typeof json === 'object', `complete JSON body: ${JSON.stringify(text)}`);
                if (status === 201) {
                    assert.match(json.token, /^mp_/);
                    created.push(json.name);
                } else {
                    assert.equal(json.status, 503);
                }
            }
            // every 201 is in the database, and the chain is intact
            const list = cli(['token', 'list'], { dataDir: d.dataDir });
            assert.equal(list.code, 0, list.stderr);
            for (const n of created) assert.match(list.stdout, new RegExp(`^${n} `, 'm'));
            const v = cli(['audit', 'verify'], { dataDir: d.dataDir });
            assert.equal(v.code, 0, v.stdout + v.stderr);
            const entries = Number(/^OK (\d+) entries/.exec(v.stdout)[1]);
            assert.ok(entries >= 1 + created.length, `${entries} entries for ${created.length} created`);
            t.diagnostic(`answered ${answered}/${N}, created ${created.length}`);
        } finally {
            await d.stop('SIGKILL');
        }
    });

    test('SIGTERM while a request body is still arriving: the request is answered, exit 0', async () => {
        const d = await startDaemon();
        try {
            const body = JSON.stringify({ name: 'slowpoke', role: 'viewer' });
            const half = Math.floor(body.length / 2);
            const sock = net.connect({ host: '127.0.0.1', port: d.port });
            let raw = '';
            sock.setEncoding('latin1');
            sock.on('data', (c) => (raw += c));
            const closed = new Promise((resolve) => sock.on('close', resolve));
            sock.on('error', () => {});
            await new Promise((resolve, reject) => {
                sock.once('connect', resolve);
                sock.once('error', reject);
            });
            sock.write(
                'POST /api/v1/tokens HTTP/1.1\r\nHost: x\r\n' +
                    `Authorization: Bearer ${d.adminToken}\r\nContent-Type: application/json\r\n` +
                    `Content-Length: ${body.length}\r\n\r\n${body.slice(0, half)}`,
            );
            await sleep(150);
            const from = d.stderr().length;
            const stopped = d.stop('SIGTERM');
            await d.waitForLog(/msg=stopping signal=TERM in_flight=1/, { from });
            await sleep(150);
            sock.write(body.slice(half));
            const timer = setTimeout(() => sock.destroy(), 10000);
            await closed;
            clearTimeout(timer);
            const res = await stopped;
            assertCleanExit(res);
            const m = /^HTTP\/1\.1 (\d{3})/.exec(raw);
            assert.ok(m, `an answer: ${JSON.stringify(raw)}`);
            const status = Number(m[1]);
            assert.ok(status === 201 || status === 503, raw);
            const json = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));
            if (status === 503) assert.equal(json.status, 503);
            else assert.equal(json.name, 'slowpoke');
        } finally {
            await d.stop('SIGKILL');
        }
    });

    test('after SIGTERM a new connection is refused at once, while the request in flight is answered', async () => {
        // A long shutdown_timeout: the drain lasts as long as the slow
        // request below, so the listener would still be open if it were
        // closed only at the end.
        const d = await startDaemon({ config: '[server]\nshutdown_timeout = 20\n' });
        let sock;
        try {
            const body = JSON.stringify({ name: 'in-flight', role: 'viewer' });
            const half = Math.floor(body.length / 2);
            sock = net.connect({ host: '127.0.0.1', port: d.port });
            let raw = '';
            sock.setEncoding('latin1');
            sock.on('data', (c) => (raw += c));
            sock.on('error', () => {});
            const closed = new Promise((resolve) => sock.on('close', resolve));
            await new Promise((resolve, reject) => {
                sock.once('connect', resolve);
                sock.once('error', reject);
            });
            sock.write(
                'POST /api/v1/tokens HTTP/1.1\r\nHost: x\r\n' +
                    `Authorization: Bearer ${d.adminToken}\r\nContent-Type: application/json\r\n` +
                    `Content-Length: ${body.length}\r\n\r\n${body.slice(0, half)}`,
            );
            await sleep(150);
            const from = d.stderr().length;
            const stopped = d.stop('SIGTERM');
            await d.waitForLog(/msg=stopping signal=TERM in_flight=1/, { from });
            await d.waitForLog(/msg="?stopped accepting/, { from });

            // a client arriving now fails fast: refused, not accepted by the
            // kernel and left hanging until the drain ends and it is reset
            const t0 = Date.now();
            const outcome = await new Promise((resolve) => {
                const c = net.connect({ host: '127.0.0.1', port: d.port });
                const timer = setTimeout(() => {
                    c.destroy();
                    resolve('no answer within 2 s');
                }, 2000);
                c.on('connect', () => {
                    // accepted by the kernel: does the server ever answer?
                    c.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
                });
                c.on('data', () => {
                    clearTimeout(timer);
                    c.destroy();
                    resolve('answered');
                });
                c.on('error', (e) => {
                    clearTimeout(timer);
                    resolve(e.code);
                });
            });
            const took = Date.now() - t0;
            assert.equal(outcome, 'ECONNREFUSED', `a new connection after SIGTERM: ${outcome}`);
            assert.ok(took < 1000, `refused after ${took} ms`);
            assert.equal(d.proc.exitCode, null, 'still draining');

            // the request in flight still gets its whole answer
            sock.write(body.slice(half));
            const timer = setTimeout(() => sock.destroy(), 10000);
            await closed;
            clearTimeout(timer);
            const res = await stopped;
            assertCleanExit(res);
            const m = /^HTTP\/1\.1 (\d{3})/.exec(raw);
            assert.ok(m, `an answer: ${JSON.stringify(raw)}`);
            const status = Number(m[1]);
            assert.ok(status === 201 || status === 503, raw);
            const json = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));
            if (status === 503) assert.equal(json.status, 503);
            else assert.equal(json.name, 'in-flight');
        } finally {
            sock?.destroy();
            await d.stop('SIGKILL');
        }
    });

    test('SIGTERM with a stuck request waits at most shutdown_timeout, exit 0', async () => {
        const d = await startDaemon({ config: '[server]\nshutdown_timeout = 1\n' });
        let sock;
        try {
            sock = net.connect({ host: '127.0.0.1', port: d.port });
            sock.on('error', () => {});
            await new Promise((resolve) => sock.once('connect', resolve));
            sock.write(
                'POST /api/v1/tokens HTTP/1.1\r\nHost: x\r\n' +
                    `Authorization: Bearer ${d.adminToken}\r\nContent-Type: application/json\r\n` +
                    'Content-Length: 500\r\n\r\n{"name":',
            );
            await sleep(150);
            const t0 = Date.now();
            const res = await d.stop('SIGTERM');
            const took = Date.now() - t0;
            assertCleanExit(res);
            assert.match(res.stderr, /shutdown timeout passed in_flight=1/);
            assert.ok(took >= 900 && took < 8000, `stopped after ${took} ms`);
        } finally {
            sock?.destroy();
            await d.stop('SIGKILL');
        }
    });

    describe('SIGHUP', () => {
        let d;
        let agent;
        before(async () => {
            d = await startDaemon({ config: '[log]\nlevel = notice\n', logLevel: null });
            agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        });
        after(async () => {
            agent?.destroy();
            await d?.stopClean();
        });

        const get = (p) =>
            new Promise((resolve, reject) => {
                const req = http.get({ host: '127.0.0.1', port: d.port, path: p, agent, timeout: 10000 }, (r) => {
                    let text = '';
                    r.on('data', (c) => (text += c));
                    r.on('end', () => resolve({ status: r.statusCode, text, reused: req.reusedSocket, socket: r.socket }));
                });
                req.on('timeout', () => req.destroy(new Error('timeout')));
                req.on('error', reject);
            });

        test('HUP with a new [log] level applies it live on the same process and connection', async () => {
            const pid = d.proc.pid;
            const first = await get('/healthz');
            assert.equal(first.status, 200);
            await sleep(100);
            assert.doesNotMatch(d.stderr(), /msg=request /, 'no request lines at notice');

            fs.writeFileSync(d.configPath, '[log]\nlevel = info\n');
            const from = d.stderr().length;
            d.proc.kill('SIGHUP');
            await d.waitForLog(/msg=reloaded .*log_level=info/, { from });

            const second = await get('/healthz');
            assert.equal(second.status, 200);
            assert.equal(second.reused, true, 'the keep-alive connection is still usable');
            assert.equal(second.socket, first.socket);
            await d.waitForLog(/msg=request method=GET path="?\/healthz"? status=200/, { from });
            assert.equal(d.proc.pid, pid);
            assert.equal(d.proc.exitCode, null);
            assert.equal(d.stderr().match(/msg=listening/g).length, 1, 'not restarted');
        });

        test('HUP with a broken config keeps running and logs "reload failed"', async () => {
            fs.writeFileSync(d.configPath, '[log]\nlevel = shouty\n');
            const from = d.stderr().length;
            d.proc.kill('SIGHUP');
            const m = await d.waitForLog(/level=error msg="?reload failed.*/, { from });
            assert.match(m[0], /meldpunt\.conf:2:/);
            const res = await get('/healthz');
            assert.equal(res.status, 200);
            assert.equal(d.proc.exitCode, null);
            // the old level (info) is still in force
            await d.waitForLog(/msg=request method=GET path="?\/healthz"?/, { from });
        });

        test('HUP back to notice stops request logging', async () => {
            fs.writeFileSync(d.configPath, '[log]\nlevel = notice\n');
            let from = d.stderr().length;
            d.proc.kill('SIGHUP');
            await d.waitForLog(/msg=reloaded .*log_level=notice/, { from });
            from = d.stderr().length;
            assert.equal((await get('/healthz')).status, 200);
            await sleep(100);
            assert.doesNotMatch(d.stderr().slice(from), /msg=request /);
        });
    });

    test('SIGHUP without a config file is skipped', async () => {
        const d = await startDaemon();
        try {
            const from = d.stderr().length;
            d.proc.kill('SIGHUP');
            await d.waitForLog(/reload skipped/, { from });
            assert.equal((await api(d.url, null, 'GET', '/healthz')).status, 200);
            assertCleanExit(await d.stop());
        } finally {
            await d.stop('SIGKILL');
        }
    });
});

describe('backup while serving', () => {
    let d;
    before(async () => {
        d = await startDaemon();
    });
    after(async () => {
        await d?.stopClean();
    });

    test('meldpunt backup writes a SQLite copy with the same tokens', async () => {
        for (const [n, r] of [
            ['b1', 'viewer'],
            ['b2', 'ingest'],
        ]) {
            assert.equal((await api(d.url, d.adminToken, 'POST', '/api/v1/tokens', { name: n, role: r })).status, 201);
        }
        assert.equal((await api(d.url, d.adminToken, 'DELETE', '/api/v1/tokens/b1')).status, 204);
        const file = path.join(tempDir(), 'backup.db');
        const r = cli(['backup', file], { dataDir: d.dataDir });
        assertNoSanitizer(r.stderr);
        assert.equal(r.code, 0, r.stderr);
        assert.ok(fs.existsSync(file));
        const q = 'SELECT id, name, role, hex(hash), created_at, created_by, revoked_at FROM tokens ORDER BY id;';
        const copy = sqlite(file, q);
        const live = sqlite(path.join(d.dataDir, 'meldpunt.db'), q);
        assert.equal(copy.code, 0, copy.stderr);
        assert.equal(live.code, 0, live.stderr);
        assert.equal(copy.stdout.trim().split('\n').length, 3);
        assert.equal(copy.stdout, live.stdout);
        const integrity = sqlite(file, 'PRAGMA integrity_check;');
        assert.equal(integrity.stdout.trim(), 'ok');

        // a second backup to the same file is refused
        const again = cli(['backup', file], { dataDir: d.dataDir });
        assert.equal(again.code, 1);
        assert.match(again.stderr, /exists/);
    });
});

describe('group commit', () => {
    let d;
    before(async () => {
        d = await startDaemon();
    });
    after(async () => {
        await d?.stopClean();
    });

    test('50 concurrent token creations all succeed and the chain verifies', async (t) => {
        const N = 50;
        const results = await Promise.all(
            Array.from({ length: N }, (_, i) =>
                api(d.url, d.adminToken, 'POST', '/api/v1/tokens', { name: `gc-${i}`, role: i % 2 ? 'viewer' : 'ingest' }),
            ),
        );
        for (const r of results) assert.equal(r.status, 201, r.text);
        const names = new Set(results.map((r) => r.json.name));
        assert.equal(names.size, N);
        const toks = new Set(results.map((r) => r.json.token));
        assert.equal(toks.size, N);

        const v = await api(d.url, d.adminToken, 'GET', '/api/v1/audit/verify');
        assert.equal(v.json.ok, true, v.text);
        assert.ok(v.json.entries >= N + 1, `entries ${v.json.entries}`);
        const c = cli(['audit', 'verify'], { dataDir: d.dataDir });
        assert.equal(c.code, 0, c.stdout + c.stderr);

        const list = await api(d.url, d.adminToken, 'GET', '/api/v1/tokens');
        assert.equal(list.json.items.filter((t) => t.name.startsWith('gc-')).length, N);

        // some of them were committed together
        const m = (await api(d.url, d.adminToken, 'GET', '/metrics')).text;
        const commits = Number(/^meldpunt_db_commits_total (\d+)$/m.exec(m)[1]);
        const changes = Number(/^meldpunt_db_changes_total (\d+)$/m.exec(m)[1]);
        assert.equal(changes, N);
        assert.ok(commits <= changes, `commits ${commits} changes ${changes}`);
        t.diagnostic(`${changes} changes in ${commits} commits`);

        // every token works
        const sample = await Promise.all(results.slice(0, 10).map((r) => api(d.url, r.json.token, 'GET', '/api/v1/me')));
        for (const s of sample) assert.equal(s.status, 200);
    });
});

describe('CLI and API writers at once', () => {
    let d;
    before(async () => {
        d = await startDaemon({ logLevel: 'notice' });
    });
    after(async () => {
        await d?.stopClean();
    });

    test('concurrent CLI and API token creations all succeed; the chain verifies', async () => {
        const runCli = (i) =>
            new Promise((resolve) => {
                const p = spawn(BIN, ['token', 'create', '--name', `mix-cli-${i}`, '--role', 'viewer', '--data', d.dataDir]);
                let out = '';
                let err = '';
                p.stdout.on('data', (c) => (out += c));
                p.stderr.on('data', (c) => (err += c));
                const timer = setTimeout(() => p.kill('SIGKILL'), 30000);
                p.on('close', (code) => {
                    clearTimeout(timer);
                    resolve({ code, out, err });
                });
            });
        const work = [];
        for (let i = 0; i < 40; i++) {
            work.push(api(d.url, d.adminToken, 'POST', '/api/v1/tokens', { name: `mix-api-${i}`, role: 'ingest' }));
            if (i % 4 === 0) work.push(runCli(i));
        }
        const rs = await Promise.all(work);
        for (const r of rs) {
            if ('code' in r) {
                assertNoSanitizer(r.err, 'token create');
                assert.equal(r.code, 0, r.err);
                assert.match(r.out, /^mp_/);
            } else {
                assert.equal(r.status, 201, r.text);
            }
        }
        const v = await api(d.url, d.adminToken, 'GET', '/api/v1/audit/verify');
        assert.equal(v.json.ok, true, v.text);
        assert.equal(v.json.entries, 1 + rs.length);
    });
});

describe('first start on an empty data directory', () => {
    let d;
    before(async () => {
        d = await startDaemon({ init: false });
    });
    after(async () => {
        await d?.stopClean();
    });

    test('serve initialises it and prints a working admin token on stdout', async () => {
        // stdout may arrive a moment after the listening line
        const deadline = Date.now() + 5000;
        while (!/mp_\S+\n/.test(d.stdout()) && Date.now() < deadline) await sleep(20);
        const out = d.stdout();
        assert.match(out, /^mp_[A-Za-z0-9_-]{43}\n$/, `stdout: ${JSON.stringify(out)}`);
        const tok = out.trim();
        const me = await api(d.url, tok, 'GET', '/api/v1/me');
        assert.equal(me.status, 200, me.text);
        assert.deepEqual(me.json, { principal: 'token:admin', role: 'admin' });
        assert.match(d.stderr(), /initialised the data directory/);
        assert.doesNotMatch(d.stderr(), /mp_[A-Za-z0-9_-]{43}/, 'token not in the log');
        for (const f of ['meldpunt.db', 'signing.key', 'signing.pub', 'token.secret'])
            assert.ok(fs.existsSync(path.join(d.dataDir, f)), f);
        const mode = fs.statSync(path.join(d.dataDir, 'token.secret')).mode & 0o777;
        assert.equal(mode & 0o077, 0, `token.secret mode ${mode.toString(8)}`);
    });

    test('a second start does not print a token again', async () => {
        const before = d.stdout();
        await d.restart();
        await sleep(100);
        assert.equal(d.stdout(), before);
    });
});

