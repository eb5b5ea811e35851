// SPDX-License-Identifier: EUPL-1.2
// register.js - the risk register (docs/PREPAREDNESS.md §2): one tab per
// kind with its items and their derived flags, create/edit/delete forms
// for analysts and up (If-Match on edit, the API's errors at the field),
// the 5 × 5 risk matrix, and the exports.
import { del, get, post, put, seg } from '../lib/api.js';
import { field, h, replace, select } from '../lib/dom.js';
import { errorBox, reading, submitting } from '../lib/forms.js';
import { numberInput, readControl } from '../lib/facts.js';
import { lang, pick, t } from '../lib/i18n.js';
import { atLeast } from '../lib/session.js';
import { prepTabs } from './assessment.js';

export const KINDS = ['assets', 'threats', 'scenarios', 'measures', 'suppliers', 'functions'];
const ONE_TO_FIVE = ['1', '2', '3', '4', '5'];
const ENUMS = {
    type_assets: ['service', 'process', 'information', 'location', 'system', 'people'],
    category: ['physical', 'digital', 'both'],
    treatment: ['reduce', 'accept', 'avoid', 'share'],
    type_measures: ['preventive', 'detective', 'corrective', 'recovery'],
    status: ['planned', 'in_progress', 'implemented', 'tested'],
    plan: ['none', 'continuity', 'crisis'],
    criticality: ['low', 'medium', 'high', 'critical'],
};
// [field, control, option source]; controls: text, long, enum, score, opt_score, bool, ref, refs, date, int, people
const FIELDS = {
    assets: [
        ['type', 'enum', 'type_assets'],
        ['importance', 'score'],
        ['crown_jewel', 'bool'],
        ['owner', 'text'],
        ['description', 'long'],
        ['depends_on', 'refs', 'assets'],
        ['suppliers', 'refs', 'suppliers'],
    ],
    threats: [
        ['category', 'enum', 'category'],
        ['description', 'long'],
    ],
    scenarios: [
        ['threat', 'ref', 'threats'],
        ['asset', 'ref', 'assets'],
        ['likelihood', 'score'],
        ['impact', 'score'],
        ['residual_likelihood', 'opt_score'],
        ['residual_impact', 'opt_score'],
        ['treatment', 'opt_enum', 'treatment'],
        ['decided_by', 'text'],
        ['decision_reason', 'text'],
        ['description', 'long'],
    ],
    measures: [
        ['type', 'enum', 'type_measures'],
        ['status', 'enum', 'status'],
        ['scenarios', 'refs', 'scenarios'],
        ['owner', 'text'],
        ['due_date', 'date'],
        ['evidence', 'text'],
        ['last_tested', 'date'],
        ['plan', 'enum', 'plan'],
    ],
    suppliers: [
        ['supplies', 'text'],
        ['criticality', 'enum', 'criticality'],
        ['services', 'refs', 'assets'],
        ['contact', 'text'],
        ['alternative', 'text'],
        ['no_alternative', 'bool'],
    ],
    functions: [
        ['service', 'ref', 'assets'],
        ['people', 'people'],
        ['training_interval_days', 'int'],
        ['description', 'long'],
    ],
};
// text fields that are null when empty (the others are "")
const NULLABLE = new Set(['owner', 'alternative', 'decided_by', 'decision_reason']);

const enumLabel = (src, v) => t(`rv_${v}`);
// a catalogue threat's name is text in ?lang= (older servers: {en, nl})
const itemName = (i) => (typeof i.name === 'string' ? i.name : pick(i.name));

