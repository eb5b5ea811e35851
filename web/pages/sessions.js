// SPDX-License-Identifier: EUPL-1.2
// sessions.js - where a person is signed in (issue 21): their sessions,
// each by its device in words, address, sign-in and last-seen times (in the
// reader's time zone), with "this session" marked; sign out one, everywhere
// else, or everywhere.  The same table, for an admin, shows a user's
// sessions from the user list, with "end all".  Its words are in
// lib/i18n_sessions.js.
import { del, get, seg } from '../lib/api.js';
import { h, replace, timeEl } from '../lib/dom.js';
import { errorBox } from '../lib/forms.js';
import { confirmDialog } from '../lib/confirm.js';
import { t } from '../lib/i18n.js';
import { setSession } from '../lib/session.js';
import '../lib/i18n_sessions.js';

/** "Firefox on Linux": the browser and system the API names, or words for unknown. */
export function deviceWords(device) {
    const b = device?.browser ?? t('sess_unknown_browser');
    const o = device?.os ?? t('sess_unknown_os');
    return t('sess_device_words', { b, o });
}

/** A table of sessions; end(s) ends one (a button per row), or null for none. */
function sessionTable(items, end, id) {
    if (!items.length) return h('p', { class: 'muted' }, t('sessions_none'));
    const head = [t('sess_device'), t('sess_address'), t('sess_signed_in'), t('sess_last_seen'), ''];
    return h(
        'table',
        { id, class: 'sessions' },
        h(
            'thead',
            {},
            h(
                'tr',
                {},
                head.map((x) => h('th', { scope: 'col' }, x)),
            ),
        ),
        h(
            'tbody',
            {},
            items.map((s) =>
                h(
                    'tr',
                    { class: s.current ? 'current' : '', 'data-session': String(s.id) },
                    h(
                        'td',
                        {},
                        deviceWords(s.device),
                        s.current ? h('strong', { class: 'this-session' }, ` (${t('sess_this')})`) : null,
                    ),
                    h('td', {}, s.address),
                    h('td', {}, timeEl(s.signed_in_at)),
                    h('td', {}, timeEl(s.last_seen_at)),
                    h('td', {}, end ? end(s) : null),
                ),
            ),
        ),
    );
}

/** A small button that runs fn, showing what failed beside it. */
function button(words, fn, attrs = {}) {
    return h(
        'button',
        {
            type: 'button',
            class: 'small',
            ...attrs,
            onclick: async (ev) => {
                const b = ev.currentTarget;
                b.disabled = true;
                try {
                    await fn();
                } catch (e) {
                    b.after(errorBox(e));
                } finally {
                    b.disabled = false;
                }
            },
        },
        words,
    );
}

/** This browser's session ended: back to the sign-in page. */
function signedOut() {
    setSession(null);
    if (location.hash === '#/') window.dispatchEvent(new HashChangeEvent('hashchange'));
    else location.hash = '#/';
}

/** The reader's own sessions, with the buttons to end them; redraw draws it anew. */
export async function ownSessions(redraw) {
    const items = (await get('/sessions')).items;
    const note = h('p', { class: 'saved-note', role: 'status' });
    const endOne = (s) =>
        button(
            t('sess_sign_out'),
            async () => {
                await del(`/sessions/${seg(String(s.id))}`);
                if (s.current) return signedOut();
                await redraw();
            },
            { 'aria-label': t('sess_sign_out_of', { d: deviceWords(s.device), a: s.address }) },
        );
    const others = button(
        t('sess_out_others'),
        async () => {
            const r = await del('/sessions?keep_current=true');
            await redraw();
            document.getElementById('sessions-note')?.replaceChildren(t('sess_ended', { n: r?.ended ?? 0 }));
        },
        { id: 'sessions-out-others' },
    );
    const all = button(
        t('sess_out_all'),
        async () => {
            const ok = await confirmDialog({
                cls: 'confirm-sessions',
                title: t('sess_out_all_confirm_title'),
                body: h('p', {}, t('sess_out_all_confirm')),
                yes: t('sess_out_all'),
                yesClass: 'danger',
            });
            if (!ok) return;
            await del('/sessions');
            signedOut();
        },
        { id: 'sessions-out-all', class: 'small danger' },
    );
    note.id = 'sessions-note';
    return h(
        'div',
        {},
        h('p', { class: 'hint' }, t('sessions_text')),
        sessionTable(items, endOne, 'session-list'),
        h('div', { class: 'buttons' }, others, all),
        note,
    );
}

/** The page #/sessions, for every signed-in person. */
export async function sessionsPage() {
    const sec = h('section', { 'aria-labelledby': 'h-sessions' });
    const draw = async () => {
        try {
            replace(sec, h('h2', { id: 'h-sessions' }, t('set_sessions')), await ownSessions(draw));
        } catch (e) {
            replace(sec, h('h2', { id: 'h-sessions' }, t('set_sessions')), errorBox(e));
        }
    };
    await draw();
    return h('div', { class: 'sessions-page' }, h('h1', {}, t('sessions_title')), sec);
}

/** An admin's view of user name's sessions, in box (replaced on each redraw). */
export async function userSessions(name, box) {
    const draw = async () => {
        try {
            const items = (await get(`/users/${seg(name)}/sessions`)).items;
            const endOne = (s) =>
                button(t('sess_end'), async () => {
                    await del(`/users/${seg(name)}/sessions/${seg(String(s.id))}`);
                    if (s.current) return signedOut();
                    await draw();
                });
            const endAll = button(
                t('sess_user_end_all', { u: name }),
                async () => {
                    const ok = await confirmDialog({
                        cls: 'confirm-user-sessions',
                        title: t('sess_user_end_confirm_title'),
                        body: h('p', {}, t('sess_user_end_confirm', { u: name })),
                        yes: t('sess_user_end_all', { u: name }),
                        yesClass: 'danger',
                    });
                    if (!ok) return;
                    await del(`/users/${seg(name)}/sessions`);
                    if (items.some((s) => s.current)) return signedOut();
                    await draw();
                },
                { class: 'small danger', disabled: !items.length },
            );
            replace(
                box,
                h('h4', {}, t('sess_user_of', { u: name })),
                sessionTable(items, endOne, null),
                h('div', { class: 'buttons' }, endAll),
            );
        } catch (e) {
            replace(box, errorBox(e));
        }
    };
    await draw();
}
