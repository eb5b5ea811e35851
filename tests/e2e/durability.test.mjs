// SPDX-License-Identifier: EUPL-1.2
// durability.test.mjs - a database that lost acknowledged changes (an older
// copy put back, a write-ahead log cut short) is refused at start, in
// English and Dutch, until `serve --accept-loss`, which is audited; and no
// incident reference is ever issued twice (store/state.h, issue 18 item 3).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { api, assertCleanExit, assertNoSanitizer, cli, startDaemon } from './lib/daemon.mjs';

async function createIncidents(d, n, tag) {
    const refs = [];
    for (let i = 0; i < n; i++) {
        const r = await api(d.url, d.adminToken, 'POST', '/api/v1/incidents', {
            title: `${tag} ${i}`,
            severity: 'low',
        });
        assert.equal(r.status, 201, r.text);
        refs.push(r.json.ref);
    }
    return refs;
}

const number = (ref) => Number(/^INC-\d{4}-(\d+)$/.exec(ref)[1]);

/** `serve` on dataDir, expected to refuse: exits by itself, non-zero. */
function serveRefused(dataDir) {
    const r = cli(['serve', '--data', dataDir, '--listen', '127.0.0.1:0'], { timeout: 20000 });
    assertNoSanitizer(r.stderr, 'meldpunt serve');
    assert.equal(r.signal, null, r.stderr);
    assert.equal(r.code, 1, r.stderr);
    return r.stderr;
}

function dropWal(db) {
    for (const f of [`${db}-wal`, `${db}-shm`]) fs.rmSync(f, { force: true });
}

describe('a database behind its recorded state', () => {
    test('an older copy put back: refused in both languages; --accept-loss starts, audited, the next reference is new', async () => {
        let d = await startDaemon();
        const admin = d.adminToken;
        const db = path.join(d.dataDir, 'meldpunt.db');
        const before = await createIncidents(d, 3, 'kept');
        assertCleanExit(await d.stop()); // the WAL folded in: one file
        const snapshot = `${db}.snapshot`;
        fs.copyFileSync(db, snapshot);

        await d.restart().catch(() => {}); // stopped: restart launches again
        const lost = await createIncidents(d, 3, 'lost');
        assert.equal(number(lost[2]), number(before[2]) + 3);
        assertCleanExit(await d.stop());

        // the database goes back to the copy; the state file beside it stays
        fs.copyFileSync(snapshot, db);
        dropWal(db);
        const text = serveRefused(d.dataDir);
        assert.match(text, /is behind its own recorded state/);
        assert.match(text, /loopt achter op haar eigen vastgelegde stand/);
        assert.match(text, new RegExp(`references up to ${lost[2]} were issued, the database holds up to ${before[2]}`));
        assert.match(text, new RegExp(`kenmerken tot en met ${lost[2]} zijn uitgegeven`));
        assert.match(text, /--accept-loss/);
        // refusing changed nothing: refused again
        assert.match(serveRefused(d.dataDir), /is behind its own recorded state/);

        d = await startDaemon({ dataDir: d.dataDir, init: false, args: ['--accept-loss'] });
        d.adminToken = admin;
        try {
            assert.match(d.stderr(), /msg="?loss accepted/);
            const next = await createIncidents(d, 1, 'after');
            // never one of the lost ones: on after the highest ever issued
            assert.equal(number(next[0]), number(lost[2]) + 1);
            assert.ok(!before.concat(lost).includes(next[0]));
            const audit = await api(d.url, admin, 'GET', '/api/v1/audit?limit=200');
            assert.equal(audit.status, 200);
            const acc = audit.json.items.filter((e) => e.action === 'database.accept_loss');
            assert.equal(acc.length, 1, JSON.stringify(audit.json.items.map((e) => e.action)));
            assert.equal(acc[0].payload.reason, 'serve --accept-loss');
            assert.ok(acc[0].payload.recorded_head_seq > acc[0].payload.database_head_seq);
            assert.deepEqual(acc[0].payload.references, [
                { year: Number(lost[2].slice(4, 8)), issued: number(lost[2]), present: number(before[2]) },
            ]);
            assert.match(acc[0].principal, /^cli:/);
        } finally {
            assertCleanExit(await d.stop());
        }
        // accepted once: the next start needs no flag, and the chain verifies
        const v = cli(['audit', 'verify', '--data', d.dataDir]);
        assert.equal(v.code, 0, v.stdout + v.stderr);
        d = await startDaemon({ dataDir: d.dataDir, init: false });
        d.adminToken = admin;
        try {
            const again = await createIncidents(d, 1, 'later');
            assert.equal(number(again[0]), number(lost[2]) + 2);
        } finally {
            assertCleanExit(await d.stop());
        }
    });

    test('a write-ahead log cut short after kill -9: refused', async () => {
        const d = await startDaemon();
        const db = path.join(d.dataDir, 'meldpunt.db');
        await createIncidents(d, 2, 'in the log');
        const res = await d.stop('SIGKILL'); // the commits are in the WAL only
        assert.equal(res.signal, 'SIGKILL');
        assert.ok(fs.statSync(`${db}-wal`).size > 0);
        fs.truncateSync(`${db}-wal`, 0);
        fs.rmSync(`${db}-shm`, { force: true });
        const text = serveRefused(d.dataDir);
        assert.match(text, /the audit chain was recorded up to entry \d+, the database ends at entry \d+/);
        assert.match(text, /de auditketen was vastgelegd tot en met regel \d+/);
    });

    test('restore puts an older backup back: the loss is accepted and audited there, references stay new', async () => {
        let d = await startDaemon();
        const admin = d.adminToken;
        const backup = path.join(path.dirname(d.dataDir), 'backup.db');
        const before = await createIncidents(d, 1, 'backed up');
        assert.equal(cli(['backup', backup, '--data', d.dataDir]).code, 0);
        const later = await createIncidents(d, 2, 'after the backup');
        assertCleanExit(await d.stop());
        const r = cli(['restore', backup, '--data', d.dataDir]);
        assertNoSanitizer(r.stderr, 'meldpunt restore');
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /the loss is accepted in audit entry \d+/);
        d = await startDaemon({ dataDir: d.dataDir, init: false });
        d.adminToken = admin;
        try {
            const next = await createIncidents(d, 1, 'after the restore');
            assert.equal(number(next[0]), number(later[1]) + 1);
            assert.ok(number(before[0]) < number(next[0]));
            const audit = await api(d.url, admin, 'GET', '/api/v1/audit?limit=200');
            const acc = audit.json.items.filter((e) => e.action === 'database.accept_loss');
            assert.equal(acc.length, 1);
            assert.equal(acc[0].payload.reason, 'restore');
        } finally {
            assertCleanExit(await d.stop());
        }
    });
});
