// SPDX-License-Identifier: EUPL-1.2
// numbers.js - numbers and amounts as people type them, in the user's
// language: in Dutch "5.000" is five thousand and "2,5" two and a half; in
// English "5,000" and "2.5".  The one parser every number field uses.
//
// Never a guess: what cannot be read in the user's notation is refused with
// a message, and so is what reads two ways.  "5.000" typed in the English
// interface (five, or five thousand in the Dutch habit?) and "5,000" in the
// Dutch one are refused: one separator of the decimal kind followed by
// exactly three digits, with no other separator to show the notation.
// Grouping must be in threes ("5.00.0" is refused); a space (also a
// non-breaking one) may group digits as well.
//
// Kinds: 'count' (a whole number, 0 or more), 'money' (0 or more, at most
// two decimals, an optional € or EUR), 'number' (any number).
import { lang, t } from './i18n.js';

const SEP = {
    nl: { group: '.', decimal: ',' },
    en: { group: ',', decimal: '.' },
};
const LOCALE = { nl: 'nl-NL', en: 'en-GB' };

/** Whether digits grouped by sep are grouped in threes: "1.234.567". */
function grouped(s, sep) {
    const parts = s.split(sep);
    return /^\d{1,3}$/.test(parts[0]) && parts.slice(1).every((p) => /^\d{3}$/.test(p));
}

/** value in the user's notation, without grouping: "5000", "2,5". */
const plain = (value, l) => String(value).replace('.', SEP[l].decimal);

/**
 * Reads text as a number of kind in language l (default: the page's).
 * Returns {value} (value undefined for empty text: unknown) or {error}:
 * a message in the page's language.
 */
export function parseNumber(text, kind = 'number', l = lang()) {
    const { group, decimal } = SEP[l] ?? SEP.en;
    let s = String(text ?? '').trim();
    if (kind === 'money') s = s.replace(/^(€|eur\b)\s*/i, '').replace(/\s*(€|eur)$/i, '');
    if (s === '') return { value: undefined };
    let sign = 1;
    if (/^[-−]/.test(s)) {
        sign = -1;
        s = s.slice(1).trim();
    }
    const example = kind === 'count' ? t('num_example_count') : t('num_example');
    const invalid = { error: t('num_invalid', { x: text.trim(), e: example }) };
    // spaces group digits like the group separator, never both in one number
    s = s.replace(/[\u00a0\u202f]/g, ' ');
    if (s.includes(' ') && s.includes(group)) return invalid;
    const sep = s.includes(' ') ? ' ' : group;
    if (!new RegExp(`^[\\d${escape(group)} ]*(${escape(decimal)}\\d+)?$`).test(s) || !/\d/.test(s)) return invalid;
    const [whole, frac] = s.split(decimal);
    if (whole === '' || (whole.includes(sep) && !grouped(whole, sep))) return invalid;
    // one decimal separator and three digits, nothing else: 1,234 or 1.234?
    if (frac?.length === 3 && !whole.includes(sep) && /^[1-9]\d{0,2}$/.test(whole)) {
        const small = Number(`${whole}.${frac}`);
        const big = Number(whole + frac);
        return {
            error: t('num_ambiguous', {
                x: text.trim(),
                a: plain(small, l),
                b: plain(big, l),
            }),
        };
    }
    const value = sign * Number(`${whole.split(sep).join('')}${frac !== undefined ? '.' + frac : ''}`);
    if (!Number.isFinite(value)) return invalid;
    if (kind === 'count' && frac !== undefined) return { error: t('num_whole') };
    if (kind === 'money' && frac !== undefined && frac.length > 2) return { error: t('num_cents') };
    if ((kind === 'count' || kind === 'money') && value < 0) return { error: t('num_negative') };
    if (kind === 'count' && !Number.isSafeInteger(value)) return invalid;
    return { value: value === 0 ? 0 : value };
}

const escape = (c) => c.replace(/[.\\^$*+?()[\]{}|-]/g, '\\$&');

/** A number as the user writes it: 250000 → "250.000" (nl), "250,000" (en). */
export function formatNumber(value, l = lang()) {
    if (value === null || value === undefined || value === '') return '';
    if (typeof value !== 'number') return String(value);
    return new Intl.NumberFormat(LOCALE[l] ?? LOCALE.en, { useGrouping: true, maximumFractionDigits: 20 }).format(
        value,
    );
}
