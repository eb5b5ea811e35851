// SPDX-License-Identifier: EUPL-1.2
// alerts.test.mjs - alerts against the running daemon: ingestion (single,
// batch, Alertmanager's webhook format), fingerprints and de-duplication,
// reopening, Idempotency-Key, the ingest role, suppressions, detection
// rules (open, correlate and attach, record), the incident's times kept in
// step with its alerts, the inbox (filters, paging, acknowledge, dismiss,
// promote, attach), detection rules at start-up and on SIGHUP, and the
// audit chain afterwards.
//
// The daemon reads the fixture rules in fixtures/detection/, so these tests
// do not depend on the shipped default rules.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { api, assertProblem, cli, startDaemon, tempDir } from './lib/daemon.mjs';
import { createToken, iso } from './lib/incidents.mjs';

const FIXTURES = path.resolve(path.dirname(new URL(import.meta.url).pathname), 'fixtures/detection');
const ALERTS = '/api/v1/alerts';
const CONFIG = (dir) => `[detection]\ndir = ${dir}\n[alerts]\nbatch_max = 5\npayload_limit = 1K\n`;

let d, ingest, analyst, viewer, admin;

before(async () => {
    d = await startDaemon({ config: CONFIG(FIXTURES) });
    ingest = createToken(d, 'siem', 'ingest');
    analyst = createToken(d, 'ana', 'analyst');
    viewer = createToken(d, 'vic', 'viewer');
    admin = d.adminToken;
});
after(async () => {
    await d.stopClean();
});

const post = (body, headers = {}, token = ingest) => api(d.url, token, 'POST', ALERTS, body, headers);
const get = async (p, token = viewer) => {
    const res = await api(d.url, token, 'GET', p);
    assert.equal(res.status, 200, `${p}: ${res.text}`);
    return res.json;
};
const ago = (minutes) => iso(Date.now() - minutes * 60000);

