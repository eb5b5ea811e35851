// SPDX-License-Identifier: EUPL-1.2
// incident.js - one incident: its facts and impact (edited with If-Match,
// the API's field errors shown at the field), the transitions the state
// machine allows now as buttons, classification with its reasons in words,
// the reports owed with countdowns, the drafts, the timeline and notes.
import { get, patch, post, seg } from '../lib/api.js';
import { field, h, localTime, replace, select, timeEl, toLocalInput } from '../lib/dom.js';
import { control, readControl, same } from '../lib/facts.js';
import { FACTS } from '../lib/schema.js';
import { errorBox, reading, saySaved, submitting } from '../lib/forms.js';
import { pick, t } from '../lib/i18n.js';
import { atLeast } from '../lib/session.js';
import { recipientProblems, standing } from './dashboard.js';
import { draftsSection, owedNow } from './drafts.js';
import { reportName } from '../lib/sentences.js';
import { CATEGORIES, CAUSES, KINDS, ROOT_CAUSES, SEVERITIES, TLPS } from '../lib/schema.js';
import { exerciseMarker } from './exercise_marker.js';

const TIMES = ['detected_at', 'aware_at', 'started_at', 'ended_at'];

/* The words of the incident page (the facts' labels, the timeline's
 * sentences) load with it, outside the first load. */
let S = null;
let TL = null;

export async function incidentPage(id) {
    if (!S)
        [S, TL] = await Promise.all([
            import('../lib/sentences.js'),
            import('./timeline.js'),
            import('../lib/i18n_errors.js'),
        ]);
    const root = h('div', { class: 'incident' });
    const load = async () => {
        const inc = await get(`/incidents/${seg(id)}`).catch((e) => {
            if (e?.status === 404) return null;
            throw e;
        });
        if (!inc) return replace(root, notFound(id));
        const [cls, tl, notes] = await Promise.allSettled([
            get(`/incidents/${seg(inc.id)}/classification`),
            get(`/incidents/${seg(inc.id)}/timeline`),
            get(`/incidents/${seg(inc.id)}/notifications`),
        ]);
        const ctx = { inc, reload: () => load().catch((e) => root.prepend(errorBox(e))) };
        // the preparedness panel is loaded on demand, outside the first load
        const prep = await import('./incprep.js').then(
            (m) => m.preparednessPanel(ctx),
            (e) => errorBox(e),
        );
        // and the indicators of compromise with their exports (./iocs.js)
        const iocs = await import('./iocs.js').then(
            (m) => m.iocsSection(ctx),
            (e) => errorBox(e),
        );
        // so are the reminders (./reminders.js)
        const rem = await import('./reminders.js').then(
            (m) => m.remindersSection(ctx),
            (e) => errorBox(e),
        );
        const value = (r) => (r.status === 'fulfilled' ? r.value : null);
        const orNote = (r, fn) => (r.status === 'fulfilled' ? fn(r.value) : errorBox(r.reason));
        replace(
            root,
            h(
                'div',
                { class: 'title-row' },
                h(
                    'h1',
                    {},
                    h('span', { class: 'ref' }, inc.ref),
                    ' ',
                    exerciseMarker(inc),
                    exerciseMarker(inc) ? ' ' : null,
                    inc.title,
                ), // issue 22
                h('span', { class: `badge state-${inc.state}`, id: 'state' }, t('state_' + inc.state)),
                h('span', { class: `badge sev-${inc.severity}` }, t('sev_' + inc.severity)),
            ),
            h(
                'nav',
                { class: 'toc', 'aria-label': t('on_this_page') },
                ['obligations', 'reminders', 'classification', 'facts', 'drafts', 'preparedness', 'timeline'].map((s) =>
                    h(
                        'a',
                        { href: `#/incidents/${seg(inc.ref)}`, 'data-target': `sec-${s}`, onclick: jump },
                        t('sec_' + s),
                    ),
                ),
            ),
            // by urgency: reports owed, actions, classification, facts, drafts, timeline
            h(
                'section',
                { id: 'sec-obligations', 'aria-labelledby': 'h-obl' },
                h('h2', { id: 'h-obl' }, t('sec_obligations')),
                orNote(cls, (c) => obligations(ctx, c)),
            ),
            rem,
            transitionsSection(ctx, value(cls)),
            h(
                'section',
                { id: 'sec-classification', 'aria-labelledby': 'h-cls' },
                h('h2', { id: 'h-cls' }, t('sec_classification')),
                orNote(cls, (c) => classification(ctx, c)),
            ),
            factsSection(ctx, value(cls)),
            h(
                'section',
                { id: 'sec-drafts', 'aria-labelledby': 'h-drafts' },
                h('h2', { id: 'h-drafts' }, t('sec_drafts')),
                orNote(notes, (n) => draftsSection(ctx, n.items, value(cls))),
            ),
            prep,
            iocs,
            h(
                'section',
                { id: 'sec-timeline', 'aria-labelledby': 'h-tl' },
                h('h2', { id: 'h-tl' }, t('sec_timeline')),
                noteForm(ctx),
                orNote(tl, (x) => TL.timeline(x.items, value(cls)?.obligations ?? [])),
            ),
        );
    };
    await load();
    return root;
}

