// readyz.test.mjs - GET /readyz: ready when the database takes writes, the
// disk has room above the floor and the audit chain verified at start.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { api, sqlite, startDaemon } from './lib/daemon.mjs';

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
