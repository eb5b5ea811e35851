// SPDX-License-Identifier: EUPL-1.2
// drafts.js - the notification drafts of one incident: create one for a
// report owed, edit its contents (If-Match), approve it (managers: the
// server signs and freezes it), mark it submitted, start a correction, and
// download the signed document, its signature, the printable page and the
// bundle; and the report in the authorities' formats (issue 22), a draft
// as well as a signed one.
import { get, patch, post, seg } from '../lib/api.js';
import { field, h, select, timeEl, words } from '../lib/dom.js';
import { control, factKind, readControl, same } from '../lib/facts.js';
import { InputError, reading, saySaved, showErrors, submitting } from '../lib/forms.js';
import { extend, lang, pick, t } from '../lib/i18n.js';
import * as formatWords from '../lib/i18n_formats.js';
import { formatNumber } from '../lib/numbers.js';
import { reportLabel } from '../lib/i18n_words.js';
import { atLeast, user } from '../lib/session.js';
import { owedNow } from '../lib/schema.js';
import { exerciseMarker } from './exercise_marker.js';

extend(formatWords);

/** The formats meldpunt can fill (GET /api/v1/formats), asked once per page load. */
let formatsOnce = null;
const formats = () => (formatsOnce ??= get('/formats').catch(() => []));

/** Downloads of the report in each authority's format for its regime: JSON and CSV. */
function formatDownloads(n) {
    const base = `/api/v1/notifications/${seg(n.id)}/export?format=`;
    const list = h('ul', { class: 'downloads formats' });
    const box = h('div', { class: 'format-downloads', hidden: '' }, h('h4', {}, t('fmt_heading')), list);
    formats().then((all) => {
        const mine = (Array.isArray(all) ? all : []).filter((f) => f.regime === n.regime && f.stages.includes(n.stage));
        for (const f of mine) {
            const name = pick(f.title);
            const note =
                f.status === 'UNCONFIRMED' ? h('span', { class: 'muted' }, ` (${t('fmt_unconfirmed')})`) : null;
            for (const type of ['json', 'csv'])
                list.appendChild(
                    h(
                        'li',
                        {},
                        h(
                            'a',
                            {
                                href: `${base}${encodeURIComponent(f.format)}&type=${type}`,
                                download: '',
                                'data-kind': `format-${type}`,
                                'data-format': f.format,
                            },
                            t(`fmt_${type}`, { f: name }),
                        ),
                        note,
                    ),
                );
        }
        if (mine.length) {
            box.appendChild(h('p', { class: 'muted' }, t('fmt_hint')));
            box.hidden = false;
        }
    });
    return box;
}

/** A report still owed: pending, or missed and not yet sent (late, but owed). */
export { owedNow };

/** The control kind for a content id and its current value. */
function kindOf(id, value) {
    const k = factKind(id);
    if (k) return k;
    if (Array.isArray(value)) return 'list';
    if (typeof value === 'boolean') return 'bool';
    if (typeof value === 'number') return 'number';
    return 'longtext';
}

export function draftsSection(ctx, items, cls) {
    const wrap = h('div', { id: 'drafts' });
    if (atLeast('analyst') && cls) wrap.appendChild(createForm(ctx, items, cls));
    if (!items.length) wrap.appendChild(h('p', { class: 'muted' }, t('no_drafts')));
    for (const n of items) wrap.appendChild(draftCard(ctx, n));
    return wrap;
}

function createForm({ inc, reload }, items, cls) {
    // a missed report is still owed, just late: it can still be drafted
    const owed = cls.obligations.filter(owedNow);
    // a voluntary notification (NIS2 art. 30) is owed by nobody, but may be drafted
    const voluntary = cls.regimes
        .filter((r) => r.effective === 'yes')
        .flatMap((r) =>
            r.stages.filter((s) => s.voluntary).map((s) => ({ regime: r.regime, stage: s.id, stage_name: s.name })),
        );
    if (!owed.length && !voluntary.length) return h('p', { class: 'muted' }, t('nothing_owed'));
    const choice = select(
        'obligation',
        [
            ...owed.map((o) => [
                `${o.regime}|${o.stage}`,
                `${reportLabel(o)}${o.status === 'missed' ? ` (${t('late')})` : ''}`,
            ]),
            ...voluntary.map((o) => [`${o.regime}|${o.stage}`, `${reportLabel(o)} (${t('voluntary')})`]),
        ],
        undefined,
    );
    const language = select(
        'language',
        [
            ['nl', 'Nederlands'],
            ['en', 'English'],
        ],
        lang(),
    );
    const form = h(
        'form',
        { class: 'inline card', id: 'draft-create' },
        field(t('report'), choice),
        field(t('draft_language'), language),
        h('button', { type: 'submit', class: 'primary' }, t('create_draft')),
    );
    form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const [regime, stage] = choice.value.split('|');
        const ok = await submitting(form, () =>
            post(`/incidents/${seg(inc.id)}/notifications`, { regime, stage, language: language.value }),
        );
        if (ok) reload();
    });
    return form;
}