/* An incident that does not exist (or is hidden by TLP) says so in words. */
function notFound(id) {
    return h(
        'div',
        { class: 'not-found' },
        h('h1', {}, t('incident_not_found')),
        h('p', {}, h('a', { href: '#/incidents' }, t('nav_incidents'))),
    );
}

/** Reports neither submitted nor waived: the closing guard refuses while there are any. */
const unsettled = (cls) => (cls?.obligations ?? []).filter((o) => !o.submitted_at && o.status !== 'waived');

/** Why moving to `to` cannot succeed now (null: it can), from what the page knows. */
function blockedReason(to, cls, note) {
    if (to === 'closed') {
        const open = unsettled(cls);
        if (open.length)
            return t('cannot_close_open_reports', {
                n: open.length,
                list: open.map((o) => reportName(o)).join(', '),
            });
    }
    if (to === 'dismissed' && !note.value.trim()) return t('cannot_dismiss_without_reason');
    return null;
}

/* In-page links without touching the route in the hash. */
function jump(ev) {
    ev.preventDefault();
    const el = document.getElementById(ev.currentTarget.dataset.target);
    el?.scrollIntoView();
    el?.querySelector('h2')?.setAttribute('tabindex', '-1');
    el?.querySelector('h2')?.focus();
}

function transitionsSection({ inc, reload }, cls) {
    const sec = h(
        'section',
        { class: 'transitions', 'aria-labelledby': 'h-tr' },
        h('h2', { id: 'h-tr' }, t('sec_transitions')),
    );
    if (!atLeast('analyst')) {
        sec.appendChild(h('p', { class: 'muted' }, t('state_now', { s: t('state_' + inc.state) })));
        return sec;
    }
    if (!inc.transitions.length) {
        sec.appendChild(h('p', { class: 'muted' }, t('no_transitions')));
        return sec;
    }
    const note = h('textarea', { name: 'note', rows: 2 });
    const form = h('form', { id: 'transition-form' }, field(t('transition_note'), note, t('transition_note_hint')));
    const buttons = h('div', { class: 'buttons' });
    // an action that cannot succeed now is shown disabled, with the reason beside it
    const reasons = h('div', { class: 'blocked-reasons' });
    const refresh = () => {
        reasons.replaceChildren();
        for (const b of buttons.querySelectorAll('button')) {
            const why = blockedReason(b.dataset.to, cls, note);
            b.disabled = !!why;
            b.removeAttribute('aria-describedby');
            if (!why) continue;
            const id = `blocked-${b.dataset.to}`;
            reasons.appendChild(h('p', { class: 'blocked-reason', id, 'data-for': b.dataset.to }, why));
            b.setAttribute('aria-describedby', id);
        }
    };
    for (const to of inc.transitions) {
        buttons.appendChild(
            h(
                'button',
                {
                    type: 'button',
                    'data-to': to,
                    class: to === 'dismissed' ? 'danger' : 'primary',
                    onclick: async () => {
                        const body = { to };
                        if (note.value.trim()) body.note = note.value.trim();
                        const ok = await submitting(form, () =>
                            post(`/incidents/${seg(inc.id)}/transitions`, body, { ifMatch: inc.version }),
                        );
                        if (ok) reload();
                    },
                },
                t('move_to', { s: t('state_' + to) }),
            ),
        );
    }
    note.addEventListener('input', refresh);
    form.append(buttons, reasons);
    refresh();
    sec.appendChild(form);
    return sec;
}