function control(kind, [name, type, src], item, lists) {
    const v = item?.[name];
    switch (type) {
        case 'long':
            return h('textarea', { name, rows: 2 }, v ?? '');
        case 'enum':
            return select(
                name,
                ENUMS[src].map((x) => [x, enumLabel(src, x)]),
                v ?? ENUMS[src][0],
            );
        case 'opt_enum':
            return select(name, [['', '—'], ...ENUMS[src].map((x) => [x, enumLabel(src, x)])], v ?? '');
        case 'score':
            return select(
                name,
                ONE_TO_FIVE.map((x) => [x, x]),
                String(v ?? 3),
            );
        case 'opt_score':
            return select(name, [['', '—'], ...ONE_TO_FIVE.map((x) => [x, x])], v ? String(v) : '');
        case 'bool':
            return select(
                name,
                [
                    ['false', t('no')],
                    ['true', t('yes')],
                ],
                String(!!v),
            );
        case 'ref':
            return select(
                name,
                [['', '—'], ...lists[src].filter((x) => x.id !== item?.id).map((x) => [x.id, itemName(x)])],
                v ?? '',
            );
        case 'refs': {
            const sel = select(
                name,
                lists[src].filter((x) => x.id !== item?.id).map((x) => [x.id, itemName(x)]),
                null,
                { multiple: true, size: 4 },
            );
            for (const o of sel.options) o.selected = (v ?? []).includes(o.value);
            return sel;
        }
        case 'date':
            return h('input', { name, type: 'date', value: v ?? '' });
        case 'int':
            return numberInput(name, 'count', v ?? (name === 'training_interval_days' ? 365 : null));
        case 'people':
            return h(
                'textarea',
                { name, rows: 3 },
                (v ?? []).map((p) => (p.trained_on ? `${p.name}; ${p.trained_on}` : p.name)).join('\n'),
            );
        default:
            return h('input', { name, value: v ?? '' });
    }
}

function read(form, kind) {
    const el = (n) => form.querySelector(`[name="${n}"]`);
    const body = { name: el('name').value.trim() };
    for (const [name, type] of FIELDS[kind]) {
        const c = el(name);
        const v = c.value.trim();
        switch (type) {
            case 'score':
                body[name] = Number(v);
                break;
            case 'opt_score':
                body[name] = v ? Number(v) : null;
                break;
            case 'opt_enum':
            case 'ref':
            case 'date':
                body[name] = v || null;
                break;
            case 'bool':
                body[name] = v === 'true';
                break;
            case 'refs':
                body[name] = [...c.selectedOptions].map((o) => o.value);
                break;
            case 'int':
                if (v) body[name] = readControl(c, 'count');
                break;
            case 'people':
                body[name] = v
                    .split('\n')
                    .map((l) => l.trim())
                    .filter(Boolean)
                    .map((l) => {
                        const [n, d] = l.split(';').map((x) => x.trim());
                        return { name: n, trained_on: d || null };
                    });
                break;
            default:
                body[name] = v === '' && NULLABLE.has(name) ? null : v;
        }
    }
    if (kind === 'suppliers' && body.no_alternative && body.alternative === null) delete body.alternative;
    return body;
}

/** The API names list members (depends_on[0]); the form has one control per list. */
async function fieldsAtControls(fn) {
    try {
        return await fn();
    } catch (e) {
        for (const fe of e.errors ?? []) fe.field = fe.field.replace(/\[\d+\]$/, '');
        throw e;
    }
}

function itemForm(kind, item, lists, done) {
    const form = h(
        'form',
        { class: 'card item-form', id: item ? 'item-edit' : 'item-create' },
        h('h3', {}, item ? t('edit_x', { x: item.name }) : t('add_' + kind)),
        h(
            'div',
            { class: 'grid' },
            field(t('org_name'), h('input', { name: 'name', value: item?.name ?? '', required: true })),
            FIELDS[kind].map((f) =>
                field(
                    t('rf_' + f[0]),
                    control(kind, f, item, lists),
                    f[1] === 'refs' ? t('multi_hint') : f[1] === 'people' ? t('people_hint') : null,
                ),
            ),
        ),
        h('button', { type: 'submit', class: 'primary' }, item ? t('save') : t('create')),
        item ? h('button', { type: 'button', class: 'cancel', onclick: () => done(false) }, t('cancel')) : null,
    );
    form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const body = reading(form, () => read(form, kind));
        if (!body) return;
        const ok = await submitting(form, () =>
            fieldsAtControls(() =>
                item
                    ? put(`/register/${kind}/${seg(item.id)}`, { ...item, ...body }, { ifMatch: item.version })
                    : post(`/register/${kind}`, body),
            ),
        );
        if (ok) done(true);
    });
    return form;
}

const badge = (cls, text) => h('span', { class: `badge ${cls}` }, text);

