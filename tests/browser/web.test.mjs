// SPDX-License-Identifier: EUPL-1.2
// web.test.mjs - the web front end in a real browser against the real
// daemon: assets (types, ETags, caching, size of the first load, no other
// hosts, nothing the CSP refuses), sign-in and sign-out, an incident walked
// from creation through triage and confirmation, impact facts with a field
// error and then facts that make it significant, the deadline appearing
// with a live countdown, a draft refused then approved by a manager, its
// signature downloaded and checked with `meldpunt verify`, submission; the
// admin settings; a viewer who sees no edit buttons and whom the API
// refuses when forced; a lost session that keeps what was typed; and the
// language switch remembered per user.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cli, startDaemon, tempDir } from '../e2e/lib/daemon.mjs';
import { addUser } from '../e2e/lib/session.mjs';
import { assertNoProblems, incidentUrl, launch, lowContrast, newPage, screenshot, signIn, signOut } from './lib.mjs';

describe('web front end', () => {
    let d, browser, ref;
    before(async () => {
        d = await startDaemon();
        for (const [name, role] of [['ada', 'admin'], ['anna', 'analyst'], ['max', 'manager'], ['vera', 'viewer']]) addUser(d, name, role);
        browser = await launch();
    });
    after(async () => {
        await browser?.close();
        await d?.stopClean();
    });

    test('assets: content types, ETags, caching, under 150 KB on first load, nothing from other hosts', async () => {
        const page = await newPage(browser, d.url);
        const assets = new Map();
        page.on('response', async (r) => {
            const u = new URL(r.url());
            if (u.pathname.startsWith('/api/')) return;
            assets.set(u.pathname, { status: r.status(), headers: r.headers(), size: (await r.body()).length });
        });
        await signIn(page, d.url, 'anna');
        await page.waitForSelector('#open-counts');
        await page.waitForLoadState('networkidle');
        const total = [...assets.values()].reduce((n, a) => n + a.size, 0);
        assert.ok(assets.has('/') && assets.has('/app.js') && assets.has('/style.css'), [...assets.keys()].join(' '));
        assert.ok(total < 150 * 1024, `first load is ${total} bytes`);
        const types = { '.js': /^text\/javascript/, '.css': /^text\/css/, '/': /^text\/html/, '.svg': /^image\/svg\+xml/ };
        for (const [p, a] of assets) {
            assert.equal(a.status, 200, p);
            const ext = Object.keys(types).find((e) => p.endsWith(e));
            assert.ok(ext, `unexpected asset ${p}`);
            assert.match(a.headers['content-type'], types[ext], p);
            assert.match(a.headers.etag, /^"[0-9a-f-]+"$/, p);
            assert.equal(a.headers['cache-control'], 'no-cache', p);
            assert.match(a.headers['content-security-policy'], /script-src 'self'/, p);
        }
        // revalidation: the same ETag answers 304 without a body
        const etag = assets.get('/app.js').headers.etag;
        const res = await fetch(`${d.url}/app.js`, { headers: { 'If-None-Match': etag } });
        assert.equal(res.status, 304);
        assert.equal(res.headers.get('etag'), etag);
        assertNoProblems(page);
        await page.context().close();
    });

    test('wrong password is said in words; an analyst signs in and out', async () => {
        const page = await newPage(browser, d.url);
        await page.goto(`${d.url}/`);
        await page.fill('#signin input[name="name"]', 'anna');
        await page.fill('#signin input[name="password"]', 'not the password at all');
        await page.click('#signin button[type="submit"]');
        await page.waitForSelector('#signin .form-error');
        assert.match(await page.textContent('#signin .form-error'), /Wrong name or password/);
        await screenshot(page, 'sign-in');
        await signIn(page, d.url, 'anna');
        assert.match(await page.textContent('.who'), /anna \(analyst\)/);
        await signOut(page);
        // the session is gone on the server too
        const status = await page.evaluate(async () => (await fetch('/api/v1/session')).status);
        assert.equal(status, 401);
        assertNoProblems(page);
        await page.context().close();
    });

    test('admin settings: organisation profile, a token shown once', async () => {
        const page = await newPage(browser, d.url);
        await signIn(page, d.url, 'ada');
        await page.click('nav a[href="#/settings"]');
        await page.waitForSelector('#org-form');
        // a wrong value is named at its field
        await page.fill('#org-form input[name="country"]', 'ZZZ');
        await page.click('#org-form button[type="submit"]');
        await page.waitForSelector('#org-form [name="country"][aria-invalid="true"] + .field-error');
        await page.fill('#org-form input[name="country"]', 'NL');
        await page.fill('#org-form input[name="name"]', 'Waterbedrijf Oost');
        await page.selectOption('#org-form select[name="sector"]', 'drinking_water');
        await page.selectOption('#org-form select[name="nis2_class"]', 'essential');
        // a new installation has not answered it; a water company is no DORA financial entity
        assert.equal(await page.inputValue('#org-form select[name="dora_financial"]'), '');
        await page.selectOption('#org-form select[name="dora_financial"]', 'false');
        await page.fill('#org-form input[name="annual_turnover_eur"]', '20000000');
        // the fields already hold what was typed: wait for the save itself
        await Promise.all([
            page.waitForResponse((r) => r.url().endsWith('/api/v1/organisation') && r.request().method() === 'PUT'),
            page.click('#org-form button[type="submit"]'),
        ]);
        await page.waitForFunction(() => document.querySelector('#org-form input[name="name"]')?.value === 'Waterbedrijf Oost' && !document.querySelector('#org-form .form-error'));
        const org = await page.evaluate(async () => (await fetch('/api/v1/organisation')).json());
        assert.equal(org.name, 'Waterbedrijf Oost');
        assert.equal(org.nis2_class, 'essential');
        assert.equal(org.dora_financial, false);
        assert.equal(org.sector, 'drinking_water');

        await page.fill('#service-form input[name="name"]', 'drinkwater');
        await page.fill('#service-form input[name="description"]', 'Drinking water supply');
        await page.fill('#service-form input[name="users_total"]', '250000');
        await page.selectOption('#service-form select[name="critical"]', 'true');
        await page.click('#service-form button[type="submit"]');
        await page.waitForSelector('#service-list >> text=drinkwater');
        const svc = await page.evaluate(async () => (await fetch('/api/v1/services/drinkwater')).json());
        assert.equal(svc.users_total, 250000);
        assert.equal(svc.critical, true);

        await page.fill('#token-form input[name="name"]', 'siem');
        await page.selectOption('#token-form select[name="role"]', 'ingest');
        await page.click('#token-form button[type="submit"]');
        const token = await page.textContent('#set-tokens .once code');
        assert.match(token, /^mp_[A-Za-z0-9_-]{43}$/);
        const me = await fetch(`${d.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
        assert.equal(me.status, 200);
        assert.ok(await page.isVisible('#token-list >> text=siem'));

        // a new user gets a one-time password, shown once, and must change it first
        await page.fill('#user-form input[name="name"]', 'nina');
        await page.selectOption('#user-form select[name="role"]', 'analyst');
        await page.click('#user-form button[type="submit"]');
        const once = (await page.textContent('#set-users .once code')).trim();
        assert.ok(once.length >= 12, once);
        assert.match(await page.textContent('#user-list'), /nina[\s\S]*must change password/);
        await screenshot(page, 'settings');
        assertNoProblems(page);
        await page.context().close();

        const nina = await newPage(browser, d.url);
        await nina.goto(`${d.url}/`);
        await nina.fill('#signin input[name="name"]', 'nina');
        await nina.fill('#signin input[name="password"]', once);
        await nina.click('#signin button[type="submit"]');
        await nina.waitForSelector('#password-form');
        await nina.fill('#password-form [name="current"]', once);
        await nina.fill('#password-form [name="new"]', 'short');
        await nina.click('#password-form button[type="submit"]');
        await nina.waitForSelector('#password-form [name="new"][aria-invalid="true"] + .field-error');
        await nina.fill('#password-form [name="new"]', 'a much longer passphrase 7');
        await nina.click('#password-form button[type="submit"]');
        await nina.waitForSelector('#open-counts');
        assert.match(await nina.textContent('.who'), /nina \(analyst\)/);
        assertNoProblems(nina);
        await nina.context().close();
    });

    test('an analyst creates an incident and walks it through triage and confirmation', async () => {
        const page = await newPage(browser, d.url);
        await signIn(page, d.url, 'anna');
        await page.click('nav a[href="#/incidents"]');
        await page.click('#new-incident');
        await page.fill('#incident-create input[name="title"]', 'Chlorine dosing changed remotely');
        await page.fill('#incident-create textarea[name="description"]', 'Dosing set to 10x by an unknown party');
        await page.selectOption('#incident-create select[name="severity"]', 'critical');
        await page.click('#incident-create button[type="submit"]');
        await page.waitForSelector('.incident h1');
        ref = (await page.textContent('.incident h1 .ref')).trim();
        assert.match(ref, /^INC-\d{4}-\d{4}$/);
        assert.equal((await page.textContent('#state')).trim(), 'detected');
        // only the transitions the state machine allows are offered
        const offered = async () => page.$$eval('#transition-form button[data-to]', (bs) => bs.map((b) => b.dataset.to));
        assert.deepEqual(await offered(), ['triage', 'dismissed']);
        await page.click('button[data-to="triage"]');
        await page.waitForFunction(() => document.getElementById('state')?.textContent === 'triage');
        assert.deepEqual(await offered(), ['confirmed', 'dismissed']);
        await page.click('button[data-to="confirmed"]');
        await page.waitForFunction(() => document.getElementById('state')?.textContent === 'confirmed');
        assert.deepEqual(await offered(), ['contained', 'resolved']);
        const tl = await page.textContent('#timeline');
        assert.match(tl, /changed the state from detected to triage/);
        assert.match(tl, /changed the state from triage to confirmed/);
        // in the list, found by search
        await page.goto(`${d.url}/#/incidents?q=Chlorine`);
        await page.waitForSelector(`#incident-list a:text("${ref}")`);
        await screenshot(page, 'incidents');
        assertNoProblems(page);
        await page.context().close();
    });

    test('impact facts: an error is shown at its field; facts that make it significant bring the deadline', async () => {
        const page = await newPage(browser, d.url);
        await signIn(page, d.url, 'anna');
        await page.goto(incidentUrl(d.url, ref));
        await page.waitForSelector('#facts-form');
        // before the facts: NIS2 applies but is undetermined, on the dashboard too
        assert.match(await page.textContent('[data-regime="nis2"]'), /undetermined/);
        // the facts that would decide it come first, marked; the rest are one click away
        assert.ok(await page.isVisible('#facts-form .field.missing [name="impact.persons_health_damaged"]'));
        assert.equal(await page.isVisible('#facts-form [name="impact.transactions_affected"]'), false);
        await page.click('#more-facts > summary');
        assert.ok(await page.isVisible('#facts-form [name="impact.transactions_affected"]'));
        await page.fill('#facts-form [name="impact.persons_health_damaged"]', '-3');
        await page.click('#save-facts');
        const err = await page.waitForSelector('#facts-form [name="impact.persons_health_damaged"][aria-invalid="true"] + .field-error');
        // refused in the browser, in words, before anything is sent
        assert.match(await err.textContent(), /0 or more/);
        assert.match(await page.textContent('#facts-form .form-error'), /cannot be read/);

        await page.fill('#facts-form [name="impact.persons_health_damaged"]', '3');
        await page.selectOption('#facts-form [name="impact.suspected_malicious"]', 'true');
        const hourAgo = await page.evaluate(() => {
            const d = new Date(Date.now() - 3600e3);
            const p = (n) => String(n).padStart(2, '0');
            return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
        });
        await page.fill('#facts-form [name="aware_at"]', hourAgo);
        await page.click('#save-facts');
        await page.waitForSelector('#obligations .countdown');
        const nis2 = await page.textContent('[data-regime="nis2"]');
        assert.match(nis2, /Must be reported: yes/);
        assert.match(nis2, /health/i, 'the criterion that fired is given in words');
        // the early warning is due 24 hours after awareness: about 23 hours left, ticking
        const first = await page.textContent('#obligations .countdown');
        assert.match(first, /^2[23]:\d\d:\d\d left$/);
        await page.waitForFunction((f) => document.querySelector('#obligations .countdown').textContent !== f, first, { timeout: 3000 });
        const utc = await page.getAttribute('#obligations time', 'title');
        assert.match(utc, /^UTC \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
        await screenshot(page, 'incident');

        // the dashboard lists it with its countdown
        await page.click('nav a[href="#/"]');
        await page.waitForSelector('.deadlines .countdown');
        assert.match(await page.textContent('.deadlines'), new RegExp(ref));
        assert.match(await page.textContent('#open-counts'), /confirmed\s*0\s*0\s*0\s*1\s*1/);
        assertNoProblems(page);
        await page.context().close();
    });

    test('a manager creates a draft, approval names the empty contents, then signs; the signature verifies; submitted', async () => {
        const page = await newPage(browser, d.url);
        await signIn(page, d.url, 'max');
        await page.goto(incidentUrl(d.url, ref));
        await page.waitForSelector('#draft-create');
        await page.selectOption('#draft-create select[name="obligation"]', 'nis2|early_warning');
        await page.selectOption('#draft-create select[name="language"]', 'en');
        await page.click('#draft-create button[type="submit"]');
        const card = '#drafts article.draft[data-state="draft"]';
        await page.waitForSelector(card);
        // prefilled from the incident
        assert.equal(await page.inputValue(`${card} [name="fields.suspected_malicious"]`), 'true');
        // approving cannot succeed yet: disabled, the empty contents named beside it
        await page.waitForSelector(`${card} button.approve[disabled]`);
        assert.match(await page.textContent(`${card} .blocked-reason`), /Cannot approve yet: fill in Contact details of the official/);
        await page.selectOption(`${card} [name="fields.cross_border"]`, 'false');
        await page.fill(`${card} [name="fields.contact_official"]`, 'CISO, +31 20 555 0100');
        await page.click(`${card} button.approve`);
        // what will be signed is shown first, and signing is confirmed
        await page.waitForSelector('dialog.confirm-sign[open]');
        assert.match(await page.textContent('dialog.confirm-sign'), /CISO, \+31 20 555 0100/);
        await page.click('dialog.confirm-sign button.sign');
        const signed = '#drafts article.draft[data-state="approved"]';
        await page.waitForSelector(signed);
        assert.equal(await page.$(`${signed} button.approve`), null, 'a signed version is not editable');

        const dir = tempDir('meldpunt-dl-');
        const save = async (kind) => {
            const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`${signed} a[data-kind="${kind}"]`)]);
            const file = path.join(dir, dl.suggestedFilename());
            await dl.saveAs(file);
            return file;
        };
        const doc = await save('json');
        const sig = await save('minisig');
        assert.equal(sig, `${doc}.minisig`, 'the signature is named for the document');
        const bundle = await save('bundle');
        assert.equal(fs.readFileSync(bundle).subarray(0, 2).toString(), 'PK');
        let v = cli(['verify', doc], { dataDir: d.dataDir });
        assert.equal(v.code, 0, v.stdout + v.stderr);
        // a changed byte fails
        fs.writeFileSync(doc, fs.readFileSync(doc, 'utf8').replace('CISO', 'CEO '));
        v = cli(['verify', doc], { dataDir: d.dataDir });
        assert.equal(v.code, 1, v.stdout + v.stderr);

        const [printable] = await Promise.all([page.waitForEvent('popup'), page.click(`${signed} a[data-kind="html"]`)]);
        await printable.waitForLoadState();
        assert.match(await printable.textContent('body'), /minisign/);
        await printable.close();

        await page.fill(`${signed} .submit-form [name="channel"]`, 'MijnNCSC');
        await page.click(`${signed} .submit-form button[type="submit"]`);
        await page.waitForSelector('#drafts article.draft[data-state="submitted"]');
        assert.match(await page.textContent('#obligations'), /submitted/);
        // a manager may decide a regime is not notifiable, with the reason shown
        await page.click('[data-regime="gdpr"] details:has(.decision-form) > summary');
        await page.fill('[data-regime="gdpr"] .decision-form [name="reason"]', 'No personal data involved: dosing system only');
        await page.click('[data-regime="gdpr"] .decision-form button[type="submit"]');
        await page.waitForSelector('[data-regime="gdpr"] .decision');
        assert.match(await page.textContent('[data-regime="gdpr"] .decision'), /not notifiable by max[\s\S]*No personal data/);
        // a manager may waive a report, with a reason
        await page.click('details.waive:has-text("NIS2 progress") > summary');
        await page.fill('details.waive[open] [name="reason"]', 'Final report will cover progress');
        await page.click('details.waive[open] button[type="submit"]');
        await page.waitForFunction(() => /Progress report[\s\S]*waived/.test(document.getElementById('obligations')?.textContent ?? ''));
        await screenshot(page, 'drafts');
        // a signed version is corrected by a new draft that supersedes it
        await page.click('#drafts article.draft[data-state="submitted"] button.correct');
        await page.waitForSelector('#drafts article.draft[data-state="draft"]');
        const fix = '#drafts article.draft[data-state="draft"]';
        assert.match(await page.textContent(`${fix} .meta`), /corrects an earlier version/);
        // it starts from the signed contents
        assert.equal(await page.inputValue(`${fix} [name="fields.contact_official"]`), 'CISO, +31 20 555 0100');
        assert.equal(await page.inputValue(`${fix} [name="fields.cross_border"]`), 'false');
        await signOut(page);
        assertNoProblems(page);
        await page.context().close();
    });

    test('a viewer sees no edit buttons, and the API refuses when forced', async () => {
        const page = await newPage(browser, d.url);
        await signIn(page, d.url, 'vera');
        assert.equal(await page.$('nav a[href="#/settings"]'), null);
        await page.goto(incidentUrl(d.url, ref));
        await page.waitForSelector('#facts-form');
        for (const sel of ['#transition-form', '#save-facts', '#draft-create', '#note-form', 'button.approve', '.submit-form', 'button.correct', '.waive', '.decision-form'])
            assert.equal(await page.$(sel), null, `${sel} is shown to a viewer`);
        assert.ok(await page.isDisabled('#facts-form [name="title"]'));
        // an incident that is not there is said in words, never a blank page
        await page.goto(`${d.url}/#/incidents/INC-1999-9999`);
        await page.waitForSelector('main .not-found');
        assert.equal(await page.textContent('main h1'), 'Incident not found');
        await page.goto(`${d.url}/#/incidents`);
        await page.waitForSelector('#incident-list');
        assert.equal(await page.$('#new-incident'), null);
        const forced = await page.evaluate(async (r) => {
            const s = await (await fetch('/api/v1/session')).json();
            const res = await fetch(`/api/v1/incidents/${r}`, {
                method: 'PATCH',
                headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token },
                body: JSON.stringify({ title: 'changed by a viewer' }),
            });
            return { status: res.status, type: res.headers.get('content-type') };
        }, ref);
        assert.equal(forced.status, 403);
        assert.match(forced.type, /problem\+json/);
        assertNoProblems(page);
        await page.context().close();
    });

    test('the list pages with the cursor and filters; times are local with UTC on hover', async () => {
        for (let i = 0; i < 27; i++) {
            const res = await fetch(`${d.url}/api/v1/incidents`, {
                method: 'POST',
                headers: { authorization: `Bearer ${d.adminToken}`, 'content-type': 'application/json' },
                body: JSON.stringify({ title: `Phishing wave ${i}`, severity: i % 2 ? 'low' : 'high', detected_at: '2026-01-15T10:30:00Z' }),
            });
            assert.equal(res.status, 201);
        }
        const page = await newPage(browser, d.url);
        await signIn(page, d.url, 'vera');
        await page.click('nav a[href="#/incidents"]');
        await page.waitForSelector('#incident-list');
        const refs = () => page.$$eval('#incident-list tbody tr td:first-child', (tds) => tds.map((td) => td.textContent));
        const first = await refs();
        assert.equal(first.length, 25);
        await page.click('.pager a[rel="next"]');
        await page.waitForFunction((f) => {
            const td = document.querySelector('#incident-list tbody td');
            return location.hash.includes('cursor=') && td && td.textContent !== f;
        }, first[0]);
        const second = await refs();
        assert.equal(second.length, 3); // 27 + the one from before, 25 a page
        assert.deepEqual(second.filter((r) => first.includes(r)), [], 'no incident on two pages');
        // filters go into the address, so a filtered list can be linked
        await page.click('.pager a:not([rel])');
        await page.waitForFunction(() => !location.hash.includes('cursor=') && document.querySelectorAll('#incident-list tbody tr').length === 25);
        await page.selectOption('#filters select[name="severity"]', 'low');
        await page.click('#filters button[type="submit"]');
        await page.waitForFunction(() => location.hash.includes('severity=low'));
        await page.waitForFunction(() => document.querySelectorAll('#incident-list tbody tr').length === 13);
        // 10:30 UTC in January is 11:30 in Amsterdam (the browser's zone here)
        const time = page.locator('#incident-list time').first();
        assert.match(await time.textContent(), /11:30/);
        assert.equal(await time.getAttribute('title'), 'UTC 2026-01-15 10:30:00');
        assert.equal(await time.getAttribute('datetime'), '2026-01-15T10:30:00Z');
        assertNoProblems(page);
        await page.context().close();
    });

    test('keyboard only: sign in by typing, Tab and Enter; every form control has a label; contrast; focus is visible', async () => {
        const page = await newPage(browser, d.url);
        await page.goto(`${d.url}/`);
        await page.waitForSelector('#signin');
        // the name field has the focus on arrival
        assert.equal(await page.evaluate(() => document.activeElement.name), 'name');
        await page.keyboard.type('max');
        await page.keyboard.press('Tab');
        await page.keyboard.type('correct horse battery 9');
        await page.keyboard.press('Enter');
        await page.waitForSelector('#signout');
        const unlabelled = async () =>
            page.$$eval('input, select, textarea', (els) =>
                els.filter((e) => e.type !== 'hidden' && e.labels.length === 0 && !e.getAttribute('aria-label')).map((e) => e.name || e.outerHTML),
            );
        for (const route of ['#/', '#/incidents', `#/incidents/${ref}`, '#/incidents/new']) {
            await page.goto(`${d.url}/${route}`);
            await page.waitForSelector('main h1');
            await page.waitForLoadState('networkidle');
            assert.deepEqual(await unlabelled(), [], route);
        }
        // every text has enough contrast, light and dark
        for (const scheme of ['light', 'dark']) {
            await page.emulateMedia({ colorScheme: scheme });
            for (const route of ['#/', `#/incidents/${ref}`]) {
                await page.goto(`${d.url}/${route}`);
                await page.waitForSelector('main h1');
                await page.waitForLoadState('networkidle');
                assert.deepEqual(await lowContrast(page), [], `${scheme} ${route}`);
            }
        }
        // focus is visible: the outline of a focused button is not none
        await page.focus('#signout');
        const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
        assert.notEqual(outline, 'none');
        assertNoProblems(page);
        await page.context().close();
    });

    test('a change made elsewhere meanwhile opens the choice between theirs and mine, and nothing typed is lost', async () => {
        const page = await newPage(browser, d.url);
        await signIn(page, d.url, 'anna');
        await page.goto(incidentUrl(d.url, ref));
        await page.waitForSelector('#facts-form');
        await page.fill('#facts-form [name="assignee"]', 'Anna de Vries');
        // someone else changes the incident first
        const res = await fetch(`${d.url}/api/v1/incidents/${ref}`, {
            method: 'PATCH',
            headers: { authorization: `Bearer ${d.adminToken}`, 'content-type': 'application/json' },
            body: JSON.stringify({ description: 'Dosing set to 10x; the supplier confirms a stolen password' }),
        });
        assert.equal(res.status, 200);
        await page.click('#save-facts');
        // not a dead end: their version beside mine, and the choice (tests/browser/workflow.test.mjs)
        await page.waitForSelector('#facts-form .conflict');
        assert.match(await page.textContent('#facts-form .conflict'), /admin \(API token\) saved first/);
        assert.equal(await page.textContent('#facts-form .conflict tr[data-field="assignee"] .mine'), 'Anna de Vries');
        assert.equal(await page.inputValue('#facts-form [name="assignee"]'), 'Anna de Vries');
        assertNoProblems(page);
        await page.context().close();
    });

    test('a lost session opens sign-in over the page; what was typed is kept and sent', async () => {
        const page = await newPage(browser, d.url);
        await signIn(page, d.url, 'anna');
        await page.goto(incidentUrl(d.url, ref));
        await page.waitForSelector('#note-form');
        await page.fill('#note-form textarea[name="text"]', 'Called the water board; they confirm the dosing change.');
        // the session ends on the server (signed out elsewhere)
        await page.evaluate(async () => {
            const s = await (await fetch('/api/v1/session')).json();
            await fetch('/api/v1/session', { method: 'DELETE', headers: { 'X-CSRF-Token': s.csrf_token } });
        });
        await page.click('#note-form button[type="submit"]');
        await page.waitForSelector('dialog.signin-dialog[open]');
        await page.fill('dialog [name="name"]', 'anna');
        await page.fill('dialog [name="password"]', 'correct horse battery 9');
        await page.click('dialog button[type="submit"]');
        await page.waitForSelector('dialog.signin-dialog', { state: 'detached' });
        await page.waitForFunction(() => /Called the water board/.test(document.getElementById('timeline')?.textContent ?? ''));
        assertNoProblems(page);
        await page.context().close();
    });

    test('language switch: Dutch throughout, remembered for the user in another browser', async () => {
        let page = await newPage(browser, d.url);
        await signIn(page, d.url, 'max');
        assert.equal(await page.textContent('nav a[href="#/incidents"]'), 'Incidents');
        await page.selectOption('#lang', 'nl');
        await page.waitForFunction(() => document.querySelector('nav a[href="#/incidents"]')?.textContent === 'Incidenten');
        assert.equal(await page.getAttribute('html', 'lang'), 'nl');
        await page.waitForSelector('#open-counts');
        assert.match(await page.textContent('main h1'), /Overzicht/);
        assert.match(await page.textContent('#open-counts'), /bevestigd/);
        assert.match(await page.textContent('.deadlines'), /ingediend|nog /);
        await screenshot(page, 'dashboard-nl');
        await page.goto(incidentUrl(d.url, ref));
        await page.waitForSelector('[data-regime="nis2"]');
        assert.match(await page.textContent('[data-regime="nis2"]'), /Meldplichtig: ja/);
        await page.context().close();

        // a fresh browser (no local storage, English locale): the user's language wins
        page = await newPage(browser, d.url, { locale: 'en-US' });
        await page.goto(`${d.url}/`);
        assert.equal(await page.textContent('#signin h1'), 'Sign in');
        await signIn(page, d.url, 'max');
        await page.waitForFunction(() => document.querySelector('nav a[href="#/incidents"]')?.textContent === 'Incidenten');
        assertNoProblems(page);
        await page.context().close();
    });

    test('the alert inbox: acknowledge, dismiss with a reason, attach to an incident, open an incident', async () => {
        const post = async (title) => {
            const res = await fetch(`${d.url}/api/v1/alerts`, {
                method: 'POST',
                headers: { authorization: `Bearer ${d.adminToken}`, 'content-type': 'application/json' },
                body: JSON.stringify({ source: 'siem', title, severity: 'low', service: 'vpn' }),
            });
            const body = await res.text();
            assert.equal(res.status, 201, body);
            assert.equal(JSON.parse(body).alert.state, 'new', 'the shipped rules only record low alerts');
        };
        for (const title of ['Login from a new country', 'Port scan from 203.0.113.9', 'Malware signature on a laptop']) await post(title);
        const page = await newPage(browser, d.url);
        await signIn(page, d.url, 'anna');
        await page.click('nav a[href="#/alerts"]');
        await page.waitForSelector('#alert-list');
        const row = (title) => page.locator('#alert-list tr', { hasText: title });
        assert.equal(await page.locator('#alert-list tbody tr').count(), 3);

        await row('Login from a new country').locator('button.ack').click();
        await page.waitForFunction(() => !/Login from a new country/.test(document.getElementById('alert-list')?.textContent ?? ''));
        await page.selectOption('#alert-filters select[name="state"]', 'acknowledged');
        await page.click('#alert-filters button[type="submit"]');
        await page.waitForSelector('#alert-list tr:has-text("Login from a new country")');
        // dismissing needs a reason: the API's word is shown at the field
        const r = row('Login from a new country');
        await r.locator('details:has(form.dismiss) > summary').click();
        await r.locator('form.dismiss button').click();
        await r.locator('form.dismiss [name="reason"][aria-invalid="true"]').waitFor();
        await r.locator('form.dismiss [name="reason"]').fill('The user is travelling');
        await r.locator('form.dismiss button').click();
        await page.waitForFunction(() => !/Login from a new country/.test(document.querySelector('main')?.textContent ?? ''));

        await page.goto(`${d.url}/#/alerts`);
        await page.waitForSelector('#alert-list tr:has-text("Port scan")');
        const scan = row('Port scan');
        await scan.locator('details:has(form.attach) > summary').click();
        await scan.locator('form.attach [name="incident"]').fill(ref);
        await scan.locator('form.attach button').click();
        await page.waitForFunction(() => !/Port scan/.test(document.getElementById('alert-list')?.textContent ?? ''));

        await row('Malware signature').locator('button.promote').click();
        await page.waitForSelector('.incident h1');
        assert.match(await page.textContent('.incident h1'), /Malware signature on a laptop/);

        const all = await page.evaluate(async () => (await (await fetch('/api/v1/alerts?limit=50')).json()).items);
        const st = Object.fromEntries(all.filter((a) => a.source === 'siem').map((a) => [a.title.split(' ')[0], a]));
        assert.equal(st.Login.state, 'dismissed');
        assert.equal(st.Login.reason, 'The user is travelling');
        assert.equal(st.Port.state, 'incident');
        assert.equal(st.Malware.state, 'incident');
        await page.goto(`${d.url}/#/alerts?state=`);
        await page.waitForSelector('#alert-list');
        await screenshot(page, 'alerts');
        assertNoProblems(page);
        await page.context().close();

        // a viewer reads the inbox but gets no actions
        await post('Disk almost full on the file server');
        const viewer = await newPage(browser, d.url);
        await signIn(viewer, d.url, 'vera');
        await viewer.goto(`${d.url}/#/alerts`);
        await viewer.waitForSelector('#alert-list tr:has-text("Disk almost full")');
        assert.equal(await viewer.locator('#alert-list button, #alert-list form').count(), 0);
        assertNoProblems(viewer);
        await viewer.context().close();
    });

    test('overdue reports are marked on the dashboard', async () => {
        const res = await fetch(`${d.url}/api/v1/incidents`, {
            method: 'POST',
            headers: { authorization: `Bearer ${d.adminToken}`, 'content-type': 'application/json' },
            body: JSON.stringify({
                title: 'Pump station sabotage',
                severity: 'high',
                detected_at: new Date(Date.now() - 50 * 3600e3).toISOString().replace(/\.\d+Z$/, 'Z'),
                aware_at: new Date(Date.now() - 48 * 3600e3).toISOString().replace(/\.\d+Z$/, 'Z'),
                impact: { persons_health_damaged: 2, suspected_malicious: true },
            }),
        });
        const body = await res.text();
        assert.equal(res.status, 201, body);
        const late = JSON.parse(body).ref;
        const page = await newPage(browser, d.url);
        await signIn(page, d.url, 'vera');
        await page.waitForSelector('.deadlines');
        const row = page.locator('.deadlines tr.overdue-row', { hasText: late }).first();
        assert.match(await row.textContent(), /Early warning/);
        assert.match(await row.locator('.countdown.overdue').textContent(), /^overdue by (1 d 00|23):\d\d:\d\d$/);
        assertNoProblems(page);
        await page.context().close();
    });

    test('screenshots of the main pages (English)', async () => {
        const page = await newPage(browser, d.url);
        await signIn(page, d.url, 'ada');
        await page.waitForSelector('#open-counts');
        await page.waitForSelector('.deadlines, .dashboard p.muted');
        await screenshot(page, 'dashboard');
        assertNoProblems(page);
        await page.context().close();
    });
});
