// SPDX-License-Identifier: EUPL-1.2
// signin.js - the sign-in form (also used in the dialog when a session is
// lost) and the password change a new user must make first.
import { get, post, ApiError } from '../lib/api.js';
import { field, h } from '../lib/dom.js';
import { submitting } from '../lib/forms.js';
import { t } from '../lib/i18n.js';
import '../lib/i18n_oidc.js';

// Why a sign-in through the OpenID provider failed: the word in the address.
const OIDC_FAILURES = {
    unavailable: 'oidc_fail_unavailable',
    state: 'oidc_fail_state',
    refused: 'oidc_fail_refused',
    no_role: 'oidc_fail_no_role',
    disabled: 'oidc_fail_disabled',
    name: 'oidc_fail_name',
};

/** "Sign in with <provider>" above the form when one is configured, and why
 * the last sign-in there failed (the server sends the browser to /#/?oidc=WORD). */
async function addProvider(form) {
    let info;
    try {
        info = await get('/auth/oidc', { noRetry: true });
    } catch {
        return; // not configured (404)
    }
    const word = new URLSearchParams(location.hash.split('?')[1] ?? '').get('oidc');
    const first = form.querySelector('h1')?.nextSibling ?? form.firstChild;
    if (word && OIDC_FAILURES[word])
        form.insertBefore(
            h(
                'p',
                { class: 'form-error', role: 'alert', id: 'oidc-error' },
                t(OIDC_FAILURES[word], { name: info.label }),
            ),
            first,
        );
    form.insertBefore(
        h(
            'a',
            { class: 'button primary', id: 'oidc-start', href: `/api/v1/auth/oidc/start` },
            t('oidc_sign_in_with', { name: info.label }),
        ),
        first,
    );
    form.insertBefore(h('p', { class: 'note' }, t('oidc_or')), first);
}

/** "Sign in with a passkey": its code loads on the click, outside the first load. */
function passkeyButton(onDone) {
    if (typeof window.PublicKeyCredential !== 'function') return null;
    const b = h('button', { type: 'button', class: 'passkey-signin', id: 'passkey-signin' }, t('pk_sign_in'));
    b.addEventListener('click', async () => {
        const { passkeySignInNow } = await import('./security_passkeys.js');
        await passkeySignInNow(b, onDone);
    });
    return b;
}

export function signInForm({ onDone, name = '', heading = true }) {
    const nameIn = h('input', { name: 'name', autocomplete: 'username', required: true, value: name });
    const pwIn = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
    const form = h(
        'form',
        { class: 'card narrow', id: 'signin' },
        heading ? h('h1', {}, t('sign_in')) : null,
        field(t('user_name'), nameIn),
        field(t('password'), pwIn),
        h('button', { type: 'submit', class: 'primary' }, t('sign_in')),
        passkeyButton(onDone),
    );
    addProvider(form);
    form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const s = await submitting(form, async () => {
            try {
                return await post('/session', { name: nameIn.value.trim(), password: pwIn.value }, { noRetry: true });
            } catch (e) {
                if (e instanceof ApiError && e.status === 401) throw new ApiError(401, { detail: t('wrong_password') });
                throw e;
            }
        });
        if (s) {
            pwIn.value = '';
            onDone(s);
        }
    });
    return form;
}

export function passwordForm({ onDone }) {
    const cur = h('input', { name: 'current', type: 'password', autocomplete: 'current-password', required: true });
    const nw = h('input', { name: 'new', type: 'password', autocomplete: 'new-password', required: true });
    const form = h(
        'form',
        { class: 'card narrow', id: 'password-form' },
        h('h1', {}, t('change_password')),
        h('p', {}, t('change_password_text')),
        field(t('current_password'), cur),
        // the rules are shown before the first try, not only after a refusal
        field(t('new_password'), nw, t('password_rules')),
        h('button', { type: 'submit', class: 'primary' }, t('change_password')),
    );
    form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const ok = await submitting(form, async () => {
            await post('/session/password', { current: cur.value, new: nw.value }, { noRetry: true });
            return true;
        });
        if (ok) onDone();
    });
    return form;
}
