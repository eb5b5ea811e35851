// SPDX-License-Identifier: EUPL-1.2
// formats.test.mjs - the draft page offers the report in the authorities'
// formats (issue 22): a download per format of the draft's regime, JSON and
// CSV, labelled in the page's language with the format marked unconfirmed,
// named after the report and the format, holding what the draft holds.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { api, startDaemon, tempDir } from '../e2e/lib/daemon.mjs';
import { createIncident, createToken, iso } from '../e2e/lib/incidents.mjs';
import { addUser } from '../e2e/lib/session.mjs';
import { assertNoProblems, incidentUrl, launch, newPage, signIn } from './lib.mjs';

describe('downloads in the authorities formats', () => {
    let d, browser, inc;
    before(async () => {
        d = await startDaemon();
        addUser(d, 'fanny', 'analyst');
        const analyst = createToken(d, 'fmt-analyst', 'analyst');
        const org = await api(d.url, d.adminToken, 'GET', '/api/v1/organisation');
        const body = {
            ...org.json,
            name: 'Waterbedrijf Oost',
            kvk_number: '87654321',
            sector: 'drinking_water',
            nis2_class: 'essential',
            annual_turnover_eur: 2e7,
        };
        delete body.version;
        delete body.updated_at;
        assert.equal((await api(d.url, d.adminToken, 'PUT', '/api/v1/organisation', body)).status, 200);
        inc = await createIncident(d, analyst, {
            title: 'Dosing pump tampered with',
            aware_at: iso(Date.now() - 3600e3),
            impact: { persons_health_damaged: 1, suspected_malicious: true },
        });
        const res = await api(d.url, analyst, 'POST', `/api/v1/incidents/${inc.id}/notifications`, {
            regime: 'nis2',
            stage: 'early_warning',
            language: 'en',
        });
        assert.equal(res.status, 201, res.text);
        const p = await api(d.url, analyst, 'PATCH', `/api/v1/notifications/${res.json.id}`, {
            fields: { contact_official: 'F. de Vries, +31 53 000 0000' },
        });
        assert.equal(p.status, 200, p.text);
        browser = await launch();
    });
    after(async () => {
        await browser?.close();
        await d?.stopClean();
    });

    test('a draft offers its regime formats, labelled in both languages, downloads named after what they are', async () => {
        const page = await newPage(browser, d.url);
        await signIn(page, d.url, 'fanny');
        await page.goto(incidentUrl(d.url, inc.ref));
        const box = '#drafts article.draft .format-downloads:not([hidden])';
        await page.waitForSelector(box);
        const links = await page.$$eval(`${box} a`, (as) =>
            as.map((a) => [a.dataset.format, a.dataset.kind, a.textContent]),
        );
        // only the NIS2 format: the DORA template is not for this report
        assert.deepEqual(
            links.map(([f, k]) => `${f} ${k}`),
            ['nis2-23-4-nl format-json', 'nis2-23-4-nl format-csv'],
        );
        assert.match(links[0][2], /^NIS2 notification .*: JSON$/);
        assert.match(await page.textContent(box), /field list not confirmed/);

        const dir = tempDir('meldpunt-fmt-');
        const save = async (kind) => {
            const [dl] = await Promise.all([
                page.waitForEvent('download'),
                page.click(`${box} a[data-kind="${kind}"]`),
            ]);
            const file = path.join(dir, dl.suggestedFilename());
            await dl.saveAs(file);
            return file;
        };
        const json = await save('format-json');
        assert.equal(path.basename(json), `${inc.ref}_nis2_early-warning_v1_nis2-23-4-nl.json`);
        const x = JSON.parse(fs.readFileSync(json, 'utf8'));
        assert.equal(x.fields.contact.details, 'F. de Vries, +31 53 000 0000');
        assert.equal(x.fields.entity.kvk_number, '87654321');
        const csv = await save('format-csv');
        assert.equal(path.basename(csv), `${inc.ref}_nis2_early-warning_v1_nis2-23-4-nl.csv`);
        assert.match(fs.readFileSync(csv, 'utf8'), /^field,section,name,value,required,note\r\n/);

        // in Dutch
        await Promise.all([
            page.waitForResponse((r) => r.url().endsWith('/api/v1/session') && r.request().method() === 'PATCH'),
            page.selectOption('#lang', 'nl'),
        ]);
        await page.waitForFunction(() => document.documentElement.lang === 'nl');
        await page.waitForSelector(box);
        assert.match(await page.textContent(`${box} h4`), /In het formaat van de autoriteit/);
        assert.match(await page.textContent(`${box} a[data-kind="format-json"]`), /^NIS2-melding .*: JSON$/);
        assert.match(await page.textContent(box), /veldenlijst niet bevestigd/);
        assertNoProblems(page);
        await page.context().close();
    });
});
