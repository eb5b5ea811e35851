// SPDX-License-Identifier: EUPL-1.2
// workflow.test.mjs - the workflow gaps of issue 17, in Chromium, in Dutch
// and in English: an action that cannot succeed now is disabled with the
// reason (closing while reports are open names them; dismissing needs its
// reason); a user's role changes only after a confirmation, and an arrow
// key on the select saves nothing; an edit conflict shows their change
// beside mine and lets me keep mine, take theirs or merge field by field;
// saved changes say so; a new installation shows a first-run checklist
// until it is done; the incident page puts the open reports first and the
// incident list has a "next deadline" column; an unknown incident says
// "Incident not found"; the error summary sits by the Save button and links
// to the fields; the password rules show before the first try.  Each item in
// both languages, on a laptop (1280 px) and a phone (390 px): CASES.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../e2e/lib/daemon.mjs';
import { addUser, browser as asUser, signIn as apiSignIn } from '../e2e/lib/session.mjs';
import { assertNoProblems, CASES, incidentUrl, LAPTOP, launch, newPage, signIn } from './lib.mjs';

const W = {
    en: {
        notFound: 'Incident not found',
        close: /Cannot close yet: \d+ report\(s\) neither submitted nor waived: NIS2 Early warning/,
        dismiss: /Dismissing needs the reason/,
        roleTitle: 'Change the role?',
        saved: 'Saved',
        conflict: 'Someone else saved first',
        // the server names who saved first: a person by the full name, a token by its name
        conflictBy: 'Ada Lovelace saved first',
        conflictByToken: 'admin (API token) saved first',
        next: 'Next deadline',
        setup: 'Getting started',
        rules: /At least 12 characters, without your user name in it/,
        // the reports owed, in sentences as the timeline says them
        owed: /^NIS2 Early warning to .+ due [A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} \d\d:\d\d \(in 2[23] hours\)$/,
    },
    nl: {
        notFound: 'Incident niet gevonden',
        close: /Nog niet te sluiten: \d+ melding\(en\) niet ingediend en niet afgezien: NIS2 Vroegtijdige waarschuwing/,
        dismiss: /Afwijzen vraagt de reden/,
        roleTitle: 'De rol wijzigen?',
        saved: 'Opgeslagen',
        conflict: 'Iemand anders sloeg eerder op',
        conflictBy: 'Ada Lovelace sloeg eerder op',
        conflictByToken: 'admin (API-token) sloeg eerder op',
        next: 'Eerstvolgende termijn',
        setup: 'Aan de slag',
        rules: /Minstens 12 tekens, zonder uw gebruikersnaam erin/,
        owed: /^NIS2 Vroegtijdige waarschuwing aan .+ uiterlijk [a-z]{2}\.? \d{1,2} [a-z]{3}\.? \d\d:\d\d \(over 2[23] uur\)$/,
    },
};

