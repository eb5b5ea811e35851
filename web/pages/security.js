// SPDX-License-Identifier: EUPL-1.2
// security.js - the second factor in the browser (issue 21): the Sign-in
// security page (setting up TOTP with a QR code drawn here from the
// otpauth:// URI, the recovery codes shown once, new codes, turning it off),
// the sign-in's second step, the step-up dialog that api.js opens when the
// server answers step_up_required, and the break-glass notice on admins'
// dashboards.  The QR encoder (web/vendor/uqr.mjs) loads only when a key is
// shown, outside the first load.
import { get, post, seg } from '../lib/api.js';
import { field, h, replace, timeEl } from '../lib/dom.js';
import { errorBox, submitting } from '../lib/forms.js';
import { t } from '../lib/i18n.js';
import '../lib/i18n_mfa.js';
import { passkeyButton, passkeysCard } from './security_passkeys.js';

function codeInput() {
    return h('input', {
        name: 'code',
        inputmode: 'numeric',
        autocomplete: 'one-time-code',
        pattern: '[0-9]{6}',
        maxlength: '6',
        required: true,
    });
}

/**
 * A form asking for a code from the app, or (recovery) a recovery code
 * instead; send(body) posts it.  Returns the form.
 */
function proofForm({ id, title, text, button, recovery = true, passkey = false, send, onDone }) {
    const code = codeInput();
    const rec = h('input', { name: 'recovery_code', autocomplete: 'off', spellcheck: 'false' });
    const codeRow = field(t('mfa_code'), code, t('mfa_code_hint'));
    const recRow = field(t('mfa_recovery'), rec);
    recRow.hidden = true;
    let useRecovery = false;
    const toggle = h('button', { type: 'button', class: 'link' }, t('mfa_use_recovery'));
    toggle.addEventListener('click', () => {
        useRecovery = !useRecovery;
        codeRow.hidden = useRecovery;
        recRow.hidden = !useRecovery;
        code.required = !useRecovery;
        rec.required = useRecovery;
        toggle.textContent = t(useRecovery ? 'mfa_use_code' : 'mfa_use_recovery');
        (useRecovery ? rec : code).focus();
    });
    const form = h(
        'form',
        { class: 'card narrow', id },
        title ? h('h2', {}, title) : null,
        text ? h('p', {}, text) : null,
        codeRow,
        recovery ? recRow : null,
        recovery ? toggle : null,
        h('button', { type: 'submit', class: 'primary' }, button),
        passkey ? passkeyButton(id, onDone) : null,
    );
    form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const body = useRecovery ? { recovery_code: rec.value.trim() } : { code: code.value.trim() };
        const res = await submitting(form, () => send(body));
        if (res !== undefined) {
            code.value = '';
            rec.value = '';
            onDone(res);
        }
    });
    return form;
}

/** The sign-in's second step, after the password. */
export function secondStepForm({ onDone }) {
    return proofForm({
        id: 'second-step',
        title: t('mfa_step_title'),
        text: t('mfa_step_text'),
        button: t('mfa_verify'),
        passkey: true,
        send: (body) => post('/session/mfa', body, { noRetry: true }),
        onDone,
    });
}

let stepUpPromise = null;

/** Step-up: a dialog asking for a code; resolves once the server took one,
 * rejects when the user cancels. */
export function stepUp() {
    if (stepUpPromise) return stepUpPromise;
    stepUpPromise = new Promise((resolve, reject) => {
        const dlg = h('dialog', { class: 'stepup-dialog', 'aria-labelledby': 'stepup-h' });
        const finish = (ok) => {
            dlg.close();
            dlg.remove();
            stepUpPromise = null;
            if (ok) resolve();
            else reject(new Error(t('err_step_up_required')));
        };
        dlg.append(
            h('h2', { id: 'stepup-h' }, t('mfa_stepup_title')),
            proofForm({
                id: 'stepup-form',
                text: t('mfa_stepup_text'),
                button: t('mfa_verify'),
                passkey: true,
                send: (body) => post('/session/mfa', body, { noRetry: true }),
                onDone: () => finish(true),
            }),
            h(
                'div',
                { class: 'buttons' },
                h('button', { type: 'button', class: 'cancel', onclick: () => finish(false) }, t('cancel')),
            ),
        );
        dlg.addEventListener('cancel', (ev) => {
            ev.preventDefault();
            finish(false);
        });
        document.body.appendChild(dlg);
        dlg.showModal();
        dlg.querySelector('input[name="code"]')?.focus();
    });
    return stepUpPromise;
}

/** The QR code of uri on a canvas (drawn here: no other host sees the key). */
async function qrCanvas(uri) {
    const { encode } = await import('../vendor/uqr.mjs');
    const qr = encode(uri, { ecc: 'M', border: 4 });
    const scale = 4;
    const n = qr.data.length;
    const canvas = h('canvas', {
        id: 'mfa-qr',
        width: String(n * scale),
        height: String(n * scale),
        role: 'img',
        'aria-label': t('mfa_qr_label'),
    });
    const g = canvas.getContext('2d');
    g.fillStyle = '#fff';
    g.fillRect(0, 0, n * scale, n * scale);
    g.fillStyle = '#000';
    qr.data.forEach((row, y) => row.forEach((dark, x) => dark && g.fillRect(x * scale, y * scale, scale, scale)));
    return canvas;
}

