// SPDX-License-Identifier: EUPL-1.2
// openapi.test.mjs - schema/openapi.yaml describes exactly the routes the
// server has: every route of the table in server/http/routes.c (as `meldpunt
// routes` prints it) with its method and roles, and nothing else; GET
// /api/v1/openapi.json serves it.  (Every response of every end-to-end test,
// and every request the server took, is checked against it by
// lib/openapi.mjs with ajv; `make lint-openapi` lints it.)  Below: the
// checker itself finds what it should, and the alert batch is described.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { api, cli, startDaemon } from './lib/daemon.mjs';
import { SPEC_FILE, checkRequest, checkResponse, loadSpec } from './lib/openapi.mjs';

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
            // a success, or the redirect a browser follows (signing in through an OpenID provider)
            assert.ok(Object.keys(op.responses).some((c) => /^[23]/.test(c)), `${r.method} ${r.path}: a success response`);
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

describe('requests and answers are checked against the description (lib/openapi.mjs)', () => {
    const json = { 'content-type': 'application/json' };

    test('a request the server took must be described: body, content type, query', () => {
        const token = JSON.stringify({ name: 'x', role: 'viewer' });
        checkRequest('POST', '/api/v1/tokens', 201, json, token);
        assert.throws(() => checkRequest('POST', '/api/v1/tokens', 201, json, JSON.stringify({ name: 'x' })), /role/);
        assert.throws(() => checkRequest('POST', '/api/v1/tokens', 201, { 'content-type': 'text/plain' }, token), /content type text\/plain/);
        assert.throws(() => checkRequest('POST', '/api/v1/tokens', 201, json, '{"name":'), /not JSON/);
        assert.throws(() => checkRequest('GET', '/api/v1/tokens?nope=1', 200, {}, undefined), /query parameter nope: not described/);
        assert.throws(() => checkRequest('GET', '/api/v1/tokens?revoked=maybe', 200, {}, undefined), /revoked/);
        checkRequest('GET', '/api/v1/tokens?revoked=true', 200, {}, undefined);
        assert.throws(() => checkRequest('GET', '/api/v1/audit?limit=0', 200, {}, undefined), /limit/);
    });

    test('a request the server refused is not checked: the tests send bad ones on purpose', () => {
        checkRequest('POST', '/api/v1/tokens', 422, json, JSON.stringify({ name: 1 }));
        checkRequest('POST', '/api/v1/tokens', 400, json, '{"name":');
        checkRequest('GET', '/api/v1/tokens?nope=1', 400, {}, undefined);
    });

    test('an answer must match its documented schema', () => {
        checkResponse('GET', '/healthz', 200, 'application/json', { status: 'ok' });
        assert.throws(() => checkResponse('GET', '/healthz', 200, 'application/json', { status: 7 }), /status/);
        assert.throws(() => checkResponse('GET', '/healthz', 200, 'text/html', null), /content type text\/html/);
        const problem = { type: 'about:blank', title: 'Not Found', status: 404, detail: 'no', instance: '/x' };
        checkResponse('GET', '/api/v1/tokens', 404, 'application/problem+json', problem);
        assert.throws(() => checkResponse('GET', '/api/v1/tokens', 404, 'application/problem+json', { ...problem, status: 200 }), /status/);
    });

    test('POST /api/v1/alerts: one alert (an object) or a batch (an array), each answer described', async () => {
        const one = { source: 'siem', title: 'disk full', severity: 'high', labels: { host: 'db1' } };
        checkRequest('POST', '/api/v1/alerts', 201, json, JSON.stringify(one));
        checkRequest('POST', '/api/v1/alerts', 200, json, JSON.stringify([one, { ...one, title: 'cpu' }]));
        assert.throws(() => checkRequest('POST', '/api/v1/alerts', 200, json, '[]'), /body/);
        assert.throws(() => checkRequest('POST', '/api/v1/alerts', 201, json, JSON.stringify({ ...one, colour: 'red' })), /body/);
        assert.throws(() => checkRequest('POST', '/api/v1/alerts', 201, json, JSON.stringify({ ...one, severity: 'dire' })), /body/);

        // and against the server (api() checks the request and the answer)
        const d = await startDaemon();
        try {
            const single = await api(d.url, d.adminToken, 'POST', '/api/v1/alerts', one);
            assert.equal(single.status, 201, single.text);
            const batch = await api(d.url, d.adminToken, 'POST', '/api/v1/alerts', [one, { source: 'siem', title: 'cpu hot' }, { source: 'siem' }]);
            assert.equal(batch.status, 200, batch.text);
            assert.deepEqual(
                batch.json.items.map((i) => i.status),
                [200, 201, 422],
            );
            assert.equal(batch.json.rejected, 1);
        } finally {
            await d.stopClean();
        }
    });
});
