// SPDX-License-Identifier: EUPL-1.2
// reminders_delivery.test.mjs - reminders reach people (issue 20): a whole
// ladder from awareness to overdue driven by the test clock, against a real
// SMTP server on loopback (Debian's python3-aiosmtpd, STARTTLS with a
// certificate made here, authentication) and a real HTTP receiver that
// checks the HMAC signature of every webhook; the message in the
// recipient's language and time zone, the title only within the TLP limit;
// nothing sent twice across a restart; re-planned when aware_at is
// corrected; a waiver ends the ladder; the delivery log and the timeline.
// Then what fails: a channel that cannot be reached (dashboard warning and
// metric), nobody to deliver to (escalation at once), retries with backoff,
// a loopback target reached through a name that is not allow-listed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { api, cli, freePort, startDaemon, tempDir } from './lib/daemon.mjs';
import { BASE, createIncident, createToken } from './lib/incidents.mjs';
import { addUser } from './lib/session.mjs';

const T0 = '2031-03-14T09:00:00Z';
const at = (base, seconds) => new Date(Date.parse(base) + seconds * 1000).toISOString().replace('.000Z', 'Z');
const unix = (t) => Date.parse(t) / 1000;
const HOUR = 3600;
const HOOK_SECRET = 'hook secret for the test, 32 bytes or so';
const SMTP_PASSWORD = 'smtp-pass-7';


