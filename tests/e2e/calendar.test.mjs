// SPDX-License-Identifier: EUPL-1.2
// calendar.test.mjs - a person's calendar feed of the reporting deadlines
// (issue 20): the address created, shown once, replaced and revoked; the
// feed as iCalendar, parsed by a real iCalendar library (Debian's
// python3-icalendar), one event per report still owed at its due time;
// the person's TLP limit and language; nothing of an incident but its
// reference; never the address in the log; audited.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { api, startDaemon } from './lib/daemon.mjs';
import { createIncident, createToken, iso } from './lib/incidents.mjs';
import { browser, session } from './lib/session.mjs';

const HOUR = 3600e3;
const PYTHON = '/usr/bin/python3'; // Debian's, with python3-icalendar

/** The feed parsed by icalendar: {calendar: {...}, events: [{uid, start, summary, description, alarms}]}. */
function parseIcs(text) {
    const script = `
import sys, json, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.read())
events = []
for e in cal.walk('VEVENT'):
    events.append({
        'uid': str(e['UID']),
        'start': e.decoded('DTSTART').isoformat(),
        'stamp': e.decoded('DTSTAMP').isoformat(),
        'summary': str(e['SUMMARY']),
        'description': str(e['DESCRIPTION']),
        'alarms': [str(a['TRIGGER'].to_ical(), 'ascii') for a in e.walk('VALARM')],
    })
print(json.dumps({'name': str(cal.get('X-WR-CALNAME')), 'version': str(cal['VERSION']),
                  'prodid': str(cal['PRODID']), 'events': events}))
`;
    const r = spawnSync(PYTHON, ['-c', script], { input: text, encoding: 'utf8' });
    assert.equal(r.status, 0, `icalendar could not read the feed: ${r.stderr}\n${text}`);
    return JSON.parse(r.stdout);
}