describe('ingestion and de-duplication', () => {
    test('a new alert is 201 with a derived fingerprint; a repeat is 200 on the same row with count 2', async () => {
        const body = { source: 'siem', title: 'Login storm', severity: 'low', service: 'vpn', labels: { a: '1', b: '2' } };
        const first = await post(body);
        assert.equal(first.status, 201, first.text);
        assert.equal(first.json.result, 'created');
        assert.equal(first.json.action, 'recorded');
        assert.match(first.json.alert.fingerprint, /^[0-9a-f]{32}$/);
        assert.equal(first.json.alert.count, 1);
        assert.equal(first.json.alert.status, 'firing');
        assert.equal(first.json.alert.state, 'new');
        // the same alert with its labels in another order is the same alert
        const again = await post({ ...body, labels: { b: '2', a: '1' } });
        assert.equal(again.status, 200, again.text);
        assert.equal(again.json.result, 'updated');
        assert.equal(again.json.id, first.json.id);
        assert.equal(again.json.alert.count, 2);
        const list = await get(`${ALERTS}?source=siem&service=vpn`);
        assert.equal(list.items.length, 1);
        assert.equal(list.items[0].count, 2);
        // another title is another alert
        const other = await post({ ...body, title: 'Login storm 2' });
        assert.equal(other.status, 201);
        assert.notEqual(other.json.alert.fingerprint, first.json.alert.fingerprint);
    });

    test('a given fingerprint is the key: another title with it updates the same row', async () => {
        const a = await post({ source: 'edr', fingerprint: 'host-42/malware', title: 'Malware found', service: 'laptops' });
        assert.equal(a.status, 201, a.text);
        assert.equal(a.json.alert.fingerprint, 'host-42/malware');
        const b = await post({ source: 'edr', fingerprint: 'host-42/malware', title: 'Malware found (2 files)', service: 'laptops' });
        assert.equal(b.status, 200, b.text);
        assert.equal(b.json.id, a.json.id);
        assert.equal(b.json.alert.title, 'Malware found (2 files)');
        // the same fingerprint from another source is another alert
        const c = await post({ source: 'av', fingerprint: 'host-42/malware', title: 'Malware found' });
        assert.equal(c.status, 201);
    });

    test('resolve, then firing again reopens the same alert', async () => {
        const base = { source: 'nagios', fingerprint: 'disk-full-web1', title: 'Disk full', service: 'web' };
        const a = await post({ ...base, starts_at: ago(20) });
        assert.equal(a.status, 201);
        const end = ago(1);
        const r = await post({ ...base, starts_at: ago(20), ends_at: end });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.result, 'resolved');
        assert.equal(r.json.alert.status, 'resolved');
        assert.equal(r.json.alert.ends_at, end);
        const o = await post({ ...base, starts_at: ago(0) });
        assert.equal(o.status, 200, o.text);
        assert.equal(o.json.result, 'reopened');
        assert.equal(o.json.id, a.json.id);
        assert.equal(o.json.alert.status, 'firing');
        assert.equal(o.json.alert.ends_at, null);
        assert.equal(o.json.alert.count, 3);
    });

    test('a batch answers per item; invalid items are refused alone; more than batch_max is 422', async () => {
        const res = await post([
            { source: 'batch', title: 'one' },
            { source: 'batch', title: 'two', severity: 'urgent' },
            { source: 'batch', title: 'one' },
            { source: 'batch', title: 'three', colour: 'red' },
        ]);
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(
            res.json.items.map((i) => [i.index, i.status]),
            [
                [0, 201],
                [1, 422],
                [2, 200],
                [3, 422],
            ],
        );
        assert.equal(res.json.items[1].errors[0].field, 'severity');
        assert.equal(res.json.items[3].errors[0].field, 'colour');
        assert.equal(res.json.items[2].id, res.json.items[0].id, 'a repeat within the batch updates the first');
        assert.deepEqual([res.json.created, res.json.updated, res.json.rejected], [1, 1, 2]);
        const big = await post(Array.from({ length: 6 }, (_, i) => ({ source: 'batch', title: `n${i}` })));
        assertProblem(big, 422);
        const none = await get(`${ALERTS}?source=batch`);
        assert.equal(none.items.length, 1, 'the refused batch stored nothing');
    });

    test('bad input: each field named, payload size limited, nothing stored', async () => {
        let res = await post({ source: 'v', title: ' ', severity: 'high', starts_at: 'yesterday', labels: { x: 1 } });
        assertProblem(res, 422);
        const fields = res.json.errors.map((e) => e.field).sort();
        assert.deepEqual(fields, ['labels.x', 'starts_at', 'title']);
        res = await post({ source: 'v', title: 't', payload: { blob: 'x'.repeat(2000) } });
        assertProblem(res, 422);
        assert.equal(res.json.errors[0].field, 'payload');
        res = await post({ source: 'v', title: 't', starts_at: ago(5), ends_at: ago(10) });
        assertProblem(res, 422);
        assert.equal(res.json.errors[0].field, 'ends_at');
        res = await post('{"source": ');
        assertProblem(res, 400);
        res = await post('"a string"');
        assertProblem(res, 422);
        assert.match(res.json.detail, /must be an alert/);
        assert.equal((await get(`${ALERTS}?source=v`)).items.length, 0);
        // the payload is kept as received and shown on the alert
        res = await post({ source: 'v', title: 'with payload', payload: { rule: 7, hits: [1, 2] } });
        assert.equal(res.status, 201);
        const one = await get(`${ALERTS}/${res.json.id}`);
        assert.deepEqual(one.payload, { rule: 7, hits: [1, 2] });
    });

    test('Idempotency-Key: a retry gets the first answer and counts nothing; another body is 409', async () => {
        const body = { source: 'idem', title: 'Retry me' };
        const h = { 'Idempotency-Key': 'delivery-1' };
        const a = await post(body, h);
        assert.equal(a.status, 201);
        const b = await post(body, h);
        assert.equal(b.status, 201, 'the first answer again');
        assert.equal(b.text, a.text);
        const one = await get(`${ALERTS}/${a.json.id}`);
        assert.equal(one.count, 1, 'the retry was not counted as a repeat');
        const c = await post({ ...body, title: 'Other' }, h);
        assertProblem(c, 409);
        assert.equal((await get(`${ALERTS}?source=idem`)).items.length, 1);
        const bad = await post(body, { 'Idempotency-Key': 'a b' });
        assertProblem(bad, 400);
    });

    test('the ingest role posts alerts and reads nothing', async () => {
        for (const p of [ALERTS, '/api/v1/detection-rules', '/api/v1/suppressions', '/api/v1/incidents']) {
            const res = await api(d.url, ingest, 'GET', p);
            assertProblem(res, 403);
        }
        const res = await api(d.url, ingest, 'POST', '/api/v1/suppressions', { match: {}, reason: 'x', expires_at: iso(Date.now() + 60000) });
        assertProblem(res, 403);
        const v = await post({ source: 'x', title: 'y' }, {}, viewer);
        assertProblem(v, 403);
    });
});

