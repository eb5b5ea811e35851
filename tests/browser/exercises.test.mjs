// SPDX-License-Identifier: EUPL-1.2
// exercises.test.mjs - exercises in the browser (issue 22): a manager starts
// the water-utility scenario from the Exercises page; the run panel shows the
// exercise clock and the injects; the incident carries the EXERCISE /
// OEFENING marker in the list and on its page; the report shows the
// deadlines in exercise time and what was missing, in English and in Dutch,
// with no script error and no critical or serious accessibility finding.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, startDaemon } from '../e2e/lib/daemon.mjs';
import { createToken } from '../e2e/lib/incidents.mjs';
import { addUser } from '../e2e/lib/session.mjs';
import { assertNoProblems, axeFindings, incidentUrl, launch, newPage, signIn } from './lib.mjs';

async function useLang(page, l) {
    if ((await page.getAttribute('html', 'lang')) === l) return;
    await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/v1/session') && r.request().method() === 'PATCH'),
        page.selectOption('#lang', l),
    ]);
    await page.waitForFunction((x) => document.documentElement.lang === x, l);
    await page.waitForLoadState('networkidle');
}

describe('exercises in the browser', () => {
    let d, browser, page, run;
    before(async () => {
        d = await startDaemon();
        addUser(d, 'erik', 'manager');
        const org = await api(d.url, d.adminToken, 'GET', '/api/v1/organisation');
        const body = {
            ...org.json,
            name: 'Waterbedrijf Zuid',
            sector: 'drinking_water',
            nis2_class: 'essential',
            cer_critical: true,
        };
        delete body.version;
        delete body.updated_at;
        assert.equal((await api(d.url, d.adminToken, 'PUT', '/api/v1/organisation', body)).status, 200);
        browser = await launch();
        page = await newPage(browser, d.url);
        await signIn(page, d.url, 'erik');
    });
    after(async () => {
        await browser?.close();
        await d?.stopClean();
    });

    test('a manager starts a scenario; the run panel shows the exercise clock and the injects', async () => {
        await page.goto(`${d.url}/#/exercises`);
        await page.waitForSelector('#sc-water-ransomware');
        assert.match(await page.textContent('#sc-water-ransomware h3'), /Ransomware at a water utility/);
        await page.fill('#sc-water-ransomware input[name="speed"]', '100');
        await page.click('#sc-water-ransomware button[type="submit"]');
        await page.waitForSelector('#ex-clock');
        assert.match(await page.textContent('h1'), /^EXERCISE/);
        const rows = await page.$$eval('#ex-injects tbody tr', (trs) => trs.map((tr) => tr.className));
        assert.equal(rows.length, 6);
        assert.equal(rows[0], 'applied', 'the inject at T+0:00 at once');
        assert.equal(rows[1], 'pending');
        run = (await api(d.url, d.adminToken, 'GET', '/api/v1/exercises')).json.items[0];
        // the clock moves on: the awareness inject at T+0:30 (18 s of real time at 100x)
        await d.setClock({ now: new Date(Date.parse(run.started_at) + 60e3).toISOString() });
        await page.reload();
        await page.waitForSelector('#ex-injects tbody tr:nth-child(2).applied');
        assert.deepEqual(await axeFindings(page, ['critical', 'serious']), []);
        assertNoProblems(page);
    });

    test('the marker in the list, on the incident page and its drafts, in English and Dutch', async () => {
        const analyst = createToken(d, 'xb-analyst', 'analyst');
        const r = await api(d.url, analyst, 'POST', `/api/v1/incidents/${run.incident}/notifications`, {
            regime: 'nis2',
            stage: 'early_warning',
            language: 'en',
        });
        assert.equal(r.status, 201, r.text);
        for (const [l, word] of [
            ['en', 'EXERCISE'],
            ['nl', 'OEFENING'],
        ]) {
            await useLang(page, l);
            await page.goto(`${d.url}/#/incidents`);
            await page.waitForSelector('.exercise-marker');
            assert.equal(await page.textContent('tbody .exercise-marker'), word);
            await page.goto(incidentUrl(d.url, run.incident_ref));
            await page.waitForSelector('h1 .exercise-marker');
            assert.equal(await page.textContent('h1 .exercise-marker'), word);
            await page.waitForSelector('#drafts article.draft h3 .exercise-marker');
            assert.equal(await page.textContent('#drafts article.draft h3 .exercise-marker'), word);
        }
        await useLang(page, 'en');
        assertNoProblems(page);
    });

    test('the report in English and Dutch: deadlines in exercise time, what was missing', async () => {
        for (const [l, marker, heading, result] of [
            ['en', 'EXERCISE', 'Legal deadlines', /open|missed|met/],
            ['nl', 'OEFENING', 'Wettelijke termijnen', /open|gemist|op tijd/],
        ]) {
            await useLang(page, l);
            await page.goto(`${d.url}/#/exercises/${run.id}/report`);
            await page.waitForSelector('#ex-report');
            assert.equal(await page.getAttribute('#ex-report', 'data-watermark'), marker);
            assert.equal(await page.textContent('#ex-report .exercise-statement'), marker);
            assert.ok((await page.$$eval('#ex-report h2', (hs) => hs.map((x) => x.textContent))).includes(heading));
            const results = await page.$$eval('#ex-deadlines tbody td:last-child', (tds) =>
                tds.map((x) => x.textContent),
            );
            assert.ok(results.length > 0);
            for (const r of results) assert.match(r, result);
            assert.ok((await page.$$('#ex-missing li')).length > 0, 'the Wwke authority is not configured');
            assert.deepEqual(await axeFindings(page, ['critical', 'serious']), []);
        }
        await useLang(page, 'en');
        assertNoProblems(page);
    });
});
