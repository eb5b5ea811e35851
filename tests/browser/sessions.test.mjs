// SPDX-License-Identifier: EUPL-1.2
// sessions.test.mjs - one's sessions in a real browser (issue 21): the list
// with the device in words and times in the reader's time zone, signing out
// everywhere else and everywhere; an admin ending a user's sessions from the
// user list; the token form with an expiry and allowed addresses, in Dutch.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { api } from '../e2e/lib/daemon.mjs';
import { startDaemon } from '../e2e/lib/daemon.mjs';
import { addUser, browser as asBrowser, signIn as apiSignIn } from '../e2e/lib/session.mjs';
import { assertNoProblems, axeFindings, launch, newPage, signIn } from './lib.mjs';

const TZ = 'Europe/Amsterdam';
const local = (iso, locale) =>
    new Date(iso).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: TZ });

describe('sessions and token limits in the browser', () => {
    let d, browser;
    before(async () => {
        d = await startDaemon();
        addUser(d, 'sara', 'analyst');
        addUser(d, 'aart', 'admin');
        addUser(d, 'tom', 'viewer');
        browser = await launch();
    });
    after(async () => {
        await browser?.close();
        await d?.stopClean();
    });

    test('my sessions: device in words, local times, this one marked; sign out everywhere else, then everywhere', async () => {
        const other = await newPage(browser, d.url);
        await signIn(other, d.url, 'sara');
        const tool = await apiSignIn(d, 'sara', undefined, {
            'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0',
        });
        assert.equal(tool.res.status, 201);
        const page = await newPage(browser, d.url, { timezoneId: TZ });
        await signIn(page, d.url, 'sara');
        await page.click('#my-sessions');
        await page.waitForSelector('#session-list tbody tr');
        assert.equal(await page.textContent('h1'), 'My sessions');
        const rows = await page.$$eval('#session-list tbody tr', (trs) => trs.map((tr) => tr.innerText));
        assert.equal(rows.length, 3, rows.join('\n'));
        const mine = await page.textContent('#session-list tr.current');
        assert.match(mine, /Chrome on Linux \(this session\)/);
        assert.ok(
            rows.some((r) => /Firefox on Windows/.test(r)),
            rows.join('\n'),
        );
        assert.ok(!rows.some((r) => /Mozilla|Gecko/.test(r)), 'the raw User-Agent is shown');
        // times in the reader's zone, UTC in the datetime attribute
        const iso = await page.getAttribute('#session-list tr.current td:nth-child(3) time', 'datetime');
        assert.match(iso, /Z$/);
        assert.equal(
            (await page.textContent('#session-list tr.current td:nth-child(3) time')).trim(),
            local(iso, 'en-GB'),
        );
        for (const f of await axeFindings(page)) assert.fail(`accessibility: ${f}`);

        await page.click('#sessions-out-others');
        await page.waitForFunction(() => document.querySelectorAll('#session-list tbody tr').length === 1);
        assert.match(await page.textContent('#sessions-note'), /2 session\(s\) signed out/);
        assert.equal((await asBrowser(d, tool, 'GET', '/api/v1/session')).status, 401);
        await other.reload();
        await other.waitForSelector('#signin');

        await page.click('#sessions-out-all');
        await page.waitForSelector('dialog.confirm-sessions');
        await page.click('dialog.confirm-sessions button.danger');
        await page.waitForSelector('#signin');
        assertNoProblems(page);
        assertNoProblems(other);
        await page.context().close();
        await other.context().close();
    });

    test("in Dutch: an admin ends a user's sessions from the user list; the token form with expiry and addresses", async () => {
        const victim = await apiSignIn(d, 'tom');
        assert.equal(victim.res.status, 201);
        const page = await newPage(browser, d.url, { locale: 'nl-NL', timezoneId: TZ });
        await signIn(page, d.url, 'aart');
        await page.goto(`${d.url}/#/settings`);
        await page.waitForSelector('#h-sessions');
        assert.equal(await page.textContent('#h-sessions'), 'Sessies');
        assert.match(await page.textContent('#set-sessions tr.current'), /deze sessie/);

        // a user's sessions, opened from the user list, all ended
        const row = page.locator('#user-list tbody tr', { hasText: 'tom' });
        await row.locator('details.user-sessions summary').click();
        await row.locator('.user-sessions-box table tbody tr').first().waitFor();
        assert.match(await row.locator('.user-sessions-box h4').textContent(), /Sessies van tom/);
        await row.locator('.user-sessions-box button.danger').click();
        await page.waitForSelector('dialog.confirm-user-sessions');
        await page.click('dialog.confirm-user-sessions button.danger');
        await row.locator('.user-sessions-box p.muted').waitFor();
        assert.equal(
            (await asBrowser(d, victim, 'GET', '/api/v1/session')).status,
            401,
            'the ended cookie still works',
        );

        // the token form: a block with bits after its prefix is named at its field, in Dutch
        const form = page.locator('#token-form');
        await form.locator('input[name="name"]').fill('siem');
        await form.locator('textarea[name="allowed_sources"]').fill('192.0.2.0/24\n10.1.2.3/8');
        await form.locator('button[type="submit"]').click();
        await page.waitForSelector('#token-form .field-error[data-for="allowed_sources"]');
        assert.match(await page.textContent('#token-form .field-error'), /IP-adres of een blok/);
        assert.equal(
            (await api(d.url, d.adminToken, 'GET', '/api/v1/tokens')).json.items.some((k) => k.name === 'siem'),
            false,
        );
        // corrected, with an expiry in local time
        await form.locator('textarea[name="allowed_sources"]').fill('192.0.2.0/24, 2001:db8::/32');
        await form.locator('input[name="expires_at"]').fill('2027-06-30T14:30');
        await form.locator('button[type="submit"]').click();
        await page.waitForSelector('#set-tokens .once');
        const k = (await api(d.url, d.adminToken, 'GET', '/api/v1/tokens')).json.items.find((x) => x.name === 'siem');
        assert.equal(k.expires_at, '2027-06-30T12:30:00Z', 'the local time was not sent as UTC');
        assert.deepEqual(k.allowed_sources, ['192.0.2.0/24', '2001:db8::/32']);
        const listed = page.locator('#token-list tbody tr', { hasText: 'siem' });
        assert.equal((await listed.locator('time').nth(1).textContent()).trim(), local(k.expires_at, 'nl-NL'));
        assert.match(await listed.locator('td.sources').textContent(), /192\.0\.2\.0\/24, 2001:db8::\/32/);
        const admin = page.locator('#token-list tbody tr', { hasText: 'admin' });
        assert.match(await admin.textContent(), /nooit/);
        assert.match(await admin.locator('td.sources').textContent(), /overal/);
        assertNoProblems(page);
        await page.context().close();
    });
});