function factsSection({ inc, reload }, cls) {
    const ro = !atLeast('analyst');
    const missing = new Set();
    for (const r of cls?.regimes ?? []) if (r.applies !== 'no') for (const m of r.missing) missing.add(m);
    const e = (name, kind, value, label, hint) => field(label ?? t(name), control(name, kind, value, ro), hint);
    const form = h(
        'form',
        { id: 'facts-form', class: 'card' },
        e('title', 'text', inc.title),
        e('description', 'longtext', inc.description),
        h(
            'div',
            { class: 'grid' },
            field(
                t('severity'),
                select(
                    'severity',
                    SEVERITIES.map((v) => [v, t('sev_' + v)]),
                    inc.severity,
                    { disabled: ro },
                ),
            ),
            field(
                t('category'),
                select(
                    'category',
                    CATEGORIES.map((v) => [v, t('cat_' + v)]),
                    inc.category,
                    { disabled: ro },
                ),
            ),
            field(
                t('cause'),
                select(
                    'cause',
                    CAUSES.map((v) => [v, t('cause_' + v)]),
                    inc.cause,
                    { disabled: ro },
                ),
            ),
            field(
                t('kind'),
                select(
                    'kind',
                    KINDS.map((v) => [v, t('kind_' + v)]),
                    inc.kind,
                    { disabled: ro },
                ),
                t('kind_hint'),
            ),
            field(
                t('root_cause_category'),
                select(
                    'root_cause_category',
                    [['', '—'], ...ROOT_CAUSES.map((c) => [c.name, pick(c.label)])],
                    inc.root_cause_category ?? '',
                    { disabled: ro },
                ),
            ),
            e('root_cause', 'text', inc.root_cause, t('root_cause'), t('root_cause_hint')),
            field(
                t('tlp'),
                select(
                    'tlp',
                    TLPS.map((v) => [v, `TLP:${v.toUpperCase()}`]),
                    inc.tlp,
                    { disabled: ro },
                ),
            ),
            e('assignee', 'text', inc.assignee),
            e('services', 'list', inc.services, t('services'), t('comma_list')),
            TIMES.map((k) => e(k, 'time', inc[k], t(k), t('local_time'))),
        ),
        h('h3', {}, t('impact_facts')),
        h('p', { class: 'hint' }, t('impact_hint')),
        missing.size
            ? h(
                  'p',
                  { class: 'missing-note', id: 'missing-facts' },
                  t('missing_facts'),
                  ' ',
                  [...missing].map((x) => S.factLabel(x)).join(', '),
              )
            : null,
        // the facts known or needed now first; the rest one click away
        factGrid(
            FACTS.filter(([n]) => n in inc.impact || missing.has(n)),
            inc,
            missing,
            ro,
        ),
        h(
            'details',
            { id: 'more-facts' },
            h('summary', {}, t('more_facts')),
            factGrid(
                FACTS.filter(([n]) => !(n in inc.impact) && !missing.has(n)),
                inc,
                missing,
                ro,
            ),
        ),
        // why: on the timeline and in the audit log; a change that lifts a
        // report still owed (GDPR: risk unlikely) is refused without it
        ro ? null : e('note', 'text', '', t('change_note'), t('change_note_hint')),
        ro ? null : h('button', { type: 'submit', class: 'primary', id: 'save-facts' }, t('save')),
    );
    rootCauseWords(form);
    form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const body = {};
        const el = (n) => form.querySelector(`[name="${CSS.escape(n)}"]`);
        const OPTIONAL = ['assignee', 'root_cause_category', 'root_cause'];
        for (const k of ['title', 'description', 'severity', 'category', 'cause', 'tlp', 'kind', ...OPTIONAL]) {
            const v = el(k).value;
            const nv = OPTIONAL.includes(k) && v.trim() === '' ? null : v;
            if (!same(nv, inc[k])) body[k] = nv;
        }
        const services = readControl(el('services'), 'list') ?? [];
        if (!same(services, inc.services)) body.services = services;
        for (const k of TIMES) if (el(k).value !== toLocalInput(inc[k])) body[k] = readControl(el(k), 'time') ?? null;
        const impact = reading(form, () => {
            const out = {};
            for (const [name, kind] of FACTS) {
                const c = el(`impact.${name}`);
                const v = kind === 'time' ? undefined : readControl(c, kind);
                if (kind === 'time' ? c.value === toLocalInput(inc.impact[name]) : same(v, inc.impact[name])) continue;
                out[name] = (kind === 'time' ? readControl(c, kind) : v) ?? null;
            }
            return out;
        });
        if (!impact) return;
        if (Object.keys(impact).length) body.impact = impact;
        if (!Object.keys(body).length) return;
        if (el('note').value.trim() !== '') body.note = el('note').value;
        const send = (b, version) => patch(`/incidents/${seg(inc.id)}`, b, { ifMatch: version });
        let stale = null;
        const ok = await submitting(form, () =>
            send(body, inc.version).catch((e) => {
                if (e?.status !== 412) throw e; // someone else saved first
                stale = e;
            }),
        );
        // someone else saved first: theirs beside mine, and the choice
        const done = (saved) => (saved ? savedAfter(reload, 'save-facts') : reload());
        if (stale)
            return import('../lib/conflict.js').then((m) =>
                m.incidentConflict(form, inc, body, { send, done, by: stale.problem?.changed_by }),
            );
        if (ok) savedAfter(reload, 'save-facts');
    });
    return h(
        'section',
        { id: 'sec-facts', 'aria-labelledby': 'h-facts' },
        h('h2', { id: 'h-facts' }, t('sec_facts')),
        form,
    );
}

