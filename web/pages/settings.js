// SPDX-License-Identifier: EUPL-1.2
// settings.js - for admins: the organisation profile the reporting rules
// read, the service registry, users (one-time passwords shown once, their
// sessions), API tokens (shown once; an expiry and allowed addresses) and
// one's own sessions.
import { del, get, patch, post, put, seg } from '../lib/api.js';
import { field, fromLocalInput, h, replace, select, timeEl } from '../lib/dom.js';
import { control, readControl } from '../lib/facts.js';
import { errorBox, InputError, reading, saySaved, submitting } from '../lib/forms.js';
import { confirmDialog } from '../lib/confirm.js';
import { pick, t } from '../lib/i18n.js';
import { TLPS } from '../lib/schema.js';
import { user } from '../lib/session.js';
import '../lib/i18n_incident.js';
import '../lib/i18n_errors.js';
import '../lib/i18n_profile.js';
import { remindersSettings } from './reminders.js';
import { ownSessions, userSessions } from './sessions.js';

const SECTORS = [
    'energy',
    'transport',
    'banking',
    'financial_market_infrastructure',
    'health',
    'drinking_water',
    'waste_water',
    'digital_infrastructure',
    'ict_service_management',
    'public_administration',
    'space',
    'postal_courier',
    'waste_management',
    'chemicals',
    'food',
    'manufacturing',
    'digital_providers',
    'research',
    'other',
];
const ROLES = ['viewer', 'analyst', 'manager', 'admin'];
const TOKEN_ROLES = [...ROLES, 'ingest'];
// the role change's question, here with the (lazily loaded) page that asks it
const ROLE_WORDS = {
    title: { en: 'Change the role?', nl: 'De rol wijzigen?' },
    text: {
        en: 'Change the role of {u} from {a} to {b}? The change takes effect at once.',
        nl: 'De rol van {u} wijzigen van {a} naar {b}? De wijziging geldt meteen.',
    },
    yes: { en: 'Change the role', nl: 'Rol wijzigen' },
    self: {
        en: 'You are changing your own role: you may lose access to this page.',
        nl: 'U wijzigt uw eigen rol: u kunt de toegang tot deze pagina verliezen.',
    },
};
const roleWord = (k, vars = {}) => pick(ROLE_WORDS[k]).replace(/\{(\w+)\}/g, (m, x) => vars[x] ?? m);

const RECIPIENTS = ['csirt', 'supervisor', 'dpa', 'cer_authority', 'financial_supervisor', 'trust_supervisor'];
const tlpOptions = () => [['', t('tlp_any')], ...TLPS.map((v) => [v, `TLP:${v.toUpperCase()}`])];

export async function settingsPage() {
    const page = h('div', { class: 'settings' }, h('h1', {}, t('nav_settings')));
    const parts = [
        ['organisation', organisation],
        ['services', services],
        ['users', users],
        ['tokens', tokens],
        ['reminders', remindersSettings],
        ['sessions', ownSessions],
    ];
    for (const [key, fn] of parts) {
        const sec = h('section', { id: `set-${key}`, 'aria-labelledby': `h-${key}` });
        const draw = async () => {
            try {
                replace(sec, h('h2', { id: `h-${key}` }, t('set_' + key)), await fn(draw));
            } catch (e) {
                replace(sec, h('h2', { id: `h-${key}` }, t('set_' + key)), errorBox(e));
            }
        };
        await draw();
        page.appendChild(sec);
    }
    return page;
}

/** Redraws a section, then says "Saved" at the form (selector) drawn anew. */
async function savedAfter(redraw, selector) {
    await redraw();
    saySaved(document.querySelector(selector));
}

/* The entity types of Uitvoeringsverordening (EU) 2024/2690 art. 1, picked by
 * their names (labels, never keys; words in i18n_incident.js). */
const ENTITY_TYPES =
    'dns tld cloud data_centre cdn msp mssp marketplace search_engine social_network trust_service qualified_trust_service'.split(
        ' ',
    );

function entityTypes(chosen) {
    const sel = select(
        'entity_types',
        ENTITY_TYPES.map((e) => [e, t('et_' + e)]),
        null,
        { multiple: true, size: 6 },
    );
    for (const o of sel.options) o.selected = (chosen ?? []).includes(o.value);
    return sel;
}

/* The subsectors of a sector from the questionnaire's sector data, by label;
 * a value stored earlier that is none of them is shown as such, and refused
 * on saving (readSubsector), never silently dropped or kept. */
