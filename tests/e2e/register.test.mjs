// SPDX-License-Identifier: EUPL-1.2
// register.test.mjs - the risk register against the running daemon: CRUD
// of every kind with validation, versions (If-Match), references checked on
// write and on delete, the threat catalogue, scoring, the risk matrix, what
// needs attention (overdue measures, lapsed training, suppliers without an
// alternative), exports, incident links with related scenarios and
// measures and the crown-jewel severity suggestion, roles and the audit
// chain.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, assertNoSanitizer, assertProblem, cli, startDaemon } from './lib/daemon.mjs';
import { BASE, createIncident, createToken, transition } from './lib/incidents.mjs';

const R = '/api/v1/register';

function assertFieldError(res, field) {
    assertProblem(res, 422);
    const fields = (res.json.errors ?? []).map((e) => e.field);
    assert.ok(fields.includes(field), `wanted an error on ${field}, got ${res.text}`);
}

describe('risk register', () => {
    let d, analyst, viewer, ingest;
    const ids = {};
    const create = async (plural, body, token = analyst) => {
        const res = await api(d.url, token, 'POST', `${R}/${plural}`, body);
        assert.equal(res.status, 201, `POST ${plural}: ${res.text}`);
        assert.equal(res.headers.get('location'), `${R}/${plural}/${res.json.id}`);
        assert.equal(res.headers.get('etag'), '"1"');
        return res.json;
    };

    before(async () => {
        d = await startDaemon();
        analyst = createToken(d, 'reg-analyst', 'analyst');
        viewer = createToken(d, 'reg-viewer', 'viewer');
        ingest = createToken(d, 'reg-ingest', 'ingest');
    });
    after(async () => {
        await d.stopClean();
    });

    test('assets: create with defaults, crown jewel, dependencies', async () => {
        const dc = await create('assets', { name: 'Data centre Utrecht', type: 'location', importance: 4 });
        assert.equal(dc.crown_jewel, false);
        assert.deepEqual(dc.depends_on, []);
        assert.equal(dc.owner, null);
        ids.dc = dc.id;
        const pay = await create('assets', {
            name: 'Payments',
            type: 'service',
            importance: 5,
            crown_jewel: true,
            owner: 'CFO',
            depends_on: [dc.id],
        });
        ids.pay = pay.id;
        const hr = await create('assets', { name: 'HR portal', type: 'service', importance: 2 });
        ids.hr = hr.id;
    });

    test('assets: validation names every field; nothing stored', async () => {
        const before = (await api(d.url, viewer, 'GET', `${R}/assets`)).json.items.length;
        const res = await api(d.url, analyst, 'POST', `${R}/assets`, {
            type: 'spaceship',
            importance: 6,
            crown_jewel: 'yes',
            depends_on: ['nope'],
            colour: 'red',
        });
        for (const f of ['name', 'type', 'importance', 'crown_jewel', 'depends_on[0]', 'colour']) assertFieldError(res, f);
        assertProblem(await api(d.url, analyst, 'POST', `${R}/assets`, '{"name":'), 400);
        assertFieldError(await api(d.url, analyst, 'POST', `${R}/assets`, { name: '', type: 'service', importance: 1 }), 'name');
        // a name is unique within its kind
        const dup = await api(d.url, analyst, 'POST', `${R}/assets`, { name: 'Payments', type: 'service', importance: 1 });
        assertProblem(dup, 409);
        assert.equal((await api(d.url, viewer, 'GET', `${R}/assets`)).json.items.length, before);
    });

    test('unknown kind and unknown id: 404', async () => {
        assertProblem(await api(d.url, viewer, 'GET', `${R}/spaceships`), 404);
        assertProblem(await api(d.url, viewer, 'GET', `${R}/assets/no-such-thing`), 404);
        // an id of another kind is not found under this kind
        assertProblem(await api(d.url, viewer, 'GET', `${R}/scenarios/${ids.pay}`), 404);
    });

    test('PUT replaces with If-Match; a stale version is 412', async () => {
        const got = await api(d.url, viewer, 'GET', `${R}/assets/${ids.hr}`);
        assert.equal(got.headers.get('etag'), '"1"');
        const body = { ...got.json, importance: 3 };
        const res = await api(d.url, analyst, 'PUT', `${R}/assets/${ids.hr}`, body, { 'if-match': '"1"' });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.importance, 3);
        assert.equal(res.json.version, 2);
        assert.equal(res.headers.get('etag'), '"2"');
        assertProblem(await api(d.url, analyst, 'PUT', `${R}/assets/${ids.hr}`, body, { 'if-match': '"1"' }), 412);
        assertProblem(await api(d.url, analyst, 'PUT', `${R}/assets/no-such-thing`, body), 404);
        // an item cannot depend on itself
        assertFieldError(
            await api(d.url, analyst, 'PUT', `${R}/assets/${ids.hr}`, { ...body, depends_on: [ids.hr] }),
            'depends_on[0]',
        );
    });

    test('threats: the shipped catalogue plus our own', async () => {
        const own = await create('threats', { name: 'Flooding of the Vecht', category: 'physical' });
        ids.threat = own.id;
        assertFieldError(await api(d.url, analyst, 'POST', `${R}/threats`, { name: 'x', category: 'cosmic' }), 'category');
        const res = await api(d.url, viewer, 'GET', `${R}/threats`);
        assert.equal(res.status, 200);
        const catalogue = res.json.items.filter((t) => t.source === 'catalogue');
        for (const id of ['flood', 'power_failure', 'sabotage', 'terrorism', 'ransomware', 'supplier_failure', 'insider', 'pandemic'])
            assert.ok(catalogue.some((t) => t.id === id), `catalogue has ${id}`);
        // one shape for every threat: name and description are text; the
        // catalogue's in ?lang= (default en), both languages under names, descriptions
        assert.ok(res.json.items.every((t) => typeof t.name === 'string'), res.text);
        assert.ok(catalogue.every((t) => t.names.en && t.names.nl && t.name === t.names.en));
        assert.ok(catalogue.every((t) => typeof t.description === 'string' && t.description === t.descriptions.en));
        const flood = catalogue.find((t) => t.id === 'flood');
        assert.equal(flood.name, 'Flooding');
        const nl = await api(d.url, viewer, 'GET', `${R}/threats?lang=nl`);
        assert.equal(nl.status, 200);
        assert.equal(nl.json.items.find((t) => t.id === 'flood').name, 'Overstroming');
        assert.equal(nl.json.items.find((t) => t.id === own.id).name, 'Flooding of the Vecht');
        assertProblem(await api(d.url, viewer, 'GET', `${R}/threats?lang=de`), 400);
        const listed = res.json.items.find((t) => t.source === 'register' && t.id === own.id);
        assert.ok(listed);
        // an item from the list goes back as it came (what the list adds is ignored)
        const put = await api(d.url, analyst, 'PUT', `${R}/threats/${own.id}`, { ...listed, description: 'river Vecht' });
        assert.equal(put.status, 200, put.text);
        assert.equal(put.json.description, 'river Vecht');
    });

    test('scenarios: threat x asset, inherent and residual score, treatment needs who and why', async () => {
        const s = await create('scenarios', {
            name: 'Ransomware stops payments',
            threat: 'ransomware',
            asset: ids.pay,
            likelihood: 4,
            impact: 5,
            residual_likelihood: 2,
            residual_impact: 5,
        });
        assert.equal(s.derived.inherent_score, 20);
        assert.equal(s.derived.inherent_level, 'critical');
        assert.equal(s.derived.residual_score, 10);
        assert.equal(s.derived.residual_level, 'high');
        ids.scen = s.id;
        const s2 = await create('scenarios', {
            name: 'Flood at the data centre',
            threat: ids.threat,
            asset: ids.dc,
            likelihood: 2,
            impact: 3,
            treatment: 'accept',
            decided_by: 'Board',
            decision_reason: 'Second site planned',
        });
        assert.equal(s2.derived.residual_score, 6);
        ids.scen2 = s2.id;
        const bad = await api(d.url, analyst, 'POST', `${R}/scenarios`, {
            name: 'bad',
            threat: 'meteor',
            asset: ids.threat,
            likelihood: 0,
            impact: 'high',
        });
        for (const f of ['threat', 'asset', 'likelihood', 'impact']) assertFieldError(bad, f);
        const undecided = await api(d.url, analyst, 'POST', `${R}/scenarios`, {
            name: 'undecided',
            threat: 'ddos',
            asset: ids.pay,
            likelihood: 1,
            impact: 1,
            treatment: 'accept',
        });
        assertFieldError(undecided, 'decided_by');
        assertFieldError(undecided, 'decision_reason');
        assertFieldError(
            await api(d.url, analyst, 'POST', `${R}/scenarios`, {
                name: 'half residual',
                threat: 'ddos',
                asset: ids.pay,
                likelihood: 1,
                impact: 1,
                residual_likelihood: 1,
            }),
            'residual_impact',
        );
    });

    test('measures: link to scenarios, overdue, continuity plan with RTO/RPO', async () => {
        const m = await create('measures', {
            name: 'Offline backups',
            type: 'recovery',
            status: 'implemented',
            scenarios: [ids.scen],
            owner: 'IT',
            evidence: 'restore test report',
            last_tested: '2026-06-01',
        });
        ids.measure = m.id;
        assert.equal(m.derived.overdue, false);
        const late = await create('measures', {
            name: 'Network segmentation',
            type: 'preventive',
            status: 'in_progress',
            scenarios: [ids.scen],
            due_date: '2020-01-01',
        });
        assert.equal(late.derived.overdue, true);
        ids.late = late.id;
        const bcp = await create('measures', {
            name: 'Payments continuity plan',
            type: 'recovery',
            status: 'tested',
            plan: 'continuity',
            recovery: [{ service: ids.pay, rto: 'PT4H', rpo: 'PT15M' }],
            due_date: '2020-01-01',
        });
        assert.equal(bcp.derived.overdue, false, 'a tested measure is not overdue');
        const bad = await api(d.url, analyst, 'POST', `${R}/measures`, {
            name: 'bad',
            type: 'magic',
            status: 'done',
            due_date: '2026-02-30',
            plan: 'whatever',
            recovery: [{ service: ids.pay, rto: '4 hours', rpo: 'PT1H' }],
            scenarios: [ids.pay],
        });
        for (const f of ['type', 'status', 'due_date', 'plan', 'recovery[0]', 'scenarios[0]']) assertFieldError(bad, f);
        // the scenario now shows the measures that address it
        const s = await api(d.url, viewer, 'GET', `${R}/scenarios/${ids.scen}`);
        assert.deepEqual(s.json.derived.measures.map((x) => x.name).sort(), ['Network segmentation', 'Offline backups']);
    });

    test('suppliers: an alternative, or its absence explicitly (flagged)', async () => {
        const s = await create('suppliers', {
            name: 'CloudPay BV',
            supplies: 'payment processing',
            services: [ids.pay],
            criticality: 'critical',
            contact: 'noc@cloudpay.example',
            no_alternative: true,
        });
        assert.equal(s.derived.no_alternative_risk, true);
        ids.supplier = s.id;
        const ok = await create('suppliers', {
            name: 'PowerCo',
            supplies: 'electricity',
            services: [ids.dc],
            criticality: 'high',
            alternative: 'Diesel generator contract with GenRent',
        });
        assert.equal(ok.derived.no_alternative_risk, false);
        assertFieldError(
            await api(d.url, analyst, 'POST', `${R}/suppliers`, { name: 'x', supplies: 'y', criticality: 'low' }),
            'alternative',
        );
        assertFieldError(
            await api(d.url, analyst, 'POST', `${R}/suppliers`, {
                name: 'x',
                supplies: 'y',
                criticality: 'low',
                alternative: 'z',
                no_alternative: true,
            }),
            'no_alternative',
        );
    });

    test('critical functions: people (names only) and lapsed training', async () => {
        const f = await create('functions', {
            name: 'Payments operator on duty',
            service: ids.pay,
            people: [
                { name: 'A. de Vries', trained_on: new Date().toISOString().slice(0, 10) },
                { name: 'B. Jansen', trained_on: '2024-01-15' },
                { name: 'C. Bakker', trained_on: null },
            ],
            training_interval_days: 365,
        });
        assert.deepEqual(f.derived.training_lapsed, ['B. Jansen', 'C. Bakker']);
        const bad = await api(d.url, analyst, 'POST', `${R}/functions`, {
            name: 'x',
            service: 'nope',
            people: [{ name: 'D', trained_on: 'yesterday' }, { name: 'E', email: 'e@x' }],
            training_interval_days: 0,
        });
        for (const f2 of ['service', 'people[0]', 'people[1]', 'training_interval_days']) assertFieldError(bad, f2);
    });

    test('risk matrix: counts per cell, inherent and residual, scenarios over the accepted level', async () => {
        const res = await api(d.url, viewer, 'GET', '/api/v1/risk-matrix');
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.accepted, 9);
        assert.equal(res.json.scenarios, 2);
        const cell = (m, l, i) => m[5 - l][i - 1];
        assert.equal(cell(res.json.inherent, 4, 5).count, 1);
        assert.equal(cell(res.json.inherent, 4, 5).level, 'critical');
        assert.equal(cell(res.json.residual, 2, 5).count, 1);
        assert.equal(cell(res.json.residual, 2, 3).count, 1);
        assert.deepEqual(res.json.over_accepted.map((s) => s.id), [ids.scen]);
        const strict = await api(d.url, viewer, 'GET', '/api/v1/risk-matrix?accepted=4');
        assert.deepEqual(strict.json.over_accepted.map((s) => s.residual_score), [10, 6]);
        assertProblem(await api(d.url, viewer, 'GET', '/api/v1/risk-matrix?accepted=26'), 400);
    });

    test('attention: overdue measures, lapsed training, suppliers without alternative', async () => {
        const res = await api(d.url, viewer, 'GET', '/api/v1/preparedness/attention');
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.json.overdue_measures.map((m) => m.id), [ids.late]);
        assert.deepEqual(res.json.training_lapsed[0].people, ['B. Jansen', 'C. Bakker']);
        assert.deepEqual(res.json.suppliers_without_alternative.map((s) => s.id), [ids.supplier]);
        assert.deepEqual(res.json.scenarios_over_accepted.map((s) => s.id), [ids.scen]);
        assert.deepEqual(res.json.untreated_scenarios.map((s) => s.id), [ids.scen]);
    });

    test('exports: the whole register as JSON, one kind as CSV', async () => {
        const j = await api(d.url, viewer, 'GET', `${R}/export`);
        assert.equal(j.status, 200);
        assert.match(j.headers.get('content-disposition'), /register\.json/);
        assert.equal(j.json.assets.length, 3);
        assert.equal(j.json.scenarios.length, 2);
        assert.equal(j.json.measures.length, 3);
        // kind: that kind only, as for CSV and HTML
        const js = await api(d.url, viewer, 'GET', `${R}/export?format=json&kind=scenarios`);
        assert.equal(js.status, 200);
        assert.deepEqual(Object.keys(js.json), ['scenarios']);
        assert.equal(js.json.scenarios.length, 2);
        assert.deepEqual(Object.keys((await api(d.url, viewer, 'GET', `${R}/export?kind=measures`)).json), ['measures']);
        const c = await api(d.url, viewer, 'GET', `${R}/export?format=csv&kind=scenarios`);
        assert.equal(c.status, 200);
        assert.match(c.headers.get('content-type'), /^text\/csv/);
        const lines = c.text.trim().split('\r\n');
        assert.equal(lines.length, 3);
        assert.match(lines[0], /^id,name,threat,asset,/);
        assert.ok(lines.some((l) => l.startsWith(`${ids.scen},Ransomware stops payments,ransomware,${ids.pay},`)));
        // printable pages: the register, and the measures plan alone
        const h = await api(d.url, viewer, 'GET', `${R}/export?format=html`);
        assert.equal(h.status, 200);
        assert.match(h.headers.get('content-type'), /^text\/html/);
        assert.match(h.text, /<h1>Risk register<\/h1>/);
        assert.match(h.text, /<h2>Risk scenarios<\/h2>/);
        // the residual heat map: likelihood 2 row, impact 3 and 5 hold one scenario each
        assert.match(h.text, /<tr><th scope="row">2<\/th><td title="low">0<\/td><td title="low">0<\/td><td title="medium">1<\/td><td title="medium">0<\/td><td title="high">1<\/td><\/tr>/);
        // references by name, scores and flags in words
        assert.match(h.text, /<th scope="row">Ransomware stops payments<\/th><td>ransomware<\/td><td>Payments<\/td>/);
        assert.match(h.text, /inherent 20 \(critical\), residual 10 \(high\)/);
        assert.match(h.text, /no alternative supplier: a risk/);
        assert.match(h.text, /training lapsed:<\/strong> B\. Jansen, C\. Bakker/);
        assert.match(h.text, /Payments: RTO PT4H, RPO PT15M/);
        const plan = await api(d.url, viewer, 'GET', `${R}/export?format=html&kind=measures`);
        assert.match(plan.text, /<h1>Measures plan<\/h1>/);
        assert.doesNotMatch(plan.text, /Risk scenarios/);
        assert.match(plan.text, /<strong>overdue<\/strong>/);
        assertProblem(await api(d.url, viewer, 'GET', `${R}/export?format=csv`), 400);
        assertProblem(await api(d.url, viewer, 'GET', `${R}/export?format=xml`), 400);
        // text that a spreadsheet would run is defused, and HTML is escaped
        const evil = await create('threats', { name: '=HYPERLINK("x")', category: 'digital', description: '<script>' });
        const ec = await api(d.url, viewer, 'GET', `${R}/export?format=csv&kind=threats`);
        assert.ok(ec.text.includes(`${evil.id},"'=HYPERLINK(""x"")"`), ec.text);
        const eh = await api(d.url, viewer, 'GET', `${R}/export?format=html`);
        assert.ok(!eh.text.includes('<script>'));
        assert.ok(eh.text.includes('&lt;script&gt;'));
        assert.equal((await api(d.url, analyst, 'DELETE', `${R}/threats/${evil.id}`)).status, 204);
        assertProblem(await api(d.url, viewer, 'GET', `${R}/export?kind=spaceships`), 400);
    });

    test('delete: refused while referenced (409), then allowed; 404 after', async () => {
        const del = await api(d.url, analyst, 'DELETE', `${R}/assets/${ids.dc}`);
        assertProblem(del, 409);
        assert.match(del.json.detail, /still refers/);
        const hr = await api(d.url, analyst, 'DELETE', `${R}/assets/${ids.hr}`);
        assert.equal(hr.status, 204);
        assertProblem(await api(d.url, analyst, 'DELETE', `${R}/assets/${ids.hr}`), 404);
    });

    test('incidents: affected assets and suppliers, related scenarios and measures, severity suggestion', async () => {
        const inc = await createIncident(d, analyst, { title: 'Payments down', severity: 'medium', tlp: 'amber' });
        let res = await api(d.url, analyst, 'POST', `${BASE}/${inc.id}/links`, { item: ids.supplier, relation: 'affects' });
        assert.equal(res.status, 201, res.text);
        // Location: the new link, where DELETE removes it
        assert.equal(res.headers.get('location'), `${BASE}/${inc.ref}/links/affects/${ids.supplier}`);
        // the supplier serves Payments, a crown jewel of importance 5
        assert.deepEqual(res.json.affected_assets.map((a) => a.id), [ids.pay]);
        assert.deepEqual(res.json.severity, { current: 'medium', suggested: 'critical', crown_jewel: 'Payments' });
        assert.deepEqual(res.json.scenarios.map((s) => s.id), [ids.scen]);
        assert.deepEqual(res.json.measures.map((m) => m.name).sort(), ['Network segmentation', 'Offline backups']);
        assertProblem(await api(d.url, analyst, 'POST', `${BASE}/${inc.id}/links`, { item: ids.supplier, relation: 'affects' }), 409);
        // the data centre: Payments depends on it
        res = await api(d.url, analyst, 'POST', `${BASE}/${inc.id}/links`, { item: ids.dc, relation: 'affects' });
        assert.deepEqual(res.json.affected_assets.map((a) => a.id).sort(), [ids.dc, ids.pay].sort());
        assert.deepEqual(res.json.scenarios.map((s) => s.id).sort(), [ids.scen, ids.scen2].sort());
        // validation: relation, kind of item, unknown item
        assertFieldError(await api(d.url, analyst, 'POST', `${BASE}/${inc.id}/links`, { item: ids.dc, relation: 'caused' }), 'relation');
        assertFieldError(await api(d.url, analyst, 'POST', `${BASE}/${inc.id}/links`, { item: ids.scen, relation: 'affects' }), 'item');
        assertFieldError(await api(d.url, analyst, 'POST', `${BASE}/${inc.id}/links`, { item: 'nope', relation: 'affects' }), 'item');
        assertFieldError(await api(d.url, analyst, 'POST', `${BASE}/${inc.id}/links`, { relation: 'affects' }), 'item');
        assertFieldError(await api(d.url, analyst, 'POST', `${BASE}/${inc.id}/links`, { item: ids.dc, relation: 'affects', x: 1 }), 'x');
        assertProblem(await api(d.url, analyst, 'POST', `${BASE}/no-such-thing/links`, { item: ids.dc, relation: 'affects' }), 404);
        // learning links wait for the incident to close
        res = await api(d.url, analyst, 'POST', `${BASE}/${inc.id}/links`, { item: ids.scen, relation: 'realised' });
        assertProblem(res, 409);
        for (const to of ['triage', 'confirmed', 'resolved', 'closed']) await transition(d, analyst, inc.id, to);
        res = await api(d.url, analyst, 'POST', `${BASE}/${inc.id}/links`, { item: ids.scen, relation: 'realised' });
        assert.equal(res.status, 201, res.text);
        assert.equal(res.json.scenarios.find((s) => s.id === ids.scen).realised, true);
        const newMeasure = await create('measures', { name: 'Second payment processor', type: 'recovery', status: 'planned' });
        res = await api(d.url, analyst, 'POST', `${BASE}/${inc.id}/links`, { item: newMeasure.id, relation: 'produced' });
        assert.equal(res.status, 201, res.text);
        assert.ok(res.json.measures.some((m) => m.id === newMeasure.id));
        assertFieldError(await api(d.url, analyst, 'POST', `${BASE}/${inc.id}/links`, { item: ids.scen, relation: 'produced' }), 'item');
        // the item shows its incidents; a linked item cannot be deleted
        const item = await api(d.url, viewer, 'GET', `${R}/measures/${newMeasure.id}`);
        assert.deepEqual(item.json.incidents, [{ incident: inc.ref, relation: 'produced' }]);
        // a token limited to TLP clear does not learn of this (amber) incident
        const r = cli(['token', 'create', '--name', 'reg-clear', '--role', 'viewer', '--tlp-max', 'clear'], {
            dataDir: d.dataDir,
        });
        assert.equal(r.code, 0, r.stderr);
        const limited = await api(d.url, r.stdout.trim(), 'GET', `${R}/measures/${newMeasure.id}`);
        assert.equal(limited.status, 200);
        assert.deepEqual(limited.json.incidents, []);
        assertProblem(await api(d.url, r.stdout.trim(), 'GET', `${BASE}/${inc.id}/preparedness`), 404);
        assertProblem(await api(d.url, analyst, 'DELETE', `${R}/measures/${newMeasure.id}`), 409);
        // the view for the detail page, and unlinking
        const view = await api(d.url, viewer, 'GET', `${BASE}/${inc.ref}/preparedness`);
        assert.equal(view.status, 200);
        assert.equal(view.json.links.length, 4);
        const un = await api(d.url, analyst, 'DELETE', `${BASE}/${inc.id}/links/produced/${newMeasure.id}`);
        assert.equal(un.status, 204);
        assertProblem(await api(d.url, analyst, 'DELETE', `${BASE}/${inc.id}/links/produced/${newMeasure.id}`), 404);
        // an unknown relation is a bad request, as it is for POST; nothing is removed
        const made = await api(d.url, analyst, 'DELETE', `${BASE}/${inc.id}/links/caused/${ids.supplier}`);
        assertFieldError(made, 'relation');
        assert.match(made.json.errors[0].message, /must be affects, realised or produced/);
        assert.equal((await api(d.url, viewer, 'GET', `${BASE}/${inc.id}/preparedness`)).json.links.length, 3);
        assert.equal((await api(d.url, analyst, 'DELETE', `${R}/measures/${newMeasure.id}`)).status, 204);
        // the incident's timeline shows what it was tied to and untied from
        const tl = await api(d.url, viewer, 'GET', `${BASE}/${inc.id}/timeline`);
        const links = tl.json.items.filter((e) => e.kind === 'note' && e.field === 'link').map((e) => e.note);
        assert.deepEqual(links, [
            "linked affects supplier 'CloudPay BV'",
            "linked affects asset 'Data centre Utrecht'",
            "linked realised scenario 'Ransomware stops payments'",
            "linked produced measure 'Second payment processor'",
            "unlinked produced measure 'Second payment processor'",
        ]);
        assertProblem(await api(d.url, viewer, 'GET', `${BASE}/no-such-thing/preparedness`), 404);
    });

    test('a new incident naming a crown-jewel service suggests a higher severity at once', async () => {
        const inc = await createIncident(d, analyst, { title: 'Checkout slow', severity: 'low', services: ['Payments', 'Mail'] });
        const view = await api(d.url, viewer, 'GET', `${BASE}/${inc.id}/preparedness`);
        assert.equal(view.status, 200, view.text);
        assert.deepEqual(view.json.links, []);
        assert.deepEqual(view.json.affected_assets.map((a) => a.name), ['Payments']);
        assert.deepEqual(view.json.severity, { current: 'low', suggested: 'critical', crown_jewel: 'Payments' });
        assert.deepEqual(view.json.scenarios.map((s) => s.id), [ids.scen]);
        // an ordinary service suggests nothing more
        const other = await createIncident(d, analyst, { title: 'Mail slow', severity: 'low', services: ['Mail'] });
        const v2 = await api(d.url, viewer, 'GET', `${BASE}/${other.id}/preparedness`);
        assert.deepEqual(v2.json.severity, { current: 'low', suggested: 'low', crown_jewel: null });
        assert.deepEqual(v2.json.affected_assets, []);
    });

    test('roles: viewers read, analysts write, ingest nothing', async () => {
        assertProblem(await api(d.url, viewer, 'POST', `${R}/assets`, { name: 'v', type: 'service', importance: 1 }), 403);
        assertProblem(await api(d.url, viewer, 'DELETE', `${R}/assets/${ids.pay}`), 403);
        assertProblem(await api(d.url, ingest, 'GET', `${R}/assets`), 403);
        assertProblem(await api(d.url, ingest, 'GET', '/api/v1/risk-matrix'), 403);
        assertProblem(await api(d.url, undefined, 'GET', `${R}/assets`), 401);
    });

    test('every change is audited; the chain verifies', async () => {
        const audit = await api(d.url, d.adminToken, 'GET', '/api/v1/audit?limit=500');
        const actions = new Set(audit.json.items.map((e) => e.action));
        for (const a of ['register.create', 'register.update', 'register.delete', 'incident.link', 'incident.unlink'])
            assert.ok(actions.has(a), `audit has ${a}`);
        const r = cli(['audit', 'verify'], { dataDir: d.dataDir });
        assertNoSanitizer(r.stderr, 'audit verify');
        assert.equal(r.code, 0, r.stderr);
    });
});