/** Reloads the page, then says "Saved" beside the button with id. */
async function savedAfter(reload, id) {
    await reload();
    saySaved(document.getElementById(id));
}

// the words of the root causes already recorded are offered: the same
// category and words make recurring incidents (CIR 2024/2690 art. 4)
function rootCauseWords(form) {
    const input = form.querySelector('[name="root_cause"]');
    if (!input || input.disabled) return;
    const list = h('datalist', { id: 'root-cause-words' });
    input.setAttribute('list', 'root-cause-words');
    form.appendChild(list);
    get('/incidents?limit=100').then(
        (r) => {
            for (const w of new Set(r.items.map((i) => i.root_cause).filter(Boolean)))
                list.appendChild(h('option', { value: w }));
        },
        () => {}, // only a convenience: typing works without it
    );
}

function factGrid(facts, inc, missing, ro) {
    return h(
        'div',
        { class: 'grid facts' },
        facts.map(([name, kind]) => {
            const row = field(S.factLabel(name), control(`impact.${name}`, kind, inc.impact[name], ro));
            if (missing.has(name)) row.classList.add('missing');
            return row;
        }),
    );
}

const tri = (v) => h('span', { class: `tri tri-${v}` }, t('tri_' + v));

/* A value a rule compares, in words: a kind, an entity type, a class or a
 * fact's value, never its JSON. */
function ruleValue(v) {
    if (Array.isArray(v)) return v.length ? v.map(ruleValue).join(', ') : t('none');
    if (typeof v === 'string')
        for (const p of ['kind_', 'et_', 'class_', 'sev_', 'cat_']) if (t(p + v) !== p + v) return t(p + v);
    return S.factValue('', v);
}

const OPS = { '==': '=', '<=': '≤', '>=': '≥', has: 'op_has', in: 'op_in' };
const opWords = (op) => (OPS[op]?.startsWith('op_') ? t(OPS[op]) : (OPS[op] ?? op));

// a computed side that is unknown may still be bounded ("whichever is lower")
function bounded(value, range) {
    if (value !== null && value !== undefined) return ruleValue(value);
    if (range)
        return range[1] === null
            ? t('range_at_least', { lo: range[0] })
            : t('range_between', { lo: range[0], hi: range[1] });
    return t('unknown');
}

