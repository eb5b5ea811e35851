// SPDX-License-Identifier: EUPL-1.2
// regulatory.test.mjs - the subtle legal cases of issue 16 ("Regulatory
// depth") end to end (each test's number is the issue's item), with the
// rule files shipped in config/rules/ (built into the binary): each test
// states the legal rule it proves, sets up the
// organisation profile and an incident over HTTP, and reads the
// classification and obligations as a user would.  The table-driven cases
// of the same rules are in tests/rules/cases.json.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, assertProblem, startDaemon } from './lib/daemon.mjs';
import { BASE, createIncident, createToken, iso, transition } from './lib/incidents.mjs';

const HOUR = 3600e3;
const ORG = '/api/v1/organisation';

/** The profile as a PUT body (GET's version and updated_at removed). */
async function profileBody(d) {
    const res = await api(d.url, d.adminToken, 'GET', ORG);
    assert.equal(res.status, 200, res.text);
    const body = { ...res.json };
    delete body.version;
    delete body.updated_at;
    return body;
}

/** Changes members of the profile as admin; returns the answer. */
async function putProfile(d, changes) {
    return api(d.url, d.adminToken, 'PUT', ORG, { ...(await profileBody(d)), ...changes });
}

async function getJson(d, token, p) {
    const res = await api(d.url, token, 'GET', p);
    assert.equal(res.status, 200, `GET ${p}: ${res.text}`);
    return res.json;
}

const classification = (d, t, id) => getJson(d, t, `${BASE}/${id}/classification`);
const obligations = async (d, t, id) => (await getJson(d, t, `${BASE}/${id}/obligations`)).items;
const regime = (cls, name) => {
    const r = cls.regimes.find((x) => x.regime === name);
    assert.ok(r, `regime ${name} in ${JSON.stringify(cls.regimes.map((x) => x.regime))}`);
    return r;
};
const criterion = (r, id) => r.criteria.find((c) => c.id === id);
const timeline = async (d, t, id) => (await getJson(d, t, `${BASE}/${id}/timeline`)).items;

/** The audit chain's head (sequence number of the last entry). */
async function auditHead(d) {
    const v = await getJson(d, d.adminToken, '/api/v1/audit/verify');
    assert.equal(v.ok, true, JSON.stringify(v));
    return v.head_seq;
}

/** The audit entries after seq. */
const auditAfter = async (d, seq) => (await getJson(d, d.adminToken, `/api/v1/audit?after=${seq}&limit=500`)).items;

async function patchIncident(d, t, id, body) {
    return api(d.url, t, 'PATCH', `${BASE}/${id}`, body);
}

/** CIR 2024/2690 art. 3(1)(b)-(e) known false: only (a) can decide. */
const OTHER_GENERAL_CRITERIA_FALSE = {
    trade_secrets_exfiltrated: false,
    deaths: 0,
    persons_health_damaged: 0,
    unauthorised_access: false,
    severe_disruption_possible: false,
};

