// SPDX-License-Identifier: EUPL-1.2
// language.test.mjs - the front end speaks the user's language and stores
// what the user entered (issue 17): numbers and amounts typed the Dutch or
// the English way, refused at the field when they read two ways or not at
// all; yes/no/unknown kept as three values from the form to the database
// and back; the printable document the authority receives; a missed report
// still drafted, signed and submitted, or waived with a reason; and
// "approve and sign" showing what will be signed before it is signed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../e2e/lib/daemon.mjs';
import { addUser } from '../e2e/lib/session.mjs';
import { assertNoProblems, CASES, incidentUrl, launch, newPage, screenshot, signIn } from './lib.mjs';

/** Switches the signed-in user's language and waits for the page to follow. */
async function useLang(page, l) {
    if ((await page.getAttribute('html', 'lang')) === l) return;
    // the page is drawn again once the server has the choice: wait for both
    await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/v1/session') && r.request().method() === 'PATCH'),
        page.selectOption('#lang', l),
    ]);
    await page.waitForFunction((x) => document.documentElement.lang === x, l);
    await page.waitForLoadState('networkidle');
}

/** "Approve and sign" on a draft card, confirmed in the dialog that shows what will be signed. */
async function approveAndSign(page, card) {
    await page.click(`${card} button.approve`);
    await page.waitForSelector('dialog.confirm-sign[open]');
    await page.click('dialog.confirm-sign button.sign');
}

async function apiGet(d, p) {
    const res = await fetch(`${d.url}/api/v1${p}`, { headers: { authorization: `Bearer ${d.adminToken}` } });
    assert.equal(res.status, 200, p);
    return res.json();
}