function condition(c) {
    return h(
        'li',
        {},
        `${S.factLabel(c.left)} ${opWords(c.op)} ${bounded(c.threshold, c.threshold_range)} — ${t('now')}: ${bounded(c.actual, c.actual_range)} `,
        tri(c.result),
    );
}

function classification({ inc, reload }, cls) {
    const applying = cls.regimes.filter((r) => r.applies !== 'no');
    const not = cls.regimes.filter((r) => r.applies === 'no');
    const out = h(
        'div',
        { id: 'classification' },
        h('p', { class: 'hint' }, t('evaluated_at'), ' ', timeEl(cls.evaluated_at)),
    );
    for (const r of applying) {
        const st = cls.status.find((s) => s.regime === r.regime);
        const met = r.criteria.filter((c) => c.result === 'yes');
        const open = r.criteria.filter((c) => c.result === 'undetermined');
        const art = h(
            'article',
            { class: 'regime card', 'data-regime': r.regime },
            h('h3', {}, pick(r.title)),
            h(
                'p',
                {},
                t('applies'),
                ': ',
                tri(r.applies),
                ' · ',
                t('significant'),
                ': ',
                tri(r.significant),
                r.effective !== r.significant ? [' · ', t('effective'), ': ', tri(r.effective)] : null,
            ),
            h('p', { class: 'reason' }, reasonText(r, met)),
            met.length
                ? h(
                      'div',
                      {},
                      h('h4', {}, t('criteria_met')),
                      h(
                          'ul',
                          {},
                          met.map((c) =>
                              h('li', {}, pick(c.text), ' ', h('span', { class: 'source' }, `(${S.lawRef(c.source)})`)),
                          ),
                      ),
                  )
                : null,
            open.length
                ? h(
                      'details',
                      {},
                      h('summary', {}, t('criteria_open', { n: open.length })),
                      h(
                          'ul',
                          {},
                          open.map((c) =>
                              h('li', {}, pick(c.text), h('ul', { class: 'conds' }, c.conditions.map(condition))),
                          ),
                      ),
                  )
                : null,
            r.missing.length
                ? h(
                      'p',
                      { class: 'missing-note' },
                      t('missing_facts'),
                      ' ',
                      r.missing.map((x) => S.factLabel(x)).join(', '),
                  )
                : null,
            r.recurrence ? recurrence(r.recurrence) : null,
            st?.decision
                ? h(
                      'p',
                      { class: 'decision' },
                      t('decision_not_notifiable', { by: S.who(st.decided_by ?? '') }),
                      ' ',
                      st.decision_reason ?? '',
                  )
                : null,
            h('p', { class: 'source' }, S.lawRef(r.source), ' · ', t('rules_version'), ' ', r.version),
        );
        if (atLeast('manager') && r.significant !== 'no') art.appendChild(decisionForm(inc, r, st, reload));
        out.appendChild(art);
    }
    if (not.length)
        out.appendChild(h('p', { class: 'muted' }, t('not_applicable'), ' ', not.map((r) => pick(r.title)).join('; ')));
    return out;
}

// CIR 2024/2690 art. 4, RTS 2024/1772 art. 8(2): the link to the other
// incidents with the same apparent root cause, and what they come to together
function recurrence(rec) {
    const figures = Object.entries(rec.combined)
        .filter(([k]) => k !== 'at_least')
        .map(([k, v]) =>
            v === null && rec.combined.at_least?.[k] !== undefined
                ? `${S.factLabel(k)}: ${t('range_at_least', { lo: rec.combined.at_least[k] })}`
                : `${S.factLabel(k)}: ${S.factValue(k, v)}`,
        );
    return h(
        'div',
        { class: 'recurrence', id: `recurrence-${rec.id}`, 'data-result': rec.result },
        h('h4', {}, t('recurring_title')),
        h(
            'p',
            {},
            t('recurring_members'),
            ' ',
            rec.members.map((m, i) => [
                i ? ', ' : '',
                h('a', { href: `#/incidents/${seg(m.ref)}` }, m.ref),
                ` (${localTime(m.occurred_at)})`,
            ]),
        ),
        h('p', {}, t('recurring_combined'), ' ', figures.join('; ')),
        h(
            'p',
            {},
            t('recurring_result'),
            ' ',
            tri(rec.result),
            ' · ',
            rec.leads ? t('recurring_leads') : t('recurring_led_by', { ref: rec.lead.ref }),
        ),
        h('p', { class: 'source' }, S.lawRef(rec.source)),
    );
}

