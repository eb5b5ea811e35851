// SPDX-License-Identifier: EUPL-1.2
// sentences.js - values and events told in the user's language instead of
// the program's: an impact fact by its label with its value as people write
// it (5.000, € 20.000, 3 u, Nederland en België), a report by its name in
// the rule file, a due time as "do 4 dec 07:17 (over 23 uur)".  Loaded with
// the incident page, outside the first load (it brings i18n_incident.js).
import { h, localTime, words } from './dom.js';
import { lang, t } from './i18n.js';
import { formatNumber } from './numbers.js';
import './i18n_incident.js';
import { FACTS } from './schema.js';
import { regimeName, stageLabel } from './i18n_words.js';

const LOCALE = { en: 'en-GB', nl: 'nl-NL' };
const locale = () => LOCALE[lang()] ?? LOCALE.en;

/** The label of a fact ("users_affected" → "Getroffen gebruikers"). */
export function factLabel(id) {
    if (id && typeof id === 'object') return expression(id);
    const name = String(id);
    if (name.startsWith('profile.')) {
        const org = `org_${name.slice(8)}`;
        return t(org) !== org ? t(org) : words(name.slice(8));
    }
    const key = `fact_${name}`;
    return t(key) !== key ? t(key) : t(name) !== name ? t(name) : words(name);
}

/**
 * A rule's arithmetic in words: {"min": [{"fact": "users_total"}, 200000]}
 * → "the lower of users in total and 200,000".
 */
function expression(e) {
    const arg = (x) =>
        typeof x === 'number'
            ? formatNumber(x)
            : x && typeof x === 'object'
              ? x.fact !== undefined
                  ? factLabel(x.fact)
                  : x.profile !== undefined
                    ? factLabel(`profile.${x.profile}`)
                    : expression(x)
              : factLabel(x);
    for (const op of ['min', 'max', 'mul', 'div'])
        if (Array.isArray(e[op])) {
            const [a, b] = e[op].map(arg);
            return t(`expr_${op}`, { a, b });
        }
    if (e.fact !== undefined || e.profile !== undefined) return arg(e);
    return t('unknown');
}

/** "3 h 20 min" for a number of minutes. */
export function minutes(m) {
    const hrs = Math.floor(m / 60);
    const rest = Math.round(m % 60);
    const parts = [];
    if (hrs) parts.push(t('hours_short', { n: formatNumber(hrs) }));
    if (rest || !hrs) parts.push(t('minutes_short', { n: formatNumber(rest) }));
    return parts.join(' ');
}

/** A list of words joined the way people write it: "A, B en C". */
export function joined(list) {
    if (list.length < 2) return list.join('');
    return `${list.slice(0, -1).join(', ')} ${t('and')} ${list[list.length - 1]}`;
}

function country(code) {
    try {
        return new Intl.DisplayNames([locale()], { type: 'region' }).of(code) ?? code;
    } catch {
        return code;
    }
}

/** The value of a fact as people write it; absent is "unknown". */
export function factValue(name, v) {
    if (v === null || v === undefined || v === '') return t('unknown');
    const kind = FACTS.find(([n]) => n === name)?.[1];
    if (typeof v === 'boolean') return v ? t('yes') : t('no');
    if (Array.isArray(v))
        return v.length
            ? joined(v.map((x) => (kind === 'list' || /^[A-Z]{2}$/.test(x) ? country(x) : String(x))))
            : t('none');
    if (kind === 'time' || /^\d{4}-\d\d-\d\dT/.test(String(v))) return localTime(v);
    if (typeof v === 'number' && /_minutes(_week)?$/.test(name)) return minutes(v);
    if (typeof v === 'number' && /_eur$/.test(name)) return `€ ${formatNumber(v)}`;
    if (typeof v === 'number' && /_share$/.test(name)) return `${formatNumber(Math.round(v * 1000) / 10)}%`;
    if (typeof v === 'number') return formatNumber(v);
    if (typeof v === 'object')
        return Object.keys(v)
            .map((k) => `${factLabel(k)}: ${factValue(k, v[k])}`)
            .join('; ');
    return String(v);
}

/** "Thu 4 Dec 07:17" / "do 4 dec 07:17": a due time, local (no comma between day and time). */
export function dueTime(iso) {
    const d = new Date(iso);
    const day = d.toLocaleDateString(locale(), { weekday: 'short', day: 'numeric', month: 'short' });
    return `${day.replace(/,/g, '')} ${d.toLocaleTimeString(locale(), { hour: '2-digit', minute: '2-digit' })}`;
}