describe('suppressions', () => {
    test('drop: matching alerts are not stored and are counted; ending it lets them in', async () => {
        const expires = iso(Date.now() + 3600e3);
        const s = await api(d.url, analyst, 'POST', '/api/v1/suppressions', {
            match: { source: 'noisy', labels: { check: { glob: 'ping-*' } } },
            reason: 'Known flapping ping checks during the network migration',
            expires_at: expires,
        });
        assert.equal(s.status, 201, s.text);
        assert.equal(s.json.action, 'drop');
        assert.equal(s.json.active, true);
        for (let i = 0; i < 3; i++) {
            const res = await post({ source: 'noisy', title: `Ping ${i}`, labels: { check: 'ping-gw' } });
            assert.equal(res.status, 202, res.text);
            assert.equal(res.json.result, 'dropped');
        }
        const kept = await post({ source: 'noisy', title: 'Other', labels: { check: 'http-gw' } });
        assert.equal(kept.status, 201);
        assert.equal((await get(`${ALERTS}?source=noisy`)).items.length, 1);
        const after3 = await get(`/api/v1/suppressions/${s.json.id}`);
        assert.equal(after3.dropped, 3);
        const del = await api(d.url, analyst, 'DELETE', `/api/v1/suppressions/${s.json.id}`);
        assert.equal(del.status, 204, del.text);
        const again = await api(d.url, analyst, 'DELETE', `/api/v1/suppressions/${s.json.id}`);
        assertProblem(again, 409);
        const ended = await get(`/api/v1/suppressions/${s.json.id}`);
        assert.equal(ended.active, false);
        assert.ok(ended.deleted_at);
        const now = await post({ source: 'noisy', title: 'Ping 9', labels: { check: 'ping-gw' } });
        assert.equal(now.status, 201);
        const list = await get('/api/v1/suppressions');
        assert.ok(list.items.some((x) => x.id === s.json.id));
    });

    test('mute: stored as muted, no incident even where a rule would open one', async () => {
        const s = await api(d.url, analyst, 'POST', '/api/v1/suppressions', {
            match: { service: 'db-muted' },
            action: 'mute',
            reason: 'Maintenance window',
            expires_at: iso(Date.now() + 3600e3),
        });
        assert.equal(s.status, 201, s.text);
        const res = await post({ source: 'siem', title: 'DB down', severity: 'critical', service: 'db-muted' });
        assert.equal(res.status, 201, res.text);
        assert.equal(res.json.result, 'muted');
        assert.equal(res.json.alert.state, 'muted');
        assert.equal(res.json.alert.suppression, s.json.id);
        assert.equal(res.json.incident, null);
        assert.equal((await get(`/api/v1/suppressions/${s.json.id}`)).dropped, 1);
    });

    test('bad suppressions are 422 naming the field', async () => {
        const res = await api(d.url, analyst, 'POST', '/api/v1/suppressions', {
            match: { colour: 'red' },
            action: 'ignore',
            expires_at: ago(5),
        });
        assertProblem(res, 422);
        const fields = res.json.errors.map((e) => e.field).sort();
        assert.deepEqual(fields, ['action', 'expires_at', 'match.colour', 'reason']);
        const sev = await api(d.url, analyst, 'POST', '/api/v1/suppressions', {
            match: { severity: ['high', 'apocalyptic'] },
            reason: 'r',
            expires_at: iso(Date.now() + 60000),
        });
        assertProblem(sev, 422);
        assert.equal(sev.json.errors[0].field, 'match.severity');
        const g = await api(d.url, viewer, 'GET', '/api/v1/suppressions/nope');
        assertProblem(g, 404);
    });
});