function flags(kind, i, lists) {
    const d = i.derived ?? {};
    const name = (src, id) => itemName(lists[src].find((x) => x.id === id) ?? { name: id });
    switch (kind) {
        case 'assets':
            return [
                t('rv_' + i.type),
                ' · ',
                t('rf_importance'),
                ' ',
                i.importance,
                i.crown_jewel ? [' ', badge('sev-critical crown', t('crown_jewel'))] : null,
            ];
        case 'threats':
            return [
                t('rv_' + i.category),
                i.source === 'catalogue' ? [' · ', h('span', { class: 'muted' }, t('catalogue'))] : null,
            ];
        case 'scenarios':
            return [
                name('threats', i.threat),
                ' → ',
                name('assets', i.asset),
                h('br'),
                badge(
                    `sev-${levelClass(d.inherent_level)} score`,
                    `${t('inherent')} ${d.inherent_score} (${t('lvl_' + d.inherent_level)})`,
                ),
                ' ',
                badge(
                    `sev-${levelClass(d.residual_level)} score residual`,
                    `${t('residual')} ${d.residual_score} (${t('lvl_' + d.residual_level)})`,
                ),
                i.treatment ? [' · ', t('rv_' + i.treatment)] : [' · ', h('span', { class: 'muted' }, t('untreated'))],
            ];
        case 'measures':
            return [
                t('rv_' + i.type),
                ' · ',
                t('rv_' + i.status),
                i.due_date ? [' · ', t('rf_due_date'), ' ', i.due_date] : null,
                d.overdue ? [' ', badge('sev-critical overdue', t('overdue'))] : null,
            ];
        case 'suppliers':
            return [
                i.supplies,
                ' · ',
                t('rv_' + i.criticality),
                d.no_alternative_risk
                    ? [' ', badge('sev-high no-alt', t('no_alternative_risk'))]
                    : i.alternative
                      ? [' · ', t('rf_alternative'), ': ', i.alternative]
                      : null,
            ];
        case 'functions':
            return [
                name('assets', i.service),
                ' · ',
                (i.people ?? []).map((p) => p.name).join(', '),
                d.training_lapsed?.length
                    ? [' ', badge('sev-high lapsed', t('training_lapsed', { p: d.training_lapsed.join(', ') }))]
                    : null,
            ];
        default:
            return null;
    }
}

const levelClass = (l) => (l === 'low' || l === 'medium' || l === 'high' || l === 'critical' ? l : 'low');

function grid(cells, caption, id) {
    return h(
        'table',
        { class: 'matrix', id },
        h('caption', {}, caption),
        h(
            'thead',
            {},
            h(
                'tr',
                {},
                h('th', { scope: 'col' }, t('likelihood_impact')),
                [1, 2, 3, 4, 5].map((i) => h('th', { scope: 'col' }, String(i))),
            ),
        ),
        h(
            'tbody',
            {},
            cells.map((row) =>
                h(
                    'tr',
                    {},
                    h('th', { scope: 'row' }, String(row[0].likelihood)),
                    row.map((c) =>
                        h(
                            'td',
                            {
                                class: `sev-${levelClass(c.level)}`,
                                title: `${c.score} · ${t('lvl_' + c.level)}`,
                                'data-l': c.likelihood,
                                'data-i': c.impact,
                            },
                            c.count ? String(c.count) : h('span', { class: 'zero' }, '·'),
                        ),
                    ),
                ),
            ),
        ),
    );
}

async function matrixView() {
    const m = await get('/risk-matrix');
    return h(
        'section',
        { id: 'risk-matrix', 'aria-labelledby': 'h-matrix' },
        h('h2', { id: 'h-matrix' }, t('risk_matrix')),
        h('p', { class: 'hint' }, t('matrix_hint', { n: m.scenarios, a: m.accepted })),
        h(
            'div',
            { class: 'matrices' },
            grid(m.inherent, t('inherent_risk'), 'matrix-inherent'),
            grid(m.residual, t('residual_risk'), 'matrix-residual'),
        ),
        h('h3', {}, t('over_accepted', { a: m.accepted })),
        m.over_accepted.length
            ? h(
                  'ul',
                  { id: 'over-accepted' },
                  m.over_accepted.map((s) =>
                      h(
                          'li',
                          {},
                          s.name,
                          ' ',
                          badge(
                              `sev-${levelClass(s.residual_level)}`,
                              `${s.residual_score} (${t('lvl_' + s.residual_level)})`,
                          ),
                      ),
                  ),
              )
            : h('p', { class: 'muted' }, t('none')),
    );
}