async function call(d, method, p, body, headers = {}) {
    const res = await fetch(`${d.url}/api/v1${p}`, {
        method,
        headers: { authorization: `Bearer ${d.adminToken}`, 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = res.headers.get('content-type')?.includes('json') ? await res.json() : null;
    return { status: res.status, json };
}

/** A browser page signed in as name, in language l, at the width of viewport vp. */
async function pageFor(browser, d, name, l, vp = LAPTOP) {
    const page = await newPage(browser, d.url, { locale: l === 'nl' ? 'nl-NL' : 'en-GB' });
    await signIn(page, d.url, name);
    if ((await page.getAttribute('html', 'lang')) !== l) {
        await Promise.all([
            page.waitForResponse((r) => r.url().endsWith('/api/v1/session') && r.request().method() === 'PATCH'),
            page.selectOption('#lang', l),
        ]);
        await page.waitForFunction((x) => document.documentElement.lang === x, l);
    }
    // the language is chosen on a laptop's width: on a phone's it sits in the folded menu
    await page.setViewportSize(vp);
    return page;
}

/** An incident that owes NIS2 reports (damage to health at a drinking-water company), moved to resolved. */
async function owingIncident(d, title) {
    let r = await call(d, 'POST', '/incidents', {
        title,
        description: 'Dosing set to 10x',
        aware_at: new Date(Date.now() - 3600e3).toISOString().replace(/\.\d+Z$/, 'Z'),
        impact: { persons_health_damaged: 3, suspected_malicious: true, cross_border: false },
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    const inc = r.json;
    for (const to of ['triage', 'confirmed', 'resolved']) {
        r = await call(d, 'POST', `/incidents/${inc.id}/transitions`, { to });
        assert.equal(r.status, 200, JSON.stringify(r.json));
    }
    return inc;
}

describe('workflow: only what can succeed, confirmations, conflicts, feedback, first run', () => {
    let d, browser;
    before(async () => {
        d = await startDaemon();
        for (const [name, role] of [
            ['ada', 'admin'],
            ['max', 'manager'],
            ['ann', 'analyst'],
            ['ben', 'viewer'],
        ])
            addUser(d, name, role);
        browser = await launch();
    });
    after(async () => {
        await browser?.close();
        await d?.stopClean();
    });

    test('a new installation shows the first-run checklist on the dashboard, each step ticked off as it is done', async () => {
        // a fresh installation: one admin (ada), nothing set up
        for (const { l, vp } of CASES) {
            const page = await pageFor(browser, d, 'ada', l, vp);
            await page.goto(`${d.url}/#/`);
            await page.waitForSelector('#setup');
            assert.equal(await page.textContent('#setup h2'), W[l].setup);
            const steps = await page.$$eval('#setup li', (li) => li.map((x) => [x.dataset.step, x.dataset.done]));
            assert.deepEqual(steps, [
                ['profile', 'false'],
                ['services', 'false'],
                ['assessment', 'false'],
                ['recipients', 'false'],
                ['second_admin', 'false'],
            ]);
            assertNoProblems(page);
            await page.context().close();
        }
        // a viewer does not set the installation up: no checklist
        const viewer = await pageFor(browser, d, 'ben', 'en');
        await viewer.waitForSelector('.dashboard h2#d-dl');
        assert.equal(await viewer.$('#setup'), null);
        await viewer.context().close();

        // all done: the list goes away
        const org = (await call(d, 'GET', '/organisation')).json;
        const body = {
            ...org,
            name: 'Waterbedrijf',
            sector: 'drinking_water',
            nis2_class: 'essential',
            annual_turnover_eur: 2e7,
        };
        delete body.version;
        delete body.updated_at;
        body.recipients = { ...(body.recipients ?? {}), supervisor: { name: 'ILT', contact: 'meldingen@ilent.nl' } };
        let r = await call(d, 'PUT', '/organisation', body);
        assert.equal(r.status, 200, JSON.stringify(r.json));
        const page = await pageFor(browser, d, 'ada', 'en');
        await page.waitForSelector('#setup li[data-step="profile"][data-done="true"]');
        assert.equal(await page.getAttribute('#setup li[data-step="recipients"]', 'data-done'), 'true');
        assert.equal(await page.getAttribute('#setup li[data-step="services"]', 'data-done'), 'false');
        r = await call(d, 'POST', '/users', { name: 'eve', role: 'admin' });
        assert.equal(r.status, 201, JSON.stringify(r.json));
        r = await call(d, 'PUT', '/services/drinkwater', {
            description: 'Drinking water',
            users_total: 100000,
            critical: true,
            member_states: ['NL'],
        });
        assert.ok([200, 201].includes(r.status), JSON.stringify(r.json));
        r = await call(d, 'POST', '/assessment', {
            answers: { eu_services: true, sector: 'health', subsector: 'healthcare_provider', headcount: 300 },
            language: 'en',
        });
        assert.equal(r.status, 201, JSON.stringify(r.json));
        await page.reload();
        await page.waitForSelector('.dashboard h2#d-dl');
        assert.equal(await page.$('#setup'), null, 'the checklist is gone once every step is done');
        assertNoProblems(page);
        await page.context().close();
    });

    test('an unknown incident URL says "Incident not found"', async () => {
        for (const { l, vp } of CASES) {
            const page = await pageFor(browser, d, 'ann', l, vp);
            await page.goto(incidentUrl(d.url, 'INC-1999-0042'));
            await page.waitForSelector('.not-found h1');
            assert.equal(await page.textContent('.not-found h1'), W[l].notFound);
            assert.equal(await page.getAttribute('.not-found a', 'href'), '#/incidents');
            assertNoProblems(page);
            await page.context().close();
        }
    });

    test('the incident page puts the open reports first; closing while they are open is disabled and names them; dismissing needs its reason', async () => {
        const inc = await owingIncident(d, 'Chlorine dosing sabotage');
        for (const { l, vp } of CASES) {
            const page = await pageFor(browser, d, 'max', l, vp);
            await page.goto(incidentUrl(d.url, inc.ref));
            await page.waitForSelector('#sec-obligations table');
            // by urgency: reports owed, then the classification, then facts, then the timeline
            const order = await page.$$eval('.incident > section[id]', (s) => s.map((x) => x.id));
            const pos = (id) => order.indexOf(id);
            assert.ok(pos('sec-obligations') === 0, order.join());
            assert.ok(pos('sec-obligations') < pos('sec-classification'), order.join());
            assert.ok(pos('sec-classification') < pos('sec-facts'), order.join());
            assert.ok(pos('sec-facts') < pos('sec-timeline'), order.join());
            // the first row is a report still owed, with its countdown
            assert.ok(
                await page.$('#obligations tbody tr:first-child .countdown, #obligations tbody tr:first-child time'),
            );
            // each report in a sentence: "NIS2 Early warning to CSIRT due Thu 4 Dec 07:17 (in 23 hours)"
            const said = await page.$eval('#obligations tbody tr[data-stage="early_warning"] td.sentence', (td) =>
                [...td.childNodes]
                    .filter((n) => !n.classList?.contains('recipient-problem'))
                    .map((n) => n.textContent)
                    .join(''),
            );
            assert.match(said, W[l].owed);
            assert.ok(await page.$('#obligations tbody tr[data-stage="early_warning"] td.sentence time[datetime]'));
            // resolved → closed cannot succeed while reports are open: disabled, the reports named
            const close = '#transition-form button[data-to="closed"]';
            assert.equal(await page.getAttribute(close, 'disabled'), '');
            const why = await page.textContent('.blocked-reason[data-for="closed"]');
            assert.match(why, W[l].close);
            const describedBy = await page.getAttribute(close, 'aria-describedby');
            assert.equal(await page.getAttribute(`#${describedBy}`, 'data-for'), 'closed');
            // the other way (back to confirmed) can succeed
            assert.equal(await page.getAttribute('#transition-form button[data-to="confirmed"]', 'disabled'), null);
            assertNoProblems(page);
            await page.context().close();
        }
        // dismissing needs the reason: disabled until the note says why
        const r = await call(d, 'POST', '/incidents', { title: 'Noise', severity: 'low' });
        for (const { l, vp } of CASES) {
            const page = await pageFor(browser, d, 'ann', l, vp);
            await page.goto(incidentUrl(d.url, r.json.ref));
            const dismiss = '#transition-form button[data-to="dismissed"]';
            await page.waitForSelector(dismiss);
            assert.equal(await page.getAttribute(dismiss, 'disabled'), '');
            assert.match(await page.textContent('.blocked-reason[data-for="dismissed"]'), W[l].dismiss);
            await page.fill('#transition-form textarea[name="note"]', 'a scanner of our own');
            assert.equal(await page.getAttribute(dismiss, 'disabled'), null);
            assert.equal(await page.$('.blocked-reason[data-for="dismissed"]'), null);
            await page.fill('#transition-form textarea[name="note"]', '');
            assert.equal(await page.getAttribute(dismiss, 'disabled'), '');
            assertNoProblems(page);
            await page.context().close();
        }
    });

    test('the incident list has a "next deadline" column: the nearest report owed', async () => {
        const inc = await owingIncident(d, 'Next deadline shown');
        for (const { l, vp } of CASES) {
            const page = await pageFor(browser, d, 'ann', l, vp);
            await page.goto(`${d.url}/#/incidents`);
            await page.waitForSelector('#incident-list');
            const heads = await page.$$eval('#incident-list thead th', (th) => th.map((x) => x.textContent));
            assert.equal(heads.at(-1), W[l].next);
            const row = page.locator('#incident-list tbody tr', { hasText: inc.ref });
            const cell = await row.locator('td.next-deadline').textContent();
            assert.match(cell, l === 'nl' ? /NIS2 · Vroegtijdige waarschuwing/ : /NIS2 · Early warning/);
            assert.ok(await row.locator('td.next-deadline time').count(), 'the due time is shown');
            assertNoProblems(page);
            await page.context().close();
        }
    });

    test('a role change asks for confirmation; an arrow key on the select saves nothing; confirmed, it says "Saved"', async () => {
        for (const [i, { l, vp }] of CASES.entries()) {
            const page = await pageFor(browser, d, 'ada', l, vp);
            await page.goto(`${d.url}/#/settings`);
            const sel = '#user-list tr:has-text("ben") select[name="role"]';
            await page.waitForSelector(sel);
            const before = (await call(d, 'GET', '/users/ben')).json.role;
            // an arrow key changes the select: a question, not a change
            await page.focus(sel);
            await page.keyboard.press('ArrowDown');
            await page.waitForSelector('dialog.confirm-role[open]');
            assert.equal(await page.textContent('dialog.confirm-role h2'), W[l].roleTitle);
            // the safe choice has the focus: Enter cancels
            assert.equal(await page.evaluate(() => document.activeElement.className), 'cancel');
            await page.keyboard.press('Enter');
            await page.waitForSelector('dialog.confirm-role', { state: 'detached' });
            assert.equal((await call(d, 'GET', '/users/ben')).json.role, before, 'an arrow key saved the role');
            assert.equal(await page.inputValue(sel), before, 'the select shows the role still in force');
            // chosen and confirmed: changed, and said so
            const to = i % 2 === 0 ? 'analyst' : 'viewer';
            await page.selectOption(sel, to);
            await page.waitForSelector('dialog.confirm-role[open]');
            await page.click('dialog.confirm-role button.primary');
            await page.waitForSelector('.saved-note');
            assert.equal(await page.textContent('.saved-note'), W[l].saved);
            assert.equal(await page.getAttribute('.saved-note', 'role'), 'status');
            assert.equal((await call(d, 'GET', '/users/ben')).json.role, to);
            assertNoProblems(page);
            await page.context().close();
        }
    });

    test('the error summary sits by the Save button and links to the fields; a saved change says "Saved"', async () => {
        const r = await call(d, 'POST', '/incidents', { title: 'Summary by the button', severity: 'low' });
        for (const { l, vp, name } of CASES) {
            const page = await pageFor(browser, d, 'ann', l, vp);
            await page.goto(incidentUrl(d.url, r.json.ref));
            await page.waitForSelector('#facts-form');
            await page.fill('#facts-form [name="title"]', '');
            await page.click('#save-facts');
            await page.waitForSelector('#facts-form .form-error');
            // right before the Save button, not at the top of a long form
            assert.equal(
                await page.evaluate(() => document.querySelector('#facts-form .form-error').nextElementSibling?.id),
                'save-facts',
            );
            const link = '#facts-form .form-error a';
            assert.equal(
                await page.getAttribute(link, 'href'),
                `#${await page.getAttribute('#facts-form [name="title"]', 'id')}`,
            );
            await page.focus('#save-facts');
            await page.click(link);
            assert.equal(await page.evaluate(() => document.activeElement.name), 'title');
            assert.match(page.url(), /#\/incidents\//);
            // corrected and saved: "Saved"
            await page.fill('#facts-form [name="title"]', `Summary by the button (${name})`);
            await page.click('#save-facts');
            await page.waitForSelector('.saved-note');
            assert.equal(await page.textContent('.saved-note'), W[l].saved);
            assert.equal((await call(d, 'GET', `/incidents/${r.json.id}`)).json.title, `Summary by the button (${name})`);
            assertNoProblems(page);
            await page.context().close();
        }
    });

    test('an edit conflict: their change beside mine; keep mine, take theirs, or merge field by field; nothing typed is lost', async () => {
        const inc = (await call(d, 'POST', '/incidents', { title: 'Conflict', description: 'start', severity: 'low' }))
            .json;
        // their change: ada's, a person with a full name (or the admin's API token: token true)
        assert.equal((await call(d, 'PATCH', '/users/ada', { full_name: 'Ada Lovelace' })).status, 200);
        const ada = await apiSignIn(d, 'ada');
        const theirs = async (body, token = false) => {
            const cur = (await call(d, 'GET', `/incidents/${inc.id}`)).json;
            const headers = { 'if-match': `"${cur.version}"` };
            const res = token
                ? await call(d, 'PATCH', `/incidents/${inc.id}`, body, headers)
                : await asUser(d, ada, 'PATCH', `/api/v1/incidents/${inc.id}`, body, { headers });
            assert.equal(res.status, 200, JSON.stringify(res.json));
        };
        // the incident page as it is now (one sign-in per case: Argon2id is slow under ASan)
        const open = async (page) => {
            await page.goto(`${d.url}/#/`);
            await page.goto(incidentUrl(d.url, inc.ref));
            await page.waitForSelector('#facts-form');
            return page;
        };
        const get = async () => (await call(d, 'GET', `/incidents/${inc.id}`)).json;

        for (const { l, vp, name } of CASES) {
            // keep mine: mine is re-applied on top of theirs
            const page = await open(await pageFor(browser, d, 'ann', l, vp));
            await theirs({ description: `their description ${name}`, assignee: `kim-${vp.width}` });
            await page.fill('#facts-form [name="description"]', `my description ${name}`);
            await page.fill('#facts-form [name="title"]', `My title ${name}`);
            await page.click('#save-facts');
            await page.waitForSelector('.conflict');
            assert.equal(await page.textContent('.conflict h3'), W[l].conflictBy);
            const row = '.conflict tr[data-field="description"]';
            assert.equal(await page.textContent(`${row} .theirs`), `their description ${name}`);
            assert.equal(await page.textContent(`${row} .mine`), `my description ${name}`);
            // what I typed is still in the form
            assert.equal(await page.inputValue('#facts-form [name="description"]'), `my description ${name}`);
            await page.click('.conflict button.keep-mine');
            await page.waitForSelector('.saved-note');
            let now = await get();
            assert.equal(now.description, `my description ${name}`);
            assert.equal(now.title, `My title ${name}`);
            assert.equal(now.assignee, `kim-${vp.width}`, 'their other change stays');

            // take theirs: mine discarded on purpose, the page shows theirs
            await open(page);
            await theirs({ description: `hun beschrijving ${name}` }, true);
            await page.fill('#facts-form [name="description"]', `mijn beschrijving ${name}`);
            await page.click('#save-facts');
            await page.waitForSelector('.conflict');
            assert.equal(await page.textContent('.conflict h3'), W[l].conflictByToken);
            await page.click('.conflict button.take-theirs');
            await page.waitForFunction(() => !document.querySelector('.conflict'));
            assert.equal(await page.inputValue('#facts-form [name="description"]'), `hun beschrijving ${name}`);
            assert.equal((await get()).description, `hun beschrijving ${name}`);

            // merge field by field: theirs for one field, mine for the other
            await open(page);
            await theirs({ description: `hun tekst ${name}`, title: `Hun titel ${name}` });
            await page.fill('#facts-form [name="description"]', `mijn tekst ${name}`);
            await page.fill('#facts-form [name="title"]', `Mijn titel ${name}`);
            await page.click('#save-facts');
            await page.waitForSelector('.conflict');
            await page.click('.conflict button.merge-fields');
            await page.check('.conflict tr[data-field="title"] input[value="theirs"]');
            await page.click('.conflict button.save-merge');
            await page.waitForSelector('.saved-note');
            assert.equal(await page.textContent('.saved-note'), W[l].saved);
            now = await get();
            assert.equal(now.title, `Hun titel ${name}`);
            assert.equal(now.description, `mijn tekst ${name}`);
            assertNoProblems(page);
            await page.context().close();
        }
    });

    test('a draft: saved says "Saved"; someone else saved first: theirs beside mine, keep mine', async () => {
        const inc = await owingIncident(d, 'Draft conflict');
        const created = await call(d, 'POST', `/incidents/${inc.id}/notifications`, {
            regime: 'nis2',
            stage: 'early_warning',
            language: 'en',
        });
        assert.equal(created.status, 201, JSON.stringify(created.json));
        const N = `/notifications/${created.json.id}`;
        const card = `#drafts article.draft[data-id="${created.json.id}"]`;
        for (const { l, vp, name } of CASES) {
            const page = await pageFor(browser, d, 'ann', l, vp);
            await page.goto(incidentUrl(d.url, inc.ref));
            await page.waitForSelector(`${card} [name="fields.summary"]`);
            // someone else saves the contact while this page is open
            const cur = (await call(d, 'GET', N)).json;
            const res = await call(
                d,
                'PATCH',
                N,
                { fields: { contact_official: `theirs ${name}` } },
                { 'if-match': `"${cur.version}"` },
            );
            assert.equal(res.status, 200, JSON.stringify(res.json));
            await page.fill(`${card} [name="fields.summary"]`, `my summary ${name}`);
            await page.click(`${card} button.save-draft`);
            await page.waitForSelector(`${card} .conflict`);
            assert.equal(await page.textContent(`${card} .conflict h3`), W[l].conflict);
            assert.equal(
                await page.textContent(`${card} .conflict tr[data-field="fields.summary"] .mine`),
                `my summary ${name}`,
            );
            await page.click(`${card} .conflict button.keep-mine`);
            await page.waitForSelector('.saved-note');
            assert.equal(await page.textContent('.saved-note'), W[l].saved);
            const now = (await call(d, 'GET', N)).json;
            assert.equal(now.fields.summary, `my summary ${name}`);
            assert.equal(now.fields.contact_official, `theirs ${name}`, 'their change stays');
            assert.equal(await page.inputValue(`${card} [name="fields.contact_official"]`), `theirs ${name}`);
            assertNoProblems(page);
            await page.context().close();
        }
    });

    test('the password rules are shown before the first try', async () => {
        for (const { l, vp } of CASES) {
            const name = `new-${l}-${vp.width}`;
            const res = await call(d, 'POST', '/users', { name, role: 'viewer' });
            assert.equal(res.status, 201, JSON.stringify(res.json));
            const page = await newPage(browser, d.url, { locale: l === 'nl' ? 'nl-NL' : 'en-GB' });
            await page.setViewportSize(vp);
            await page.goto(`${d.url}/`);
            await page.fill('#signin input[name="name"]', name);
            await page.fill('#signin input[name="password"]', res.json.password);
            await page.click('#signin button[type="submit"]');
            await page.waitForSelector('#password-form');
            const hint = await page.getAttribute('#password-form [name="new"]', 'aria-describedby');
            assert.match(await page.textContent(`#${hint}`), W[l].rules);
            assert.equal(await page.$('#password-form .form-error'), null, 'shown before any refusal');
            assertNoProblems(page);
            await page.context().close();
        }
    });
});