/** A self-signed certificate for 127.0.0.1 (openssl), in dir. */
function makeCert(dir) {
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    const r = spawnSync(
        'openssl',
        [
            'req',
            '-x509',
            '-newkey',
            'rsa:2048',
            '-nodes',
            '-keyout',
            key,
            '-out',
            cert,
            '-days',
            '3650',
            '-subj',
            '/CN=127.0.0.1',
            '-addext',
            'subjectAltName=IP:127.0.0.1',
        ],
        { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    return { cert, key };
}

/** The SMTP server: {port, mails: [{from, to, data, tls, auth}], stop}. */
async function smtpServer(cert, key) {
    const port = await freePort();
    const script = new URL('./lib/smtp_server.py', import.meta.url).pathname;
    const proc = spawn('/usr/bin/python3', [script, String(port), cert, key, 'meldpunt', SMTP_PASSWORD], {
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    const mails = [];
    let err = '';
    proc.stderr.on('data', (s) => (err += s));
    await new Promise((resolve, reject) => {
        let buf = '';
        const timer = setTimeout(() => reject(new Error(`smtp server did not start: ${err}`)), 15000);
        proc.stdout.on('data', (s) => {
            buf += s;
            let i;
            while ((i = buf.indexOf('\n')) >= 0) {
                const line = buf.slice(0, i);
                buf = buf.slice(i + 1);
                if (line === 'ready') {
                    clearTimeout(timer);
                    resolve();
                } else if (line.startsWith('{')) mails.push(JSON.parse(line));
            }
        });
        proc.on('exit', (code) => reject(new Error(`smtp server exited ${code}: ${err}`)));
    });
    return { port, mails, stop: () => proc.kill('SIGTERM') };
}

/** The webhook receiver: {port, posts: [{valid, body}], stop}; answers 401 to a bad signature. */
async function receiver(secret) {
    const posts = [];
    const srv = http.createServer((req, res) => {
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (c) => (body += c));
        req.on('end', () => {
            const ts = req.headers['x-meldpunt-timestamp'];
            const want = 'sha256=' + crypto.createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex');
            const valid = req.headers['x-meldpunt-signature'] === want;
            posts.push({ valid, ts, body: JSON.parse(body), raw: body });
            res.writeHead(valid ? 200 : 401).end();
        });
    });
    await new Promise((r) => srv.listen(0, '127.0.0.1', r));
    return { port: srv.address().port, posts, stop: () => new Promise((r) => srv.close(r)) };
}

async function setProfile(d) {
    const cur = await api(d.url, d.adminToken, 'GET', '/api/v1/organisation');
    const body = {
        ...cur.json,
        name: 'Waterbedrijf',
        sector: 'drinking_water',
        nis2_class: 'essential',
        annual_turnover_eur: 2e7,
    };
    delete body.version;
    delete body.updated_at;
    assert.equal((await api(d.url, d.adminToken, 'PUT', '/api/v1/organisation', body)).status, 200);
}

function writeSecret(d, name, value) {
    const dir = path.join(d.dataDir, 'secrets');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(dir, name), `${value}\n`, { mode: 0o600 });
}

const templates = JSON.parse(fs.readFileSync(new URL('../../config/reminders.json', import.meta.url))).templates;

async function putPolicy(d, policy) {
    const r = await api(d.url, d.adminToken, 'PUT', '/api/v1/reminders/policy', policy);
    assert.equal(r.status, 200, r.text);
}

async function reminders(d, token, id) {
    const r = await api(d.url, token, 'GET', `${BASE}/${id}/reminders`);
    assert.equal(r.status, 200, r.text);
    return r.json;
}

describe('reminders: a whole ladder by e-mail and webhook', () => {
    let d, smtp, hook, analyst, manager, viewer, inc, ew;
    const dir = tempDir();
    const { cert, key } = makeCert(dir);
    const ewPosts = () => hook.posts.filter((p) => p.body.obligation?.stage === 'early_warning');

    before(async () => {
        smtp = await smtpServer(cert, key);
        hook = await receiver(HOOK_SECRET);
        d = await startDaemon({ config: `[reminders]\nca_file = ${cert}\nsend_interval = 3600\n` });
        writeSecret(d, 'hook-hmac', HOOK_SECRET);
        writeSecret(d, 'smtp-password', SMTP_PASSWORD);
        analyst = createToken(d, 'r-analyst', 'analyst');
        manager = createToken(d, 'r-manager', 'manager');
        viewer = createToken(d, 'r-viewer', 'viewer');
        addUser(d, 'alice', 'analyst');
        addUser(d, 'boss', 'manager');
        await d.setClock({ now: T0 });
        await setProfile(d);
        await putPolicy(d, {
            version: 'e2e',
            link_base: 'https://meldpunt.example.org',
            allow: ['127.0.0.1'],
            channels: {
                hook: { type: 'webhook', url: `http://127.0.0.1:${hook.port}/hook`, secret: 'hook-hmac' },
                mail: {
                    type: 'smtp',
                    url: `smtp://127.0.0.1:${smtp.port}`,
                    starttls: true,
                    from: 'meldpunt@example.org',
                    username: 'meldpunt',
                    secret: 'smtp-password',
                },
            },
            people: {
                alice: { email: 'alice@example.org', language: 'nl', time_zone: 'Europe/Amsterdam', tlp_max: 'amber' },
                boss: { email: 'boss@example.org', language: 'en', time_zone: 'UTC', tlp_max: 'green' },
            },
            on_duty: [],
            ladders: [
                {
                    regime: 'nis2',
                    stage: 'early_warning',
                    steps: [
                        { at: 'awareness', to: ['assignee'] },
                        { at: '-PT12H', to: ['assignee'] },
                        { at: '-PT4H', to: ['assignee'] },
                        { at: '-PT1H', to: ['assignee', 'managers'] },
                        { at: 'due', to: ['assignee', 'managers'] },
                        { at: 'PT1H', repeat: 'PT1H', to: ['managers'] },
                    ],
                },
                { regime: 'nis2', stage: 'notification', steps: [{ at: '-PT12H', to: ['assignee'] }] },
            ],
            templates,
        });
    });
    after(async () => {
        await d?.stopClean();
        smtp?.stop();
        await hook?.stop();
    });

    test('at awareness: the assignee by e-mail (STARTTLS, authenticated, in Dutch, Amsterdam time) and the room by a signed webhook', async () => {
        inc = await createIncident(d, analyst, {
            title: 'Chlorine dosing sabotage',
            tlp: 'amber',
            aware_at: T0,
            assignee: 'alice',
            impact: { persons_health_damaged: 3, suspected_malicious: true, cross_border: false },
        });
        const obl = await api(d.url, viewer, 'GET', `${BASE}/${inc.id}/obligations`);
        ew = obl.json.items.find((o) => o.regime === 'nis2' && o.stage === 'early_warning');
        assert.equal(ew.due_at, at(T0, 24 * HOUR));
        const planned = (await reminders(d, viewer, inc.id)).jobs.filter((j) => j.obligation_id === ew.id);
        assert.deepEqual(
            planned.map((j) => [j.step, j.fire_at, j.status]),
            [
                [0, unix(T0), 'planned'],
                [1, unix(T0) + 12 * HOUR, 'planned'],
                [2, unix(T0) + 20 * HOUR, 'planned'],
                [3, unix(T0) + 23 * HOUR, 'planned'],
                [4, unix(T0) + 24 * HOUR, 'planned'],
                [5, unix(T0) + 25 * HOUR, 'planned'],
            ],
        );

        await d.setClock({ advance: 'PT1S' });
        assert.equal(smtp.mails.length, 1, JSON.stringify(smtp.mails));
        const m = smtp.mails[0];
        assert.deepEqual(m.to, ['alice@example.org']);
        assert.equal(m.from, 'meldpunt@example.org');
        assert.ok(m.tls, 'STARTTLS was used');
        assert.ok(m.auth, 'the client authenticated');
        assert.match(m.data, new RegExp(`Subject: .*${inc.ref}`));
        assert.match(m.data, /uiterlijk/, 'in Dutch');
        assert.match(m.data, /2031-03-15 10:00 CET/, 'the due time in Amsterdam time');
        assert.match(m.data, /Chlorine dosing sabotage/, 'amber within her amber limit: the title');
        assert.match(m.data, new RegExp(`https://meldpunt\\.example\\.org/#/incidents/${inc.ref}`));
        assert.match(m.data, /nog 23 u 59 min/);

        assert.equal(ewPosts().length, 1);
        const p = ewPosts()[0];
        assert.ok(p.valid, 'the HMAC signature checks out');
        assert.equal(p.body.event, 'reminder');
        assert.equal(p.body.incident.reference, inc.ref);
        assert.equal(p.body.step, 0);
        assert.deepEqual(p.body.recipients, ['alice']);
        assert.ok(!p.raw.includes('Chlorine'), 'a shared room sees no amber title');
    });

    test('a restart in the middle of the ladder: nothing lost, nothing sent twice', async () => {
        await d.setClock({ now: at(T0, 12 * HOUR) });
        assert.equal(ewPosts().length, 2);
        assert.equal(ewPosts()[1].body.step, 1);
        assert.equal(smtp.mails.length, 2);
        await d.restart();
        await d.setClock({ now: at(T0, 12 * HOUR) });
        await d.setClock({ advance: 'PT1M' });
        assert.equal(ewPosts().length, 2, 'step 1 was not sent again');
        assert.equal(smtp.mails.length, 2);
    });

    test('aware_at corrected: the steps not yet sent move with the due time', async () => {
        const r = await api(d.url, analyst, 'PATCH', `${BASE}/${inc.id}`, { aware_at: at(T0, -2 * HOUR) });
        assert.equal(r.status, 200, r.text);
        const jobs = (await reminders(d, viewer, inc.id)).jobs.filter((j) => j.obligation_id === ew.id);
        const byStep = Object.fromEntries(jobs.map((j) => [j.step, j]));
        assert.equal(byStep[1].status, 'sent');
        assert.equal(byStep[1].fire_at, unix(T0) + 12 * HOUR, 'what was sent stays as it was');
        assert.equal(byStep[2].fire_at, unix(T0) + 18 * HOUR);
        assert.equal(byStep[4].fire_at, unix(T0) + 22 * HOUR);
    });

    test('up to the due time and past it, every hour while overdue; managers by e-mail in English', async () => {
        await d.setClock({ now: at(T0, 18 * HOUR) });
        await d.setClock({ now: at(T0, 21 * HOUR) });
        await d.setClock({ now: at(T0, 22 * HOUR) });
        await d.setClock({ now: at(T0, 23 * HOUR) });
        await d.setClock({ now: at(T0, 24 * HOUR) });
        const steps = ewPosts().map((p) => `${p.body.step}.${p.body.round}`);
        assert.deepEqual(steps, ['0.0', '1.0', '2.0', '3.0', '4.0', '5.0', '5.1']);
        assert.ok(ewPosts().every((p) => p.valid));
        const toBoss = smtp.mails.filter((m) => m.to[0] === 'boss@example.org');
        assert.equal(toBoss.length, 4, 'steps 3, 4 and two overdue rounds');
        assert.match(toBoss[0].data, /due 2031-03-15 07:00 UTC/);
        assert.ok(!toBoss[0].data.includes('Chlorine'), 'amber above his green limit: no title');
        assert.match(toBoss.at(-1).data, /overdue/);
        assert.ok(toBoss.every((m) => m.tls && m.auth));
    });

    test('acknowledged from the link: once, signed, short-lived; the step stops repeating', async () => {
        const link = (m) =>
            /(?:Acknowledge|Bevestigen): https:\/\/meldpunt\.example\.org\/#\/ack\/([A-Za-z0-9_-]+)/.exec(
                m.data.replace(/=\r?\n/g, ''),
            )?.[1];
        const toBoss = smtp.mails.filter((m) => m.to[0] === 'boss@example.org');
        const token = link(toBoss.at(-1));
        assert.ok(token, toBoss.at(-1).data);
        // a token changed by one character, or made up: not ours
        const bad = token.slice(0, -2) + (token.at(-2) === 'A' ? 'B' : 'A') + token.at(-1);
        let r = await api(d.url, null, 'POST', '/api/v1/reminders/ack', { token: bad });
        assert.equal(r.status, 404, r.text);
        r = await api(d.url, null, 'POST', '/api/v1/reminders/ack', { token: 'bm9wZQ' });
        assert.equal(r.status, 404, r.text);
        r = await api(d.url, null, 'POST', '/api/v1/reminders/ack', {});
        assert.equal(r.status, 422, r.text);
        assert.equal(r.json.errors[0].field, 'token');
        r = await api(d.url, null, 'POST', '/api/v1/reminders/ack', { token });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.by, 'boss');
        assert.equal(r.json.step, 5);
        r = await api(d.url, null, 'POST', '/api/v1/reminders/ack', { token });
        assert.equal(r.status, 409, 'single use');
        const before = ewPosts().length;
        await d.setClock({ advance: 'PT1H' });
        assert.equal(ewPosts().length, before, 'the overdue step stopped repeating');
        // the first link, sent at awareness, is older than a day: expired
        const first = link(smtp.mails[0]);
        r = await api(d.url, null, 'POST', '/api/v1/reminders/ack', { token: first });
        assert.equal(r.status, 410, r.text);
    });

    test('acknowledged from the incident page by someone who works incidents', async () => {
        const job = (await reminders(d, viewer, inc.id)).jobs.find((j) => j.obligation_id === ew.id && j.step === 4);
        let r = await api(d.url, viewer, 'POST', `${BASE}/${inc.id}/reminders/${job.id}/ack`);
        assert.equal(r.status, 403);
        r = await api(d.url, analyst, 'POST', `${BASE}/${inc.id}/reminders/${job.id}/ack`);
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.by, 'token:r-analyst');
        r = await api(d.url, analyst, 'POST', `${BASE}/${inc.id}/reminders/${job.id}/ack`);
        assert.equal(r.status, 409);
        r = await api(d.url, analyst, 'POST', `${BASE}/${inc.id}/reminders/999999/ack`);
        assert.equal(r.status, 404);
        const log = (await reminders(d, viewer, inc.id)).deliveries.filter((e) => e.status === 'acknowledged');
        assert.deepEqual(
            log.map((e) => [e.channel, e.recipient, e.step]),
            [
                ['link', 'boss', 5],
                ['web', 'token:r-analyst', 4],
            ],
        );
        const audit = await api(d.url, d.adminToken, 'GET', '/api/v1/audit?limit=500');
        assert.equal(audit.json.items.filter((e) => e.action === 'reminder.acknowledge').length, 2);
    });

    test('the delivery log and the timeline say what went out', async () => {
        const log = (await reminders(d, viewer, inc.id)).deliveries.filter((e) => e.obligation_id === ew.id);
        const sent = log.filter((e) => e.status === 'sent');
        assert.equal(sent.length, 7 + smtp.mails.length);
        assert.ok(sent.some((e) => e.channel === 'mail' && e.recipient === 'alice'));
        assert.ok(sent.some((e) => e.channel === 'hook' && e.recipient === 'channel'));
        const tl = await api(d.url, viewer, 'GET', `${BASE}/${inc.id}/timeline`);
        const notes = tl.json.items.filter((e) => e.field === 'reminder').map((e) => e.note);
        assert.ok(
            notes.some((n) => /^reminder sent: nis2 early_warning, step 1, alice via mail$/.test(n)),
            notes.join('\n'),
        );
    });

    test('test messages from Settings: each channel, signed; bad input refused naming the field', async () => {
        let r = await api(d.url, d.adminToken, 'POST', '/api/v1/reminders/test', { channel: 'hook' });
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json, { channel: 'hook', status: 'sent' });
        const t = hook.posts.at(-1);
        assert.ok(t.valid);
        assert.equal(t.body.event, 'test');
        const mails = smtp.mails.length;
        r = await api(d.url, d.adminToken, 'POST', '/api/v1/reminders/test', { channel: 'mail', to: 'alice' });
        assert.equal(r.json.status, 'sent', r.text);
        assert.equal(smtp.mails.length, mails + 1);
        assert.match(smtp.mails.at(-1).data, /Subject: meldpunt: testbericht/);
        r = await api(d.url, d.adminToken, 'POST', '/api/v1/reminders/test', { channel: 'pager' });
        assert.equal(r.status, 422);
        assert.equal(r.json.errors[0].field, 'channel');
        r = await api(d.url, d.adminToken, 'POST', '/api/v1/reminders/test', { channel: 'mail', to: 'nobody' });
        assert.equal(r.status, 422);
        assert.equal(r.json.errors[0].field, 'to');
        r = await api(d.url, analyst, 'POST', '/api/v1/reminders/test', { channel: 'hook' });
        assert.equal(r.status, 403);
    });

    test('waiving the report ends its ladder', async () => {
        const obl = await api(d.url, viewer, 'GET', `${BASE}/${inc.id}/obligations`);
        const n = obl.json.items.find((o) => o.regime === 'nis2' && o.stage === 'notification');
        let jobs = (await reminders(d, viewer, inc.id)).jobs.filter((j) => j.obligation_id === n.id);
        assert.deepEqual(
            jobs.map((j) => j.status),
            ['planned'],
        );
        const w = await api(d.url, manager, 'POST', `${BASE}/${inc.id}/obligations/${n.id}/waive`, {
            reason: 'reported by phone to the CSIRT',
        });
        assert.equal(w.status, 200, w.text);
        await d.setClock({ now: at(n.due_at, -11 * HOUR) });
        assert.ok(
            !hook.posts.some((p) => p.body.obligation?.stage === 'notification'),
            'nothing sent for a waived report',
        );
        jobs = (await reminders(d, viewer, inc.id)).jobs.filter((j) => j.obligation_id === n.id);
        assert.deepEqual(
            jobs.map((j) => j.status),
            ['cancelled'],
        );
    });
});

