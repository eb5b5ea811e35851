// SPDX-License-Identifier: EUPL-1.2
// iocs.js - the incident page's indicators of compromise (loaded with it on
// demand, issue 22): the list with each indicator's type, value and TLP,
// a form to add one (the type recognised from the value, or chosen), a
// button to remove one, and the threat-intelligence exports: the incident
// as a MISP event or a STIX 2.1 bundle, and (managers) the push to MISP.
// The server checks and normalises; an error lands at its field.
import { del, get, post, seg } from '../lib/api.js';
import { field, h, select } from '../lib/dom.js';
import { errorBox, submitting } from '../lib/forms.js';
import { extend, t } from '../lib/i18n.js';
import * as words from '../lib/i18n_iocs.js';
import { TLPS } from '../lib/schema.js';
import { atLeast } from '../lib/session.js';

extend(words); // this part's words load with it, outside the first load

const TYPES = ['ipv4', 'ipv6', 'domain', 'url', 'md5', 'sha1', 'sha256', 'sha512', 'email', 'filename'];
const tlpName = (v) => `TLP:${v.toUpperCase()}`;

function row(inc, item, reload) {
    const remove = atLeast('analyst')
        ? h(
              'button',
              {
                  type: 'button',
                  class: 'link',
                  'data-ioc': item.id,
                  onclick: async (ev) => {
                      const b = ev.currentTarget;
                      b.disabled = true;
                      try {
                          await del(`/incidents/${seg(inc.id)}/iocs/${seg(item.id)}`);
                          reload();
                      } catch (e) {
                          b.disabled = false;
                          b.after(errorBox(e));
                      }
                  },
              },
              t('ioc_remove'),
          )
        : null;
    return h(
        'tr',
        { 'data-type': item.type },
        h('td', {}, t('ioc_t_' + item.type)),
        h('td', {}, h('code', { class: 'ioc-value' }, item.value)),
        h('td', {}, h('span', { class: `badge tlp-${item.tlp.replace('+', '-')}` }, tlpName(item.tlp))),
        h('td', {}, item.comment),
        h('td', {}, remove),
    );
}

function addForm(inc, reload) {
    if (!atLeast('analyst')) return null;
    const n = 'iocs[0].';
    const form = h(
        'form',
        { class: 'inline', id: 'ioc-form' },
        field(
            t('ioc_type'),
            select(`${n}type`, [['', t('ioc_type_auto')], ...TYPES.map((v) => [v, t('ioc_t_' + v)])], ''),
        ),
        field(t('ioc_value'), h('input', { name: `${n}value`, required: true, maxlength: 2048, autocomplete: 'off' })),
        field(t('ioc_tlp'), select(`${n}tlp`, [['', t('ioc_tlp_incident')], ...TLPS.map((v) => [v, tlpName(v)])], '')),
        field(t('ioc_comment'), h('input', { name: `${n}comment`, maxlength: 500 })),
        h('button', { type: 'submit' }, t('ioc_add')),
    );
    form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const one = {};
        for (const k of ['type', 'value', 'tlp', 'comment']) {
            const v = form.querySelector(`[name="${n}${k}"]`).value;
            if (v !== '') one[k] = v;
        }
        const res = await submitting(form, () => post(`/incidents/${seg(inc.id)}/iocs`, { iocs: [one] }));
        if (!res) return;
        if (res.added?.length) reload();
        else form.appendChild(h('p', { class: 'saved-note', role: 'status' }, t('ioc_existing')));
    });
    return form;
}

function exports(inc) {
    const base = `/api/v1/incidents/${seg(inc.id)}/export?format=`;
    const box = h(
        'div',
        { class: 'ioc-exports' },
        h(
            'ul',
            { class: 'downloads' },
            ['misp', 'stix'].map((f) =>
                h('li', {}, h('a', { href: base + f, download: '', 'data-kind': `export-${f}` }, t(`ioc_export_${f}`))),
            ),
        ),
    );
    if (atLeast('manager')) {
        const push = h('button', { type: 'button', id: 'misp-push' }, t('ioc_push_misp'));
        push.addEventListener('click', async () => {
            push.disabled = true;
            for (const old of box.querySelectorAll('.form-error, .saved-note')) old.remove();
            try {
                const r = await post(`/incidents/${seg(inc.id)}/misp`);
                box.appendChild(
                    h('p', { class: 'saved-note', role: 'status' }, t('ioc_pushed', { id: r.answer?.id ?? '?' })),
                );
            } catch (e) {
                box.appendChild(errorBox(e));
            } finally {
                push.disabled = false;
            }
        });
        box.appendChild(push);
    }
    return box;
}

export async function iocsSection({ inc, reload }) {
    const sec = h(
        'section',
        { id: 'sec-iocs', 'aria-labelledby': 'h-iocs' },
        h('h2', { id: 'h-iocs' }, t('ioc_title')),
        h('p', { class: 'muted' }, t('ioc_text')),
    );
    try {
        const list = await get(`/incidents/${seg(inc.id)}/iocs`);
        sec.appendChild(
            list.items.length
                ? h(
                      'table',
                      { id: 'ioc-list' },
                      h(
                          'thead',
                          {},
                          h(
                              'tr',
                              {},
                              ['ioc_type', 'ioc_value', 'ioc_tlp', 'ioc_comment'].map((k) => h('th', {}, t(k))),
                              h('th', {}),
                          ),
                      ),
                      h(
                          'tbody',
                          {},
                          list.items.map((i) => row(inc, i, reload)),
                      ),
                  )
                : h('p', { class: 'muted', id: 'ioc-none' }, t('ioc_none')),
        );
    } catch (e) {
        sec.appendChild(errorBox(e));
    }
    const form = addForm(inc, reload);
    if (form) sec.appendChild(form);
    sec.appendChild(exports(inc));
    return sec;
}
