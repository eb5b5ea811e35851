// SPDX-License-Identifier: EUPL-1.2
// app.js - the shell: restores the session (GET /api/v1/session), draws the
// header (navigation, language, sign-out), routes on the location hash
// (#/incidents/INC-2026-0001) and opens the sign-in dialog when a session
// is lost, so the page and what was typed in it stay.
import { ApiError, get, onSessionLost, onStepUp, patch, del } from './lib/api.js';
import { watchTables } from './lib/cards.js';
import { h, replace } from './lib/dom.js';
import { errorBox } from './lib/forms.js';
import { lang, setLang, t, initialLang } from './lib/i18n.js';
import './lib/i18n_mfa_nav.js';
import './lib/i18n_statistics_nav.js';
import './lib/i18n_exercise_marker.js';
import { loadSchema } from './lib/schema.js';
import { atLeast, session, setSession, user } from './lib/session.js';
import { signInForm, passwordForm } from './pages/signin.js';
import { dashboardPage } from './pages/dashboard.js';
import { incidentsPage, newIncidentPage } from './pages/incidents.js';

const main = document.getElementById('main');
const header = document.getElementById('top');
let lostPromise = null;
let renderSeq = 0;
let shownPath = null; // the path of the page on screen, to tell a page change from a redraw
let menuOpen = false; // the folded navigation (phone width) is open; closed by a page change

const routes = [
    [/^\/?$/, () => dashboardPage()],
    [/^\/incidents\/new$/, () => newIncidentPage()],
    // the incident and alert pages load when first shown, outside the first load
    [
        /^\/incidents\/([^/]+)$/,
        async (m) => (await import('./pages/incident.js')).incidentPage(decodeURIComponent(m[1])),
    ],
    [/^\/incidents$/, (m, q) => incidentsPage(q)],
    [/^\/alerts$/, async (m, q) => (await import('./pages/alerts.js')).alertsPage(q)],
    // statistics (issue 22), loaded on demand
    [/^\/statistics$/, async (m, q) => (await import('./pages/statistics.js')).statisticsPage(q)],
    // admins only, and rarely: loaded when first shown, outside the first load
    [/^\/settings$/, async () => (await import('./pages/settings.js')).settingsPage()],
    // one's own sessions (issue 21), loaded on demand
    [/^\/sessions$/, async () => (await import('./pages/sessions.js')).sessionsPage()],
    // one's own second factor (issue 21), for everyone signed in
    [/^\/security$/, async () => (await import('./pages/security.js')).securityPage()],
    // the preparedness pages load on demand, outside the first load
    [/^\/preparedness$/, async (m, q) => (await import('./pages/assessment.js')).assessmentPage(q)],
    [
        /^\/preparedness\/register(?:\/([a-z]+))?$/,
        async (m) => (await import('./pages/register.js')).registerPage(m[1]),
    ],
    // exercises in tabletop mode (issue 22), loaded on demand
    [/^\/exercises$/, async () => (await import('./pages/exercises.js')).exercisesPage()],
    [
        /^\/exercises\/([^/]+)$/,
        async (m) => (await import('./pages/exercises.js')).exerciseRunPage(decodeURIComponent(m[1])),
    ],
    [
        /^\/exercises\/([^/]+)\/report$/,
        async (m) => (await import('./pages/exercises.js')).exerciseReportPage(decodeURIComponent(m[1])),
    ],
];

