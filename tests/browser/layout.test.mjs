// SPDX-License-Identifier: EUPL-1.2
// layout.test.mjs - every page at phone width (390 px) and on a laptop
// (1280 px), in English and Dutch: nothing scrolls sideways (WCAG 2.1
// 1.4.10 Reflow), the navigation folds into a menu button that the
// keyboard opens and closes, tables become stacked cards whose cells
// name their column, focus moves to the page heading after a page change,
// and axe-core finds nothing critical, serious or moderate in the light
// and the dark theme.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon } from '../e2e/lib/daemon.mjs';
import { addUser, browser as browserApi, session } from '../e2e/lib/session.mjs';
import { assertNoProblems, axeFindings, LAPTOP, launch, newPage, PHONE, screenshot, signIn, signOut } from './lib.mjs';

const NARROWEST = { width: 320, height: 640 };
const HOUR = 3600e3;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

describe('layout: phone width, menu, cards, focus, axe-core', () => {
    let d, browser, ref;
    const documents = {}; // the printable page of a draft, by language
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
    /** Every page of the front end, with something in each of its tables. */
    const pages = () => [
        '#/',
        '#/incidents',
        '#/incidents/new',
        `#/incidents/${ref}`,
        '#/incidents/INC-1999-9999',
        '#/alerts',
        '#/settings',
        '#/preparedness',
        ...['assets', 'threats', 'scenarios', 'measures', 'suppliers', 'functions', 'matrix'].map(
            (k) => `#/preparedness/register/${k}`,
        ),
    ];

    before(async () => {
        d = await startDaemon({
            args: process.env.MELDPUNT_WEB_ROOT ? ['--web-root', process.env.MELDPUNT_WEB_ROOT] : [],
        });
        addUser(d, 'ada', 'admin');
        const org = await api('GET', '/organisation');
        for (const k of ['version', 'updated_at']) delete org[k];
        await api('PUT', '/organisation', {
            ...org,
            name: 'Waterbedrijf Oost',
            sector: 'drinking_water',
            nis2_class: 'essential',
            annual_turnover_eur: 2e7,
        });
        await api('PUT', '/services/drinkwater', {
            description: 'Drinking water supply',
            users_total: 250000,
            critical: true,
        });
        const inc = await api('POST', '/incidents', {
            title: 'Pump station control unreachable after a firewall change on the management network',
            severity: 'high',
            detected_at: iso(Date.now() - 3 * HOUR),
            aware_at: iso(Date.now() - 2 * HOUR),
            services: ['drinkwater'],
            impact: { persons_health_damaged: 2, suspected_malicious: true },
        });
        ref = inc.ref;
        // a signed draft in each language (signed by a person, in a session),
        // so each has its printable page; the incident page lists them
        const max = await session(d, 'max', 'manager');
        for (const language of ['en', 'nl']) {
            const n = await api('POST', `/incidents/${inc.id}/notifications`, {
                regime: 'nis2',
                stage: 'early_warning',
                language,
            });
            const as = (res) => (assert.ok(res.status < 300, res.text), res.json);
            const filled = as(
                await browserApi(
                    d,
                    max,
                    'PATCH',
                    `/api/v1/notifications/${n.id}`,
                    { fields: { contact_official: 'M. de Vries, CISO, +31 6 1234 5678' } },
                    { headers: { 'if-match': `"${n.version}"` } },
                ),
            );
            as(
                await browserApi(
                    d,
                    max,
                    'POST',
                    `/api/v1/notifications/${n.id}/approve`,
                    {},
                    { headers: { 'if-match': `"${filled.version}"` } },
                ),
            );
            documents[language] = `/api/v1/notifications/${n.id}/document.html`;
        }
        await api('POST', '/incidents', { title: 'Phishing mail reported by staff', severity: 'low' });
        await api('POST', '/alerts', {
            source: 'siem',
            title: 'Login from a new country for user j.de.vries@example.org',
            severity: 'low',
            service: 'vpn',
        });
        const asset = await api('POST', '/register/assets', {
            name: 'Pumping stations SCADA',
            type: 'service',
            importance: 5,
        });
        const scen = await api('POST', '/register/scenarios', {
            name: 'Ransomware stops the pumps',
            threat: 'ransomware',
            asset: asset.id,
            likelihood: 4,
            impact: 5,
        });
        await api('POST', '/register/measures', {
            name: 'Network segmentation',
            type: 'preventive',
            status: 'in_progress',
            scenarios: [scen.id],
            due_date: '2020-01-01',
        });
        await api('POST', '/register/suppliers', {
            name: 'CloudPay BV',
            supplies: 'remote monitoring',
            criticality: 'critical',
            services: [asset.id],
            no_alternative: true,
        });
        await api('POST', '/register/functions', {
            name: 'Control room operator',
            service: asset.id,
            people: [{ name: 'B. Jansen', trained_on: '2024-01-15' }],
        });
        await api('POST', '/register/threats', { name: 'Flooding of the Vecht', category: 'physical' });
        browser = await launch();
    });
    after(async () => {
        await browser?.close();
        await d?.stopClean();
    });

    /** Goes to a hash route and waits until its page is drawn and settled. */
    async function visit(page, hash) {
        await page.goto(`${d.url}/${hash}`);
        await page.waitForFunction(
            () => document.querySelector('main h1') && !document.querySelector('main > p.muted:only-child'),
        );
        await page.waitForLoadState('networkidle');
    }

    async function signedIn(language, viewport) {
        const page = await newPage(browser, d.url, { locale: language === 'nl' ? 'nl-NL' : 'en-GB' });
        await signIn(page, d.url, 'ada');
        if ((await page.inputValue('#lang')) !== language) {
            await page.selectOption('#lang', language);
            await page.waitForFunction((l) => document.documentElement.lang === l, language);
        }
        await page.setViewportSize(viewport);
        return page;
    }

    /** How far the document scrolls sideways past the viewport, in px. */
    const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

    for (const language of ['en', 'nl']) {
        test(`reflow (${language}): at 390 px (and 320 px) no page scrolls sideways; at 1280 px neither`, async () => {
            const page = await signedIn(language, PHONE);
            const wide = [];
            for (const hash of pages()) {
                await visit(page, hash);
                const px = await overflow(page);
                if (px > 0) wide.push(`${hash}: ${px} px too wide`);
                // and at 320 px, the width WCAG 1.4.10 names
                await page.setViewportSize(NARROWEST);
                const px320 = await overflow(page);
                if (px320 > 0) wide.push(`${hash} at 320 px: ${px320} px too wide`);
                await page.setViewportSize(PHONE);
            }
            await page.goto(`${d.url}${documents[language]}`);
            await page.waitForSelector('.letterhead');
            if ((await overflow(page)) > 0) wide.push(`printable page: ${await overflow(page)} px too wide`);
            if (language === 'nl') await screenshot(page, 'notification-nl-phone');
            await page.setViewportSize(LAPTOP);
            for (const hash of pages()) {
                await visit(page, hash);
                const px = await overflow(page);
                if (px > 0) wide.push(`${hash} at 1280 px: ${px} px too wide`);
            }
            assert.deepEqual(wide, []);
            assertNoProblems(page);
            await page.context().close();
            // the sign-in page too, before anyone is signed in
            const out = await newPage(browser, d.url, { locale: language === 'nl' ? 'nl-NL' : 'en-GB' });
            await out.setViewportSize(PHONE);
            await out.goto(`${d.url}/`);
            await out.waitForSelector('#signin');
            assert.equal(await out.evaluate(() => document.documentElement.lang), language);
            assert.ok((await overflow(out)) <= 0, `sign-in page: ${await overflow(out)} px too wide`);
            assertNoProblems(out);
            await out.context().close();
        });
    }

    test('at 390 px the navigation is a menu button: Enter opens it, Escape closes it, a link closes it; at 1280 px no button', async () => {
        const page = await signedIn('en', PHONE);
        await visit(page, '#/');
        const toggle = page.locator('#menu-toggle');
        assert.ok(await toggle.isVisible());
        assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
        assert.equal(await toggle.getAttribute('aria-controls'), 'site-menu');
        assert.equal(await page.isVisible('nav a[href="#/alerts"]'), false);
        assert.equal(await page.isVisible('#signout'), false);
        // by keyboard only: Tab reaches the button, Enter opens, Tab goes into the menu
        await page.focus('.brand');
        await page.keyboard.press('Tab');
        assert.equal(await page.evaluate(() => document.activeElement.id), 'menu-toggle');
        await page.keyboard.press('Enter');
        assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
        assert.ok(await page.isVisible('nav a[href="#/alerts"]'));
        assert.ok(await page.isVisible('#signout'));
        await page.keyboard.press('Tab');
        assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), '#/');
        await screenshot(page, 'dashboard-phone-menu', { fullPage: false });
        // Escape closes it and gives focus back to the button
        await page.keyboard.press('Escape');
        assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
        assert.equal(await page.isVisible('nav a[href="#/alerts"]'), false);
        assert.equal(await page.evaluate(() => document.activeElement.id), 'menu-toggle');
        // Space opens it too; following a link goes there, with the menu closed
        await page.keyboard.press(' ');
        assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
        await page.click('nav a[href="#/alerts"]');
        await page.waitForSelector('#alert-list');
        assert.equal(await page.getAttribute('#menu-toggle', 'aria-expanded'), 'false');
        assert.equal(await page.getAttribute('nav a[href="#/alerts"]', 'aria-current'), 'page');
        await screenshot(page, 'alerts-phone');
        // on a laptop the links show and the button does not
        await page.setViewportSize(LAPTOP);
        assert.equal(await page.isVisible('#menu-toggle'), false);
        assert.ok(await page.isVisible('nav a[href="#/alerts"]'));
        assert.ok(await page.isVisible('#signout'));
        assertNoProblems(page);
        await page.context().close();
    });

    for (const language of ['en', 'nl']) {
        test(`at 390 px tables are stacked cards whose cells name their column (${language}); at 1280 px a table`, async () => {
            const page = await signedIn(language, PHONE);
            const seen = [];
            for (const hash of pages()) {
                await visit(page, hash);
                const tables = await page.evaluate(() =>
                    [...document.querySelectorAll('main table:not(.matrix)')].map((table) => {
                        const heads = [...table.tHead.rows[0].cells].map((th) => th.textContent.trim());
                        const cells = [...table.tBodies]
                            .flatMap((b) => [...b.rows])
                            .flatMap((tr) => [...tr.cells].map((c, i) => ({ c, i })));
                        return {
                            id: table.id || table.className,
                            rowDisplay: getComputedStyle(table.tBodies[0].rows[0]).display,
                            theadShown: table.tHead.getBoundingClientRect().height > 1,
                            wrong: cells
                                .filter(
                                    ({ c, i }) =>
                                        heads[i] &&
                                        (c.dataset.label !== heads[i] ||
                                            getComputedStyle(c, '::before').content !== JSON.stringify(heads[i])),
                                )
                                .map(({ c, i }) => `${heads[i]}: "${c.dataset.label}"`),
                            width: table.getBoundingClientRect().right,
                        };
                    }),
                );
                for (const t of tables) {
                    seen.push(`${hash} ${t.id}`);
                    assert.ok(['block', 'flex'].includes(t.rowDisplay), `${hash} ${t.id}: rows are cards, not ${t.rowDisplay}`);
                    assert.equal(t.theadShown, false, `${hash} ${t.id}: the header row is folded away`);
                    assert.deepEqual(t.wrong, [], `${hash} ${t.id}: every cell is labelled with its column`);
                    assert.ok(t.width <= PHONE.width, `${hash} ${t.id} ends at ${t.width} px`);
                }
                if (hash === '#/incidents' && language === 'en') await screenshot(page, 'incidents-phone');
            }
            for (const id of [
                '#/ open-counts',
                '#/incidents incident-list',
                '#/alerts alert-list',
                '#/preparedness/register/assets register-list',
            ])
                assert.ok(seen.includes(id), `${id} among ${seen.join(', ')}`);
            await page.setViewportSize(LAPTOP);
            await visit(page, '#/incidents');
            assert.equal(
                await page.evaluate(() => getComputedStyle(document.querySelector('#incident-list tbody tr')).display),
                'table-row',
            );
            assert.equal(
                await page.evaluate(
                    () => getComputedStyle(document.querySelector('#incident-list td'), '::before').content,
                ),
                'none',
            );
            assertNoProblems(page);
            await page.context().close();
        });
    }

    test('after a page change focus is on the new page heading, in both languages and widths', async () => {
        for (const [language, viewport] of [
            ['en', LAPTOP],
            ['nl', PHONE],
        ]) {
            const page = await signedIn(language, viewport);
            await visit(page, '#/');
            for (const [href, want] of [
                ['#/alerts', null],
                ['#/incidents', 'incident-list'],
                [`#/incidents/${ref}`, null],
                ['#/preparedness', null],
            ]) {
                if (viewport === PHONE && !href.startsWith('#/incidents/')) await page.click('#menu-toggle');
                if (href.startsWith('#/incidents/')) await page.click(`#incident-list a[href="${href}"]`);
                else await page.click(`nav a[href="${href}"]`);
                await page.waitForFunction(
                    (h) => location.hash === h && document.activeElement?.tagName === 'H1',
                    href,
                );
                const focused = await page.evaluate(() => ({
                    text: document.activeElement.textContent,
                    heading: document.querySelector('main h1').textContent,
                    title: document.title,
                }));
                assert.equal(focused.text, focused.heading, `${language} ${href}`);
                assert.ok(focused.title.startsWith(focused.heading), focused.title);
                if (want) await page.waitForSelector(`#${want}`);
            }
            // a redraw of the same page in another language is no page change:
            // focus stays on the language menu (and at 390 px the menu stays open)
            if (viewport === PHONE) await page.click('#menu-toggle');
            await page.focus('#lang');
            await page.selectOption('#lang', language === 'en' ? 'nl' : 'en');
            await page.waitForFunction(
                (l) => document.documentElement.lang !== l && document.querySelector('main h1'),
                language,
            );
            assert.equal(await page.evaluate(() => document.activeElement?.id), 'lang');
            assert.ok(await page.isVisible('#lang'));
            assertNoProblems(page);
            await page.context().close();
        }
    });

    for (const language of ['en', 'nl']) {
        test(`axe-core (${language}): no critical, serious or moderate finding on any page, light and dark, 1280 and 390 px`, async () => {
            const page = await signedIn(language, LAPTOP);
            const found = [];
            const check = async (where) => {
                for (const scheme of ['light', 'dark']) {
                    await page.emulateMedia({ colorScheme: scheme });
                    for (const viewport of [LAPTOP, PHONE]) {
                        await page.setViewportSize(viewport);
                        for (const f of await axeFindings(page))
                            found.push(`${where} ${scheme} ${viewport.width}px: ${f}`);
                    }
                }
            };
            for (const hash of pages()) {
                await visit(page, hash);
                await check(hash);
            }
            // the menu opened at phone width
            await page.click('#menu-toggle');
            for (const f of await axeFindings(page)) found.push(`menu open: ${f}`);
            // the printable page of a draft
            await page.goto(`${d.url}${documents[language]}`);
            await page.waitForSelector('.letterhead');
            await check('printable page');
            await page.goto(`${d.url}/`);
            await page.setViewportSize(LAPTOP);
            await page.emulateMedia({ colorScheme: 'light' });
            // signed out: the sign-in page
            await signOut(page);
            await check('sign-in');
            assert.deepEqual(found, []);
            assertNoProblems(page);
            await page.context().close();
        });
    }
});
