// SPDX-License-Identifier: EUPL-1.2
// time.test.mjs - deadlines through time, with the daemon's test clock
// (POST /api/v1/test/clock, test builds only) instead of sleeping: a report
// becomes due, its countdown falls, it turns missed at the due second and
// stays missed, and a late submission is recorded as late; the sweeper
// judges an ongoing disruption again as it grows longer; the audit
// checkpoint timer follows the clock; a signed bundle is the same bytes
// whenever it is made.  Nothing here waits for the wall clock.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, cli, startDaemon } from './lib/daemon.mjs';
import { addUser, approveAs } from './lib/session.mjs';
import { BASE, createIncident, createToken } from './lib/incidents.mjs';

const ORG = '/api/v1/organisation';
// A fixed start, far from today: the suite must not depend on the date.
const T0 = '2031-03-14T09:00:00Z';
const at = (base, seconds) => new Date(Date.parse(base) + seconds * 1000).toISOString().replace('.000Z', 'Z');

async function setProfile(d, changes) {
    const cur = await api(d.url, d.adminToken, 'GET', ORG);
    assert.equal(cur.status, 200, cur.text);
    const body = { ...cur.json, ...changes };
    delete body.version;
    delete body.updated_at;
    const res = await api(d.url, d.adminToken, 'PUT', ORG, body);
    assert.equal(res.status, 200, res.text);
}

async function obligation(d, token, id, regime, stage) {
    const res = await api(d.url, token, 'GET', `${BASE}/${id}/obligations`);
    assert.equal(res.status, 200, res.text);
    return res.json.items.find((o) => o.regime === regime && o.stage === stage);
}

