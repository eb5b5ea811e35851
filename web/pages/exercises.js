// SPDX-License-Identifier: EUPL-1.2
// exercises.js - exercises in tabletop mode (issue 22, docs/EXERCISES.md):
// the scenarios with the start form (managers and admins) and the runs
// (#/exercises); a run's panel with the exercise clock, its controls and
// the injects (#/exercises/ID); the printable exercise report
// (#/exercises/ID/report).  Loaded on demand.
import { get, post, seg } from '../lib/api.js';
import { field, h, replace, select, timeEl } from '../lib/dom.js';
import { errorBox, submitting } from '../lib/forms.js';
import { lang, pick, t } from '../lib/i18n.js';
import '../lib/i18n_exercises.js';
import { atLeast } from '../lib/session.js';

// the pages' own styles, loaded with them, outside the first load
if (!document.querySelector('link[href="/exercises.css"]'))
    document.head.appendChild(h('link', { rel: 'stylesheet', href: '/exercises.css' }));

const X = '/exercises';
const hours = (s) => `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}`;
const stateBadge = (s) => h('span', { class: `badge ex-${s}` }, t('ex_state_' + s));
const marker = () => h('span', { class: 'badge exercise-marker' }, t('ex_marker'));

/** #/exercises: the scenarios and the runs. */
export async function exercisesPage() {
    const [sc, runs] = await Promise.all([get(`${X}/scenarios`), get(X)]);
    return h(
        'div',
        { class: 'exercises' },
        h('h1', {}, t('ex_title')),
        h('p', { class: 'hint' }, t('ex_text')),
        h('h2', {}, t('ex_runs')),
        runsTable(runs.items),
        h('h2', {}, t('ex_scenarios')),
        ...sc.items.map(scenarioCard),
    );
}

function runsTable(items) {
    if (!items.length) return h('p', { class: 'muted', id: 'ex-runs' }, t('ex_none'));
    return h(
        'table',
        { id: 'ex-runs' },
        h(
            'thead',
            {},
            h(
                'tr',
                {},
                [t('ex_title'), t('ex_incident'), t('ex_started'), t('ex_state')].map((k) =>
                    h('th', { scope: 'col' }, k),
                ),
            ),
        ),
        h(
            'tbody',
            {},
            items.map((r) =>
                h(
                    'tr',
                    {},
                    h('td', {}, h('a', { href: `#/exercises/${seg(r.id)}` }, pick(r.title))),
                    h('td', {}, h('a', { href: `#/incidents/${seg(r.incident_ref)}` }, r.incident_ref)),
                    h('td', {}, timeEl(r.started_at)),
                    h('td', {}, stateBadge(r.state)),
                ),
            ),
        ),
    );
}

function scenarioCard(s) {
    const id = `sc-${s.scenario}`;
    const card = h(
        'section',
        { class: 'scenario', id, 'aria-labelledby': `${id}-h` },
        h('h3', { id: `${id}-h` }, pick(s.title)),
        h('p', {}, pick(s.description)),
        h(
            'p',
            { class: 'muted' },
            `${t('ex_duration')}: ${hours(s.duration_seconds)} · ${t('ex_injects')}: ${s.injects}`,
        ),
        s.assumptions.length
            ? h(
                  'div',
                  {},
                  h('p', {}, h('strong', {}, t('ex_assumptions'))),
                  h(
                      'ul',
                      {},
                      s.assumptions.map((a) => h('li', {}, pick(a))),
                  ),
              )
            : null,
    );
    if (atLeast('manager')) card.appendChild(startForm(s));
    return card;
}

function startForm(s) {
    const language = select(
        'language',
        [
            ['nl', 'Nederlands'],
            ['en', 'English'],
        ],
        lang(),
    );
    const speed = h('input', { name: 'speed', type: 'number', min: '1', max: '1000', step: '1', value: '1' });
    const outside = h('input', { name: 'allow_outside_reminders', type: 'checkbox' });
    const form = h(
        'form',
        { class: 'ex-start', novalidate: true },
        field(t('ex_language'), language),
        field(t('ex_speed'), speed, t('ex_speed_hint')),
        h('div', { class: 'field check' }, h('label', {}, outside, ' ', t('ex_outside'))),
        h('button', { type: 'submit' }, t('ex_start')),
    );
    form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const run = await submitting(form, () =>
            post(X, {
                scenario: s.scenario,
                language: language.value,
                speed: Number(speed.value),
                allow_outside_reminders: outside.checked,
            }),
        );
        if (run) location.hash = `#/exercises/${seg(run.id)}`;
    });
    return form;
}

/** #/exercises/ID: the run panel. */
export async function exerciseRunPage(id) {
    const page = h('div', { class: 'exercise-run' });
    const draw = async () => {
        const r = await get(`${X}/${seg(id)}`);
        replace(
            page,
            h('h1', {}, marker(), ' ', pick(r.title)),
            h(
                'p',
                {},
                t('ex_incident'),
                ': ',
                h('a', { href: `#/incidents/${seg(r.incident_ref)}` }, r.incident_ref),
                ' · ',
                h('a', { href: `#/exercises/${seg(r.id)}/report`, id: 'ex-report-link' }, t('ex_open_report')),
            ),
            clockPanel(r, draw),
            injectsTable(r),
        );
    };
    await draw();
    return page;
}