describe('issue 16: regulatory depth (shipped rules)', () => {
    let d, analyst;
    before(async () => {
        d = await startDaemon();
        analyst = createToken(d, 'reg-analyst', 'analyst');
    });
    after(async () => {
        await d.stopClean();
    });

    test('1. whichever is lower: a zero loss exceeds neither EUR 500,000 nor 5 % of an unknown turnover (CIR 2024/2690 art. 3(1)(a))', async () => {
        const put = await putProfile(d, {
            name: 'Energiebedrijf',
            sector: 'energy',
            nis2_class: 'important',
            entity_types: [],
            cer_critical: false,
            dora_financial: false,
            annual_turnover_eur: null,
        });
        assert.equal(put.status, 200, put.text);

        // a loss of 0: no, and the turnover is not asked for
        const zero = await createIncident(d, analyst, {
            title: 'Phishing mail reported, nothing lost',
            aware_at: iso(Date.now() - HOUR),
            impact: { financial_loss_eur: 0, ...OTHER_GENERAL_CRITERIA_FALSE },
        });
        let nis2 = regime(await classification(d, analyst, zero.id), 'nis2');
        assert.equal(nis2.applies, 'yes');
        assert.equal(nis2.significant, 'no', JSON.stringify(nis2));
        assert.ok(!nis2.missing.includes('profile.annual_turnover_eur'), `missing ${JSON.stringify(nis2.missing)}`);
        let c = criterion(nis2, 'cir-3-1-a');
        assert.equal(c.result, 'no');
        const cond = c.conditions[0];
        assert.equal(cond.left, 'financial_loss_eur');
        assert.equal(cond.threshold, null, 'the threshold itself is unknown');
        assert.deepEqual(cond.threshold_range, [0, 500000], 'but it lies between 0 and 500,000');
        assert.equal((await obligations(d, analyst, zero.id)).filter((o) => o.regime === 'nis2').length, 0);

        // a loss above 500,000: yes whatever the turnover, and the clock runs
        const big = await createIncident(d, analyst, {
            title: 'Ransomware, EUR 600,000 lost',
            aware_at: iso(Date.now() - HOUR),
            impact: { financial_loss_eur: 600000, ...OTHER_GENERAL_CRITERIA_FALSE },
        });
        nis2 = regime(await classification(d, analyst, big.id), 'nis2');
        assert.equal(nis2.significant, 'yes', JSON.stringify(nis2));
        assert.equal(criterion(nis2, 'cir-3-1-a').result, 'yes');
        assert.ok(!nis2.missing.includes('profile.annual_turnover_eur'));
        const stages = (await obligations(d, analyst, big.id)).filter((o) => o.regime === 'nis2').map((o) => o.stage);
        assert.ok(stages.includes('early_warning'), JSON.stringify(stages));

        // in between, the turnover decides: it is asked for
        const mid = await createIncident(d, analyst, {
            title: 'Fraud, EUR 300,000 lost',
            aware_at: iso(Date.now() - HOUR),
            impact: { financial_loss_eur: 300000, ...OTHER_GENERAL_CRITERIA_FALSE },
        });
        nis2 = regime(await classification(d, analyst, mid.id), 'nis2');
        assert.equal(nis2.significant, 'undetermined');
        assert.ok(nis2.missing.includes('profile.annual_turnover_eur'), `missing ${JSON.stringify(nis2.missing)}`);

        // once the turnover is known (EUR 4M: 5 % is 200,000, the lower), the
        // open incident is judged again: 300,000 is above it
        assert.equal((await putProfile(d, { annual_turnover_eur: 4e6 })).status, 200);
        nis2 = regime(await classification(d, analyst, mid.id), 'nis2');
        assert.equal(nis2.significant, 'yes');
        c = criterion(nis2, 'cir-3-1-a');
        assert.equal(c.conditions[0].threshold, 200000);
        assert.equal((await putProfile(d, { annual_turnover_eur: null })).status, 200);
    });

    test('7. a critical entity under the Wwke is an essential entity under the Cbw: cer_critical with nis2_class none (or important) is refused, changing nothing (NIS2 arts. 2(3), 3(1)(f))', async () => {
        const before = await api(d.url, d.adminToken, 'GET', ORG);
        assert.equal(before.status, 200);
        const head = await auditHead(d);
        for (const nis2_class of ['none', 'important']) {
            const res = await putProfile(d, { cer_critical: true, nis2_class });
            assertProblem(res, 422);
            assert.match(res.headers.get('content-type'), /^application\/problem\+json/);
            const errs = res.json.errors ?? [];
            assert.deepEqual(errs.map((e) => e.field), ['nis2_class'], res.text);
            assert.match(errs[0].message, /critical entity under the Wwke/);
            assert.match(errs[0].message, /essential entity under the Cbw/);
            assert.match(errs[0].message, /3\(1\)\(f\)/);
        }
        // nothing changed: same version, same content, no audit entry
        const after = await api(d.url, d.adminToken, 'GET', ORG);
        assert.equal(after.headers.get('etag'), before.headers.get('etag'));
        assert.deepEqual(after.json, before.json);
        assert.equal(await auditHead(d), head, 'no audit entry for a refused profile');
        // the consistent profile is accepted
        const ok = await putProfile(d, { cer_critical: true, nis2_class: 'essential' });
        assert.equal(ok.status, 200, ok.text);
        assert.equal(ok.json.cer_critical, true);
        assert.equal(ok.json.nis2_class, 'essential');
        assert.equal((await putProfile(d, { cer_critical: false, nis2_class: 'important' })).status, 200);
    });

    test('2. GDPR art. 33: notifying is the default: the 72 hours run from awareness while the risk is unassessed, and recording "unlikely to result in a risk" lifts them, with a reason, audited and on the timeline', async () => {
        const aware = Date.now() - 2 * HOUR;
        const inc = await createIncident(d, analyst, {
            title: 'Laptop with customer files stolen',
            aware_at: iso(aware),
            impact: { personal_data_breach: true },
        });
        let gdpr = regime(await classification(d, analyst, inc.id), 'gdpr');
        assert.equal(gdpr.significant, 'yes', JSON.stringify(gdpr));
        assert.equal(gdpr.effective, 'yes');
        assert.equal(gdpr.lifted, 'undetermined');
        assert.ok(!gdpr.missing.includes('breach_risk_unlikely'), 'the risk assessment does not hold the clock');
        let mine = (await obligations(d, analyst, inc.id)).filter((o) => o.regime === 'gdpr');
        assert.deepEqual(mine.map((o) => o.stage), ['notification'], 'art. 34 (high risk unknown) is not owed yet');
        const notification = mine[0];
        assert.equal(notification.status, 'pending');
        assert.equal(notification.recipient, 'dpa');
        assert.equal(notification.due_at, iso(aware + 72 * HOUR), 'due 72 hours after awareness');
        assert.ok(notification.seconds_left > 69 * 3600 && notification.seconds_left <= 70 * 3600);

        // recording "unlikely" without a reason is refused and changes nothing
        const head = await auditHead(d);
        let res = await patchIncident(d, analyst, inc.id, { impact: { breach_risk_unlikely: true } });
        assertProblem(res, 422);
        assert.deepEqual(res.json.errors.map((e) => e.field), ['note'], res.text);
        assert.match(res.json.errors[0].message, /lifts what is still owed under gdpr \(notification\)/);
        const unchanged = await getJson(d, analyst, `${BASE}/${inc.id}`);
        assert.equal(unchanged.version, inc.version);
        assert.equal(unchanged.impact.breach_risk_unlikely, undefined);
        assert.equal(await auditHead(d), head);
        assert.equal((await obligations(d, analyst, inc.id)).find((o) => o.id === notification.id).status, 'pending');
        // a reason that is not text, or too long, is a field error too
        res = await patchIncident(d, analyst, inc.id, { impact: { breach_risk_unlikely: true }, note: 42 });
        assertProblem(res, 422);
        assert.deepEqual(res.json.errors.map((e) => e.field), ['note']);
        res = await patchIncident(d, analyst, inc.id, { impact: { breach_risk_unlikely: true }, note: 'x'.repeat(391) });
        assertProblem(res, 422);
        assert.deepEqual(res.json.errors.map((e) => e.field), ['note']);

        // with the reason: lifted
        const reason = 'Full-disk encryption (BitLocker, TPM+PIN); the key was not on the laptop.';
        res = await patchIncident(d, analyst, inc.id, { impact: { breach_risk_unlikely: true }, note: reason });
        assert.equal(res.status, 200, res.text);
        gdpr = regime(await classification(d, analyst, inc.id), 'gdpr');
        assert.equal(gdpr.lifted, 'yes');
        assert.equal(gdpr.effective, 'no');
        assert.equal(criterion(gdpr, 'gdpr-33-1-unlikely').result, 'yes');
        let o = (await obligations(d, analyst, inc.id)).find((x) => x.id === notification.id);
        assert.equal(o.status, 'waived');
        assert.equal(o.waived_reason, `lifted: ${reason}`);
        assert.equal(o.waived_by, 'token:reg-analyst');
        // on the timeline: the fact with its reason, and the report lifted
        let tl = await timeline(d, analyst, inc.id);
        const change = tl.findLast((e) => e.kind === 'changed' && e.field === 'impact');
        assert.equal(change.note, reason);
        assert.equal(change.new.breach_risk_unlikely, true);
        const lifted = tl.findLast((e) => e.kind === 'obligation' && e.field === 'notification');
        assert.equal(lifted.new, 'waived');
        assert.equal(lifted.note, `lifted: ${reason}`);
        // in the audit chain: the change with its reason, and the waiver
        const entries = await auditAfter(d, head);
        const update = entries.find((e) => e.action === 'incident.update' && e.object === inc.id);
        assert.equal(update.payload.note, reason);
        assert.ok(entries.some((e) => e.action === 'obligation.waive' && e.object === notification.id && e.payload.lifted === true));
        // withdrawing the fact makes the report owed again, due as before
        res = await patchIncident(d, analyst, inc.id, { impact: { breach_risk_unlikely: null }, note: 'The key was on a sticky note in the bag.' });
        assert.equal(res.status, 200, res.text);
        o = (await obligations(d, analyst, inc.id)).find((x) => x.id === notification.id);
        assert.equal(o.status, 'pending');
        assert.equal(o.due_at, iso(aware + 72 * HOUR));
        assert.equal(o.waived_reason ?? null, null);
        tl = await timeline(d, analyst, inc.id);
        const back = tl.findLast((e) => e.kind === 'obligation' && e.field === 'notification');
        assert.equal(back.old, 'waived');
        assert.equal(back.new, 'pending');
        assert.ok((await auditAfter(d, head)).some((e) => e.action === 'obligation.reopen' && e.object === notification.id));

        // art. 34 stays a separate duty: a likely high risk owes the data
        // subjects a communication, and contradicts "unlikely": nothing is lifted
        res = await patchIncident(d, analyst, inc.id, { impact: { breach_high_risk: true } });
        assert.equal(res.status, 200, res.text);
        mine = (await obligations(d, analyst, inc.id)).filter((x) => x.regime === 'gdpr');
        assert.deepEqual(mine.map((x) => x.stage).sort(), ['communication_data_subjects', 'notification']);
        res = await patchIncident(d, analyst, inc.id, { impact: { breach_risk_unlikely: true }, note: 'contradiction' });
        assert.equal(res.status, 200, res.text);
        gdpr = regime(await classification(d, analyst, inc.id), 'gdpr');
        assert.equal(gdpr.lifted, 'no');
        assert.equal(gdpr.effective, 'yes');
        for (const x of (await obligations(d, analyst, inc.id)).filter((y) => y.regime === 'gdpr')) assert.equal(x.status, 'pending', x.stage);
    });

    test('2. a lifted GDPR notification no longer holds up closing the incident', async () => {
        const inc = await createIncident(d, analyst, {
            title: 'Mail to the wrong customer, recalled unread',
            aware_at: iso(Date.now() - HOUR),
            impact: { personal_data_breach: true },
        });
        await transition(d, analyst, inc.id, 'triage');
        await transition(d, analyst, inc.id, 'confirmed');
        await transition(d, analyst, inc.id, 'resolved');
        let res = await api(d.url, analyst, 'POST', `${BASE}/${inc.id}/transitions`, { to: 'closed' });
        assertProblem(res, 409);
        assert.match(res.json.detail, /gdpr notification/);
        res = await patchIncident(d, analyst, inc.id, { impact: { breach_risk_unlikely: true }, note: 'Recalled before it was opened (mail log).' });
        assert.equal(res.status, 200, res.text);
        await transition(d, analyst, inc.id, 'closed');
    });

    test('6. recipients: under the Cbw every NIS2 report goes to the CSIRT and the competent authority; one not configured is a problem on the incident, never dropped', async () => {
        // the seeded profile names the CSIRT (NCSC-NL) but no supervisor
        const profile = await profileBody(d);
        assert.deepEqual(profile.recipients.supervisor, { name: '', contact: '' });
        assert.equal((await putProfile(d, { nis2_class: 'essential', sector: 'drinking_water' })).status, 200);
        const inc = await createIncident(d, analyst, {
            title: 'Chlorine dosing sabotage',
            aware_at: iso(Date.now() - HOUR),
            impact: { persons_health_damaged: 3, scheduled_maintenance: false },
        });
        const cls = await classification(d, analyst, inc.id);
        const nis2 = regime(cls, 'nis2');
        assert.equal(nis2.effective, 'yes');
        // the reports to the authorities (informing the service's recipients, art. 23(1), goes to them)
        for (const st of nis2.stages.filter((x) => x.id !== 'inform_recipients'))
            assert.deepEqual(st.recipients, ['csirt', 'supervisor'], st.id);
        const owed = cls.obligations.filter((o) => o.regime === 'nis2');
        assert.deepEqual(owed.map((o) => o.stage).sort(), ['early_warning', 'final', 'notification', 'progress']);
        for (const o of owed) {
            assert.equal(o.recipient, 'csirt', 'a draft addresses the first');
            const CSIRT = { en: 'the CSIRT', nl: 'het CSIRT' };
            const SUPERVISOR = { en: 'the competent authority (supervisor)', nl: 'de bevoegde autoriteit (toezichthouder)' };
            assert.deepEqual(o.recipients, [
                { role: 'csirt', label: CSIRT, name: 'NCSC-NL', contact: 'cert@ncsc.nl', configured: true },
                { role: 'supervisor', label: SUPERVISOR, name: '', contact: '', configured: false },
            ]);
            assert.equal(o.problems.length, 1, JSON.stringify(o.problems));
            const p = o.problems[0];
            assert.equal(p.kind, 'recipient_not_configured');
            assert.equal(p.recipient, 'supervisor');
            assert.equal(p.field, 'recipients.supervisor');
            assert.equal(p.obligation, o.id);
            assert.match(p.text.en, /competent authority/);
            assert.match(p.text.nl, /bevoegde autoriteit/);
        }
        // the incident shows every problem: classification, obligations, dashboard
        const mine = (list) => list.filter((p) => p.regime === 'nis2' && owed.some((o) => o.id === p.obligation));
        assert.equal(mine(cls.problems).length, 4);
        const obl = await getJson(d, analyst, `${BASE}/${inc.id}/obligations`);
        assert.equal(mine(obl.problems).length, 4);
        const dash = await getJson(d, analyst, '/api/v1/deadlines?limit=500');
        assert.equal(mine(dash.problems).length, 4);
        const ew = dash.items.find((o) => o.id === owed.find((x) => x.stage === 'early_warning').id);
        assert.equal(ew.problems[0].recipient, 'supervisor');
        // the timeline names both
        const tl = await timeline(d, analyst, inc.id);
        assert.ok(tl.some((e) => e.kind === 'obligation' && e.field === 'early_warning' && /due to csirt, supervisor/.test(e.note)), JSON.stringify(tl));

        // configuring the supervisor clears the problem at once
        const put = await putProfile(d, { recipients: { ...profile.recipients, supervisor: { name: 'ILT', contact: 'toezicht@ilent.nl' } } });
        assert.equal(put.status, 200, put.text);
        const after = await classification(d, analyst, inc.id);
        assert.deepEqual(mine(after.problems), []);
        for (const o of after.obligations.filter((x) => x.regime === 'nis2')) {
            assert.deepEqual(o.recipients[1], {
                role: 'supervisor',
                label: { en: 'the competent authority (supervisor)', nl: 'de bevoegde autoriteit (toezichthouder)' },
                name: 'ILT',
                contact: 'toezicht@ilent.nl',
                configured: true,
            });
            assert.deepEqual(o.problems, []);
        }
        // a report no longer owed raises no problem: blank the supervisor, waive one
        assert.equal((await putProfile(d, { recipients: profile.recipients })).status, 200);
        const manager = createToken(d, 'reg-manager', 'manager');
        const ewId = owed.find((x) => x.stage === 'early_warning').id;
        const w = await api(d.url, manager, 'POST', `${BASE}/${inc.id}/obligations/${ewId}/waive`, { reason: 'sent by phone to both' });
        assert.equal(w.status, 200, w.text);
        const again = await getJson(d, analyst, `${BASE}/${inc.id}/obligations`);
        assert.equal(mine(again.problems).length, 3);
        assert.ok(!again.problems.some((p) => p.obligation === ewId));
    });
});

