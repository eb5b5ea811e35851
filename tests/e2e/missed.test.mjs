// SPDX-License-Identifier: EUPL-1.2
// missed.test.mjs - a missed report is still owed, just late (issue 17): it
// can be drafted, signed and submitted, and stays recorded as missed (the
// lateness is frozen) with the time it was sent; or a manager waives it
// with a reason, and the timeline says it went from missed to waived.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, startDaemon } from './lib/daemon.mjs';
import { addUser, approveAs } from './lib/session.mjs';
import { BASE, createIncident, createToken, iso } from './lib/incidents.mjs';

const HOUR = 3600e3;

async function earlyWarning(d, token, id) {
    const res = await api(d.url, token, 'GET', `${BASE}/${id}/obligations`);
    assert.equal(res.status, 200, res.text);
    return res.json.items.find((o) => o.regime === 'nis2' && o.stage === 'early_warning');
}

describe('a missed report', () => {
    let d, analyst, manager, signer;
    before(async () => {
        d = await startDaemon();
        analyst = createToken(d, 'm-analyst', 'analyst');
        manager = createToken(d, 'm-manager', 'manager');
        signer = addUser(d, 'm-signer', 'manager'); // only a person signs
        const org = await api(d.url, d.adminToken, 'GET', '/api/v1/organisation');
        const body = { ...org.json, name: 'Waterbedrijf', sector: 'drinking_water', nis2_class: 'essential' };
        delete body.version;
        delete body.updated_at;
        assert.equal((await api(d.url, d.adminToken, 'PUT', '/api/v1/organisation', body)).status, 200);
    });
    after(async () => {
        await d?.stopClean();
    });

    // aware 30 hours ago: the 24-hour early warning was missed 6 hours ago
    const late = (title) =>
        createIncident(d, analyst, {
            title,
            aware_at: iso(Date.now() - 30 * HOUR),
            impact: { persons_health_damaged: 2, suspected_malicious: true, cross_border: false },
        });

    test('is drafted, signed and submitted, and stays missed with the time it was sent', async () => {
        const inc = await late('Dosering verstoord');
        let ew = await earlyWarning(d, analyst, inc.id);
        assert.equal(ew.status, 'missed');
        let res = await api(d.url, analyst, 'POST', `${BASE}/${inc.id}/notifications`, { regime: 'nis2', stage: 'early_warning', language: 'nl' });
        assert.equal(res.status, 201, res.text);
        const N = `/api/v1/notifications/${res.json.id}`;
        assert.equal(res.json.obligation, ew.id);
        res = await api(d.url, analyst, 'PATCH', N, { fields: { contact_official: 'CISO, +31 20 555 0100' } });
        assert.equal(res.status, 200, res.text);
        res = await approveAs(d, signer, N);
        assert.equal(res.status, 200, res.text);
        res = await api(d.url, manager, 'POST', `${N}/submit`, { channel: 'MijnNCSC' });
        assert.equal(res.status, 200, res.text);
        ew = await earlyWarning(d, analyst, inc.id);
        assert.equal(ew.status, 'missed', 'late stays late');
        assert.ok(ew.submitted_at, 'and it was sent');
        assert.equal(ew.missed_at, ew.due_at);
    });

    test('is waived with a reason: the timeline says from missed', async () => {
        const inc = await late('Dosering opnieuw verstoord');
        const ew = await earlyWarning(d, analyst, inc.id);
        assert.equal(ew.status, 'missed');
        let res = await api(d.url, manager, 'POST', `${BASE}/${inc.id}/obligations/${ew.id}/waive`, { reason: '' });
        assert.equal(res.status, 422, res.text);
        assert.equal(res.json.errors[0].field, 'reason');
        res = await api(d.url, manager, 'POST', `${BASE}/${inc.id}/obligations/${ew.id}/waive`, { reason: 'Reported by phone to NCSC; confirmed in writing by the final report' });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.status, 'waived');
        assert.equal(res.json.missed_at, ew.due_at, 'the lateness stays on record');
        const tl = await api(d.url, analyst, 'GET', `${BASE}/${inc.id}/timeline`);
        const entry = tl.json.items.find((e) => e.kind === 'obligation' && e.new === 'waived');
        assert.ok(entry, JSON.stringify(tl.json.items));
        assert.equal(entry.old, 'missed');
        assert.match(entry.note, /Reported by phone/);
    });
});
