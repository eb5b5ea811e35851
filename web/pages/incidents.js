// SPDX-License-Identifier: EUPL-1.2
// incidents.js - the incident list (the API's filters, search, cursor
// paging; the filters live in the location hash so a list can be linked)
// and the form that creates an incident.
import { get, post, seg } from '../lib/api.js';
import { countdown, field, fromLocalInput, h, select, timeEl, toLocalInput } from '../lib/dom.js';
import { submitting } from '../lib/forms.js';
import { t } from '../lib/i18n.js';
import { reportLabel } from '../lib/i18n_words.js';
import { atLeast } from '../lib/session.js';
import { CATEGORIES, CAUSES, owedNow, SEVERITIES, STATES, TLPS } from '../lib/schema.js';
import { exerciseMarker } from './exercise_marker.js';

const anyOf = (list, prefix) => [['', t('any')], ...list.map((v) => [v, t(prefix + v)])];

export async function incidentsPage(query) {
    const q = new URLSearchParams();
    for (const k of ['state', 'severity', 'category', 'q', 'cursor']) if (query.get(k)) q.set(k, query.get(k));
    q.set('limit', '25');
    const [list, next] = await Promise.all([get(`/incidents?${q}`), nextDeadlines()]);

    const filters = h(
        'form',
        { class: 'filters', id: 'filters', role: 'search' },
        field(t('state'), select('state', anyOf(STATES, 'state_'), query.get('state') || '')),
        field(t('severity'), select('severity', anyOf(SEVERITIES, 'sev_'), query.get('severity') || '')),
        field(t('category'), select('category', anyOf(CATEGORIES, 'cat_'), query.get('category') || '')),
        field(t('search'), h('input', { name: 'q', type: 'search', value: query.get('q') || '' })),
        h('button', { type: 'submit' }, t('apply_filters')),
    );
    filters.addEventListener('submit', (ev) => {
        ev.preventDefault();
        const nq = new URLSearchParams();
        for (const k of ['state', 'severity', 'category', 'q']) {
            const v = filters.elements[k].value.trim();
            if (v) nq.set(k, v);
        }
        location.hash = `#/incidents?${nq}`;
    });

    const rows = list.items.map((i) =>
        h(
            'tr',
            {},
            h('td', {}, h('a', { href: `#/incidents/${seg(i.ref)}` }, i.ref)),
            h('td', {}, exerciseMarker(i), exerciseMarker(i) ? ' ' : null, i.title), // issue 22
            h('td', {}, h('span', { class: `badge state-${i.state}` }, t('state_' + i.state))),
            h('td', {}, h('span', { class: `badge sev-${i.severity}` }, t('sev_' + i.severity))),
            h('td', {}, t('cat_' + i.category)),
            h('td', {}, timeEl(i.detected_at)),
            h('td', { class: 'next-deadline' }, nextCell(next.get(i.id))),
        ),
    );
    const table = list.items.length
        ? h(
              'table',
              { class: 'incidents', id: 'incident-list' },
              h(
                  'thead',
                  {},
                  h(
                      'tr',
                      {},
                      ['ref', 'title', 'state', 'severity', 'category', 'detected_at', 'next_deadline'].map((k) =>
                          h('th', { scope: 'col' }, t(k)),
                      ),
                  ),
              ),
              h('tbody', {}, rows),
          )
        : h('p', { class: 'muted' }, t('no_incidents'));

    const pager = h('nav', { class: 'pager', 'aria-label': t('paging') });
    if (query.get('cursor')) {
        const first = new URLSearchParams(query);
        first.delete('cursor');
        pager.appendChild(h('a', { href: `#/incidents?${first}` }, t('first_page')));
    }
    if (list.next_cursor) {
        const next = new URLSearchParams(query);
        next.set('cursor', list.next_cursor);
        pager.appendChild(h('a', { href: `#/incidents?${next}`, rel: 'next' }, t('next_page')));
    }

    return h(
        'div',
        {},
        h(
            'div',
            { class: 'title-row' },
            h('h1', {}, t('nav_incidents')),
            atLeast('analyst')
                ? h('a', { href: '#/incidents/new', class: 'button primary', id: 'new-incident' }, t('new_incident'))
                : null,
        ),
        filters,
        table,
        pager,
    );
}

/** incident id → its report still owed with the nearest due time (none when the list fails). */
async function nextDeadlines() {
    const map = new Map();
    const { items } = await get('/deadlines?limit=500').catch(() => ({ items: [] }));
    for (const o of items.filter((x) => owedNow(x) && x.due_at))
        if (!map.has(o.incident) || o.due_at < map.get(o.incident).due_at) map.set(o.incident, o);
    return map;
}

function nextCell(o) {
    if (!o) return h('span', { class: 'muted' }, t('no_open_reports'));
    return [`${reportLabel(o)} `, timeEl(o.due_at), ' ', countdown(o.due_at)];
}

export async function newIncidentPage() {
    const form = h(
        'form',
        { class: 'card', id: 'incident-create' },
        h('h1', {}, t('new_incident')),
        field(t('title'), h('input', { name: 'title', required: true, maxlength: 200 })),
        field(t('description'), h('textarea', { name: 'description', rows: 4 })),
        h(
            'div',
            { class: 'grid' },
            field(
                t('severity'),
                select(
                    'severity',
                    SEVERITIES.map((v) => [v, t('sev_' + v)]),
                    'medium',
                ),
            ),
            field(
                t('category'),
                select(
                    'category',
                    CATEGORIES.map((v) => [v, t('cat_' + v)]),
                    'cyber',
                ),
            ),
            field(
                t('cause'),
                select(
                    'cause',
                    CAUSES.map((v) => [v, t('cause_' + v)]),
                    'unknown',
                ),
            ),
            field(
                t('tlp'),
                select(
                    'tlp',
                    TLPS.map((v) => [v, `TLP:${v.toUpperCase()}`]),
                    'amber',
                ),
            ),
            field(
                t('detected_at'),
                h('input', {
                    name: 'detected_at',
                    type: 'datetime-local',
                    value: toLocalInput(new Date().toISOString()),
                }),
                t('local_time'),
            ),
        ),
        h('button', { type: 'submit', class: 'primary' }, t('create')),
    );
    form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const e = form.elements;
        const inc = await submitting(form, () =>
            post('/incidents', {
                title: e.title.value,
                description: e.description.value,
                severity: e.severity.value,
                category: e.category.value,
                cause: e.cause.value,
                tlp: e.tlp.value,
                detected_at: fromLocalInput(e.detected_at.value) ?? undefined,
            }),
        );
        if (inc) location.hash = `#/incidents/${seg(inc.ref)}`;
    });
    return form;
}
