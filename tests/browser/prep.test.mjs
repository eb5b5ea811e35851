// SPDX-License-Identifier: EUPL-1.2
// prep.test.mjs - the Preparedness pages in a real browser against the
// real daemon: the applicability assessment (a 30-person DNS provider is
// essential; an admin applies it to the profile), the risk register (an
// asset and a scenario created through the forms, an API error shown at
// its field, an edit with If-Match, the risk matrix), a viewer without
// edit buttons, the attention card on the dashboard (an overdue measure),
// and the incident page's preparedness panel with a link to a supplier.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../e2e/lib/daemon.mjs';
import { addUser } from '../e2e/lib/session.mjs';
import { assertNoProblems, incidentUrl, launch, newPage, screenshot, signIn } from './lib.mjs';

describe('preparedness pages', () => {
    let d, browser;
    const api = async (method, path, body) => {
        const res = await fetch(`${d.url}/api/v1${path}`, {
            method,
            headers: { authorization: `Bearer ${d.adminToken}`, 'content-type': 'application/json' },
            body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
        return text ? JSON.parse(text) : null;
    };
    before(async () => {
        d = await startDaemon();
        for (const [name, role] of [['ada', 'admin'], ['anna', 'analyst'], ['vera', 'viewer']]) addUser(d, name, role);
        browser = await launch();
    });
    after(async () => {
        await browser?.close();
        await d?.stopClean();
    });

    test('applicability: a 30-person DNS provider is essential, with reasons and the caveat; an admin applies it', async () => {
        const page = await newPage(browser, d.url);
        await signIn(page, d.url, 'ada');
        await page.click('nav a[href="#/preparedness"]');
        await page.waitForSelector('#assessment-form');
        // a required answer left out is named at its field
        await page.selectOption('#assessment-form [name="answers.eu_services"]', 'true');
        await page.selectOption('#assessment-form [name="answers.sector"]', 'digital_infrastructure');
        await page.selectOption('#assessment-form [name="answers.subsector"]', 'dns');
        await page.fill('#assessment-form [name="answers.headcount"]', '30');
        await page.click('#assessment-form button[type="submit"]');
        await page.waitForSelector('#assessment-result');
        assert.equal((await page.textContent('#nis2-outcome')).trim(), 'essential');
        const result = await page.textContent('#assessment-result');
        assert.match(result, /DNS service providers are essential regardless of size/);
        assert.match(result, /NIS2 Art\. 3\(1\)\(b\)/);
        assert.match(await page.textContent('#caveats'), /partner and linked/);
        assert.ok(await page.$('#assessment-result a[data-kind="csv"]'));
        assert.match(await page.textContent('#assessment-list'), /essential/);
        await page.click('#apply-form button[type="submit"]');
        await page.waitForSelector('#assessment-result .applied');
        const org = await page.evaluate(async () => (await fetch('/api/v1/organisation')).json());
        assert.equal(org.nis2_class, 'essential');
        assert.equal(org.sector, 'digital_infrastructure');
        // in Dutch, the questions and the result are Dutch
        await page.selectOption('#lang', 'nl');
        await page.waitForFunction(() => /Verleent de organisatie/.test(document.getElementById('assessment-form')?.textContent ?? ''));
        assertNoProblems(page);
        await page.context().close();
    });

    test('risk register: an asset and a scenario through the forms, an error at its field, an edit, the matrix', async () => {
        const page = await newPage(browser, d.url);
        await signIn(page, d.url, 'anna');
        await page.goto(`${d.url}/#/preparedness/register/assets`);
        await page.waitForSelector('#item-create');
        await page.fill('#item-create [name="name"]', 'Payments');
        await page.selectOption('#item-create [name="type"]', 'service');
        await page.selectOption('#item-create [name="importance"]', '5');
        await page.selectOption('#item-create [name="crown_jewel"]', 'true');
        await page.click('#item-create button[type="submit"]');
        await page.waitForSelector('#register-list tr:has-text("Payments") .crown');

        await page.click('.tabs.kinds a[data-kind="scenarios"]');
        await page.waitForSelector('#item-create [name="threat"]');
        await page.fill('#item-create [name="name"]', 'Ransomware stops payments');
        await page.selectOption('#item-create [name="likelihood"]', '4');
        await page.selectOption('#item-create [name="impact"]', '5');
        // no threat chosen: the API's word is shown at the field
        await page.click('#item-create button[type="submit"]');
        await page.waitForSelector('#item-create [name="threat"][aria-invalid="true"] + .field-error');
        await page.selectOption('#item-create [name="threat"]', 'ransomware');
        await page.selectOption('#item-create [name="asset"]', { label: 'Payments' });
        await page.click('#item-create button[type="submit"]');
        const row = page.locator('#register-list tr', { hasText: 'Ransomware stops payments' });
        await row.waitFor();
        assert.match(await row.textContent(), /inherent 20 \(critical\)/);

        // an edit sends If-Match; the residual pair lowers the residual score
        await row.locator('button.edit').click();
        await page.selectOption('#item-edit [name="residual_likelihood"]', '2');
        await page.selectOption('#item-edit [name="residual_impact"]', '5');
        await page.click('#item-edit button[type="submit"]');
        await page.waitForFunction(() => /residual 10 \(high\)/.test(document.getElementById('register-list')?.textContent ?? ''));

        await page.click('.tabs.kinds a[data-kind="matrix"]');
        await page.waitForSelector('#matrix-inherent');
        assert.equal((await page.textContent('#matrix-inherent td[data-l="4"][data-i="5"]')).trim(), '1');
        assert.equal((await page.textContent('#matrix-residual td[data-l="2"][data-i="5"]')).trim(), '1');
        assert.match(await page.textContent('#over-accepted'), /Ransomware stops payments/);
        assertNoProblems(page);
        await page.context().close();
    });

    test('a viewer reads the register without edit buttons', async () => {
        const page = await newPage(browser, d.url);
        await signIn(page, d.url, 'vera');
        await page.goto(`${d.url}/#/preparedness/register/scenarios`);
        await page.waitForSelector('#register-list tr:has-text("Ransomware stops payments")');
        for (const sel of ['#item-create', 'button.edit', 'button.delete']) assert.equal(await page.$(sel), null, `${sel} is shown to a viewer`);
        await page.goto(`${d.url}/#/preparedness`);
        await page.waitForSelector('#assessment-form');
        assert.equal(await page.$('#assessment-form button[type="submit"]'), null);
        assertNoProblems(page);
        await page.context().close();
    });

    test('the dashboard shows an overdue measure; the incident page shows what the register knows', async () => {
        const assets = (await api('GET', '/register/assets')).items;
        const pay = assets.find((a) => a.name === 'Payments');
        const scen = (await api('GET', '/register/scenarios')).items[0];
        await api('POST', '/register/measures', { name: 'Network segmentation', type: 'preventive', status: 'in_progress', scenarios: [scen.id], due_date: '2020-01-01' });
        await api('POST', '/register/suppliers', { name: 'CloudPay BV', supplies: 'payment processing', criticality: 'critical', services: [pay.id], no_alternative: true });
        await api('POST', '/register/functions', { name: 'Payments operator', service: pay.id, people: [{ name: 'B. Jansen', trained_on: '2024-01-15' }] });
        const inc = await api('POST', '/incidents', { title: 'Checkout failing', severity: 'low', services: ['Payments'] });

        const page = await newPage(browser, d.url);
        await signIn(page, d.url, 'anna');
        await page.waitForSelector('#attention [data-part="overdue_measures"]');
        assert.match(await page.textContent('#attention [data-part="overdue_measures"]'), /Network segmentation/);
        assert.match(await page.textContent('#attention [data-part="training_lapsed"]'), /B\. Jansen/);
        assert.match(await page.textContent('#attention [data-part="suppliers_without_alternative"]'), /CloudPay BV/);

        await page.goto(incidentUrl(d.url, inc.ref));
        await page.waitForSelector('#sec-preparedness');
        assert.match(await page.textContent('#affected-assets'), /Payments/);
        assert.match(await page.textContent('#related-scenarios'), /Ransomware stops payments/);
        assert.match(await page.textContent('#related-measures'), /Network segmentation/);
        assert.match(await page.textContent('#severity-suggestion'), /critical/);
        await page.selectOption('#link-form [name="item"]', { label: 'Suppliers: CloudPay BV' });
        await page.click('#link-form button[type="submit"]');
        await page.waitForFunction(() => /CloudPay BV/.test(document.getElementById('incident-links')?.textContent ?? '') || document.querySelector('#link-form .form-error'));
        assert.equal(await page.$('#link-form .form-error'), null, await page.textContent('#sec-preparedness'));
        assertNoProblems(page);

        await page.goto(`${d.url}/#/preparedness/register/scenarios`);
        await page.waitForSelector('#register-list');
        await screenshot(page, 'register');
        await page.context().close();
    });
});
