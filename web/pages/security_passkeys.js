// SPDX-License-Identifier: EUPL-1.2
// security_passkeys.js - passkeys in the browser (WebAuthn, issue 21): the
// list on the Sign-in security page (add, rename, remove), the "Use a
// passkey" button of the second step and the step-up dialog, and signing in
// with a passkey alone.  The server's options carry binary members as
// base64url; navigator.credentials wants ArrayBuffers, and its answers go
// back as base64url.  The checks are all the server's (core/webauthn.c).
import { del, get, patch, post, seg } from '../lib/api.js';
import { field, h, timeEl } from '../lib/dom.js';
import { submitting } from '../lib/forms.js';
import { t } from '../lib/i18n.js';
import '../lib/i18n_passkeys.js';

const toBuf = (s) => {
    const b = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(b, (c) => c.charCodeAt(0)).buffer;
};
const toB64u = (buf) =>
    btoa(String.fromCharCode(...new Uint8Array(buf)))
        .replace(/\+/g, '-')
        .replace(/\//g, '_')
        .replace(/=+$/, '');
const descriptors = (list) => list.map((c) => ({ ...c, id: toBuf(c.id) }));

/** Whether this browser can use passkeys at all. */
export const passkeysSupported = () => typeof window.PublicKeyCredential === 'function' && !!navigator.credentials;

/** Asks the authenticator to answer request options; the {passkey} body. */
async function answer(o) {
    const cred = await navigator.credentials.get({
        publicKey: {
            challenge: toBuf(o.challenge),
            rpId: o.rpId,
            timeout: o.timeout,
            userVerification: o.userVerification,
            allowCredentials: descriptors(o.allowCredentials),
        },
    });
    const r = cred.response;
    const out = {
        id: toB64u(cred.rawId),
        clientDataJSON: toB64u(r.clientDataJSON),
        authenticatorData: toB64u(r.authenticatorData),
        signature: toB64u(r.signature),
    };
    if (r.userHandle && r.userHandle.byteLength) out.userHandle = toB64u(r.userHandle);
    return { passkey: out };
}

/** The second step or step-up with a passkey: resolves with the status. */
export async function passkeyCheck() {
    const o = await post('/session/mfa/options', {}, { noRetry: true, noStepUp: true });
    return post('/session/mfa', await answer(o), { noRetry: true, noStepUp: true });
}

/** "Use a passkey" for a proof form: onDone(status) once the server took it. */
export function passkeyButton(form, onDone) {
    if (!passkeysSupported()) return null;
    const b = h('button', { type: 'button', class: 'passkey-use', id: `${form}-passkey` }, t('pk_use'));
    b.addEventListener('click', async () => {
        const f = b.closest('form');
        const res = await submitting(f, () => passkeyCheck().catch(failed));
        if (res !== undefined) onDone(res);
    });
    return b;
}

/** A browser's refusal (the person cancelled, no passkey here) in words. */
function failed(e) {
    if (e?.name === 'NotAllowedError' || e?.name === 'AbortError') throw new Error(t('pk_cancelled'));
    if (e?.name === 'InvalidStateError') throw new Error(t('pk_exists'));
    throw e;
}

/** Signing in with a passkey alone, from button b: onDone(session) as the password form's. */
export async function passkeySignInNow(b, onDone) {
    const f = b.closest('form');
    const s = await submitting(f, async () => {
        try {
            const o = await post('/session/passkey/options', {}, { noRetry: true });
            return await post('/session/passkey', await answer(o), { noRetry: true });
        } catch (e) {
            return failed(e);
        }
    });
    if (s) onDone(s);
}

/** Registers a new passkey named name; resolves with the server's answer. */
async function register(name) {
    const o = await post('/me/mfa/passkeys/options');
    const cred = await navigator.credentials.create({
        publicKey: {
            ...o,
            challenge: toBuf(o.challenge),
            user: { ...o.user, id: toBuf(o.user.id) },
            excludeCredentials: descriptors(o.excludeCredentials),
        },
    });
    return post('/me/mfa/passkeys', {
        name,
        clientDataJSON: toB64u(cred.response.clientDataJSON),
        attestationObject: toB64u(cred.response.attestationObject),
        transports: cred.response.getTransports?.() ?? [],
    });
}

function row(p, redraw) {
    const name = h('input', {
        name: 'name',
        value: p.name,
        maxlength: '64',
        required: true,
        'aria-label': t('pk_name'),
    });
    const save = h('button', { type: 'submit' }, t('pk_rename'));
    const remove = h('button', { type: 'button', class: 'danger' }, t('pk_remove'));
    const form = h('form', { class: 'passkey-row' }, name, save, remove);
    form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        if (
            (await submitting(form, () =>
                patch(`/me/mfa/passkeys/${seg(String(p.id))}`, { name: name.value.trim() }),
            )) !== undefined
        )
            redraw();
    });
    remove.addEventListener('click', async () => {
        if (
            (await submitting(form, async () => (await del(`/me/mfa/passkeys/${seg(String(p.id))}`), true))) !==
            undefined
        )
            redraw();
    });
    return h(
        'li',
        { 'data-passkey': p.name },
        form,
        h('span', { class: 'note' }, t('pk_added'), ' ', timeEl(p.created_at)),
        p.last_used_at ? h('span', { class: 'note' }, ' · ', t('pk_last_used'), ' ', timeEl(p.last_used_at)) : null,
    );
}

/** The passkeys card of the Sign-in security page; redraw(codes) redraws the page. */
export async function passkeysCard(redraw) {
    const { items } = await get('/me/mfa/passkeys');
    const list = h('ul', { class: 'passkeys', id: 'passkey-list' }, ...items.map((p) => row(p, () => redraw())));
    const name = h('input', { name: 'name', maxlength: '64', required: true, value: t('pk_default_name') });
    const add = h(
        'form',
        { class: 'card narrow', id: 'passkey-add' },
        field(t('pk_name'), name, t('pk_name_hint')),
        h('button', { type: 'submit', class: 'primary' }, t('pk_add')),
    );
    add.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const res = await submitting(add, () => register(name.value.trim()).catch(failed));
        if (res !== undefined) redraw(res.recovery_codes);
    });
    const card = h(
        'section',
        { class: 'card', id: 'passkeys', 'aria-labelledby': 'passkeys-h' },
        h('h2', { id: 'passkeys-h' }, t('pk_title')),
        h('p', {}, t('pk_text')),
        items.length ? list : h('p', { id: 'passkeys-none' }, t('pk_none')),
    );
    if (passkeysSupported()) card.appendChild(add);
    else card.appendChild(h('p', { class: 'warning' }, t('pk_unsupported')));
    return card;
}
