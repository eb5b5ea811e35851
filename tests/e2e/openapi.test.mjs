// openapi.test.mjs - schema/openapi.yaml describes exactly the routes the
// server has: every route of the table in server/http/routes.c (as `meldpunt
// routes` prints it) with its method and roles, and nothing else; GET
// /api/v1/openapi.json serves it.  (Every response of every end-to-end test
// is checked against it by lib/openapi.mjs; `make lint-openapi` lints it.)
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { api, cli, startDaemon } from './lib/daemon.mjs';
import { SPEC_FILE, loadSpec } from './lib/openapi.mjs';

const ROLES = ['viewer', 'analyst', 'manager', 'admin', 'ingest'];
const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

/** The route table: [{method, path, roles: 'public' | 'viewer, …'}]. */
function routeTable() {
    const r = cli(['routes']);
    assert.equal(r.code, 0, r.stderr);
    const rows = [];
    for (const line of r.stdout.split('\n')) {
        const m = /^\| ([A-Z]+) \| `([^`]+)` \|(.*)\|$/.exec(line);
        if (!m) continue;
        const cells = m[3].split('|').map((c) => c.trim());
        const roles = cells.every((c) => c === 'public') ? 'public' : ROLES.filter((_, i) => cells[i] === 'yes').join(', ');
        rows.push({ method: m[1].toLowerCase(), path: m[2], roles });
    }
    assert.ok(rows.length > 40, `the route table has ${rows.length} rows`);
    return rows;
}

describe('schema/openapi.yaml and the route table', () => {
    const spec = loadSpec();
    const table = routeTable();

    test('is OpenAPI 3.1 with a Problem schema for errors', () => {
        assert.equal(spec.openapi, '3.1.0');
        assert.deepEqual(spec.components.schemas.Problem.required, ['type', 'title', 'status', 'detail', 'instance']);
    });

    test('every route in the table is described, with the roles the table gives', () => {
        const missing = [];
        for (const r of table) {
            const op = spec.paths[r.path]?.[r.method];
            if (!op) {
                missing.push(`${r.method.toUpperCase()} ${r.path}`);
                continue;
            }
            assert.equal(op.description.match(/^Roles: ([^.]*)\./)?.[1], r.roles, `${r.method} ${r.path}: roles`);
            assert.equal(r.roles === 'public', Array.isArray(op.security) && op.security.length === 0, `${r.method} ${r.path}: security`);
            assert.ok(Object.keys(op.responses).some((c) => /^2/.test(c)), `${r.method} ${r.path}: a success response`);
        }
        assert.deepEqual(missing, [], 'routes missing from schema/openapi.yaml');
    });

    test('nothing is described that the table does not have', () => {
        const known = new Set(table.map((r) => `${r.method} ${r.path}`));
        const extra = [];
        for (const [p, item] of Object.entries(spec.paths))
            for (const m of METHODS) if (item[m] && !known.has(`${m} ${p}`)) extra.push(`${m.toUpperCase()} ${p}`);
        assert.deepEqual(extra, []);
    });

    test('operation ids are unique', () => {
        const ids = Object.values(spec.paths).flatMap((item) => METHODS.filter((m) => item[m]).map((m) => item[m].operationId));
        assert.equal(new Set(ids).size, ids.length);
    });
});

describe('GET /api/v1/openapi.json', () => {
    test('serves the description built from schema/openapi.yaml, to every role, not without a token', async () => {
        const d = await startDaemon();
        try {
            const res = await api(d.url, d.adminToken, 'GET', '/api/v1/openapi.json');
            assert.equal(res.status, 200, res.text);
            assert.match(res.headers.get('content-type'), /^application\/json/);
            assert.deepEqual(res.json, JSON.parse(fs.readFileSync(SPEC_FILE, 'utf8')));
            const ingest = cli(['token', 'create', '--name', 'i', '--role', 'ingest', '--data', d.dataDir]).stdout.trim();
            assert.equal((await api(d.url, ingest, 'GET', '/api/v1/openapi.json')).status, 200);
            assert.equal((await api(d.url, null, 'GET', '/api/v1/openapi.json')).status, 401);
        } finally {
            await d.stopClean();
        }
    });
});
