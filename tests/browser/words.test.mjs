// SPDX-License-Identifier: EUPL-1.2
// words.test.mjs - labels, never keys (issue 17): every page, in English and
// in Dutch, with data on it (an organisation, services, incidents whose
// reports are owed, a draft, a note, an alert, the risk register, an
// applicability assessment), every <details> opened, and nothing on the
// screen looks like the program's own words: no snake_case identifier, no
// JSON literal, no ISO timestamp in visible text, titles, aria-labels,
// placeholders or option text.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, startDaemon } from '../e2e/lib/daemon.mjs';
import { addUser } from '../e2e/lib/session.mjs';
import { assertNoProblems, launch, newPage, signIn } from './lib.mjs';

const HOUR = 3600e3;
const iso = (t) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** What reaches the screen, with where it was found; runs in the page. */
function screenText() {
    const out = [];
    const shown = (el) => el.checkVisibility?.({ checkOpacity: false, checkVisibilityCSS: true }) ?? true;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        const text = n.textContent.trim();
        // textarea.code: the reminder policy's JSON text, which the admin edits as
        // such (docs/REMINDERS.md); its errors name their place in it
        if (!text || !el || el.closest('script, style, template, textarea.code')) continue;
        if (el.closest('option') || shown(el))
            out.push([
                `<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className ? '.' + String(el.className).split(' ')[0] : ''}>`,
                text,
            ]);
    }
    for (const el of document.querySelectorAll('[title], [aria-label], [placeholder], [alt]'))
        for (const a of ['title', 'aria-label', 'placeholder', 'alt']) {
            const v = el.getAttribute(a);
            if (v) out.push([`${el.tagName.toLowerCase()}[${a}]`, v]);
        }
    out.push(['document.title', document.title]);
    return out;
}

