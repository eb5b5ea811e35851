// access.test.mjs - who may do what, on every route: docs/ACCESS.md is what
// `meldpunt routes` prints from the route table, and the running daemon
// answers every route x every role (and no token, a revoked token) as that
// table says.  A route added without roles, or with the wrong ones, fails here.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { api, cli, startDaemon } from './lib/daemon.mjs';

const ROLES = ['viewer', 'analyst', 'manager', 'admin', 'ingest'];
const doc = fs.readFileSync(new URL('../../docs/ACCESS.md', import.meta.url), 'utf8');

function parseTable(text) {
    const rows = [];
    for (const line of text.split('\n')) {
        const m = line.match(/^\| (GET|POST|PUT|PATCH|DELETE) \| `([^`]+)` \|(.*)\|$/);
        if (!m) continue;
        const cells = m[3].split('|').map((c) => c.trim());
        rows.push({ method: m[1], path: m[2], access: Object.fromEntries(ROLES.map((r, i) => [r, cells[i]])) });
    }
    return rows;
}

describe('access: docs/ACCESS.md and every route x every role', () => {
    let d;
    const tokens = {};
    before(async () => {
        d = await startDaemon();
        for (const role of ROLES) {
            const r = cli(['token', 'create', '--name', `acc-${role}`, '--role', role], { dataDir: d.dataDir });
            assert.equal(r.code, 0, r.stderr);
            tokens[role] = r.stdout.trim();
        }
        const r = cli(['token', 'create', '--name', 'acc-revoked', '--role', 'admin'], { dataDir: d.dataDir });
        tokens.revoked = r.stdout.trim();
        assert.equal(cli(['token', 'revoke', 'acc-revoked'], { dataDir: d.dataDir }).code, 0);
    });
    after(async () => {
        await d.stopClean();
    });

    test('docs/ACCESS.md is exactly what `meldpunt routes` prints', () => {
        const r = cli(['routes']);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(doc, r.stdout, 'regenerate with: build/meldpunt routes > docs/ACCESS.md');
    });

    const rows = parseTable(doc);
    test('the table lists the routes', () => {
        assert.ok(rows.length >= 25, `only ${rows.length} routes parsed`);
        for (const row of rows) {
            if (row.path.startsWith('/api/'))
                assert.ok(!Object.values(row.access).includes('public'), `${row.method} ${row.path} is public`);
        }
        // ingest tools post, and read nothing about incidents
        for (const row of rows.filter((r) => r.path.startsWith('/api/v1/incidents') && r.method === 'GET'))
            assert.equal(row.access.ingest, '-', `ingest may read ${row.path}`);
    });

    for (const row of parseTable(doc)) {
        const path = row.path.replace(/\{[^}]+\}/g, 'no-such-thing');
        const body = ['POST', 'PUT', 'PATCH'].includes(row.method) ? {} : undefined;
        test(`${row.method} ${row.path}`, async () => {
            for (const role of ROLES) {
                const res = await api(d.url, tokens[role], row.method, path, body);
                const want = row.access[role];
                if (want === '-') {
                    assert.equal(res.status, 403, `${role}: ${res.status} ${res.text}`);
                } else {
                    assert.ok(![401, 403, 405].includes(res.status), `${role} (${want}): ${res.status} ${res.text}`);
                }
            }
            if (row.path.startsWith('/api/')) {
                const none = await api(d.url, null, row.method, path, body);
                assert.equal(none.status, 401, `no token: ${none.status}`);
                const revoked = await api(d.url, tokens.revoked, row.method, path, body);
                assert.equal(revoked.status, 401, `revoked token: ${revoked.status}`);
            }
        });
    }
});
