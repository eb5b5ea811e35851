// SPDX-License-Identifier: EUPL-1.2
// forms.js - what the API refused, shown in words: a message at the top of
// the form (role=alert) and each field error next to its field
// (aria-invalid, aria-describedby).  Field names in the API's problems
// ("impact.users_affected", "fields.contact_official") are the controls'
// name attributes.  API errors are shown by their code (err_CODE, in the
// user's language); the English message only in English, as a last resort.
import { h } from './dom.js';
import { lang, t } from './i18n.js';

/** The user's words for a code from the API ('required' …), or null when there are none. */
export function codeWords(code) {
    const key = `err_${code}`;
    return code && t(key) !== key ? t(key) : null;
}

/** The words for one field error: {field, code, message} of the API, or {field, message} of the browser. */
export function fieldMessage(fe) {
    if (!fe.code) return fe.message;
    if (fe.code !== 'invalid') return codeWords(fe.code) ?? t('err_invalid');
    return lang() === 'en' && fe.message ? fe.message : t('err_invalid');
}

/** A value the browser refused before asking the API: shown like the API's field errors. */
export class InputError extends Error {
    /** errors: [{field, message}]; summary: the words above them. */
    constructor(errors, summary = t('input_invalid')) {
        super(summary);
        this.errors = errors;
    }
}

/**
 * Reads a form with read(): an InputError is shown at its field and gives
 * undefined, so nothing is sent.
 */
export function reading(form, read) {
    clearErrors(form);
    try {
        return read();
    } catch (e) {
        if (!(e instanceof InputError)) throw e;
        showErrors(form, e);
        return undefined;
    }
}

/** Marks one control as wrong (message) or right again (null), at once. */
export function markField(ctl, message) {
    const old = ctl.parentElement?.querySelector(`:scope > .field-error[data-for="${CSS.escape(ctl.name)}"]`);
    if (old) {
        old.remove();
        ctl.removeAttribute('aria-invalid');
        const ids = (ctl.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && x !== old.id);
        if (ids.length) ctl.setAttribute('aria-describedby', ids.join(' '));
        else ctl.removeAttribute('aria-describedby');
    }
    if (!message) return;
    const id = `err-${Math.random().toString(36).slice(2, 9)}`;
    ctl.setAttribute('aria-invalid', 'true');
    const by = ctl.getAttribute('aria-describedby');
    ctl.setAttribute('aria-describedby', by ? `${by} ${id}` : id);
    ctl.insertAdjacentElement('afterend', h('p', { class: 'field-error', id, 'data-for': ctl.name }, message));
}

export function clearErrors(form) {
    for (const el of form.querySelectorAll('.field-error, .form-error')) el.remove();
    for (const el of form.querySelectorAll('[aria-invalid]')) {
        el.removeAttribute('aria-invalid');
        const ids = (el.getAttribute('aria-describedby') || '').split(' ').filter((x) => !x.startsWith('err-'));
        if (ids.length) el.setAttribute('aria-describedby', ids.join(' '));
        else el.removeAttribute('aria-describedby');
    }
}

/** Explains an error: a problem from the API or anything else thrown. */
export function explain(err) {
    if (err?.status === 429) {
        return err.retryAfter ? t('error_429_retry', { s: err.retryAfter }) : t('error_429');
    }
    if (err?.status === 403 && !err.problem?.detail) return t('error_403');
    if (err instanceof InputError) return err.message;
    if (err?.status === 422 && err.errors?.length) return t('err_fields');
    const code = err?.problem?.code;
    if (code && code !== 'invalid' && code !== 'server' && codeWords(code)) return codeWords(code);
    if (err?.status > 0 && lang() !== 'en') return code ? codeWords(code) : t('error_status', { status: err.status });
    return err?.message || String(err);
}

export function showErrors(form, err) {
    clearErrors(form);
    const unplaced = [];
    const placed = [];
    for (const fe of err?.errors ?? []) {
        const ctl = form.querySelector(`[name="${CSS.escape(fe.field)}"]`);
        if (!ctl) {
            unplaced.push(fieldMessage(fe));
            continue;
        }
        const id = `err-${Math.random().toString(36).slice(2, 9)}`;
        ctl.setAttribute('aria-invalid', 'true');
        const by = ctl.getAttribute('aria-describedby');
        ctl.setAttribute('aria-describedby', by ? `${by} ${id}` : id);
        const message = fieldMessage(fe);
        ctl.insertAdjacentElement('afterend', h('p', { class: 'field-error', id, 'data-for': fe.field }, message));
        placed.push([ctl, message]);
        // a field folded away is opened, so its message is seen
        for (let d = ctl.closest('details'); d; d = d.parentElement?.closest('details')) d.open = true;
    }
    const summary = explain(err);
    const box = h('div', { class: 'form-error', role: 'alert' }, summary);
    // the summary links to each field at fault
    if (placed.length)
        box.appendChild(
            h(
                'ul',
                { class: 'error-links' },
                placed.map(([c, m]) => errorLink(c, m)),
            ),
        );
    const extra = unplaced.filter((u) => u !== summary);
    if (extra.length)
        box.appendChild(
            h(
                'ul',
                {},
                extra.map((u) => h('li', {}, u)),
            ),
        );
    placeSummary(form, box);
    const first = form.querySelector('[aria-invalid]');
    if (first) first.focus();
}

/** A link in the summary to the control at fault (focused, the route untouched). */
function errorLink(ctl, message) {
    ctl.id ||= `ctl-${Math.random().toString(36).slice(2, 9)}`;
    const label = document.querySelector(`label[for="${CSS.escape(ctl.id)}"]`)?.textContent ?? ctl.name;
    const go = (ev) => ev.preventDefault() ?? ctl.focus();
    return h('li', {}, h('a', { href: `#${ctl.id}`, onclick: go }, `${label}: ${message}`));
}

/** The summary sits where the reader pressed Save: just before the form's
 * buttons (the heading when the form has none). */
function placeSummary(form, box) {
    const button = form.querySelector('button[type="submit"]') ?? form.querySelector('button');
    if (button) {
        const row = button.parentElement?.classList.contains('buttons') ? button.parentElement : button;
        row.before(box);
        return;
    }
    const heading = form.querySelector(':scope > h1, :scope > h2, :scope > h3');
    if (heading) heading.after(box);
    else form.prepend(box);
}

/** Says "Saved" (role=status) beside near's buttons, or atop the page when near is gone. */
export function saySaved(near) {
    for (const old of document.querySelectorAll('.saved-note')) old.remove();
    const note = h('p', { class: 'saved-note', role: 'status' }, t('saved'));
    const at = near?.isConnected ? (near.querySelector?.('button[type="submit"]') ?? near) : null;
    if (at?.parentElement) at.parentElement.appendChild(note);
    else document.querySelector('main')?.prepend(note);
}

/**
 * Runs fn() for a submitted form: buttons disabled meanwhile, errors shown
 * in the form.  Returns fn's result, or undefined when it failed.
 */
export async function submitting(form, fn) {
    // a button disabled for a reason (an action that cannot succeed now) stays so
    const buttons = [...form.querySelectorAll('button')].filter((b) => !b.disabled);
    for (const b of buttons) b.disabled = true;
    clearErrors(form);
    try {
        return await fn();
    } catch (e) {
        await import('./i18n_errors.js').catch(() => null);
        showErrors(form, e);
        return undefined;
    } finally {
        for (const b of buttons) b.disabled = false;
    }
}

/** A message box for a page section that failed to load. */
export const errorBox = (err) => h('div', { class: 'form-error', role: 'alert' }, explain(err));
