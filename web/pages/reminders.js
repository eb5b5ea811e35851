// SPDX-License-Identifier: EUPL-1.2
// reminders.js - the reminders in the front end (issue 20): the incident
// page's section (each step of the ladder and the delivery log, with an
// Acknowledge button), the dashboard's warning while a channel fails, the
// page a reminder's link opens (#/ack/TOKEN: acknowledge with one click),
// and the Settings part (the policy, and a test message per channel).
import { get, post, put, seg } from '../lib/api.js';
import { field, h, replace, select, timeEl } from '../lib/dom.js';
import { errorBox, explain, fieldMessage, InputError, markField, submitting } from '../lib/forms.js';
import { extend, t } from '../lib/i18n.js';
import * as words from '../lib/i18n_reminders.js';
import { atLeast } from '../lib/session.js';

extend(words); // this page's words load with it, outside the first load

const at = (unix) => new Date(unix * 1000).toISOString().replace('.000Z', 'Z');
const status = (s) => h('span', { class: `badge rem-${s}` }, t('rem_s_' + s));

/** The incident page's section: GET /incidents/{id}/reminders. */
export function remindersSection(ctx) {
    const sec = h(
        'section',
        { id: 'sec-reminders', 'aria-labelledby': 'h-rem' },
        h('h2', { id: 'h-rem' }, t('sec_reminders')),
    );
    const draw = async () => {
        const head = [h('h2', { id: 'h-rem' }, t('sec_reminders')), h('p', { class: 'hint' }, t('rem_text'))];
        try {
            const r = await get(`/incidents/${seg(ctx.inc.id)}/reminders`);
            replace(sec, ...head, jobsTable(ctx, r.jobs, draw), h('h3', {}, t('rem_log')), logTable(r.deliveries));
        } catch (e) {
            replace(sec, ...head, errorBox(e));
        }
    };
    draw();
    return sec;
}

function jobsTable(ctx, jobs, redraw) {
    if (!jobs.length) return h('p', { class: 'muted', id: 'rem-jobs' }, t('rem_none'));
    const row = (j) => {
        const cell = h('td', {});
        if (atLeast('analyst') && ['planned', 'sent', 'failed'].includes(j.status)) {
            const b = h('button', { type: 'button', class: 'secondary', 'data-job': j.id }, t('rem_ack'));
            b.addEventListener('click', async () => {
                try {
                    await post(`/incidents/${seg(ctx.inc.id)}/reminders/${j.id}/ack`);
                    await redraw();
                } catch (e) {
                    b.after(errorBox(e));
                }
            });
            cell.append(b);
        }
        return h(
            'tr',
            {},
            h('td', {}, String(j.step + 1), j.round ? ` (${t('rem_repeat', { n: j.round })})` : ''),
            h('td', {}, timeEl(at(j.fire_at))),
            h('td', {}, status(j.status)),
            cell,
        );
    };
    return h(
        'table',
        { id: 'rem-jobs' },
        h(
            'thead',
            {},
            h('tr', {}, ...['rem_step', 'rem_when', 'rem_status', ''].map((k) => h('th', {}, k ? t(k) : ''))),
        ),
        h('tbody', {}, jobs.map(row)),
    );
}

function logTable(items) {
    if (!items.length) return h('p', { class: 'muted', id: 'rem-log' }, t('rem_log_none'));
    return h(
        'table',
        { id: 'rem-log' },
        h(
            'thead',
            {},
            h(
                'tr',
                {},
                ...['rem_when', 'rem_step', 'rem_channel', 'rem_recipient', 'rem_status', 'rem_reason'].map((k) =>
                    h('th', {}, t(k)),
                ),
            ),
        ),
        h(
            'tbody',
            {},
            items.map((e) =>
                h(
                    'tr',
                    {},
                    h('td', {}, timeEl(e.at)),
                    h('td', {}, String(e.step + 1)),
                    h('td', {}, e.channel),
                    h('td', {}, e.recipient),
                    h('td', {}, status(e.status)),
                    h('td', {}, e.reason ?? ''),
                ),
            ),
        ),
    );
}

