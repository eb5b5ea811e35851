// SPDX-License-Identifier: EUPL-1.2
// dashboard.js - what needs attention now: open incidents by state and
// severity, every open report owed with a live countdown (overdue ones
// marked), and open incidents whose reporting duty is undetermined because
// facts are missing.
import { get, seg } from '../lib/api.js';
import { countdown, h, replace, timeEl } from '../lib/dom.js';
import { errorBox } from '../lib/forms.js';
import { calendarSection } from './calendar.js';
import { t, pick } from '../lib/i18n.js';
import { OPEN_STATES, SEVERITIES } from '../lib/schema.js';
import { atLeast } from '../lib/session.js';
import { reportLabel } from '../lib/i18n_words.js';
import { exerciseMarker } from './exercise_marker.js';

/** The newest open incidents: one page of n per open state (the undetermined list reads these). */
async function recentOpen(n) {
    const pages = await Promise.all(
        OPEN_STATES.map((state) => get(`/incidents?${new URLSearchParams({ state, limit: String(n) })}`)),
    );
    return pages
        .flatMap((p) => p.items)
        .sort((a, b) => b.created_at.localeCompare(a.created_at))
        .slice(0, n);
}

/** Open incidents by state and severity: the server's counts (GET /dashboard), kept in step with every change. */
function countsTable(counts) {
    return h(
        'table',
        { class: 'counts', id: 'open-counts' },
        h('caption', {}, t('open_by_state')),
        h(
            'thead',
            {},
            h(
                'tr',
                {},
                h('th', { scope: 'col' }, t('state')),
                SEVERITIES.map((s) => h('th', { scope: 'col' }, t('sev_' + s))),
                h('th', { scope: 'col' }, t('total')),
            ),
        ),
        h(
            'tbody',
            {},
            OPEN_STATES.map((st) => {
                const row = counts[st] ?? {};
                return h(
                    'tr',
                    {},
                    h('th', { scope: 'row' }, h('a', { href: `#/incidents?state=${st}` }, t('state_' + st))),
                    SEVERITIES.map((sev) => {
                        const n = row[sev] ?? 0;
                        return h('td', { class: n ? `sev-${sev}` : 'muted' }, String(n));
                    }),
                    h('td', {}, String(row.total ?? 0)),
                );
            }),
        ),
    );
}

export function deadlineRow(o, { withIncident = true } = {}) {
    const due = o.due_at;
    const overdue = o.status === 'missed' || (due && Date.parse(due) < Date.now());
    return h(
        'tr',
        { class: overdue ? 'overdue-row' : '' },
        withIncident
            ? h(
                  'td',
                  {},
                  h('a', { href: `#/incidents/${seg(o.incident_ref ?? o.incident)}` }, o.incident_ref ?? ''),
                  ' ',
                  o.incident_title ?? '',
              )
            : null,
        h('td', {}, reportLabel(o)),
        // every recipient; one the profile does not configure is shown, not dropped
        h(
            'td',
            {},
            (o.recipients ?? [{ role: o.recipient }]).map((r) => t('rcp_' + r.role)).join(', '),
            recipientProblems(o),
        ),
        h(
            'td',
            {},
            due
                ? timeEl(due)
                : o.due_now
                  ? h('strong', { class: 'due-now' }, t('due_now'))
                  : h('span', { class: 'muted' }, t('no_deadline_yet')),
        ),
        h('td', {}, standing(o)),
    );
}

/** Where a report stands: its countdown while owed, and its status once settled or late. */
export function standing(o) {
    const due = o.due_at;
    return [
        due && (o.status === 'pending' || o.status === 'missed') ? countdown(due) : null,
        o.status !== 'pending' || !due ? [' ', h('span', { class: `status-${o.status}` }, t('ob_' + o.status))] : null,
    ];
}

/** What keeps a report from reaching a recipient (one not configured in the profile). */
export const recipientProblems = (o) =>
    (o.problems ?? []).map((p) => h('p', { class: 'missing-note recipient-problem' }, pick(p.text)));

export function deadlinesTable(items, opts = {}) {
    if (!items.length) return h('p', { class: 'muted' }, t('no_deadlines'));
    return h(
        'table',
        { class: 'deadlines' },
        h(
            'thead',
            {},
            h(
                'tr',
                {},
                opts.withIncident === false ? null : h('th', { scope: 'col' }, t('incident')),
                h('th', { scope: 'col' }, t('report')),
                h('th', { scope: 'col' }, t('recipient')),
                h('th', { scope: 'col' }, t('due')),
                h('th', { scope: 'col' }, t('time_remaining')),
            ),
        ),
        h(
            'tbody',
            {},
            items.map((o) => deadlineRow(o, opts)),
        ),
    );
}

