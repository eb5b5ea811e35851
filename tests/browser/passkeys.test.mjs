// SPDX-License-Identifier: EUPL-1.2
// passkeys.test.mjs - passkeys in Chromium (WebAuthn, issue 21), in English
// and Dutch, with Chromium's virtual authenticator (DevTools protocol
// WebAuthn.addVirtualAuthenticator: a CTAP2 platform authenticator with
// user verification): a manager whom require_mfa covers adds a passkey as
// the factor the first sign-in asks for and sees ten recovery codes; the
// next sign-in's second step takes the passkey; signing in with the passkey
// alone needs no password; eleven minutes on, removing the passkey asks for
// a fresh check, which the passkey gives, and is then refused with the reason
// (the manager's last factor).
//
// The page is opened at http://localhost:PORT (an RP ID must be a domain)
// and the daemon is told that origin ([auth] webauthn_origin).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, startDaemon } from '../e2e/lib/daemon.mjs';
import { addUser } from '../e2e/lib/session.mjs';
import { assertNoProblems, launch, newPage } from './lib.mjs';

const T0 = '2031-03-14T09:00:00Z';
const W = {
    en: {
        title: 'Sign-in security',
        step: 'Second step',
        pk: 'Passkeys',
        last: 'This is your last second factor and your role requires one: add another first.',
    },
    nl: {
        title: 'Aanmeldbeveiliging',
        step: 'Tweede stap',
        pk: 'Passkeys',
        last: 'Dit is uw laatste tweede factor en uw rol vereist er een: voeg eerst een andere toe.',
    },
};

async function passwordStep(page, base, name) {
    await page.goto(`${base}/`);
    await page.fill('#signin input[name="name"]', name);
    await page.fill('#signin input[name="password"]', 'correct horse battery 9');
    await page.click('#signin button[type="submit"]');
}

/** A virtual platform authenticator for the page's browser context. */
async function authenticator(page) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: {
            protocol: 'ctap2',
            transport: 'internal',
            hasResidentKey: true,
            hasUserVerification: true,
            isUserVerified: true,
        },
    });
    return { cdp, authenticatorId };
}

describe('passkeys in the browser', () => {
    let d, browser, base;
    before(async () => {
        const port = await freePort();
        base = `http://localhost:${port}`;
        d = await startDaemon({
            config: `[auth]\nrequire_mfa = manager, admin\nwebauthn_origin = ${base}\n`,
            args: ['--listen', `127.0.0.1:${port}`],
        });
        await d.setClock({ now: T0 });
        browser = await launch();
    });
    after(async () => {
        await browser?.close();
        await d.stopClean();
    });

    for (const l of ['en', 'nl']) {
        test(`${l}: add a passkey as the required factor, second step, passwordless sign-in, step-up`, async () => {
            const name = `pat-${l}`;
            addUser(d, name, 'manager');
            const page = await newPage(browser, base, { locale: l === 'nl' ? 'nl-NL' : 'en-GB' });
            const { cdp, authenticatorId } = await authenticator(page);
            await passwordStep(page, base, name);
            // the required factor first: a passkey will do
            await page.waitForSelector('#passkey-add');
            assert.equal(await page.textContent('h1'), W[l].title);
            assert.equal(await page.textContent('#passkeys-h'), W[l].pk);
            await page.fill('#passkey-add input[name="name"]', `Laptop ${l}`);
            await page.click('#passkey-add button[type="submit"]');
            await page.waitForSelector('#mfa-codes li');
            assert.equal(await page.locator('#mfa-codes li').count(), 10);
            await page.waitForSelector(`#passkey-list li[data-passkey="Laptop ${l}"]`);
            const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
            assert.equal(credentials.length, 1);
            assert.equal(credentials[0].isResidentCredential, true);
            assertNoProblems(page);

            // the next sign-in: password, then the passkey as the second step
            await page.click('#signout');
            await passwordStep(page, base, name);
            await page.waitForSelector('#second-step');
            assert.equal(await page.textContent('#second-step h2'), W[l].step);
            await page.click('#second-step-passkey');
            await page.waitForSelector('a[href="#/incidents"]', { state: 'attached' });

            // the passkey alone
            await page.click('#signout');
            await page.goto(`${base}/`);
            await page.click('#passkey-signin');
            await page.waitForSelector('a[href="#/incidents"]', { state: 'attached' });
            assert.equal(await page.locator('#second-step').count(), 0);

            // eleven minutes on: removing the passkey asks for a fresh check, which the
            // passkey gives; then it is kept, as the manager's only factor, with the reason
            await d.setClock({ advance: 'PT11M' });
            await page.goto(`${base}/#/security`);
            const row = `#passkey-list li[data-passkey="Laptop ${l}"]`;
            await page.waitForSelector(row);
            await page.click(`${row} button.danger`);
            await page.waitForSelector('dialog.stepup-dialog[open]');
            await page.click('#stepup-form-passkey');
            await page.waitForSelector(`${row} .form-error`);
            assert.equal((await page.textContent(`${row} .form-error`)).trim(), W[l].last);
            assert.equal(await page.locator('dialog.stepup-dialog').count(), 0);
            assert.equal(await page.locator('#passkey-list li').count(), 1);
            assertNoProblems(page);
            await page.context().close();
        });
    }
});
