// SPDX-License-Identifier: EUPL-1.2
// conflict.js - when someone else saved first (the API answers 412 to a
// stale If-Match), what they changed is shown beside what this user typed,
// field by field, and the user chooses: keep mine (re-applied on top of
// theirs, at their version), take theirs (mine discarded, on purpose), or
// merge field by field.  Nothing typed is lost until the user chooses, and
// there is always a way on.
import { h } from './dom.js';
import { showErrors } from './forms.js';
import { t } from './i18n.js';

/** A stale-version answer: someone else saved first. */
export const isConflict = (e) => e?.status === 412;

/** The value at a dotted path ("impact.users_affected") of an object. */
export const at = (obj, path) => path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);

/** {a: 1, impact: {b: 2}} → {"a": 1, "impact.b": 2}: one entry per field the user changed. */
export function flatten(body, prefix = '', out = {}) {
    for (const [k, v] of Object.entries(body)) {
        if (v && typeof v === 'object' && !Array.isArray(v) && k === 'impact') flatten(v, `${prefix}${k}.`, out);
        else out[prefix + k] = v;
    }
    return out;
}

/** The reverse of flatten. */
export function unflatten(flat) {
    const out = {};
    for (const [k, v] of Object.entries(flat)) {
        const parts = k.split('.');
        let o = out;
        for (const p of parts.slice(0, -1)) o = o[p] ??= {};
        o[parts.at(-1)] = v;
    }
    return out;
}

/**
 * Shows the choice in place of form's buttons.  mine: the flat changes the
 * user made; theirs: the record as it is now (with .version); label(field)
 * and show(value) give the words.  save(body, version) sends a change;
 * done() is called after a choice has been saved or theirs taken.
 */
export function conflictPanel(form, { mine, theirs, label, show, save, done }) {
    form.querySelector('.conflict')?.remove();
    const fields = Object.keys(mine);
    const choice = Object.fromEntries(fields.map((f) => [f, 'mine']));
    const rows = fields.map((f) =>
        h(
            'tr',
            { 'data-field': f },
            h('th', { scope: 'row' }, label(f)),
            h('td', { class: 'theirs' }, show(at(theirs, f))),
            h('td', { class: 'mine' }, show(mine[f])),
            h(
                'td',
                { class: 'pick', hidden: true },
                ['mine', 'theirs'].map((side) =>
                    h(
                        'label',
                        {},
                        h('input', {
                            type: 'radio',
                            name: `conflict-${f}`,
                            value: side,
                            checked: side === 'mine',
                            onchange: () => (choice[f] = side),
                        }),
                        ' ',
                        t(`conflict_use_${side}`),
                    ),
                ),
            ),
        ),
    );
    const send = async (flat) => {
        if (!Object.keys(flat).length) return done();
        try {
            await save(unflatten(flat), theirs.version);
            done(true);
        } catch (e) {
            showErrors(form, e);
        }
    };
    const merge = h(
        'div',
        { class: 'merge', hidden: true },
        h(
            'button',
            {
                type: 'button',
                class: 'primary save-merge',
                onclick: () =>
                    send(Object.fromEntries(fields.filter((f) => choice[f] === 'mine').map((f) => [f, mine[f]]))),
            },
            t('conflict_save_merge'),
        ),
    );
    const panel = h(
        'div',
        { class: 'conflict card', role: 'alert', 'aria-labelledby': 'conflict-h' },
        h('h3', { id: 'conflict-h' }, t('conflict_title')),
        h('p', {}, t('conflict_text', { who: theirs.updated_by ?? t('conflict_someone') })),
        h(
            'table',
            { class: 'conflict-table' },
            h(
                'thead',
                {},
                h(
                    'tr',
                    {},
                    [t('conflict_field'), t('conflict_theirs'), t('conflict_mine')].map((x) =>
                        h('th', { scope: 'col' }, x),
                    ),
                    h('th', { scope: 'col', class: 'pick', hidden: true }, t('conflict_merge')),
                ),
            ),
            h('tbody', {}, rows),
        ),
        h(
            'div',
            { class: 'buttons' },
            h(
                'button',
                { type: 'button', class: 'primary keep-mine', onclick: () => send(mine) },
                t('conflict_keep_mine'),
            ),
            h(
                'button',
                { type: 'button', class: 'take-theirs', onclick: () => done(false) },
                t('conflict_take_theirs'),
            ),
            h(
                'button',
                {
                    type: 'button',
                    class: 'merge-fields',
                    onclick: () => {
                        merge.hidden = false;
                        for (const c of panel.querySelectorAll('.pick')) c.hidden = false;
                        panel.classList.add('merging');
                        panel.querySelector('.pick input')?.focus();
                    },
                },
                t('conflict_merge'),
            ),
        ),
        merge,
    );
    form.appendChild(panel);
    panel.querySelector('.keep-mine').focus();
    return panel;
}