/** "in 23 hours" / "over 23 uur", "3 hours ago" / "3 uur geleden". */
export function relative(iso, now = Date.now()) {
    const s = (Date.parse(iso) - now) / 1000;
    const a = Math.abs(s);
    const rtf = new Intl.RelativeTimeFormat(locale(), { numeric: 'always' });
    if (a < 3600) return rtf.format(Math.round(s / 60), 'minute');
    if (a < 48 * 3600) return rtf.format(Math.round(s / 3600), 'hour');
    return rtf.format(Math.round(s / 86400), 'day');
}

/** Who did it, as people say it: "user:max" → "max", "token:siem" → "siem (API token)". */
export function who(principal) {
    const m = /^(user|token):(.*)$/.exec(principal ?? '');
    if (!m) return principal ?? '';
    return m[1] === 'user' ? m[2] : t('who_token', { n: m[2] });
}

/** The name of a report from the rule file, found among the obligations (regime may be unknown). */
export function stageName(stage, regime, obligations = []) {
    const o =
        obligations.find((x) => x.stage === stage && (!regime || x.regime === regime)) ??
        obligations.find((x) => x.stage === stage);
    return stageLabel(o ?? { stage });
}

/** The names of acts in a legal reference, in Dutch as the Dutch texts write them (docs/TERMINOLOGY.md). */
const LAW_NL = [
    // the rule author's notes for the operator, quietly and in Dutch
    [/ \[secondary(?: sources?)?[^\]]*\]/g, ' (secundaire bron)'],
    [/\(point letter UNCONFIRMED\)/g, '(letter van het punt niet bevestigd)'],
    [/\(article UNCONFIRMED\)/g, '(artikel niet bevestigd)'],
    [/\bUNCONFIRMED\b/g, 'niet bevestigd'],
    [/\bCommission (?=Implementing|Delegated)/g, ''],
    [/\bImplementing Regulation\b/g, 'Uitvoeringsverordening'],
    [/\bDelegated Regulation\b/g, 'Gedelegeerde Verordening'],
    [/\bDelegated Reg\./g, 'Gedelegeerde Verordening'],
    [/\bRegulation\b/g, 'Verordening'],
    [/\bDirective\b/g, 'Richtlijn'],
    [/\bRecommendation\b|\bRec\./g, 'Aanbeveling'],
    [/\bCIR\b/g, 'Uitvoeringsverordening'],
    [/\/EC\b/g, '/EG'],
    [/\bNo (\d)/g, 'nr. $1'],
    [/\bAnnexes\b/g, 'bijlagen'],
    [/\bAnnex\b/g, 'bijlage'],
    [/\b[Aa]rts?\./g, 'art.'],
    [/\brecital\b/g, 'overweging'],
    [/\bas amended by\b/g, 'zoals gewijzigd bij'],
    [/\blast subparagraph\b/g, 'laatste alinea'],
    [/\bderogation from point\b/g, 'afwijking van punt'],
    [/\bpoint\b/g, 'punt'],
    [/ and /g, ' en '],
];

/** A legal reference ("Directive (EU) 2022/2555 art. 23(3)") in the page's language. */
export const lawRef = (s) => (lang() === 'nl' ? LAW_NL.reduce((x, [re, to]) => x.replace(re, to), s ?? '') : (s ?? ''));

/** "NIS2 Early warning": the regime's short name and the report's name. */
export const reportName = (o) => `${regimeName(o.regime)} ${stageName(o.stage, o.regime, [o])}`;

/**
 * A report owed, in one sentence as the timeline says it: "NIS2 Early
 * warning to NCSC due Thu 4 Dec 07:17 (in 23 hours)".  The due time is a
 * <time> element (UTC on hover); nodes to append.
 */
export function obligationSentence(o) {
    const to = joined((o.recipients ?? [{ role: o.recipient }]).map((r) => r.name || t('rcp_' + r.role)));
    const s = reportName(o);
    if (!o.due_at) return [t(o.due_now ? 'tl_due_none' : 'tl_due_later', { s, to })];
    const at = h(
        'time',
        { datetime: o.due_at, title: `UTC ${o.due_at.replace('T', ' ').replace('Z', '')}` },
        dueTime(o.due_at),
    );
    const [before, after] = t('tl_due', { s, to, due: '\u0000', rel: relative(o.due_at) }).split('\u0000');
    return [before, at, after];
}
