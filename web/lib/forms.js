// SPDX-License-Identifier: EUPL-1.2
// forms.js - what the API refused, shown in words: a message at the top of
// the form (role=alert) and each field error next to its field
// (aria-invalid, aria-describedby).  Field names in the API's problems
// ("impact.users_affected", "fields.contact_official") are the controls'
// name attributes.
import { h } from './dom.js';
import { t } from './i18n.js';

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
    return err?.message || String(err);
}

export function showErrors(form, err) {
    clearErrors(form);
    const unplaced = [];
    for (const fe of err?.errors ?? []) {
        const ctl = form.querySelector(`[name="${CSS.escape(fe.field)}"]`);
        if (!ctl) {
            unplaced.push(`${fe.field}: ${fe.message}`);
            continue;
        }
        const id = `err-${Math.random().toString(36).slice(2, 9)}`;
        ctl.setAttribute('aria-invalid', 'true');
        const by = ctl.getAttribute('aria-describedby');
        ctl.setAttribute('aria-describedby', by ? `${by} ${id}` : id);
        ctl.insertAdjacentElement('afterend', h('p', { class: 'field-error', id }, fe.message));
    }
    const box = h('div', { class: 'form-error', role: 'alert' }, explain(err));
    if (unplaced.length)
        box.appendChild(
            h(
                'ul',
                {},
                unplaced.map((u) => h('li', {}, u)),
            ),
        );
    const heading = form.querySelector(':scope > h1, :scope > h2, :scope > h3');
    if (heading) heading.after(box);
    else form.prepend(box);
    const first = form.querySelector('[aria-invalid]');
    if (first) first.focus();
}

/**
 * Runs fn() for a submitted form: buttons disabled meanwhile, errors shown
 * in the form.  Returns fn's result, or undefined when it failed.
 */
export async function submitting(form, fn) {
    const buttons = [...form.querySelectorAll('button')];
    for (const b of buttons) b.disabled = true;
    clearErrors(form);
    try {
        return await fn();
    } catch (e) {
        showErrors(form, e);
        return undefined;
    } finally {
        for (const b of buttons) b.disabled = false;
    }
}

/** A message box for a page section that failed to load. */
export const errorBox = (err) => h('div', { class: 'form-error', role: 'alert' }, explain(err));
