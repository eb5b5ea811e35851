// SPDX-License-Identifier: EUPL-1.2
// statistics.js - timeliness and recurrence per regime and quarter (issue
// 22), from GET /api/v1/statistics: a table and a hand-made SVG bar chart
// per regime (reports on time, late, waived, still open), the waived
// reports with their reasons, incidents per root-cause category and the
// recurring-incident groups.  The same figures as CSV (a download), and a
// printable page (print CSS in statistics.css: A4, without the controls) for
// management and supervisors.  Labels come from the server in both
// languages; the page's own words are in lib/i18n_statistics.js.
import { get } from '../lib/api.js';
import { h } from '../lib/dom.js';
import { errorBox } from '../lib/forms.js';
import { lang, pick, t } from '../lib/i18n.js';
import '../lib/i18n_statistics.js';
import { formatNumber } from '../lib/numbers.js';

const SVG = 'http://www.w3.org/2000/svg';
const PARTS = ['on_time', 'late', 'waived', 'pending'];

/** An SVG element (h() makes HTML ones). */
function s(tag, attrs = {}, ...children) {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    for (const c of children) if (c !== null && c !== undefined) el.append(c);
    return el;
}

const hours = (v) => (v === null || v === undefined ? '–' : t('st_hours', { n: formatNumber(v) }));

/** Horizontal bars, one per row ({label, parts: {key: n}}), stacked in the order of keys. */
function barChart(rows, keys, label, id) {
    const W = 640;
    const LEFT = 150;
    const BAR = 22;
    const GAP = 8;
    const max = Math.max(1, ...rows.map((r) => keys.reduce((n, k) => n + (r.parts[k] ?? 0), 0)));
    const height = rows.length * (BAR + GAP) + GAP;
    const svg = s('svg', {
        viewBox: `0 0 ${W} ${height}`,
        width: '100%',
        role: 'img',
        'aria-label': label,
        class: 'chart',
        id,
    });
    svg.append(s('title', {}, label));
    rows.forEach((r, i) => {
        const y = GAP + i * (BAR + GAP);
        svg.append(s('text', { x: LEFT - 8, y: y + BAR * 0.7, 'text-anchor': 'end', class: 'chart-label' }, r.label));
        let x = LEFT;
        for (const k of keys) {
            const n = r.parts[k] ?? 0;
            if (!n) continue;
            const w = ((W - LEFT - 40) * n) / max;
            svg.append(
                s(
                    'rect',
                    { x, y, width: w, height: BAR, class: `bar bar-${k}`, 'data-part': k, 'data-n': n },
                    s('title', {}, `${r.label}: ${t('st_' + k)} ${n}`),
                ),
            );
            if (w > 18)
                svg.append(
                    s('text', { x: x + w / 2, y: y + BAR * 0.7, 'text-anchor': 'middle', class: 'bar-n' }, String(n)),
                );
            x += w;
        }
    });
    return svg;
}

function legend(keys) {
    return h(
        'ul',
        { class: 'chart-legend' },
        keys.map((k) => h('li', {}, h('span', { class: `swatch bar-${k}`, 'aria-hidden': 'true' }), t('st_' + k))),
    );
}

/** The regimes that appear anywhere, with their titles, in order. */
function regimesOf(rep) {
    const seen = new Map();
    for (const r of rep.total.regimes) seen.set(r.regime, r.title);
    return [...seen.entries()];
}

