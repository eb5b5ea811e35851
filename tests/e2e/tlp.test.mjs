// SPDX-License-Identifier: EUPL-1.2
// tlp.test.mjs - users and tokens limited to some TLP levels never see an
// incident above them: not in a list, a count, a search, a metric, an
// export, a deadline, nor by guessing its id or reference (404 exactly as
// for an incident that does not exist).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, assertProblem, cli, startDaemon } from './lib/daemon.mjs';
import { createIncident, iso } from './lib/incidents.mjs';
import { browser, session } from './lib/session.mjs';

const HOUR = 3600e3;

function limitedToken(d, name, role, tlp) {
    const r = cli(['token', 'create', '--name', name, '--role', role, '--tlp-max', tlp], { dataDir: d.dataDir });
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
}

const metric = (text, name) => {
    const line = text.split('\n').find((l) => l.startsWith(name + ' '));
    return line ? Number(line.split(' ').pop()) : NaN;
};

describe('TLP limits', () => {
    let d, green, greenAnalyst, viewerSession, red, amber, clear, nid;
    before(async () => {
        d = await startDaemon();
        const org = await api(d.url, d.adminToken, 'GET', '/api/v1/organisation');
        const body = { ...org.json, name: 'Waterbedrijf', sector: 'drinking_water', nis2_class: 'essential', annual_turnover_eur: 2e7 };
        delete body.version;
        delete body.updated_at;
        assert.equal((await api(d.url, d.adminToken, 'PUT', '/api/v1/organisation', body)).status, 200);
        const significant = { aware_at: iso(Date.now() - HOUR), impact: { persons_health_damaged: 3 } };
        red = await createIncident(d, d.adminToken, { title: 'Secret sabotage', tlp: 'red', ...significant });
        amber = await createIncident(d, d.adminToken, { title: 'Amber sabotage', tlp: 'amber', ...significant });
        clear = await createIncident(d, d.adminToken, { title: 'Public sabotage', tlp: 'clear', ...significant });
        await createIncident(d, d.adminToken, { title: 'Green outage', tlp: 'green' });
        const n = await api(d.url, d.adminToken, 'POST', `/api/v1/incidents/${red.id}/notifications`, { regime: 'nis2', stage: 'early_warning' });
        assert.equal(n.status, 201, n.text);
        nid = n.json.id;
        green = limitedToken(d, 'green-viewer', 'viewer', 'green');
        greenAnalyst = limitedToken(d, 'green-analyst', 'analyst', 'green');
        viewerSession = await session(d, 'limited-viewer', 'viewer', { tlpMax: 'green' });
    });
    after(async () => {
        await d.stopClean();
    });

    const asToken = (method, p, body) => api(d.url, green, method, p, body);
    const asSession = (method, p, body) => browser(d, viewerSession, method, p, body);

    test('lists and searches show only clear and green', async () => {
        for (const call of [asToken, asSession]) {
            const all = await call('GET', '/api/v1/incidents?limit=200');
            assert.equal(all.status, 200, all.text);
            assert.deepEqual(all.json.items.map((i) => i.tlp).sort(), ['clear', 'green']);
            const q = await call('GET', '/api/v1/incidents?q=sabotage');
            assert.deepEqual(q.json.items.map((i) => i.title), ['Public sabotage']);
            const qs = await call('GET', '/api/v1/incidents?q=Secret');
            assert.equal(qs.json.items.length, 0);
        }
        // the unrestricted admin sees all four
        const all = await api(d.url, d.adminToken, 'GET', '/api/v1/incidents');
        assert.equal(all.json.items.length, 4);
    });

    test('an incident above the limit answers 404 on every route, by id and by ref', async () => {
        const missing = await asToken('GET', '/api/v1/incidents/INC-2099-9999');
        assertProblem(missing, 404);
        for (const key of [red.id, red.ref, amber.id]) {
            for (const sub of ['', '/timeline', '/classification', '/classification/history', '/obligations', '/notifications']) {
                for (const call of [asToken, asSession]) {
                    const res = await call('GET', `/api/v1/incidents/${key}${sub}`);
                    assertProblem(res, 404);
                    assert.equal(res.json.detail, `no incident '${key}'`);
                }
            }
        }
        // writes too: the limited analyst cannot touch or even find it
        let res = await api(d.url, greenAnalyst, 'POST', `/api/v1/incidents/${red.id}/notes`, { text: 'hello' });
        assert.equal(res.status, 404);
        res = await api(d.url, greenAnalyst, 'PATCH', `/api/v1/incidents/${red.id}`, { title: 'x' });
        assert.equal(res.status, 404);
        const tl = await api(d.url, d.adminToken, 'GET', `/api/v1/incidents/${red.id}/timeline`);
        assert.ok(!tl.text.includes('hello'));
        // visible ones work
        assert.equal((await asToken('GET', `/api/v1/incidents/${clear.id}/obligations`)).status, 200);
    });

    test('notifications and their exports of a hidden incident are 404', async () => {
        for (const sub of ['', '/document.json', '/document.json.minisig', '/document.html', '/bundle']) {
            const res = await asToken('GET', `/api/v1/notifications/${nid}${sub}`);
            assertProblem(res, 404);
            assert.equal(res.json.detail, `no notification '${nid}'`);
        }
        // the admin gets the real answers (409: not signed yet)
        assert.equal((await api(d.url, d.adminToken, 'GET', `/api/v1/notifications/${nid}`)).status, 200);
        assert.equal((await api(d.url, d.adminToken, 'GET', `/api/v1/notifications/${nid}/document.json`)).status, 409);
    });

    test('deadlines leave hidden incidents out', async () => {
        const adm = await api(d.url, d.adminToken, 'GET', '/api/v1/deadlines');
        const refs = new Set(adm.json.items.map((o) => o.incident_ref));
        assert.ok(refs.has(red.ref) && refs.has(clear.ref), JSON.stringify([...refs]));
        for (const call of [asToken, asSession]) {
            const res = await call('GET', '/api/v1/deadlines');
            assert.equal(res.status, 200);
            const mine = new Set(res.json.items.map((o) => o.incident_ref));
            assert.ok(mine.has(clear.ref));
            assert.ok(!mine.has(red.ref) && !mine.has(amber.ref), JSON.stringify([...mine]));
        }
    });

    test('metrics count only what the caller may see; the audit log is closed', async () => {
        const all = (await api(d.url, d.adminToken, 'GET', '/metrics')).text;
        const mine = (await asToken('GET', '/metrics')).text;
        assert.equal(metric(all, 'meldpunt_incidents{state="detected"}'), 4);
        assert.equal(metric(mine, 'meldpunt_incidents{state="detected"}'), 2);
        for (const p of ['/api/v1/audit', '/api/v1/audit/verify']) {
            const lim = await limitedToken(d, `green-admin-${p.length}`, 'admin', 'green');
            assertProblem(await api(d.url, lim, 'GET', p), 403);
        }
    });

    test('a limited analyst cannot mark an incident above the limit; new ones default within it', async () => {
        let res = await api(d.url, greenAnalyst, 'POST', '/api/v1/incidents', { title: 'Up', tlp: 'red' });
        assertProblem(res, 422);
        assert.equal(res.json.errors[0].field, 'tlp');
        res = await api(d.url, greenAnalyst, 'POST', '/api/v1/incidents', { title: 'Default' });
        assert.equal(res.status, 201, res.text);
        assert.equal(res.json.tlp, 'green');
        res = await api(d.url, greenAnalyst, 'PATCH', `/api/v1/incidents/${res.json.id}`, { tlp: 'amber' });
        assertProblem(res, 422);
        assert.equal(res.json.errors[0].field, 'tlp');
        const tokens = await api(d.url, d.adminToken, 'GET', '/api/v1/tokens');
        assert.equal(tokens.json.items.find((t) => t.name === 'green-analyst').tlp_max, 'green');
    });

    test('changing a user limit ends the sessions; the new limit holds at the next sign-in', async () => {
        const s = await session(d, 'lift-me', 'viewer', { tlpMax: 'clear' });
        assert.equal((await browser(d, s, 'GET', '/api/v1/incidents')).json.items.length, 1);
        const res = await api(d.url, d.adminToken, 'PATCH', '/api/v1/users/lift-me', { tlp_max: null });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.tlp_max, null);
        assert.equal((await browser(d, s, 'GET', '/api/v1/incidents')).status, 401);
    });
});