function codesCard(codes) {
    return h(
        'section',
        { class: 'card', id: 'mfa-codes', 'aria-labelledby': 'mfa-codes-h' },
        h('h2', { id: 'mfa-codes-h' }, t('mfa_codes_title')),
        h('p', {}, t('mfa_codes_text')),
        h('ul', { class: 'codes' }, ...codes.map((c) => h('li', {}, h('code', {}, c)))),
    );
}

/** Enrolment: the key as a QR code and as text, then one code confirms it. */
async function setupCard(redraw) {
    const start = await post('/me/mfa/totp');
    const qr = await qrCanvas(start.uri);
    const form = proofForm({
        id: 'mfa-confirm',
        button: t('mfa_confirm'),
        recovery: false,
        send: (body) => post('/me/mfa/totp/confirm', body),
        onDone: (st) => redraw(st.recovery_codes),
    });
    return h(
        'section',
        { class: 'card', id: 'mfa-setup', 'aria-labelledby': 'mfa-setup-h' },
        h('h2', { id: 'mfa-setup-h' }, t('mfa_setup')),
        h('p', {}, t('mfa_scan')),
        qr,
        h('p', {}, t('mfa_secret'), ': ', h('code', { id: 'mfa-secret' }, start.secret)),
        form,
    );
}

/** The Sign-in security page, for everyone signed in. */
export async function securityPage({ onEnrolled } = {}) {
    const page = h('div', { class: 'security' }, h('h1', {}, t('mfa_title')));
    const body = h('div', {});
    const draw = async (codes) => {
        const st = await get('/me/mfa');
        const parts = [h('p', {}, t('mfa_text'))];
        if (st.break_glass) parts.push(h('p', { class: 'warning' }, t('mfa_break_glass')));
        if (codes) parts.push(codesCard(codes));
        if (!st.enrolled && st.required) parts.push(h('p', { class: 'warning', role: 'alert' }, t('mfa_required')));
        parts.push(
            await passkeysCard(async (c) => {
                await draw(c);
                onEnrolled?.();
            }),
        );
        if (st.enrolled && !st.totp) parts.push(h('p', {}, t('mfa_codes_left', { n: st.recovery_codes_left })));
        if (!st.totp) {
            parts.push(h('p', { id: 'mfa-state' }, t('mfa_off')));
            const go = h('button', { type: 'button', class: 'primary', id: 'mfa-start' }, t('mfa_setup'));
            go.addEventListener('click', async () => {
                go.disabled = true;
                try {
                    const card = await setupCard(async (c) => {
                        await draw(c);
                        onEnrolled?.();
                    });
                    go.replaceWith(card);
                    card.querySelector('input[name="code"]')?.focus();
                } catch (e) {
                    go.disabled = false;
                    go.after(errorBox(e));
                }
            });
            parts.push(go);
        } else {
            parts.push(h('p', { id: 'mfa-state' }, t('mfa_on'), ' ', timeEl(st.confirmed_at)));
            parts.push(h('p', {}, t('mfa_codes_left', { n: st.recovery_codes_left })));
            parts.push(
                proofForm({
                    id: 'mfa-renew',
                    title: t('mfa_codes_new'),
                    button: t('mfa_codes_new'),
                    send: (b) => post('/me/mfa/recovery-codes', b),
                    onDone: (r) => draw(r.recovery_codes),
                }),
            );
            if (!st.required || st.passkeys > 0)
                parts.push(
                    proofForm({
                        id: 'mfa-disable',
                        title: t('mfa_disable'),
                        text: t('mfa_disable_text'),
                        button: t('mfa_disable'),
                        send: (b) => post('/me/mfa/disable', b),
                        onDone: () => draw(),
                    }),
                );
        }
        replace(body, ...parts);
    };
    await draw();
    page.appendChild(body);
    return page;
}

/** Admins' dashboard: break-glass sign-ins not yet acknowledged (null: none). */
export async function breakGlassNotice() {
    const { items } = await get('/break-glass');
    if (!items.length) return null;
    const box = h(
        'section',
        { class: 'warning-box', id: 'break-glass', role: 'alert', 'aria-labelledby': 'bg-h' },
        h('h2', { id: 'bg-h' }, t('mfa_bg_title')),
        h('p', {}, t('mfa_bg_text')),
    );
    const list = h('ul', {});
    for (const it of items) {
        const ack = h('button', { type: 'button' }, t('mfa_bg_ack'));
        const li = h('li', {}, t('mfa_bg_item', { u: it.user, a: it.address }), ' ', timeEl(it.at), ' ', ack);
        ack.addEventListener('click', async () => {
            ack.disabled = true;
            try {
                await post(`/break-glass/${seg(String(it.id))}/acknowledge`);
                li.remove();
                if (!list.children.length) box.remove();
            } catch {
                ack.disabled = false;
            }
        });
        list.appendChild(li);
    }
    box.appendChild(list);
    return box;
}
