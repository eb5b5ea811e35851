// SPDX-License-Identifier: EUPL-1.2
// statistics.test.mjs - issue 22 "Statistics" end to end: incidents made
// over HTTP on the test clock, reports sent on time, late and waived, then
// GET /api/v1/statistics (JSON and CSV) checked figure by figure: per
// regime and quarter of awareness in Dutch time (an incident known at
// 00:30 on 1 April in Amsterdam, 22:30 UTC on 31 March, is in Q2), the
// median and 90th percentile of awareness -> first report, incidents per
// root-cause category, the recurring-incident groups, and bad input.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, cli, startDaemon } from './lib/daemon.mjs';
import { addUser, approveAs } from './lib/session.mjs';
import { BASE, createIncident, createToken, iso } from './lib/incidents.mjs';

const ORG = '/api/v1/organisation';
const STATS = '/api/v1/statistics';
// 23:30 on Monday 31 March 2031 in Amsterdam (summer time since the 30th)
const T0 = '2031-03-31T21:30:00Z';
const at = (hours) => iso(Date.parse(T0) + hours * 3600e3);
const EW_FIELDS = {
    suspected_malicious: 'yes',
    cross_border: 'no',
    contact_official: 'J. Jansen, CISO, +31 70 000 0000',
};
const NOTIF_FIELDS = { early_warning_update: 'no change', severity_impact: 'one person hospitalised' };

async function getJson(d, token, p) {
    const res = await api(d.url, token, 'GET', p);
    assert.equal(res.status, 200, `GET ${p}: ${res.text}`);
    return res.json;
}