describe('suppressions on the test clock', () => {
    // A daemon of its own whose clock stands still at T0 and is moved on
    // by the test: a suppression is in force from starts_at up to, not
    // including, expires_at.
    const T0 = '2027-01-04T09:00:00Z';
    const at = (s) => new Date(Date.parse(T0) + s * 1000).toISOString().replace('.000Z', 'Z');
    let e, tIngest, tAnalyst;
    before(async () => {
        e = await startDaemon({ config: CONFIG(FIXTURES), env: { MELDPUNT_TEST_CLOCK: T0 } });
        tIngest = createToken(e, 'clock-siem', 'ingest');
        tAnalyst = createToken(e, 'clock-ana', 'analyst');
    });
    after(async () => {
        await e.stopClean();
    });
    const sup = async (id) => {
        const res = await api(e.url, tAnalyst, 'GET', `/api/v1/suppressions/${id}`);
        assert.equal(res.status, 200, res.text);
        return res.json;
    };
    // a new alert each time (only a new alert meets the suppressions)
    let n = 0;
    const send = (body) => api(e.url, tIngest, 'POST', ALERTS, { severity: 'low', ...body, title: `${body.title} ${++n}` });

    test('drop: not in force before starts_at, in force until 1 s before expires_at, over at expires_at', async () => {
        const s = await api(e.url, tAnalyst, 'POST', '/api/v1/suppressions', {
            match: { source: 'maint' },
            reason: 'Planned maintenance of the web farm',
            starts_at: at(3600),
            expires_at: at(3 * 3600),
        });
        assert.equal(s.status, 201, s.text);
        assert.equal(s.json.active, false, 'not started yet');
        let res = await send({ source: 'maint', title: 'Before' });
        assert.equal(res.status, 201, res.text);
        assert.equal(res.json.result, 'created');

        await e.setClock({ advance: 'PT1H' });
        assert.equal((await sup(s.json.id)).active, true);
        res = await send({ source: 'maint', title: 'During' });
        assert.equal(res.status, 202, res.text);
        assert.equal(res.json.result, 'dropped');

        assert.equal(await e.setClock({ now: at(3 * 3600 - 1) }), at(3 * 3600 - 1));
        assert.equal((await sup(s.json.id)).active, true);
        res = await send({ source: 'maint', title: 'Last second' });
        assert.equal(res.status, 202, res.text);

        assert.equal(await e.setClock({ advance: 'PT1S' }), at(3 * 3600));
        const over = await sup(s.json.id);
        assert.equal(over.active, false, 'expired');
        assert.equal(over.deleted_at, null, 'expired, not ended by anyone');
        assert.equal(over.dropped, 2);
        const listed = (await api(e.url, tAnalyst, 'GET', '/api/v1/suppressions')).json.items.find((x) => x.id === s.json.id);
        assert.equal(listed.active, false);
        res = await send({ source: 'maint', title: 'After' });
        assert.equal(res.status, 201, res.text);
        assert.equal(res.json.result, 'created');
        assert.equal(res.json.alert.suppression, null);
        assert.equal((await sup(s.json.id)).dropped, 2);
    });

    test('mute: once expired, a matching alert is stored as new again', async () => {
        const now = await e.setClock({ advance: 'PT1H' });
        const s = await api(e.url, tAnalyst, 'POST', '/api/v1/suppressions', {
            match: { service: 'web-muted' },
            action: 'mute',
            reason: 'Maintenance window',
            expires_at: new Date(Date.parse(now) + 1800e3).toISOString().replace('.000Z', 'Z'),
        });
        assert.equal(s.status, 201, s.text);
        assert.equal(s.json.starts_at, now, 'starts_at defaults to now');
        assert.equal(s.json.active, true);
        let res = await send({ source: 'siem', service: 'web-muted', title: 'Web slow' });
        assert.equal(res.status, 201, res.text);
        assert.equal(res.json.alert.state, 'muted');
        assert.equal(res.json.alert.suppression, s.json.id);
        await e.setClock({ advance: 'PT30M' });
        assert.equal((await sup(s.json.id)).active, false);
        res = await send({ source: 'siem', service: 'web-muted', title: 'Web slow' });
        assert.equal(res.status, 201, res.text);
        assert.equal(res.json.result, 'created');
        assert.equal(res.json.alert.state, 'new');
        assert.equal(res.json.alert.suppression, null);
        assert.equal((await sup(s.json.id)).dropped, 1);
    });
});