function reasonText(r, met) {
    if (r.significant === 'yes') return t('reason_yes', { n: met.length });
    if (r.significant === 'no') return t('reason_no');
    return t('reason_undetermined');
}

function decisionForm(inc, r, st, reload) {
    const notifiable = st?.decision === 'not_notifiable' || !!st?.decision;
    const reason = h('input', { name: 'reason' });
    const form = h(
        'form',
        { class: 'decision-form' },
        notifiable ? null : field(t('reason'), reason),
        h('button', { type: 'submit' }, notifiable ? t('decide_notifiable') : t('decide_not_notifiable')),
    );
    form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const body = { regime: r.regime, notifiable };
        if (!notifiable) body.reason = reason.value;
        const ok = await submitting(form, () => post(`/incidents/${seg(inc.id)}/decisions`, body));
        if (ok) reload();
    });
    return h('details', {}, h('summary', {}, t('decision')), form);
}

/* The reports of this incident, each in a sentence as the timeline tells it,
 * with where it stands (a countdown while owed). */
function obligationsTable(items) {
    if (!items.length) return h('p', { class: 'muted' }, t('no_deadlines'));
    const overdue = (o) => o.status === 'missed' || (o.due_at && Date.parse(o.due_at) < Date.now());
    return h(
        'table',
        { class: 'deadlines obligations' },
        h(
            'thead',
            {},
            h('tr', {}, h('th', { scope: 'col' }, t('report')), h('th', { scope: 'col' }, t('time_remaining'))),
        ),
        h(
            'tbody',
            {},
            items.map((o) =>
                h(
                    'tr',
                    { class: overdue(o) ? 'overdue-row' : '', 'data-stage': o.stage },
                    h('td', { class: 'sentence' }, S.obligationSentence(o), recipientProblems(o)),
                    h(
                        'td',
                        {},
                        o.due_now && !o.due_at ? h('strong', { class: 'due-now' }, t('due_now')) : null,
                        standing(o),
                    ),
                ),
            ),
        ),
    );
}

function obligations({ inc, reload }, cls) {
    // the reports still owed first, the nearest deadline on top; the settled ones after
    const due = (o) => (o.due_at ? Date.parse(o.due_at) : Infinity);
    const items = [...cls.obligations].sort((a, b) => owedNow(b) - owedNow(a) || due(a) - due(b));
    const wrap = h('div', { id: 'obligations' }, obligationsTable(items));
    if (atLeast('manager')) {
        for (const o of items.filter(owedNow)) {
            const reason = h('input', { name: 'reason', required: true });
            const form = h(
                'form',
                { class: 'inline' },
                field(t('reason'), reason),
                h('button', { type: 'submit' }, t('waive')),
            );
            form.addEventListener('submit', async (ev) => {
                ev.preventDefault();
                const ok = await submitting(form, () =>
                    post(`/incidents/${seg(inc.id)}/obligations/${seg(o.id)}/waive`, { reason: reason.value }),
                );
                if (ok) reload();
            });
            wrap.appendChild(
                h(
                    'details',
                    { class: 'waive' },
                    h(
                        'summary',
                        {},
                        t('waive_report', {
                            r: reportName(o),
                        }),
                    ),
                    form,
                ),
            );
        }
    }
    return wrap;
}

function noteForm({ inc, reload }) {
    if (!atLeast('analyst')) return null;
    const text = h('textarea', { name: 'text', rows: 2, required: true });
    const form = h(
        'form',
        { id: 'note-form' },
        field(t('add_note'), text),
        h('button', { type: 'submit' }, t('add_note')),
    );
    form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const ok = await submitting(form, () => post(`/incidents/${seg(inc.id)}/notes`, { text: text.value }));
        if (ok) reload();
    });
    return form;
}
