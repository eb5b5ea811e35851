// SPDX-License-Identifier: EUPL-1.2
// reporting.test.mjs - issue 16 items 8-11 end to end with the shipped rule
// files: the eIDAS notification of trust service providers (item 10),
// informing the recipients of the service (item 8), near misses and
// significant cyber threats with their voluntary notification (item 11) and
// recurring incidents judged across incidents (item 9).  Each test states the
// legal rule it proves, sets up the profile and incidents over HTTP and reads
// the classification, obligations and drafts as a user would.  The
// table-driven cases of the same rules are in tests/rules/cases.json.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, cli, startDaemon } from './lib/daemon.mjs';
import { addUser, approveAs } from './lib/session.mjs';
import { BASE, createIncident, createToken, iso } from './lib/incidents.mjs';

const HOUR = 3600e3;
const ORG = '/api/v1/organisation';

async function getJson(d, token, p) {
    const res = await api(d.url, token, 'GET', p);
    assert.equal(res.status, 200, `GET ${p}: ${res.text}`);
    return res.json;
}

/** Changes members of the profile as admin; asserts 200. */
async function putProfile(d, changes) {
    const cur = await getJson(d, d.adminToken, ORG);
    delete cur.version;
    delete cur.updated_at;
    const res = await api(d.url, d.adminToken, 'PUT', ORG, { ...cur, ...changes });
    assert.equal(res.status, 200, res.text);
    return res.json;
}

const classification = (d, t, id) => getJson(d, t, `${BASE}/${id}/classification`);
const obligations = async (d, t, id) => (await getJson(d, t, `${BASE}/${id}/obligations`)).items;
const regime = (cls, name) => {
    const r = cls.regimes.find((x) => x.regime === name);
    assert.ok(r, `regime ${name} in ${JSON.stringify(cls.regimes.map((x) => x.regime))}`);
    return r;
};

const RECIPIENTS = {
    csirt: { name: 'NCSC', contact: 'cert@ncsc.nl' },
    supervisor: { name: 'RDI', contact: 'toezicht@rdi.nl' },
    trust_supervisor: { name: 'RDI (eIDAS)', contact: 'tsp@rdi.nl' },
};

/** Significant under CIR 2024/2690 art. 14(a): unavailable for 21 minutes. */
const TRUST_SIGNIFICANT = {
    financial_loss_eur: 0,
    trade_secrets_exfiltrated: false,
    deaths: 0,
    persons_health_damaged: 0,
    unauthorised_access: false,
    severe_disruption_possible: false,
    unavailable_minutes: 21,
};

