// SPDX-License-Identifier: EUPL-1.2
// assessment.js - the applicability self-assessment (docs/PREPAREDNESS.md
// §1): the questionnaire from the server in the reader's language, the
// result with its reasons, articles, what is uncertain and the caveats,
// earlier assessments, exports, and for admins "apply to the profile".
import { get, post, seg } from '../lib/api.js';
import { field, h, replace, select, timeEl } from '../lib/dom.js';
import { errorBox, submitting } from '../lib/forms.js';
import { numberInput, readControl } from '../lib/facts.js';
import { lang, pick, t } from '../lib/i18n.js';
import { lawRef } from '../lib/sentences.js';
import { atLeast } from '../lib/session.js';

export const prepTabs = (here) =>
    h(
        'nav',
        { class: 'tabs', 'aria-label': t('nav_preparedness') },
        [
            ['#/preparedness', t('prep_applicability')],
            ['#/preparedness/register', t('prep_register')],
        ].map(([href, text]) => h('a', { href, 'aria-current': here === href ? 'page' : false }, text)),
    );

function question(q, qs) {
    const name = `answers.${q.id}`;
    let ctl;
    if (q.type === 'boolean')
        ctl = select(
            name,
            [
                ['', t('unknown')],
                ['true', t('yes')],
                ['false', t('no')],
            ],
            '',
        );
    else if (q.type === 'integer' || q.type === 'amount')
        ctl = numberInput(name, q.type === 'integer' ? 'count' : 'money', null);
    else if (q.type === 'sector')
        ctl = select(
            name,
            [['', '—'], ...qs.sectors.map((s) => [s.id, pick(s.label)]), ['none', t('sector_none')]],
            '',
        );
    else if (q.type === 'subsector') ctl = select(name, [['', '—']], '');
    else if (q.type === 'choice')
        ctl = select(
            name,
            [
                ['', '—'],
                ...(q.options ?? []).map((o) =>
                    typeof o === 'string' ? [o, o] : [o.id, pick(o.label ?? o.text ?? o.id)],
                ),
            ],
            '',
        );
    else ctl = h('input', { name });
    if (q.required) ctl.required = true;
    const help = pick(q.help);
    const row = field(pick(q.text), ctl, [help, lawRef(q.article)].filter(Boolean).join(' · '));
    row.dataset.question = q.id;
    return row;
}

function readAnswers(form, qs) {
    const answers = {};
    for (const q of qs.questions) {
        const el = form.querySelector(`[name="answers.${q.id}"]`);
        const v = el?.value.trim() ?? '';
        if (v === '') continue;
        if (q.type === 'boolean') answers[q.id] = v === 'true';
        else if (q.type === 'integer' || q.type === 'amount') answers[q.id] = readControl(el, 'number');
        else answers[q.id] = v;
    }
    return answers;
}

const reasonList = (list, cls) =>
    list?.length
        ? h(
              'div',
              {},
              h(
                  'ul',
                  { class: cls },
                  list.map((r) =>
                      h(
                          'li',
                          { 'data-rule': r.rule },
                          r.text,
                          ' ',
                          h('span', { class: 'source' }, `(${lawRef(r.article)})`),
                          // a quiet marker, explained once below the list (issue 17: no shouting)
                          r.unconfirmed
                              ? [
                                    ' ',
                                    h(
                                        'small',
                                        { class: 'unconfirmed', title: t('unconfirmed_why') },
                                        `(${t('unconfirmed')})`,
                                    ),
                                ]
                              : null,
                          r.otherwise
                              ? [' ', h('span', { class: 'muted' }, t('otherwise', { o: t('outcome_' + r.otherwise) }))]
                              : null,
                      ),
                  ),
              ),
              list.some((r) => r.unconfirmed) ? h('p', { class: 'hint' }, t('unconfirmed_why')) : null,
          )
        : null;

function regime(title, verdict, part) {
    return h(
        'article',
        { class: 'card regime' },
        h('h3', {}, title, ': ', verdict),
        reasonList(part.reasons, 'reasons'),
        part.uncertain?.length ? [h('h4', {}, t('uncertain')), reasonList(part.uncertain, 'uncertain')] : null,
    );
}