function subsectorOptions(sector, stored) {
    const subs = sector?.subsectors ?? [];
    const opts = [['', subs.length ? '—' : t('org_subsector_none')], ...subs.map((x) => [x.id, pick(x.label)])];
    if (stored && !subs.some((x) => x.id === stored)) opts.push([stored, t('org_subsector_stored', { v: stored })]);
    return opts;
}

function readSubsector(ctl, sector) {
    const v = ctl.value;
    if (ctl.tagName !== 'SELECT') return v.trim() || null; // no sector data: as typed
    if (v && !(sector?.subsectors ?? []).some((x) => x.id === v))
        throw new InputError([{ field: 'subsector', message: t('org_subsector_refused') }]);
    return v || null;
}

async function organisation(redraw) {
    const o = await get('/organisation');
    // the sectors and their subsectors by their names in the questionnaire (labels, never keys)
    const sectors = await get('/assessment/questions').then(
        (q) => q.sectors ?? [],
        () => [],
    );
    const named = new Map(sectors.map((x) => [x.id, pick(x.label)]));
    const sectorOf = (id) => sectors.find((x) => x.id === id);
    const subsector = sectors.length
        ? select('subsector', subsectorOptions(sectorOf(o.sector), o.subsector), o.subsector ?? '')
        : h('input', { name: 'subsector', value: o.subsector ?? '' });
    const bool = (k) => field(t('org_' + k), control(k, 'bool', o[k]));
    const form = h(
        'form',
        { class: 'card', id: 'org-form' },
        h(
            'div',
            { class: 'grid' },
            field(t('org_name'), h('input', { name: 'name', value: o.name })),
            field(
                t('org_kvk_number'),
                h('input', {
                    name: 'kvk_number',
                    value: o.kvk_number ?? '',
                    inputmode: 'numeric',
                    autocomplete: 'off',
                }),
            ),
            field(
                t('org_address'),
                h('textarea', { name: 'address', rows: 2 }, o.address ?? ''),
                t('org_address_hint'),
            ),
            field(t('org_country'), h('input', { name: 'country', value: o.country })),
            field(
                t('org_sector'),
                select(
                    'sector',
                    [['', '—'], ...SECTORS.map((s) => [s, named.get(s) ?? s.replace(/_/g, ' ')])],
                    o.sector ?? '',
                ),
            ),
            field(t('org_subsector'), subsector),
            field(
                t('org_nis2_class'),
                select(
                    'nis2_class',
                    // not determined yet (null) is an answer of its own, never read as "not in scope"
                    [
                        ['', t('class_undetermined')],
                        ...['essential', 'important', 'none'].map((c) => [c, t('class_' + c)]),
                    ],
                    o.nis2_class ?? '',
                ),
            ),
            field(t('org_entity_types'), entityTypes(o.entity_types), t('multi_hint')),
            field(t('org_annual_turnover_eur'), control('annual_turnover_eur', 'money', o.annual_turnover_eur)),
            bool('cer_critical'),
            bool('dora_financial'),
            bool('microenterprise'),
        ),
        h('h3', {}, t('org_recipients')),
        h(
            'div',
            { class: 'grid' },
            RECIPIENTS.map((r) => [
                field(
                    `${t('rcp_' + r)}: ${t('org_name')}`,
                    h('input', { name: `recipients.${r}.name`, value: o.recipients?.[r]?.name ?? '' }),
                ),
                field(
                    `${t('rcp_' + r)}: ${t('contact')}`,
                    h('input', { name: `recipients.${r}.contact`, value: o.recipients?.[r]?.contact ?? '' }),
                ),
            ]),
        ),
        h('p', { class: 'hint' }, t('org_hint')),
        h('button', { type: 'submit', class: 'primary' }, t('save')),
    );
    // another sector, its subsectors: a subsector of the sector before does not fit, and is cleared in view
    form.querySelector('[name="sector"]').addEventListener('change', (ev) => {
        if (subsector.tagName !== 'SELECT') return;
        const opts = subsectorOptions(sectorOf(ev.target.value), null);
        const cur = opts.some(([v]) => v === subsector.value) ? subsector.value : '';
        replace(
            subsector,
            opts.map(([v, text]) => h('option', { value: v, selected: v === cur }, text)),
        );
    });
    form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const v = (n) => form.querySelector(`[name="${CSS.escape(n)}"]`);
        const read = reading(form, () => ({
            turnover: readControl(v('annual_turnover_eur'), 'money') ?? null,
            subsector: readSubsector(subsector, sectorOf(v('sector').value)),
        }));
        if (read === undefined) return;
        const { turnover } = read;
        const body = { ...o };
        delete body.version;
        delete body.updated_at;
        body.name = v('name').value;
        body.kvk_number = v('kvk_number').value.replace(/\s/g, '') || null;
        body.address = v('address').value.trim() || null;
        body.country = v('country').value.trim().toUpperCase();
        body.sector = v('sector').value || null;
        body.subsector = read.subsector;
        body.nis2_class = v('nis2_class').value || null;
        body.entity_types = [...v('entity_types').selectedOptions].map((x) => x.value);
        body.annual_turnover_eur = turnover;
        // three answers: yes, no and unknown (null), which is not a no
        for (const k of ['cer_critical', 'dora_financial', 'microenterprise'])
            body[k] = readControl(v(k), 'bool') ?? null;
        body.recipients = {};
        for (const r of RECIPIENTS)
            body.recipients[r] = { name: v(`recipients.${r}.name`).value, contact: v(`recipients.${r}.contact`).value };
        const ok = await submitting(form, () => put('/organisation', body, { ifMatch: o.version }));
        if (ok) savedAfter(redraw, '#org-form');
    });
    return form;
}

