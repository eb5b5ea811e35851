// SPDX-License-Identifier: EUPL-1.2
// readyz.test.mjs - GET /readyz: ready when the database takes writes, the
// disk has room above the floor and the audit chain verified at start; a
// broken chain makes the server read-only until the break is acknowledged.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { api, assertNoSanitizer, assertProblem, cli, sqlite, startDaemon } from './lib/daemon.mjs';

describe('GET /readyz', () => {
    test('ready: every check passes, no token needed', async () => {
        const d = await startDaemon();
        try {
            const res = await api(d.url, null, 'GET', '/readyz');
            assert.equal(res.status, 200, res.text);
            assert.equal(res.json.status, 'ready');
            assert.equal(res.json.checks.database.ok, true);
            assert.equal(res.json.checks.disk.ok, true);
            assert.equal(res.json.checks.audit_chain.ok, true);
            assert.match(res.json.checks.audit_chain.detail, /^\d+ entries, head [0-9a-f]{16}$/);
        } finally {
            await d.stopClean();
        }
    });

    test('unready when the free-space floor is above what the disk has', async () => {
        const d = await startDaemon({ config: '[storage]\nmin_free_space = 1000G\n' });
        try {
            const res = await api(d.url, null, 'GET', '/readyz');
            assert.equal(res.status, 503, res.text);
            assert.match(res.headers.get('content-type'), /^application\/problem\+json/);
            assert.equal(res.json.checks.disk.ok, false);
            assert.equal(res.json.checks.database.ok, true);
            // liveness is another matter
            assert.equal((await api(d.url, null, 'GET', '/healthz')).status, 200);
        } finally {
            await d.stopClean();
        }
    });

    test('unready after start on a tampered audit chain, naming the entry', async () => {
        const d = await startDaemon();
        await d.stopClean();
        const db = path.join(d.dataDir, 'meldpunt.db');
        sqlite(db, "DROP TRIGGER audit_no_update; UPDATE audit SET principal = 'mallory' WHERE seq = 1;");
        const d2 = await startDaemon({ dataDir: d.dataDir, init: false });
        try {
            const res = await api(d2.url, null, 'GET', '/readyz');
            assert.equal(res.status, 503, res.text);
            assert.equal(res.json.checks.audit_chain.ok, false);
            assert.match(res.json.checks.audit_chain.detail, /broken at entry 1/);
        } finally {
            await d2.stopClean();
        }
    });
});