async function apiSend(d, method, p, body, headers = {}) {
    const res = await fetch(`${d.url}/api/v1${p}`, {
        method,
        headers: { authorization: `Bearer ${d.adminToken}`, 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
    });
    const json = res.headers.get('content-type')?.includes('json') ? await res.json() : null;
    return { status: res.status, json };
}

describe('the user’s language and the user’s values', () => {
    let d, browser;
    before(async () => {
        d = await startDaemon();
        for (const [name, role] of [['ada', 'admin'], ['max', 'manager']]) addUser(d, name, role);
        browser = await launch();
    });
    after(async () => {
        await browser?.close();
        await d?.stopClean();
    });

    test('numbers as people type them: Dutch and English notation; ambiguous input refused at the field, in words', async () => {
        const page = await newPage(browser, d.url);
        await signIn(page, d.url, 'ada');
        await useLang(page, 'nl');
        await page.click('nav a[href="#/settings"]');
        await page.waitForSelector('#org-form');
        // the example: "5.000.000" is five million in Dutch, not 5
        await page.fill('#org-form [name="name"]', 'Waterbedrijf Oost');
        await page.fill('#org-form [name="country"]', 'NL');
        await page.fill('#org-form [name="annual_turnover_eur"]', '€ 5.000.000');
        const [put] = await Promise.all([
            page.waitForResponse((r) => r.url().endsWith('/api/v1/organisation') && r.request().method() === 'PUT'),
            page.click('#org-form button[type="submit"]'),
        ]);
        assert.equal(put.status(), 200, (await put.text()) + put.request().postData());
        assert.equal((await apiGet(d, '/organisation')).annual_turnover_eur, 5000000);
        await page.waitForFunction(() => document.querySelector('#org-form [name="annual_turnover_eur"]')?.value === '5.000.000');
        // nobody chose a NIS2 class: saved and shown as "not determined yet", never as "not in scope"
        assert.equal((await apiGet(d, '/organisation')).nis2_class, null);
        assert.equal((await page.textContent('#org-form select[name="nis2_class"] option:checked')).trim(), 'nog niet vastgesteld');

        // "5,000" reads two ways in Dutch: refused at once when the field is left …
        let puts = 0;
        page.on('request', (r) => r.method() === 'PUT' && r.url().includes('/services/') && puts++);
        await page.fill('#service-form [name="name"]', 'portaal');
        await page.fill('#service-form [name="users_total"]', '5,000');
        await page.press('#service-form [name="users_total"]', 'Tab');
        const err = await page.waitForSelector('#service-form [name="users_total"][aria-invalid="true"] + .field-error');
        assert.match(await err.textContent(), /„5,000” kan 5 of 5000 betekenen/);
        // … and on saving, with nothing sent
        await page.click('#service-form button[type="submit"]');
        await page.waitForSelector('#service-form .form-error');
        assert.match(await page.textContent('#service-form .form-error'), /Niet alles wat u typte is te lezen/);
        assert.equal(puts, 0, 'nothing was sent');
        assert.equal((await apiGet(d, '/services')).items.length, 0);
        // an English decimal point is not a Dutch one
        await page.fill('#service-form [name="users_total"]', '2.5');
        await page.press('#service-form [name="users_total"]', 'Enter');
        await page.waitForSelector('#service-form [name="users_total"][aria-invalid="true"] + .field-error >> text=/geen getal/');
        await page.fill('#service-form [name="users_total"]', '5.000');
        await page.press('#service-form [name="users_total"]', 'Enter');
        await page.waitForSelector('#service-list >> text=portaal');
        assert.equal((await apiGet(d, '/services/portaal')).users_total, 5000);

        // English: the other way round
        await useLang(page, 'en');
        await page.waitForSelector('#service-form');
        await page.fill('#service-form [name="name"]', 'webshop');
        await page.fill('#service-form [name="users_total"]', '5.000');
        await page.press('#service-form [name="users_total"]', 'Enter');
        const en = await page.waitForSelector('#service-form [name="users_total"][aria-invalid="true"] + .field-error');
        assert.match(await en.textContent(), /“5.000” could mean 5 or 5000/);
        await page.fill('#service-form [name="users_total"]', '12,500');
        await page.press('#service-form [name="users_total"]', 'Enter');
        await page.waitForSelector('#service-list >> text=webshop');
        assert.equal((await apiGet(d, '/services/webshop')).users_total, 12500);
        // the profile's amount, unchanged, is shown the English way and saved as it was
        assert.equal(await page.inputValue('#org-form [name="annual_turnover_eur"]'), '5,000,000');

        // an impact fact on an incident, in Dutch
        const inc = await apiSend(d, 'POST', '/incidents', { title: 'Storing portaal', severity: 'high', category: 'cyber' });
        assert.equal(inc.status, 201);
        await useLang(page, 'nl');
        await page.goto(incidentUrl(d.url, inc.json.ref));
        await page.waitForSelector('#facts-form');
        await page.click('#more-facts > summary');
        await page.fill('#facts-form [name="impact.users_affected"]', '5.000');
        const [saved] = await Promise.all([
            page.waitForResponse((r) => r.url().includes(`/api/v1/incidents/${inc.json.id}`) && r.request().method() === 'PATCH'),
            page.click('#save-facts'),
        ]);
        assert.equal(saved.status(), 200, await saved.text());
        assert.equal(JSON.parse(saved.request().postData()).impact.users_affected, 5000);
        assert.equal((await apiGet(d, `/incidents/${inc.json.ref}`)).impact.users_affected, 5000);
        // shown again the Dutch way once the page is redrawn
        await page.waitForFunction(() => document.querySelector('#facts-form [name="impact.users_affected"]')?.dataset.shown === '5.000');
        assertNoProblems(page);
        await page.context().close();
    });

    test('unknown stays unknown: yes/no/unknown in the profile and the services round-trips through the API, in both languages', async () => {
        const page = await newPage(browser, d.url);
        await signIn(page, d.url, 'ada');
        for (const l of ['nl', 'en']) {
            await useLang(page, l);
            await page.click('nav a[href="#/settings"]');
            await page.waitForSelector('#org-form');
            // yes first, saved; then unknown, saved: it comes back unknown, not no
            for (const [choice, want] of [
                ['true', true],
                ['', null],
            ]) {
                // the note of the save before goes; the next one says the form was drawn anew
                await page.evaluate(() => document.querySelectorAll('.saved-note').forEach((n) => n.remove()));
                await page.selectOption('#org-form select[name="cer_critical"]', choice);
                await page.selectOption('#org-form select[name="nis2_class"]', 'essential');
                await page.selectOption('#org-form select[name="microenterprise"]', choice === '' ? '' : 'false');
                const [put] = await Promise.all([
                    page.waitForResponse((r) => r.url().endsWith('/api/v1/organisation') && r.request().method() === 'PUT'),
                    page.click('#org-form button[type="submit"]'),
                ]);
                assert.equal(put.status(), 200, await put.text());
                const org = await apiGet(d, '/organisation');
                assert.equal(org.cer_critical, want, `${l}: cer_critical`);
                assert.equal(org.microenterprise, choice === '' ? null : false, `${l}: microenterprise`);
                // the redrawn form shows what is stored (and says "Saved" once it is drawn)
                await page.waitForSelector('#org-form .saved-note');
                await page.waitForFunction(
                    (c) => document.querySelector('#org-form select[name="cer_critical"]')?.value === c && !document.querySelector('#org-form .form-error'),
                    choice,
                );
            }
            const unknown = await page.textContent('#org-form select[name="cer_critical"] option:checked');
            assert.equal(unknown, l === 'nl' ? 'onbekend' : 'unknown');

            // a service whose criticality is unknown: unknown by default, stored as null, listed as unknown
            const name = `dienst-${l}`;
            await page.fill('#service-form [name="name"]', name);
            assert.equal(await page.inputValue('#service-form select[name="critical"]'), '');
            await page.press('#service-form [name="name"]', 'Enter');
            await page.waitForSelector(`#service-list tr:has-text("${name}")`);
            assert.equal((await apiGet(d, `/services/${name}`)).critical, null);
            assert.match(await page.textContent(`#service-list tr:has-text("${name}")`), l === 'nl' ? /onbekend/ : /unknown/);
        }
        assertNoProblems(page);
        await page.context().close();
    });

    test('the subsector is picked from the sector data by its label; a value that is none of them is refused at the field, changing nothing', async () => {
        const label = { en: 'Healthcare providers (e.g. hospitals)', nl: 'Zorgaanbieders (bijv. ziekenhuizen)' };
        const refused = { en: 'Choose a subsector of the sector chosen, or none.', nl: 'Kies een subsector van de gekozen sector, of geen.' };
        for (const { l, vp, name } of CASES) {
            // stored earlier as free text: none of the health sector's subsectors
            const org = await apiGet(d, '/organisation');
            delete org.version;
            delete org.updated_at;
            const put = await apiSend(d, 'PUT', '/organisation', { ...org, sector: 'health', subsector: `zorg ${name}` });
            assert.equal(put.status, 200, JSON.stringify(put.json));
            const page = await newPage(browser, d.url);
            await signIn(page, d.url, 'ada');
            await useLang(page, l);
            await page.setViewportSize(vp);
            await page.goto(`${d.url}/#/settings`);
            const sub = '#org-form select[name="subsector"]';
            await page.waitForSelector(sub);
            // the sector's subsectors by label, and what was stored, shown as such
            const options = await page.$$eval(`${sub} option`, (os) => os.map((o) => [o.value, o.textContent]));
            assert.ok(options.some(([v, x]) => v === 'healthcare_provider' && x === label[l]), JSON.stringify(options));
            assert.equal(await page.inputValue(sub), `zorg ${name}`);
            // saved as it is: refused at the field, nothing changed
            const before = await apiGet(d, '/organisation');
            await page.click('#org-form button[type="submit"]');
            await page.waitForSelector('#org-form .field-error[data-for="subsector"]');
            assert.equal(await page.textContent('#org-form .field-error[data-for="subsector"]'), refused[l]);
            assert.equal(await page.getAttribute(sub, 'aria-invalid'), 'true');
            const still = await apiGet(d, '/organisation');
            assert.equal(still.version, before.version, `${name}: nothing was stored`);
            assert.equal(still.subsector, `zorg ${name}`);
            // picked from the list: stored by its id
            await page.selectOption(sub, 'healthcare_provider');
            await page.click('#org-form button[type="submit"]');
            await page.waitForSelector('#org-form .saved-note');
            assert.equal((await apiGet(d, '/organisation')).subsector, 'healthcare_provider');
            // another sector offers its own subsectors; one of the sector before is cleared, in view
            await page.selectOption('#org-form select[name="sector"]', 'energy');
            const energy = await page.$$eval(`${sub} option`, (os) => os.map((o) => o.value));
            assert.ok(energy.includes('electricity') && !energy.includes('healthcare_provider'), energy.join());
            assert.equal(await page.inputValue(sub), '');
            assertNoProblems(page);
            await page.context().close();
        }
    });

    test('the document the authority receives: a Dutch letter with letterhead, words not keys, signer by name, A4 with page numbers', async () => {
        // the letterhead and the signer's name and function, set in the settings
        const admin = await newPage(browser, d.url);
        await signIn(admin, d.url, 'ada');
        await useLang(admin, 'nl');
        await admin.click('nav a[href="#/settings"]');
        await admin.waitForSelector('#org-form');
        await admin.fill('#org-form [name="name"]', 'Waterbedrijf Oost');
        await admin.fill('#org-form [name="kvk_number"]', '1234 5678');
        await admin.fill('#org-form [name="address"]', 'Postbus 1\n7500 AA Enschede');
        await admin.selectOption('#org-form select[name="sector"]', 'drinking_water');
        await admin.selectOption('#org-form select[name="nis2_class"]', 'essential');
        await Promise.all([
            admin.waitForResponse((r) => r.url().endsWith('/api/v1/organisation') && r.request().method() === 'PUT' && r.status() === 200),
            admin.click('#org-form button[type="submit"]'),
        ]);
        assert.equal((await apiGet(d, '/organisation')).kvk_number, '12345678');
        await admin.waitForSelector('#user-list');
        await admin.click('#user-list details.signer:has-text("max") > summary');
        await admin.fill('#user-list details.signer[open] [name="full_name"]', 'Maxime de Vries');
        await admin.fill('#user-list details.signer[open] [name="job_title"]', 'CISO');
        await admin.click('#user-list details.signer[open] button[type="submit"]');
        await admin.waitForSelector('#user-list >> text=Maxime de Vries, CISO');
        assertNoProblems(admin);
        await admin.context().close();

        const inc = await apiSend(d, 'POST', '/incidents', {
            title: 'Chloordosering gesaboteerd',
            description: 'Dosering door onbekenden op 10x gezet',
            severity: 'high',
            aware_at: new Date(Date.now() - 3600e3).toISOString().replace(/\.\d+Z$/, 'Z'),
            impact: { persons_health_damaged: 3, suspected_malicious: true, member_states: ['NL', 'BE'] },
        });
        assert.equal(inc.status, 201, JSON.stringify(inc.json));
        const page = await newPage(browser, d.url);
        await signIn(page, d.url, 'max');
        await useLang(page, 'nl');
        await page.goto(incidentUrl(d.url, inc.json.ref));
        await page.waitForSelector('#draft-create');
        await page.selectOption('#draft-create select[name="obligation"]', 'nis2|early_warning');
        await page.selectOption('#draft-create select[name="language"]', 'nl');
        await page.click('#draft-create button[type="submit"]');
        const card = '#drafts article.draft[data-state="draft"]';
        await page.waitForSelector(card);
        // the editor: the label the authority reads, and the operator's note beside it
        const row = page.locator(`${card} .field:has([name="fields.contact_official"])`);
        assert.match(await row.locator('label').textContent(), /^Contactgegevens van de functionaris/);
        assert.match(await row.locator('.hint').textContent(), /niet bevestigd/);
        await page.fill(`${card} [name="fields.contact_official"]`, 'M. de Vries, CISO, +31 6 1234 5678');
        await approveAndSign(page, card);
        const signed = '#drafts article.draft[data-state="approved"]';
        await page.waitForSelector(signed);

        const [doc] = await Promise.all([page.waitForEvent('popup'), page.click(`${signed} a[data-kind="html"]`)]);
        await doc.waitForLoadState('networkidle');
        const text = await doc.textContent('body');
        for (const want of [
            /Waterbedrijf Oost/,
            /Postbus 1\s*7500 AA Enschede/,
            /KvK-nummer 12345678/,
            new RegExp(inc.json.ref),
            /Vroegtijdige waarschuwing/,
            /CSIRT/,
            /Nederland, België/,
            /Aanzienlijke schade aan de gezondheid/, // the criterion by its sentence …
            /Uitvoeringsverordening \(EU\) 2024\/2690 art\. 3\(1\)\(d\)/, // … and its article, in Dutch
            /\d{1,2} [a-z]+ \d{4}, \d\d:\d\d \(\d\d:\d\d UTC\)/, // Dutch time, UTC beside it
            /Ondertekend door Maxime de Vries, CISO/,
            /Zo controleert u deze melding/,
        ])
            assert.match(text, want);
        for (const never of [/\["NL"/, /cir-3-1-d/, /user:max/, /UNCONFIRMED|NIET BEVESTIGD|niet bevestigd/, /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/])
            assert.doesNotMatch(text, never);
        // styled by the server's print stylesheet: A4 pages
        assert.equal(await doc.evaluate(() => getComputedStyle(document.querySelector('.letterhead')).display), 'flex');
        const pdf = await doc.pdf({ preferCSSPageSize: true });
        const box = /\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/.exec(pdf.toString('latin1'));
        assert.ok(box, 'a page size');
        assert.ok(Math.abs(Number(box[1]) - 595.3) < 1 && Math.abs(Number(box[2]) - 841.9) < 1, `A4, not ${box[1]} x ${box[2]}`);
        await doc.setViewportSize({ width: 900, height: 1200 });
        await screenshot(doc, 'notification-nl');
        await doc.close();
        assertNoProblems(page);
        await page.context().close();
    });
});

describe('reports owed late, and signing only after seeing what is signed', () => {
    let d, browser;
    before(async () => {
        d = await startDaemon();
        addUser(d, 'max', 'manager');
        const org = await apiGet(d, '/organisation');
        delete org.version;
        delete org.updated_at;
        const put = await apiSend(d, 'PUT', '/organisation', { ...org, name: 'Waterbedrijf Oost', sector: 'drinking_water', nis2_class: 'essential' });
        assert.equal(put.status, 200, JSON.stringify(put.json));
        browser = await launch();
    });
    after(async () => {
        await browser?.close();
        await d?.stopClean();
    });

    // aware 30 hours ago: the 24-hour early warning was missed 6 hours ago
    const missedIncident = async (title) => {
        const inc = await apiSend(d, 'POST', '/incidents', {
            title,
            description: 'Dosering door onbekenden op 10x gezet',
            aware_at: new Date(Date.now() - 30 * 3600e3).toISOString().replace(/\.\d+Z$/, 'Z'),
            impact: { persons_health_damaged: 2, suspected_malicious: true, cross_border: false },
        });
        assert.equal(inc.status, 201, JSON.stringify(inc.json));
        const obs = (await apiGet(d, `/incidents/${inc.json.id}/obligations`)).items;
        const ew = obs.find((o) => o.regime === 'nis2' && o.stage === 'early_warning');
        assert.equal(ew.status, 'missed');
        return { inc: inc.json, ew };
    };

    test('a missed report can still be drafted, signed (after confirming what is signed) and submitted; in Dutch and English, at 1280 and 390 px', async () => {
        for (const { l, vp, name } of CASES) {
            const { inc, ew } = await missedIncident(`Dosering verstoord (${name})`);
            const page = await newPage(browser, d.url);
            await signIn(page, d.url, 'max');
            await useLang(page, l);
            await page.setViewportSize(vp);
            await page.goto(incidentUrl(d.url, inc.ref));
            await page.waitForSelector('#draft-create');
            // the missed report is offered, marked late
            const option = await page.textContent('#draft-create select[name="obligation"] option[value="nis2|early_warning"]');
            assert.match(option, l === 'nl' ? /\(te laat\)/ : /\(late\)/);
            await page.selectOption('#draft-create select[name="obligation"]', 'nis2|early_warning');
            await page.selectOption('#draft-create select[name="language"]', l);
            await page.click('#draft-create button[type="submit"]');
            const card = '#drafts article.draft[data-state="draft"]';
            await page.waitForSelector(card);

            // approving with a required content empty cannot succeed: disabled, the content named, no dialog
            await page.waitForSelector(`${card} button.approve[disabled]`);
            assert.match(
                await page.textContent(`${card} .blocked-reason`),
                l === 'nl' ? /Nog niet goed te keuren: vul Contactgegevens van de functionaris/ : /Cannot approve yet: fill in Contact details of the official/,
            );
            assert.equal(await page.$('dialog.confirm-sign'), null);

            await page.fill(`${card} [name="fields.contact_official"]`, 'M. de Vries, +31 6 1234 5678');
            await page.click(`${card} button.approve`);
            const dlg = await page.waitForSelector('dialog.confirm-sign[open]');
            const what = await dlg.textContent();
            // what will be signed: the report, recipient, language, every content by label, the signer
            assert.match(what, l === 'nl' ? /Deze melding ondertekenen\?/ : /Sign this report\?/);
            assert.match(what, /CSIRT/);
            assert.match(what, l === 'nl' ? /Contactgegevens van de functionaris/ : /Contact details of the official/);
            assert.match(what, /M\. de Vries, \+31 6 1234 5678/);
            assert.match(what, l === 'nl' ? /Ondertekend door u: max/ : /Signed by you: max/);
            assert.doesNotMatch(what, /contact_official|true|false|\["/);
            // the safe choice has the focus; cancelling signs nothing
            assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('cancel')), true);
            await page.keyboard.press('Escape');
            await page.waitForSelector('dialog.confirm-sign', { state: 'detached' });
            let n = (await apiGet(d, `/incidents/${inc.id}/notifications`)).items[0];
            assert.equal(n.state, 'draft', 'nothing was signed');
            assert.equal(n.fields.contact_official, 'M. de Vries, +31 6 1234 5678', 'but what was typed was saved');

            await approveAndSign(page, card);
            const signed = '#drafts article.draft[data-state="approved"]';
            await page.waitForSelector(signed);
            await page.fill(`${signed} .submit-form [name="channel"]`, 'MijnNCSC');
            await page.click(`${signed} .submit-form button[type="submit"]`);
            await page.waitForSelector('#drafts article.draft[data-state="submitted"]');
            const ob = (await apiGet(d, `/incidents/${inc.id}/obligations`)).items.find((o) => o.id === ew.id);
            assert.equal(ob.status, 'missed', 'late stays late');
            assert.ok(ob.submitted_at, 'and it was sent');
            // sent: no longer offered
            await page.waitForSelector('#draft-create, #drafts p.muted');
            const left = await page.$$eval('#draft-create select[name="obligation"] option', (os) => os.map((o) => o.value));
            assert.ok(!left.includes('nis2|early_warning'), left.join(' '));
            assertNoProblems(page);
            await page.context().close();
        }
    });

    test('a missed report can be waived with a reason; in Dutch and English, at 1280 and 390 px', async () => {
        const words = {
            en: { report: 'NIS2 Early warning', summary: /^Waive NIS2 Early warning$/ },
            nl: {
                report: 'NIS2 Vroegtijdige waarschuwing',
                summary: /Afzien van melden: NIS2 Vroegtijdige waarschuwing \(met reden\)/,
            },
        };
        for (const { l, vp, name } of CASES) {
            const { inc, ew } = await missedIncident(`Dosering opnieuw verstoord (${name})`);
            const page = await newPage(browser, d.url);
            await signIn(page, d.url, 'max');
            await useLang(page, l);
            await page.setViewportSize(vp);
            await page.goto(incidentUrl(d.url, inc.ref));
            await page.waitForSelector('#obligations');
            await page.click(`details.waive:has-text("${words[l].report}") > summary`);
            assert.match(await page.textContent('details.waive[open] > summary'), words[l].summary);
            await page.fill('details.waive[open] [name="reason"]', `Telefonisch gemeld bij het NCSC (${name})`);
            await page.click('details.waive[open] button[type="submit"]');
            // drawn again once saved (a predicate returning a promise would pass at once)
            await page.waitForSelector('#obligations tr[data-stage="early_warning"] .status-waived');
            const ob = (await apiGet(d, `/incidents/${inc.id}/obligations`)).items.find((o) => o.id === ew.id);
            assert.equal(ob.status, 'waived');
            assert.equal(ob.missed_at, ob.due_at, 'the lateness stays on record');
            assert.equal(ob.waived_reason, `Telefonisch gemeld bij het NCSC (${name})`);
            assertNoProblems(page);
            await page.context().close();
        }
    });
});