function downloads(n) {
    const base = `/api/v1/notifications/${seg(n.id)}`;
    return h(
        'ul',
        { class: 'downloads' },
        h('li', {}, h('a', { href: `${base}/document.json`, download: '', 'data-kind': 'json' }, t('dl_json'))),
        h(
            'li',
            {},
            h('a', { href: `${base}/document.json.minisig`, download: '', 'data-kind': 'minisig' }, t('dl_sig')),
        ),
        h(
            'li',
            {},
            h(
                'a',
                { href: `${base}/document.html`, target: '_blank', rel: 'noopener', 'data-kind': 'html' },
                t('dl_html'),
            ),
        ),
        h('li', {}, h('a', { href: `${base}/bundle`, download: '', 'data-kind': 'bundle' }, t('dl_bundle'))),
    );
}

function draftCard(ctx, n) {
    const { reload } = ctx;
    const editable = n.state === 'draft' && atLeast('analyst');
    const card = h(
        'article',
        { class: `draft card state-${n.state}`, 'data-id': n.id, 'data-state': n.state },
        h(
            'h3',
            {},
            exerciseMarker(ctx.inc), // issue 22: an exercise's drafts say so
            exerciseMarker(ctx.inc) ? ' ' : null,
            `${reportLabel(n)} · v${n.version} `,
            h('span', { class: `badge nstate-${n.state}` }, t('nstate_' + n.state)),
        ),
        h(
            'p',
            { class: 'meta' },
            t('recipient'),
            ': ',
            t('rcp_' + n.recipient),
            ' · ',
            t('draft_language'),
            ': ',
            n.language.toUpperCase(),
            n.supersedes ? [' · ', t('supersedes')] : null,
            n.signed ? [' · ', t('signed_by', { who: n.signed_by, key: n.key_id }), ' ', timeEl(n.signed_at)] : null,
            n.submitted_at
                ? [
                      ' · ',
                      t('submitted_via', { ch: n.channel }),
                      ' ',
                      timeEl(n.submitted_at),
                      n.authority_reference ? ` (${n.authority_reference})` : '',
                  ]
                : null,
        ),
    );
    const ids = Object.keys(n.fields);
    // the label the authority reads, and the operator's hint, which stays here
    const meta = Object.fromEntries((n.contents ?? []).map((c) => [c.id, c]));
    const form = h('form', { class: 'draft-fields' });
    for (const id of ids) {
        const kind = kindOf(id, n.fields[id]);
        const c = control(`fields.${id}`, kind, n.fields[id], !editable);
        if (kind === 'list') c.dataset.wasList = '1';
        const row = field(meta[id] ? pick(meta[id].label) : words(id), c, meta[id]?.hint ? pick(meta[id].hint) : null);
        if (meta[id]?.hint) row.querySelector('.hint').classList.add('operator-hint');
        form.appendChild(row);
    }
    if (editable) {
        const save = h('button', { type: 'submit', class: 'save-draft' }, t('save_draft'));
        const approveButton = atLeast('manager')
            ? h(
                  'button',
                  { type: 'button', class: 'primary approve', onclick: () => approve(form, n, ctx) },
                  t('approve_sign'),
              )
            : null;
        form.appendChild(h('div', { class: 'buttons' }, save, approveButton));
        if (approveButton) approvable(form, n, approveButton);
        form.addEventListener('submit', async (ev) => {
            ev.preventDefault();
            const ok = await saveFields(form, n, ctx);
            if (ok) savedAfter(ctx, n);
        });
    }
    card.appendChild(form);
    card.appendChild(formatDownloads(n));
    if (n.signed) {
        card.appendChild(downloads(n));
        if (n.state === 'approved' && atLeast('manager')) card.appendChild(submitForm(n, reload));
        if (atLeast('analyst')) {
            const fix = h(
                'form',
                { class: 'inline' },
                h('button', { type: 'submit', class: 'correct' }, t('start_correction')),
            );
            fix.addEventListener('submit', async (ev) => {
                ev.preventDefault();
                const ok = await submitting(fix, () => post(`/notifications/${seg(n.id)}/corrections`, {}));
                if (ok) reload();
            });
            card.appendChild(fix);
        }
    }
    return card;
}

/** Reloads the incident page, then says "Saved" at the draft's buttons. */
async function savedAfter({ reload }, n) {
    await reload();
    saySaved(document.querySelector(`.draft[data-id="${CSS.escape(n.id)}"] .save-draft`));
}

/** Approving cannot succeed while a required content is empty: disabled, the contents named, as the user types. */
function approvable(form, n, button) {
    const why = h('p', { class: 'blocked-reason', id: `approve-why-${n.id}` });
    button.parentElement.after(why);
    const refresh = () => {
        const empty = (n.contents ?? []).filter(
            (c) =>
                c.required &&
                kindOf(c.id, n.fields[c.id]) !== 'bool' &&
                form.querySelector(`[name="${CSS.escape('fields.' + c.id)}"]`)?.value.trim() === '',
        );
        why.hidden = !empty.length;
        button.disabled = !why.hidden;
        why.textContent = t('cannot_approve_missing', { list: empty.map((c) => pick(c.label)).join(', ') });
        button.toggleAttribute('aria-describedby', false);
        if (empty.length) button.setAttribute('aria-describedby', why.id);
    };
    form.addEventListener('input', refresh);
    refresh();
}

