// SPDX-License-Identifier: EUPL-1.2
// facts.js - the form controls for a value of each kind of impact fact (the
// facts and their kinds come from the server: lib/schema.js): absent means
// unknown, which is not the same as 0 or "no".
import { fromLocalInput, h, select, toLocalInput } from './dom.js';
import { InputError, markField } from './forms.js';
import { t } from './i18n.js';
import { formatNumber, parseNumber } from './numbers.js';
import { FACTS } from './schema.js';

/** The kind of a fact ('count', 'number', 'bool', 'list', 'text', 'time'). */
export const factKind = (name) => FACTS.find(([n]) => n === name)?.[1];

/** A control named name for a value of kind. */
export function control(name, kind, value, disabled) {
    const common = { name, disabled };
    switch (kind) {
        case 'bool':
            return select(
                name,
                [
                    ['', t('unknown')],
                    ['true', t('yes')],
                    ['false', t('no')],
                ],
                value === true ? 'true' : value === false ? 'false' : '',
                { disabled },
            );
        case 'count':
        case 'number':
        case 'money':
            // an amount in euros is money: two decimals at most
            return numberInput(name, /_eur$/.test(name) ? 'money' : kind, value, disabled);
        case 'list':
            return h('input', { ...common, value: Array.isArray(value) ? value.join(', ') : (value ?? '') });
        case 'time':
            return h('input', { ...common, type: 'datetime-local', value: toLocalInput(value) });
        case 'longtext':
            return h('textarea', { ...common, rows: 3 }, value ?? '');
        default:
            return h('input', { ...common, value: value ?? '' });
    }
}

/**
 * A text field for a number in the user's notation (lib/numbers.js), not
 * type=number, whose reading depends on the browser's language rather than
 * the page's.  What cannot be read is said at the field as soon as it is
 * left, and readControl refuses it.
 */
export function numberInput(name, kind, value, disabled) {
    const shown = formatNumber(value);
    const el = h('input', {
        name,
        disabled,
        inputmode: kind === 'count' ? 'numeric' : 'decimal',
        autocomplete: 'off',
        value: shown,
        'data-kind': kind,
    });
    // unchanged text stands for the value as it was, whatever the notation
    el.dataset.shown = shown;
    el.dataset.was = JSON.stringify(value ?? null);
    el.addEventListener('change', () => markField(el, readNumber(el, kind).error));
    return el;
}

function readNumber(el, kind) {
    if (el.dataset.shown !== undefined && el.value === el.dataset.shown)
        return { value: JSON.parse(el.dataset.was) ?? undefined };
    return parseNumber(el.value, kind);
}

/**
 * The value a control holds; undefined for "unknown" (empty).  A number
 * that cannot be read throws an InputError naming the control (show it
 * with forms.js: reading()).
 */
export function readControl(el, kind) {
    if (kind === 'count' || kind === 'number' || kind === 'money') {
        const r = readNumber(el, el.dataset.kind ?? kind);
        if (r.error) throw new InputError([{ field: el.name, message: r.error }]);
        return r.value;
    }
    const v = el.value.trim();
    if (v === '') return kind === 'list' && el.dataset.wasList ? [] : undefined;
    switch (kind) {
        case 'bool':
            return v === 'true';
        case 'list':
            return v
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean);
        case 'time':
            return fromLocalInput(v);
        default:
            return v;
    }
}

export const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
