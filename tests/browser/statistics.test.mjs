// SPDX-License-Identifier: EUPL-1.2
// statistics.test.mjs - the statistics page (issue 22) in a real browser,
// in English and Dutch: the figures per regime and quarter in a table and
// an SVG bar chart, the waived report with its reason, incidents per root
// cause, a recurring-incident group, the CSV download in the page's
// language, and the printable page (A4 print CSS: the navigation and the
// controls are left out).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, startDaemon } from '../e2e/lib/daemon.mjs';
import { addUser } from '../e2e/lib/session.mjs';
import { assertNoProblems, launch, newPage, signIn } from './lib.mjs';

// 10:00 Amsterdam time on 14 March 2031 (Q1)
const T0 = '2031-03-14T09:00:00Z';
const OTHER = {
    trade_secrets_exfiltrated: false,
    deaths: 0,
    persons_health_damaged: 0,
    unauthorised_access: false,
    severe_disruption_possible: false,
};

describe('statistics page', () => {
    let d, browser, a, c2;
    before(async () => {
        d = await startDaemon();
        addUser(d, 'vera', 'viewer');
        addUser(d, 'vincent', 'viewer'); // a person's language is kept: one per language
        const org = await api(d.url, d.adminToken, 'GET', '/api/v1/organisation');
        const body = {
            ...org.json,
            country: 'NL',
            sector: 'drinking_water',
            nis2_class: 'essential',
            entity_types: [],
            annual_turnover_eur: 1e8,
        };
        delete body.version;
        delete body.updated_at;
        assert.equal((await api(d.url, d.adminToken, 'PUT', '/api/v1/organisation', body)).status, 200);
        await d.setClock({ now: T0 });
        const create = async (x) => {
            const r = await api(d.url, d.adminToken, 'POST', '/api/v1/incidents', x);
            assert.equal(r.status, 201, r.text);
            return r.json;
        };
        a = await create({
            title: 'Dosing pump sabotage',
            aware_at: T0,
            root_cause_category: 'malicious_action',
            root_cause: 'Stolen VPN credentials',
            impact: { persons_health_damaged: 1, scheduled_maintenance: false },
        });
        const obl = await api(d.url, d.adminToken, 'GET', `/api/v1/incidents/${a.id}/obligations`);
        const ew = obl.json.items.find((o) => o.regime === 'nis2' && o.stage === 'early_warning');
        const w = await api(d.url, d.adminToken, 'POST', `/api/v1/incidents/${a.id}/obligations/${ew.id}/waive`, {
            reason: 'told the CSIRT by phone',
        });
        assert.equal(w.status, 200, w.text);
        const cause = { root_cause_category: 'human_error', root_cause: 'Valve left open after maintenance' };
        await create({
            title: 'Flooded pump house (1)',
            started_at: '2031-02-01T09:00:00Z',
            ...cause,
            impact: { financial_loss_eur: 300000, ...OTHER },
        });
        c2 = await create({
            title: 'Flooded pump house (2)',
            started_at: T0,
            aware_at: T0,
            ...cause,
            impact: { financial_loss_eur: 300000, ...OTHER },
        });
        browser = await launch();
    });
    after(async () => {
        await browser?.close();
        await d?.stopClean();
    });

    for (const l of ['en', 'nl']) {
        test(`figures, chart, reasons, root causes, recurring group, CSV and print (${l})`, async () => {
            const nl = l === 'nl';
            const page = await newPage(browser, d.url, { locale: nl ? 'nl-NL' : 'en-GB' });
            await signIn(page, d.url, nl ? 'vincent' : 'vera');
            await page.click(`nav a[href="#/statistics"]`);
            await page.waitForSelector('#statistics');
            assert.equal(
                await page.textContent('h1'),
                nl ? 'Statistieken: tijdigheid en herhaling' : 'Statistics: timeliness and recurrence',
            );
            assert.equal(await page.textContent('nav a[href="#/statistics"]'), nl ? 'Statistieken' : 'Statistics');
            // the NIS2 table: Q1, with the waived early warning
            const row = page.locator('.st-regime[data-regime="nis2"] tr[data-quarter="2031-Q1"]');
            assert.equal(await row.locator('th').textContent(), nl ? 'K1 2031' : 'Q1 2031');
            assert.equal(await row.locator('td[data-k="waived"]').textContent(), '1');
            const owed = Number(await row.locator('td[data-k="owed"]').textContent());
            assert.ok(owed >= 3, `owed ${owed}`);
            // the chart: one bar per quarter, its parts adding up to the reports owed
            const parts = await page.$$eval('#chart-nis2 rect', (rs) => rs.map((r) => Number(r.dataset.n)));
            assert.equal(
                parts.reduce((x, y) => x + y, 0),
                owed,
            );
            assert.ok(await page.$('#chart-nis2 rect[data-part="waived"]'));
            assert.match(
                await page.getAttribute('#chart-nis2', 'aria-label'),
                nl ? /meldingen per kwartaal/ : /reports per quarter/,
            );
            // the reason of the waiver
            assert.match(await page.textContent('#waivers'), /told the CSIRT by phone/);
            assert.match(await page.textContent('#waivers'), new RegExp(a.ref));
            // root causes: labels in the page's language
            assert.match(
                await page.textContent('#causes tr[data-category="malicious_action"] th'),
                nl ? /Kwaadwillig handelen/ : /Malicious action/,
            );
            assert.ok(await page.$('#chart-causes rect[data-part="incidents"]'));
            // the recurring group, carried by the second flooding
            assert.match(
                await page.textContent(`#groups tr[data-lead="${c2.ref}"]`),
                nl ? /Menselijke fout: Valve left open/ : /Human error: Valve left open/,
            );
            // the CSV in the page's language
            const href = await page.getAttribute('#st-csv', 'href');
            assert.match(href, new RegExp(`format=csv&lang=${l}`));
            const csv = await page.evaluate(async (u) => (await fetch(u)).text(), href);
            assert.match(csv, nl ? /^Kwartaal,Regeling,/ : /^Quarter,Regime,/);
            // a period: only Q2 has nothing
            await page.fill('#st-from', '2031-04-01');
            await page.fill('#st-to', '2031-06-30');
            await page.click('#st-show');
            await page.waitForSelector('#st-none');
            assert.match(await page.textContent('#st-period'), /2031-04-01/);
            // printable: no navigation, no controls
            await page.goto(`${d.url}/#/statistics`);
            await page.waitForSelector('#statistics .st-regime');
            await page.emulateMedia({ media: 'print' });
            assert.equal(await page.isVisible('#top'), false);
            assert.equal(await page.isVisible('#st-print'), false);
            assert.equal(await page.isVisible('#chart-nis2'), true);
            await page.emulateMedia({ media: 'screen' });
            assert.equal(await page.isVisible('#top'), true);
            assertNoProblems(page);
            await page.context().close();
        });
    }
});