describe('issue 16 items 8-11: more reporting duties (shipped rules)', () => {
    let d, analyst, manager, signer;
    before(async () => {
        d = await startDaemon();
        analyst = createToken(d, 'rep-analyst', 'analyst');
        manager = createToken(d, 'rep-manager', 'manager');
        signer = addUser(d, 'rep-signer', 'manager'); // only a person signs
    });
    after(async () => {
        await d.stopClean();
    });

    test('10. eIDAS art. 24(2): a trust-service breach goes to the RDI within 24 hours, beside the NIS2 reports; an incident that leaves the trust services alone owes the RDI nothing and gets the 72-hour NIS2 notification', async () => {
        await putProfile(d, {
            name: 'Vertrouwensdienst BV',
            sector: 'digital_infrastructure',
            nis2_class: 'essential',
            entity_types: ['qualified_trust_service'],
            dora_financial: false,
            recipients: RECIPIENTS,
        });
        const aware = Date.now() - HOUR;
        const breach = await createIncident(d, analyst, {
            title: 'Signing key HSM unreachable',
            aware_at: iso(aware),
            impact: { ...TRUST_SIGNIFICANT, trust_service_affected: true, trust_service_impact_significant: true },
        });
        const cls = await classification(d, analyst, breach.id);
        const eidas = regime(cls, 'eidas');
        assert.equal(eidas.applies, 'yes');
        assert.equal(eidas.significant, 'yes', JSON.stringify(eidas));
        const owed = await obligations(d, analyst, breach.id);
        const rdi = owed.find((o) => o.regime === 'eidas');
        assert.ok(rdi, JSON.stringify(owed.map((o) => `${o.regime} ${o.stage}`)));
        assert.equal(rdi.stage, 'notification');
        assert.equal(rdi.recipient, 'trust_supervisor');
        assert.equal(rdi.asap, true);
        assert.equal(rdi.due_at, iso(aware + 24 * HOUR), '24 hours after awareness');
        assert.deepEqual(rdi.recipients, [
            {
                role: 'trust_supervisor',
                label: {
                    en: 'the supervisory body for trust services (eIDAS; in the Netherlands the RDI)',
                    nl: 'het toezichthoudend orgaan voor vertrouwensdiensten (eIDAS; in Nederland de RDI)',
                },
                name: 'RDI (eIDAS)',
                contact: 'tsp@rdi.nl',
                configured: true,
            },
        ]);
        assert.deepEqual(rdi.problems, []);
        // alongside the NIS2 reports: the 24-hour notification for trust services
        const nis2 = owed.filter((o) => o.regime === 'nis2-cir').map((o) => o.stage);
        assert.ok(nis2.includes('early_warning') && nis2.includes('notification_trust'), JSON.stringify(nis2));
        assert.ok(!nis2.includes('notification'), JSON.stringify(nis2));

        // the same provider's incident that leaves its trust services alone
        const other = await createIncident(d, analyst, {
            title: 'Office file server down',
            aware_at: iso(aware),
            impact: { ...TRUST_SIGNIFICANT, trust_service_affected: false, trust_service_impact_significant: true },
        });
        assert.equal(regime(await classification(d, analyst, other.id), 'eidas').significant, 'no');
        const owed2 = await obligations(d, analyst, other.id);
        assert.equal(owed2.filter((o) => o.regime === 'eidas').length, 0, 'nothing to the RDI');
        const n2 = owed2.find((o) => o.regime === 'nis2-cir' && o.stage === 'notification');
        assert.ok(n2, JSON.stringify(owed2.map((o) => `${o.regime} ${o.stage}`)));
        assert.equal(n2.due_at, iso(aware + 72 * HOUR), 'the 72-hour NIS2 notification');
        assert.ok(!owed2.some((o) => o.stage === 'notification_trust'));

        // an unconfigured RDI is a problem on the incident, never dropped
        await putProfile(d, { recipients: { csirt: RECIPIENTS.csirt, supervisor: RECIPIENTS.supervisor } });
        const probs = (await classification(d, analyst, breach.id)).problems;
        assert.ok(
            probs.some((p) => p.regime === 'eidas' && p.recipient === 'trust_supervisor' && p.field === 'recipients.trust_supervisor'),
            JSON.stringify(probs),
        );
        await putProfile(d, { recipients: RECIPIENTS, entity_types: [] });
    });

    test('8. NIS2 art. 23(1), Cbw art. 30: a significant incident likely to hurt the service is told to its recipients without undue delay: an obligation with no numeric deadline, shown as due now and never missed, with a plain-language draft in Dutch and English', async () => {
        await putProfile(d, {
            name: 'Warmtenet Noord',
            sector: 'energy',
            nis2_class: 'important',
            entity_types: [],
            annual_turnover_eur: 1e8,
            recipients: RECIPIENTS,
        });
        const inc = await createIncident(d, analyst, {
            title: 'Billing portal encrypted by ransomware',
            aware_at: iso(Date.now() - HOUR),
            services: ['klantportaal'],
            impact: {
                financial_loss_eur: 600000,
                trade_secrets_exfiltrated: false,
                deaths: 0,
                persons_health_damaged: 0,
                unauthorised_access: false,
                severe_disruption_possible: false,
            },
        });
        // not recorded yet whether the recipients are affected: not owed yet
        let nis2 = regime(await classification(d, analyst, inc.id), 'nis2');
        assert.equal(nis2.significant, 'yes');
        const stage = nis2.stages.find((s) => s.id === 'inform_recipients');
        assert.equal(stage.conditional, true, JSON.stringify(stage));
        assert.ok(!(await obligations(d, analyst, inc.id)).some((o) => o.stage === 'inform_recipients'));

        const res = await api(d.url, analyst, 'PATCH', `${BASE}/${inc.id}`, { impact: { recipients_affected: true } });
        assert.equal(res.status, 200, res.text);
        nis2 = regime(await classification(d, analyst, inc.id), 'nis2');
        const st = nis2.stages.find((s) => s.id === 'inform_recipients');
        assert.equal(st.without_deadline, true);
        assert.equal(st.due_now, true);
        assert.equal(st.due_at, null);
        let o = (await obligations(d, analyst, inc.id)).find((x) => x.stage === 'inform_recipients');
        assert.ok(o, 'owed');
        assert.equal(o.status, 'pending');
        assert.equal(o.recipient, 'clients');
        assert.equal(o.asap, true);
        assert.equal(o.due_at, null, 'no numeric deadline');
        assert.equal(o.due_now, true, 'shown as due now');
        assert.equal(o.seconds_left, null);
        // in the terminal too
        const ex = cli(['rules', 'explain', inc.ref, '--lang', 'nl'], { dataDir: d.dataDir });
        assert.equal(ex.code, 0, ex.stderr);
        assert.match(ex.stdout, /melding Informeren van de afnemers van de dienst: openstaand, nu: onverwijld/);
        // on the dashboard too
        const dl = await getJson(d, analyst, '/api/v1/deadlines');
        assert.ok(dl.items.some((x) => x.id === o.id && x.due_now === true), JSON.stringify(dl.items.map((x) => x.stage)));

        // a plain-language message to the recipients, in either language
        for (const [language, words] of [
            ['en', /^Dear customer,\n\nWarmtenet Noord is dealing with an incident that affects the service you receive from us \(klantportaal\)/],
            ['nl', /^Beste klant,\n\nWarmtenet Noord heeft te maken met een incident dat de dienst raakt die u van ons afneemt \(klantportaal\)/],
        ]) {
            const r = await api(d.url, analyst, 'POST', `${BASE}/${inc.id}/notifications`, {
                regime: 'nis2',
                stage: 'inform_recipients',
                language,
            });
            assert.equal(r.status, 201, r.text);
            assert.equal(r.json.recipient, 'clients');
            assert.match(r.json.fields.message, words);
            assert.ok('measures' in r.json.fields);
        }

        // a week later it is still owed, not missed: there is no deadline to miss
        await d.setClock({ advance: 'P7D' });
        o = (await obligations(d, analyst, inc.id)).find((x) => x.stage === 'inform_recipients');
        assert.equal(o.status, 'pending');
        assert.equal(o.due_now, true);
        const ew = (await obligations(d, analyst, inc.id)).find((x) => x.regime === 'nis2' && x.stage === 'early_warning');
        assert.equal(ew.status, 'missed', 'while the 24-hour early warning was missed');
        await d.setClock({ system: true });
    });

    test('11. NIS2 arts. 6, 30, 23(2): a near miss or a significant cyber threat is recorded as such, judged as such (no mandatory report, no deadline), can be notified voluntarily with a signed draft that says so, and a threat is told to the recipients who can act', async () => {
        await putProfile(d, {
            name: 'Drinkwater Zuid',
            sector: 'drinking_water',
            nis2_class: 'essential',
            entity_types: [],
            annual_turnover_eur: 1e8,
            recipients: RECIPIENTS,
        });
        // a wrong kind is refused, naming the field, and nothing is created
        const before = (await getJson(d, analyst, `${BASE}?limit=200`)).items.length;
        const bad = await api(d.url, analyst, 'POST', BASE, { title: 'x', kind: 'almost' });
        assert.equal(bad.status, 422, bad.text);
        assert.deepEqual(bad.json.errors.map((e) => e.field), ['kind']);
        assert.equal((await getJson(d, analyst, `${BASE}?limit=200`)).items.length, before);

        const vocab = (await getJson(d, analyst, '/api/v1/schema')).incident;
        assert.deepEqual(vocab.kinds, ['incident', 'near_miss', 'cyber_threat']);

        // a phishing mail that was caught before anyone clicked: a near miss
        const nm = await createIncident(d, analyst, {
            title: 'Spear-phishing of the SCADA engineers caught by the mail filter',
            kind: 'near_miss',
            aware_at: iso(Date.now() - HOUR),
            description: 'Mail with a malicious macro to five engineers, quarantined.',
            impact: { financial_loss_eur: 0, suspected_malicious: true },
        });
        assert.equal(nm.kind, 'near_miss');
        const cls = await classification(d, analyst, nm.id);
        const nis2 = regime(cls, 'nis2');
        assert.equal(nis2.significant, 'no', JSON.stringify(nis2));
        const guard = nis2.criteria.find((c) => c.id === 'nis2-6-6-incident');
        assert.equal(guard.result, 'no');
        assert.match(guard.text.en, /near miss/);
        const threat = regime(cls, 'nis2-threat');
        assert.equal(threat.significant, 'yes');
        assert.equal(threat.effective, 'yes');
        const vol = threat.stages.find((s) => s.id === 'voluntary_notification');
        assert.equal(vol.voluntary, true);
        assert.equal(vol.due_at, undefined, 'no due time is worked out');
        assert.deepEqual(await obligations(d, analyst, nm.id), [], 'nothing is owed');

        // the voluntary notification: a draft, approved and signed, that says voluntary
        let r = await api(d.url, analyst, 'POST', `${BASE}/${nm.id}/notifications`, {
            regime: 'nis2-threat',
            stage: 'voluntary_notification',
            language: 'en',
        });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.obligation, null, 'no obligation behind it');
        assert.equal(r.json.fields.kind, 'near_miss');
        assert.equal(r.json.fields.description, 'Mail with a malicious macro to five engineers, quarantined.');
        r = await approveAs(d, signer, `/api/v1/notifications/${r.json.id}`);
        assert.equal(r.status, 200, r.text);
        const doc = await api(d.url, manager, 'GET', `/api/v1/notifications/${r.json.id}/document.json`);
        assert.equal(doc.status, 200);
        const parsed = JSON.parse(doc.text);
        assert.equal(parsed.stage.id, 'voluntary_notification');
        assert.equal(parsed.stage.voluntary, true);
        assert.equal(parsed.recipient.role, 'csirt');
        // the timeline says so
        const tl = (await getJson(d, analyst, `${BASE}/${nm.id}/timeline`)).items;
        assert.ok(tl.some((e) => /draft of nis2-threat voluntary_notification created \(a voluntary notification\)/.test(e.note ?? '')));

        // a significant cyber threat to the customers' accounts: art. 23(2)
        const ct = await createIncident(d, analyst, {
            title: 'Credential-stuffing wave against water utility portals',
            kind: 'cyber_threat',
            services: ['klantportaal'],
            impact: { recipients_affected: true },
        });
        const owed = await obligations(d, analyst, ct.id);
        assert.deepEqual(owed.map((o) => `${o.regime} ${o.stage}`), ['nis2-threat inform_recipients_threat']);
        assert.equal(owed[0].due_now, true);
        assert.equal(owed[0].due_at, null);
        r = await api(d.url, analyst, 'POST', `${BASE}/${ct.id}/notifications`, {
            regime: 'nis2-threat',
            stage: 'inform_recipients_threat',
            language: 'nl',
        });
        assert.equal(r.status, 201, r.text);
        assert.match(r.json.fields.message, /^Beste klant,\n\nDrinkwater Zuid is op de hoogte van een ernstige cyberdreiging/);

        // it turns out to be an incident after all: now the mandatory reports run
        r = await api(d.url, analyst, 'PATCH', `${BASE}/${nm.id}`, {
            kind: 'incident',
            aware_at: iso(Date.now() - HOUR),
            impact: { persons_health_damaged: 1 },
        });
        assert.equal(r.status, 200, r.text);
        assert.equal(regime(await classification(d, analyst, nm.id), 'nis2').significant, 'yes');
        const stages = (await obligations(d, analyst, nm.id)).filter((o) => o.regime === 'nis2').map((o) => o.stage);
        assert.ok(stages.includes('early_warning'), JSON.stringify(stages));
        const tl2 = (await getJson(d, analyst, `${BASE}/${nm.id}/timeline`)).items;
        assert.ok(tl2.some((e) => e.kind === 'changed' && e.field === 'kind' && e.old === 'near_miss' && e.new === 'incident'));
    });

    test('9. CIR 2024/2690 art. 4: incidents not significant one by one, twice within six months with the same apparent root cause and together over art. 3(1)(a), are one significant incident: the link and combined figures on each member, the reports from the moment the combination became significant', async () => {
        await putProfile(d, {
            name: 'Netbeheer West',
            sector: 'energy',
            nis2_class: 'important',
            entity_types: [],
            annual_turnover_eur: 1e8,
            recipients: RECIPIENTS,
        });
        const schema = (await getJson(d, analyst, '/api/v1/schema')).incident;
        const human = schema.root_cause_categories.find((c) => c.name === 'human_error');
        assert.deepEqual(human.label, { en: 'Human error', nl: 'Menselijke fout' });

        // a root cause outside the list is refused, naming the field
        const bad = await api(d.url, analyst, 'POST', BASE, { title: 'x', root_cause_category: 'bad_luck' });
        assert.equal(bad.status, 422, bad.text);
        assert.deepEqual(bad.json.errors.map((e) => e.field), ['root_cause_category']);

        const t0 = Date.parse(await d.setClock({ now: iso(Date.now()) }));
        const OTHER = {
            trade_secrets_exfiltrated: false,
            deaths: 0,
            persons_health_damaged: 0,
            unauthorised_access: false,
            severe_disruption_possible: false,
        };
        // three months ago: EUR 300,000 lost, not significant on its own
        const a = await createIncident(d, analyst, {
            title: 'Substation control unreachable after an unreviewed firewall change',
            started_at: iso(t0 - 90 * 24 * HOUR),
            aware_at: iso(t0 - 90 * 24 * HOUR),
            root_cause_category: 'human_error',
            root_cause: 'Firewall rule change without review',
            impact: { financial_loss_eur: 300000, ...OTHER },
        });
        assert.equal(a.root_cause_category, 'human_error');
        let nis2a = regime(await classification(d, analyst, a.id), 'nis2');
        assert.equal(nis2a.significant, 'no');
        assert.equal(nis2a.recurrence, undefined, 'alone: no combination');

        // now the same apparent root cause again (case and spacing aside), its loss not known yet
        const b = await createIncident(d, analyst, {
            title: 'Billing link down after a firewall change',
            started_at: iso(t0 - HOUR),
            aware_at: iso(t0 - HOUR),
            root_cause_category: 'human_error',
            root_cause: '  firewall rule change   WITHOUT review ',
            impact: { ...OTHER },
        });
        let nis2b = regime(await classification(d, analyst, b.id), 'nis2');
        assert.equal(nis2b.significant, 'undetermined', JSON.stringify(nis2b.recurrence));
        assert.equal(nis2b.recurrence.result, 'undetermined');
        assert.deepEqual(nis2b.recurrence.combined.at_least, { financial_loss_eur: 300000 });
        assert.ok(!(await obligations(d, analyst, b.id)).some((o) => o.regime === 'nis2'));

        // two hours later its loss is known: together EUR 600,000 > 500,000
        const t1 = Date.parse(await d.setClock({ advance: 'PT2H' }));
        const r = await api(d.url, analyst, 'PATCH', `${BASE}/${b.id}`, { impact: { financial_loss_eur: 300000 } });
        assert.equal(r.status, 200, r.text);
        nis2b = regime(await classification(d, analyst, b.id), 'nis2');
        assert.equal(nis2b.significant, 'yes', JSON.stringify(nis2b));
        assert.equal(nis2b.criteria.find((c) => c.id === 'cir-4').result, 'yes');
        const rec = nis2b.recurrence;
        assert.equal(rec.result, 'yes');
        assert.equal(rec.leads, true);
        assert.equal(rec.within, 'P6M');
        assert.deepEqual(rec.members.map((m) => m.ref), [a.ref, b.ref]);
        assert.equal(rec.combined.financial_loss_eur, 600000);
        assert.equal(nis2b.classified_at, iso(t1), 'significant from the change that completed it');
        // the reports run from that moment, not from B's awareness three hours before
        const owed = (await obligations(d, analyst, b.id)).filter((o) => o.regime === 'nis2');
        const ew = owed.find((o) => o.stage === 'early_warning');
        assert.equal(ew.due_at, iso(t1 + 24 * HOUR));
        assert.equal(owed.find((o) => o.stage === 'notification').due_at, iso(t1 + 72 * HOUR));
        const tl = (await getJson(d, analyst, `${BASE}/${b.id}/timeline`)).items;
        assert.ok(
            tl.some((e) => e.kind === 'classification' && e.field === 'nis2' && e.new === 'yes' && e.note.includes(a.ref)),
            JSON.stringify(tl.filter((e) => e.kind === 'classification')),
        );

        // the earlier member shows the same link and figures; it owes nothing itself
        nis2a = regime(await classification(d, analyst, a.id), 'nis2');
        assert.equal(nis2a.significant, 'no');
        assert.equal(nis2a.recurrence.result, 'yes');
        assert.equal(nis2a.recurrence.leads, false);
        assert.equal(nis2a.recurrence.lead.ref, b.ref);
        assert.equal(nis2a.recurrence.combined.financial_loss_eur, 600000);
        assert.ok(!(await obligations(d, analyst, a.id)).some((o) => o.regime === 'nis2'));

        // other words: another root cause, no link
        const c = await createIncident(d, analyst, {
            title: 'Another outage',
            started_at: iso(t1 - HOUR),
            root_cause_category: 'human_error',
            root_cause: 'Cable cut by a digger',
            impact: { financial_loss_eur: 300000, ...OTHER },
        });
        assert.equal(regime(await classification(d, analyst, c.id), 'nis2').recurrence, undefined);

        // the same reasoning in the terminal
        const ex = cli(['rules', 'explain', a.ref], { dataDir: d.dataDir });
        assert.equal(ex.code, 0, ex.stderr);
        assert.match(ex.stdout, new RegExp(`recurring incidents \\(the same apparent root cause\\), counted together: ${a.ref}, ${b.ref}`));
        assert.match(ex.stdout, /combined figures: financial_loss_eur 600000/);
        assert.match(ex.stdout, new RegExp(`\\[yes\\] significant together .*the reports are owed on ${b.ref}`));
        await d.setClock({ system: true });
    });

    test('9. a stale recurrence link: when a member\'s root cause changes afterwards, the members it leaves are judged again in the same change and no longer show it; the reports already owed on the lead stay owed (significance is sticky)', async () => {
        await putProfile(d, { name: 'Netbeheer Oost', sector: 'energy', nis2_class: 'important', entity_types: [], annual_turnover_eur: 1e8, recipients: RECIPIENTS });
        const t0 = Date.parse(await d.setClock({ now: iso(Date.now()) }));
        const OTHER = { trade_secrets_exfiltrated: false, deaths: 0, persons_health_damaged: 0, unauthorised_access: false, severe_disruption_possible: false };
        const cause = { root_cause_category: 'system_failure', root_cause: 'Expired TLS certificate on the SCADA gateway' };
        const a = await createIncident(d, analyst, {
            title: 'SCADA gateway unreachable (1)',
            started_at: iso(t0 - 30 * 24 * HOUR),
            ...cause,
            impact: { financial_loss_eur: 300000, ...OTHER },
        });
        const b = await createIncident(d, analyst, {
            title: 'SCADA gateway unreachable (2)',
            started_at: iso(t0 - HOUR),
            aware_at: iso(t0 - HOUR),
            ...cause,
            impact: { financial_loss_eur: 300000, ...OTHER },
        });
        let nis2b = regime(await classification(d, analyst, b.id), 'nis2');
        assert.equal(nis2b.recurrence.result, 'yes', JSON.stringify(nis2b.recurrence));
        assert.deepEqual(nis2b.recurrence.members.map((m) => m.ref), [a.ref, b.ref]);
        assert.ok((await obligations(d, analyst, b.id)).some((o) => o.regime === 'nis2' && o.stage === 'early_warning' && o.status === 'pending'));

        // A's root cause turns out to be another: it leaves the combination
        await d.setClock({ advance: 'PT1H' });
        const r = await api(d.url, analyst, 'PATCH', `${BASE}/${a.id}`, { root_cause_category: 'third_party_failure', root_cause: 'Carrier outage' });
        assert.equal(r.status, 200, r.text);
        assert.equal(regime(await classification(d, analyst, a.id), 'nis2').recurrence, undefined);
        // B, not changed itself, no longer shows A nor the combined figures
        nis2b = regime(await classification(d, analyst, b.id), 'nis2');
        assert.equal(nis2b.recurrence, undefined, JSON.stringify(nis2b.recurrence));
        assert.equal(nis2b.significant, 'no');
        assert.equal(nis2b.effective, 'yes', 'significance is sticky: a manager decides "not notifiable"');
        const ew = (await obligations(d, analyst, b.id)).find((o) => o.regime === 'nis2' && o.stage === 'early_warning');
        assert.equal(ew.status, 'pending', 'still owed');
        await d.setClock({ system: true });
    });

    test('9. a back-dated incident: recorded after a combination became significant, an incident that occurred within its period joins it (one significant incident, the reports stay on its lead, their due times unchanged); where no combination was complete, a back-dated incident may complete one, and its reports run from when it was recorded, not from its back-dated awareness', async () => {
        await putProfile(d, { name: 'Netbeheer Zuid', sector: 'energy', nis2_class: 'important', entity_types: [], annual_turnover_eur: 1e8, recipients: RECIPIENTS });
        const t0 = Date.parse(await d.setClock({ now: iso(Date.now()) }));
        const OTHER = { trade_secrets_exfiltrated: false, deaths: 0, persons_health_damaged: 0, unauthorised_access: false, severe_disruption_possible: false };
        const cause = { root_cause_category: 'system_failure', root_cause: 'Backup job fills the historian disk' };
        const a = await createIncident(d, analyst, {
            title: 'Historian down (January)',
            started_at: iso(t0 - 60 * 24 * HOUR),
            ...cause,
            impact: { financial_loss_eur: 300000, ...OTHER },
        });
        const b = await createIncident(d, analyst, {
            title: 'Historian down (March)',
            started_at: iso(t0 - HOUR),
            aware_at: iso(t0 - HOUR),
            ...cause,
            impact: { financial_loss_eur: 300000, ...OTHER },
        });
        let nis2b = regime(await classification(d, analyst, b.id), 'nis2');
        assert.equal(nis2b.recurrence.leads, true, JSON.stringify(nis2b.recurrence));
        const ewDue = (await obligations(d, analyst, b.id)).find((o) => o.regime === 'nis2' && o.stage === 'early_warning').due_at;
        assert.equal(ewDue, iso(t0 + 24 * HOUR));

        // five hours later an incident of a month ago is recorded, the same root cause
        const t1 = Date.parse(await d.setClock({ advance: 'PT5H' }));
        const c = await createIncident(d, analyst, {
            title: 'Historian down (February, recorded late)',
            started_at: iso(t0 - 30 * 24 * HOUR),
            aware_at: iso(t0 - 30 * 24 * HOUR),
            ...cause,
            impact: { financial_loss_eur: 300000, ...OTHER },
        });
        const nis2c = regime(await classification(d, analyst, c.id), 'nis2');
        assert.equal(nis2c.significant, 'no', 'it starts no earlier combination of its own');
        assert.equal(nis2c.recurrence.leads, false);
        assert.equal(nis2c.recurrence.lead.ref, b.ref);
        assert.deepEqual(nis2c.recurrence.members.map((m) => m.ref), [a.ref, c.ref, b.ref]);
        assert.equal(nis2c.recurrence.combined.financial_loss_eur, 900000);
        assert.ok(!(await obligations(d, analyst, c.id)).some((o) => o.regime === 'nis2'), 'no second set of reports');
        nis2b = regime(await classification(d, analyst, b.id), 'nis2');
        assert.equal(nis2b.recurrence.leads, true);
        assert.deepEqual(nis2b.recurrence.members.map((m) => m.ref), [a.ref, c.ref, b.ref]);
        assert.equal(nis2b.recurrence.combined.financial_loss_eur, 900000);
        const ewB = (await obligations(d, analyst, b.id)).find((o) => o.regime === 'nis2' && o.stage === 'early_warning');
        assert.equal(ewB.due_at, ewDue, 'the lead\'s clock does not move');

        // another root cause: one incident of 20 days ago, alone
        const cause2 = { root_cause_category: 'third_party_failure', root_cause: 'Cloud DNS provider outage' };
        const e1 = await createIncident(d, analyst, {
            title: 'Portal unreachable (DNS)',
            started_at: iso(t1 - 20 * 24 * HOUR),
            ...cause2,
            impact: { financial_loss_eur: 300000, ...OTHER },
        });
        assert.equal(regime(await classification(d, analyst, e1.id), 'nis2').recurrence, undefined);
        // a day later one of ten days ago is recorded: together significant; it completed the combination
        const t2 = Date.parse(await d.setClock({ advance: 'P1D' }));
        const e2 = await createIncident(d, analyst, {
            title: 'Portal unreachable again (DNS), recorded late',
            started_at: iso(t1 - 10 * 24 * HOUR),
            aware_at: iso(t1 - 10 * 24 * HOUR),
            ...cause2,
            impact: { financial_loss_eur: 300000, ...OTHER },
        });
        const nis2e = regime(await classification(d, analyst, e2.id), 'nis2');
        assert.equal(nis2e.significant, 'yes', JSON.stringify(nis2e));
        assert.equal(nis2e.recurrence.leads, true);
        assert.equal(nis2e.classified_at, iso(t2));
        const ewE = (await obligations(d, analyst, e2.id)).find((o) => o.regime === 'nis2' && o.stage === 'early_warning');
        assert.equal(ewE.due_at, iso(t2 + 24 * HOUR), 'from when the combination could be known, not from the back-dated awareness');
        assert.equal(ewE.status, 'pending');
        await d.setClock({ system: true });
    });
});