export function resultView(a, redraw) {
    const r = a.result;
    const base = `/api/v1/assessment/${seg(a.id)}/export`;
    const out = h(
        'section',
        { id: 'assessment-result', 'aria-labelledby': 'h-result', 'data-outcome': r.nis2.outcome },
        h('h2', { id: 'h-result' }, t('result')),
        h(
            'p',
            { class: 'meta muted' },
            timeEl(a.created_at),
            ' · ',
            a.created_by,
            ' · ',
            t('rules_version'),
            ' ',
            a.law_version,
        ),
        h(
            'p',
            { class: 'outcome' },
            'NIS2: ',
            h(
                'strong',
                { class: `badge outcome-${r.nis2.outcome}`, id: 'nis2-outcome' },
                t('outcome_' + r.nis2.outcome),
            ),
        ),
        r.size
            ? h(
                  'p',
                  {},
                  t('size_class'),
                  ': ',
                  r.size.class
                      ? t('size_' + r.size.class)
                      : h(
                            'span',
                            {},
                            t('size_range'),
                            ' ',
                            (r.size.possible ?? []).map((c) => t('size_' + c)).join(' – '),
                        ),
              )
            : null,
        regime('NIS2 (Cbw)', t('outcome_' + r.nis2.outcome), r.nis2),
        regime('CER (Wwke)', r.cer.critical_entity ? t('cer_yes') : t('cer_no'), r.cer),
        regime('DORA', r.dora.applies ? t('dora_yes') : t('dora_no'), r.dora),
        r.caveats?.length
            ? h(
                  'div',
                  { class: 'caveats missing-note', id: 'caveats' },
                  h('h3', {}, t('caveats')),
                  reasonList(r.caveats, 'caveat-list'),
              )
            : null,
        h(
            'ul',
            { class: 'downloads' },
            h('li', {}, h('a', { href: `${base}?format=json`, download: '', 'data-kind': 'json' }, t('export_json'))),
            h('li', {}, h('a', { href: `${base}?format=csv`, download: '', 'data-kind': 'csv' }, t('export_csv'))),
            h(
                'li',
                {},
                h(
                    'a',
                    { href: `${base}?format=html`, target: '_blank', rel: 'noopener', 'data-kind': 'html' },
                    t('dl_html'),
                ),
            ),
        ),
    );
    if (a.applied_at)
        out.appendChild(
            h('p', { class: 'applied' }, t('applied_by', { who: a.applied_by ?? '' }), ' ', timeEl(a.applied_at)),
        );
    else if (atLeast('admin')) {
        const form = h(
            'form',
            { id: 'apply-form' },
            h('p', { class: 'hint' }, t('apply_hint')),
            h('button', { type: 'submit', class: 'primary' }, t('apply_profile')),
        );
        form.addEventListener('submit', async (ev) => {
            ev.preventDefault();
            if (await submitting(form, () => post(`/assessment/${seg(a.id)}/apply`))) redraw(a.id);
        });
        out.appendChild(form);
    }
    return out;
}

function history(items) {
    if (!items.length) return h('p', { class: 'muted' }, t('no_assessments'));
    return h(
        'table',
        { id: 'assessment-list' },
        h(
            'thead',
            {},
            h(
                'tr',
                {},
                [t('created'), t('created_by'), 'NIS2', 'CER', 'DORA', t('applied')].map((x) =>
                    h('th', { scope: 'col' }, x),
                ),
            ),
        ),
        h(
            'tbody',
            {},
            items.map((i) =>
                h(
                    'tr',
                    {},
                    h('td', {}, h('a', { href: `#/preparedness?id=${seg(i.id)}` }, timeEl(i.created_at))),
                    h('td', {}, i.created_by),
                    h('td', {}, t('outcome_' + i.nis2)),
                    h('td', {}, i.cer_critical_entity ? t('yes') : t('no')),
                    h('td', {}, i.dora_applies ? t('yes') : t('no')),
                    h('td', {}, i.applied_at ? timeEl(i.applied_at) : '—'),
                ),
            ),
        ),
    );
}

export async function assessmentPage(query) {
    const [qs, list] = await Promise.all([get('/assessment/questions'), get('/assessment')]);
    const page = h('div', { class: 'preparedness' }, h('h1', {}, t('nav_preparedness')), prepTabs('#/preparedness'));
    const resultSlot = h('div', {});
    const histSlot = h(
        'section',
        { 'aria-labelledby': 'h-hist' },
        h('h2', { id: 'h-hist' }, t('earlier_assessments')),
        history(list.items),
    );
    const show = async (id) => {
        try {
            const a = await get(`/assessment/${seg(id)}`);
            replace(resultSlot, resultView(a, show));
            replace(
                histSlot,
                h('h2', { id: 'h-hist' }, t('earlier_assessments')),
                history((await get('/assessment')).items),
            );
        } catch (e) {
            replace(resultSlot, errorBox(e));
        }
    };
    const form = h(
        'form',
        { id: 'assessment-form', class: 'card' },
        h('h2', {}, pick(qs.title)),
        h('p', { class: 'hint' }, pick(qs.notes)),
        qs.questions.map((q) => question(q, qs)),
    );
    if (atLeast('analyst')) form.appendChild(h('button', { type: 'submit', class: 'primary' }, t('assess')));
    else for (const el of form.querySelectorAll('input, select')) el.disabled = true;
    const sector = form.querySelector('[name="answers.sector"]');
    const sub = form.querySelector('[name="answers.subsector"]');
    sector?.addEventListener('change', () => {
        const s = qs.sectors.find((x) => x.id === sector.value);
        if (sub)
            replace(
                sub,
                [['', '—'], ...(s?.subsectors ?? []).map((x) => [x.id, pick(x.label)])].map(([v, text]) =>
                    h('option', { value: v }, text),
                ),
            );
    });
    form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const a = await submitting(form, () =>
            post('/assessment', { answers: readAnswers(form, qs), language: lang() }),
        );
        if (a) {
            await show(a.id);
            resultSlot.scrollIntoView();
        }
    });
    page.append(form, resultSlot, histSlot, h('p', { class: 'source' }, lawRef(qs.source)));
    if (query?.get('id')) await show(query.get('id'));
    return page;
}
