// SPDX-License-Identifier: EUPL-1.2
// incprep.js - the incident page's preparedness panel (loaded with it on
// demand): affected assets, related scenarios and measures, the severity
// suggestion, the links, and a form to link an asset or a supplier.
import { get, post, seg } from '../lib/api.js';
import { field, h, select } from '../lib/dom.js';
import { errorBox, submitting } from '../lib/forms.js';
import { t } from '../lib/i18n.js';
import { atLeast } from '../lib/session.js';

const list = (items, fn, id) =>
    items.length
        ? h(
              'ul',
              { id },
              items.map((x) => h('li', {}, fn(x))),
          )
        : h('p', { class: 'muted' }, t('none'));

async function linkForm(inc, reload) {
    if (!atLeast('analyst')) return null;
    const [assets, suppliers] = await Promise.all([get('/register/assets'), get('/register/suppliers')]);
    const options = [
        ['', '—'],
        ...assets.items.map((a) => [a.id, `${t('kind_assets')}: ${a.name}`]),
        ...suppliers.items.map((s) => [s.id, `${t('kind_suppliers')}: ${s.name}`]),
    ];
    const form = h(
        'form',
        { class: 'inline', id: 'link-form' },
        field(t('link_item'), select('item', options, '')),
        h('button', { type: 'submit' }, t('link_affects')),
    );
    form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const ok = await submitting(form, () =>
            post(`/incidents/${seg(inc.id)}/links`, {
                item: form.querySelector('[name="item"]').value,
                relation: 'affects',
            }),
        );
        if (ok) reload();
    });
    return form;
}

export async function preparednessPanel({ inc, reload }) {
    const sec = h(
        'section',
        { id: 'sec-preparedness', 'aria-labelledby': 'h-prep' },
        h('h2', { id: 'h-prep' }, t('nav_preparedness')),
    );
    try {
        const p = await get(`/incidents/${seg(inc.id)}/preparedness`);
        const s = p.severity;
        if (s && s.suggested !== s.current)
            sec.appendChild(
                h(
                    'p',
                    { class: 'missing-note', id: 'severity-suggestion' },
                    t('severity_suggested', { s: t('sev_' + s.suggested), c: t('sev_' + s.current) }),
                    s.crown_jewel ? [' ', t('crown_jewel_hit', { x: s.crown_jewel })] : null,
                ),
            );
        sec.append(
            h('h3', {}, t('affected_assets')),
            list(
                p.affected_assets,
                (a) => [
                    a.name,
                    ' · ',
                    t('rf_importance'),
                    ' ',
                    a.importance,
                    a.crown_jewel ? [' ', h('span', { class: 'badge sev-critical' }, t('crown_jewel'))] : null,
                ],
                'affected-assets',
            ),
            h('h3', {}, t('related_scenarios')),
            list(
                p.scenarios,
                (x) => [
                    x.name,
                    ' · ',
                    t('residual'),
                    ' ',
                    x.residual_score,
                    x.realised ? [' · ', t('realised')] : null,
                ],
                'related-scenarios',
            ),
            h('h3', {}, t('related_measures')),
            list(p.measures, (m) => [m.name, ' · ', t('rv_' + m.type), ' · ', t('rv_' + m.status)], 'related-measures'),
            h('h3', {}, t('links')),
            list(p.links, (l) => [t('rel_' + l.relation), ': ', t('kind1_' + l.kind), ' ', l.name], 'incident-links'),
            await linkForm(inc, reload),
        );
    } catch (e) {
        sec.appendChild(errorBox(e));
    }
    return sec;
}