describe('time: deadlines move with the clock', () => {
    let d, analyst, manager, viewer, signer;
    before(async () => {
        d = await startDaemon({ config: '[audit]\ncheckpoint_interval = 3600\n' });
        analyst = createToken(d, 't-analyst', 'analyst');
        manager = createToken(d, 't-manager', 'manager');
        signer = addUser(d, 't-signer', 'manager'); // only a person signs
        viewer = createToken(d, 't-viewer', 'viewer');
        assert.equal(await d.setClock({ now: T0 }), T0);
        await setProfile(d, { name: 'Waterbedrijf', sector: 'drinking_water', nis2_class: 'essential', annual_turnover_eur: 2e7 });
    });
    after(async () => {
        await d.stopClean();
    });

    test('the test clock: fixed, advanced, refused when malformed, admin only', async () => {
        let res = await api(d.url, d.adminToken, 'GET', '/api/v1/test/clock');
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.json, { now: T0, fixed: true });
        // the clock stands still: every request sees the same second
        res = await api(d.url, d.adminToken, 'GET', '/api/v1/test/clock');
        assert.equal(res.json.now, T0);
        for (const [body, field] of [
            [{ now: 'tomorrow' }, 'now'],
            [{ advance: '24 hours' }, 'advance'],
            [{ system: false }, 'system'],
            [{ later: 1 }, 'later'],
        ]) {
            res = await api(d.url, d.adminToken, 'POST', '/api/v1/test/clock', body);
            assert.equal(res.status, 422, `${JSON.stringify(body)}: ${res.text}`);
            assert.ok(res.json.errors.some((e) => e.field === field), res.text);
        }
        res = await api(d.url, d.adminToken, 'POST', '/api/v1/test/clock', { now: T0, advance: 'PT1H' });
        assert.equal(res.status, 422, res.text);
        res = await api(d.url, analyst, 'POST', '/api/v1/test/clock', { advance: 'PT1H' });
        assert.equal(res.status, 403, res.text);
        res = await api(d.url, d.adminToken, 'GET', '/api/v1/test/clock');
        assert.equal(res.json.now, T0, 'nothing refused moved the clock');
    });

    test('awareness, early warning due, missed at the due second, stays missed, a late submission', async () => {
        assert.equal(await d.setClock({ now: T0 }), T0);
        const inc = await createIncident(d, analyst, {
            title: 'Chlorine dosing sabotage',
            description: 'Dosing set to 10x by an unknown party',
            aware_at: T0,
            impact: { persons_health_damaged: 3, suspected_malicious: true, cross_border: false },
        });
        // the incident and its first timeline entry carry the clock's time
        assert.equal(inc.created_at, T0);
        assert.equal(inc.detected_at, T0);

        const due = at(T0, 24 * 3600);
        let ew = await obligation(d, viewer, inc.id, 'nis2', 'early_warning');
        assert.ok(ew, 'an early warning is owed');
        assert.equal(ew.due_at, due);
        assert.equal(ew.status, 'pending');
        assert.equal(ew.seconds_left, 24 * 3600);

        // the countdown falls with the clock, in the obligations and in /deadlines
        await d.setClock({ advance: 'PT12H' });
        ew = await obligation(d, viewer, inc.id, 'nis2', 'early_warning');
        assert.equal(ew.seconds_left, 12 * 3600);
        let dl = await api(d.url, viewer, 'GET', '/api/v1/deadlines');
        assert.equal(dl.status, 200, dl.text);
        const mine = dl.json.items.find((o) => o.id === ew.id);
        assert.equal(mine.seconds_left, 12 * 3600);
        assert.equal(mine.status, 'pending');

        // one second before and at the due second: still pending
        await d.setClock({ now: at(due, -1) });
        ew = await obligation(d, viewer, inc.id, 'nis2', 'early_warning');
        assert.equal(ew.status, 'pending');
        assert.equal(ew.seconds_left, 1);
        await d.setClock({ now: due });
        ew = await obligation(d, viewer, inc.id, 'nis2', 'early_warning');
        assert.equal(ew.status, 'pending');
        assert.equal(ew.seconds_left, 0);

        // one second past: missed, and the sweeper has stored it so
        await d.setClock({ now: at(due, 1) });
        ew = await obligation(d, viewer, inc.id, 'nis2', 'early_warning');
        assert.equal(ew.status, 'missed');
        assert.equal(ew.missed_at, due);
        assert.equal(ew.seconds_left, -1);

        // lateness is frozen: even with the clock set back, it stays missed
        await d.setClock({ now: at(due, -3600) });
        ew = await obligation(d, viewer, inc.id, 'nis2', 'early_warning');
        assert.equal(ew.status, 'missed', 'the sweeper stored the miss; it is not undone');
        assert.equal(ew.missed_at, due);
        await d.setClock({ now: at(due, 2 * 3600) });

        // it is still owed: drafted, signed and submitted late
        let res = await api(d.url, analyst, 'POST', `${BASE}/${inc.id}/notifications`, { regime: 'nis2', stage: 'early_warning', language: 'en' });
        assert.equal(res.status, 201, res.text);
        const N = `/api/v1/notifications/${res.json.id}`;
        assert.equal(res.json.created_at, at(due, 2 * 3600));
        res = await api(d.url, analyst, 'PATCH', N, { fields: { contact_official: 'J. Jansen, CISO' } }, { 'if-match': '"1"' });
        assert.equal(res.status, 200, res.text);
        await d.setClock({ advance: 'PT10M' });
        res = await approveAs(d, signer, N);
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.signed_at, at(due, 2 * 3600 + 600));
        await d.setClock({ advance: 'PT5M' });
        res = await api(d.url, manager, 'POST', `${N}/submit`, { channel: 'MijnNCSC' });
        assert.equal(res.status, 200, res.text);
        const sent = at(due, 2 * 3600 + 900);
        assert.equal(res.json.submitted_at, sent);
        ew = await obligation(d, viewer, inc.id, 'nis2', 'early_warning');
        assert.equal(ew.submitted_at, sent);
        assert.equal(ew.status, 'missed', 'a late report stays late');
        assert.equal(ew.missed_at, due);

        // the timeline and the audit chain carry the clock's times
        res = await api(d.url, viewer, 'GET', `${BASE}/${inc.id}/timeline`);
        assert.equal(res.status, 200, res.text);
        const items = res.json.items ?? res.json;
        assert.ok(items.some((e) => e.at === sent && /submitted/.test(e.note ?? '')), JSON.stringify(items.slice(-3)));
        res = await api(d.url, d.adminToken, 'GET', '/api/v1/audit?limit=500');
        assert.equal(res.status, 200, res.text);
        const submit = res.json.items.find((e) => e.action === 'notification.submit');
        assert.equal(submit.at, sent);
    });

    test('a bundle made twice is the same bytes, whatever the clock says', async () => {
        await d.setClock({ now: T0 });
        const inc = await createIncident(d, analyst, {
            title: 'Bundle',
            aware_at: T0,
            impact: { persons_health_damaged: 2, suspected_malicious: true, cross_border: false },
        });
        let res = await api(d.url, analyst, 'POST', `${BASE}/${inc.id}/notifications`, { regime: 'nis2', stage: 'early_warning' });
        assert.equal(res.status, 201, res.text);
        const N = `/api/v1/notifications/${res.json.id}`;
        res = await api(d.url, analyst, 'PATCH', N, { fields: { contact_official: 'A. B.' } });
        assert.equal(res.status, 200, res.text);
        res = await approveAs(d, signer, N);
        assert.equal(res.status, 200, res.text);
        const bundle = async () => {
            const r = await fetch(`${d.url}${N}/bundle`, { headers: { authorization: `Bearer ${viewer}` } });
            assert.equal(r.status, 200);
            return Buffer.from(await r.arrayBuffer());
        };
        const first = await bundle();
        // a later change to the incident is not part of what was signed
        await d.setClock({ advance: 'P3D' });
        res = await api(d.url, analyst, 'POST', `${BASE}/${inc.id}/notes`, { text: 'after the signing' });
        assert.equal(res.status, 201, res.text);
        const second = await bundle();
        assert.ok(first.equals(second), 'the same signed notification gives the same bundle');
        // the ZIP's entries carry the signing time (DOS date in the local headers)
        assert.equal(first.readUInt32LE(0), 0x04034b50);
        const dosTime = first.readUInt16LE(10);
        const dosDate = first.readUInt16LE(12);
        const t = new Date(Date.parse(T0));
        assert.equal(dosDate, ((t.getFullYear() - 1980) << 9) | ((t.getMonth() + 1) << 5) | t.getDate());
        assert.equal(dosTime >> 11, t.getHours());
    });

    test('the sweeper judges an ongoing disruption again as it grows longer', async () => {
        // DORA: critical services affected and two materiality thresholds;
        // the second (duration over 24 h, RTS 2024/1772 art. 9(3)) is met
        // only once the disruption has gone on long enough.
        await d.setClock({ now: T0 });
        await setProfile(d, { dora_financial: true });
        const inc = await createIncident(d, analyst, {
            title: 'Payments degraded',
            aware_at: T0,
            started_at: T0,
            impact: { critical_service_affected: true, reputational_impact: true },
        });
        const dora = async () => {
            const res = await api(d.url, viewer, 'GET', `${BASE}/${inc.id}/classification`);
            assert.equal(res.status, 200, res.text);
            return res.json.regimes.find((r) => r.regime === 'dora');
        };
        let r = await dora();
        assert.ok(r, 'DORA applies');
        assert.notEqual(r.significant, 'yes', JSON.stringify(r));
        assert.equal(await obligation(d, viewer, inc.id, 'dora', 'initial'), undefined);

        await d.setClock({ advance: 'PT23H' });
        r = await dora();
        assert.notEqual(r.significant, 'yes', 'not yet: 23 hours');

        // past 24 hours the sweeper, run at the new time, finds it major
        await d.setClock({ advance: 'PT1H1M' });
        r = await dora();
        assert.equal(r.significant, 'yes', JSON.stringify(r));
        const initial = await obligation(d, viewer, inc.id, 'dora', 'initial');
        assert.ok(initial, 'the initial notification is owed');
        await setProfile(d, { dora_financial: false });
    });

    test('an API token with an end works up to the second before it, then never again', async () => {
        await d.setClock({ now: T0 });
        const end = at(T0, 90 * 86400);
        let res = await api(d.url, d.adminToken, 'POST', '/api/v1/tokens', { name: 'siem-90d', role: 'ingest', expires_at: end });
        assert.equal(res.status, 201, res.text);
        assert.equal(res.json.expires_at, end);
        assert.equal(res.json.expired, false);
        const tok = res.json.token;
        const post = () => api(d.url, tok, 'POST', BASE, { title: 'from the SIEM' });
        assert.equal((await post()).status, 201);
        await d.setClock({ now: at(end, -1) });
        assert.equal((await post()).status, 201);
        await d.setClock({ now: end });
        res = await post();
        assert.equal(res.status, 401, res.text);
        assert.match(res.json.detail, /expired/);
        res = await api(d.url, d.adminToken, 'GET', '/api/v1/tokens');
        const row = res.json.items.find((t) => t.name === 'siem-90d');
        assert.equal(row.expired, true);
        assert.equal(row.expires_at, end);
        // the CLI takes a lifetime from its own "now" (here the test clock's)
        let r = cli(['token', 'create', '--name', 'one-day', '--role', 'viewer', '--expires', 'P1D'], {
            dataDir: d.dataDir,
            env: { MELDPUNT_TEST_CLOCK: end },
        });
        assert.equal(r.code, 0, r.stderr);
        const oneDay = r.stdout.trim();
        assert.equal((await api(d.url, oneDay, 'GET', '/api/v1/me')).status, 200);
        r = cli(['token', 'list'], { dataDir: d.dataDir });
        assert.match(r.stdout, new RegExp(`one-day .* ${at(end, 86400)} `));
        await d.setClock({ now: at(end, 86400) });
        assert.equal((await api(d.url, oneDay, 'GET', '/api/v1/me')).status, 401);
        r = cli(['token', 'create', '--name', 'bad', '--role', 'viewer', '--expires', 'soon'], { dataDir: d.dataDir });
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /expires/);
        // refused: an end that has passed, is now, is not a time, or is too far
        for (const [expires_at, field] of [
            [at(end, -60), 'expires_at'],
            [end, 'expires_at'],
            ['in 90 days', 'expires_at'],
            [at(end, 6 * 366 * 86400), 'expires_at'],
        ]) {
            res = await api(d.url, d.adminToken, 'POST', '/api/v1/tokens', { name: 'refused', role: 'viewer', expires_at });
            assert.equal(res.status, 422, `${expires_at}: ${res.text}`);
            assert.ok(res.json.errors.some((e) => e.field === field), res.text);
        }
        res = await api(d.url, d.adminToken, 'GET', '/api/v1/tokens');
        assert.ok(!res.json.items.some((t) => t.name === 'refused'), 'nothing refused was created');
    });

    test('the checkpoint timer follows the clock', async () => {
        // later than every checkpoint the tests above made
        const T1 = at(T0, 400 * 86400);
        await d.setClock({ now: T1 });
        const list = async () => (await api(d.url, d.adminToken, 'GET', '/api/v1/audit/checkpoints')).json.items;
        // the chain moves, an hour passes: an interval checkpoint at the clock's time
        let res = await api(d.url, analyst, 'POST', BASE, { title: 'moves the chain' });
        assert.equal(res.status, 201, res.text);
        const before = (await list()).length;
        await d.setClock({ advance: 'PT2H' });
        let items = await list();
        assert.equal(items.length, before + 1, JSON.stringify(items.slice(-2)));
        const made = items[items.length - 1];
        assert.equal(made.reason, 'interval');
        assert.equal(made.at, at(T1, 2 * 3600));
        // less than the interval later, with a moved chain: none yet
        res = await api(d.url, analyst, 'POST', BASE, { title: 'moves it again' });
        assert.equal(res.status, 201, res.text);
        await d.setClock({ advance: 'PT59M' });
        assert.equal((await list()).length, before + 1);
        await d.setClock({ advance: 'PT1M' });
        items = await list();
        assert.equal(items.length, before + 2);
        assert.equal(items[items.length - 1].at, at(T1, 3 * 3600));
    });
});