function parseHash() {
    const raw = location.hash.replace(/^#/, '') || '/';
    const [path, query] = raw.split('?');
    return { path, query: new URLSearchParams(query || '') };
}

async function route() {
    const seq = ++renderSeq;
    const { path, query } = parseHash();
    if (path !== shownPath) menuOpen = false;
    drawHeader();
    // a reminder's acknowledgement link: its token is the credential, no sign-in
    const ack = /^\/ack\/([A-Za-z0-9_-]+)$/.exec(parseHash().path);
    if (ack) return replace(main, (await import('./pages/reminders.js')).ackPage(ack[1]));
    if (!session()) return showSignIn();
    if (user().must_change_password) return showPassword();
    // the second factor (pages/security.js): the sign-in's second step, or a required factor first
    if (session().second_factor?.pending) return showSecondStep();
    if (session().second_factor?.enrol_required) return showEnrol();
    let page = null;
    for (const [re, fn] of routes) {
        const m = re.exec(path);
        if (m) {
            page = () => fn(m, query);
            break;
        }
    }
    replace(main, h('p', { class: 'muted' }, t('loading')));
    let node;
    try {
        await loadSchema(); // the vocabularies, once, before any page uses them
        node = page ? await page() : h('div', {}, h('h1', {}, t('not_found')), h('p', {}, t('not_found_text')));
    } catch (e) {
        node = h('div', {}, h('h1', {}, t('error_title')), errorBox(e));
    }
    if (seq !== renderSeq) return; // a newer navigation won
    replace(main, node);
    const h1 = main.querySelector('h1');
    document.title = h1 ? `${h1.textContent} · meldpunt` : 'meldpunt';
    // after a page change (not the first page, nor a redraw of the same page
    // for a new language or filter) focus goes to the new page's heading, so
    // a screen reader says where one is and Tab starts from there
    if (shownPath !== null && shownPath !== path && h1) {
        h1.setAttribute('tabindex', '-1');
        h1.focus();
    }
    shownPath = path;
    for (const a of header.querySelectorAll('nav a')) {
        const here =
            a.getAttribute('href') === `#${path.split('/').slice(0, 2).join('/')}` ||
            (a.getAttribute('href') === '#/' && path === '/');
        if (here) a.setAttribute('aria-current', 'page');
        else a.removeAttribute('aria-current');
    }
}

function drawHeader() {
    const u = user();
    const langSel = h(
        'select',
        { id: 'lang', name: 'language', onchange: (ev) => changeLanguage(ev.target.value) },
        h('option', { value: 'en', selected: lang() === 'en' }, 'English'),
        h('option', { value: 'nl', selected: lang() === 'nl' }, 'Nederlands'),
    );
    const sf = session()?.second_factor;
    const signedIn = u && !u.must_change_password && !sf?.pending && !sf?.enrol_required;
    const tools = h(
        'div',
        { class: 'tools' },
        h('label', { for: 'lang', class: 'sr-only' }, t('language')),
        langSel,
        // one's name leads to one's sessions (pages/sessions.js, loaded on demand)
        u && !u.must_change_password
            ? h('a', { class: 'who', href: '#/sessions', id: 'my-sessions' }, `${u.name} (${t('role_' + u.role)})`)
            : u
              ? h('span', { class: 'who' }, `${u.name} (${t('role_' + u.role)})`)
              : null,
        signedIn ? h('a', { href: '#/security', id: 'security-link' }, t('mfa_nav')) : null,
        u ? h('button', { type: 'button', id: 'signout', onclick: signOut }, t('sign_out')) : null,
    );
    if (!signedIn)
        return replace(
            header,
            h('a', { href: '#/', class: 'brand' }, 'meldpunt'),
            h('span', { class: 'spacer' }),
            tools,
        );
    const nav = h(
        'nav',
        { 'aria-label': t('nav_label') },
        h('a', { href: '#/' }, t('nav_dashboard')),
        h('a', { href: '#/incidents' }, t('nav_incidents')),
        h('a', { href: '#/alerts' }, t('nav_alerts')),
        h('a', { href: '#/preparedness' }, t('nav_preparedness')),
        h('a', { href: '#/statistics' }, t('nav_statistics')),
        h('a', { href: '#/exercises' }, t('nav_exercises')), // issue 22
        atLeast('admin') ? h('a', { href: '#/settings' }, t('nav_settings')) : null,
    );
    replace(
        header,
        h('a', { href: '#/', class: 'brand' }, 'meldpunt'),
        ...menu(h('div', { id: 'site-menu', class: 'menu' }, nav, tools)),
    );
}

/**
 * The navigation and the tools in a panel that a button opens and closes
 * at phone width (the CSS hides the button on wider screens, where the
 * panel always shows).  Escape closes it and gives focus back to the
 * button; a page change closes it (route()), a redraw of the same page
 * (another language) keeps it as it was.
 */
function menu(panel) {
    const button = h(
        'button',
        {
            type: 'button',
            id: 'menu-toggle',
            class: 'menu-toggle',
            'aria-expanded': 'false',
            'aria-controls': 'site-menu',
        },
        t('menu'),
    );
    const set = (open) => {
        menuOpen = open;
        button.setAttribute('aria-expanded', String(open));
        panel.classList.toggle('open', open);
    };
    set(menuOpen);
    button.addEventListener('click', () => set(button.getAttribute('aria-expanded') !== 'true'));
    const escape = (ev) => {
        if (ev.key !== 'Escape' || button.getAttribute('aria-expanded') !== 'true') return;
        set(false);
        button.focus();
    };
    button.addEventListener('keydown', escape);
    panel.addEventListener('keydown', escape);
    return [button, panel];
}

async function changeLanguage(v) {
    setLang(v);
    if (session()) {
        try {
            const res = await patch('/session', { language: v });
            if (res?.user) session().user = res.user;
        } catch (e) {
            /* remembered in this browser at least; say so */
            console.warn('language not saved', e);
        }
    }
    route(); // draws the header anew at once: the language menu keeps the focus
    document.getElementById('lang')?.focus();
}

async function signOut() {
    try {
        await del('/session', { noRetry: true });
    } catch {
        /* signed out already */
    }
    setSession(null);
    location.hash = '#/';
    route();
}

function afterSignIn(s) {
    setSession(s);
    if (s.user.language && s.user.language !== lang()) setLang(s.user.language);
    // a user without a language yet keeps the one chosen on the sign-in page
    if (!s.user.language) patch('/session', { language: lang() }, { noRetry: true }).catch(() => {});
}

function showSignIn() {
    document.title = `${t('sign_in')} · meldpunt`;
    replace(
        main,
        signInForm({
            onDone: (s) => {
                afterSignIn(s);
                route();
            },
        }),
    );
    main.querySelector('input')?.focus();
}

/** The session after a step of signing in, drawn anew. */
async function refreshSession() {
    setSession(await get('/session', { noRetry: true }));
}

async function showSecondStep() {
    const { secondStepForm } = await import('./pages/security.js');
    document.title = `${t('mfa_step_title')} · meldpunt`;
    replace(main, secondStepForm({ onDone: async () => (await refreshSession(), route()) }));
    main.querySelector('input')?.focus();
}

async function showEnrol() {
    const { securityPage } = await import('./pages/security.js');
    document.title = `${t('mfa_title')} · meldpunt`;
    replace(main, await securityPage({ onEnrolled: async () => (await refreshSession(), drawHeader()) }));
}

function showPassword() {
    document.title = `${t('change_password')} · meldpunt`;
    replace(
        main,
        passwordForm({
            onDone: async () => {
                const s = await get('/session', { noRetry: true });
                setSession(s);
                route();
            },
        }),
    );
}

/** The session ended under us: sign in again in a dialog over the page. */
function signInAgain() {
    if (lostPromise) return lostPromise;
    lostPromise = new Promise((resolve) => {
        const dlg = h('dialog', { class: 'signin-dialog', 'aria-labelledby': 'relogin-h' });
        const last = user()?.name ?? '';
        dlg.appendChild(h('h2', { id: 'relogin-h' }, t('session_lost')));
        dlg.appendChild(h('p', {}, t('session_lost_text')));
        dlg.appendChild(
            signInForm({
                name: last,
                heading: false,
                onDone: async (s) => {
                    if (s.second_factor?.pending) {
                        // the second step in the same dialog, then on as before
                        const { secondStepForm } = await import('./pages/security.js');
                        const form = secondStepForm({
                            onDone: async () => done(await get('/session', { noRetry: true })),
                        });
                        dlg.querySelector('form').replaceWith(form);
                        form.querySelector('input')?.focus();
                        return;
                    }
                    done(s);
                },
            }),
        );
        const done = (s) => {
            afterSignIn(s);
            dlg.close();
            dlg.remove();
            lostPromise = null;
            drawHeader();
            resolve();
        };
        dlg.addEventListener('cancel', (ev) => ev.preventDefault());
        document.body.appendChild(dlg);
        dlg.showModal();
        dlg.querySelector('input[name="password"]')?.focus();
    });
    return lostPromise;
}

async function start() {
    setLang(initialLang());
    onSessionLost(signInAgain);
    onStepUp(async () => (await import('./pages/security.js')).stepUp());
    watchTables(main);
    try {
        afterSignIn(await get('/session', { noRetry: true }));
    } catch (e) {
        if (!(e instanceof ApiError) || e.status !== 401) {
            replace(main, errorBox(e));
            return;
        }
        setSession(null);
    }
    // "#main" (the skip link) is a place on the page, not a route
    window.addEventListener('hashchange', () => {
        if (location.hash === '' || location.hash.startsWith('#/')) route();
        else document.getElementById(location.hash.slice(1))?.focus();
    });
    route();
}

start();