async function feed(d, path, query = '') {
    const res = await fetch(`${d.url}${path}${query}`);
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

describe('calendar feed', () => {
    let d, analyst, alice, bob, amber, red;
    before(async () => {
        d = await startDaemon();
        analyst = createToken(d, 'cal-analyst', 'analyst');
        const org = await api(d.url, d.adminToken, 'GET', '/api/v1/organisation');
        const body = { ...org.json, name: 'Waterbedrijf', sector: 'drinking_water', nis2_class: 'essential', annual_turnover_eur: 2e7 };
        delete body.version;
        delete body.updated_at;
        assert.equal((await api(d.url, d.adminToken, 'PUT', '/api/v1/organisation', body)).status, 200);
        const impact = { persons_health_damaged: 3, suspected_malicious: true, cross_border: false };
        amber = await createIncident(d, analyst, {
            title: 'Amber dosing fault',
            tlp: 'amber',
            aware_at: iso(Date.now() - HOUR),
            impact,
        });
        red = await createIncident(d, analyst, {
            title: 'Secret red sabotage',
            description: 'words that must never reach a calendar',
            tlp: 'red',
            aware_at: iso(Date.now() - 2 * HOUR),
            impact,
        });
        alice = await session(d, 'alice', 'analyst');
        bob = await session(d, 'bob', 'viewer', { tlpMax: 'amber' });
    });
    after(async () => {
        await d.stopClean();
    });

    test('the address: created for a person, shown once, not for an API token', async () => {
        let res = await browser(d, alice, 'GET', '/api/v1/me/calendar');
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.json, { active: false, created_at: null });
        res = await browser(d, alice, 'POST', '/api/v1/me/calendar');
        assert.equal(res.status, 201, res.text);
        assert.match(res.json.path, /^\/api\/v1\/calendar\/cal_[A-Za-z0-9_-]{43}\.ics$/);
        alice.feed = res.json.path;
        res = await browser(d, alice, 'GET', '/api/v1/me/calendar');
        assert.equal(res.json.active, true);
        assert.equal(res.json.path, undefined, 'the address is shown only when created');
        // an API token is no person
        res = await api(d.url, analyst, 'POST', '/api/v1/me/calendar');
        assert.equal(res.status, 403, res.text);
        assert.equal(res.headers.get('content-type'), 'application/problem+json');
        // a browser without the CSRF token cannot make one
        res = await browser(d, alice, 'POST', '/api/v1/me/calendar', undefined, { csrf: false });
        assert.equal(res.status, 403);
    });

    test('one event per report still owed, at its due time, parsed by icalendar', async () => {
        const f = await feed(d, alice.feed);
        assert.equal(f.status, 200, f.text);
        assert.match(f.type, /^text\/calendar/);
        assert.ok(f.text.split('\n').every((l) => l === '' || l.endsWith('\r')), 'CRLF line ends');
        assert.ok(f.text.split('\r\n').every((l) => Buffer.byteLength(l) <= 75), 'lines folded at 75 octets');
        const cal = parseIcs(f.text);
        assert.equal(cal.version, '2.0');
        const owed = (await api(d.url, analyst, 'GET', '/api/v1/deadlines')).json.items;
        assert.ok(owed.length >= 2, JSON.stringify(owed));
        assert.deepEqual(cal.events.map((e) => e.uid).sort(), owed.map((o) => `${o.id}@meldpunt`).sort());
        for (const o of owed) {
            const e = cal.events.find((x) => x.uid === `${o.id}@meldpunt`);
            if (o.due_at) assert.equal(Date.parse(e.start), Date.parse(o.due_at), `${o.stage}: ${e.start} vs ${o.due_at}`);
            assert.ok(e.summary.includes(o.incident_ref), e.summary);
            if (o.status === 'pending' && o.due_at) assert.deepEqual(e.alarms, ['-PT1H']);
        }
        // words, never keys
        for (const e of cal.events) assert.doesNotMatch(`${e.summary}\n${e.description}`, /\b[a-z]+_[a-z_]+\b/, e.summary);
        // nothing of an incident but its reference: no titles, no descriptions, no keys
        assert.ok(!f.text.includes('Secret red sabotage') && !f.text.includes('never reach'), f.text);
        assert.ok(!f.text.includes('Amber dosing fault'));
        const early = cal.events.find((e) => e.summary.includes(red.ref) && /Early warning/.test(e.summary));
        assert.ok(early, JSON.stringify(cal.events.map((e) => e.summary)));
        assert.match(early.summary, /Early warning to /);
        assert.ok(!/early_warning|csirt\b/.test(early.summary), early.summary);
    });

    test('in the person\u2019s language, or lang', async () => {
        let cal = parseIcs((await feed(d, alice.feed, '?lang=nl')).text);
        assert.equal(cal.name, 'meldpunt: meldtermijnen');
        assert.ok(cal.events.some((e) => /^Vroegtijdige waarschuwing aan /.test(e.summary)), JSON.stringify(cal.events));
        const res = await browser(d, alice, 'PATCH', '/api/v1/session', { language: 'nl' });
        assert.ok(res.status < 300, res.text);
        cal = parseIcs((await feed(d, alice.feed)).text);
        assert.equal(cal.name, 'meldpunt: meldtermijnen');
        assert.equal((await feed(d, alice.feed, '?lang=fr')).status, 400);
    });

    test('the feed respects the person\u2019s TLP limit', async () => {
        const res = await browser(d, bob, 'POST', '/api/v1/me/calendar');
        assert.equal(res.status, 201, res.text);
        const cal = parseIcs((await feed(d, res.json.path)).text);
        assert.ok(cal.events.length > 0);
        assert.ok(cal.events.every((e) => e.summary.includes(amber.ref)), JSON.stringify(cal.events));
        assert.ok(!cal.events.some((e) => e.summary.includes(red.ref)));
    });

    test('a waived report leaves the feed', async () => {
        const manager = createToken(d, 'cal-manager', 'manager');
        const owed = (await api(d.url, analyst, 'GET', `/api/v1/incidents/${amber.id}/obligations`)).json.items;
        const one = owed.find((o) => o.status === 'pending');
        const res = await api(d.url, manager, 'POST', `/api/v1/incidents/${amber.id}/obligations/${one.id}/waive`, {
            reason: 'Reported by phone to the CSIRT; recorded elsewhere',
        });
        assert.equal(res.status, 200, res.text);
        const cal = parseIcs((await feed(d, alice.feed)).text);
        assert.ok(!cal.events.some((e) => e.uid === `${one.id}@meldpunt`));
    });

    test('a new address replaces the old; revoking ends it; a disabled person has none', async () => {
        const old = alice.feed;
        let res = await browser(d, alice, 'POST', '/api/v1/me/calendar');
        assert.equal(res.status, 201);
        alice.feed = res.json.path;
        assert.notEqual(alice.feed, old);
        assert.equal((await feed(d, old)).status, 404);
        assert.equal((await feed(d, alice.feed)).status, 200);
        // a made-up or malformed address is simply not a feed
        assert.equal((await feed(d, `/api/v1/calendar/cal_${'A'.repeat(43)}.ics`)).status, 404);
        assert.equal((await feed(d, '/api/v1/calendar/x.ics')).status, 404);
        assert.equal((await feed(d, alice.feed.replace('.ics', ''))).status, 404);

        res = await browser(d, alice, 'DELETE', '/api/v1/me/calendar');
        assert.equal(res.status, 204, res.text);
        assert.equal((await feed(d, alice.feed)).status, 404);
        res = await browser(d, alice, 'DELETE', '/api/v1/me/calendar');
        assert.equal(res.status, 404);

        res = await browser(d, bob, 'GET', '/api/v1/me/calendar');
        assert.equal(res.json.active, true);
        res = await browser(d, bob, 'POST', '/api/v1/me/calendar');
        const bobs = res.json.path;
        assert.equal((await feed(d, bobs)).status, 200);
        res = await api(d.url, d.adminToken, 'PATCH', '/api/v1/users/bob', { disabled: true });
        assert.equal(res.status, 200, res.text);
        assert.equal((await feed(d, bobs)).status, 404);
    });

    test('the address never reaches the log; creating and revoking are audited', async () => {
        const log = d.stderr();
        assert.ok(log.includes('/api/v1/calendar/(secret).ics'), 'the feed requests are logged, redacted');
        assert.ok(!/cal_[A-Za-z0-9_-]{43}/.test(log), 'no feed token in the log');
        const audit = await api(d.url, d.adminToken, 'GET', '/api/v1/audit?limit=500');
        const actions = audit.json.items.map((e) => e.action);
        assert.ok(actions.includes('calendar.create') && actions.includes('calendar.revoke'), actions.join(' '));
    });
});