describe('detection rules', () => {
    test('open_incident: title from the template, detected_at from the first alert, started_at from starts_at', async () => {
        const started = ago(15);
        const res = await post({
            source: 'prometheus',
            title: 'Replication broken',
            severity: 'critical',
            service: 'db-orders',
            starts_at: started,
            labels: { cluster: 'eu-1' },
        });
        assert.equal(res.status, 201, res.text);
        assert.equal(res.json.action, 'opened');
        assert.equal(res.json.rule, 'db-opens');
        assert.match(res.json.incident.ref, /^INC-\d{4}-\d{4}$/);
        const inc = await get(`/api/v1/incidents/${res.json.incident.id}`);
        assert.equal(inc.title, 'db-orders down (eu-1)');
        assert.equal(inc.severity, 'high');
        assert.deepEqual(inc.services, ['db-orders', 'database']);
        assert.equal(inc.started_at, started);
        assert.equal(inc.detected_at, res.json.alert.first_seen);
        assert.equal(inc.created_by, 'token:siem');
        assert.equal(res.json.alert.state, 'incident');
    });

    test('correlation: the same service and cluster within the window attach; another cluster opens another; started_at moves back', async () => {
        const first = await post({ source: 'siem', title: 'DB primary down', severity: 'high', service: 'db-pay', labels: { cluster: 'a' } });
        assert.equal(first.json.action, 'opened', first.text);
        const inc = first.json.incident.id;
        const earlier = ago(30);
        const second = await post({ source: 'prometheus', title: 'DB latency', severity: 'critical', service: 'db-pay', starts_at: earlier, labels: { cluster: 'a' } });
        assert.equal(second.status, 201, second.text);
        assert.equal(second.json.action, 'attached');
        assert.equal(second.json.incident.id, inc);
        const warn = await post({ source: 'siem', title: 'DB slow queries', severity: 'medium', service: 'db-pay', labels: { cluster: 'a' } });
        assert.equal(warn.json.action, 'attached');
        assert.equal(warn.json.rule, 'db-warnings-join');
        assert.equal(warn.json.incident.id, inc);
        const other = await post({ source: 'siem', title: 'DB primary down', severity: 'high', service: 'db-pay', labels: { cluster: 'b' } });
        assert.equal(other.json.action, 'opened');
        assert.notEqual(other.json.incident.id, inc);
        // a medium alert with nothing open to join is only recorded
        const lone = await post({ source: 'siem', title: 'DB slow', severity: 'medium', service: 'db-lone' });
        assert.equal(lone.json.action, 'recorded');
        assert.equal(lone.json.incident, null);
        assert.equal(lone.json.alert.state, 'new');

        const got = await get(`/api/v1/incidents/${inc}`);
        assert.equal(got.started_at, earlier, 'the earlier alert moved started_at back');
        const tl = (await get(`/api/v1/incidents/${inc}/timeline`)).items;
        assert.equal(tl.filter((e) => e.field === 'alert').length, 2, 'two alerts attached');
        assert.ok(tl.some((e) => e.kind === 'changed' && e.field === 'started_at' && e.new === earlier));
        const onInc = await get(`${ALERTS}?incident=${got.ref}`);
        assert.equal(onInc.items.length, 3);
    });

    test('when every alert of the incident resolves, ended_at is proposed on the timeline', async () => {
        const a = { source: 'siem', title: 'DB gone', severity: 'critical', service: 'db-crm', labels: { cluster: 'x' }, fingerprint: 'crm-1' };
        const b = { ...a, title: 'DB replica gone', fingerprint: 'crm-2' };
        const s = ago(40);
        const first = await post({ ...a, starts_at: s });
        const inc = first.json.incident.id;
        assert.equal((await post({ ...b, starts_at: s })).json.incident.id, inc);
        await post({ ...a, starts_at: s, ends_at: ago(20) });
        let tl = (await get(`/api/v1/incidents/${inc}/timeline`)).items;
        assert.ok(!tl.some((e) => e.field === 'ended_at'), 'one alert still fires: no proposal');
        const last = ago(10);
        const r = await post({ ...b, starts_at: s, ends_at: last });
        assert.equal(r.json.result, 'resolved');
        tl = (await get(`/api/v1/incidents/${inc}/timeline`)).items;
        const prop = tl.filter((e) => e.field === 'ended_at');
        assert.equal(prop.length, 1, JSON.stringify(tl));
        assert.equal(prop[0].new, last, 'the latest end is proposed');
        assert.match(prop[0].note, /All 2 alerts resolved; proposed ended_at/);
        const got = await get(`/api/v1/incidents/${inc}`);
        assert.equal(got.ended_at, null, 'analysts confirm: ended_at itself is not set');
        // confirming it is a patch; the duration then feeds the rules
        const p = await api(d.url, analyst, 'PATCH', `/api/v1/incidents/${inc}`, { ended_at: prop[0].new });
        assert.equal(p.status, 200, p.text);
        assert.equal(p.json.impact.duration_minutes, 30);
    });

    test('record: a rule can keep alerts out of incidents (glob on a label)', async () => {
        const res = await post({ source: 'siem', title: 'DB down', severity: 'critical', service: 'db-x', labels: { env: 'test-3' } });
        assert.equal(res.json.rule, 'ignore-test-env');
        assert.equal(res.json.action, 'recorded');
        assert.equal(res.json.incident, null);
    });

    test('GET /api/v1/detection-rules lists the rules in force with their file', async () => {
        const res = await get('/api/v1/detection-rules');
        assert.equal(res.dir, FIXTURES);
        assert.deepEqual(
            res.rules.map((r) => r.id),
            ['ignore-test-env', 'db-opens', 'db-warnings-join', 'alertmanager-critical'],
        );
        assert.equal(res.files[0].version, 'fixture-1');
        assert.match(res.rules[1].file, /10-rules\.json$/);
    });
});

