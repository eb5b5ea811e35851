// SPDX-License-Identifier: EUPL-1.2
// lib.mjs - helpers for the browser tests: Debian's chromium driven by
// playwright-core (never a downloaded browser), one context per person,
// signing in through the real form, and a watch on what the page did
// wrong (script errors, Content-Security-Policy refusals, requests to
// other hosts).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium } from 'playwright-core';

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export const CHROMIUM = process.env.MELDPUNT_CHROMIUM || '/usr/bin/chromium';
export const PASSWORD = 'correct horse battery 9';
/** Where screenshots go when MELDPUNT_SCREENSHOTS=DIR is set (docs/screenshots/). */
export const SHOTS = process.env.MELDPUNT_SCREENSHOTS || null;
/** A laptop's window and a phone's (issue 17: every item at 1280 and 390 px). */
export const LAPTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };
/** Each language at each width: {l, vp, name} ("nl 390px"), for tests that cover both. */
export const CASES = ['en', 'nl'].flatMap((l) => [LAPTOP, PHONE].map((vp) => ({ l, vp, name: `${l} ${vp.width}px` })));

export async function launch() {
    // As root (CI), chromium's sandbox cannot start: --no-sandbox there only.
    const args = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
    return chromium.launch({ executablePath: CHROMIUM, args, headless: true });
}

/**
 * A new browser context (own cookies and storage) with a page whose
 * problems are collected: page.problems lists script errors, CSP
 * violations and requests that left the server under test.
 */
export async function newPage(browser, base, { locale = 'en-GB', timezoneId = 'Europe/Amsterdam' } = {}) {
    const ctx = await browser.newContext({ locale, timezoneId, acceptDownloads: true, viewport: LAPTOP });
    const page = await ctx.newPage();
    // generous: signing in hashes with Argon2id, slow on a loaded machine under ASan
    page.setDefaultTimeout(30000);
    page.problems = [];
    page.on('pageerror', (e) => page.problems.push(`script error: ${e.message}`));
    page.on('console', (m) => {
        if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) page.problems.push(`csp: ${m.text()}`);
    });
    page.on('request', (r) => {
        if (!r.url().startsWith(base) && !r.url().startsWith('data:') && !r.url().startsWith('blob:'))
            page.problems.push(`request to another host: ${r.url()}`);
    });
    return page;
}

export function assertNoProblems(page) {
    assert.deepEqual(page.problems, [], page.problems.join('\n'));
}

/** Signs in through the form on the start page. */
export async function signIn(page, base, name, password = PASSWORD) {
    await page.goto(`${base}/`);
    await page.fill('#signin input[name="name"]', name);
    await page.fill('#signin input[name="password"]', password);
    await page.click('#signin button[type="submit"]');
    // attached, not visible: at phone width it sits in the folded menu
    await page.waitForSelector('#signout', { state: 'attached' });
}

export async function signOut(page) {
    await page.click('#signout');
    await page.waitForSelector('#signin');
}

/** Saves a full-page (or, fullPage false, what the window shows) screenshot as DIR/name.png when MELDPUNT_SCREENSHOTS is set. */
export async function screenshot(page, name, { fullPage = true } = {}) {
    if (!SHOTS) return;
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
}

/** The URL hash route of an incident. */
export const incidentUrl = (base, ref) => `${base}/#/incidents/${ref}`;

/**
 * Text on the page whose contrast with its background is below WCAG AA
 * (4.5:1; 3:1 for large text).  Each element with its own text is checked
 * against the first opaque background among it and its ancestors.
 */
export async function lowContrast(page) {
    return page.evaluate(() => {
        const rgb = (s) => (s.match(/[\d.]+/g) || []).map(Number);
        const lum = ([r, g, b]) => {
            const f = (c) => {
                c /= 255;
                return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
            };
            return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
        };
        const bgOf = (el) => {
            for (let e = el; e; e = e.parentElement) {
                const c = rgb(getComputedStyle(e).backgroundColor);
                if (c.length === 3 || (c.length === 4 && c[3] > 0.9)) return c;
            }
            return [255, 255, 255];
        };
        const bad = [];
        for (const el of document.querySelectorAll('body *')) {
            const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
            if (!own || !el.getClientRects().length) continue;
            const cs = getComputedStyle(el);
            if (cs.visibility === 'hidden' || el.closest('[hidden], .sr-only, .skip')) continue;
            const a = lum(rgb(cs.color));
            const b = lum(bgOf(el));
            const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
            const size = parseFloat(cs.fontSize);
            const large = size >= 24 || (size >= 18.66 && Number(cs.fontWeight) >= 700);
            if (ratio < (large ? 3 : 4.5)) bad.push(`${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
        }
        return bad;
    });
}

/**
 * What axe-core (npm axe-core, WCAG 2.1 A and AA and best practice) finds
 * on the page as it is now, at the impacts given: one line per rule and
 * element ("color-contrast (serious) .badge: …").  axe is put into the
 * page through the DevTools protocol, which the page's
 * Content-Security-Policy does not govern, so the page's own CSP stays on.
 */
export async function axeFindings(page, impacts = ['critical', 'serious', 'moderate']) {
    if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
    const violations = await page.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ['violations'] });
        return r.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            nodes: v.nodes.map(
                (n) => `${n.target.join(' ')}: ${n.failureSummary.split('\n').slice(1).join(' ').trim()}`,
            ),
        }));
    });
    return violations
        .filter((v) => impacts.includes(v.impact))
        .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}) ${n}`));
}