async function services(redraw) {
    const list = (await get('/services')).items;
    const table = list.length
        ? h(
              'table',
              { id: 'service-list' },
              h(
                  'thead',
                  {},
                  h(
                      'tr',
                      {},
                      [
                          t('org_name'),
                          t('description'),
                          t('svc_users_total'),
                          t('svc_critical'),
                          t('svc_member_states'),
                          '',
                      ].map((x) => h('th', { scope: 'col' }, x)),
                  ),
              ),
              h(
                  'tbody',
                  {},
                  list.map((s) =>
                      h(
                          'tr',
                          {},
                          h('td', {}, s.name),
                          h('td', {}, s.description ?? ''),
                          h('td', {}, s.users_total ?? '—'),
                          h('td', {}, s.critical === true ? t('yes') : s.critical === false ? t('no') : t('unknown')),
                          h('td', {}, (s.member_states ?? []).join(', ')),
                          h(
                              'td',
                              {},
                              h(
                                  'button',
                                  {
                                      type: 'button',
                                      class: 'danger small',
                                      onclick: async (ev) => {
                                          if (!confirm(t('confirm_delete', { x: s.name }))) return;
                                          try {
                                              await del(`/services/${seg(s.name)}`);
                                              redraw();
                                          } catch (e) {
                                              ev.target.after(errorBox(e));
                                          }
                                      },
                                  },
                                  t('delete'),
                              ),
                          ),
                      ),
                  ),
              ),
          )
        : h('p', { class: 'muted' }, t('no_services'));
    const form = h(
        'form',
        { class: 'card', id: 'service-form' },
        h('h3', {}, t('svc_add')),
        h(
            'div',
            { class: 'grid' },
            field(t('org_name'), h('input', { name: 'name', required: true })),
            field(t('description'), h('input', { name: 'description' })),
            field(t('svc_users_total'), control('users_total', 'count', null)),
            field(t('svc_critical'), control('critical', 'bool', null)),
            field(t('svc_member_states'), control('member_states', 'list', []), t('comma_list')),
        ),
        h('button', { type: 'submit' }, t('save')),
    );
    form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const e = form.elements;
        const users = reading(form, () => readControl(e.users_total, 'count') ?? null);
        if (users === undefined) return;
        const body = {
            description: e.description.value,
            users_total: users,
            critical: readControl(e.critical, 'bool') ?? null,
            member_states: readControl(e.member_states, 'list') ?? [],
        };
        const ok = await submitting(form, () => put(`/services/${seg(e.name.value.trim())}`, body));
        if (ok) savedAfter(redraw, '#service-form');
    });
    return h('div', {}, table, form);
}