describe('the inbox', () => {
    test('filters and cursor paging walk every alert once, newest first', async () => {
        const made = [];
        for (let i = 0; i < 7; i++) made.push((await post({ source: 'paging', title: `p${i}`, severity: i % 2 ? 'high' : 'low' })).json.id);
        const seen = [];
        let cursor = null;
        for (let i = 0; i < 10; i++) {
            const q = new URLSearchParams({ source: 'paging', limit: '3' });
            if (cursor) q.set('cursor', cursor);
            const page = await get(`${ALERTS}?${q}`);
            seen.push(...page.items.map((x) => x.id));
            cursor = page.next_cursor;
            if (!cursor) break;
        }
        assert.deepEqual(seen, [...made].reverse());
        const high = await get(`${ALERTS}?source=paging&severity=high`);
        assert.equal(high.items.length, 3);
        assert.ok(high.items.every((x) => x.severity === 'high'));
        assert.ok(!('payload' in high.items[0]), 'lists leave the payload out');
        const bad = await api(d.url, viewer, 'GET', `${ALERTS}?state=sleeping`);
        assertProblem(bad, 400);
        const badc = await api(d.url, viewer, 'GET', `${ALERTS}?cursor=zzz`);
        assertProblem(badc, 400);
    });

    test('acknowledge, dismiss with a reason (and a new one with that fingerprint is new), 409 twice', async () => {
        const a = (await post({ source: 'inbox', title: 'Suspicious login', fingerprint: 'inbox-1' })).json;
        const ack = await api(d.url, analyst, 'POST', `${ALERTS}/${a.id}/acknowledge`, {});
        assert.equal(ack.status, 200, ack.text);
        assert.equal(ack.json.state, 'acknowledged');
        assert.equal(ack.json.acted_by, 'token:ana');
        assertProblem(await api(d.url, analyst, 'POST', `${ALERTS}/${a.id}/acknowledge`, {}), 409);
        const noReason = await api(d.url, analyst, 'POST', `${ALERTS}/${a.id}/dismiss`, {});
        assertProblem(noReason, 422);
        assert.equal(noReason.json.errors[0].field, 'reason');
        const dis = await api(d.url, analyst, 'POST', `${ALERTS}/${a.id}/dismiss`, { reason: 'The user travelled' });
        assert.equal(dis.status, 200, dis.text);
        assert.equal(dis.json.state, 'dismissed');
        assert.equal(dis.json.reason, 'The user travelled');
        assertProblem(await api(d.url, analyst, 'POST', `${ALERTS}/${a.id}/dismiss`, { reason: 'again' }), 409);
        const next = await post({ source: 'inbox', title: 'Suspicious login', fingerprint: 'inbox-1' });
        assert.equal(next.status, 201, 'a dismissed alert is not reopened');
        assert.notEqual(next.json.id, a.id);
        assertProblem(await api(d.url, viewer, 'POST', `${ALERTS}/${a.id}/acknowledge`, {}), 403);
        assertProblem(await api(d.url, analyst, 'POST', `${ALERTS}/nope/acknowledge`, {}), 404);
    });

    test('promote opens an incident from the alert; attach adds one to an existing incident', async () => {
        const start = ago(9);
        const a = (await post({ source: 'inbox', title: 'Odd DNS traffic', severity: 'info', service: 'dns', starts_at: start })).json;
        const pr = await api(d.url, analyst, 'POST', `${ALERTS}/${a.id}/promote`, { title: 'DNS tunnelling suspected', severity: 'high' });
        assert.equal(pr.status, 201, pr.text);
        assert.equal(pr.json.incident.title, 'DNS tunnelling suspected');
        assert.equal(pr.json.incident.severity, 'high');
        assert.deepEqual(pr.json.incident.services, ['dns']);
        assert.equal(pr.json.incident.started_at, start);
        assert.equal(pr.json.alert.state, 'incident');
        assert.equal(pr.json.alert.incident, pr.json.incident.id);
        assert.equal(pr.headers.get('location'), `/api/v1/incidents/${pr.json.incident.id}`);
        assertProblem(await api(d.url, analyst, 'POST', `${ALERTS}/${a.id}/promote`, {}), 409);

        const b = (await post({ source: 'inbox', title: 'DNS query volume', service: 'dns' })).json;
        const missing = await api(d.url, analyst, 'POST', `${ALERTS}/${b.id}/attach`, { incident: 'INC-1999-0001' });
        assertProblem(missing, 422);
        const at = await api(d.url, analyst, 'POST', `${ALERTS}/${b.id}/attach`, { incident: pr.json.incident.ref });
        assert.equal(at.status, 200, at.text);
        assert.equal(at.json.incident, pr.json.incident.id);
        const tl = (await get(`/api/v1/incidents/${pr.json.incident.id}/timeline`)).items;
        assert.ok(tl.some((e) => e.field === 'alert' && e.new === b.id));
        const bad = await api(d.url, analyst, 'POST', `${ALERTS}/${b.id}/promote`, { colour: 'x' });
        assertProblem(bad, 422);
    });
});