describe('issue 16 through time (the test clock)', () => {
    // A fixed start, far from today: nothing here depends on the date.
    const T0 = '2031-03-14T09:00:00Z';
    const at = (seconds) => iso(Date.parse(T0) + seconds * 1000);
    let d, analyst, manager;
    before(async () => {
        d = await startDaemon();
        analyst = createToken(d, 'reg-time-analyst', 'analyst');
        manager = createToken(d, 'reg-time-manager', 'manager');
        assert.equal(await d.setClock({ now: T0 }), T0);
    });

    /** Drafts, fills and signs the report of one stage; returns its URL. */
    async function signedReport(inc, regime, stage, fields) {
        let res = await api(d.url, analyst, 'POST', `${BASE}/${inc.id}/notifications`, { regime, stage, language: 'en' });
        assert.equal(res.status, 201, res.text);
        const N = `/api/v1/notifications/${res.json.id}`;
        res = await api(d.url, analyst, 'PATCH', N, { fields }, { 'if-match': '"1"' });
        assert.equal(res.status, 200, res.text);
        res = await api(d.url, manager, 'POST', `${N}/approve`);
        assert.equal(res.status, 200, res.text);
        return N;
    }
    /** At T0, an incident aware at T0 that damaged a person's health: significant under NIS2 (CIR 2024/2690 art. 3(1)(d)). */
    async function harmIncident(title) {
        await d.setClock({ now: T0 });
        return createIncident(d, analyst, { title, aware_at: T0, impact: { persons_health_damaged: 1, scheduled_maintenance: false } });
    }
    const nis2Obligation = async (inc, stage) => (await obligations(d, analyst, inc.id)).find((o) => o.regime === 'nis2' && o.stage === stage);
    const EW_FIELDS = { suspected_malicious: 'yes', cross_border: 'no', contact_official: 'J. Jansen, CISO, +31 70 000 0000' };
    after(async () => {
        await d.stopClean();
    });

    test('2. GDPR: a notification missed while the risk was unassessed stays late when lifted, and is missed again when the lift is withdrawn', async () => {
        const inc = await createIncident(d, analyst, {
            title: 'Customer database exposed',
            aware_at: at(-3600),
            impact: { personal_data_breach: true },
        });
        const find = async () => (await obligations(d, analyst, inc.id)).find((o) => o.regime === 'gdpr' && o.stage === 'notification');
        let o = await find();
        assert.equal(o.due_at, at(71 * 3600), '72 hours after awareness');
        assert.equal(o.status, 'pending');
        // the 72 hours pass while nobody has assessed the risk: missed
        await d.setClock({ advance: 'PT72H' });
        o = await find();
        assert.equal(o.status, 'missed');
        assert.equal(o.missed_at, at(71 * 3600));
        // established later that the risk is unlikely: lifted, lateness kept
        let res = await patchIncident(d, analyst, inc.id, { impact: { breach_risk_unlikely: true }, note: 'Only hashed passwords (argon2id), no other data.' });
        assert.equal(res.status, 200, res.text);
        o = await find();
        assert.equal(o.status, 'waived');
        assert.equal(o.missed_at, at(71 * 3600), 'lateness is frozen');
        assert.match(o.waived_reason, /^lifted: Only hashed passwords/);
        const tl = await timeline(d, analyst, inc.id);
        const e = tl.findLast((x) => x.kind === 'obligation' && x.field === 'notification');
        assert.deepEqual([e.old, e.new], ['missed', 'waived']);
        // withdrawn: owed again, and still missed
        res = await patchIncident(d, analyst, inc.id, { impact: { breach_risk_unlikely: false }, note: 'Plain-text e-mail addresses were in the dump too.' });
        assert.equal(res.status, 200, res.text);
        o = await find();
        assert.equal(o.status, 'missed');
        assert.equal(o.missed_at, at(71 * 3600));
    });

    test('3. timeliness is judged on when a report was sent: sent in time by portal, recorded after the due time (the sweeper had marked it missed) is submitted, not missed; said in words on the timeline and audited', async () => {
        await d.setClock({ now: T0 });
        assert.equal((await putProfile(d, { sector: 'drinking_water', nis2_class: 'essential', entity_types: [], dora_financial: false, annual_turnover_eur: 2e7 })).status, 200);
        const inc = await createIncident(d, analyst, {
            title: 'Chlorine dosing sabotage (reported by portal, recorded late)',
            aware_at: T0,
            impact: { persons_health_damaged: 3, scheduled_maintenance: false },
        });
        const due = at(24 * 3600);
        let ew = await nis2Obligation(inc, 'early_warning');
        assert.equal(ew.due_at, due);
        // the early warning went out through MijnNCSC 2 hours before its due
        // time, but nobody recorded it here: the sweeper marks it missed
        await d.setClock({ now: at(24 * 3600 + 1) });
        ew = await nis2Obligation(inc, 'early_warning');
        assert.equal(ew.status, 'missed');
        assert.equal(ew.missed_at, due);
        // recorded 3 h after it was sent (1 h after the due time)
        await d.setClock({ now: at(25 * 3600) });
        const N = await signedReport(inc, 'nis2', 'early_warning', EW_FIELDS);
        const head = await auditHead(d);
        const sent = at(22 * 3600);
        const res = await api(d.url, manager, 'POST', `${N}/submit`, { channel: 'MijnNCSC', authority_reference: 'NCSC-2031-0001', submitted_at: sent });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.submitted_at, sent, 'the time it was sent, not the time it was recorded');
        ew = await nis2Obligation(inc, 'early_warning');
        assert.equal(ew.status, 'submitted', 'sent in time: not missed');
        assert.equal(ew.submitted_at, sent);
        assert.equal(ew.missed_at ?? null, null, 'the miss was the absence of a record, and is corrected');
        // the timeline says it in words: when sent, and how much later recorded
        const tl = await timeline(d, analyst, inc.id);
        const rec = tl.findLast((e) => e.kind === 'obligation' && e.field === 'early_warning' && /submitted at/.test(e.note ?? ''));
        assert.ok(rec, JSON.stringify(tl.slice(-4)));
        assert.equal(rec.at, at(25 * 3600));
        assert.equal(rec.note, `nis2 early_warning: submitted at ${sent} via MijnNCSC, recorded 3 h after submission`);
        const fix = tl.findLast((e) => e.kind === 'obligation' && e.field === 'early_warning' && e.old === 'missed');
        assert.ok(fix, JSON.stringify(tl.slice(-4)));
        assert.equal(fix.new, 'submitted');
        assert.equal(fix.note, `not missed: sent at ${sent}, by the due time ${due}; recorded 3 h after submission`);
        // and the audit chain: the submission with both times, the correction
        const entries = await auditAfter(d, head);
        const submit = entries.find((e) => e.action === 'notification.submit');
        assert.equal(submit.at, at(25 * 3600));
        assert.equal(submit.payload.submitted_at, sent);
        assert.equal(submit.payload.recorded_after_seconds, 3 * 3600);
        const correct = entries.find((e) => e.action === 'obligation.correct' && e.object === ew.id);
        assert.ok(correct, JSON.stringify(entries.map((e) => e.action)));
        assert.deepEqual(
            { from: correct.payload.from, to: correct.payload.to, submitted_at: correct.payload.submitted_at, due_at: correct.payload.due_at },
            { from: 'missed', to: 'submitted', submitted_at: sent, due_at: due },
        );
        // a later sweep leaves it submitted
        await d.setClock({ advance: 'PT1H' });
        assert.equal((await nis2Obligation(inc, 'early_warning')).status, 'submitted');
        // the final report counts from the notification's sending time: sent
        // at 70 h by e-mail, recorded at 80 h (past its 72-hour due time)
        await d.setClock({ now: at(80 * 3600) });
        const N2 = await signedReport(inc, 'nis2', 'notification', { early_warning_update: 'no change', severity_impact: 'three persons hospitalised' });
        const r2 = await api(d.url, manager, 'POST', `${N2}/submit`, { channel: 'e-mail', submitted_at: at(70 * 3600) });
        assert.equal(r2.status, 200, r2.text);
        assert.equal((await nis2Obligation(inc, 'notification')).status, 'submitted');
        const final = await nis2Obligation(inc, 'final');
        assert.equal(final.due_at, '2031-04-17T07:00:00Z', 'one month after the notification was sent (17 March 07:00), not after it was recorded');
    });

    test('3. a report sent after its due time stays missed however it is recorded; sent at the due second is in time; a submission time in the future (5 minutes allowed for clock skew) or before the incident was detected is refused', async () => {
        const inc = await harmIncident('Dosing pump tampered with');
        const due = at(24 * 3600);
        // sent one second late, recorded two days later: missed
        await d.setClock({ now: at(72 * 3600) });
        const N = await signedReport(inc, 'nis2', 'early_warning', EW_FIELDS);
        // in the future: refused, nothing recorded
        const head = await auditHead(d);
        let res = await api(d.url, manager, 'POST', `${N}/submit`, { channel: 'MijnNCSC', submitted_at: at(72 * 3600 + 301) });
        assertProblem(res, 422);
        assert.deepEqual(res.json.errors.map((e) => e.field), ['submitted_at'], res.text);
        assert.match(res.json.errors[0].message, /in the future/);
        res = await api(d.url, manager, 'POST', `${N}/submit`, { channel: 'MijnNCSC', submitted_at: 'yesterday' });
        assertProblem(res, 422);
        assert.deepEqual(res.json.errors.map((e) => e.field), ['submitted_at'], res.text);
        // back-dated to before the incident was detected (a wrong day): refused, nothing recorded
        res = await api(d.url, manager, 'POST', `${N}/submit`, { channel: 'MijnNCSC', submitted_at: at(-3600) });
        assertProblem(res, 422);
        assert.deepEqual(res.json.errors.map((e) => e.field), ['submitted_at'], res.text);
        assert.match(res.json.errors[0].message, new RegExp(`before the incident was detected or known \\(${T0}\\)`));
        assert.equal(await auditHead(d), head, 'a refused submission records nothing');
        assert.equal((await api(d.url, manager, 'GET', N)).json.state, 'approved');
        res = await api(d.url, manager, 'POST', `${N}/submit`, { channel: 'MijnNCSC', submitted_at: at(24 * 3600 + 1) });
        assert.equal(res.status, 200, res.text);
        let ew = await nis2Obligation(inc, 'early_warning');
        assert.equal(ew.status, 'missed', 'sent after the due time: late, however it is recorded');
        assert.equal(ew.missed_at, due);
        assert.equal(ew.submitted_at, at(24 * 3600 + 1));
        const tl = await timeline(d, analyst, inc.id);
        assert.ok(tl.some((e) => e.note === `nis2 early_warning: submitted at ${at(24 * 3600 + 1)} via MijnNCSC, recorded 1 d 23 h after submission`), JSON.stringify(tl.slice(-3)));
        assert.ok(!tl.some((e) => e.kind === 'obligation' && e.old === 'missed'), 'no correction');

        // the notification, sent at its due second (72 h), recorded within
        // the skew allowance ahead of this clock: in time
        const N2 = await signedReport(inc, 'nis2', 'notification', { early_warning_update: 'none', severity_impact: 'one person' });
        await d.setClock({ now: at(72 * 3600 - 240) });
        res = await api(d.url, manager, 'POST', `${N2}/submit`, { channel: 'MijnNCSC', submitted_at: at(72 * 3600) });
        assert.equal(res.status, 200, res.text);
        const n = await nis2Obligation(inc, 'notification');
        assert.equal(n.due_at, at(72 * 3600));
        assert.equal(n.status, 'submitted', 'on time up to and including the due second');
        assert.equal(n.submitted_at, at(72 * 3600));
    });

    /** Sends (drafts, signs, submits) one report at the daemon's time, or at sentAt. */
    async function send(inc, stage, fields, sentAt) {
        const N = await signedReport(inc, 'nis2', stage, fields);
        const res = await api(d.url, manager, 'POST', `${N}/submit`, { channel: 'MijnNCSC', ...(sentAt ? { submitted_at: sentAt } : {}) });
        assert.equal(res.status, 200, res.text);
        return res.json;
    }
    const NOTIFICATION_FIELDS = { early_warning_update: 'no change', severity_impact: 'three persons hospitalised' };
    const nis2Stage = async (inc, id) => regime(await classification(d, analyst, inc.id), 'nis2').stages.find((s) => s.id === id);

    test('3. back-dated awareness: a corrected aware_at earlier than recorded moves the pending reports with it; one whose new due time has already passed is missed at once, missed at that due time; a later correction does not un-miss it', async () => {
        const inc = await harmIncident('Chlorine dosing alarm ignored');
        assert.equal((await nis2Obligation(inc, 'early_warning')).due_at, at(24 * 3600));
        // two hours on it turns out the operator knew 23 hours before the record says
        await d.setClock({ now: at(2 * 3600) });
        let res = await patchIncident(d, analyst, inc.id, { aware_at: at(-23 * 3600) });
        assert.equal(res.status, 200, res.text);
        let ew = await nis2Obligation(inc, 'early_warning');
        assert.equal(ew.status, 'missed', 'owed 24 hours after the real awareness: an hour ago');
        assert.equal(ew.due_at, at(3600));
        assert.equal(ew.missed_at, at(3600));
        const n = await nis2Obligation(inc, 'notification');
        assert.equal(n.status, 'pending');
        assert.equal(n.due_at, at(49 * 3600), '72 hours after the corrected awareness');
        // correcting it forward again moves what is pending, not the miss
        res = await patchIncident(d, analyst, inc.id, { aware_at: T0 });
        assert.equal(res.status, 200, res.text);
        ew = await nis2Obligation(inc, 'early_warning');
        assert.equal(ew.status, 'missed');
        assert.equal(ew.missed_at, at(3600));
        assert.equal((await nis2Obligation(inc, 'notification')).due_at, at(72 * 3600));
    });

    test('5. NIS2 art. 23(4)(e): an incident still ongoing one month after the notification owes a progress report then, and the final report one month after it is handled', async () => {
        await d.setClock({ now: T0 });
        assert.equal((await putProfile(d, { sector: 'drinking_water', nis2_class: 'essential', entity_types: [], dora_financial: false, annual_turnover_eur: 2e7 })).status, 200);
        const inc = await createIncident(d, analyst, {
            title: 'Ransomware in the treatment plant (long recovery)',
            aware_at: T0,
            impact: { persons_health_damaged: 3, scheduled_maintenance: false },
        });
        await transition(d, analyst, inc.id, 'triage');
        await transition(d, analyst, inc.id, 'confirmed');
        // the early warning and the notification, in time
        await d.setClock({ now: at(20 * 3600) });
        await send(inc, 'early_warning', EW_FIELDS);
        await d.setClock({ now: at(48 * 3600) });
        await send(inc, 'notification', NOTIFICATION_FIELDS);
        const T1 = '2031-04-16T09:00:00Z'; // 16 March 09:00 + one month
        let final = await nis2Obligation(inc, 'final');
        let progress = await nis2Obligation(inc, 'progress');
        assert.equal(final.due_at, T1);
        assert.equal(final.status, 'pending');
        assert.equal(progress.due_at, T1, 'owed provisionally: the incident may still be ongoing then');
        assert.equal(progress.status, 'pending');
        let st = await nis2Stage(inc, 'final');
        assert.equal(st.ongoing_at_due, 'undetermined');
        assert.deepEqual(st.if_ongoing_at_due, [{ after: 'handled_at', within: 'P1M' }]);
        assert.equal((await nis2Stage(inc, 'progress')).only_if_ongoing_at_due, true);

        // the progress report goes out a day before; the incident is still
        // ongoing when the final report would fall due
        await d.setClock({ now: '2031-04-15T09:00:00Z' });
        await send(inc, 'progress', { state_so_far: 'Restoring from offline backups; 60 % of the plant back.' });
        await d.setClock({ now: '2031-04-16T09:00:01Z' });
        final = await nis2Obligation(inc, 'final');
        assert.equal(final.status, 'pending', 'not missed: the incident was still ongoing at its regular due time');
        assert.equal(final.due_at ?? null, null, 'due one month after the handling, which has not happened');
        assert.equal(final.missed_at ?? null, null);
        st = await nis2Stage(inc, 'final');
        assert.equal(st.ongoing_at_due, 'yes');
        assert.equal(st.regular_due_at, T1);
        assert.deepEqual(st.waiting_for, ['handled_at']);
        assert.equal((await nis2Obligation(inc, 'progress')).status, 'submitted');
        let tl = await timeline(d, analyst, inc.id);
        assert.ok(tl.some((e) => e.field === 'final' && e.note === `nis2 final: the incident was still ongoing at ${T1}, so the due time moves after its handling (waiting for handled_at)`), JSON.stringify(tl.slice(-3)));
        // weeks later, still not missed; then handled
        await d.setClock({ now: '2031-05-20T14:30:00Z' });
        assert.equal((await nis2Obligation(inc, 'final')).status, 'pending');
        await transition(d, analyst, inc.id, 'resolved');
        final = await nis2Obligation(inc, 'final');
        assert.equal(final.due_at, '2031-06-20T14:30:00Z', 'one month after the handling');
        assert.equal(final.status, 'pending');
        assert.equal((await nis2Stage(inc, 'final')).due_at, '2031-06-20T14:30:00Z');
        // and it is missed one second after that, like any other
        await d.setClock({ now: '2031-06-20T14:30:01Z' });
        final = await nis2Obligation(inc, 'final');
        assert.equal(final.status, 'missed');
        assert.equal(final.missed_at, '2031-06-20T14:30:00Z');
    });

    test('5. NIS2 art. 23(4)(d)/(e): an incident handled before the final report falls due owes no progress report (waived by meldpunt, with the reason, on the timeline and audited), and the final report keeps its regular due time', async () => {
        const inc = await harmIncident('Tampered dosing set-point (quickly fixed)');
        await transition(d, analyst, inc.id, 'triage');
        await transition(d, analyst, inc.id, 'confirmed');
        await d.setClock({ now: at(3600) });
        await send(inc, 'early_warning', EW_FIELDS);
        await send(inc, 'notification', NOTIFICATION_FIELDS);
        const T1 = '2031-04-14T10:00:00Z';
        const progress = await nis2Obligation(inc, 'progress');
        assert.equal(progress.due_at, T1);
        assert.equal(progress.status, 'pending');
        // handled ten days later
        await d.setClock({ now: '2031-03-24T10:00:00Z' });
        const head = await auditHead(d);
        await transition(d, analyst, inc.id, 'resolved');
        let p = await nis2Obligation(inc, 'progress');
        assert.equal(p.status, 'waived');
        assert.equal(p.waived_reason, `not due: the incident was handled (resolved 2031-03-24T10:00:00Z) by ${T1}, when this report would fall due; it is due only for an incident still ongoing then`);
        assert.equal(p.waived_by, 'token:reg-time-analyst');
        assert.equal((await nis2Stage(inc, 'progress')).not_due, true);
        const tl = await timeline(d, analyst, inc.id);
        const e = tl.findLast((x) => x.kind === 'obligation' && x.field === 'progress');
        assert.deepEqual([e.old, e.new, e.note], ['pending', 'waived', p.waived_reason]);
        const entries = await auditAfter(d, head);
        assert.ok(entries.some((x) => x.action === 'obligation.waive' && x.object === p.id && x.payload.not_due === true), JSON.stringify(entries.map((x) => x.action)));
        let final = await nis2Obligation(inc, 'final');
        assert.equal(final.due_at, T1, 'handled by then: one month after the notification');

        // it came back before the final report fell due: the progress report is owed again
        await d.setClock({ now: '2031-03-28T10:00:00Z' });
        await transition(d, analyst, inc.id, 'confirmed');
        p = await nis2Obligation(inc, 'progress');
        assert.equal(p.status, 'pending');
        assert.equal(p.due_at, T1);
        assert.equal(p.waived_reason ?? null, null);
        // handled again before then: not due again; the final report, not sent, is missed at T1
        await d.setClock({ now: '2031-04-01T10:00:00Z' });
        await transition(d, analyst, inc.id, 'resolved');
        assert.equal((await nis2Obligation(inc, 'progress')).status, 'waived');
        await d.setClock({ now: '2031-04-14T10:00:01Z' });
        final = await nis2Obligation(inc, 'final');
        assert.equal(final.status, 'missed');
        assert.equal(final.missed_at, T1);
        assert.equal((await nis2Obligation(inc, 'progress')).status, 'waived', 'frozen');
    });

    const DORA_PROFILE = { sector: 'banking', nis2_class: 'essential', entity_types: [], dora_financial: true, annual_turnover_eur: 5e8 };
    const INITIAL_FIELDS = {
        reference: 'INC-PAY-7',
        times: 'detected 14 March 09:00 UTC',
        description: 'Unauthorised access to the payment gateway',
        criteria_met: ['rts-9-5-b'],
        member_states: ['NL'],
        discovery: 'SOC alert',
        bcp_activated: 'yes',
    };
    const INTERMEDIATE_FIELDS = {
        times: 'occurred 14 March 08:40 UTC; not recovered',
        criteria_detail: 'malicious access to the gateway',
        incident_type: 'cybersecurity',
        affected_areas: 'payments',
        client_impact: 'none so far',
        recovery_measures: 'gateway isolated',
    };
    const doraObligation = async (inc, stage) => (await obligations(d, analyst, inc.id)).find((o) => o.regime === 'dora' && o.stage === stage);
    async function sendDora(inc, stage, fields) {
        const N = await signedReport(inc, 'dora', stage, fields);
        const res = await api(d.url, manager, 'POST', `${N}/submit`, { channel: 'DNB portal' });
        assert.equal(res.status, 200, res.text);
        return N;
    }

    /** A bank's major DORA incident, aware and classified at T0, its initial notification sent at 2 h. */
    async function majorDoraIncident(title) {
        await d.setClock({ now: T0 });
        assert.equal((await putProfile(d, DORA_PROFILE)).status, 200);
        const inc = await createIncident(d, analyst, {
            title,
            aware_at: T0,
            impact: { critical_service_affected: true, unauthorised_access: true, classified_major_at: T0 },
        });
        await d.setClock({ now: at(2 * 3600) });
        await sendDora(inc, 'initial', INITIAL_FIELDS);
        return inc;
    }

    test('4. DORA (Del. Reg. 2025/301 art. 5): classified as major more than 24 hours after awareness, the initial notification is due 4 hours after the classification, not overdue; within 24 hours, the earlier of the two binds', async () => {
        await d.setClock({ now: T0 });
        assert.equal((await putProfile(d, DORA_PROFILE)).status, 200);
        const inc = await createIncident(d, analyst, {
            title: 'Payment gateway: odd logins',
            aware_at: T0,
            impact: { critical_service_affected: true, unauthorised_access: false },
        });
        assert.equal(await doraObligation(inc, 'initial'), undefined, 'not major (yet)');
        // 30 hours later the access turns out to have succeeded: major now
        await d.setClock({ now: at(30 * 3600) });
        let res = await patchIncident(d, analyst, inc.id, { impact: { unauthorised_access: true } });
        assert.equal(res.status, 200, res.text);
        let initial = await doraObligation(inc, 'initial');
        assert.equal(initial.status, 'pending', 'not overdue: classified after the 24 hours had passed');
        assert.equal(initial.due_at, at(34 * 3600), '4 hours after meldpunt judged it major');
        const dora = regime(await classification(d, analyst, inc.id), 'dora');
        assert.deepEqual(dora.stages.find((s) => s.id === 'initial').due, [
            { after: 'classified_major_at', within: 'PT4H' },
            { after: 'aware_at', within: 'PT24H', unless_passed_at: 'classified_major_at' },
        ]);
        // the entity records its own classification (an hour earlier): that counts
        res = await patchIncident(d, analyst, inc.id, { impact: { classified_major_at: at(29 * 3600) } });
        assert.equal(res.status, 200, res.text);
        initial = await doraObligation(inc, 'initial');
        assert.equal(initial.due_at, at(33 * 3600));
        // sent in time
        await d.setClock({ now: at(32 * 3600) });
        await sendDora(inc, 'initial', INITIAL_FIELDS);
        assert.equal((await doraObligation(inc, 'initial')).status, 'submitted');
        assert.equal((await doraObligation(inc, 'intermediate')).due_at, at((32 + 72) * 3600), '72 hours after the initial notification');

        // classified within the 24 hours (at 22 h): the 24-hour limit binds (at 24 h, before 22 + 4)
        await d.setClock({ now: T0 });
        const early = await createIncident(d, analyst, {
            title: 'Payment gateway: confirmed intrusion',
            aware_at: T0,
            impact: { critical_service_affected: true, unauthorised_access: true, classified_major_at: at(22 * 3600) },
        });
        assert.equal((await doraObligation(early, 'initial')).due_at, at(24 * 3600));
    });

    test('4. DORA: the final report is due one month after the LATEST intermediate report (an updated one, e.g. on recovery, moves it)', async () => {
        const inc = await majorDoraIncident('Card processing outage');
        assert.equal((await doraObligation(inc, 'final')).due_at ?? null, null, 'waits for the intermediate report');
        await d.setClock({ now: at(48 * 3600) });
        const N = await sendDora(inc, 'intermediate', INTERMEDIATE_FIELDS);
        let final = await doraObligation(inc, 'final');
        assert.equal(final.due_at, '2031-04-16T09:00:00Z', 'one month after the intermediate report');
        // regular activities recovered on 25 March: an updated intermediate report
        await d.setClock({ now: '2031-03-25T16:00:00Z' });
        let res = await api(d.url, analyst, 'POST', `${N}/corrections`);
        assert.equal(res.status, 201, res.text);
        const U = `/api/v1/notifications/${res.json.id}`;
        res = await api(d.url, analyst, 'PATCH', U, { fields: { times: 'occurred 14 March 08:40 UTC; recovered 25 March 15:00 UTC' } }, { 'if-match': '"1"' });
        assert.equal(res.status, 200, res.text);
        assert.equal((await api(d.url, manager, 'POST', `${U}/approve`)).status, 200);
        res = await api(d.url, manager, 'POST', `${U}/submit`, { channel: 'DNB portal' });
        assert.equal(res.status, 200, res.text);
        final = await doraObligation(inc, 'final');
        assert.equal(final.due_at, '2031-04-25T16:00:00Z', 'one month after the latest intermediate report');
        assert.equal(final.status, 'pending');
        const intermediate = await doraObligation(inc, 'intermediate');
        assert.equal(intermediate.submitted_at, at(48 * 3600), 'the intermediate report itself was sent on time, at its first submission');
        // past the first month, still in time for the second
        await d.setClock({ now: '2031-04-20T00:00:00Z' });
        assert.equal((await doraObligation(inc, 'final')).status, 'pending');
        assert.equal((await putProfile(d, { dora_financial: false })).status, 200);
    });

    test('4. DORA (Del. Reg. 2025/301 art. 5(1)(b), (c)): the updated intermediate report on recovery of regular activities is its own stage, owed once recovered_at is recorded, due now without a deadline in hours; the final report counts from it when it is the latest', async () => {
        const inc = await majorDoraIncident('Payment switch down after intrusion');
        await d.setClock({ now: at(48 * 3600) });
        await sendDora(inc, 'intermediate', INTERMEDIATE_FIELDS);
        // not recovered yet: the stage is listed as conditional, nothing is owed
        let st = regime(await classification(d, analyst, inc.id), 'dora').stages.find((x) => x.id === 'intermediate_recovery');
        assert.equal(st.conditional, true, JSON.stringify(st));
        assert.equal(await doraObligation(inc, 'intermediate_recovery'), undefined, 'not owed before the recovery');
        assert.equal((await doraObligation(inc, 'final')).due_at, '2031-04-16T09:00:00Z', 'one month after the intermediate report');

        // a recovery time that is not a time is refused and changes nothing
        const before = await getJson(d, analyst, `${BASE}/${inc.id}`);
        let res = await patchIncident(d, analyst, inc.id, { impact: { recovered_at: 'last Tuesday' } });
        assertProblem(res, 422);
        assert.deepEqual(res.json.errors.map((e) => e.field), ['impact.recovered_at'], res.text);
        assert.equal((await getJson(d, analyst, `${BASE}/${inc.id}`)).version, before.version);

        // regular activities recovered on 25 March 15:00: the update is owed at once
        await d.setClock({ now: '2031-03-25T15:30:00Z' });
        res = await patchIncident(d, analyst, inc.id, { impact: { recovered_at: '2031-03-25T15:00:00Z' } });
        assert.equal(res.status, 200, res.text);
        st = regime(await classification(d, analyst, inc.id), 'dora').stages.find((x) => x.id === 'intermediate_recovery');
        assert.equal(st.conditional, false);
        assert.equal(st.without_deadline, true);
        assert.equal(st.due_now, true);
        assert.equal(st.due_at, null);
        let update = await doraObligation(inc, 'intermediate_recovery');
        assert.ok(update, 'owed');
        assert.equal(update.status, 'pending');
        assert.equal(update.recipient, 'financial_supervisor');
        assert.equal(update.due_at, null, 'no deadline in hours: "without undue delay"');
        assert.equal(update.due_now, true);
        const dl = await getJson(d, analyst, '/api/v1/deadlines');
        assert.ok(dl.items.some((x) => x.id === update.id && x.due_now === true), 'on the dashboard as due now');
        // never missed, however long it takes
        await d.setClock({ now: '2031-03-27T15:30:00Z' });
        assert.equal((await doraObligation(inc, 'intermediate_recovery')).status, 'pending');

        // sent: the final report now counts from this, the latest intermediate report
        await sendDora(inc, 'intermediate_recovery', {
            times: 'occurred 14 March 08:40 UTC; regular activities recovered 25 March 15:00 UTC',
            criteria_detail: 'malicious access to the payment switch',
            client_impact: 'card payments refused for 11 days',
            recovery_measures: 'switch rebuilt from clean images; keys rotated',
        });
        update = await doraObligation(inc, 'intermediate_recovery');
        assert.equal(update.status, 'submitted');
        assert.equal(update.submitted_at, '2031-03-27T15:30:00Z');
        const final = await doraObligation(inc, 'final');
        // one month after the update is Sunday 27 April: 12:00 Dutch summer time on Monday
        assert.equal(final.due_at, '2031-04-28T10:00:00Z', 'one month after the update on recovery, on a working day');
        assert.equal((await doraObligation(inc, 'intermediate')).status, 'submitted');
        const tl = await timeline(d, analyst, inc.id);
        assert.ok(tl.some((e) => JSON.stringify(e).includes('intermediate_recovery')), 'on the timeline');
        assert.equal((await putProfile(d, { dora_financial: false })).status, 200);
    });

    test('9. DORA recurring incidents (RTS 2024/1772 art. 8(2)): two incidents within six months with the same apparent root cause, not major one by one, are one major incident together (losses over EUR 100,000, downtime over 2 hours); the reports are owed on the second, from when the combination became major', async () => {
        await d.setClock({ now: T0 });
        assert.equal((await putProfile(d, { ...DORA_PROFILE, microenterprise: false })).status, 200);
        const FACTS = {
            critical_service_affected: true,
            unauthorised_access: false,
            clients_affected: 0,
            clients_total: 500000,
            counterparts_affected_share: 0,
            transactions_affected: 0,
            transactions_daily_average: 100000,
            transaction_value_affected_eur: 0,
            transaction_value_daily_average_eur: 1e7,
            relevant_clients_affected: false,
            duration_minutes: 60,
            critical_service_downtime_minutes: 70,
            financial_loss_eur: 60000,
            reputational_impact: false,
            cross_border: false,
            data_loss_cia: false,
        };
        const cause = { root_cause_category: 'process_failure', root_cause: 'Batch job scheduled twice' };
        const a = await createIncident(d, analyst, { title: 'Payments batch doubled (January)', started_at: at(-60 * 24 * 3600), ...cause, impact: FACTS });
        let doraA = regime(await classification(d, analyst, a.id), 'dora');
        assert.equal(doraA.significant, 'no', 'one threshold (downtime) alone is not major');
        assert.equal(doraA.recurrence, undefined);
        const b = await createIncident(d, analyst, { title: 'Payments batch doubled (March)', started_at: T0, aware_at: T0, ...cause, impact: FACTS });
        const doraB = regime(await classification(d, analyst, b.id), 'dora');
        assert.equal(doraB.significant, 'yes', JSON.stringify(doraB.recurrence));
        assert.equal(doraB.criteria.find((c) => c.id === 'rts-8-2').result, 'yes');
        assert.equal(doraB.recurrence.leads, true);
        assert.deepEqual(doraB.recurrence.members.map((m) => m.ref), [a.ref, b.ref]);
        assert.equal(doraB.recurrence.combined.financial_loss_eur, 120000);
        assert.equal(doraB.recurrence.combined.critical_service_downtime_minutes, 140);
        assert.equal((await doraObligation(b, 'initial')).due_at, at(4 * 3600), '4 hours after the combination was judged major');
        doraA = regime(await classification(d, analyst, a.id), 'dora');
        assert.equal(doraA.recurrence.lead.ref, b.ref);
        assert.equal(await doraObligation(a, 'initial'), undefined, 'owed once, on the incident that completed it');
        assert.equal((await putProfile(d, { dora_financial: false })).status, 200);
    });

    test('4. DORA weekend and holiday rule (Del. Reg. 2025/301 art. 5; config/calendars/nl.json): a deadline on a Saturday or a Dutch public holiday moves to 12:00 Dutch time on the next working day, not for a credit institution\'s initial notification', async () => {
        // an insurer: no NIS2 entity, not a credit institution, CCP or trading venue
        const classified = '2031-03-14T20:00:00Z'; // Friday 21:00 Dutch time
        await d.setClock({ now: classified });
        assert.equal((await putProfile(d, { sector: 'other', nis2_class: 'none', entity_types: [], dora_financial: true, annual_turnover_eur: 5e8 })).status, 200);
        const inc = await createIncident(d, analyst, {
            title: 'Policy portal breach, classified on Friday evening',
            aware_at: classified,
            impact: { critical_service_affected: true, unauthorised_access: true, classified_major_at: classified },
        });
        let initial = await doraObligation(inc, 'initial');
        assert.equal(initial.due_at, '2031-03-17T11:00:00Z', 'Saturday 01:00 Dutch time -> Monday 12:00 CET');
        const st = regime(await classification(d, analyst, inc.id), 'dora').stages.find((x) => x.id === 'initial');
        assert.equal(st.due_before_working_day, '2031-03-15T00:00:00Z');
        assert.deepEqual(st.next_working_day, { calendar: 'nl', at: '12:00', unless: 'no' });
        // through the weekend it is not missed
        await d.setClock({ now: '2031-03-16T20:00:00Z' });
        initial = await doraObligation(inc, 'initial');
        assert.equal(initial.status, 'pending');
        assert.equal(initial.seconds_left, 15 * 3600);
        // a Dutch public holiday (config/calendars/nl.json): due on Easter Monday 11:00 CEST -> Tuesday 12:00 CEST
        await d.setClock({ now: '2031-04-14T05:00:00Z' });
        const easter = await createIncident(d, analyst, {
            title: 'Policy portal breach, classified on Easter Monday',
            aware_at: '2031-04-14T05:00:00Z',
            impact: { critical_service_affected: true, unauthorised_access: true, classified_major_at: '2031-04-14T05:00:00Z' },
        });
        assert.equal((await doraObligation(easter, 'initial')).due_at, '2031-04-15T10:00:00Z');

        // a credit institution: the initial notification does not move
        await d.setClock({ now: classified });
        assert.equal((await putProfile(d, { sector: 'banking', nis2_class: 'essential' })).status, 200);
        const bank = await createIncident(d, analyst, {
            title: 'Payments breach, classified on Friday evening',
            aware_at: classified,
            impact: { critical_service_affected: true, unauthorised_access: true, classified_major_at: classified },
        });
        assert.equal((await doraObligation(bank, 'initial')).due_at, '2031-03-15T00:00:00Z');
        const bst = regime(await classification(d, analyst, bank.id), 'dora').stages.find((x) => x.id === 'initial');
        assert.equal(bst.next_working_day.unless, 'yes');
        assert.equal(bst.due_before_working_day, undefined);
        assert.equal((await putProfile(d, { dora_financial: false })).status, 200);
    });
});
