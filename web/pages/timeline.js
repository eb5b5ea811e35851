// SPDX-License-Identifier: EUPL-1.2
// timeline.js - the incident's timeline told in sentences in the user's
// language (issue 17): "Impact: getroffen gebruikers 5.000 (was onbekend);
// duur van de verstoring 3 u", "wijzigde de status van triage naar
// bevestigd", "Vroegtijdige waarschuwing aan NCSC uiterlijk do 4 dec 07:17
// (over 23 uur)".  The server records each entry as kind, field, old and
// new (JSON) and a note; the notes the server writes itself are in English
// and have fixed forms, read here into their parts (NOTES), so that only
// what people wrote is shown as they wrote it.
import { h, localTime, timeEl } from '../lib/dom.js';
import { lang, pick, t } from '../lib/i18n.js';
import { ROOT_CAUSES } from '../lib/schema.js';
import { regimeName } from '../lib/i18n_words.js';
import { dueTime, factLabel, factValue, joined, relative, stageName, who } from '../lib/sentences.js';

const parse = (s) => {
    if (s === null || s === undefined) return null;
    try {
        return JSON.parse(s);
    } catch {
        return s;
    }
};

/** Words for a field of the incident (not an impact fact) and its value. */
const FIELD_VALUES = {
    severity: 'sev_',
    category: 'cat_',
    cause: 'cause_',
    kind: 'kind_',
    state: 'state_',
};

function fieldValue(field, v) {
    if (v === null || v === undefined || v === '') return t('unknown');
    if (FIELD_VALUES[field]) return t(FIELD_VALUES[field] + v);
    if (field === 'root_cause_category') return pick(ROOT_CAUSES.find((c) => c.name === v)?.label) || String(v);
    if (field === 'tlp') return `TLP:${String(v).toUpperCase()}`;
    return factValue(field, v);
}

/** "Impact: users affected 5,000 (was unknown); financial loss € 20,000 (was unknown)". */
function impactSentence(oldV, newV) {
    const a = oldV && typeof oldV === 'object' ? oldV : {};
    const b = newV && typeof newV === 'object' ? newV : {};
    const parts = [];
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
        if (JSON.stringify(a[k]) === JSON.stringify(b[k])) continue;
        const f = factLabel(k).toLowerCase();
        const v = factValue(k, b[k]);
        parts.push(k in a ? t('tl_field', { f, v, o: factValue(k, a[k]) }) : t('tl_field', { f, v, o: t('unknown') }));
    }
    return t('tl_impact', { x: parts.join('; ') || '—' });
}

/**
 * The notes the server writes for reports, alerts and the classification,
 * with the sentence each becomes; kept = the part that people wrote.
 */
const NOTES = [
    [/^(\S+) (\S+) due to (.+?)(?: by (\S+))?$/, (m, c) => dueSentence(c, m[1], m[2], m[3], m[4])],
    [
        /^draft of (\S+) (\S+) created( \(a voluntary notification\))?$/,
        (m, c) => t(m[3] ? 'tl_draft_voluntary' : 'tl_draft_created', { s: c.stage(m[2], m[1]).toLowerCase() }),
    ],
    [
        /^(\S+) (\S+): (draft edited|approved and signed|submitted|correction started)$/,
        (m, c) =>
            t(
                {
                    'draft edited': 'tl_draft_edited',
                    'approved and signed': 'tl_draft_signed',
                    submitted: 'tl_draft_submitted',
                    'correction started': 'tl_draft_correction',
                }[m[3]],
                {
                    s: c.stage(m[2], m[1]),
                },
            ),
    ],
    [
        /^(\S+) (\S+): submitted at (\S+) via (.+?)(?:, recorded .* after submission)?$/,
        (m, c) => t('tl_submitted_via', { s: c.stage(m[2], m[1]), at: localTime(m[3]), ch: m[4] }),
    ],
    [
        /^(\S+) (\S+): the incident was still ongoing at (\S+), so the due time moves (?:to (\S+)|after its handling.*)$/,
        (m, c) =>
            m[4]
                ? t('tl_due_moved', { s: c.stage(m[2], m[1]), at: localTime(m[3]), due: localTime(m[4]) })
                : t('tl_due_waits', { s: c.stage(m[2], m[1]), at: localTime(m[3]) }),
    ],
    [/^not due: /, (m, c) => t('tl_not_due', { s: c.stage() })],
    [/^owed again: /, (m, c) => t('tl_owed_again', { s: c.stage() })],
    [/^not missed: /, (m, c) => t('tl_not_missed', { s: c.stage() })],
    [
        /^lifted: (?:the fact that lifts the duty was recorded without a reason)?(.*)$/,
        (m, c) => t('tl_lifted', { s: c.stage() }),
        (m) => m[1] || null,
    ],
    [
        /^Alert attached: (.*) \(([^,()]*), (\w+)\)$/,
        (m) => t('tl_alert_attached', { a: m[1], src: m[2], sev: t('asev_' + m[3]) }),
    ],
    [/^Alert fired again: (.*) \(([^()]*)\)$/, (m) => t('tl_alert_again', { a: m[1], src: m[2] })],
    [
        /^All (\d+) alerts resolved; proposed ended_at (\S+)/,
        (m) => t('tl_alerts_resolved', { n: m[1], at: localTime(m[2]) }),
    ],
];

