// SPDX-License-Identifier: EUPL-1.2
// setup.js - the first-run checklist on the dashboard: what a new
// installation needs before its first incident (the organisation profile,
// the services it provides, the applicability questionnaire, the
// recipients' contact details, a second administrator), each ticked off
// from what the server holds, and the whole list gone once all are done.
// Admins do this work, so admins see it.
import { get } from '../lib/api.js';
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { atLeast } from '../lib/session.js';

/** [key, where it is done, done(state)] */
const STEPS = [
    ['profile', '#/settings', (s) => !!(s.org.name && s.org.sector)],
    ['services', '#/settings', (s) => s.services.length > 0],
    ['assessment', '#/preparedness', (s) => s.assessments.length > 0],
    ['recipients', '#/settings', (s) => recipientsDone(s.org.recipients ?? {})],
    ['second_admin', '#/settings', (s) => s.users.filter((u) => u.role === 'admin' && !u.disabled).length >= 2],
];

/** The CSIRT and the sector's supervisor (which a new install cannot know) can be
 * reached, and no recipient is named without a way to reach it. */
function recipientsDone(recipients) {
    const reachable = (r) => !!r?.contact?.trim();
    const list = Object.values(recipients);
    return (
        reachable(recipients.csirt) &&
        reachable(recipients.supervisor) &&
        !list.some((r) => r?.name?.trim() && !reachable(r))
    );
}

/** The checklist section, or null when every step is done (or for non-admins). */
export async function setupChecklist() {
    if (!atLeast('admin')) return null;
    const [org, services, assessments, users] = await Promise.all([
        get('/organisation'),
        get('/services'),
        get('/assessment'),
        get('/users'),
    ]);
    const state = { org, services: services.items, assessments: assessments.items, users: users.items };
    const steps = STEPS.map(([key, href, done]) => ({ key, href, done: done(state) }));
    if (steps.every((s) => s.done)) return null;
    return h(
        'section',
        { id: 'setup', class: 'card', 'aria-labelledby': 'd-setup' },
        h('h2', { id: 'd-setup' }, t('setup_title')),
        h('p', { class: 'hint' }, t('setup_text')),
        h(
            'ol',
            { class: 'setup-steps' },
            steps.map((s) =>
                h(
                    'li',
                    { 'data-step': s.key, 'data-done': String(s.done), class: s.done ? 'done' : 'todo' },
                    h('a', { href: s.href }, t('setup_' + s.key)),
                    ' ',
                    h('span', { class: 'setup-state' }, `(${t(s.done ? 'setup_done' : 'setup_todo')})`),
                ),
            ),
        ),
    );
}