describe('reminders: failing channels and escalation', () => {
    let d, smtp, analyst, viewer;
    const dir = tempDir();
    const { cert, key } = makeCert(dir);

    before(async () => {
        smtp = await smtpServer(cert, key);
        d = await startDaemon({ config: `[reminders]\nca_file = ${cert}\nsend_interval = 3600\n` });
        writeSecret(d, 'hook-hmac', HOOK_SECRET);
        writeSecret(d, 'smtp-password', SMTP_PASSWORD);
        analyst = createToken(d, 'f-analyst', 'analyst');
        viewer = createToken(d, 'f-viewer', 'viewer');
        await d.setClock({ now: T0 });
        await setProfile(d);
    });
    after(async () => {
        await d?.stopClean();
        smtp?.stop();
    });

    test('nobody to deliver to: the step fails and the next one is due at once', async () => {
        const dead = await freePort(); // nothing listens there
        await putPolicy(d, {
            version: 'fail',
            allow: ['127.0.0.1'],
            channels: {
                dead: { type: 'slack', url: `http://127.0.0.1:${dead}/hook`, secret: 'hook-hmac' },
                named: { type: 'teams', url: `http://127.0.0.1:${dead}/hook`, secret: 'hook-hmac' },
                mail: {
                    type: 'smtp',
                    url: `smtp://127.0.0.1:${smtp.port}`,
                    starttls: true,
                    from: 'meldpunt@example.org',
                    username: 'meldpunt',
                    secret: 'smtp-password',
                },
            },
            people: { nomail: { language: 'en' }, bob: { email: 'bob@example.org' } },
            ladders: [
                {
                    regime: 'nis2',
                    stage: 'early_warning',
                    steps: [
                        { at: 'awareness', to: ['person:nomail'], channels: ['mail'] },
                        { at: '-PT12H', to: ['person:bob'], channels: ['dead', 'mail'] },
                        { at: '-PT4H', to: ['person:bob'], channels: ['dead'] },
                        { at: '-PT1H', to: ['person:bob'], channels: ['named'] },
                    ],
                },
            ],
            templates,
        });
        const inc = await createIncident(d, analyst, {
            title: 'Pump station offline',
            aware_at: T0,
            impact: { persons_health_damaged: 3, suspected_malicious: true, cross_border: false },
        });
        await d.setClock({ advance: 'PT1S' });
        let r = await reminders(d, viewer, inc.id);
        const ewId = r.jobs.find((j) => j.step === 0).obligation_id;
        let jobs = r.jobs.filter((j) => j.obligation_id === ewId);
        assert.equal(jobs[0].status, 'failed');
        assert.ok(r.deliveries.some((e) => e.status === 'failed' && /nobody to deliver to/.test(e.reason)));
        const step1 = jobs.find((j) => j.step === 1);
        assert.equal(step1.fire_at, unix(T0) + 1, 'escalated: the next step is due at once');

        // the next step: e-mail gets through, the dead webhook fails (warning, metric)
        await d.setClock({ advance: 'PT1S' });
        assert.equal(smtp.mails.length, 1);
        assert.deepEqual(smtp.mails[0].to, ['bob@example.org']);
        r = await reminders(d, viewer, inc.id);
        assert.equal(r.jobs.find((j) => j.obligation_id === ewId && j.step === 1).status, 'sent');
        const failed = r.deliveries.find((e) => e.channel === 'dead' && e.status === 'failed');
        assert.ok(failed && /connect|refused/i.test(failed.reason), JSON.stringify(r.deliveries));
        const st = await api(d.url, viewer, 'GET', '/api/v1/reminders/status');
        assert.equal(st.status, 200);
        assert.ok(st.json.failing.dead, JSON.stringify(st.json));
        assert.ok(st.json.failures_total >= 1);
        const metrics = await api(d.url, d.adminToken, 'GET', '/metrics');
        assert.match(metrics.text, /meldpunt_reminder_delivery_failures_total [1-9]/);
        assert.match(metrics.text, /meldpunt_reminder_channels_failing 1/);

        // a step whose only channel fails: retried with backoff, then escalated
        await d.setClock({ now: at(T0, 20 * HOUR) });
        const step2 = () =>
            reminders(d, viewer, inc.id).then((x) => x.jobs.find((j) => j.obligation_id === ewId && j.step === 2));
        assert.equal((await step2()).attempts, 1);
        assert.equal((await step2()).status, 'planned');
        await d.setClock({ advance: 'PT30S' });
        assert.equal((await step2()).attempts, 1, 'not before the backoff');
        await d.setClock({ advance: 'PT1M' });
        assert.equal((await step2()).attempts, 2);
        await d.setClock({ advance: 'PT2M' });
        await d.setClock({ advance: 'PT4M' });
        jobs = (await reminders(d, viewer, inc.id)).jobs.filter((j) => j.obligation_id === ewId);
        assert.equal(jobs.find((j) => j.step === 2).status, 'failed');
        assert.equal(jobs.find((j) => j.step === 2).attempts, 4);
        // the last step was moved up to now; its target is a name on the allow list that
        // resolves to loopback, an address not on it: refused before any connection
        await putPolicy(d, {
            version: 'named only',
            allow: ['localhost'],
            channels: { named: { type: 'teams', url: `http://localhost:${dead}/hook`, secret: 'hook-hmac' } },
            people: { bob: { email: 'bob@example.org' } },
            ladders: [
                {
                    regime: 'nis2',
                    stage: 'early_warning',
                    steps: [0, 1, 2, 3].map((k) => ({ at: k ? `-PT${16 - 4 * k}H` : 'awareness', to: ['person:bob'] })),
                },
            ],
            templates,
        });
        await d.setClock({ advance: 'PT1S' });
        r = await reminders(d, viewer, inc.id);
        const named = r.deliveries.find((e) => e.channel === 'named');
        assert.ok(named && /loopback, link-local or private/.test(named.reason), JSON.stringify(r.deliveries));
    });
});

