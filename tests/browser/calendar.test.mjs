// SPDX-License-Identifier: EUPL-1.2
// calendar.test.mjs - the dashboard's calendar box in a real browser, in
// English and Dutch: a person makes a calendar address (shown once, and it
// answers a feed), makes a new one after confirming (the old one stops
// working), and revokes it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../e2e/lib/daemon.mjs';
import { addUser } from '../e2e/lib/session.mjs';
import { assertNoProblems, launch, newPage, signIn } from './lib.mjs';

describe('calendar address on the dashboard', () => {
    let d, browser;
    before(async () => {
        d = await startDaemon();
        addUser(d, 'cato', 'analyst');
        addUser(d, 'cees', 'viewer');
        browser = await launch();
    });
    after(async () => {
        await browser?.close();
        await d?.stopClean();
    });

    test('make, renew after confirming, revoke (English)', async () => {
        const page = await newPage(browser, d.url);
        page.on('dialog', (dlg) => dlg.accept());
        await signIn(page, d.url, 'cato');
        await page.waitForSelector('#calendar #cal-make');
        assert.match(await page.textContent('#cal-state'), /You have no calendar address/);
        await page.click('#cal-make');
        await page.waitForSelector('#cal-address');
        const first = (await page.textContent('#cal-address')).trim();
        assert.match(first, new RegExp(`^${d.url}/api/v1/calendar/cal_[A-Za-z0-9_-]{43}\\.ics$`));
        let res = await fetch(first);
        assert.equal(res.status, 200);
        assert.match(await res.text(), /^BEGIN:VCALENDAR\r\n/);
        // a new address after confirming: the old one stops working
        await page.click('#cal-make');
        await page.waitForFunction((old) => document.querySelector('#cal-address')?.textContent.trim() !== old, first);
        const second = (await page.textContent('#cal-address')).trim();
        assert.equal((await fetch(first)).status, 404);
        assert.equal((await fetch(second)).status, 200);
        // after a reload the address is not shown again, only that it exists
        await page.reload();
        await page.waitForSelector('#cal-state');
        assert.match(await page.textContent('#cal-state'), /You have a calendar address, made/);
        assert.equal(await page.$('#cal-address'), null);
        await page.click('#cal-revoke');
        await page.waitForFunction(() => /no calendar address/.test(document.querySelector('#cal-state')?.textContent ?? ''));
        res = await fetch(second);
        assert.equal(res.status, 404);
        assertNoProblems(page);
        await page.context().close();
    });

    test('in Dutch, declining the confirmation changes nothing', async () => {
        const page = await newPage(browser, d.url, { locale: 'nl-NL' });
        await signIn(page, d.url, 'cees');
        await page.waitForSelector('#cal-make');
        assert.match(await page.textContent('#calendar h2'), /Termijnen in uw agenda/);
        assert.match(await page.textContent('#cal-make'), /Agenda-adres maken/);
        await page.click('#cal-make'); // none yet: nothing to confirm
        await page.waitForSelector('#cal-address');
        const addr = (await page.textContent('#cal-address')).trim();
        assert.match(await page.textContent('#calendar .once'), /alleen nu getoond/);
        await page.reload();
        await page.waitForSelector('#cal-revoke');
        assert.match(await page.textContent('#cal-revoke'), /Adres intrekken/);
        page.once('dialog', (dlg) => dlg.dismiss());
        await page.click('#cal-revoke');
        await page.waitForTimeout(300);
        assert.equal((await fetch(addr)).status, 200, 'declined: the address still works');
        assertNoProblems(page);
        await page.context().close();
    });
});