async function undetermined(incidents) {
    const recent = incidents.slice(0, 40);
    // the facts by their labels (the incident page's words)
    const S = await import('../lib/sentences.js');
    const results = await Promise.all(
        recent.map(async (i) => {
            try {
                const c = await get(`/incidents/${seg(i.id)}/classification`);
                const open = c.regimes.filter((r) => r.applies !== 'no' && r.significant === 'undetermined');
                return open.length ? { i, open } : null;
            } catch {
                return null;
            }
        }),
    );
    const list = results.filter(Boolean);
    if (!list.length) return h('p', { class: 'muted' }, t('none_undetermined'));
    const SHOWN = 10;
    const ul = h(
        'ul',
        { class: 'undetermined' },
        list.slice(0, SHOWN).map(({ i, open }) =>
            h(
                'li',
                {},
                h('a', { href: `#/incidents/${seg(i.ref)}` }, `${i.ref} ${i.title}`),
                exerciseMarker(i) ? ' ' : null,
                exerciseMarker(i), // issue 22
                h(
                    'ul',
                    {},
                    open.map((r) =>
                        h(
                            'li',
                            {},
                            pick(r.title),
                            ': ',
                            t('needs_facts'),
                            ' ',
                            r.missing.length ? r.missing.map((x) => S.factLabel(x)).join(', ') : t('unknown'),
                        ),
                    ),
                ),
            ),
        ),
    );
    if (list.length > SHOWN) ul.appendChild(h('li', { class: 'muted' }, t('and_more', { n: list.length - SHOWN })));
    return ul;
}

/** What the preparedness side asks attention for (GET /preparedness/attention). */
function attention() {
    const sec = h(
        'section',
        { 'aria-labelledby': 'd-att', id: 'attention' },
        h('h2', { id: 'd-att' }, t('prep_attention')),
    );
    get('/preparedness/attention').then(
        (a) => {
            const part = (key, items, fn) =>
                items.length
                    ? h(
                          'div',
                          { class: 'card', 'data-part': key },
                          h('h3', {}, t('att_' + key)),
                          h(
                              'ul',
                              {},
                              items.map((i) => h('li', {}, fn(i))),
                          ),
                      )
                    : null;
            const parts = [
                part('overdue_measures', a.overdue_measures, (m) => [
                    m.name,
                    ' · ',
                    t('due'),
                    ' ',
                    m.due_date,
                    m.owner ? ` · ${m.owner}` : '',
                ]),
                part('training_lapsed', a.training_lapsed, (f) => [f.name, ': ', f.people.join(', ')]),
                part('suppliers_without_alternative', a.suppliers_without_alternative, (s) => [
                    s.name,
                    ' · ',
                    t('rv_' + s.criticality),
                ]),
            ].filter(Boolean);
            sec.append(
                ...(parts.length ? parts : [h('p', { class: 'muted' }, t('att_none'))]),
                h('p', {}, h('a', { href: '#/preparedness/register' }, t('prep_register'))),
            );
        },
        (e) => sec.appendChild(errorBox(e)),
    );
    return sec;
}

export async function dashboardPage() {
    const page = h('div', { class: 'dashboard' }, h('h1', {}, t('nav_dashboard')));
    const [cntRes, incRes, dlRes] = await Promise.allSettled([
        get('/dashboard'),
        recentOpen(40),
        get('/deadlines?limit=500'),
    ]);
    const s1 = h('section', { 'aria-labelledby': 'd-open' }, h('h2', { id: 'd-open' }, t('open_incidents')));
    if (cntRes.status === 'fulfilled') s1.appendChild(countsTable(cntRes.value.counts));
    else s1.appendChild(errorBox(cntRes.reason));
    const s2 = h('section', { 'aria-labelledby': 'd-dl' }, h('h2', { id: 'd-dl' }, t('deadlines')));
    if (dlRes.status === 'fulfilled') s2.appendChild(deadlinesTable(dlRes.value.items));
    else s2.appendChild(errorBox(dlRes.reason));
    const s3 = h(
        'section',
        { 'aria-labelledby': 'd-und' },
        h('h2', { id: 'd-und' }, t('undetermined')),
        h('p', { class: 'hint' }, t('undetermined_text')),
    );
    if (incRes.status === 'fulfilled') s3.appendChild(await undetermined(incRes.value));
    else s3.appendChild(errorBox(incRes.reason));
    // a new installation's first steps come first, until they are done
    const setup = atLeast('admin')
        ? await import('./setup.js').then((m) => m.setupChecklist()).catch((e) => errorBox(e))
        : null;
    // a reminder channel failing: the warning (./reminders.js) loads only then
    const warning = h('div', { id: 'rem-warning' });
    get('/reminders/status').then(
        (st) =>
            Object.keys(st.failing).length &&
            import('./reminders.js').then((m) => replace(warning, ...m.channelWarnings(st))),
        () => {}, // a courtesy: the dashboard stands without it
    );
    // break-glass sign-ins, to every admin until one acknowledges them (./security.js)
    const glass = h('div', { id: 'bg-notice' });
    if (atLeast('admin'))
        import('./security.js')
            .then((m) => m.breakGlassNotice())
            .then(
                (n) => n && replace(glass, n),
                () => {},
            );
    page.append(glass, ...(setup ? [setup] : []), warning, s2, calendarSection(), attention(), s1, s3);
    return page;
}
