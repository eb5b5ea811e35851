// SPDX-License-Identifier: EUPL-1.2
// reminders_crash.test.mjs - the send loop killed in the middle of a batch
// (issue 20): the loop claims a batch of jobs in one durable change before
// it sends, and records what came of them in one change after.  Killed
// (SIGKILL) while a webhook is on its way, the daemon starts again and
// finds the job claimed with nothing recorded: it is not sent again in its
// step, the delivery log says it was interrupted, and the next step goes
// out at once (escalation), so the ladder is not lost either.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { api, sleep, startDaemon } from './lib/daemon.mjs';
import { BASE, createIncident, createToken } from './lib/incidents.mjs';

const T0 = '2031-03-14T09:00:00Z';
const HOOK_SECRET = 'hook secret for the crash test';
const templates = JSON.parse(fs.readFileSync(new URL('../../config/reminders.json', import.meta.url))).templates;

/** A webhook receiver that leaves the first POST unanswered (held) and answers the others 200. */
async function holdingReceiver() {
    const posts = [];
    const held = [];
    const srv = http.createServer((req, res) => {
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (c) => (body += c));
        req.on('end', () => {
            posts.push(JSON.parse(body));
            if (posts.length === 1) held.push(res);
            else res.writeHead(200).end();
        });
    });
    await new Promise((r) => srv.listen(0, '127.0.0.1', r));
    return {
        port: srv.address().port,
        posts,
        stop: () => {
            held.forEach((r) => r.destroy());
            return new Promise((r) => srv.close(r));
        },
    };
}

describe('reminders: the send loop killed in the middle of a batch', () => {
    let d, hook;
    const config = '[reminders]\nsend_interval = 3600\n';

    before(async () => {
        hook = await holdingReceiver();
        d = await startDaemon({ config });
        const dir = path.join(d.dataDir, 'secrets');
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        fs.writeFileSync(path.join(dir, 'hook-hmac'), `${HOOK_SECRET}\n`, { mode: 0o600 });
        await d.setClock({ now: T0 });
        const cur = await api(d.url, d.adminToken, 'GET', '/api/v1/organisation');
        const org = { ...cur.json, sector: 'drinking_water', nis2_class: 'essential', annual_turnover_eur: 2e7 };
        delete org.version;
        delete org.updated_at;
        assert.equal((await api(d.url, d.adminToken, 'PUT', '/api/v1/organisation', org)).status, 200);
        const r = await api(d.url, d.adminToken, 'PUT', '/api/v1/reminders/policy', {
            version: 'crash',
            allow: ['127.0.0.1'],
            channels: { hook: { type: 'webhook', url: `http://127.0.0.1:${hook.port}/hook`, secret: 'hook-hmac' } },
            people: { alice: { language: 'en' } },
            ladders: [
                {
                    regime: 'nis2',
                    stage: 'early_warning',
                    steps: [
                        { at: 'awareness', to: ['person:alice'] },
                        { at: '-PT12H', to: ['person:alice'] },
                    ],
                },
            ],
            templates,
        });
        assert.equal(r.status, 200, r.text);
    });
    after(async () => {
        await d?.stopClean();
        await hook?.stop();
    });

    test('killed while sending: not sent again in its step, logged as interrupted, the next step at once', async () => {
        const analyst = createToken(d, 'c-analyst', 'analyst');
        const inc = await createIncident(d, analyst, {
            title: 'Pump station offline',
            aware_at: T0,
            impact: { persons_health_damaged: 3, suspected_malicious: true, cross_border: false },
        });
        // the pass claims step 0 and sends it; the receiver holds the POST
        const pass = d.setClock({ advance: 'PT1S' }).catch(() => 'killed');
        for (let i = 0; hook.posts.length === 0; i++) {
            assert.ok(i < 400, 'the awareness step was sent');
            await sleep(25);
        }
        await d.stop('SIGKILL');
        assert.equal(await pass, 'killed');
        assert.equal(hook.posts.length, 1);
        assert.equal(hook.posts[0].step, 0);

        const admin = d.adminToken;
        d = await startDaemon({ config, dataDir: d.dataDir, init: false });
        d.adminToken = admin;
        const viewer = createToken(d, 'c-viewer', 'viewer');
        await d.setClock({ now: '2031-03-14T09:01:00Z' });
        assert.deepEqual(
            hook.posts.map((p) => p.step),
            [0, 1],
            'step 0 not sent twice; step 1 at once instead of at -12 h',
        );
        const r = await api(d.url, viewer, 'GET', `${BASE}/${inc.id}/reminders`);
        assert.equal(r.status, 200, r.text);
        const ew = r.json.jobs.find((j) => j.step === 0).obligation_id;
        const jobs = Object.fromEntries(r.json.jobs.filter((j) => j.obligation_id === ew).map((j) => [j.step, j]));
        assert.equal(jobs[0].status, 'failed');
        assert.equal(jobs[1].status, 'sent');
        const log = r.json.deliveries.filter((e) => e.obligation_id === ew);
        assert.deepEqual(
            log.map((e) => [e.step, e.channel, e.status]),
            [
                [0, '-', 'failed'],
                [1, 'hook', 'sent'],
            ],
        );
        assert.match(log[0].reason, /interrupted by a restart.*not sent again in this step/);

        // and again: nothing more to send, nothing recovered twice
        await d.setClock({ advance: 'PT1M' });
        assert.equal(hook.posts.length, 2);
    });
});