function exports(kind) {
    const base = '/api/v1/register/export';
    return h(
        'ul',
        { class: 'downloads', id: 'register-exports' },
        h('li', {}, h('a', { href: base, download: '', 'data-kind': 'json' }, t('export_json'))),
        kind !== 'matrix'
            ? h(
                  'li',
                  {},
                  h(
                      'a',
                      { href: `${base}?format=csv&kind=${kind}`, download: '', 'data-kind': 'csv' },
                      t('export_csv_kind', { k: t('kind_' + kind) }),
                  ),
              )
            : null,
        h(
            'li',
            {},
            h(
                'a',
                { href: `${base}?format=html`, target: '_blank', rel: 'noopener', 'data-kind': 'html' },
                t('dl_html'),
            ),
        ),
        h(
            'li',
            {},
            h(
                'a',
                { href: `${base}?format=html&kind=measures`, target: '_blank', rel: 'noopener', 'data-kind': 'plan' },
                t('measures_plan'),
            ),
        ),
    );
}

export async function registerPage(kind = 'assets') {
    if (![...KINDS, 'matrix'].includes(kind)) kind = 'assets';
    const page = h(
        'div',
        { class: 'preparedness register' },
        h('h1', {}, t('prep_register')),
        prepTabs('#/preparedness/register'),
        h(
            'nav',
            { class: 'tabs kinds', 'aria-label': t('prep_register') },
            [...KINDS, 'matrix'].map((k) =>
                h(
                    'a',
                    {
                        href: `#/preparedness/register/${k}`,
                        'aria-current': k === kind ? 'page' : false,
                        'data-kind': k,
                    },
                    t('kind_' + k),
                ),
            ),
        ),
    );
    const body = h('div', { id: 'register-body' });
    page.append(body, exports(kind));
    if (kind === 'matrix') {
        body.appendChild(await matrixView());
        return page;
    }
    const draw = async () => {
        const needs = new Set([kind]);
        for (const f of FIELDS[kind]) if (f[2] && KINDS.includes(f[2])) needs.add(f[2]);
        const lists = {};
        // threats: the catalogue's names in the reader's language
        await Promise.all(
            [...needs].map(async (k) => {
                lists[k] = (await get(`/register/${k}${k === 'threats' ? `?lang=${lang()}` : ''}`)).items;
            }),
        );
        const items = lists[kind];
        const write = atLeast('analyst') && kind !== 'matrix';
        const formSlot = h('div', {});
        const done = (changed) =>
            changed
                ? draw().catch((e) => body.prepend(errorBox(e)))
                : replace(formSlot, itemForm(kind, null, lists, done));
        const rows = items.map((i) =>
            h(
                'tr',
                { 'data-id': i.id },
                h('th', { scope: 'row' }, itemName(i)),
                h('td', {}, flags(kind, i, lists)),
                h(
                    'td',
                    {},
                    write && i.source !== 'catalogue'
                        ? [
                              h(
                                  'button',
                                  {
                                      type: 'button',
                                      class: 'small edit',
                                      onclick: () => {
                                          replace(formSlot, itemForm(kind, i, lists, done));
                                          formSlot.querySelector('input')?.focus();
                                      },
                                  },
                                  t('edit'),
                              ),
                              h(
                                  'button',
                                  {
                                      type: 'button',
                                      class: 'small danger delete',
                                      onclick: async (ev) => {
                                          if (!confirm(t('confirm_delete', { x: i.name }))) return;
                                          try {
                                              await del(`/register/${kind}/${seg(i.id)}`);
                                              draw();
                                          } catch (e) {
                                              ev.target.after(errorBox(e));
                                          }
                                      },
                                  },
                                  t('delete'),
                              ),
                          ]
                        : null,
                ),
            ),
        );
        replace(
            body,
            h('h2', { id: 'h-kind' }, t('kind_' + kind)),
            h('p', { class: 'hint' }, t('kindhint_' + kind)),
            items.length
                ? h(
                      'table',
                      { id: 'register-list', 'aria-labelledby': 'h-kind' },
                      h(
                          'thead',
                          {},
                          h(
                              'tr',
                              {},
                              [t('org_name'), t('details'), ''].map((x) => h('th', { scope: 'col' }, x)),
                          ),
                      ),
                      h('tbody', {}, rows),
                  )
                : h('p', { class: 'muted' }, t('no_items')),
            formSlot,
        );
        if (write) formSlot.appendChild(itemForm(kind, null, lists, done));
    };
    await draw();
    return page;
}
