// SPDX-License-Identifier: EUPL-1.2
// reminders.test.mjs - the reminders in a real browser (issue 20): the
// dashboard warns while a channel fails; the incident page lists each step
// and the delivery log with the reason of a failure, and an analyst
// acknowledges a step there; an admin sends a test message from Settings
// and sees why it failed; the page a reminder's link opens works without
// signing in and says when the link is not ours; in Dutch too.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { api, startDaemon } from '../e2e/lib/daemon.mjs';
import { createIncident, createToken } from '../e2e/lib/incidents.mjs';
import { addUser } from '../e2e/lib/session.mjs';
import { assertNoProblems, incidentUrl, launch, newPage, signIn } from './lib.mjs';

async function closedPort() {
    const s = net.createServer();
    await new Promise((r) => s.listen(0, '127.0.0.1', r));
    const port = s.address().port;
    await new Promise((r) => s.close(r));
    return port;
}

describe('reminders in the browser', () => {
    let d, browser, inc;
    before(async () => {
        d = await startDaemon({ config: '[reminders]\nsend_interval = 3600\n' });
        addUser(d, 'ria', 'analyst');
        addUser(d, 'root', 'admin');
        fs.mkdirSync(path.join(d.dataDir, 'secrets'), { recursive: true });
        fs.writeFileSync(path.join(d.dataDir, 'secrets', 'hmac'), 'secret\n', { mode: 0o600 });
        const shipped = JSON.parse(fs.readFileSync(new URL('../../config/reminders.json', import.meta.url)));
        const port = await closedPort();
        const r = await api(d.url, d.adminToken, 'PUT', '/api/v1/reminders/policy', {
            ...shipped,
            allow: ['127.0.0.1'],
            channels: { room: { type: 'mattermost', url: `http://127.0.0.1:${port}/hooks/x`, secret: 'hmac' } },
            ladders: [
                {
                    regime: '*',
                    stage: '*',
                    steps: [
                        { at: 'awareness', to: ['assignee'] },
                        { at: '-PT1H', to: ['assignee'] },
                    ],
                },
            ],
        });
        assert.equal(r.status, 200, r.text);
        const org = await api(d.url, d.adminToken, 'GET', '/api/v1/organisation');
        const body = {
            ...org.json,
            name: 'Waterbedrijf',
            sector: 'drinking_water',
            nis2_class: 'essential',
            annual_turnover_eur: 2e7,
        };
        delete body.version;
        delete body.updated_at;
        assert.equal((await api(d.url, d.adminToken, 'PUT', '/api/v1/organisation', body)).status, 200);
        const analyst = createToken(d, 'b-analyst', 'analyst');
        inc = await createIncident(d, analyst, {
            title: 'Pump station offline',
            assignee: 'ria',
            aware_at: new Date().toISOString(),
            impact: { persons_health_damaged: 3, suspected_malicious: true, cross_border: false },
        });
        await d.setClock({ now: new Date(Date.now() + 2000).toISOString() }); // runs the send loop
        await d.setClock({ system: true });
        browser = await launch();
    });
    after(async () => {
        await browser?.close();
        await d?.stopClean();
    });

    test('the dashboard warns; the incident page shows the log and acknowledges a step', async () => {
        const page = await newPage(browser, d.url);
        await signIn(page, d.url, 'ria');
        await page.waitForSelector('#rem-warning p[role="alert"]');
        assert.match(await page.textContent('#rem-warning'), /Reminders on channel room are not getting through/);
        await page.goto(incidentUrl(d.url, inc.ref));
        await page.waitForSelector('#rem-log');
        const log = await page.textContent('#rem-log');
        assert.match(log, /room/);
        assert.match(log, /failed/);
        assert.match(log, /Couldn't connect/);
        const before = await page.$$('#rem-jobs button[data-job]');
        assert.ok(before.length > 0);
        await before[0].click();
        await page.waitForFunction(() => /acknowledged/.test(document.querySelector('#rem-log')?.textContent ?? ''));
        assertNoProblems(page);
        await page.context().close();
    });

    test('Settings: the policy in force and a test message per channel (Dutch)', async () => {
        const page = await newPage(browser, d.url, { locale: 'nl-NL' });
        await signIn(page, d.url, 'root');
        await page.goto(`${d.url}/#/settings`);
        await page.waitForSelector('#rem-policy-source');
        assert.match(await page.textContent('#rem-policy-source'), /Van kracht: hier ingesteld/);
        await page.click('#rem-channels button[data-channel="room"]');
        await page.waitForFunction(() =>
            /Niet afgeleverd/.test(document.querySelector('#rem-channels')?.textContent ?? ''),
        );
        // a broken policy is refused, naming the field, and nothing changes
        const text = await page.inputValue('#rem-policy-form textarea');
        await page.fill('#rem-policy-form textarea', text.replace('"mattermost"', '"pigeon"'));
        await page.click('#rem-policy-form button[type="submit"]');
        await page.waitForSelector('#rem-policy-form .form-error');
        assert.match(await page.textContent('#rem-policy-form .form-error'), /channels\.room\.type/);
        assertNoProblems(page);
        await page.context().close();
    });

    test('a link that is not ours, opened without signing in', async () => {
        const page = await newPage(browser, d.url);
        await page.goto(`${d.url}/#/ack/bm90LW91cnM`);
        await page.click('#ack-button');
        await page.waitForSelector('#ack-result .form-error');
        assert.match(await page.textContent('#ack-result'), /not a reminder's acknowledgement link/);
        assert.equal(await page.$('#signin'), null, 'no sign-in asked');
        assertNoProblems(page);
        await page.context().close();
    });
});
