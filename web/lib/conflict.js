// SPDX-License-Identifier: EUPL-1.2
// conflict.js - when someone else saved first (the API answers 412 to a
// stale If-Match), what they changed is shown beside what this user typed,
// field by field, and the user chooses: keep mine (re-applied on top of
// theirs, at their version), take theirs (mine discarded, on purpose), or
// merge field by field.  Nothing typed is lost until the user chooses, and
// there is always a way on.
// Loaded with import() when a conflict happens, outside the first load;
// its words are here, in both languages.
import { get, patch, seg } from './api.js';
import { h, localTime, words } from './dom.js';
import { showErrors } from './forms.js';
import { pick, t } from './i18n.js';

const WORDS = {
    title: { en: 'Someone else saved first', nl: 'Iemand anders sloeg eerder op' },
    text: {
        en: 'Someone saved a change while you were editing. Compare and choose; nothing you typed is lost.',
        nl: 'Iemand sloeg een wijziging op terwijl u bewerkte. Vergelijk en kies; niets van wat u typte gaat verloren.',
    },
    // the server named who saved first (changed_by of the 412)
    title_by: { en: '{who} saved first', nl: '{who} sloeg eerder op' },
    text_by: {
        en: '{who} saved a change while you were editing. Compare and choose; nothing you typed is lost.',
        nl: '{who} sloeg een wijziging op terwijl u bewerkte. Vergelijk en kies; niets van wat u typte gaat verloren.',
    },
    field: { en: 'Field', nl: 'Veld' },
    theirs: { en: 'Their version', nl: 'Hun versie' },
    mine: { en: 'What you typed', nl: 'Wat u typte' },
    keep_mine: { en: 'Keep mine', nl: 'Mijn versie houden' },
    take_theirs: { en: 'Take theirs', nl: 'Hun versie nemen' },
    merge: { en: 'Merge field by field', nl: 'Per veld samenvoegen' },
    use_mine: { en: 'mine', nl: 'mijn' },
    use_theirs: { en: 'theirs', nl: 'hun' },
    save_merge: { en: 'Save the merge', nl: 'Samenvoeging opslaan' },
};
const w = (k, who) => pick(WORDS[who ? `${k}_by` : k]).replace('{who}', who);

/** The person of a 412's changed_by as people say it: "Max de Vries", "siem (API token)"; null when not named. */
function whoSaved(by) {
    if (!by?.name) return null;
    return by.principal?.startsWith('token:') ? t('who_token', { n: by.name }) : by.name;
}

/** A value as text: unknown, yes/no, local times, lists. */
function show(v) {
    if (v === null || v === undefined || v === '') return '—';
    if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT[\d:]{8}Z$/.test(v)) return localTime(v);
    if (typeof v === 'boolean') return t(v ? 'yes' : 'no');
    if (Array.isArray(v)) return v.map(show).join(', ');
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** The incident's facts form: body (the PATCH, with its note) against the incident now. */
export async function incidentConflict(form, inc, body, { send, done, by }) {
    const theirs = await get(`/incidents/${seg(inc.id)}`);
    const { note, ...changes } = body;
    conflictPanel(form, {
        mine: flatten(changes),
        theirs,
        label: (f) => (f.startsWith('impact.') ? words(f.slice(7)) : t(f)),
        save: (b, version) => send(note ? { ...b, note } : b, version),
        done,
        by,
    });
}

/** A notification draft: the contents changed (fields) against the draft now. */
export async function draftConflict(form, n, fields, { done }) {
    const theirs = await get(`/notifications/${seg(n.id)}`);
    const meta = Object.fromEntries((n.contents ?? []).map((c) => [c.id, c]));
    conflictPanel(form, {
        mine: Object.fromEntries(Object.entries(fields).map(([k, v]) => [`fields.${k}`, v])),
        theirs,
        label: (f) => (meta[f.slice(7)] ? pick(meta[f.slice(7)].label) : words(f.slice(7))),
        save: (b, version) => patch(`/notifications/${seg(n.id)}`, b, { ifMatch: version }),
        done,
    });
}

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
 * Shows the choice below the form.  mine: the flat changes the user made;
 * theirs: the record as it is now (with .version); label(field) gives the
 * words.  save(body, version) sends a change; done(saved) is called after a
 * choice was saved (true) or theirs taken (false).
 */
function conflictPanel(form, { mine, theirs, label, save, done, by }) {
    const who = whoSaved(by);
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
                        w(`use_${side}`),
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
            w('save_merge'),
        ),
    );
    const panel = h(
        'div',
        { class: 'conflict card', role: 'alert', 'aria-labelledby': 'conflict-h' },
        h('h3', { id: 'conflict-h' }, w('title', who)),
        h('p', {}, w('text', who)),
        h(
            'table',
            { class: 'conflict-table' },
            h(
                'thead',
                {},
                h(
                    'tr',
                    {},
                    [w('field'), w('theirs'), w('mine')].map((x) => h('th', { scope: 'col' }, x)),
                    h('th', { scope: 'col', class: 'pick', hidden: true }, w('merge')),
                ),
            ),
            h('tbody', {}, rows),
        ),
        h(
            'div',
            { class: 'buttons' },
            h('button', { type: 'button', class: 'primary keep-mine', onclick: () => send(mine) }, w('keep_mine')),
            h('button', { type: 'button', class: 'take-theirs', onclick: () => done(false) }, w('take_theirs')),
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
                w('merge'),
            ),
        ),
        merge,
    );
    form.appendChild(panel);
    panel.querySelector('.keep-mine').focus();
    return panel;
}
