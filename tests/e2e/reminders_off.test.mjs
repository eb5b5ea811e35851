// SPDX-License-Identifier: EUPL-1.2
// reminders_off.test.mjs - no channels, no jobs (issue 20).  The shipped
// config/reminders.json has ladders and no channels: a default install
// plans no reminder at all (rather than planning every report's ladder and
// logging a failed send and an escalation for each step), says so once in
// the log, and the status answers channels: 0 for the dashboard.  A policy
// with a channel plans the open reports; one without channels again
// cancels what was planned.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { api, freePort, startDaemon } from './lib/daemon.mjs';
import { BASE, createIncident, createToken } from './lib/incidents.mjs';

const T0 = '2031-03-14T09:00:00Z';
const templates = JSON.parse(fs.readFileSync(new URL('../../config/reminders.json', import.meta.url))).templates;
const NO_CHANNELS = /the policy has no channels, so no reminder is planned/g;

describe('reminders: no channels, no jobs', () => {
    let d, analyst, viewer, inc;
    const jobs = async () => {
        const r = await api(d.url, viewer, 'GET', `${BASE}/${inc.id}/reminders`);
        assert.equal(r.status, 200, r.text);
        return r.json;
    };
    const status = async () => {
        const r = await api(d.url, viewer, 'GET', '/api/v1/reminders/status');
        assert.equal(r.status, 200, r.text);
        return r.json;
    };
    const policy = (channels) => ({
        version: 'off-test',
        allow: ['127.0.0.1'],
        channels,
        people: { alice: { language: 'en' } },
        ladders: [
            {
                regime: 'nis2',
                stage: 'early_warning',
                steps: [
                    { at: '-PT12H', to: ['person:alice'] },
                    { at: 'due', to: ['person:alice'] },
                ],
            },
        ],
        templates,
    });

    before(async () => {
        d = await startDaemon({ config: '[reminders]\nsend_interval = 3600\n' });
        analyst = createToken(d, 'o-analyst', 'analyst');
        viewer = createToken(d, 'o-viewer', 'viewer');
        await d.setClock({ now: T0 });
        const cur = await api(d.url, d.adminToken, 'GET', '/api/v1/organisation');
        const org = { ...cur.json, sector: 'drinking_water', nis2_class: 'essential', annual_turnover_eur: 2e7 };
        delete org.version;
        delete org.updated_at;
        assert.equal((await api(d.url, d.adminToken, 'PUT', '/api/v1/organisation', org)).status, 200);
    });
    after(async () => d?.stopClean());

    test('the shipped policy: nothing planned, nothing failed, channels 0, said once in the log', async () => {
        inc = await createIncident(d, analyst, {
            title: 'Pump station offline',
            aware_at: T0,
            impact: { persons_health_damaged: 3, suspected_malicious: true, cross_border: false },
        });
        const obl = await api(d.url, viewer, 'GET', `${BASE}/${inc.id}/obligations`);
        assert.ok(
            obl.json.items.some((o) => o.regime === 'nis2' && o.due_at),
            'the incident owes NIS2 reports with due times',
        );
        await d.setClock({ advance: 'PT30H' }); // past every step of the built-in ladders
        const r = await jobs();
        assert.deepEqual(r.jobs, []);
        assert.deepEqual(r.deliveries, []);
        const st = await status();
        assert.equal(st.channels, 0);
        assert.deepEqual(st.failing, {});
        assert.equal(st.failures_total, 0);
        assert.equal(d.stderr().match(NO_CHANNELS)?.length, 1, d.stderr());
    });

    test('a policy with a channel plans the open reports; one without cancels them', async () => {
        await d.setClock({ now: T0 });
        const dead = await freePort();
        let r = await api(
            d.url,
            d.adminToken,
            'PUT',
            '/api/v1/reminders/policy',
            policy({
                hook: { type: 'webhook', url: `http://127.0.0.1:${dead}/hook`, secret: 'hook-hmac' },
            }),
        );
        assert.equal(r.status, 200, r.text);
        let planned = (await jobs()).jobs;
        assert.deepEqual(
            planned.map((j) => [j.step, j.status]),
            [
                [0, 'planned'],
                [1, 'planned'],
            ],
        );
        assert.equal((await status()).channels, 1);

        r = await api(d.url, d.adminToken, 'PUT', '/api/v1/reminders/policy', policy({}));
        assert.equal(r.status, 200, r.text);
        planned = (await jobs()).jobs;
        assert.deepEqual(
            planned.map((j) => [j.step, j.status]),
            [
                [0, 'cancelled'],
                [1, 'cancelled'],
            ],
        );
        assert.equal((await status()).channels, 0);
        assert.equal(d.stderr().match(NO_CHANNELS)?.length, 2, 'said again for the new policy');
    });
});