function timelinessSection(rep) {
    const parts = [h('h2', { id: 'st-timeliness' }, t('st_timeliness'))];
    for (const [regime, title] of regimesOf(rep)) {
        const rows = [...rep.quarters, rep.total]
            .map((q) => ({ q, r: q.regimes.find((x) => x.regime === regime) }))
            .filter((x) => x.r);
        parts.push(
            h(
                'section',
                { class: 'st-regime', 'data-regime': regime },
                h('h3', {}, pick(title)),
                barChart(
                    rows.filter((x) => x.q !== rep.total).map(({ q, r }) => ({ label: pick(q.label), parts: r })),
                    PARTS,
                    t('st_chart_label', { regime: pick(title) }),
                    `chart-${regime}`,
                ),
                legend(PARTS),
                h(
                    'table',
                    { class: 'st-table' },
                    h(
                        'thead',
                        {},
                        h(
                            'tr',
                            {},
                            ['st_quarter', 'st_owed', ...PARTS.map((k) => 'st_' + k), 'st_median', 'st_p90'].map((k) =>
                                h('th', { scope: 'col' }, t(k)),
                            ),
                        ),
                    ),
                    h(
                        'tbody',
                        {},
                        rows.map(({ q, r }) =>
                            h(
                                'tr',
                                { 'data-quarter': q.quarter, class: q === rep.total ? 'total' : null },
                                h('th', { scope: 'row' }, pick(q.label)),
                                h('td', { 'data-k': 'owed' }, formatNumber(r.owed)),
                                PARTS.map((k) => h('td', { 'data-k': k }, formatNumber(r[k]))),
                                h('td', { 'data-k': 'median' }, hours(r.first_report.median_hours)),
                                h('td', { 'data-k': 'p90' }, hours(r.first_report.p90_hours)),
                            ),
                        ),
                    ),
                ),
            ),
        );
    }
    return h('section', { 'aria-labelledby': 'st-timeliness' }, parts);
}

function waiversSection(rep) {
    const rows = rep.quarters.flatMap((q) => q.regimes.flatMap((r) => r.waivers.map((w) => ({ q, r, w }))));
    return h(
        'section',
        { 'aria-labelledby': 'st-waivers', id: 'waivers' },
        h('h2', { id: 'st-waivers' }, t('st_waivers')),
        rows.length === 0
            ? h('p', {}, t('st_no_waivers'))
            : h(
                  'table',
                  { class: 'st-table' },
                  h(
                      'thead',
                      {},
                      h(
                          'tr',
                          {},
                          ['st_quarter', 'st_regime', 'st_incident', 'st_report', 'st_reason'].map((k) =>
                              h('th', { scope: 'col' }, t(k)),
                          ),
                      ),
                  ),
                  h(
                      'tbody',
                      {},
                      rows.map(({ q, r, w }) =>
                          h(
                              'tr',
                              {},
                              h('td', {}, pick(q.label)),
                              h('td', {}, pick(r.title)),
                              h(
                                  'td',
                                  {},
                                  h('a', { href: `#/incidents/${encodeURIComponent(w.incident)}` }, w.incident),
                              ),
                              h('td', {}, pick(w.stage_name)),
                              h('td', {}, w.reason),
                          ),
                      ),
                  ),
              ),
    );
}

function causesSection(rep) {
    const causes = rep.total.root_causes;
    return h(
        'section',
        { 'aria-labelledby': 'st-causes', id: 'causes' },
        h('h2', { id: 'st-causes' }, t('st_causes')),
        barChart(
            causes.map((c) => ({ label: pick(c.label), parts: { incidents: c.incidents } })),
            ['incidents'],
            t('st_causes_chart'),
            'chart-causes',
        ),
        h(
            'table',
            { class: 'st-table' },
            h(
                'thead',
                {},
                h(
                    'tr',
                    {},
                    h('th', { scope: 'col' }, t('st_category')),
                    [...rep.quarters, rep.total].map((q) => h('th', { scope: 'col' }, pick(q.label))),
                ),
            ),
            h(
                'tbody',
                {},
                causes.map((c, i) =>
                    h(
                        'tr',
                        { 'data-category': c.category },
                        h('th', { scope: 'row' }, pick(c.label)),
                        [...rep.quarters, rep.total].map((q) => h('td', {}, formatNumber(q.root_causes[i].incidents))),
                    ),
                ),
            ),
        ),
    );
}