/** Text that is the program's, not the user's language. */
const IDENTIFIER = [
    [/\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/, 'snake_case'],
    [/[[{]\s*"|"\s*:\s*[-"\d[{tfn]|^\s*(?:null|true|false|undefined|NaN|\[\]|\{\})\s*$/, 'JSON'],
    [/\d{4}-\d\d-\d\dT\d\d:\d\d/, 'ISO timestamp'],
    [/"[a-z][a-z0-9_]*"|\b(?:true|false|null)\b(?=[\s,\])]|$)/, 'JSON value'],
];

/** English legal prose, which the Dutch screen must not show: the acts, their parts and the notes on them. */
const ENGLISH_LAW =
    /\b(?:Directive|Regulation|Implementing|Delegated|Commission|Recommendation|Annex(?:es)?|recital|as amended|subparagraph|point|secondary|sources?|UNCONFIRMED|unless|within|hours?|without undue delay|and|of the|arts\.)\b/;

describe('labels, never keys: every page in both languages', () => {
    let d, browser, inc, leak;
    const call = async (method, p, body) => {
        const r = await api(d.url, d.adminToken, method, `/api/v1${p}`, body);
        assert.ok(r.status < 300, `${method} ${p}: ${r.status} ${r.text}`);
        return r.json;
    };
    before(async () => {
        d = await startDaemon();
        addUser(d, 'ada', 'admin');
        const org = await call('GET', '/organisation');
        const body = {
            ...org,
            name: 'Waterbedrijf Oost',
            sector: 'drinking_water',
            nis2_class: 'essential',
            kvk_number: '12345678',
            address: 'Postbus 1\n7500 AA Enschede',
            annual_turnover_eur: 5e7,
            recipients: {
                ...org.recipients,
                csirt: { name: 'NCSC', contact: 'cert@ncsc.nl' },
                supervisor: { name: 'ILT', contact: 'toezicht@ilent.nl' },
            },
        };
        delete body.version;
        delete body.updated_at;
        await call('PUT', '/organisation', body);
        await call('PUT', '/services/Drinkwater', {
            name: 'Drinkwater',
            users_total: 400000,
            critical: true,
            member_states: ['NL'],
        });
        inc = await call('POST', '/incidents', {
            title: 'Chloordosering gesaboteerd',
            description: 'Dosering door onbekenden op 10x gezet',
            services: ['Drinkwater'],
            aware_at: iso(Date.now() - HOUR),
            started_at: iso(Date.now() - 2 * HOUR),
            impact: {
                persons_health_damaged: 3,
                suspected_malicious: true,
                member_states: ['NL', 'BE'],
                users_affected: 5000,
            },
        });
        await call('POST', `/incidents/${inc.id}/transitions`, { to: 'triage' });
        await call('PATCH', `/incidents/${inc.id}`, { impact: { financial_loss_eur: 20000, duration_minutes: 180 } });
        await call('POST', `/incidents/${inc.id}/notes`, { text: 'Leverancier gebeld' });
        await call('POST', `/incidents/${inc.id}/notifications`, {
            regime: 'nis2',
            stage: 'early_warning',
            language: 'nl',
        });
        await call('POST', '/incidents', { title: 'Phishing bij de klantenservice', severity: 'low' });
        // a data breach: the GDPR's sources beside NIS2's
        leak = await call('POST', '/incidents', {
            title: 'Klantgegevens ingezien',
            aware_at: iso(Date.now() - HOUR),
            impact: { personal_data_breach: true, breach_high_risk: true },
        });
        await call('POST', '/alerts', {
            source: 'wazuh',
            title: 'Many failed logins on vpn01',
            severity: 'high',
            labels: { service: 'vpn' },
        });
        const asset = await call('POST', '/register/assets', {
            name: 'Zuiveringsinstallatie',
            type: 'system',
            importance: 5,
            crown_jewel: true,
        });
        await call('POST', '/register/scenarios', {
            name: 'Sabotage van de dosering',
            threat: 'ransomware',
            asset: asset.id,
            likelihood: 3,
            impact: 5,
        }).catch(() => null);
        browser = await launch();
    });
    after(async () => {
        await browser?.close();
        await d?.stopClean();
    });

    test('nothing identifier-shaped reaches the screen', async () => {
        const page = await newPage(browser, d.url);
        await signIn(page, d.url, 'ada');
        const routes = [
            '#/',
            '#/incidents',
            `#/incidents/${inc.ref}`,
            `#/incidents/${leak.ref}`,
            '#/incidents/new',
            '#/alerts',
            '#/preparedness',
            ...['assets', 'threats', 'scenarios', 'measures', 'suppliers', 'functions', 'matrix'].map(
                (k) => `#/preparedness/register/${k}`,
            ),
            '#/settings',
        ];
        const found = [];
        for (const lang of ['en', 'nl']) {
            if ((await page.getAttribute('html', 'lang')) !== lang)
                await Promise.all([
                    page.waitForResponse(
                        (x) => x.url().endsWith('/api/v1/session') && x.request().method() === 'PATCH',
                    ),
                    page.selectOption('#lang', lang),
                ]);
            for (const r of routes) {
                await page.goto(`${d.url}/${r}`);
                await page.reload();
                await page.waitForFunction((l) => document.documentElement.lang === l, lang);
                await page.waitForLoadState('networkidle');
                await page.evaluate(() => {
                    for (const x of document.querySelectorAll('details')) x.open = true;
                });
                for (const [where, text] of await page.evaluate(screenText)) {
                    for (const [re, what] of IDENTIFIER)
                        if (re.test(text)) found.push(`${lang} ${r} ${where} ${what}: ${text.slice(0, 140)}`);
                }
                // the legal sources (class source: citations, rule explanations) in Dutch
                if (lang === 'nl')
                    for (const text of await page.$$eval('.source, .legal', (xs) => xs.map((x) => x.textContent)))
                        if (ENGLISH_LAW.test(text)) found.push(`nl ${r} English legal prose: ${text.slice(0, 200)}`);
            }
        }
        assert.deepEqual([...new Set(found)], []);
        assertNoProblems(page);
        await page.context().close();
    });

    /** Signs in and switches to lang; the page follows the server's answer. */
    async function openAs(l, route) {
        const page = await newPage(browser, d.url);
        await signIn(page, d.url, 'ada');
        if ((await page.getAttribute('html', 'lang')) !== l)
            await Promise.all([
                page.waitForResponse((x) => x.url().endsWith('/api/v1/session') && x.request().method() === 'PATCH'),
                page.selectOption('#lang', l),
            ]);
        await page.goto(`${d.url}/${route}`);
        await page.waitForFunction((x) => document.documentElement.lang === x, l);
        return page;
    }

    test('the timeline in sentences, in English and in Dutch', async () => {
        const expect = {
            en: [
                /Impact: [^\n]*financial loss: € 20,000 \(was unknown\)/,
                /Impact: [^\n]*duration of the disruption: 3 h \(was unknown\)/,
                /changed the state from detected to triage/,
                /Early warning to NCSC and ILT due (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2},? \d\d:\d\d \(in 2[23] hours\)/,
                /Final report owed to NCSC and ILT; its due time follows from an earlier report/,
                /Draft of the early warning created/,
                /NIS2: must be reported: yes/,
                /admin \(API token\)/,
            ],
            nl: [
                /Impact: [^\n]*financieel verlies: € 20\.000 \(was onbekend\)/,
                /Impact: [^\n]*duur van de verstoring: 3 u \(was onbekend\)/,
                /wijzigde de status van gedetecteerd naar triage/,
                /Vroegtijdige waarschuwing aan NCSC en ILT uiterlijk (ma|di|wo|do|vr|za|zo) \d{1,2} [a-z]{3}\.?,? \d\d:\d\d \(over 2[23] uur\)/,
                /Eindverslag verschuldigd aan NCSC en ILT; de termijn volgt uit een eerdere melding/,
                /Concept van de vroegtijdige waarschuwing gemaakt/,
                /NIS2: meldplichtig: ja/,
                /admin \(API-token\)/,
            ],
        };
        for (const l of ['en', 'nl']) {
            const page = await openAs(l, `#/incidents/${inc.ref}`);
            await page.waitForSelector('#timeline li');
            const text = await page.textContent('#timeline');
            for (const re of expect[l]) assert.match(text, re, `${l}: ${text}`);
            assert.doesNotMatch(text, /\{"|_|→ \{|due to csirt/, `${l}: no JSON, no keys`);
            assertNoProblems(page);
            await page.context().close();
        }
    });

    test('an error from the API is shown at its field in Dutch, by its code, never the English message or the field name', async () => {
        const page = await openAs('nl', '#/settings');
        // a token name the server refuses (the browser lets it through)
        const form = page.locator('#token-form');
        await form.locator('[name="name"]').fill('geen geldige naam!');
        const [res] = await Promise.all([
            page.waitForResponse((r) => r.request().method() === 'POST' && /\/api\/v1\/tokens$/.test(r.url())),
            form.locator('button[type="submit"]').click(),
        ]);
        assert.equal(res.status(), 422);
        const err = await form.locator('[name="name"][aria-invalid="true"] + .field-error').textContent();
        assert.equal(
            err,
            'Gebruik alleen letters, cijfers, punten, streepjes en liggende streepjes, en begin met een letter of cijfer.',
        );
        const all = await form.textContent();
        assert.doesNotMatch(all, /must be|characters|name:/, 'no English, no field name');
        assert.match(await form.locator('.form-error').textContent(), /Controleer de gemarkeerde velden/);
        assertNoProblems(page);
        await page.context().close();
    });
});
