// SPDX-License-Identifier: EUPL-1.2
// iocs.test.mjs - the incident page's indicators of compromise (issue 22):
// entered through the form with the type recognised, kept as the server
// normalised it, a bad value's error at its field (in English and Dutch),
// removed again; the MISP and STIX downloads holding the indicators; the
// push to MISP for a manager, refused with the reason when no instance is
// configured; every label in both languages.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startDaemon, tempDir } from '../e2e/lib/daemon.mjs';
import { createIncident, createToken } from '../e2e/lib/incidents.mjs';
import { addUser } from '../e2e/lib/session.mjs';
import { assertNoProblems, incidentUrl, launch, newPage, signIn } from './lib.mjs';

async function toDutch(page) {
    await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/v1/session') && r.request().method() === 'PATCH'),
        page.selectOption('#lang', 'nl'),
    ]);
    await page.waitForFunction(() => document.documentElement.lang === 'nl');
}

describe('indicators of compromise on the incident page', () => {
    let d, browser, inc;
    before(async () => {
        d = await startDaemon();
        addUser(d, 'ivo', 'manager');
        const analyst = createToken(d, 'ioc-analyst', 'analyst');
        inc = await createIncident(d, analyst, { title: 'Credential phishing', tlp: 'amber', severity: 'high' });
        browser = await launch();
    });
    after(async () => {
        await browser?.close();
        await d?.stopClean();
    });

    test('add, see the normal form, a bad value named at its field, remove; exports; in English and Dutch', async () => {
        const page = await newPage(browser, d.url);
        await signIn(page, d.url, 'ivo');
        await page.goto(incidentUrl(d.url, inc.ref));
        await page.waitForSelector('#sec-iocs #ioc-none');
        assert.equal(await page.textContent('#h-iocs'), 'Indicators of compromise');

        // a domain, type recognised, written in capitals with a final dot
        await page.fill('#ioc-form [name="iocs[0].value"]', 'Login.Evil-Bank.EXAMPLE.');
        await page.click('#ioc-form button[type="submit"]');
        await page.waitForSelector('#ioc-list');
        assert.equal(await page.textContent('#ioc-list .ioc-value'), 'login.evil-bank.example');
        assert.equal(await page.textContent('#ioc-list tr[data-type="domain"] td'), 'Domain');
        // a hash with its TLP chosen
        await page.selectOption('#ioc-form [name="iocs[0].type"]', 'sha256');
        await page.fill(
            '#ioc-form [name="iocs[0].value"]',
            'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855',
        );
        await page.selectOption('#ioc-form [name="iocs[0].tlp"]', 'green');
        await page.click('#ioc-form button[type="submit"]');
        await page.waitForSelector('#ioc-list tr[data-type="sha256"]');
        assert.match(await page.textContent('#ioc-list tr[data-type="sha256"]'), /TLP:GREEN/);

        // a value that is not of its type: the message at the field
        await page.selectOption('#ioc-form [name="iocs[0].type"]', 'md5');
        await page.fill('#ioc-form [name="iocs[0].value"]', 'not-a-hash');
        await page.click('#ioc-form button[type="submit"]');
        await page.waitForSelector('#ioc-form .field-error[data-for="iocs[0].value"]');
        assert.equal(
            await page.textContent('#ioc-form .field-error[data-for="iocs[0].value"]'),
            'This is not a valid indicator of this type.',
        );

        // the downloads hold what the list shows
        const dir = tempDir('meldpunt-ioc-');
        for (const [kind, check] of [
            ['export-misp', (x) => x.Event.Attribute.map((a) => a.value).sort()],
            [
                'export-stix',
                (x) =>
                    x.objects
                        .filter((o) => o.type === 'indicator')
                        .map((o) => o.name)
                        .sort(),
            ],
        ]) {
            const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`a[data-kind="${kind}"]`)]);
            const file = path.join(dir, dl.suggestedFilename());
            await dl.saveAs(file);
            assert.match(path.basename(file), new RegExp(`^incident_${inc.id}_(misp|stix)\\.json$`));
            assert.deepEqual(check(JSON.parse(fs.readFileSync(file, 'utf8'))), [
                'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
                'login.evil-bank.example',
            ]);
        }
        // no MISP instance here: the push says why
        await page.click('#misp-push');
        await page.waitForSelector('.ioc-exports .form-error');

        // in Dutch: the labels, the types, the error
        await toDutch(page);
        await page.waitForSelector('#ioc-list');
        assert.equal(await page.textContent('#h-iocs'), 'Indicatoren van aantasting');
        assert.equal(await page.textContent('#ioc-list tr[data-type="domain"] td'), 'Domein');
        assert.equal(await page.textContent('a[data-kind="export-misp"]'), 'Exporteren als MISP-event');
        assert.equal(await page.textContent('#misp-push'), 'Naar MISP sturen');
        await page.selectOption('#ioc-form [name="iocs[0].type"]', 'ipv4');
        await page.fill('#ioc-form [name="iocs[0].value"]', '2001:db8::1');
        await page.click('#ioc-form button[type="submit"]');
        await page.waitForSelector('#ioc-form .field-error[data-for="iocs[0].value"]');
        assert.equal(
            await page.textContent('#ioc-form .field-error[data-for="iocs[0].value"]'),
            'Dit is geen geldige indicator van deze soort.',
        );

        // removed again
        await page.click('#ioc-list tr[data-type="domain"] button');
        await page.waitForFunction(() => !document.querySelector('#ioc-list tr[data-type="domain"]'));
        assert.equal(await page.$$eval('#ioc-list tbody tr', (rs) => rs.length), 1);
        assertNoProblems(page);
        await page.context().close();
    });
});