function dueSentence(c, regime, stage, to, due) {
    const o = c.obligations.find((x) => x.regime === regime && x.stage === stage);
    const to2 = o?.recipients?.length
        ? joined(o.recipients.map((r) => r.name || t('rcp_' + r.role)))
        : joined(to.split(', ').map((r) => t('rcp_' + r)));
    const s = c.stage(stage, regime);
    if (!due) return t(o?.due_now ? 'tl_due_none' : 'tl_due_later', { s, to: to2 });
    return t('tl_due', { s, to: to2, due: dueTime(due), rel: relative(due) });
}

/** {what, note}: the sentence of one entry and the words people wrote for it (or null). */
export function describe(e, obligations = []) {
    const oldV = parse(e.old);
    const newV = parse(e.new);
    const c = { obligations, stage: (stage = e.field, regime) => stageName(stage, regime, obligations) };
    switch (e.kind) {
        case 'created':
            return { what: t('tl_created'), note: e.note ?? null };
        case 'transition':
            return { what: t('tl_transition', { a: t('state_' + oldV), b: t('state_' + newV) }), note: e.note ?? null };
        case 'changed':
            if (e.field === 'impact') return { what: impactSentence(oldV, newV), note: e.note ?? null };
            return {
                what: t('tl_set', {
                    f: t(e.field) !== e.field ? t(e.field) : factLabel(e.field),
                    v: fieldValue(e.field, newV),
                    o: fieldValue(e.field, oldV),
                }),
                note: e.note ?? null,
            };
        case 'classification': {
            const r = regimeName(e.field);
            const b = t('tri_' + newV);
            const what = oldV
                ? t('tl_significance', { r, a: t('tri_' + oldV), b })
                : t('tl_significance_first', { r, b });
            return { what, note: lang() === 'en' ? (e.note ?? null) : null };
        }
        case 'decision':
            return {
                what: t('tl_decided', {
                    r: regimeName(e.field),
                    d: t(newV === 'notifiable' ? 'tl_decided_notifiable' : 'tl_decided_not'),
                }),
                note: e.note ?? null,
            };
        case 'note':
        case 'obligation': {
            for (const [re, say, keep] of NOTES) {
                const m = re.exec(e.note ?? '');
                if (m) return { what: say(m, c), note: keep ? keep(m) : null };
            }
            if (e.kind === 'note') return { what: t('tl_note'), note: e.note ?? null };
            // a report's state changed, with the reason people gave
            if (typeof oldV === 'string' && typeof newV === 'string')
                return {
                    what: t('tl_ob_status', { s: c.stage(), a: t('ob_' + oldV), b: t('ob_' + newV) }),
                    note: e.note ?? null,
                };
            return { what: c.stage(), note: lang() === 'en' ? (e.note ?? null) : null };
        }
        default:
            return { what: t('tl_other'), note: lang() === 'en' ? (e.note ?? null) : null };
    }
}

export function timeline(items, obligations = []) {
    return h(
        'ol',
        { class: 'timeline', id: 'timeline' },
        items.map((e) => {
            const { what, note } = describe(e, obligations);
            return h(
                'li',
                { class: `tl-${e.kind}` },
                timeEl(e.at),
                ' ',
                h('span', { class: 'who' }, who(e.principal)),
                ' ',
                h('span', { class: 'what' }, what),
                note ? h('p', { class: 'note' }, note) : null,
            );
        }),
    );
}