function clockPanel(r, redraw) {
    const dl = h(
        'dl',
        { class: 'ex-clock', id: 'ex-clock' },
        h('dt', {}, t('ex_clock')),
        h('dd', {}, timeEl(r.exercise_time)),
        h('dt', {}, t('ex_elapsed')),
        h('dd', {}, hours(r.elapsed_seconds)),
        h('dt', {}, t('ex_state')),
        h('dd', {}, stateBadge(r.state), ` · ${r.speed}×`),
    );
    if (!atLeast('manager') || r.state === 'ended') return dl;
    const speed = h('input', { name: 'speed', type: 'number', min: '1', max: '1000', value: String(r.speed) });
    const form = h('form', { class: 'ex-controls', novalidate: true });
    const act = (body) => async (ev) => {
        ev.preventDefault();
        if (await submitting(form, () => post(`${X}/${seg(r.id)}/clock`, body()))) await redraw();
    };
    const btn = (label, body) => {
        const b = h('button', { type: 'button' }, label);
        b.addEventListener('click', act(body));
        return b;
    };
    replace(
        form,
        r.running ? btn(t('ex_pause'), () => ({ action: 'pause' })) : btn(t('ex_resume'), () => ({ action: 'resume' })),
        field(t('ex_speed'), speed),
        btn(t('ex_set_speed'), () => ({ speed: Number(speed.value) })),
        btn(t('ex_end'), () => ({ action: 'end' })),
    );
    return h('div', {}, dl, form);
}

function injectsTable(r) {
    return h(
        'table',
        { id: 'ex-injects' },
        h('caption', {}, t('ex_injects')),
        h(
            'thead',
            {},
            h(
                'tr',
                {},
                [t('ex_at'), t('ex_kind'), t('ex_text_col'), t('ex_applied')].map((k) => h('th', { scope: 'col' }, k)),
            ),
        ),
        h(
            'tbody',
            {},
            r.injects.map((i) =>
                h(
                    'tr',
                    { class: i.applied_at ? 'applied' : 'pending' },
                    h('td', {}, `T+${hours(Date.parse(i.exercise_due_at) / 1000 - Date.parse(r.started_at) / 1000)}`),
                    h('td', {}, i.label),
                    h('td', {}, i.text),
                    h(
                        'td',
                        {},
                        i.applied_at ? timeEl(i.applied_exercise_at) : h('span', { class: 'muted' }, t('ex_pending')),
                    ),
                ),
            ),
        ),
    );
}

/** #/exercises/ID/report: the printable report, in the reader's language. */
export async function exerciseReportPage(id) {
    const r = await get(`${X}/${seg(id)}/report?lang=${lang()}`);
    const printBtn = h('button', { type: 'button', class: 'no-print' }, t('ex_print'));
    printBtn.addEventListener('click', () => window.print());
    return h(
        'article',
        { class: 'exercise-report', 'data-watermark': r.marker, id: 'ex-report' },
        h('p', { class: 'exercise-statement', role: 'note' }, r.marker),
        h('h1', {}, `${t('ex_report_title')}: ${r.title}`),
        h('p', {}, r.description),
        h('p', { class: 'hint' }, t('ex_report_intro')),
        h(
            'p',
            {},
            `${t('ex_incident')}: ${r.incident_ref} · ${t('ex_started')}: `,
            timeEl(r.exercise_started_at),
            ` · ${r.speed}×`,
        ),
        printBtn,
        h('h2', {}, t('ex_deadlines')),
        deadlinesTable(r.deadlines),
        h('h2', {}, t('ex_missing')),
        r.missing.length
            ? h(
                  'ul',
                  { id: 'ex-missing' },
                  r.missing.map((m) => h('li', {}, m.text)),
              )
            : h('p', { id: 'ex-missing' }, t('ex_missing_none')),
        h('h2', {}, t('ex_decisions')),
        decisionsTable(r.decisions),
    );
}

function deadlinesTable(items) {
    if (!items.length) return h('p', { class: 'muted' }, t('ex_no_deadlines'));
    return h(
        'table',
        { id: 'ex-deadlines' },
        h(
            'thead',
            {},
            h(
                'tr',
                {},
                [t('ex_regime'), t('ex_stage'), t('ex_due_ex'), t('ex_met_ex'), t('ex_result')].map((k) =>
                    h('th', { scope: 'col' }, k),
                ),
            ),
        ),
        h(
            'tbody',
            {},
            items.map((d) =>
                h(
                    'tr',
                    {},
                    h('td', {}, d.regime_title ?? d.regime),
                    h('td', {}, d.stage_name ?? d.stage),
                    h('td', {}, timeEl(d.exercise_due_at)),
                    h('td', {}, timeEl(d.exercise_met_at)),
                    h('td', {}, h('span', { class: `badge ex-r-${d.status}` }, t('ex_r_' + d.status))),
                ),
            ),
        ),
    );
}

function decisionsTable(items) {
    return h(
        'table',
        { id: 'ex-decisions' },
        h(
            'thead',
            {},
            h(
                'tr',
                {},
                [t('ex_at'), t('ex_who'), t('ex_what')].map((k) => h('th', { scope: 'col' }, k)),
            ),
        ),
        h(
            'tbody',
            {},
            items.map((e) =>
                h(
                    'tr',
                    {},
                    h('td', {}, timeEl(e.exercise_at)),
                    h('td', {}, e.principal),
                    h('td', {}, e.note ?? [e.kind, e.field, e.new_value].filter(Boolean).join(' ')),
                ),
            ),
        ),
    );
}