/** The name and function a person signs notifications with. */
function signerForm(u, redraw) {
    const name = h('input', { name: 'full_name', value: u.full_name ?? '', autocomplete: 'off' });
    const title = h('input', { name: 'job_title', value: u.job_title ?? '', autocomplete: 'off' });
    const form = h(
        'form',
        { class: 'signer-form' },
        field(t('full_name'), name),
        field(t('job_title'), title),
        h('button', { type: 'submit', class: 'small' }, t('save')),
    );
    form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const body = { full_name: name.value.trim() || null, job_title: title.value.trim() || null };
        const ok = await submitting(form, () => patch(`/users/${seg(u.name)}`, body));
        if (ok) savedAfter(redraw, '#user-list');
    });
    return h(
        'details',
        { class: 'signer' },
        h('summary', {}, t('signer_edit', { u: u.name })),
        h('p', { class: 'hint' }, t('signer_hint')),
        form,
    );
}

/** A user's sessions, loaded when opened (pages/sessions.js). */
function sessionsOf(name) {
    const box = h('div', { class: 'user-sessions-box' });
    const d = h('details', { class: 'user-sessions' }, h('summary', {}, t('sess_user')), box);
    d.addEventListener('toggle', () => d.open && userSessions(name, box));
    return d;
}

/** The allowed addresses typed (one a line, or separated by commas). */
const sourcesOf = (text) =>
    text
        .split(/[\s,]+/)
        .map((x) => x.trim())
        .filter(Boolean);

/** An API field error about one entry ("allowed_sources[2]") is shown at its control. */
function atControl(e) {
    for (const fe of e?.errors ?? []) fe.field = fe.field.replace(/\[\d+\]$/, '');
    throw e;
}

function onceBox(label, secret) {
    return h('div', { class: 'once', role: 'status' }, h('p', {}, label), h('code', { class: 'secret' }, secret));
}

async function users(redraw) {
    const list = (await get('/users')).items;
    const rows = list.map((u) => {
        const role = select(
            'role',
            ROLES.map((r) => [r, t('role_' + r)]),
            u.role,
            { 'aria-label': t('role_of', { u: u.name }) },
        );
        // an arrow key on the select only changes what is shown: the role is
        // changed after the admin confirms it, in a dialog that names both roles
        role.addEventListener('change', async () => {
            const to = role.value;
            role.value = u.role;
            const me = user()?.name === u.name;
            const ok = await confirmDialog({
                cls: 'confirm-role',
                title: roleWord('title'),
                yes: roleWord('yes'),
                body: [
                    h('p', {}, roleWord('text', { u: u.name, a: t('role_' + u.role), b: t('role_' + to) })),
                    me ? h('p', { class: 'hint' }, roleWord('self')) : null,
                ],
            });
            if (!ok) return role.focus();
            try {
                await patch(`/users/${seg(u.name)}`, { role: to });
                await redraw();
                saySaved(document.querySelector(`[aria-label="${CSS.escape(t('role_of', { u: u.name }))}"]`));
            } catch (e) {
                role.after(errorBox(e));
            }
        });
        const toggle = h(
            'button',
            {
                type: 'button',
                class: 'small',
                onclick: async (ev) => {
                    try {
                        await patch(`/users/${seg(u.name)}`, { disabled: !u.disabled });
                        redraw();
                    } catch (e) {
                        ev.target.after(errorBox(e));
                    }
                },
            },
            u.disabled ? t('enable') : t('disable'),
        );
        return h(
            'tr',
            { class: u.disabled ? 'muted' : '' },
            h(
                'td',
                {},
                u.name,
                u.full_name
                    ? h('div', { class: 'muted' }, [u.full_name, u.job_title].filter(Boolean).join(', '))
                    : null,
                signerForm(u, redraw),
                sessionsOf(u.name),
            ),
            h('td', {}, role),
            h('td', {}, u.tlp_max ? `TLP:${u.tlp_max.toUpperCase()}` : '—'),
            h('td', {}, u.disabled ? t('disabled') : u.must_change_password ? t('must_change') : t('active')),
            h('td', {}, timeEl(u.last_sign_in_at)),
            h('td', {}, toggle),
        );
    });
    const table = h(
        'table',
        { id: 'user-list' },
        h(
            'thead',
            {},
            h(
                'tr',
                {},
                [t('user_name'), t('role'), t('tlp_max'), t('status'), t('last_sign_in'), ''].map((x) =>
                    h('th', { scope: 'col' }, x),
                ),
            ),
        ),
        h('tbody', {}, rows),
    );
    const out = h('div', {});
    const form = h(
        'form',
        { class: 'card', id: 'user-form' },
        h('h3', {}, t('user_add')),
        h(
            'div',
            { class: 'grid' },
            field(t('user_name'), h('input', { name: 'name', required: true, autocomplete: 'off' })),
            field(
                t('role'),
                select(
                    'role',
                    ROLES.map((r) => [r, t('role_' + r)]),
                    'analyst',
                ),
            ),
            field(t('tlp_max'), select('tlp_max', tlpOptions(), '')),
        ),
        h('p', { class: 'hint' }, t('user_add_hint')),
        h('button', { type: 'submit' }, t('create')),
    );
    form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const e = form.elements;
        const body = { name: e.name.value.trim(), role: e.role.value };
        if (e.tlp_max.value) body.tlp_max = e.tlp_max.value;
        const u = await submitting(form, () => post('/users', body));
        if (u) {
            await redraw();
            const sec = document.getElementById('set-users');
            sec?.appendChild(onceBox(t('one_time_password', { u: u.name }), u.password ?? ''));
        }
    });
    out.append(table, form);
    return out;
}

