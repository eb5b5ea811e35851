// SPDX-License-Identifier: EUPL-1.2
//
// GET /api/v1/dashboard (issue 19): the dashboard's counts of incidents per
// state and severity come from the server, from counts kept in step with
// every change (schema/0022), not from every open incident paged into the
// browser.  They equal what the list says, move with a transition, a
// severity change and a TLP change, and count only what the caller may see.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, assertProblem, cli, sqlite, startDaemon } from './lib/daemon.mjs';
import { BASE, createIncident, createToken, listAll, transition } from './lib/incidents.mjs';

const DASHBOARD = '/api/v1/dashboard';
const STATES = ['detected', 'triage', 'confirmed', 'contained', 'resolved', 'closed', 'dismissed'];
const SEVERITIES = ['low', 'medium', 'high', 'critical'];

async function counts(d, token) {
    const res = await api(d.url, token, 'GET', DASHBOARD);
    assert.equal(res.status, 200, res.text);
    return res.json.counts;
}

describe('dashboard counts from the server', () => {
    let d;
    let analyst;
    let viewer;
    let green;

    before(async () => {
        d = await startDaemon();
        analyst = createToken(d, 'dash-analyst', 'analyst');
        viewer = createToken(d, 'dash-viewer', 'viewer');
        const r = cli(['token', 'create', '--name', 'dash-green', '--role', 'viewer', '--tlp-max', 'green'], { dataDir: d.dataDir });
        assert.equal(r.code, 0, r.stderr);
        green = r.stdout.trim();
    });
    after(async () => {
        await d?.stopClean();
    });

    test('every state with every severity and a total, all zero at first', async () => {
        const c = await counts(d, viewer);
        assert.deepEqual(Object.keys(c).sort(), [...STATES].sort());
        for (const s of STATES) {
            assert.deepEqual(Object.keys(c[s]).sort(), [...SEVERITIES, 'total'].sort());
            for (const k of [...SEVERITIES, 'total']) assert.equal(c[s][k], 0, `${s}.${k}`);
        }
    });

    test('equal to the list, and moving with transitions, severity and TLP changes', async () => {
        const made = [];
        for (const [i, severity] of ['low', 'medium', 'high', 'critical', 'high', 'low'].entries())
            made.push(await createIncident(d, analyst, { title: `Dash ${i}`, severity, tlp: i % 2 ? 'amber' : 'green' }));
        let c = await counts(d, viewer);
        assert.equal(c.detected.total, 6);
        assert.deepEqual([c.detected.low, c.detected.medium, c.detected.high, c.detected.critical], [2, 1, 2, 1]);

        await transition(d, analyst, made[0].id, 'triage');
        await transition(d, analyst, made[2].id, 'triage');
        await transition(d, analyst, made[2].id, 'confirmed');
        const p = await api(d.url, analyst, 'PATCH', `${BASE}/${made[1].id}`, { severity: 'critical' });
        assert.equal(p.status, 200, p.text);
        c = await counts(d, viewer);
        assert.deepEqual(c.triage, { low: 1, medium: 0, high: 0, critical: 0, total: 1 });
        assert.deepEqual(c.confirmed, { low: 0, medium: 0, high: 1, critical: 0, total: 1 });
        assert.deepEqual(c.detected, { low: 1, medium: 0, high: 1, critical: 2, total: 4 });

        // the same as counting the list, state by state and severity by severity
        for (const state of STATES) {
            const { items } = await listAll(d, viewer, { state });
            for (const sev of SEVERITIES)
                assert.equal(c[state][sev], items.filter((i) => i.severity === sev).length, `${state} ${sev}`);
            assert.equal(c[state].total, items.length, state);
        }

        // up to the caller's TLP level: amber ones are not counted for a green token
        let g = await counts(d, green);
        assert.deepEqual(g.detected, { low: 0, medium: 0, high: 1, critical: 0, total: 1 }); // made[4]
        const visible = (await listAll(d, green, {})).items;
        assert.equal(STATES.reduce((n, s) => n + g[s].total, 0), visible.length);

        // a TLP change moves an incident between what a limited caller counts
        const t = await api(d.url, analyst, 'PATCH', `${BASE}/${made[3].id}`, { tlp: 'green' });
        assert.equal(t.status, 200, t.text);
        g = await counts(d, green);
        assert.deepEqual(g.detected, { low: 0, medium: 0, high: 1, critical: 1, total: 2 });
    });

    test('the counts survive the migration: rebuilt from the incidents as they are', () => {
        const db = `${d.dataDir}/meldpunt.db`;
        const kept = sqlite(db, 'SELECT state, severity, tlp, n FROM incident_counts WHERE n > 0 ORDER BY 1, 2, 3;').stdout;
        const scan = sqlite(db, 'SELECT state, severity, tlp, count(*) FROM incidents GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;').stdout;
        assert.equal(kept, scan);
    });

    test('roles: viewer, analyst, manager, admin 200; ingest 403; no token 401', async () => {
        for (const role of ['manager']) assert.equal((await api(d.url, createToken(d, `dash-${role}`, role), 'GET', DASHBOARD)).status, 200);
        assert.equal((await api(d.url, d.adminToken, 'GET', DASHBOARD)).status, 200);
        assertProblem(await api(d.url, createToken(d, 'dash-ingest', 'ingest'), 'GET', DASHBOARD), 403);
        assertProblem(await api(d.url, null, 'GET', DASHBOARD), 401);
    });
});