describe('reminders: a new policy mid-ladder plans the open reports again', () => {
    let d, hook, analyst, viewer, inc, ewId;
    const ladder = (...steps) => [
        { regime: 'nis2', stage: 'early_warning', steps: steps.map((a) => ({ at: a, to: ['person:alice'] })) },
    ];
    const policy = (version, ladders) => ({
        version,
        allow: ['127.0.0.1'],
        channels: { hook: { type: 'webhook', url: `http://127.0.0.1:${hook.port}/hook`, secret: 'hook-hmac' } },
        people: { alice: { language: 'en' } },
        ladders,
        templates,
    });
    const steps = () => hook.posts.map((p) => `${p.body.step}.${p.body.round}`);
    const jobs = async () =>
        (await reminders(d, viewer, inc.id)).jobs
            .filter((j) => j.obligation_id === ewId)
            .sort((a, b) => a.step - b.step || a.round - b.round)
            .map((j) => [j.step, j.fire_at - unix(T0), j.status]);

    before(async () => {
        hook = await receiver(HOOK_SECRET);
        d = await startDaemon({ config: '[reminders]\nsend_interval = 3600\n' });
        writeSecret(d, 'hook-hmac', HOOK_SECRET);
        analyst = createToken(d, 'p-analyst', 'analyst');
        viewer = createToken(d, 'p-viewer', 'viewer');
        await d.setClock({ now: T0 });
        await setProfile(d);
        await putPolicy(d, policy('first', ladder('awareness', '-PT12H', '-PT4H', 'due')));
        inc = await createIncident(d, analyst, {
            title: 'Telemetry link cut',
            aware_at: T0,
            impact: { persons_health_damaged: 3, suspected_malicious: true, cross_border: false },
        });
        const obl = await api(d.url, viewer, 'GET', `${BASE}/${inc.id}/obligations`);
        ewId = obl.json.items.find((o) => o.regime === 'nis2' && o.stage === 'early_warning').id;
    });
    after(async () => {
        await d?.stopClean();
        await hook?.stop();
    });

    test('the steps not yet sent take the new times; new steps are planned; what was sent stays', async () => {
        await d.setClock({ advance: 'PT1S' });
        await d.setClock({ now: at(T0, 12 * HOUR) });
        assert.deepEqual(steps(), ['0.0', '1.0']);
        assert.deepEqual(await jobs(), [
            [0, 0, 'sent'],
            [1, 12 * HOUR, 'sent'],
            [2, 20 * HOUR, 'planned'],
            [3, 24 * HOUR, 'planned'],
        ]);
        // no change to the incident: the PUT alone plans it again
        await putPolicy(d, policy('second', ladder('awareness', '-PT10H', '-PT6H', '-PT2H', 'due', 'PT1H')));
        const second = [
            [0, 0, 'sent'],
            [1, 12 * HOUR, 'sent'],
            [2, 18 * HOUR, 'planned'],
            [3, 22 * HOUR, 'planned'],
            [4, 24 * HOUR, 'planned'],
            [5, 25 * HOUR, 'planned'],
        ];
        assert.deepEqual(await jobs(), second);
        await putPolicy(d, policy('second again', ladder('awareness', '-PT10H', '-PT6H', '-PT2H', 'due', 'PT1H')));
        assert.deepEqual(await jobs(), second, 'planning again changes nothing');
        // step 1 of the new ladder (-PT10H, 14 h) was sent as the old step 1: not again
        await d.setClock({ now: at(T0, 14 * HOUR) });
        assert.deepEqual(steps(), ['0.0', '1.0']);
    });

    test('the later steps follow the new ladder, each sent once', async () => {
        await d.setClock({ now: at(T0, 18 * HOUR) });
        assert.deepEqual(steps(), ['0.0', '1.0', '2.0']);
        await d.setClock({ now: at(T0, 20 * HOUR) });
        assert.deepEqual(steps(), ['0.0', '1.0', '2.0'], 'nothing at the old -PT4H');
        await d.setClock({ now: at(T0, 22 * HOUR) });
        await d.setClock({ now: at(T0, 24 * HOUR) });
        assert.deepEqual(steps(), ['0.0', '1.0', '2.0', '3.0', '4.0']);
        assert.ok(hook.posts.every((p) => p.valid));
    });

    test('a step the new ladder drops is cancelled and never sent', async () => {
        await putPolicy(d, policy('third', ladder('awareness', '-PT10H', '-PT6H', '-PT2H', 'due')));
        assert.deepEqual((await jobs()).at(-1), [5, 25 * HOUR, 'cancelled']);
        await d.setClock({ now: at(T0, 26 * HOUR) });
        assert.deepEqual(steps(), ['0.0', '1.0', '2.0', '3.0', '4.0']);
    });

    test('incidents imported beside the server are planned at its next start, and reminded', async () => {
        const file = path.join(tempDir(), 'import.jsonl');
        // the import checks times against the real clock, not the test clock
        const aware = new Date(Math.floor(Date.now() / 1000 - HOUR) * 1000).toISOString().replace('.000Z', 'Z');
        fs.writeFileSync(
            file,
            JSON.stringify({
                title: 'Imported dosing fault',
                detected_at: aware,
                aware_at: aware,
                impact: { persons_health_damaged: 3, suspected_malicious: true, cross_border: false },
            }) + '\n',
        );
        const r = cli(['import', file], { dataDir: d.dataDir });
        assert.equal(r.code, 0, r.stderr);
        const list = await api(d.url, viewer, 'GET', `${BASE}?q=Imported&limit=5`);
        const imported = list.json.items.find((i) => i.title === 'Imported dosing fault');
        assert.ok(imported, list.text);
        assert.deepEqual((await reminders(d, viewer, imported.id)).jobs, [], 'an import plans nothing itself');
        await d.restart();
        await d.setClock({ now: at(aware, HOUR + 60) });
        const jobs = (await reminders(d, viewer, imported.id)).jobs.sort((a, b) => a.step - b.step);
        assert.deepEqual(
            jobs.map((j) => [j.step, j.status]),
            [
                [0, 'sent'],
                [1, 'planned'],
                [2, 'planned'],
                [3, 'planned'],
                [4, 'planned'],
            ],
        );
        assert.equal(jobs[4].fire_at, unix(aware) + 24 * HOUR);
        assert.ok(hook.posts.some((p) => p.body.incident.reference === imported.ref && p.body.step === 0));
    });
});
