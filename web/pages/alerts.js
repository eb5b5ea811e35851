// SPDX-License-Identifier: EUPL-1.2
// alerts.js - the alert inbox (docs/ALERTS.md): what SOC tools posted and
// no detection rule turned into an incident, newest first, with the API's
// filters and cursor paging; analysts acknowledge, dismiss (with a reason),
// promote an alert to a new incident or attach it to an open one.
import { get, post, seg } from '../lib/api.js';
import { field, h, select, timeEl } from '../lib/dom.js';
import { errorBox, submitting } from '../lib/forms.js';
import { t } from '../lib/i18n.js';
import { ALERT_SEVERITIES as SEVERITIES, ALERT_STATES as STATES } from '../lib/schema.js';
import { atLeast } from '../lib/session.js';
const anyOf = (list, prefix) => [['', t('any')], ...list.map((v) => [v, t(prefix + v)])];

function actions(a, redraw) {
    if (!atLeast('analyst') || !['new', 'acknowledged'].includes(a.state)) return null;
    const base = `/alerts/${seg(a.id)}`;
    const out = h('div', { class: 'alert-actions' });
    const run = async (fn) => {
        try {
            return await fn();
        } catch (e) {
            out.appendChild(errorBox(e));
            return undefined;
        }
    };
    if (a.state === 'new')
        out.appendChild(
            h(
                'button',
                {
                    type: 'button',
                    class: 'small ack',
                    onclick: async () => (await run(() => post(`${base}/acknowledge`))) && redraw(),
                },
                t('acknowledge'),
            ),
        );
    out.appendChild(
        h(
            'button',
            {
                type: 'button',
                class: 'small primary promote',
                onclick: async () => {
                    const inc = await run(() => post(`${base}/promote`, {}));
                    if (inc) location.hash = `#/incidents/${seg(inc.ref ?? inc.incident?.ref ?? inc.id)}`;
                },
            },
            t('promote'),
        ),
    );
    const reason = h('input', { name: 'reason' });
    const dismiss = h(
        'form',
        { class: 'inline dismiss' },
        field(t('reason'), reason),
        h('button', { type: 'submit', class: 'small danger' }, t('dismiss')),
    );
    dismiss.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        if (await submitting(dismiss, () => post(`${base}/dismiss`, { reason: reason.value }))) redraw();
    });
    const incident = h('input', { name: 'incident', placeholder: 'INC-2026-0001' });
    const attach = h(
        'form',
        { class: 'inline attach' },
        field(t('incident_ref'), incident),
        h('button', { type: 'submit', class: 'small' }, t('attach')),
    );
    attach.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        if (await submitting(attach, () => post(`${base}/attach`, { incident: incident.value.trim() }))) redraw();
    });
    out.append(
        h('details', {}, h('summary', {}, t('dismiss')), dismiss),
        h('details', {}, h('summary', {}, t('attach')), attach),
    );
    return out;
}

export async function alertsPage(query) {
    const q = new URLSearchParams();
    const state = query.has('state') ? query.get('state') : 'new';
    if (state) q.set('state', state);
    for (const k of ['severity', 'source', 'cursor']) if (query.get(k)) q.set(k, query.get(k));
    q.set('limit', '50');
    const list = await get(`/alerts?${q}`);
    const redraw = () => window.dispatchEvent(new HashChangeEvent('hashchange'));

    const filters = h(
        'form',
        { class: 'filters', id: 'alert-filters', role: 'search' },
        field(t('inbox_state'), select('state', anyOf(STATES, 'astate_'), state)),
        field(t('severity'), select('severity', anyOf(SEVERITIES, 'asev_'), query.get('severity') || '')),
        field(t('source'), h('input', { name: 'source', value: query.get('source') || '' })),
        h('button', { type: 'submit' }, t('apply_filters')),
    );
    filters.addEventListener('submit', (ev) => {
        ev.preventDefault();
        const nq = new URLSearchParams();
        nq.set('state', filters.elements.state.value);
        for (const k of ['severity', 'source'])
            if (filters.elements[k].value.trim()) nq.set(k, filters.elements[k].value.trim());
        location.hash = `#/alerts?${nq}`;
    });

    const rows = list.items.map((a) =>
        h(
            'tr',
            { 'data-id': a.id },
            h('td', {}, h('span', { class: `badge sev-${a.severity}` }, t('asev_' + a.severity))),
            h(
                'td',
                {},
                h('strong', {}, a.title),
                h('br'),
                h('span', { class: 'muted' }, [a.source, a.service].filter(Boolean).join(' · ')),
            ),
            h('td', {}, t('astatus_' + a.status), a.count > 1 ? ` ×${a.count}` : ''),
            h('td', {}, timeEl(a.last_seen)),
            h(
                'td',
                {},
                t('astate_' + a.state),
                a.incident ? [' ', h('a', { href: `#/incidents/${seg(a.incident)}` }, t('incident'))] : null,
                a.reason ? h('div', { class: 'muted' }, a.reason) : null,
            ),
            h('td', {}, actions(a, redraw)),
        ),
    );
    const table = list.items.length
        ? h(
              'table',
              { id: 'alert-list' },
              h(
                  'thead',
                  {},
                  h(
                      'tr',
                      {},
                      [t('severity'), t('alert'), t('status'), t('last_seen'), t('inbox_state'), ''].map((x) =>
                          h('th', { scope: 'col' }, x),
                      ),
                  ),
              ),
              h('tbody', {}, rows),
          )
        : h('p', { class: 'muted' }, t('no_alerts'));
    const pager = h('nav', { class: 'pager', 'aria-label': t('paging') });
    if (list.next_cursor) {
        const next = new URLSearchParams(query);
        next.set('state', state);
        next.set('cursor', list.next_cursor);
        pager.appendChild(h('a', { href: `#/alerts?${next}`, rel: 'next' }, t('next_page')));
    }
    return h('div', {}, h('h1', {}, t('nav_alerts')), filters, table, pager);
}
