// SPDX-License-Identifier: EUPL-1.2
// facts.js - the form controls for a value of each kind of impact fact (the
// facts and their kinds come from the server: lib/schema.js): absent means
// unknown, which is not the same as 0 or "no".
import { fromLocalInput, h, select, toLocalInput } from './dom.js';
import { t } from './i18n.js';
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
            // text, not type=number: a wrong entry reaches the API, which names it
            return h('input', { ...common, inputmode: kind === 'count' ? 'numeric' : 'decimal', value: value ?? '' });
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

/** The value a control holds; undefined for "unknown" (empty). */
export function readControl(el, kind) {
    const v = el.value.trim();
    if (v === '') return kind === 'list' && el.dataset.wasList ? [] : undefined;
    switch (kind) {
        case 'bool':
            return v === 'true';
        case 'count':
        case 'number':
            return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v; // not a number: let the API say so
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
