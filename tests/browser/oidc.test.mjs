// SPDX-License-Identifier: EUPL-1.2
// oidc.test.mjs - signing in through an OpenID provider in a real browser
// (issue 21): the sign-in page offers "Sign in with <name>", the browser
// goes to the provider on loopback (tests/e2e/lib/oidc_provider.mjs) and
// comes back signed in; a refused sign-in is explained on the sign-in page
// in the reader's language, and the password form still works beside it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, startDaemon, tempDir } from '../e2e/lib/daemon.mjs';
import { addUser } from '../e2e/lib/session.mjs';
import { startProvider } from '../e2e/lib/oidc_provider.mjs';
import { assertNoProblems, launch, newPage, signIn } from './lib.mjs';


describe('sign-in with an OpenID provider', () => {
    let d, p, browser;
    before(async () => {
        p = await startProvider();
        const port = await freePort();
        const dir = tempDir();
        fs.writeFileSync(path.join(dir, 'secret'), p.clientSecret);
        d = await startDaemon({
            config: [
                '[oidc]',
                `issuer = ${p.url}`,
                'client_id = meldpunt',
                `client_secret_file = ${dir}/secret`,
                `redirect_uri = http://127.0.0.1:${port}/api/v1/auth/oidc/callback`,
                'label = Example IdP',
                'role_map = soc=analyst',
            ].join('\n'),
            args: ['--listen', `127.0.0.1:${port}`],
        });
        addUser(d, 'breakglass', 'admin');
        browser = await launch();
    });
    after(async () => {
        await browser?.close();
        await d?.stopClean();
        await p?.stop();
    });

    const onlyOurs = (page) => (page.problems = page.problems.filter((x) => !x.includes(p.url)));

    test('the button signs in at the provider and comes back signed in (English)', async () => {
        p.user = { sub: 'b-1', preferred_username: 'bram', name: 'Bram Jansen', groups: ['soc'] };
        const page = await newPage(browser, d.url);
        await page.goto(`${d.url}/`);
        await page.waitForSelector('#oidc-start');
        assert.equal((await page.textContent('#oidc-start')).trim(), 'Sign in with Example IdP');
        await page.click('#oidc-start');
        await page.waitForSelector('#signout', { state: 'attached' });
        const me = await page.evaluate(async () => (await fetch('/api/v1/session')).json());
        assert.equal(me.user.name, 'bram');
        assert.equal(me.user.role, 'analyst');
        onlyOurs(page);
        assertNoProblems(page);
    });

    test('refused at the provider: why, in Dutch; the local password still signs in', async () => {
        p.user = { sub: 'b-2', preferred_username: 'nora', groups: ['staff'] };
        const page = await newPage(browser, d.url, { locale: 'nl-NL' });
        await page.goto(`${d.url}/`);
        await page.click('#oidc-start');
        await page.waitForSelector('#oidc-error');
        assert.match(await page.textContent('#oidc-error'), /geen toegang tot meldpunt/);
        assert.equal((await page.textContent('#oidc-start')).trim(), 'Inloggen met Example IdP');
        // the provider down (the server sends the browser here: e2e/oidc.test.mjs): said so, with the way out
        await page.goto(`${d.url}/#/?oidc=unavailable`);
        await page.reload();
        await page.waitForSelector('#oidc-error');
        assert.match(await page.textContent('#oidc-error'), /De inlogdienst \(Example IdP\) antwoordt niet/);
        // a local (break-glass) account signs in with its password
        await signIn(page, d.url, 'breakglass');
        onlyOurs(page);
        assertNoProblems(page);
    });
});