/** The dashboard's warning, one line per channel whose last delivery failed. */
export const channelWarnings = (st) =>
    Object.entries(st.failing).map(([c, f]) =>
        h(
            'p',
            { class: 'form-error', role: 'alert' },
            t('rem_failing', { c, t: new Date(f.since).toLocaleString(), r: f.reason }),
        ),
    );

/** #/ack/TOKEN: one click acknowledges; needs no sign-in (the token is the credential). */
export function ackPage(token) {
    const out = h('div', { role: 'status', id: 'ack-result' });
    const b = h('button', { type: 'button', id: 'ack-button' }, t('ack_button'));
    b.addEventListener('click', async () => {
        try {
            const r = await post('/reminders/ack', { token }, { noRetry: true });
            b.disabled = true;
            replace(out, h('p', {}, t('ack_done', { i: r.incident_id })));
        } catch (e) {
            replace(out, errorBox(e));
        }
    });
    return h('div', { class: 'ack' }, h('h1', {}, t('ack_title')), h('p', {}, t('ack_text')), b, out);
}

/** Settings: the policy in force (editable as JSON) and a test message per channel. */
export async function remindersSettings(redraw) {
    const p = await get('/reminders/policy');
    const text = h(
        'textarea',
        { name: 'policy', rows: 18, spellcheck: 'false', class: 'code' },
        JSON.stringify(p.policy, null, 2),
    );
    const form = h(
        'form',
        { class: 'card', id: 'rem-policy-form' },
        h('h3', {}, t('rem_policy')),
        h('p', { class: 'hint' }, t('rem_policy_text')),
        h(
            'p',
            { id: 'rem-policy-source' },
            t(p.source === 'api' ? 'rem_policy_source_api' : 'rem_policy_source_file', { v: p.policy.version }),
        ),
        field(t('rem_policy_json'), text),
        h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('rem_policy_save'))),
    );
    form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        submitting(form, async () => {
            let doc;
            try {
                doc = JSON.parse(text.value);
            } catch {
                markField(text, t('rem_json_bad'));
                return;
            }
            try {
                await put('/reminders/policy', doc, { ifMatch: p.version });
            } catch (e) {
                if (!e?.errors?.length) throw e;
                // the policy is the admin's own JSON text: each error names its place in it
                const at = e.errors.map((fe) => ({ field: 'policy', message: `${fe.field}: ${fieldMessage(fe)}` }));
                throw new InputError(at, explain(e));
            }
            await redraw();
        });
    });
    return h('div', {}, form, channelsCard(p.policy));
}

function channelsCard(policy) {
    const names = Object.keys(policy.channels ?? {});
    const people = Object.entries(policy.people ?? {}).filter(([, v]) => v.email);
    const card = h('div', { class: 'card', id: 'rem-channels' }, h('h3', {}, t('rem_channels')));
    if (!names.length) card.append(h('p', { class: 'muted' }, t('rem_no_channels')));
    for (const name of names) {
        const ch = policy.channels[name];
        const to =
            ch.type === 'smtp'
                ? select(
                      'to',
                      people.map(([n, v]) => [n, `${n} <${v.email}>`]),
                      people[0]?.[0] ?? '',
                  )
                : null;
        const result = h('span', { role: 'status' });
        const b = h('button', { type: 'button', class: 'secondary', 'data-channel': name }, t('rem_test'));
        b.addEventListener('click', async () => {
            try {
                const r = await post('/reminders/test', to ? { channel: name, to: to.value } : { channel: name });
                replace(result, r.status === 'sent' ? t('rem_test_sent') : t('rem_test_failed', { r: r.reason }));
            } catch (e) {
                replace(result, errorBox(e));
            }
        });
        card.append(
            h(
                'div',
                { class: 'rem-channel' },
                h('strong', {}, name),
                ` (${ch.type}) `,
                to ? field(t('rem_test_to'), to) : null,
                b,
                ' ',
                result,
            ),
        );
    }
    return card;
}
