// SPDX-License-Identifier: EUPL-1.2
// dom.js - building the page with DOM calls only: h() makes an element,
// text is always set with textContent (never innerHTML), times are shown in
// the reader's local time with UTC on hover, and countdowns tick live.
import { t, lang } from './i18n.js';

/**
 * h('button', {class: 'x', onclick: fn, disabled: true}, 'text', child…)
 * Attributes starting with "on" become listeners; false/null are skipped;
 * strings and numbers among the children become text nodes.
 */
export function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs ?? {})) {
        if (v === false || v === null || v === undefined) continue;
        if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
        else if (k === 'class') el.className = v;
        else if (k === 'value') el.value = v;
        else if (k === 'checked') el.checked = !!v;
        else el.setAttribute(k, v === true ? '' : String(v));
    }
    append(el, children);
    return el;
}

function append(el, children) {
    for (const c of children) {
        if (c === null || c === undefined || c === false) continue;
        if (Array.isArray(c)) append(el, c);
        else if (c instanceof Node) el.appendChild(c);
        else el.appendChild(document.createTextNode(String(c)));
    }
}

/** Replaces the children of el. */
export function replace(el, ...children) {
    el.replaceChildren();
    append(el, children);
    return el;
}

let uid = 0;
/** A fresh element id. */
export const newId = (prefix = 'f') => `${prefix}-${++uid}`;

/** An input, select or textarea with its label: {row, input}. */
export function field(label, control, hint) {
    const id = control.id || newId();
    control.id = id;
    const row = h('div', { class: 'field' }, h('label', { for: id }, label), control);
    if (hint) {
        const hid = newId('hint');
        row.appendChild(h('p', { class: 'hint', id: hid }, hint));
        control.setAttribute('aria-describedby', hid);
    }
    return row;
}

/** A select with [value, text] options. */
export function select(name, options, value, attrs = {}) {
    return h(
        'select',
        { name, ...attrs },
        options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)),
    );
}

const pad = (n) => String(n).padStart(2, '0');

/** RFC 3339 (UTC) → the reader's local time, in the page's language. */
export function localTime(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    return d.toLocaleString(lang() === 'nl' ? 'nl-NL' : 'en-GB', {
        dateStyle: 'medium',
        timeStyle: 'short',
    });
}

/** A <time> element: local time, UTC on hover. */
export function timeEl(iso) {
    if (!iso) return h('span', { class: 'muted' }, '—');
    return h('time', { datetime: iso, title: `UTC ${iso.replace('T', ' ').replace('Z', '')}` }, localTime(iso));
}

/** RFC 3339 → the value of an <input type="datetime-local"> (local time). */
export function toLocalInput(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** An <input type="datetime-local"> value → RFC 3339 UTC (null if empty). */
export function fromLocalInput(v) {
    if (!v) return null;
    return new Date(v).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** "2 d 03:12:05" for a number of seconds. */
export function duration(s) {
    s = Math.abs(Math.trunc(s));
    const d = Math.floor(s / 86400);
    const rest = `${pad(Math.floor((s % 86400) / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
    return d > 0 ? `${d} ${t('days_short')} ${rest}` : rest;
}

/** A live countdown to due (RFC 3339); overdue ones are marked. */
export function countdown(due) {
    const el = h('span', { class: 'countdown', 'data-due': due, role: 'timer' });
    tick(el);
    return el;
}

function tick(el) {
    const left = (Date.parse(el.dataset.due) - Date.now()) / 1000;
    const text = left >= 0 ? t('time_left', { d: duration(left) }) : t('overdue_by', { d: duration(left) });
    if (el.textContent !== text) el.textContent = text;
    el.classList.toggle('overdue', left < 0);
    el.classList.toggle('soon', left >= 0 && left < 4 * 3600);
}

setInterval(() => {
    for (const el of document.querySelectorAll('.countdown[data-due]')) tick(el);
}, 1000);

/** Words for a fact or content id: "users_affected" → "users affected". */
export const words = (id) => String(id).replace(/_/g, ' ');