describe('the Alertmanager webhook format', () => {
    const amBody = (status, alerts) => ({
        version: '4',
        groupKey: '{}:{alertname="HostDown"}',
        truncatedAlerts: 0,
        status,
        receiver: 'meldpunt',
        groupLabels: { alertname: 'HostDown' },
        commonLabels: {},
        commonAnnotations: {},
        externalURL: 'http://am.example:9093',
        alerts,
    });
    const amAlert = (status, instance, endsAt) => ({
        status,
        labels: { alertname: 'HostDown', instance, severity: 'critical', job: 'node' },
        annotations: { summary: `${instance} is down` },
        startsAt: '2026-11-29T04:00:00.123Z',
        endsAt: endsAt ?? '0001-01-01T00:00:00Z',
        generatorURL: 'http://prom.example/graph',
        fingerprint: `fp-${instance}`,
    });

    test('firing alerts map to the model and open one correlated incident; resolved ones resolve', async () => {
        const res = await api(d.url, ingest, 'POST', `${ALERTS}/alertmanager`, amBody('firing', [amAlert('firing', 'h1:9100'), amAlert('firing', 'h2:9100')]));
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.json.items.map((i) => i.action), ['opened', 'attached']);
        const inc = res.json.items[0].incident.id;
        assert.equal(res.json.items[1].incident.id, inc);
        const al = await get(`${ALERTS}/${res.json.items[0].id}`);
        assert.equal(al.source, 'alertmanager');
        assert.equal(al.fingerprint, 'fp-h1:9100');
        assert.equal(al.title, 'h1:9100 is down');
        assert.equal(al.severity, 'critical');
        assert.equal(al.service, 'node');
        assert.equal(al.starts_at, '2026-11-29T04:00:00Z');
        assert.equal(al.ends_at, null);
        assert.equal(al.payload.generatorURL, 'http://prom.example/graph');
        assert.equal((await get(`/api/v1/incidents/${inc}`)).title, 'HostDown on h1:9100');

        const end = '2026-11-29T04:30:00Z';
        const r = await api(d.url, ingest, 'POST', `${ALERTS}/alertmanager`, amBody('resolved', [amAlert('resolved', 'h1:9100', end), amAlert('resolved', 'h2:9100', end)]));
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json.items.map((i) => i.result), ['resolved', 'resolved']);
        const tl = (await get(`/api/v1/incidents/${inc}/timeline`)).items;
        assert.equal(tl.filter((e) => e.field === 'ended_at').at(-1)?.new, end);
    });

    test('not version 4, or no alerts list, is 422', async () => {
        const res = await api(d.url, ingest, 'POST', `${ALERTS}/alertmanager`, { version: '3', alerts: {} });
        assertProblem(res, 422);
        assert.deepEqual(res.json.errors.map((e) => e.field).sort(), ['alerts', 'version']);
        const bad = await api(d.url, ingest, 'POST', `${ALERTS}/alertmanager`, amBody('firing', [{ status: 'on fire', labels: {} }]));
        assert.equal(bad.status, 200);
        assert.equal(bad.json.items[0].status, 422);
        assert.equal(bad.json.items[0].errors[0].field, 'status');
    });
});

describe('TLP limits reach alerts', () => {
    test('a token limited to green sees no alert of an amber incident, cannot act on or attach to it', async () => {
        const r = cli(['token', 'create', '--name', 'green-ana', '--role', 'analyst', '--tlp-max', 'green'], { dataDir: d.dataDir });
        assert.equal(r.code, 0, r.stderr);
        const green = r.stdout.trim();
        const opened = await post({ source: 'siem', title: 'DB down', severity: 'critical', service: 'db-tlp', labels: { cluster: 't' } });
        assert.equal(opened.json.action, 'opened', opened.text);
        const inc = await get(`/api/v1/incidents/${opened.json.incident.id}`);
        assert.equal(inc.tlp, 'amber');
        const loose = (await post({ source: 'tlp', title: 'Loose alert' })).json;

        const list = await get(`${ALERTS}?limit=500`, green);
        assert.ok(!list.items.some((a) => a.id === opened.json.id), 'the amber incident\'s alert is hidden');
        assert.ok(list.items.some((a) => a.id === loose.id), 'alerts on no incident are shown');
        assert.equal((await get(`${ALERTS}?incident=${inc.ref}`, green)).items.length, 0);
        assertProblem(await api(d.url, green, 'GET', `${ALERTS}/${opened.json.id}`), 404);
        assertProblem(await api(d.url, green, 'POST', `${ALERTS}/${opened.json.id}/dismiss`, { reason: 'x' }), 404);
        const at = await api(d.url, green, 'POST', `${ALERTS}/${loose.id}/attach`, { incident: inc.ref });
        assertProblem(at, 422);
        // what the limited analyst promotes stays within its limit
        const pr = await api(d.url, green, 'POST', `${ALERTS}/${loose.id}/promote`, {});
        assert.equal(pr.status, 201, pr.text);
        assert.equal(pr.json.incident.tlp, 'green');
        // unlimited readers see it all
        assert.equal((await get(`${ALERTS}/${opened.json.id}`)).id, opened.json.id);
    });
});

