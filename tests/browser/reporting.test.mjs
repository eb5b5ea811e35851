// SPDX-License-Identifier: EUPL-1.2
// reporting.test.mjs - issue 16 items 8, 9 and 11 on the incident page in a
// real browser: what was recorded (incident, near miss, significant cyber
// threat) and the apparent root cause are edited in the facts form, the
// root-cause words already used are offered, two recurring incidents show
// their link and combined figures on each, and a report without a numeric
// deadline reads "now: without undue delay" in English and Dutch.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, startDaemon } from '../e2e/lib/daemon.mjs';
import { addUser } from '../e2e/lib/session.mjs';
import { assertNoProblems, incidentUrl, launch, newPage, signIn } from './lib.mjs';

const HOUR = 3600e3;
const iso = (t) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
const OTHER = {
    trade_secrets_exfiltrated: false,
    deaths: 0,
    persons_health_damaged: 0,
    unauthorised_access: false,
    severe_disruption_possible: false,
};

describe('incident page: recurring incidents, what was recorded, reports due now', () => {
    let d, browser, a, b;
    before(async () => {
        d = await startDaemon();
        addUser(d, 'anna', 'analyst');
        const org = await api(d.url, d.adminToken, 'GET', '/api/v1/organisation');
        const body = { ...org.json, name: 'Netbeheer West', sector: 'energy', nis2_class: 'important', annual_turnover_eur: 1e8 };
        delete body.version;
        delete body.updated_at;
        assert.equal((await api(d.url, d.adminToken, 'PUT', '/api/v1/organisation', body)).status, 200);
        const create = async (x) => {
            const r = await api(d.url, d.adminToken, 'POST', '/api/v1/incidents', x);
            assert.equal(r.status, 201, r.text);
            return r.json;
        };
        const now = Date.now();
        a = await create({
            title: 'Substation control unreachable',
            started_at: iso(now - 60 * 24 * HOUR),
            aware_at: iso(now - 60 * 24 * HOUR),
            root_cause_category: 'human_error',
            root_cause: 'Firewall rule change without review',
            impact: { financial_loss_eur: 300000, ...OTHER },
        });
        b = await create({
            title: 'Billing link down',
            started_at: iso(now - HOUR),
            aware_at: iso(now - HOUR),
            root_cause_category: 'human_error',
            root_cause: 'Firewall rule change without review',
            impact: { financial_loss_eur: 300000, recipients_affected: true, ...OTHER },
        });
        browser = await launch();
    });
    after(async () => {
        await browser?.close();
        await d?.stopClean();
    });

    test('each member shows the link and the combined figures; the lead owes the reports, one of them due now', async () => {
        const page = await newPage(browser, d.url);
        await signIn(page, d.url, 'anna');
        await page.goto(incidentUrl(d.url, b.ref));
        await page.waitForSelector('#recurrence-cir-4');
        const rec = await page.textContent('[data-regime="nis2"] #recurrence-cir-4');
        assert.match(rec, /Recurring incidents \(the same apparent root cause\)/);
        assert.match(rec, new RegExp(`Counted together: ${a.ref}.*${b.ref}`));
        assert.match(rec, /Financial loss: € 600,000/);
        assert.match(rec, /Significant together: yes/);
        assert.match(rec, /owed on this incident/);
        assert.equal(await page.getAttribute(`#recurrence-cir-4 a[href="#/incidents/${a.ref}"]`, 'href'), `#/incidents/${a.ref}`);
        // informing the recipients has no deadline in hours: due now
        assert.match(await page.textContent('#obligations'), /now: without undue delay/);
        // what was recorded and the root cause, in the facts form
        assert.equal(await page.inputValue('#facts-form [name="kind"]'), 'incident');
        assert.equal(await page.inputValue('#facts-form [name="root_cause_category"]'), 'human_error');
        assert.equal(await page.getAttribute('#facts-form [name="root_cause"]', 'list'), 'root-cause-words');
        await page.waitForSelector('#root-cause-words option[value="Firewall rule change without review"]', { state: 'attached' });

        // the earlier member: the same link, the reports on the later one
        await page.goto(incidentUrl(d.url, a.ref));
        await page.waitForSelector('#recurrence-cir-4');
        assert.match(await page.textContent('#recurrence-cir-4'), new RegExp(`the reports are owed on ${b.ref}`));
        assertNoProblems(page);
        await page.context().close();
    });

    test('recorded as a near miss in the form: no longer significant under NIS2; in Dutch', async () => {
        const page = await newPage(browser, d.url);
        await signIn(page, d.url, 'anna');
        await page.selectOption('#lang', 'nl');
        await page.waitForFunction(() => document.documentElement.lang === 'nl');
        await page.goto(incidentUrl(d.url, b.ref));
        await page.waitForSelector('#facts-form');
        assert.match(await page.textContent('#obligations'), /nu: onverwijld/);
        assert.match(await page.textContent('#recurrence-cir-4'), /Samen significant: ja/);
        await page.selectOption('#facts-form [name="kind"]', 'near_miss');
        await page.click('#save-facts');
        // saved and drawn again: the change is on the timeline
        await page.waitForFunction(() => /„Vastgelegd als” in Bijna-incident \(was Incident\)/.test(document.getElementById('timeline')?.textContent ?? ''));
        assert.match(await page.textContent('#facts-form'), /Bijna-incident/);
        const r = await api(d.url, d.adminToken, 'GET', `/api/v1/incidents/${b.id}`);
        assert.equal(r.json.kind, 'near_miss');
        const cls = await api(d.url, d.adminToken, 'GET', `/api/v1/incidents/${b.id}/classification`);
        assert.equal(cls.json.regimes.find((x) => x.regime === 'nis2').significant, 'no');
        assert.equal(cls.json.regimes.find((x) => x.regime === 'nis2-threat').significant, 'yes');
        assertNoProblems(page);
        await page.context().close();
    });
});
