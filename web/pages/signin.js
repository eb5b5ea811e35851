// SPDX-License-Identifier: EUPL-1.2
// signin.js - the sign-in form (also used in the dialog when a session is
// lost) and the password change a new user must make first.
import { post, ApiError } from '../lib/api.js';
import { field, h } from '../lib/dom.js';
import { submitting } from '../lib/forms.js';
import { t } from '../lib/i18n.js';

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
    );
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