describe('register flags on the test clock', () => {
    // A daemon of its own whose clock stands still on 2027-03-31 and is
    // moved on by the test: "overdue" and "training lapsed" are judged
    // against the clock's date (UTC).
    const T0 = '2027-03-31T12:00:00Z';
    let d, analyst, viewer;
    const ids = {};
    before(async () => {
        d = await startDaemon({ env: { MELDPUNT_TEST_CLOCK: T0 } });
        analyst = createToken(d, 'clock-analyst', 'analyst');
        viewer = createToken(d, 'clock-viewer', 'viewer');
    });
    after(async () => {
        await d.stopClean();
    });
    const create = async (plural, body) => {
        const res = await api(d.url, analyst, 'POST', `${R}/${plural}`, body);
        assert.equal(res.status, 201, `POST ${plural}: ${res.text}`);
        return res.json;
    };
    const derived = async (plural, id) => {
        const res = await api(d.url, viewer, 'GET', `${R}/${plural}/${id}`);
        assert.equal(res.status, 200, res.text);
        return res.json.derived;
    };
    const attention = async () => {
        const res = await api(d.url, viewer, 'GET', '/api/v1/preparedness/attention');
        assert.equal(res.status, 200, res.text);
        return res.json;
    };

    test('on the due date and 365 days after training: not overdue, not lapsed', async () => {
        const svc = await create('assets', { name: 'Web shop', type: 'service', importance: 3 });
        const m = await create('measures', { name: 'WAF rules', type: 'preventive', status: 'planned', due_date: '2027-03-31' });
        const done = await create('measures', { name: 'Backups', type: 'recovery', status: 'implemented', due_date: '2027-03-31' });
        const f = await create('functions', {
            name: 'Shop operator',
            service: svc.id,
            people: [
                { name: 'E. Visser', trained_on: '2026-03-31' },
                { name: 'F. Smit', trained_on: '2027-01-10' },
            ],
            training_interval_days: 365,
        });
        Object.assign(ids, { m: m.id, done: done.id, f: f.id });
        assert.equal(m.derived.overdue, false, 'due today is not overdue');
        assert.equal(done.derived.overdue, false);
        assert.deepEqual(f.derived.training_lapsed, []);
        // the last second of the due date
        assert.equal(await d.setClock({ now: '2027-03-31T23:59:59Z' }), '2027-03-31T23:59:59Z');
        assert.equal((await derived('measures', ids.m)).overdue, false);
        assert.deepEqual((await derived('functions', ids.f)).training_lapsed, []);
        const a = await attention();
        assert.deepEqual(a.overdue_measures, []);
        assert.deepEqual(a.training_lapsed, []);
    });

    test('the next day: the open measure is overdue, the training of 366 days ago lapsed', async () => {
        assert.equal(await d.setClock({ advance: 'PT1S' }), '2027-04-01T00:00:00Z');
        assert.equal((await derived('measures', ids.m)).overdue, true);
        assert.equal((await derived('measures', ids.done)).overdue, false, 'an implemented measure is not overdue');
        assert.deepEqual((await derived('functions', ids.f)).training_lapsed, ['E. Visser']);
        let a = await attention();
        assert.deepEqual(a.overdue_measures.map((x) => x.id), [ids.m]);
        assert.deepEqual(a.training_lapsed.map((x) => [x.id, x.people]), [[ids.f, ['E. Visser']]]);
        // a year on, the other training has lapsed too
        await d.setClock({ advance: 'P1Y' });
        assert.deepEqual((await derived('functions', ids.f)).training_lapsed, ['E. Visser', 'F. Smit']);
        a = await attention();
        assert.deepEqual(a.training_lapsed[0].people, ['E. Visser', 'F. Smit']);
    });
});
