// SPDX-License-Identifier: EUPL-1.2
// setup.js - the first-run checklist on the dashboard: what a new
// installation needs before its first incident (the organisation profile,
// the services it provides, the applicability questionnaire, the
// recipients' contact details, a second administrator), each ticked off
// from what the server holds, and the whole list gone once all are done.
// Admins do this work, so only admins load and see it.
import { get } from '../lib/api.js';
import { h } from '../lib/dom.js';
import { pick } from '../lib/i18n.js';

// loaded with import() for admins only, outside the first load: its words are here
const WORDS = {
    title: { en: 'Getting started', nl: 'Aan de slag' },
    text: {
        en: 'A new installation needs these before the first incident. This list goes away when all are done.',
        nl: 'Een nieuwe installatie heeft dit nodig voor het eerste incident. Deze lijst verdwijnt als alles klaar is.',
    },
    done: { en: 'done', nl: 'klaar' },
    todo: { en: 'to do', nl: 'te doen' },
    profile: { en: 'Fill in the organisation profile', nl: 'Vul het organisatieprofiel in' },
    services: { en: 'Register the services you provide', nl: 'Registreer de diensten die u levert' },
    assessment: {
        en: 'Answer the applicability questionnaire',
        nl: 'Beantwoord de vragenlijst over toepasselijkheid',
    },
    recipients: {
        en: "Enter the recipients' contact details",
        nl: 'Vul de contactgegevens van de ontvangers in',
    },
    second_admin: { en: 'Add a second administrator', nl: 'Voeg een tweede beheerder toe' },
};
const w = (k) => pick(WORDS[k]);

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

/** The checklist section, or null when every step is done. */
export async function setupChecklist() {
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
        h('h2', { id: 'd-setup' }, w('title')),
        h('p', { class: 'hint' }, w('text')),
        h(
            'ol',
            { class: 'setup-steps' },
            steps.map((s) =>
                h(
                    'li',
                    { 'data-step': s.key, 'data-done': String(s.done), class: s.done ? 'done' : 'todo' },
                    h('a', { href: s.href }, w(s.key)),
                    ' ',
                    h('span', { class: 'setup-state' }, `(${w(s.done ? 'done' : 'todo')})`),
                ),
            ),
        ),
    );
}
