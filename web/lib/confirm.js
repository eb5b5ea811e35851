// SPDX-License-Identifier: EUPL-1.2
// confirm.js - a question before a change that is easy to slip or cannot be
// undone (signing, a user's role): a modal dialog that says what will
// happen and resolves true only when confirmed.  The safe choice, Cancel,
// has the focus, so Enter or Escape changes nothing.
import { h } from './dom.js';
import { t } from './i18n.js';

/** cls: the dialog's class; title, body (nodes), yes (the button's words), yesClass. */
export function confirmDialog({ cls, title, body, yes, yesClass = 'primary' }) {
    return new Promise((resolve) => {
        const hid = `${cls}-h`;
        const dlg = h('dialog', { class: cls, 'aria-labelledby': hid }, h('h2', { id: hid }, title), body);
        const done = (ok) => {
            dlg.close();
            dlg.remove();
            resolve(ok);
        };
        const cancel = h('button', { type: 'button', class: 'cancel', onclick: () => done(false) }, t('cancel'));
        dlg.appendChild(
            h(
                'div',
                { class: 'buttons' },
                h('button', { type: 'button', class: yesClass, onclick: () => done(true) }, yes),
                cancel,
            ),
        );
        dlg.addEventListener('cancel', (ev) => {
            ev.preventDefault();
            done(false);
        });
        document.body.appendChild(dlg);
        dlg.showModal();
        cancel.focus();
    });
}