async function tokens(redraw) {
    const list = (await get('/tokens')).items;
    const table = list.length
        ? h(
              'table',
              { id: 'token-list' },
              h(
                  'thead',
                  {},
                  h(
                      'tr',
                      {},
                      [
                          t('org_name'),
                          t('role'),
                          t('tlp_max'),
                          t('created'),
                          t('token_expires'),
                          t('token_sources'),
                          '',
                      ].map((x) => h('th', { scope: 'col' }, x)),
                  ),
              ),
              h(
                  'tbody',
                  {},
                  list.map((k) =>
                      h(
                          'tr',
                          {},
                          h('td', {}, k.name),
                          h('td', {}, t('role_' + k.role)),
                          h('td', {}, k.tlp_max ? `TLP:${k.tlp_max.toUpperCase()}` : '—'),
                          h('td', {}, timeEl(k.created_at), ' ', k.created_by),
                          h(
                              'td',
                              { class: k.expired ? 'expired' : '' },
                              k.expires_at ? timeEl(k.expires_at) : t('token_never'),
                              k.expired ? h('strong', {}, ` (${t('token_expired')})`) : null,
                          ),
                          h(
                              'td',
                              { class: 'sources' },
                              k.allowed_sources?.length ? k.allowed_sources.join(', ') : t('token_anywhere'),
                          ),
                          h(
                              'td',
                              {},
                              h(
                                  'button',
                                  {
                                      type: 'button',
                                      class: 'danger small',
                                      onclick: async (ev) => {
                                          if (!confirm(t('confirm_revoke', { x: k.name }))) return;
                                          try {
                                              await del(`/tokens/${seg(k.name)}`);
                                              redraw();
                                          } catch (e) {
                                              ev.target.after(errorBox(e));
                                          }
                                      },
                                  },
                                  t('revoke'),
                              ),
                          ),
                      ),
                  ),
              ),
          )
        : h('p', { class: 'muted' }, t('no_tokens'));
    const form = h(
        'form',
        { class: 'card', id: 'token-form' },
        h('h3', {}, t('token_add')),
        h(
            'div',
            { class: 'grid' },
            field(t('org_name'), h('input', { name: 'name', required: true, autocomplete: 'off' })),
            field(
                t('role'),
                select(
                    'role',
                    TOKEN_ROLES.map((r) => [r, t('role_' + r)]),
                    'ingest',
                ),
            ),
            field(t('tlp_max'), select('tlp_max', tlpOptions(), '')),
            field(
                t('token_expires'),
                h('input', { name: 'expires_at', type: 'datetime-local' }),
                t('token_expires_hint'),
            ),
            field(
                t('token_sources'),
                h('textarea', { name: 'allowed_sources', rows: 2, autocomplete: 'off', spellcheck: 'false' }),
                t('token_sources_hint'),
            ),
        ),
        h('button', { type: 'submit' }, t('create')),
    );
    form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const e = form.elements;
        const body = { name: e.name.value.trim(), role: e.role.value };
        if (e.tlp_max.value) body.tlp_max = e.tlp_max.value;
        if (e.expires_at.value) body.expires_at = fromLocalInput(e.expires_at.value);
        const sources = sourcesOf(e.allowed_sources.value);
        if (sources.length) body.allowed_sources = sources;
        const k = await submitting(form, () => post('/tokens', body).catch(atControl));
        if (k) {
            await redraw();
            document.getElementById('set-tokens')?.appendChild(onceBox(t('token_once', { n: k.name }), k.token ?? ''));
        }
    });
    return h('div', {}, table, form);
}