describe('issue 22: statistics of timeliness and recurrence', () => {
    let d, analyst, manager, viewer, signer;
    before(async () => {
        d = await startDaemon();
        analyst = createToken(d, 'st-analyst', 'analyst');
        manager = createToken(d, 'st-manager', 'manager');
        viewer = createToken(d, 'st-viewer', 'viewer');
        signer = addUser(d, 'st-signer', 'manager'); // only a person signs
        const cur = await getJson(d, d.adminToken, ORG);
        delete cur.version;
        delete cur.updated_at;
        const res = await api(d.url, d.adminToken, 'PUT', ORG, {
            ...cur,
            country: 'NL',
            sector: 'drinking_water',
            nis2_class: 'essential',
            entity_types: [],
            dora_financial: false,
            annual_turnover_eur: 1e8,
        });
        assert.equal(res.status, 200, res.text);
    });
    after(async () => {
        await d.stopClean();
    });

    const obligation = async (inc, stage) =>
        (await getJson(d, analyst, `${BASE}/${inc.id}/obligations`)).items.find(
            (o) => o.regime === 'nis2' && o.stage === stage,
        );
    const nis2Owed = async (inc) =>
        (await getJson(d, analyst, `${BASE}/${inc.id}/obligations`)).items.filter((o) => o.regime === 'nis2').length;
    /** Drafts, fills, signs and records as sent (at `sent`) the report of one NIS2 stage. */
    async function send(inc, stage, fields, sent) {
        let res = await api(d.url, analyst, 'POST', `${BASE}/${inc.id}/notifications`, {
            regime: 'nis2',
            stage,
            language: 'en',
        });
        assert.equal(res.status, 201, res.text);
        const N = `/api/v1/notifications/${res.json.id}`;
        res = await api(d.url, analyst, 'PATCH', N, { fields }, { 'if-match': '"1"' });
        assert.equal(res.status, 200, res.text);
        res = await approveAs(d, signer, N);
        assert.equal(res.status, 200, res.text);
        res = await api(d.url, manager, 'POST', `${N}/submit`, { channel: 'MijnNCSC', submitted_at: sent });
        assert.equal(res.status, 200, res.text);
    }

    test('reports owed, on time, late and waived (with the reason) per regime and quarter in Dutch time; median and 90th percentile of awareness to the first report; incidents per root cause; JSON and CSV; from/to as local dates', async () => {
        await d.setClock({ now: T0 });
        // Q1: known at 23:30 Amsterdam time on 31 March
        const a = await createIncident(d, analyst, {
            title: 'Dosing pump sabotage',
            aware_at: T0,
            root_cause_category: 'malicious_action',
            root_cause: 'Stolen VPN credentials',
            impact: { persons_health_damaged: 1, scheduled_maintenance: false },
        });
        // an exercise in the same quarter, with the same facts: never counted with the real ones
        const ex = await createIncident(d, analyst, {
            title: 'Oefening: pompsabotage',
            exercise: true,
            aware_at: T0,
            root_cause_category: 'malicious_action',
            root_cause: 'Tabletop',
            impact: { persons_health_damaged: 1, scheduled_maintenance: false },
        });
        assert.equal(ex.exercise, true);
        // Q2: known at 00:30 on 1 April in Amsterdam (still 31 March in UTC)
        await d.setClock({ now: at(1) });
        const b = await createIncident(d, analyst, {
            title: 'Reservoir sensor tampering',
            aware_at: at(1),
            impact: { persons_health_damaged: 2, scheduled_maintenance: false },
        });
        // B's early warning: sent by phone, so waived with that reason
        await d.setClock({ now: at(3) });
        const ewB = await obligation(b, 'early_warning');
        const w = await api(d.url, manager, 'POST', `${BASE}/${b.id}/obligations/${ewB.id}/waive`, {
            reason: 'told the CSIRT by phone',
        });
        assert.equal(w.status, 200, w.text);
        // later everything is recorded: A's early warning was sent 2 h after
        // awareness (on time), its notification at 80 h (due at 72 h: late);
        // B's notification 10 h after awareness (on time)
        await d.setClock({ now: at(90) });
        await send(a, 'early_warning', EW_FIELDS, at(2));
        await send(a, 'notification', NOTIF_FIELDS, at(80));
        await send(b, 'notification', NOTIF_FIELDS, at(11));
        assert.equal((await obligation(a, 'notification')).status, 'missed');
        const owedA = await nis2Owed(a);
        const owedB = await nis2Owed(b);

        const s = await getJson(d, viewer, STATS);
        assert.equal(s.calendar, 'nl');
        assert.deepEqual(
            s.quarters.map((q) => q.quarter),
            ['2031-Q1', '2031-Q2'],
        );
        assert.deepEqual(s.quarters[1].label, { en: 'Q2 2031', nl: 'K2 2031' });
        const nis2 = (q) => q.regimes.find((r) => r.regime === 'nis2');
        const q1 = nis2(s.quarters[0]);
        assert.ok(q1.title.nl && q1.title.en, 'labels, not keys');
        assert.deepEqual(
            { owed: q1.owed, on_time: q1.on_time, late: q1.late, waived: q1.waived, pending: q1.pending },
            { owed: owedA, on_time: 1, late: 1, waived: 0, pending: owedA - 2 },
        );
        assert.deepEqual(q1.first_report, { count: 1, median_hours: 2, p90_hours: 2 });
        const q2 = nis2(s.quarters[1]);
        assert.deepEqual(
            { owed: q2.owed, on_time: q2.on_time, late: q2.late, waived: q2.waived, pending: q2.pending },
            { owed: owedB, on_time: 1, late: 0, waived: 1, pending: owedB - 2 },
        );
        assert.equal(q2.waivers.length, 1);
        assert.equal(q2.waivers[0].incident, b.ref);
        assert.equal(q2.waivers[0].stage, 'early_warning');
        assert.equal(q2.waivers[0].reason, 'told the CSIRT by phone');
        assert.ok(q2.waivers[0].stage_name.nl);
        // B's first report is its notification: 10 h after awareness
        assert.deepEqual(q2.first_report, { count: 1, median_hours: 10, p90_hours: 10 });
        // together: 2 h and 10 h -> median 6 h, 90th percentile 2 + 0.9 x 8 = 9.2 h
        const tot = nis2(s.total);
        assert.equal(tot.owed, owedA + owedB);
        assert.deepEqual(tot.first_report, { count: 2, median_hours: 6, p90_hours: 9.2 });
        // root causes: one malicious action in Q1, one not recorded in Q2
        const cause = (q, c) => q.root_causes.find((x) => x.category === c).incidents;
        assert.equal(cause(s.quarters[0], 'malicious_action'), 1);
        assert.equal(cause(s.quarters[1], 'not_recorded'), 1);
        assert.equal(cause(s.total, 'malicious_action'), 1);
        assert.deepEqual(s.quarters[1].root_causes.find((x) => x.category === 'not_recorded').label, {
            en: 'Not recorded',
            nl: 'Niet vastgelegd',
        });

        // from/to are dates in Dutch time: 1 April starts at 22:00 UTC on 31 March
        const onlyQ2 = await getJson(d, viewer, `${STATS}?from=2031-04-01&to=2031-06-30`);
        assert.deepEqual(
            onlyQ2.quarters.map((q) => q.quarter),
            ['2031-Q2'],
        );
        assert.equal(onlyQ2.from, '2031-04-01');
        const onlyQ1 = await getJson(d, viewer, `${STATS}?from=2031-01-01&to=2031-03-31`);
        assert.deepEqual(
            onlyQ1.quarters.map((q) => q.quarter),
            ['2031-Q1'],
        );

        // CSV: the same figures, labels in the language asked for
        const csv = await api(d.url, viewer, 'GET', `${STATS}?format=csv&lang=nl`);
        assert.equal(csv.status, 200);
        assert.match(csv.headers.get('content-type'), /^text\/csv/);
        assert.match(csv.headers.get('content-disposition'), /attachment; filename="meldpunt-statistics.csv"/);
        const lines = csv.text.split('\r\n');
        assert.match(lines[0], /^Kwartaal,Regeling,Verschuldigde meldingen,Op tijd,Te laat,/);
        const title = q1.title.nl;
        const row = (label) => lines.find((l) => l.startsWith(`${label},`) && l.includes(title));
        assert.ok(row('K1 2031').endsWith(`,${owedA},1,1,0,${owedA - 2},2.00,2.00`), row('K1 2031'));
        assert.ok(row('Totaal').endsWith(`,${owedA + owedB},2,1,1,${owedA + owedB - 4},6.00,9.20`), row('Totaal'));
        assert.ok(
            lines.some((l) => l.startsWith('K2 2031,') && l.includes(b.ref) && l.endsWith(',told the CSIRT by phone')),
        );
        assert.ok(lines.includes('K1 2031,Kwaadwillig handelen,1'));
        const en = await api(d.url, viewer, 'GET', `${STATS}?format=csv&lang=en`);
        assert.match(en.text, /^Quarter,Regime,Reports owed,On time,Late,/);
        assert.ok(en.text.includes('Q1 2031,Malicious action,1'));

        // bad input: 422 naming the field, nothing changes
        for (const [q, field] of [
            ['from=2031-13-01', 'from'],
            ['to=31-03-2031', 'to'],
            ['from=2031-05-01&to=2031-04-01', 'to'],
            ['format=xml', 'format'],
            ['format=csv&lang=de', 'lang'],
        ]) {
            const res = await api(d.url, viewer, 'GET', `${STATS}?${q}`);
            assert.equal(res.status, 422, `${q}: ${res.text}`);
            assert.match(res.headers.get('content-type'), /problem\+json/);
            assert.ok(JSON.stringify(res.json).includes(`"${field}"`), `${q}: ${res.text}`);
        }
        await d.setClock({ system: true });
    });

    test('recurring-incident groups: two incidents with the same apparent root cause, together over EUR 500,000, are listed as one group with the incident that carries the reports', async () => {
        const T1 = '2031-08-01T08:00:00Z';
        await d.setClock({ now: T1 });
        const OTHER = {
            trade_secrets_exfiltrated: false,
            deaths: 0,
            persons_health_damaged: 0,
            unauthorised_access: false,
            severe_disruption_possible: false,
        };
        const cause = { root_cause_category: 'human_error', root_cause: 'Valve left open after maintenance' };
        const c = await createIncident(d, analyst, {
            title: 'Flooded pump house (1)',
            started_at: iso(Date.parse(T1) - 40 * 24 * 3600e3),
            ...cause,
            impact: { financial_loss_eur: 300000, ...OTHER },
        });
        const e = await createIncident(d, analyst, {
            title: 'Flooded pump house (2)',
            started_at: T1,
            aware_at: T1,
            ...cause,
            impact: { financial_loss_eur: 300000, ...OTHER },
        });
        const s = await getJson(d, viewer, `${STATS}?from=2031-07-01&to=2031-09-30`);
        assert.equal(s.recurring_groups.length, 1, JSON.stringify(s.recurring_groups));
        const g = s.recurring_groups[0];
        assert.equal(g.regime, 'nis2');
        assert.equal(g.lead.ref, e.ref);
        assert.deepEqual(
            g.members.map((m) => m.ref),
            [c.ref, e.ref],
        );
        assert.equal(g.combined.financial_loss_eur, 600000);
        assert.deepEqual(g.root_cause.label, { en: 'Human error', nl: 'Menselijke fout' });
        assert.equal(g.root_cause.text, cause.root_cause);
        assert.equal(s.quarters[0].root_causes.find((x) => x.category === 'human_error').incidents, 2);
        const csv = await api(d.url, viewer, 'GET', `${STATS}?format=csv&from=2031-07-01&to=2031-09-30`);
        assert.ok(csv.text.includes(`,Human error: ${cause.root_cause},${e.ref},${c.ref} ${e.ref}`), csv.text);
        await d.setClock({ system: true });
    });

    test('a reader limited to some TLP levels counts only the incidents it may see: the amber ones above its limit are not in the figures, the groups or the CSV', async () => {
        const r = cli(['token', 'create', '--name', 'st-green', '--role', 'viewer', '--tlp-max', 'green'], {
            dataDir: d.dataDir,
        });
        assert.equal(r.code, 0, r.stderr);
        const green = r.stdout.trim();
        const all = await getJson(d, viewer, STATS);
        assert.ok(all.quarters.length > 0 && all.recurring_groups.length > 0);
        const s = await getJson(d, green, STATS);
        assert.deepEqual(s.quarters, [], 'every incident here is amber (the default)');
        assert.deepEqual(s.recurring_groups, []);
        assert.equal(s.total.incidents, 0);
        const csv = await api(d.url, green, 'GET', `${STATS}?format=csv`);
        assert.ok(!/INC-/.test(csv.text), csv.text);
    });
});
