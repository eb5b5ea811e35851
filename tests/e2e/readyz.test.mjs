// SPDX-License-Identifier: EUPL-1.2
// readyz.test.mjs - GET /readyz: ready when the database takes writes, the
// disk has room above the floor and the audit chain verified at start; a
// broken chain makes the server read-only until the break is acknowledged.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
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
        const count = (sql) => {
            const r = sqlite(db, sql);
            assert.equal(r.code, 0, r.stderr);
            return Number(r.stdout.trim());
        };
        const t = sqlite(db, "DROP TRIGGER audit_no_update; UPDATE audit SET principal = 'mallory' WHERE seq = 2;");
        assert.equal(t.code, 0, t.stderr);
        const entries = count('SELECT count(*) FROM audit;');
        const checkpoints = count('SELECT count(*) FROM audit_checkpoints;');

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
            assert.equal(count('SELECT count(*) FROM audit_checkpoints;'), checkpoints);
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

// Issue 19: start-up does not grow with the data.  The integrity check and
// the walk of the whole chain run in the background; start-up walks the
// chain from the newest signed checkpoint on.
describe('start-up from the checkpoint, the integrity check in the background', () => {
    test('the integrity check runs off the start-up path: /readyz and /metrics show its last result and time', async () => {
        const d = await startDaemon();
        try {
            const ready = await api(d.url, null, 'GET', '/readyz');
            assert.equal(ready.status, 200, ready.text);
            assert.equal(ready.json.checks.integrity.ok, true, 'not checked yet is no reason to be unready');
            // the test clock runs the pass when it is due (an interval after the last)
            const now = await d.setClock({ advance: 'P2D' });
            const after = await api(d.url, null, 'GET', '/readyz');
            assert.equal(after.status, 200, after.text);
            const ic = after.json.checks.integrity;
            assert.equal(ic.checked, true);
            assert.equal(ic.ok, true);
            assert.equal(ic.detail, 'ok');
            assert.equal(Date.parse(ic.at), Date.parse(now));
            assert.ok(ic.seconds >= 0);
            const metrics = (await api(d.url, d.adminToken, 'GET', '/metrics')).text;
            assert.match(metrics, /^meldpunt_db_integrity_ok 1$/m);
            assert.match(metrics, new RegExp(`^meldpunt_db_integrity_check_timestamp_seconds ${Date.parse(now) / 1000}$`, 'm'));
            assert.match(metrics, /^meldpunt_db_integrity_check_duration_seconds \d+\.\d+$/m);
            // within the interval nothing runs again
            await d.setClock({ advance: 'PT1H' });
            assert.equal((await api(d.url, null, 'GET', '/readyz')).json.checks.integrity.at, ic.at);
        } finally {
            await d.stopClean();
        }
    });

    test('a damaged database: start-up is not held up, the background check finds it (unready, metric 0, logged) and a backup is refused', async () => {
        const d = await startDaemon();
        await d.stopClean();
        const db = path.join(d.dataDir, 'meldpunt.db');
        assert.equal(sqlite(db, 'PRAGMA wal_checkpoint(TRUNCATE);').code, 0);
        const page = Number(sqlite(db, "SELECT pageno FROM dbstat WHERE name = 'incidents_updated';").stdout.trim());
        const size = Number(sqlite(db, 'PRAGMA page_size;').stdout.trim());
        assert.ok(page > 1);
        const fd = fs.openSync(db, 'r+');
        fs.writeSync(fd, Buffer.alloc(64, 0xff), 0, 64, (page - 1) * size);
        fs.closeSync(fd);

        const d2 = await startDaemon({ dataDir: d.dataDir, init: false });
        d2.adminToken = d.adminToken;
        try {
            await d2.setClock({ advance: 'P2D' }).catch(() => {});
            const ready = await api(d2.url, null, 'GET', '/readyz');
            assert.equal(ready.status, 503, ready.text);
            assert.equal(ready.json.checks.integrity.ok, false);
            assert.equal(ready.json.checks.integrity.checked, true);
            assert.match(ready.json.checks.integrity.detail, new RegExp(`Page ${page}`));
            assert.match((await api(d2.url, d2.adminToken, 'GET', '/metrics')).text, /^meldpunt_db_integrity_ok 0$/m);
            assert.match(d2.stderr(), /level=error msg="?DATABASE INTEGRITY CHECK FAILED/);
            const b = cli(['backup', path.join(path.dirname(d.dataDir), 'copy.db')], { dataDir: d.dataDir });
            assert.equal(b.code, 1, b.stdout);
            assert.match(b.stderr, /database is damaged/);
            assert.ok(!fs.existsSync(path.join(path.dirname(d.dataDir), 'copy.db')));
        } finally {
            await d2.stopClean();
        }
    });

    test('an interval of 0 is accepted and no check runs by schedule', async () => {
        const d = await startDaemon({ config: '[storage]\nintegrity_interval = 0\n' });
        try {
            await d.setClock({ advance: 'P2D' });
            const ic = (await api(d.url, null, 'GET', '/readyz')).json.checks.integrity;
            assert.equal(ic.checked, false);
            assert.equal(ic.at, null);
            assert.doesNotMatch((await api(d.url, d.adminToken, 'GET', '/metrics')).text, /meldpunt_db_integrity_ok/);
        } finally {
            await d.stopClean();
        }
    });

    test('start-up walks from the newest checkpoint; the background walk of the whole chain still finds an older break and makes the server read-only', async () => {
        const d = await startDaemon();
        for (const name of ['a', 'b', 'c'])
            assert.equal((await api(d.url, d.adminToken, 'POST', '/api/v1/tokens', { name, role: 'viewer' })).status, 201);
        const cp = await api(d.url, d.adminToken, 'POST', '/api/v1/audit/checkpoints');
        assert.equal(cp.status, 201, cp.text);
        assert.equal((await api(d.url, d.adminToken, 'POST', '/api/v1/tokens', { name: 'd', role: 'viewer' })).status, 201);
        await d.stopClean();
        const db = path.join(d.dataDir, 'meldpunt.db');
        const t = sqlite(db, "DROP TRIGGER audit_no_update; UPDATE audit SET principal = 'mallory' WHERE seq = 2;");
        assert.equal(t.code, 0, t.stderr);

        const d2 = await startDaemon({ dataDir: d.dataDir, init: false });
        d2.adminToken = d.adminToken;
        try {
            // what the checkpoint signed is not walked again at start
            await d2.waitForLog(new RegExp(`msg="?audit chain walked ok=1 entries=${cp.json.audit_seq + 1} from_checkpoint_seq=${cp.json.audit_seq}`));
            assert.ok(cp.json.audit_seq > 2);
            // the background check walks all of it: read-only, naming the entry
            await d2.setClock({ advance: 'P2D' }).catch(() => {});
            const ready = await api(d2.url, null, 'GET', '/readyz');
            assert.equal(ready.status, 503, ready.text);
            assert.equal(ready.json.checks.audit_chain.ok, false);
            assert.match(ready.json.checks.audit_chain.detail, /broken at entry 2/);
            assert.equal(ready.json.checks.integrity.ok, true, 'the database itself is sound');
            assertProblem(await api(d2.url, d2.adminToken, 'POST', '/api/v1/tokens', { name: 'e', role: 'viewer' }), 503);
            assert.match(d2.stderr(), /AUDIT CHAIN BROKEN, serving read-only.*bad_seq=2/);
        } finally {
            await d2.stopClean();
        }
    });

    test('a break after the newest checkpoint is found at start', async () => {
        const d = await startDaemon();
        const cp = await api(d.url, d.adminToken, 'POST', '/api/v1/audit/checkpoints');
        assert.equal(cp.status, 201, cp.text);
        for (const name of ['a', 'b'])
            assert.equal((await api(d.url, d.adminToken, 'POST', '/api/v1/tokens', { name, role: 'viewer' })).status, 201);
        await d.stopClean();
        const bad = cp.json.audit_seq + 2;
        const db = path.join(d.dataDir, 'meldpunt.db');
        assert.equal(sqlite(db, `DROP TRIGGER audit_no_update; UPDATE audit SET principal = 'mallory' WHERE seq = ${bad};`).code, 0);
        const d2 = await startDaemon({ dataDir: d.dataDir, init: false });
        try {
            await d2.waitForLog(new RegExp(`msg="?audit chain walked ok=0 .*from_checkpoint_seq=${cp.json.audit_seq}`));
            const ready = await api(d2.url, null, 'GET', '/readyz');
            assert.equal(ready.status, 503, ready.text);
            assert.match(ready.json.checks.audit_chain.detail, new RegExp(`broken at entry ${bad}`));
        } finally {
            await d2.stopClean();
        }
    });

    test('a checkpoint whose entry was rewritten does not vouch: the whole chain is walked at start', async () => {
        const d = await startDaemon();
        assert.equal((await api(d.url, d.adminToken, 'POST', '/api/v1/tokens', { name: 'a', role: 'viewer' })).status, 201);
        const cp = await api(d.url, d.adminToken, 'POST', '/api/v1/audit/checkpoints');
        assert.equal(cp.status, 201, cp.text);
        // not the head: the state file vouches for that one (another check)
        assert.equal((await api(d.url, d.adminToken, 'POST', '/api/v1/tokens', { name: 'b', role: 'viewer' })).status, 201);
        await d.stopClean();
        const db = path.join(d.dataDir, 'meldpunt.db');
        const seq = cp.json.audit_seq;
        assert.equal(sqlite(db, `DROP TRIGGER audit_no_update; UPDATE audit SET hash = zeroblob(32) WHERE seq = ${seq};`).code, 0);
        const d2 = await startDaemon({ dataDir: d.dataDir, init: false });
        try {
            await d2.waitForLog(new RegExp(`msg="?audit checkpoint does not vouch, walking the whole chain id=${cp.json.id} reason="entry ${seq} no longer has the hash it signed"`));
            const ready = await api(d2.url, null, 'GET', '/readyz');
            assert.equal(ready.status, 503, ready.text);
            assert.match(ready.json.checks.audit_chain.detail, new RegExp(`broken at entry ${seq}`));
        } finally {
            await d2.stopClean();
        }
    });
});