/** PATCHes the changed contents; returns the notification (or the same one when nothing changed).
 * A conflict (someone saved first) opens the choice and gives undefined. */
async function saveFields(form, n, ctx) {
    const fields = reading(form, () => {
        const out = {};
        for (const id of Object.keys(n.fields)) {
            const c = form.querySelector(`[name="${CSS.escape('fields.' + id)}"]`);
            const v = readControl(c, kindOf(id, n.fields[id])) ?? null;
            if (!same(v, n.fields[id])) out[id] = v;
        }
        return out;
    });
    if (!fields) return undefined;
    if (!Object.keys(fields).length) return n;
    let stale = false;
    const out = await submitting(form, () =>
        patch(`/notifications/${seg(n.id)}`, { fields }, { ifMatch: n.version }).catch((e) => {
            if (e?.status !== 412) throw e; // someone else saved first
            stale = true;
        }),
    );
    // someone else saved first: their contents beside mine, and the choice (loaded when needed)
    const done = (saved) => (saved ? savedAfter(ctx, n) : ctx.reload());
    if (stale && ctx) await import('../lib/conflict.js').then((m) => m.draftConflict(form, n, fields, { done }));
    return stale ? undefined : out;
}

/** A draft's value as its reader will read it (the signed document's words
 * come from the server; this is the same, for checking before signing). */
function shown(v, nl) {
    if (v === null || v === undefined || v === '') return t('unknown');
    if (v === true) return t('yes');
    if (v === false) return t('no');
    if (typeof v === 'number') return formatNumber(v);
    if (Array.isArray(v)) return v.length ? v.map((x) => shown(x, nl)).join(', ') : t('none');
    return String(v);
}

/**
 * Shows what will be signed - the report, the recipient, the language,
 * every content with its label and value, and who signs - and resolves
 * true only when the manager confirms.  Signing cannot be undone: a signed
 * version is corrected by a new one.
 */
async function confirmSigning(n) {
    const { confirmDialog } = await import('../lib/confirm.js'); // outside the first load
    const meta = Object.fromEntries((n.contents ?? []).map((c) => [c.id, c]));
    const me = user();
    return confirmDialog({
        cls: 'confirm-sign',
        title: t('confirm_sign_title'),
        yes: t('confirm_sign'),
        yesClass: 'primary sign',
        body: [
            h(
                'p',
                { id: 'confirm-sign-what' },
                t('confirm_sign_text', {
                    r: reportLabel(n),
                    to: t('rcp_' + n.recipient),
                    l: t('lang_name_' + n.language),
                }),
            ),
            h(
                'dl',
                { class: 'to-sign' },
                Object.keys(n.fields).map((id) => [
                    h('dt', {}, meta[id] ? pick(meta[id].label) : words(id)),
                    h('dd', {}, shown(n.fields[id])),
                ]),
            ),
            h('p', { class: 'signer' }, t('confirm_sign_by', { who: me?.full_name || me?.name || '' })),
            h('p', { class: 'hint' }, t('confirm_sign_final')),
        ],
    });
}

/** The required contents still empty; a yes/no question answered "unknown" is answered. */
function missingRequired(n) {
    return (n.contents ?? [])
        .filter((c) => c.required && kindOf(c.id, n.fields[c.id]) !== 'bool')
        .filter((c) => {
            const v = n.fields[c.id];
            return (
                v === null || v === undefined || (typeof v === 'string' && !v.trim()) || (Array.isArray(v) && !v.length)
            );
        })
        .map((c) => ({ field: `fields.${c.id}`, message: t('required_before_signing') }));
}

async function approve(form, n, ctx) {
    const { reload } = ctx;
    const saved = await saveFields(form, n, ctx);
    if (!saved) return;
    if (saved !== n) Object.assign(n, { version: saved.version, fields: saved.fields });
    const missing = missingRequired(n);
    if (missing.length) {
        showErrors(form, new InputError(missing, t('required_missing')));
        return;
    }
    if (!(await confirmSigning(n))) return;
    const ok = await submitting(form, () => post(`/notifications/${seg(n.id)}/approve`, {}, { ifMatch: n.version }));
    if (ok) reload();
}

function submitForm(n, reload) {
    const channel = h('input', { name: 'channel', required: true });
    const ref = h('input', { name: 'authority_reference' });
    const form = h(
        'form',
        { class: 'submit-form inline' },
        field(t('channel'), channel, t('channel_hint')),
        field(t('authority_reference'), ref),
        h('button', { type: 'submit', class: 'primary' }, t('mark_submitted')),
    );
    form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const body = { channel: channel.value };
        if (ref.value.trim()) body.authority_reference = ref.value.trim();
        const ok = await submitting(form, () => post(`/notifications/${seg(n.id)}/submit`, body));
        if (ok) reload();
    });
    return form;
}
