// SPDX-License-Identifier: EUPL-1.2
// mfa.test.mjs - the second factor in Chromium (issue 21), in English and
// Dutch: a manager whom require_mfa covers is sent to Sign-in security at
// the first sign-in, reads the key shown beside the QR code into an
// "authenticator" (RFC 6238 computed here with node's HMAC), confirms it and
// sees ten recovery codes once; the next sign-in asks the code in a second
// step; approving a notification eleven minutes later opens the step-up
// dialog, and with a code the approval goes through.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../e2e/lib/daemon.mjs';
import { addUser } from '../e2e/lib/session.mjs';
import { totp } from '../e2e/lib/totp.mjs';
import { assertNoProblems, incidentUrl, launch, newPage } from './lib.mjs';

const T0 = '2031-03-14T09:00:00Z';
const W = {
    en: { title: 'Sign-in security', step: 'Second step', stepUp: 'Confirm with your second factor' },
    nl: { title: 'Aanmeldbeveiliging', step: 'Tweede stap', stepUp: 'Bevestigen met uw tweede factor' },
};

async function apiSend(d, method, p, body) {
    const res = await fetch(`${d.url}/api/v1${p}`, {
        method,
        headers: { authorization: `Bearer ${d.adminToken}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: await res.json().catch(() => null) };
}

async function serverNow(d) {
    return Date.parse((await apiSend(d, 'GET', '/test/clock')).json.now) / 1000;
}

async function passwordStep(page, base, name) {
    await page.goto(`${base}/`);
    await page.fill('#signin input[name="name"]', name);
    await page.fill('#signin input[name="password"]', 'correct horse battery 9');
    await page.click('#signin button[type="submit"]');
}

describe('second factor in the browser', () => {
    let d, browser;
    before(async () => {
        d = await startDaemon({ config: '[auth]\nrequire_mfa = manager, admin\n' });
        await d.setClock({ now: T0 });
        browser = await launch();
        const org = (await apiSend(d, 'GET', '/organisation')).json;
        const body = {
            ...org,
            name: 'Waterbedrijf',
            sector: 'drinking_water',
            nis2_class: 'essential',
            annual_turnover_eur: 2e7,
        };
        delete body.version;
        delete body.updated_at;
        assert.equal((await apiSend(d, 'PUT', '/organisation', body)).status, 200);
    });
    after(async () => {
        await browser?.close();
        await d.stopClean();
    });

    for (const l of ['en', 'nl']) {
        test(`${l}: enrol by reading the key, sign in with the second step, step-up on approve`, async () => {
            const name = `mia-${l}`;
            addUser(d, name, 'manager');
            const page = await newPage(browser, d.url, { locale: l === 'nl' ? 'nl-NL' : 'en-GB' });
            await passwordStep(page, d.url, name);
            // a required factor first: the page says so, and nothing else is offered
            await page.waitForSelector('#mfa-start');
            assert.equal(await page.textContent('h1'), W[l].title);
            assert.equal(await page.locator('a[href="#/incidents"]').count(), 0);
            await page.click('#mfa-start');
            await page.waitForSelector('#mfa-qr');
            const box = await page.locator('#mfa-qr').boundingBox();
            assert.ok(box.width >= 100, 'the QR code is drawn');
            const secret = (await page.textContent('#mfa-secret')).trim();
            assert.match(secret, /^[A-Z2-7]{32}$/);
            await page.fill('#mfa-confirm input[name="code"]', totp(secret, await serverNow(d)));
            await page.click('#mfa-confirm button[type="submit"]');
            await page.waitForSelector('#mfa-codes li');
            assert.equal(await page.locator('#mfa-codes li').count(), 10);
            await page.waitForSelector('#security-link', { state: 'attached' });
            assertNoProblems(page);

            // signing in again: password, then the code
            await page.click('#signout');
            await d.setClock({ advance: 'PT30S' });
            await passwordStep(page, d.url, name);
            await page.waitForSelector('#second-step');
            assert.equal(await page.textContent('#second-step h2'), W[l].step);
            await page.fill('#second-step input[name="code"]', '000000');
            await page.click('#second-step button[type="submit"]');
            await page.waitForSelector('#second-step .form-error, #second-step [aria-invalid="true"]');
            await page.fill('#second-step input[name="code"]', totp(secret, await serverNow(d)));
            await page.click('#second-step button[type="submit"]');
            await page.waitForSelector('a[href="#/incidents"]', { state: 'attached' });

            // a draft ready to sign, eleven minutes after the code
            const inc = await apiSend(d, 'POST', '/incidents', {
                title: `Dosing ${l}`,
                description: 'Dosing set to 10x',
                aware_at: new Date(Date.parse(T0) - 3600e3).toISOString().replace(/\.\d+Z$/, 'Z'),
                impact: { persons_health_damaged: 3, suspected_malicious: true, cross_border: false },
            });
            assert.equal(inc.status, 201, JSON.stringify(inc.json));
            const n = await apiSend(d, 'POST', `/incidents/${inc.json.id}/notifications`, {
                regime: 'nis2',
                stage: 'early_warning',
                language: l,
            });
            assert.equal(n.status, 201, JSON.stringify(n.json));
            assert.equal(
                (
                    await apiSend(d, 'PATCH', `/notifications/${n.json.id}`, {
                        fields: { contact_official: 'M. de Vries, CISO' },
                    })
                ).status,
                200,
            );
            await d.setClock({ advance: 'PT11M' });
            await page.goto(incidentUrl(d.url, inc.json.ref));
            const card = '#drafts article.draft[data-state="draft"]';
            await page.waitForSelector(`${card} button.approve:not([disabled])`);
            await page.click(`${card} button.approve`);
            await page.waitForSelector('dialog.confirm-sign[open]');
            await page.click('dialog.confirm-sign button.sign');
            await page.waitForSelector('dialog.stepup-dialog[open]');
            assert.equal(await page.textContent('#stepup-h'), W[l].stepUp);
            await page.fill('#stepup-form input[name="code"]', totp(secret, await serverNow(d)));
            await page.click('#stepup-form button[type="submit"]');
            await page.waitForSelector('#drafts article.draft[data-state="approved"]');
            assert.equal(await page.locator('dialog.stepup-dialog').count(), 0);
            assertNoProblems(page);
            await page.context().close();
        });
    }
});
