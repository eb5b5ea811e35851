// SPDX-License-Identifier: EUPL-1.2
// errors.test.mjs - every problem the API answers carries a stable machine
// code (issue 17: "errors in the user's words"): the problem as a whole and
// each field error, one of ErrorCode in schema/openapi.yaml (the e2e
// helper checks every answer against it), so the front end can say it in
// the user's language.  Table-driven over the resources, with the change
// refused and nothing stored.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, assertProblem, startDaemon } from './lib/daemon.mjs';
import { BASE, createIncident, createToken } from './lib/incidents.mjs';

/** The code of the error on field in a 422 problem. */
function codeOf(res, field) {
    assertProblem(res, 422);
    const e = res.json.errors.find((x) => x.field === field);
    assert.ok(e, `an error on ${field}: ${res.text}`);
    assert.equal(typeof e.message, 'string');
    return e.code;
}

describe('error codes', () => {
    let d, analyst, admin;
    before(async () => {
        d = await startDaemon();
        analyst = createToken(d, 'ann', 'analyst');
        admin = d.adminToken;
    });
    after(async () => {
        await d?.stopClean();
    });

    test('each field error of an incident carries the code of what is wrong with it', async () => {
        const cases = [
            [{}, 'title', 'required'],
            [{ title: '   ' }, 'title', 'required'],
            [{ title: 'x'.repeat(201) }, 'title', 'text_length'],
            [{ title: 5 }, 'title', 'text'],
            [{ title: 't', colour: 'red' }, 'colour', 'unknown_field'],
            [{ title: 't', severity: 'urgent' }, 'severity', 'one_of'],
            [{ title: 't', detected_at: 'yesterday' }, 'detected_at', 'date_time'],
            [{ title: 't', impact: { users_affected: -1 } }, 'impact.users_affected', 'number'],
            [{ title: 't', impact: { users_affected: '3' } }, 'impact.users_affected', 'number'],
            [{ title: 't', impact: { cross_border: 1 } }, 'impact.cross_border', 'boolean'],
            [{ title: 't', impact: { colour: 1 } }, 'impact.colour', 'one_of'],
            [{ title: 't', impact: { member_states: ['nl'] } }, 'impact.member_states', 'country'],
            [{ title: 't', services: ['web', 'web'] }, 'services', 'duplicate'],
            [{ title: 't', started_at: '2026-11-01T10:00:00Z', ended_at: '2026-11-01T09:00:00Z' }, 'ended_at', 'order'],
        ];
        const before = (await api(d.url, analyst, 'GET', `${BASE}?limit=200`)).json.items.length;
        const wrong = [];
        for (const [body, field, code] of cases) {
            const res = await api(d.url, analyst, 'POST', BASE, body);
            if (codeOf(res, field) !== code)
                wrong.push(`${JSON.stringify(body).slice(0, 80)}: ${code} wanted: ${res.text}`);
        }
        assert.deepEqual(wrong, []);
        assert.equal(
            (await api(d.url, analyst, 'GET', `${BASE}?limit=200`)).json.items.length,
            before,
            'nothing stored',
        );
    });

    test('several faults: each its own code, the problem says "invalid"', async () => {
        const res = await api(d.url, analyst, 'POST', BASE, { title: '', severity: 'x', colour: 1 });
        assertProblem(res, 422);
        const codes = Object.fromEntries(res.json.errors.map((e) => [e.field, e.code]));
        assert.deepEqual(codes, { title: 'required', severity: 'one_of', colour: 'unknown_field' });
        assert.equal(res.json.code, 'invalid');
    });

    test('a problem without a field has its code too: not found, malformed, changed, transition, unauthenticated, forbidden', async () => {
        let res = await api(d.url, analyst, 'GET', `${BASE}/INC-1999-0001`);
        assertProblem(res, 404);
        assert.equal(res.json.code, 'not_found');

        res = await api(d.url, analyst, 'POST', BASE, '{"title": ');
        assertProblem(res, 400);
        assert.equal(res.json.code, 'malformed');

        const inc = await createIncident(d, analyst, { title: 'codes' });
        res = await api(
            d.url,
            analyst,
            'PATCH',
            `${BASE}/${inc.id}`,
            { title: 'new' },
            { 'if-match': '"7"', 'content-type': 'application/merge-patch+json' },
        );
        assert.equal(res.status, 412, res.text);
        assert.equal(res.json.code, 'changed');

        // detected goes to triage or dismissed, never straight to closed
        res = await api(d.url, analyst, 'POST', `${BASE}/${inc.id}/transitions`, { to: 'closed' });
        assert.equal(res.status, 409, res.text);
        assert.equal(res.json.code, 'transition');

        res = await api(d.url, 'not-a-token', 'GET', BASE);
        assertProblem(res, 401);
        assert.equal(res.json.code, 'unauthenticated');

        res = await api(d.url, analyst, 'GET', '/api/v1/users');
        assertProblem(res, 403);
        assert.equal(res.json.code, 'forbidden');
    });

    test('users, tokens and services: name, role and yes/no/unknown codes', async () => {
        let res = await api(d.url, admin, 'POST', '/api/v1/tokens', { name: 'bad name!', role: 'analyst' });
        assert.equal(codeOf(res, 'name'), 'name_format');
        res = await api(d.url, admin, 'POST', '/api/v1/tokens', { name: 'siem', role: 'king' });
        assert.equal(codeOf(res, 'role'), 'one_of');
        res = await api(d.url, admin, 'POST', '/api/v1/tokens', { name: 'siem', role: 'ingest' });
        assert.equal(res.status, 201, res.text);
        res = await api(d.url, admin, 'POST', '/api/v1/tokens', { name: 'siem', role: 'ingest' });
        assert.equal(res.status, 409, res.text);
        assert.equal(res.json.code, 'exists');
        res = await api(d.url, admin, 'PUT', '/api/v1/services/web', { name: 'web', critical: 'maybe' });
        assert.equal(codeOf(res, 'critical'), 'yes_no_unknown');
    });
});