function groupsSection(rep) {
    const groups = rep.recurring_groups;
    const figures = (c) =>
        Object.entries(c ?? {})
            .filter(([k, v]) => k !== 'at_least' && v !== null && typeof v !== 'object')
            .map(([k, v]) => `${k.replace(/_/g, ' ')}: ${typeof v === 'number' ? formatNumber(v) : v}`)
            .join('; ');
    return h(
        'section',
        { 'aria-labelledby': 'st-groups', id: 'groups' },
        h('h2', { id: 'st-groups' }, t('st_groups')),
        h('p', { class: 'hint' }, t('st_groups_text')),
        groups.length === 0
            ? h('p', {}, t('st_no_groups'))
            : h(
                  'table',
                  { class: 'st-table' },
                  h(
                      'thead',
                      {},
                      h(
                          'tr',
                          {},
                          ['st_regime', 'st_root_cause', 'st_members', 'st_lead', 'st_combined'].map((k) =>
                              h('th', { scope: 'col' }, t(k)),
                          ),
                      ),
                  ),
                  h(
                      'tbody',
                      {},
                      groups.map((g) =>
                          h(
                              'tr',
                              { 'data-lead': g.lead?.ref },
                              h('td', {}, pick(g.title)),
                              h('td', {}, `${pick(g.root_cause?.label)}: ${g.root_cause?.text ?? ''}`),
                              h(
                                  'td',
                                  {},
                                  g.members.map((m, i) => [
                                      i ? ', ' : '',
                                      h('a', { href: `#/incidents/${encodeURIComponent(m.ref)}` }, m.ref),
                                  ]),
                              ),
                              h('td', {}, g.lead?.ref ?? ''),
                              h('td', {}, figures(g.combined)),
                          ),
                      ),
                  ),
              ),
    );
}

/** The page's style sheet, linked once, when the page is first shown. */
function linkStyle() {
    if (document.getElementById('statistics-css')) return;
    document.head.append(h('link', { rel: 'stylesheet', href: '/statistics.css', id: 'statistics-css' }));
}

/** The page: #/statistics?from=YYYY-MM-DD&to=YYYY-MM-DD. */
export async function statisticsPage(query) {
    linkStyle();
    const from = query.get('from') || '';
    const to = query.get('to') || '';
    const params = new URLSearchParams();
    if (from) params.set('from', from);
    if (to) params.set('to', to);
    const fromIn = h('input', { type: 'date', id: 'st-from', name: 'from', value: from });
    const toIn = h('input', { type: 'date', id: 'st-to', name: 'to', value: to });
    const form = h(
        'form',
        {
            class: 'st-controls no-print',
            onsubmit: (ev) => {
                ev.preventDefault();
                const q = new URLSearchParams();
                if (fromIn.value) q.set('from', fromIn.value);
                if (toIn.value) q.set('to', toIn.value);
                location.hash = `#/statistics${q.size ? '?' + q : ''}`;
            },
        },
        h('label', { for: 'st-from' }, t('st_from')),
        fromIn,
        h('label', { for: 'st-to' }, t('st_to')),
        toIn,
        h('button', { type: 'submit', id: 'st-show' }, t('st_show')),
    );
    const csv = new URLSearchParams(params);
    csv.set('format', 'csv');
    csv.set('lang', lang());
    const tools = h(
        'p',
        { class: 'st-tools no-print' },
        h('a', { href: `/api/v1/statistics?${csv}`, download: '', id: 'st-csv' }, t('st_csv')),
        ' ',
        h('button', { type: 'button', id: 'st-print', onclick: () => window.print() }, t('st_print')),
    );
    const head = [
        h('h1', {}, t('st_title')),
        h('p', { class: 'hint' }, t('st_intro')),
        form,
        tools,
        h(
            'p',
            { id: 'st-period' },
            from || to ? t('st_period', { from: from || t('st_any'), to: to || t('st_any') }) : t('st_period_all'),
        ),
    ];
    let rep;
    try {
        rep = await get(`/statistics${params.size ? '?' + params : ''}`);
    } catch (e) {
        return h('div', { class: 'statistics-page' }, head, errorBox(e));
    }
    const body =
        rep.quarters.length === 0
            ? [h('p', { id: 'st-none' }, t('st_none'))]
            : [timelinessSection(rep), waiversSection(rep), causesSection(rep), groupsSection(rep)];
    return h('div', { class: 'statistics-page', id: 'statistics' }, head, body);
}