describe('the record', () => {
    test('alert changes are in the audit chain, which verifies', async () => {
        const res = await api(d.url, admin, 'GET', '/api/v1/audit?limit=500');
        assert.equal(res.status, 200);
        const actions = new Set(res.json.items.map((e) => e.action));
        for (const a of ['alert.create', 'alert.resolve', 'alert.reopen', 'alert.acknowledge', 'alert.dismiss', 'alert.promote', 'alert.attach', 'suppression.create', 'suppression.delete', 'incident.alert', 'incident.propose_end'])
            assert.ok(actions.has(a), `audit lacks ${a}`);
        const v = await api(d.url, admin, 'GET', '/api/v1/audit/verify');
        assert.equal(v.json.ok, true, v.text);
    });

    test('/metrics counts what became of the alerts received', async () => {
        const res = await api(d.url, viewer, 'GET', '/metrics');
        assert.equal(res.status, 200);
        const value = (r) => Number(res.text.match(new RegExp(`^meldpunt_alerts_received_total\\{result="${r}"\\} (\\d+)$`, 'm'))?.[1]);
        // at least what the tests above made: three drops, a mute, reopens, batch rejects
        assert.ok(value('created') > 20, res.text);
        assert.ok(value('updated') >= 3);
        assert.ok(value('reopened') >= 1);
        assert.ok(value('resolved') >= 3);
        assert.equal(value('muted'), 1);
        assert.equal(value('dropped'), 3);
        assert.ok(value('rejected') >= 2);
    });
});

describe('detection rules at start-up and on SIGHUP', () => {
    test('meldpunt detection check: the built-in rules, the fixtures, a broken directory', () => {
        let r = cli(['detection', 'check']);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^OK critical-opens-incident +open_incident +\(built in\)\/default\.json$/m);
        r = cli(['detection', 'check', FIXTURES]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.trim().split('\n').length, 4);
        const dir = tempDir('meldpunt-detect-');
        fs.writeFileSync(path.join(dir, 'x.json'), '{"version": "1", "rules": [{"id": "a", "match": {}, "action": "attach"}]}');
        r = cli(['detection', 'check', dir]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /x\.json: \$\.rules\[0\]\.correlate: attach needs correlate/);
        assert.equal(cli(['detection', 'frobnicate']).code, 2);
    });

    test('a broken rule file stops start-up naming the file and path', async () => {
        const dir = tempDir('meldpunt-detect-');
        fs.writeFileSync(path.join(dir, 'a.json'), JSON.stringify({ version: '1', rules: [{ id: 'x', match: { severity: 'urgent' }, action: 'record' }] }));
        const data = path.join(tempDir(), 'data');
        assert.equal(cli(['init', '--data', data]).code, 0);
        const conf = path.join(dir, '..', `conf-${path.basename(dir)}.conf`);
        fs.writeFileSync(conf, CONFIG(dir));
        const r = cli(['serve', '--config', conf, '--data', data, '--listen', '127.0.0.1:0'], { timeout: 15000 });
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /a\.json: \$\.rules\[0\]\.match\.severity: must be info, low, medium, high or critical/);
        fs.rmSync(conf);
    });

    test('SIGHUP installs changed rules; a broken change keeps the rules in force', async () => {
        const dir = tempDir('meldpunt-detect-');
        const file = path.join(dir, 'r.json');
        const doc = { version: 'v1', rules: [{ id: 'all', match: {}, action: 'record' }] };
        fs.writeFileSync(file, JSON.stringify(doc));
        const h = await startDaemon({ config: CONFIG(dir) });
        try {
            const t = createToken(h, 'hup', 'viewer');
            const ids = async () => (await api(h.url, t, 'GET', '/api/v1/detection-rules')).json.rules.map((r) => r.id);
            assert.deepEqual(await ids(), ['all']);
            doc.rules.unshift({ id: 'crit', match: { severity: 'critical' }, action: 'open_incident', incident: { title: '{title}' } });
            fs.writeFileSync(file, JSON.stringify(doc));
            let from = h.stderr().length;
            h.proc.kill('SIGHUP');
            await h.waitForLog(/msg=reloaded /, { from });
            assert.deepEqual(await ids(), ['crit', 'all']);
            doc.rules[0].action = 'attach'; // attach without correlate
            delete doc.rules[0].incident;
            fs.writeFileSync(file, JSON.stringify(doc));
            from = h.stderr().length;
            h.proc.kill('SIGHUP');
            await h.waitForLog(/msg=reloaded /, { from });
            assert.match(h.stderr().slice(from), /reload of the detection rules failed.*correlate/);
            assert.deepEqual(await ids(), ['crit', 'all']);
        } finally {
            await h.stopClean();
        }
    });
});
