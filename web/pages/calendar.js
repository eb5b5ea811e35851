// SPDX-License-Identifier: EUPL-1.2
// calendar.js - the dashboard's calendar box: one's reporting deadlines in
// one's own calendar program, as a feed address (iCalendar) that is shown
// once when made, can be made anew (the old one stops working) and
// revoked.  Only for a person signed in; the server keeps only a hash.
import { del, get, post } from '../lib/api.js';
import { h, replace, timeEl } from '../lib/dom.js';
import { errorBox } from '../lib/forms.js';
import { t } from '../lib/i18n.js';

/** The section, drawn from GET /api/v1/me/calendar. */
export function calendarSection() {
    const sec = h('section', { id: 'calendar', 'aria-labelledby': 'd-cal' });
    const draw = async (shown) => {
        const head = [h('h2', { id: 'd-cal' }, t('cal_title')), h('p', { class: 'hint' }, t('cal_text'))];
        try {
            const st = await get('/me/calendar');
            const make = h('button', { type: 'button', id: 'cal-make' }, t(st.active ? 'cal_renew' : 'cal_create'));
            make.addEventListener('click', async () => {
                if (st.active && !confirm(t('cal_renew_confirm'))) return;
                try {
                    const r = await post('/me/calendar');
                    await draw(`${location.origin}${r.path}`);
                } catch (e) {
                    make.after(errorBox(e));
                }
            });
            const parts = [...head];
            if (shown)
                parts.push(
                    h(
                        'div',
                        { class: 'once', role: 'status' },
                        h('p', {}, t('cal_once')),
                        h('code', { class: 'secret', id: 'cal-address' }, shown),
                    ),
                );
            else if (st.active)
                parts.push(h('p', { id: 'cal-state' }, t('cal_active_since'), ' ', timeEl(st.created_at)));
            else parts.push(h('p', { id: 'cal-state' }, t('cal_none')));
            const buttons = h('div', { class: 'actions' }, make);
            if (st.active) {
                const revoke = h('button', { type: 'button', id: 'cal-revoke', class: 'secondary' }, t('cal_revoke'));
                revoke.addEventListener('click', async () => {
                    if (!confirm(t('cal_revoke_confirm'))) return;
                    try {
                        await del('/me/calendar');
                        await draw(null);
                    } catch (e) {
                        revoke.after(errorBox(e));
                    }
                });
                buttons.append(revoke);
            }
            parts.push(buttons);
            replace(sec, ...parts);
        } catch (e) {
            replace(sec, ...head, errorBox(e));
        }
    };
    draw(null);
    return sec;
}