describe('a broken audit chain changes nothing', () => {
    test('read-only until acknowledged: reads work, every write 503, no checkpoint; acknowledge + SIGHUP resumes', async () => {
        const d = await startDaemon({ config: '[audit]\ncheckpoint_interval = 3600\n' });
        const made = await api(d.url, d.adminToken, 'POST', '/api/v1/tokens', { name: 'before', role: 'viewer' });
        assert.equal(made.status, 201, made.text);
        const ok = cli(['audit', 'acknowledge', '--reason', 'nothing is wrong'], { dataDir: d.dataDir });
        assert.equal(ok.code, 1, 'nothing to acknowledge on a chain that verifies');
        assert.match(ok.stderr, /verifies/);
        await d.stopClean();
        const db = path.join(d.dataDir, 'meldpunt.db');
        const count = (sql) => Number(sqlite(db, sql).stdout.trim());
        const t = sqlite(db, "DROP TRIGGER audit_no_update; UPDATE audit SET principal = 'mallory' WHERE seq = 2;");
        assert.equal(t.code, 0, t.stderr);
        const entries = count('SELECT count(*) FROM audit;');
        const checkpoints = count('SELECT count(*) FROM checkpoints;');

        const d2 = await startDaemon({ dataDir: d.dataDir, init: false, config: '[audit]\ncheckpoint_interval = 3600\n' });
        d2.adminToken = d.adminToken;
        try {
            // loud, and visible to monitoring
            assert.match(d2.stderr(), /level=error msg="?AUDIT CHAIN BROKEN, serving read-only.*bad_seq=2/);
            const ready = await api(d2.url, null, 'GET', '/readyz');
            assert.equal(ready.status, 503);
            assert.match(ready.json.checks.audit_chain.detail, /broken at entry 2/);
            const metrics = async () => (await api(d2.url, d2.adminToken, 'GET', '/metrics')).text;
            assert.match(await metrics(), /^meldpunt_audit_chain_ok 0$/m);

            // reads keep working
            const list = await api(d2.url, d2.adminToken, 'GET', '/api/v1/tokens');
            assert.equal(list.status, 200);
            assert.ok(list.json.items.some((x) => x.name === 'before'));
            assert.equal((await api(d2.url, d2.adminToken, 'GET', '/api/v1/audit')).status, 200);

            // every write is refused, saying why, and changes nothing
            const refused = await api(d2.url, d2.adminToken, 'POST', '/api/v1/tokens', { name: 'after', role: 'viewer' });
            assertProblem(refused, 503, '/api/v1/tokens');
            assert.match(refused.json.detail, /read-only: the audit chain did not verify.*meldpunt audit acknowledge/);
            assertProblem(await api(d2.url, d2.adminToken, 'DELETE', '/api/v1/tokens/before'), 503);
            assertProblem(await api(d2.url, d2.adminToken, 'POST', '/api/v1/audit/checkpoints'), 503);
            assertProblem(await api(d2.url, null, 'POST', '/api/v1/session', { name: 'x', password: 'y' }), 503);
            // the checkpoint timer and the sweeper do not write either: the
            // test clock runs their passes at once, and says they were refused
            const clock = await api(d2.url, d2.adminToken, 'POST', '/api/v1/test/clock', { advance: 'PT2H' });
            assert.equal(clock.status, 503, clock.text);
            assert.match(clock.json.detail, /read-only/);
            // nor does the CLI sign the broken head
            const cp = cli(['audit', 'checkpoint'], { dataDir: d.dataDir });
            assertNoSanitizer(cp.stderr);
            assert.equal(cp.code, 1, cp.stdout);
            assert.match(cp.stderr, /does not verify \(broken at entry 2/);
            assert.equal(count('SELECT count(*) FROM audit;'), entries);
            assert.equal(count('SELECT count(*) FROM checkpoints;'), checkpoints);
            assert.equal(count("SELECT count(*) FROM tokens WHERE name = 'after';"), 0);

            // the acknowledgement: audited, naming the break and the head
            assert.equal(cli(['audit', 'acknowledge'], { dataDir: d.dataDir }).code, 2, '--reason is required');
            const blank = cli(['audit', 'acknowledge', '--reason', '  '], { dataDir: d.dataDir });
            assert.equal(blank.code, 1);
            assert.match(blank.stderr, /reason: must say why/);
            const headHash = sqlite(db, `SELECT lower(hex(hash)) FROM audit WHERE seq = ${entries};`).stdout.trim();
            const ack = cli(['audit', 'acknowledge', '--reason', 'seq 2 edited by hand; see ticket 42'], { dataDir: d.dataDir });
            assertNoSanitizer(ack.stderr);
            assert.equal(ack.code, 0, ack.stderr);
            const out = JSON.parse(ack.stdout);
            assert.equal(out.bad_seq, 2);
            assert.equal(out.seq, entries + 1);
            assert.equal(out.old_head_seq, entries);
            assert.equal(out.old_head_hash, headHash);
            assert.equal(out.reason, 'seq 2 edited by hand; see ticket 42');
            const v = cli(['audit', 'verify'], { dataDir: d.dataDir });
            assert.equal(v.code, 0, v.stdout);
            assert.match(v.stdout, new RegExp(`^OK ${entries + 1} entries, head ${entries + 1} `));
            assert.equal(cli(['audit', 'acknowledge', '--reason', 'again'], { dataDir: d.dataDir }).code, 1, 'once is enough');

            // still read-only until the server walks the chain again
            assertProblem(await api(d2.url, d2.adminToken, 'POST', '/api/v1/tokens', { name: 'after', role: 'viewer' }), 503);
            const from = d2.stderr().length;
            d2.proc.kill('SIGHUP');
            await d2.waitForLog(/msg="?audit chain verifies, taking writes/, { from });
            const after = await api(d2.url, d2.adminToken, 'POST', '/api/v1/tokens', { name: 'after', role: 'viewer' });
            assert.equal(after.status, 201, after.text);
            assert.equal((await api(d2.url, null, 'GET', '/readyz')).status, 200);
            assert.match(await metrics(), /^meldpunt_audit_chain_ok 1$/m);
            const log = await api(d2.url, d2.adminToken, 'GET', `/api/v1/audit?after=${entries}`);
            assert.deepEqual(
                log.json.items.map((e) => e.action),
                ['audit.acknowledge', 'token.create'],
            );
            assert.equal(log.json.items[0].object, 'audit/2');
            assert.match(log.json.items[0].principal, /^cli:/);
            assert.equal(log.json.items[0].payload.old_head_hash, headHash);
            const verify = await api(d2.url, d2.adminToken, 'GET', '/api/v1/audit/verify');
            assert.equal(verify.json.ok, true, verify.text);
            assert.equal((await api(d2.url, d2.adminToken, 'POST', '/api/v1/audit/checkpoints')).status, 201);

            // and a restart finds it so too
            const restartFrom = d2.stderr().length;
            await d2.restart();
            assert.equal((await api(d2.url, null, 'GET', '/readyz')).status, 200);
            assert.doesNotMatch(d2.stderr().slice(restartFrom), /AUDIT CHAIN BROKEN/);
        } finally {
            await d2.stopClean();
        }
    });
});
