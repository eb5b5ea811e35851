// SPDX-License-Identifier: EUPL-1.2
// classification.test.mjs - the classification features against the running
// daemon: rule sets (GET /api/v1/rules, `meldpunt rules check`, start-up
// with a broken directory, SIGHUP reload), the organisation profile, the
// evaluation of an incident per regime with reasons, obligations and their
// deadlines, sticky significance and "not notifiable" decisions, frozen
// lateness, waiving, the closing guard, the classification history, the
// service registry, re-evaluation on a profile change, roles and the audit
// chain.
//
// The daemons read the small fixture rule files in fixtures/rules/ (regimes
// alpha, beta, gamma), so these tests do not depend on the legal rule
// content, which has its own tests.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
    api,
    assertCleanExit,
    assertNoSanitizer,
    assertProblem,
    cli,
    sqlite,
    startDaemon,
    tempDir,
    writeConfig,
} from './lib/daemon.mjs';
import { BASE, createIncident, createToken, iso, transition } from './lib/incidents.mjs';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'rules');
const HOUR = 3600e3;
const ORG = '/api/v1/organisation';
const RULES = '/api/v1/rules';
const DEADLINES = '/api/v1/deadlines';
const SERVICES = '/api/v1/services';

const rulesConfig = (dir) => `[rules]\ndir = ${dir}\n`;

/** A copy of the fixture rules in a fresh temporary directory. */
function copyRules() {
    const dir = tempDir('meldpunt-rules-');
    for (const f of fs.readdirSync(FIXTURES)) fs.copyFileSync(path.join(FIXTURES, f), path.join(dir, f));
    return dir;
}

/** Starts a daemon on the fixture rules (or dir). */
const startWithRules = (dir = FIXTURES) => startDaemon({ config: rulesConfig(dir) });

/** Asserts a 422 problem whose errors name field. */
function assertFieldError(res, field, what = '') {
    assertProblem(res, 422);
    assert.ok(Array.isArray(res.json.errors), `${what}: errors is a list: ${res.text}`);
    const fields = res.json.errors.map((e) => e.field);
    assert.ok(fields.includes(field), `${what}: wanted an error on ${field}, got ${JSON.stringify(res.json.errors)}`);
    for (const e of res.json.errors) assert.equal(typeof e.message, 'string');
}

/** The profile as a PUT body (GET's version and updated_at removed). */
async function profileBody(d) {
    const res = await api(d.url, d.adminToken, 'GET', ORG);
    assert.equal(res.status, 200, res.text);
    const body = { ...res.json };
    delete body.version;
    delete body.updated_at;
    return body;
}

/** Changes members of the profile as admin; returns the new profile. */
async function setProfile(d, changes) {
    const res = await api(d.url, d.adminToken, 'PUT', ORG, { ...(await profileBody(d)), ...changes });
    assert.equal(res.status, 200, `PUT profile: ${res.text}`);
    return res.json;
}

async function getJson(d, token, p) {
    const res = await api(d.url, token, 'GET', p);
    assert.equal(res.status, 200, `GET ${p}: ${res.text}`);
    return res.json;
}

const classification = (d, t, id) => getJson(d, t, `${BASE}/${id}/classification`);
const obligations = async (d, t, id) => (await getJson(d, t, `${BASE}/${id}/obligations`)).items;
const history = async (d, t, id) => (await getJson(d, t, `${BASE}/${id}/classification/history`)).items;
const timeline = async (d, t, id) => (await getJson(d, t, `${BASE}/${id}/timeline`)).items;
const regime = (cls, name) => {
    const r = cls.regimes.find((x) => x.regime === name);
    assert.ok(r, `regime ${name} in ${JSON.stringify(cls.regimes.map((x) => x.regime))}`);
    return r;
};
const status = (cls, name) => cls.status.find((x) => x.regime === name);
const byStage = (items, reg = 'alpha') =>
    Object.fromEntries(items.filter((o) => o.regime === reg).map((o) => [o.stage, o]));

async function patch(d, t, id, body) {
    const res = await api(d.url, t, 'PATCH', `${BASE}/${id}`, body);
    assert.equal(res.status, 200, `PATCH ${JSON.stringify(body)}: ${res.text}`);
    return res.json;
}

/** Walks an incident from detected to resolved. */
async function walkToResolved(d, t, id) {
    for (const to of ['triage', 'confirmed', 'resolved']) await transition(d, t, id, to);
}

// ---------------------------------------------------------------------------

describe('rules: GET /api/v1/rules, rules check, start-up, SIGHUP', () => {
    test('GET /api/v1/rules lists the fixture rule sets with versions and stage ids', async () => {
        const d = await startWithRules();
        try {
            const viewer = createToken(d, 'rules-viewer', 'viewer');
            const res = await api(d.url, viewer, 'GET', RULES);
            assert.equal(res.status, 200, res.text);
            assert.equal(res.json.dir, FIXTURES);
            const sets = Object.fromEntries(res.json.rule_sets.map((s) => [s.regime, s]));
            assert.deepEqual(Object.keys(sets).sort(), ['alpha', 'beta', 'gamma']);
            assert.equal(sets.alpha.version, 'alpha-1');
            assert.equal(sets.beta.version, 'beta-1');
            assert.equal(sets.gamma.version, 'gamma-1');
            assert.deepEqual(sets.alpha.stages, ['early_warning', 'notification', 'intermediate', 'final']);
            assert.deepEqual(sets.beta.stages, ['notification']);
            assert.deepEqual(sets.gamma.stages, ['initial']);
            assert.deepEqual(sets.alpha.title, { en: 'Alpha (test fixture)', nl: 'Alfa (testbestand)' });
            assert.equal(sets.alpha.source, 'tests/e2e fixture, not law');
            assert.equal(sets.alpha.file, path.join(FIXTURES, 'alpha.json'));
            for (const r of ['alpha', 'beta', 'gamma'])
                assert.match(d.stderr(), new RegExp(`msg=rules loaded regime=${r} version=${r}-1 `));
        } finally {
            await d.stopClean();
        }
    });

    test('meldpunt rules check: 0 on the fixtures, 1 with "FILE: $.path: reason" on a broken copy', () => {
        let r = cli(['rules', 'check', FIXTURES]);
        assertNoSanitizer(r.stderr, 'rules check');
        assert.equal(r.code, 0, r.stderr);
        for (const [reg, n] of [['alpha', 4], ['beta', 1], ['gamma', 1]])
            assert.match(r.stdout, new RegExp(`^OK ${reg} +${reg}-1 +${n} stages  .*${reg}\\.json$`, 'm'));

        const cases = [
            [
                'an unknown fact',
                (doc) => (doc.significant.any[0].left.fact = 'user_count'),
                /\$\.significant\.any\[0\]\.left\.fact: unknown fact 'user_count'/,
            ],
            [
                'an unknown recipient',
                (doc) => (doc.stages[1].recipient = 'nobody'),
                /\$\.stages\[1\]: unknown recipient role: not 'nobody'/,
            ],
            [
                'a bad duration',
                (doc) => (doc.stages[0].due[0].within = '24 hours'),
                /\$\.stages\[0\]\.due\[0\]: within '24 hours' is not an ISO 8601 duration/,
            ],
            ['no version', (doc) => delete doc.version, /\$\.version: is required/],
            [
                'a stage anchor naming no stage',
                (doc) => (doc.stages[3].due[0].after = 'stage:nope'),
                /\$\.stages\[3\]\.due\[0\]: anchor 'stage:nope' names no stage of this file/,
            ],
        ];
        for (const [what, breakIt, reason] of cases) {
            const dir = copyRules();
            const file = path.join(dir, 'alpha.json');
            const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
            breakIt(doc);
            fs.writeFileSync(file, JSON.stringify(doc, null, 2));
            r = cli(['rules', 'check', dir]);
            assertNoSanitizer(r.stderr, `rules check (${what})`);
            assert.equal(r.code, 1, `${what}: ${r.stdout}${r.stderr}`);
            const line = r.stderr.trim();
            assert.ok(line.includes(`${file}: $.`), `${what}: names the file and a JSON path: ${line}`);
            assert.match(line, reason, what);
        }

        // not JSON at all: the file, line and column
        const dir = copyRules();
        const file = path.join(dir, 'beta.json');
        fs.writeFileSync(file, '{"regime": "beta",');
        r = cli(['rules', 'check', dir]);
        assert.equal(r.code, 1, r.stderr);
        assert.ok(r.stderr.includes(`${file}: line `), r.stderr);
    });

    test('a daemon started with a broken rules directory exits non-zero naming the file', () => {
        const dir = copyRules();
        const file = path.join(dir, 'gamma.json');
        const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
        doc.stages[0].recipient = 'nobody';
        fs.writeFileSync(file, JSON.stringify(doc));
        const dataDir = path.join(tempDir(), 'data');
        let r = cli(['init', '--data', dataDir]);
        assert.equal(r.code, 0, r.stderr);
        const conf = writeConfig(rulesConfig(dir));
        r = cli(['serve', '--data', dataDir, '--listen', '127.0.0.1:0', '--config', conf], { timeout: 15000 });
        assertNoSanitizer(r.stderr, 'serve');
        assert.equal(r.signal, null, `serve was killed (it started?): ${r.stderr}`);
        assert.notEqual(r.code, 0, r.stderr);
        assert.ok(r.stderr.includes(`${file}: $.stages[0]: unknown recipient role: not 'nobody'`), r.stderr);
        assert.doesNotMatch(r.stderr, /msg=listening/);
    });

    test('SIGHUP: a changed file takes effect; a broken one keeps the rules in force', async () => {
        const dir = copyRules();
        const file = path.join(dir, 'alpha.json');
        const d = await startWithRules(dir);
        try {
            const t = createToken(d, 'hup-viewer', 'viewer');
            const version = async (reg) =>
                (await getJson(d, t, RULES)).rule_sets.find((s) => s.regime === reg)?.version;
            assert.equal(await version('alpha'), 'alpha-1');

            const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
            doc.version = 'alpha-2';
            doc.stages = doc.stages.filter((s) => s.id !== 'intermediate');
            fs.writeFileSync(file, JSON.stringify(doc, null, 2));
            let from = d.stderr().length;
            d.proc.kill('SIGHUP');
            await d.waitForLog(/msg=reloaded /, { from });
            assert.match(d.stderr().slice(from), /msg=rules loaded regime=alpha version=alpha-2 /);
            assert.equal(await version('alpha'), 'alpha-2');
            const alpha = (await getJson(d, t, RULES)).rule_sets.find((s) => s.regime === 'alpha');
            assert.deepEqual(alpha.stages, ['early_warning', 'notification', 'final']);

            doc.version = 'alpha-3';
            doc.stages[0].recipient = 'nobody';
            fs.writeFileSync(file, JSON.stringify(doc, null, 2));
            from = d.stderr().length;
            d.proc.kill('SIGHUP');
            await d.waitForLog(/msg=reloaded /, { from });
            const log = d.stderr().slice(from);
            assert.match(log, /reload of the rules failed/);
            assert.ok(log.includes(file), `the failure names the file: ${log}`);
            assert.doesNotMatch(log, /version=alpha-3/);
            assert.equal(await version('alpha'), 'alpha-2');
            assert.equal(await version('beta'), 'beta-1');
            assert.equal((await getJson(d, t, RULES)).rule_sets.length, 3);
        } finally {
            await d.stopClean();
        }
    });
});

// ---------------------------------------------------------------------------

describe('organisation profile', () => {
    let d;
    const tokens = {};

    before(async () => {
        d = await startWithRules();
        for (const role of ['viewer', 'analyst', 'manager', 'ingest']) tokens[role] = createToken(d, `org-${role}`, role);
    });
    after(async () => {
        await d?.stopClean();
    });

    const full = {
        name: 'Waterschap Test',
        country: 'NL',
        sector: 'drinking_water',
        subsector: 'distribution',
        nis2_class: 'essential',
        entity_types: ['cloud', 'data_centre'],
        cer_critical: true,
        dora_financial: false,
        annual_turnover_eur: 12500000.5,
        microenterprise: false,
        recipients: {
            csirt: { name: 'NCSC-NL', contact: 'cert@ncsc.nl' },
            supervisor: { name: 'ILT', contact: 'toezicht@ilent.nl' },
            dpa: { name: 'AP', contact: 'https://autoriteitpersoonsgegevens.nl' },
            cer_authority: { name: 'Min. IenW', contact: 'cer@minienw.nl' },
            financial_supervisor: { name: '', contact: '' },
        },
    };

    test('GET: the seeded default (NL, nothing answered yet: class and yes/no questions null), version 1, ETag', async () => {
        const res = await api(d.url, tokens.viewer, 'GET', ORG);
        assert.equal(res.status, 200, res.text);
        assert.equal(res.headers.get('etag'), '"1"');
        const p = res.json;
        assert.equal(p.country, 'NL');
        assert.equal(p.nis2_class, null, 'not determined yet, never "none"');
        assert.equal(p.version, 1);
        assert.deepEqual(p.entity_types, []);
        assert.equal(p.cer_critical, null);
        assert.equal(p.dora_financial, null);
        assert.equal(p.microenterprise, null);
        assert.equal(p.annual_turnover_eur, null);
        assert.equal(p.recipients.csirt.name, 'NCSC-NL');
        assert.match(p.updated_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    });

    test('roles: viewer GET 200, viewer/analyst/manager/ingest PUT 403, no token 401', async () => {
        const body = await profileBody(d);
        assert.equal((await api(d.url, tokens.viewer, 'GET', ORG)).status, 200);
        for (const role of ['viewer', 'analyst', 'manager', 'ingest'])
            assertProblem(await api(d.url, tokens[role], 'PUT', ORG, { ...body, name: role }), 403);
        assertProblem(await api(d.url, tokens.ingest, 'GET', ORG), 403);
        assertProblem(await api(d.url, null, 'GET', ORG), 401);
        assertProblem(await api(d.url, null, 'PUT', ORG, body), 401);
        assert.equal((await getJson(d, tokens.viewer, ORG)).version, 1, 'nothing changed');
    });

    test('PUT: 422 naming each bad field; nothing stored', async () => {
        const body = await profileBody(d);
        const missing = { ...body };
        delete missing.recipients;
        const cases = [
            [{ ...body, colour: 'blue' }, 'colour'],
            [{ ...body, nis2_class: 'very' }, 'nis2_class'],
            [{ ...body, entity_types: ['cloud', 'bakery'] }, 'entity_types'],
            [{ ...body, entity_types: 'cloud' }, 'entity_types'],
            [missing, 'recipients'],
            [{ ...body, country: 'nl' }, 'country'],
            [{ ...body, sector: 'fishing' }, 'sector'],
            [{ ...body, cer_critical: 'yes' }, 'cer_critical'],
            [{ ...body, annual_turnover_eur: -1 }, 'annual_turnover_eur'],
            [{ ...body, recipients: { ...body.recipients, police: { name: 'x', contact: 'y' } } }, 'recipients.police'],
            [{ ...body, recipients: { ...body.recipients, csirt: { name: 'x' } } }, 'recipients.csirt'],
        ];
        for (const [b, field] of cases) assertFieldError(await api(d.url, d.adminToken, 'PUT', ORG, b), field, field);

        // all at once: every one named
        const all = { ...body, colour: 1, nis2_class: 'x', entity_types: ['bakery'] };
        delete all.country;
        const res = await api(d.url, d.adminToken, 'PUT', ORG, all);
        for (const f of ['colour', 'nis2_class', 'entity_types', 'country']) assertFieldError(res, f, `all: ${f}`);
        assert.equal((await getJson(d, tokens.viewer, ORG)).version, 1, 'nothing stored');
    });

    test('PUT by admin with a full body: 200, version 2, ETag; stale If-Match 412', async () => {
        let res = await api(d.url, d.adminToken, 'PUT', ORG, full, { 'if-match': '"1"' });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.headers.get('etag'), '"2"');
        assert.equal(res.json.version, 2);
        const { version, updated_at, ...stored } = res.json;
        assert.deepEqual(stored, full);
        assert.ok(updated_at);
        assert.equal(version, 2);
        assert.deepEqual(await getJson(d, tokens.viewer, ORG), res.json);

        res = await api(d.url, d.adminToken, 'PUT', ORG, { ...full, name: 'stale' }, { 'if-match': '"1"' });
        assertProblem(res, 412);
        assert.equal((await getJson(d, tokens.viewer, ORG)).name, full.name);

        // GET's body may be sent back as is, with the right If-Match
        const got = await getJson(d, tokens.viewer, ORG);
        res = await api(d.url, d.adminToken, 'PUT', ORG, { ...got, microenterprise: true }, { 'if-match': '"2"' });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.version, 3);
        assert.equal(res.json.microenterprise, true);
        assert.equal(res.headers.get('etag'), '"3"');
    });
});

// ---------------------------------------------------------------------------

describe('classification of incidents', () => {
    let d;
    const tokens = {};

    before(async () => {
        d = await startWithRules();
        for (const role of ['viewer', 'analyst', 'manager', 'ingest']) tokens[role] = createToken(d, `cls-${role}`, role);
        // gamma applies to critical entities: this one is known not to be one
        const p = await setProfile(d, { nis2_class: 'essential', cer_critical: false });
        assert.equal(p.nis2_class, 'essential');
    });
    after(async () => {
        await d?.stopClean();
    });

    test('users_affected 150: alpha significant by a-users, beta undetermined, gamma does not apply; obligations', async () => {
        const t = tokens.analyst;
        const aware = iso(Date.now() - 2 * HOUR);
        const inc = await createIncident(d, t, { title: 'Outage', aware_at: aware, impact: { users_affected: 150 } });
        const cls = await classification(d, tokens.viewer, inc.id);
        assert.equal(cls.incident, inc.id);
        assert.equal(cls.ref, inc.ref);
        assert.deepEqual(cls.regimes.map((r) => r.regime), ['alpha', 'beta', 'gamma']);

        const alpha = regime(cls, 'alpha');
        assert.equal(alpha.version, 'alpha-1');
        assert.equal(alpha.applies, 'yes');
        assert.equal(alpha.significant, 'yes');
        const users = alpha.criteria.find((c) => c.id === 'a-users');
        assert.ok(users, JSON.stringify(alpha.criteria));
        assert.equal(users.result, 'yes');
        assert.deepEqual(users.conditions, [
            { left: 'users_affected', op: '>', threshold: 100, actual: 150, result: 'yes' },
        ]);
        assert.deepEqual(users.text, { en: 'More than 100 users affected', nl: 'Meer dan 100 gebruikers getroffen' });
        const deaths = alpha.criteria.find((c) => c.id === 'a-deaths');
        assert.equal(deaths.result, 'undetermined');

        const beta = regime(cls, 'beta');
        assert.equal(beta.applies, 'yes');
        assert.equal(beta.significant, 'undetermined');
        assert.deepEqual(beta.missing, ['personal_data_breach']);

        const gamma = regime(cls, 'gamma');
        assert.equal(gamma.applies, 'no');
        assert.equal(gamma.significant, 'no');

        // deadlines in the evaluation
        const stages = Object.fromEntries(alpha.stages.map((s) => [s.id, s]));
        assert.equal(stages.early_warning.due_at, iso(Date.parse(aware) + 24 * HOUR));
        assert.equal(stages.early_warning.asap, true);
        assert.equal(stages.notification.due_at, iso(Date.parse(aware) + 72 * HOUR));
        assert.equal(stages.final.due_at, null);
        assert.deepEqual(stages.final.waiting_for, ['stage:notification']);
        assert.equal(stages.intermediate.on_request, true);

        assert.deepEqual(status(cls, 'alpha').significant, 'yes');
        assert.ok(status(cls, 'alpha').classified_at);

        // the obligations: alpha only, no on_request stage
        const items = await obligations(d, tokens.viewer, inc.id);
        assert.deepEqual(items.map((o) => `${o.regime}/${o.stage}`).sort(), [
            'alpha/early_warning',
            'alpha/final',
            'alpha/notification',
        ]);
        const o = byStage(items);
        assert.equal(o.early_warning.due_at, iso(Date.parse(aware) + 24 * HOUR));
        assert.equal(o.early_warning.status, 'pending');
        assert.equal(o.early_warning.recipient, 'csirt');
        assert.equal(o.early_warning.asap, true);
        assert.equal(o.notification.due_at, iso(Date.parse(aware) + 72 * HOUR));
        assert.equal(o.notification.status, 'pending');
        assert.equal(o.final.due_at, null);
        assert.equal(o.final.status, 'pending');
        assert.equal(o.intermediate, undefined);
        for (const x of items) assert.equal(x.incident, inc.id);
        // soonest first, open due times last
        assert.deepEqual(items.map((x) => x.stage), ['early_warning', 'notification', 'final']);
        // the same list inside the classification
        assert.deepEqual(cls.obligations.map((x) => x.id).sort(), items.map((x) => x.id).sort());
    });

    test('GET /api/v1/deadlines: open obligations soonest first with incident_ref and title; before; bad before 400', async () => {
        const t = tokens.analyst;
        const aware = iso(Date.now() - 1 * HOUR);
        const title = `Deadlines ${process.pid}`;
        const inc = await createIncident(d, t, { title, aware_at: aware, impact: { deaths: 1 } });
        const all = (await getJson(d, tokens.viewer, DEADLINES)).items;
        const mine = all.filter((o) => o.incident === inc.id);
        assert.deepEqual(mine.map((o) => o.stage), ['early_warning', 'notification', 'final']);
        for (const o of mine) {
            assert.equal(o.incident_ref, inc.ref);
            assert.equal(o.incident_title, title);
            assert.equal(o.regime, 'alpha');
        }
        assert.equal(mine[0].due_at, iso(Date.parse(aware) + 24 * HOUR));
        // soonest first over all incidents; open due times last
        const dues = all.map((o) => o.due_at);
        const firstNull = dues.indexOf(null);
        const dated = firstNull < 0 ? dues : dues.slice(0, firstNull);
        if (firstNull >= 0) assert.ok(dues.slice(firstNull).every((x) => x === null), `nulls last: ${dues}`);
        assert.deepEqual(dated, [...dated].sort(), 'soonest first');
        for (const o of all) assert.ok(['pending', 'missed'].includes(o.status), `open only: ${o.status}`);

        const before = iso(Date.parse(aware) + 48 * HOUR);
        const some = (await getJson(d, tokens.viewer, `${DEADLINES}?before=${encodeURIComponent(before)}`)).items;
        assert.deepEqual(
            some.filter((o) => o.incident === inc.id).map((o) => o.stage),
            ['early_warning'],
        );
        for (const o of some) assert.ok(o.due_at !== null && o.due_at < before, `${o.due_at} < ${before}`);

        // another offset means the same instant
        const plus2 = new Date(Date.parse(aware) + 48 * HOUR + 2 * HOUR).toISOString().replace(/\.\d{3}Z$/, '+02:00');
        const some2 = (await getJson(d, tokens.viewer, `${DEADLINES}?before=${encodeURIComponent(plus2)}`)).items;
        assert.deepEqual(some2.filter((o) => o.incident === inc.id).map((o) => o.stage), ['early_warning']);

        for (const bad of ['tomorrow', '2026-13-01T00:00:00Z', '12345'])
            assertProblem(await api(d.url, tokens.viewer, 'GET', `${DEADLINES}?before=${encodeURIComponent(bad)}`), 400);
    });

    test('undetermined, then yes: missing facts, no obligations; a PATCH creates them; timeline entries', async () => {
        const t = tokens.analyst;
        const aware = iso(Date.now() - HOUR);
        const inc = await createIncident(d, t, { title: 'Unknown yet', aware_at: aware });
        let cls = await classification(d, t, inc.id);
        let alpha = regime(cls, 'alpha');
        assert.equal(alpha.applies, 'yes');
        assert.equal(alpha.significant, 'undetermined');
        assert.ok(alpha.missing.includes('users_affected'), JSON.stringify(alpha.missing));
        assert.ok(alpha.missing.includes('deaths'), JSON.stringify(alpha.missing));
        assert.equal(alpha.criteria.find((c) => c.id === 'a-users').result, 'undetermined');
        assert.equal(alpha.criteria.find((c) => c.id === 'a-deaths').result, 'undetermined');
        assert.equal(status(cls, 'alpha').classified_at ?? null, null);
        assert.deepEqual(await obligations(d, t, inc.id), []);
        assert.deepEqual(cls.obligations, []);

        await patch(d, t, inc.id, { impact: { users_affected: 500 } });
        cls = await classification(d, t, inc.id);
        alpha = regime(cls, 'alpha');
        assert.equal(alpha.significant, 'yes');
        assert.deepEqual(alpha.missing, []);
        assert.deepEqual(alpha.criteria.find((c) => c.id === 'a-users').conditions[0].actual, 500);
        assert.ok(status(cls, 'alpha').classified_at);
        const o = byStage(await obligations(d, t, inc.id));
        assert.deepEqual(Object.keys(o).sort(), ['early_warning', 'final', 'notification']);
        assert.equal(o.early_warning.due_at, iso(Date.parse(aware) + 24 * HOUR));

        const tl = await timeline(d, t, inc.id);
        // the timeline notes a regime becoming significant (not every
        // undetermined judgement: those are in the history)
        const clsEntries = tl.filter((e) => e.kind === 'classification' && e.field === 'alpha');
        assert.deepEqual(
            clsEntries.map((e) => [e.old ?? null, e.new]),
            [['undetermined', 'yes']],
        );
        const oblEntries = tl.filter((e) => e.kind === 'obligation');
        assert.deepEqual(oblEntries.map((e) => e.field).sort(), ['early_warning', 'final', 'notification']);
        // they come after the PATCH that caused them
        const changed = tl.findIndex((e) => e.kind === 'changed' && e.field === 'impact');
        assert.ok(changed >= 0);
        assert.ok(tl.indexOf(oblEntries[0]) > changed);
    });

    test('sticky significance; a manager\'s "not notifiable" decision waives the obligations', async () => {
        const aware = iso(Date.now() - HOUR);
        const inc = await createIncident(d, tokens.analyst, { title: 'Sticky', aware_at: aware, impact: { users_affected: 500 } });
        const first = await classification(d, tokens.viewer, inc.id);
        const classifiedAt = status(first, 'alpha').classified_at;
        assert.ok(classifiedAt);

        await patch(d, tokens.analyst, inc.id, { impact: { users_affected: 10, deaths: 0 } });
        let cls = await classification(d, tokens.viewer, inc.id);
        let alpha = regime(cls, 'alpha');
        assert.equal(alpha.significant, 'no', 'the evaluation itself says no');
        assert.equal(alpha.effective, 'yes', 'but the regime stays owed');
        assert.equal(status(cls, 'alpha').significant, 'no');
        assert.equal(status(cls, 'alpha').classified_at, classifiedAt);
        let items = await obligations(d, tokens.viewer, inc.id);
        assert.equal(items.length, 3);
        for (const o of items) assert.equal(o.status, 'pending', `${o.stage} still owed`);

        // validation and roles
        const url = `${BASE}/${inc.id}/decisions`;
        assertFieldError(await api(d.url, tokens.manager, 'POST', url, { regime: 'alpha', notifiable: false }), 'reason');
        assertFieldError(await api(d.url, tokens.manager, 'POST', url, { regime: 'alpha', notifiable: false, reason: '  ' }), 'reason');
        assertFieldError(await api(d.url, tokens.manager, 'POST', url, { regime: 'omega', notifiable: false, reason: 'x' }), 'regime');
        assertFieldError(await api(d.url, tokens.manager, 'POST', url, { regime: 'alpha', reason: 'x' }), 'notifiable');
        assertFieldError(await api(d.url, tokens.manager, 'POST', url, { regime: 'alpha', notifiable: false, reason: 'x', extra: 1 }), 'extra');
        assertProblem(await api(d.url, tokens.analyst, 'POST', url, { regime: 'alpha', notifiable: false, reason: 'x' }), 403);
        assertProblem(await api(d.url, tokens.viewer, 'POST', url, { regime: 'alpha', notifiable: false, reason: 'x' }), 403);
        assertProblem(await api(d.url, tokens.manager, 'POST', `${BASE}/nope/decisions`, { regime: 'alpha', notifiable: false, reason: 'x' }), 404);
        items = await obligations(d, tokens.viewer, inc.id);
        for (const o of items) assert.equal(o.status, 'pending', 'refused decisions change nothing');

        const reason = 'Only 10 users after all; the count of 500 was a typo';
        const res = await api(d.url, tokens.manager, 'POST', url, { regime: 'alpha', notifiable: false, reason });
        assert.equal(res.status, 200, res.text);
        const st = status(res.json, 'alpha');
        assert.equal(st.decision, 'not_notifiable');
        assert.equal(st.decision_reason, reason);
        assert.equal(st.decided_by, 'token:cls-manager');
        assert.equal(regime(res.json, 'alpha').effective, 'no');

        items = await obligations(d, tokens.viewer, inc.id);
        assert.equal(items.length, 3);
        for (const o of items) {
            assert.equal(o.status, 'waived', o.stage);
            assert.ok(o.waived_reason.includes(reason), o.waived_reason);
            assert.equal(o.waived_by, 'token:cls-manager');
            assert.ok(o.waived_at);
        }
        const tl = await timeline(d, tokens.viewer, inc.id);
        const dec = tl.find((e) => e.kind === 'decision');
        assert.ok(dec, JSON.stringify(tl));
        assert.equal(dec.field, 'alpha');
        assert.equal(dec.new, 'not_notifiable');
        assert.equal(dec.note, reason);
        // no longer owed: gone from the dashboard, and it may close
        const open = (await getJson(d, tokens.viewer, DEADLINES)).items.filter((o) => o.incident === inc.id);
        assert.deepEqual(open, []);
        await walkToResolved(d, tokens.analyst, inc.id);
        await transition(d, tokens.analyst, inc.id, 'closed');
    });

    test('missed is frozen: past deadlines are missed at once and stay so when aware_at moves', async () => {
        const t = tokens.analyst;
        const aware = iso(Date.now() - 73 * HOUR);
        const inc = await createIncident(d, t, { title: 'Late', aware_at: aware, impact: { users_affected: 150 } });
        let o = byStage(await obligations(d, t, inc.id));
        const ew = iso(Date.parse(aware) + 24 * HOUR);
        const nt = iso(Date.parse(aware) + 72 * HOUR);
        assert.equal(o.early_warning.status, 'missed');
        assert.equal(o.early_warning.due_at, ew);
        assert.equal(o.early_warning.missed_at, ew);
        assert.equal(o.notification.status, 'missed');
        assert.equal(o.notification.missed_at, nt);
        assert.equal(o.final.status, 'pending');
        assert.ok(o.early_warning.seconds_left < 0);

        await patch(d, t, inc.id, { aware_at: iso(Date.now()) });
        o = byStage(await obligations(d, t, inc.id));
        assert.equal(o.early_warning.status, 'missed');
        assert.equal(o.early_warning.missed_at, ew);
        assert.equal(o.notification.status, 'missed');
        assert.equal(o.notification.missed_at, nt);

        // still on the dashboard: missed, not submitted
        const dl = (await getJson(d, tokens.viewer, DEADLINES)).items.filter((x) => x.incident === inc.id);
        assert.deepEqual(dl.map((x) => `${x.stage}:${x.status}`), ['early_warning:missed', 'notification:missed', 'final:pending']);
    });

    test('waive: manager 200 waived with the reason; again 409; no reason 422; wrong oid 404; analyst 403', async () => {
        const inc = await createIncident(d, tokens.analyst, { title: 'Waive', aware_at: iso(Date.now() - HOUR), impact: { deaths: 1 } });
        const other = await createIncident(d, tokens.analyst, { title: 'Other', aware_at: iso(Date.now() - HOUR), impact: { deaths: 2 } });
        const o = byStage(await obligations(d, tokens.viewer, inc.id));
        const oOther = byStage(await obligations(d, tokens.viewer, other.id));
        const url = (oid, id = inc.id) => `${BASE}/${id}/obligations/${oid}/waive`;
        const oid = o.early_warning.id;

        assertFieldError(await api(d.url, tokens.manager, 'POST', url(oid), {}), 'reason');
        assertFieldError(await api(d.url, tokens.manager, 'POST', url(oid), { reason: ' \n ' }), 'reason');
        assertFieldError(await api(d.url, tokens.manager, 'POST', url(oid), { reason: 'x', colour: 1 }), 'colour');
        assertProblem(await api(d.url, tokens.analyst, 'POST', url(oid), { reason: 'x' }), 403);
        assertProblem(await api(d.url, tokens.viewer, 'POST', url(oid), { reason: 'x' }), 403);
        assertProblem(await api(d.url, tokens.ingest, 'POST', url(oid), { reason: 'x' }), 403);
        assertProblem(await api(d.url, tokens.manager, 'POST', url('00000000-0000-7000-8000-000000000000'), { reason: 'x' }), 404);
        // an obligation of another incident is not found under this one
        assertProblem(await api(d.url, tokens.manager, 'POST', url(oOther.early_warning.id), { reason: 'x' }), 404);
        assertProblem(await api(d.url, tokens.manager, 'POST', url(oid, 'nope'), { reason: 'x' }), 404);
        assert.equal(byStage(await obligations(d, tokens.viewer, inc.id)).early_warning.status, 'pending');
        assert.equal(byStage(await obligations(d, tokens.viewer, other.id)).early_warning.status, 'pending');

        const reason = 'Reported by phone to the CSIRT duty officer';
        const res = await api(d.url, tokens.manager, 'POST', url(oid), { reason });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.id, oid);
        assert.equal(res.json.status, 'waived');
        assert.equal(res.json.waived_reason, reason);
        assert.equal(res.json.waived_by, 'token:cls-manager');
        assert.ok(res.json.waived_at);
        const now = byStage(await obligations(d, tokens.viewer, inc.id));
        assert.equal(now.early_warning.status, 'waived');
        assert.equal(now.early_warning.waived_reason, reason);
        assert.equal(now.notification.status, 'pending');

        assertProblem(await api(d.url, tokens.manager, 'POST', url(oid), { reason: 'again' }), 409);
        assert.equal(byStage(await obligations(d, tokens.viewer, inc.id)).early_warning.waived_reason, reason);

        const tl = await timeline(d, tokens.viewer, inc.id);
        const w = tl.find((e) => e.kind === 'obligation' && e.new === 'waived');
        assert.ok(w, JSON.stringify(tl));
        assert.equal(w.field, 'early_warning');
        assert.equal(w.note, reason);
        // by ref too, and by an admin
        const res2 = await api(d.url, d.adminToken, 'POST', url(now.notification.id, inc.ref), { reason: 'admin' });
        assert.equal(res2.status, 200, res2.text);
        // waived ones leave the dashboard
        const dl = (await getJson(d, tokens.viewer, DEADLINES)).items.filter((x) => x.incident === inc.id);
        assert.deepEqual(dl.map((x) => x.stage), ['final']);
    });

    test('closing guard: 409 naming the open reports; after waiving all of them, closed', async () => {
        const inc = await createIncident(d, tokens.analyst, { title: 'Close me', aware_at: iso(Date.now() - HOUR), impact: { users_affected: 101 } });
        await walkToResolved(d, tokens.analyst, inc.id);
        let res = await api(d.url, tokens.analyst, 'POST', `${BASE}/${inc.id}/transitions`, { to: 'closed' });
        assertProblem(res, 409);
        for (const s of ['early_warning', 'notification', 'final']) assert.ok(res.json.detail.includes(`alpha ${s}`), res.json.detail);
        assert.match(res.json.detail, /\b3 reports are neither submitted nor waived/);
        assert.ok(res.json.errors?.some((e) => e.field === 'to'), res.text);
        assert.equal((await getJson(d, tokens.viewer, `${BASE}/${inc.id}`)).state, 'resolved');

        const items = await obligations(d, tokens.viewer, inc.id);
        for (const [i, o] of items.entries()) {
            const r = await api(d.url, tokens.manager, 'POST', `${BASE}/${inc.id}/obligations/${o.id}/waive`, { reason: `handled outside meldpunt ${i}` });
            assert.equal(r.status, 200, r.text);
            if (i < items.length - 1) {
                res = await api(d.url, tokens.analyst, 'POST', `${BASE}/${inc.id}/transitions`, { to: 'closed' });
                assertProblem(res, 409);
                assert.ok(!res.json.detail.includes(`alpha ${o.stage}`), `waived ${o.stage} is no longer named: ${res.json.detail}`);
            }
        }
        const closed = await transition(d, tokens.analyst, inc.id, 'closed');
        assert.equal(closed.state, 'closed');
    });

    test('an incident that owes nothing closes without waivers', async () => {
        const inc = await createIncident(d, tokens.analyst, { title: 'Harmless', impact: { users_affected: 3, deaths: 0, personal_data_breach: false } });
        assert.deepEqual(await obligations(d, tokens.viewer, inc.id), []);
        await walkToResolved(d, tokens.analyst, inc.id);
        assert.equal((await transition(d, tokens.analyst, inc.id, 'closed')).state, 'closed');
    });

    test('history: an entry when the outcome or the inputs moved, each with rules versions and inputs (replayable)', async () => {
        const t = tokens.analyst;
        const aware = iso(Date.now() - HOUR);
        const inc = await createIncident(d, t, { title: 'History', aware_at: aware, impact: { users_affected: 50, deaths: 0 } });
        let h = await history(d, tokens.viewer, inc.id);
        assert.equal(h.length, 1);

        await patch(d, t, inc.id, { title: 'History (renamed)' }); // no fact: no entry
        await patch(d, t, inc.id, { description: 'More words', severity: 'high' }); // severity is a fact
        await patch(d, t, inc.id, { impact: { users_affected: 60 } }); // still not significant
        h = await history(d, tokens.viewer, inc.id);
        assert.equal(h.length, 3, `one per change of the inputs: ${JSON.stringify(h.map((x) => x.incident_version))}`);

        await patch(d, t, inc.id, { impact: { users_affected: 150 } });
        await patch(d, t, inc.id, { title: 'History (again)' });
        await patch(d, t, inc.id, { impact: { personal_data_breach: true } });
        h = await history(d, tokens.viewer, inc.id);
        assert.equal(h.length, 5, JSON.stringify(h.map((x) => x.incident_version)));

        const sig = (e, r) => e.result.find((x) => x.regime === r).significant;
        assert.deepEqual(h.map((e) => sig(e, 'alpha')), ['no', 'no', 'no', 'yes', 'yes']);
        assert.deepEqual(h.map((e) => sig(e, 'beta')), ['undetermined', 'undetermined', 'undetermined', 'undetermined', 'yes']);
        assert.deepEqual(h.map((e) => e.inputs.facts.users_affected), [50, 50, 60, 150, 150]);
        assert.deepEqual(h.map((e) => e.inputs.facts.personal_data_breach), [undefined, undefined, undefined, undefined, true]);
        assert.deepEqual(h.map((e) => e.inputs.facts.severity), [h[0].inputs.facts.severity, 'high', 'high', 'high', 'high']);
        for (const [i, e] of h.entries()) {
            assert.deepEqual(e.rules, { alpha: 'alpha-1', beta: 'beta-1', gamma: 'gamma-1' });
            assert.equal(e.inputs.profile.nis2_class, 'essential');
            assert.equal(e.inputs.profile.country, 'NL');
            assert.equal(e.inputs.facts.deaths, 0);
            assert.equal(typeof e.profile_version, 'number');
            assert.match(e.evaluated_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
            if (i > 0) {
                assert.ok(e.seq > h[i - 1].seq);
                assert.ok(e.incident_version > h[i - 1].incident_version);
            }
        }
        assert.equal(h[0].incident_version, 1);
        // the current classification is the last entry's result
        const cls = await classification(d, tokens.viewer, inc.id);
        assert.equal(regime(cls, 'beta').significant, 'yes');
        assert.deepEqual(
            byStage(await obligations(d, tokens.viewer, inc.id), 'beta').notification.due_at,
            iso(Date.parse(aware) + 72 * HOUR),
        );
    });

    test('roles on every classification route; no token 401', async () => {
        const inc = await createIncident(d, tokens.analyst, { title: 'Roles', aware_at: iso(Date.now() - HOUR), impact: { users_affected: 1000 } });
        const items = await obligations(d, tokens.viewer, inc.id);
        assert.equal(items.length, 3);
        const reads = [
            `${BASE}/${inc.id}/classification`,
            `${BASE}/${inc.ref}/classification`,
            `${BASE}/${inc.id}/classification/history`,
            `${BASE}/${inc.id}/obligations`,
            DEADLINES,
            SERVICES,
            RULES,
            ORG,
        ];
        for (const role of ['viewer', 'analyst', 'manager']) {
            for (const p of reads) assert.equal((await api(d.url, tokens[role], 'GET', p)).status, 200, `${role} GET ${p}`);
        }
        for (const p of reads) assert.equal((await api(d.url, d.adminToken, 'GET', p)).status, 200, `admin GET ${p}`);
        for (const p of reads) assertProblem(await api(d.url, tokens.ingest, 'GET', p), 403);

        const waive = (o) => `${BASE}/${inc.id}/obligations/${o.id}/waive`;
        const decide = `${BASE}/${inc.id}/decisions`;
        for (const role of ['viewer', 'analyst', 'ingest']) {
            assertProblem(await api(d.url, tokens[role], 'POST', waive(items[0]), { reason: 'x' }), 403);
            assertProblem(await api(d.url, tokens[role], 'POST', decide, { regime: 'alpha', notifiable: false, reason: 'x' }), 403);
            assertProblem(await api(d.url, tokens[role], 'PUT', `${SERVICES}/svc-${role}`, { member_states: [] }), 403);
            assertProblem(await api(d.url, tokens[role], 'DELETE', `${SERVICES}/svc-${role}`), 403);
        }
        assertProblem(await api(d.url, tokens.manager, 'PUT', `${SERVICES}/svc-manager`, { member_states: [] }), 403);
        assertProblem(await api(d.url, tokens.manager, 'PUT', ORG, await profileBody(d)), 403);
        for (const o of items) assert.equal(o.status, 'pending');

        // manager and admin decide and waive
        let r = await api(d.url, tokens.manager, 'POST', waive(items[0]), { reason: 'manager' });
        assert.equal(r.status, 200, r.text);
        r = await api(d.url, d.adminToken, 'POST', waive(items[1]), { reason: 'admin' });
        assert.equal(r.status, 200, r.text);
        r = await api(d.url, d.adminToken, 'POST', decide, { regime: 'beta', notifiable: false, reason: 'no personal data' });
        assert.equal(r.status, 200, r.text);
        r = await api(d.url, d.adminToken, 'PUT', `${SERVICES}/svc-admin`, { description: 'x', member_states: [] });
        assert.equal(r.status, 201, r.text);
        r = await api(d.url, d.adminToken, 'DELETE', `${SERVICES}/svc-admin`);
        assert.equal(r.status, 204, r.text);

        const all = [
            ['GET', `${BASE}/${inc.id}/classification`],
            ['GET', `${BASE}/${inc.id}/classification/history`],
            ['GET', `${BASE}/${inc.id}/obligations`],
            ['POST', waive(items[2]), { reason: 'x' }],
            ['POST', decide, { regime: 'alpha', notifiable: false, reason: 'x' }],
            ['GET', DEADLINES],
            ['GET', SERVICES],
            ['GET', `${SERVICES}/mail`],
            ['PUT', `${SERVICES}/mail`, { member_states: [] }],
            ['DELETE', `${SERVICES}/mail`],
            ['GET', ORG],
            ['PUT', ORG, await profileBody(d)],
            ['GET', RULES],
        ];
        for (const [m, p, b] of all) {
            const res = await api(d.url, null, m, p, b);
            assertProblem(res, 401);
            assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer /);
        }
        assert.equal(byStage(await obligations(d, tokens.viewer, inc.id)).final.status, 'pending');
    });

    test('404s: classification routes of an unknown incident', async () => {
        for (const p of ['/classification', '/classification/history', '/obligations'])
            assertProblem(await api(d.url, tokens.viewer, 'GET', `${BASE}/nope${p}`), 404);
    });

    test('meldpunt audit verify OK after everything', () => {
        const r = cli(['audit', 'verify'], { dataDir: d.dataDir });
        assertNoSanitizer(r.stderr, 'audit verify');
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^OK \d+ entries, head \d+ [0-9a-f]{64}\n$/);
    });
});

// ---------------------------------------------------------------------------

describe('service registry', () => {
    let d;
    const tokens = {};

    before(async () => {
        d = await startWithRules();
        for (const role of ['viewer', 'analyst']) tokens[role] = createToken(d, `svc-${role}`, role);
        await setProfile(d, { nis2_class: 'essential', cer_critical: true });
    });
    after(async () => {
        await d?.stopClean();
    });

    test('PUT 201 then 200, GET list and one, 422 on bad fields, viewer 403, DELETE 204 then 404', async () => {
        const body = { description: 'Mail for everybody', users_total: 40000, critical: true, member_states: ['NL'] };
        let res = await api(d.url, d.adminToken, 'PUT', `${SERVICES}/mail`, body);
        assert.equal(res.status, 201, res.text);
        assert.equal(res.json.name, 'mail');
        assert.equal(res.json.description, body.description);
        assert.equal(res.json.users_total, 40000);
        assert.equal(res.json.critical, true);
        assert.deepEqual(res.json.member_states, ['NL']);
        assert.equal(res.json.updated_by, 'token:admin');

        res = await api(d.url, d.adminToken, 'PUT', `${SERVICES}/mail`, { ...body, users_total: 41000, member_states: ['NL', 'BE'], name: 'mail' });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.users_total, 41000);
        assert.deepEqual(res.json.member_states, ['NL', 'BE']);

        res = await api(d.url, d.adminToken, 'PUT', `${SERVICES}/web`, { description: 'Website', users_total: null, critical: false, member_states: [] });
        assert.equal(res.status, 201, res.text);

        const list = (await getJson(d, tokens.viewer, SERVICES)).items;
        assert.deepEqual(list.map((s) => s.name), ['mail', 'web']);
        assert.equal(list[0].users_total, 41000);
        assert.equal(list[1].users_total, null);
        const one = await getJson(d, tokens.viewer, `${SERVICES}/mail`);
        assert.deepEqual(one, list[0]);
        assertProblem(await api(d.url, tokens.viewer, 'GET', `${SERVICES}/nope`), 404);

        const bad = [
            [{ ...body, users_total: -1 }, 'users_total'],
            [{ ...body, users_total: 1.5 }, 'users_total'],
            [{ ...body, users_total: '40000' }, 'users_total'],
            [{ ...body, critical: 'yes' }, 'critical'],
            [{ ...body, member_states: ['nl'] }, 'member_states'],
            [{ ...body, member_states: 'NL' }, 'member_states'],
            [{ ...body, description: 7 }, 'description'],
            [{ ...body, colour: 'red' }, 'colour'],
            [{ ...body, name: 'other' }, 'name'],
        ];
        for (const [b, field] of bad) assertFieldError(await api(d.url, d.adminToken, 'PUT', `${SERVICES}/mail`, b), field, field);
        assert.equal((await getJson(d, tokens.viewer, `${SERVICES}/mail`)).users_total, 41000, 'nothing stored');

        assertProblem(await api(d.url, tokens.viewer, 'PUT', `${SERVICES}/mail`, body), 403);
        assertProblem(await api(d.url, tokens.analyst, 'PUT', `${SERVICES}/mail`, body), 403);
        assertProblem(await api(d.url, tokens.viewer, 'DELETE', `${SERVICES}/mail`), 403);

        res = await api(d.url, d.adminToken, 'DELETE', `${SERVICES}/web`);
        assert.equal(res.status, 204, res.text);
        assert.equal(res.text, '');
        assertProblem(await api(d.url, d.adminToken, 'DELETE', `${SERVICES}/web`), 404);
        assertProblem(await api(d.url, tokens.viewer, 'GET', `${SERVICES}/web`), 404);
        assert.deepEqual((await getJson(d, tokens.viewer, SERVICES)).items.map((s) => s.name), ['mail']);
    });

    test('an incident naming a registered service gets users_total and critical_service_affected; gamma significant via the registry', async () => {
        const res = await api(d.url, d.adminToken, 'PUT', `${SERVICES}/mail`, {
            description: 'Mail for everybody',
            users_total: 40000,
            critical: true,
            member_states: ['NL'],
        });
        assert.ok([200, 201].includes(res.status), res.text);

        const inc = await createIncident(d, tokens.analyst, {
            title: 'Mail down',
            aware_at: iso(Date.now() - HOUR),
            services: ['mail'],
            impact: { users_affected: 5 },
        });
        const h = await history(d, tokens.viewer, inc.id);
        const facts = h.at(-1).inputs.facts;
        assert.equal(facts.users_total, 40000);
        assert.equal(facts.critical_service_affected, true);
        assert.equal(facts.users_affected, 5);
        assert.deepEqual(facts.services, ['mail']);
        assert.equal(h.at(-1).inputs.profile.cer_critical, true);
        // the incident itself is unchanged: the registry only feeds the rules
        const got = await getJson(d, tokens.viewer, `${BASE}/${inc.id}`);
        assert.deepEqual(got.impact, { users_affected: 5 });

        const cls = await classification(d, tokens.viewer, inc.id);
        const gamma = regime(cls, 'gamma');
        assert.equal(gamma.applies, 'yes');
        assert.equal(gamma.significant, 'yes');
        assert.equal(gamma.criteria.find((c) => c.id === 'g-critical').result, 'yes');
        const classifiedAt = status(cls, 'gamma').classified_at;
        assert.ok(classifiedAt);
        const o = byStage(await obligations(d, tokens.viewer, inc.id), 'gamma');
        assert.equal(o.initial.recipient, 'cer_authority');
        assert.equal(o.initial.due_at, iso(Date.parse(classifiedAt) + 24 * HOUR));
        assert.equal(o.initial.status, 'pending');

        // the incident's own facts win over the registry
        const own = await createIncident(d, tokens.analyst, {
            title: 'Mail partly down',
            services: ['mail'],
            impact: { users_affected: 5, users_total: 77, critical_service_affected: false },
        });
        const f2 = (await history(d, tokens.viewer, own.id)).at(-1).inputs.facts;
        assert.equal(f2.users_total, 77);
        assert.equal(f2.critical_service_affected, false);
        assert.equal(regime(await classification(d, tokens.viewer, own.id), 'gamma').significant, 'no');

        // an unregistered service gives nothing
        const unk = await createIncident(d, tokens.analyst, { title: 'Unknown svc', services: ['not-registered'], impact: { users_affected: 5 } });
        const f3 = (await history(d, tokens.viewer, unk.id)).at(-1).inputs.facts;
        assert.equal(f3.users_total, undefined);
        assert.equal(f3.critical_service_affected, undefined);
        const g3 = regime(await classification(d, tokens.viewer, unk.id), 'gamma');
        assert.equal(g3.significant, 'undetermined');
        assert.ok(g3.missing.includes('critical_service_affected'), JSON.stringify(g3.missing));
    });

    test('registering a service re-evaluates the open incidents naming it', async () => {
        const inc = await createIncident(d, tokens.analyst, { title: 'Payroll down', services: ['payroll'], impact: { users_affected: 9 } });
        assert.equal(regime(await classification(d, tokens.viewer, inc.id), 'gamma').significant, 'undetermined');
        const res = await api(d.url, d.adminToken, 'PUT', `${SERVICES}/payroll`, { users_total: 300, critical: true, member_states: ['NL'] });
        assert.equal(res.status, 201, res.text);
        const cls = await classification(d, tokens.viewer, inc.id);
        assert.equal(regime(cls, 'gamma').significant, 'yes');
        const h = await history(d, tokens.viewer, inc.id);
        assert.equal(h.at(-1).inputs.facts.users_total, 300);
        assert.equal(byStage(await obligations(d, tokens.viewer, inc.id), 'gamma').initial.status, 'pending');
    });

    test('meldpunt audit verify OK', () => {
        const r = cli(['audit', 'verify'], { dataDir: d.dataDir });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^OK \d+ entries/);
    });
});

// ---------------------------------------------------------------------------

describe('re-evaluation on a profile change', () => {
    let d;
    let analyst;

    before(async () => {
        d = await startWithRules();
        analyst = createToken(d, 'prof-analyst', 'analyst');
        await setProfile(d, { nis2_class: 'essential' });
    });
    after(async () => {
        await d?.stopClean();
    });

    test('nis2_class none: an open incident\'s classification shows alpha applies "no"', async () => {
        const inc = await createIncident(d, analyst, { title: 'Small', aware_at: iso(Date.now() - HOUR), impact: { users_affected: 5, deaths: 0 } });
        let cls = await classification(d, analyst, inc.id);
        assert.equal(regime(cls, 'alpha').applies, 'yes');
        assert.equal(regime(cls, 'alpha').significant, 'no');

        const p = await setProfile(d, { nis2_class: 'none' });
        assert.equal(p.nis2_class, 'none');
        cls = await classification(d, analyst, inc.id);
        assert.equal(
            regime(cls, 'alpha').applies,
            'no',
            `after PUT ${ORG} {nis2_class: none} (profile version ${p.version}) the open incident was not re-evaluated: ` +
                `evaluated_at ${cls.evaluated_at}, history profile versions ` +
                JSON.stringify((await history(d, analyst, inc.id)).map((e) => e.profile_version)),
        );
    });

    test('nis2_class essential again: an open incident with users_affected 150 becomes significant under alpha with obligations', async () => {
        await setProfile(d, { nis2_class: 'none' });
        const inc = await createIncident(d, analyst, { title: 'Big', aware_at: iso(Date.now() - HOUR), impact: { users_affected: 150 } });
        assert.equal(regime(await classification(d, analyst, inc.id), 'alpha').applies, 'no');
        assert.deepEqual(await obligations(d, analyst, inc.id), []);

        await setProfile(d, { nis2_class: 'essential' });
        const cls = await classification(d, analyst, inc.id);
        assert.equal(regime(cls, 'alpha').applies, 'yes', 'the open incident was re-evaluated after the profile change');
        assert.equal(regime(cls, 'alpha').significant, 'yes');
        assert.equal((await obligations(d, analyst, inc.id)).length, 3);
    });
});

// ---------------------------------------------------------------------------

describe('lateness between two sweeps', () => {
    test('a deadline that passed while pending stays missed when aware_at is moved before the sweeper runs', async () => {
        // The clock is fixed and the sweeper's first pass is an hour after
        // start ([rules] sweep_interval), so after a restart with the
        // clock 1 s past the deadline that deadline is "missed" in the
        // answers but still "pending" in the stored status when the PATCH
        // comes.  (The test clock's POST would sweep at once: that path
        // comes last.)
        const T0 = '2027-01-04T09:00:00Z';
        const aware = '2027-01-03T09:00:03Z';
        const due = '2027-01-04T09:00:03Z';
        const later = '2027-01-04T09:00:04Z';
        const config = `${rulesConfig(FIXTURES)}sweep_interval = 3600\n`;
        const stored = (dataDir, id) => {
            const q = sqlite(`${dataDir}/meldpunt.db`, `SELECT status FROM obligations WHERE incident_id = '${id}' AND regime = 'alpha' AND stage = 'early_warning';`);
            assert.equal(q.code, 0, q.stderr);
            return q.stdout.trim();
        };
        let d = await startDaemon({ config, env: { MELDPUNT_TEST_CLOCK: T0 } });
        const admin = d.adminToken;
        try {
            await setProfile(d, { nis2_class: 'essential' });
            const t = createToken(d, 'sweep-analyst', 'analyst');
            const inc = await createIncident(d, t, { title: 'Just in time?', aware_at: aware, impact: { users_affected: 150 } });
            let o = byStage(await obligations(d, t, inc.id));
            assert.equal(o.early_warning.due_at, due);
            assert.equal(o.early_warning.status, 'pending');

            // the same data, the clock 1 s past the deadline, no sweep yet
            assertCleanExit(await d.stop('SIGTERM'));
            d = await startDaemon({ config, env: { MELDPUNT_TEST_CLOCK: later }, dataDir: d.dataDir, init: false });
            d.adminToken = admin;
            o = byStage(await obligations(d, t, inc.id));
            assert.equal(o.early_warning.status, 'missed');
            assert.equal(o.early_warning.missed_at, due);
            assert.equal(stored(d.dataDir, inc.id), 'pending', 'the sweeper has not run yet');

            await patch(d, t, inc.id, { aware_at: later });
            o = byStage(await obligations(d, t, inc.id));
            assert.equal(
                o.early_warning.status,
                'missed',
                `PATCH aware_at after the deadline ${due} passed (before a sweep) un-missed the report: ${JSON.stringify(o.early_warning)}`,
            );
            assert.equal(o.early_warning.missed_at, due);
            assert.equal(stored(d.dataDir, inc.id), 'missed', 'the PATCH stored the frozen lateness');

            // and the sweep that follows keeps it so
            await d.setClock({ advance: 'PT1S' });
            o = byStage(await obligations(d, t, inc.id));
            assert.equal(o.early_warning.status, 'missed');
            assert.equal(o.early_warning.missed_at, due);
        } finally {
            await d.stopClean();
        }
    });
});

// ---------------------------------------------------------------------------

describe('service registry: edge cases', () => {
    test('the audit entry of a service PUT records the name (valid JSON payload) for any accepted name', async () => {
        const d = await startWithRules();
        try {
            const names = ['plain', 'x"}y', 'back\\slash', 'café ünïcode'];
            // control characters and invalid UTF-8 never reach the registry
            for (const bad of ['line%0Abreak', 'tab%09here', 'x%FFy']) {
                const res = await api(d.url, d.adminToken, 'PUT', `${SERVICES}/${bad}`, { member_states: [] });
                assert.equal(res.status, 400, `${bad}: ${res.text}`);
                assert.equal(res.headers.get('content-type'), 'application/problem+json');
            }
            for (const name of names) {
                const res = await api(d.url, d.adminToken, 'PUT', `${SERVICES}/${encodeURIComponent(name)}`, { member_states: [] });
                assert.equal(res.status, 201, `${JSON.stringify(name)}: ${res.text}`);
                assert.equal(res.json.name, name);
            }
            const audit = (await getJson(d, d.adminToken, '/api/v1/audit')).items;
            for (const name of names) {
                const e = audit.find((x) => x.action === 'service.put' && x.object === name);
                assert.ok(e, `an audit entry for ${JSON.stringify(name)}`);
                assert.ok(
                    e.payload !== null && typeof e.payload === 'object' && typeof e.payload.name === 'string',
                    `PUT ${SERVICES}/${encodeURIComponent(name)}: the audit payload is ${JSON.stringify(e.payload)} ` +
                        '(the stored payload text is not valid JSON)',
                );
            }
            const r = cli(['audit', 'verify'], { dataDir: d.dataDir });
            assert.equal(r.code, 0, r.stderr);
        } finally {
            await d.stopClean();
        }
    });


    test('PUT of a service without member_states leaks nothing (clean exit under LeakSanitizer)', async () => {
        const d = await startWithRules();
        let stopped = false;
        try {
            const res = await api(d.url, d.adminToken, 'PUT', `${SERVICES}/minimal`, { description: 'no member states' });
            assert.equal(res.status, 201, res.text);
            assert.deepEqual(res.json.member_states, []);
            const res2 = await api(d.url, d.adminToken, 'PUT', `${SERVICES}/minimal`, {});
            assert.equal(res2.status, 200, res2.text);
            stopped = true;
            assertCleanExit(await d.stop('SIGTERM'), 'daemon after PUT /api/v1/services/minimal without member_states');
        } finally {
            if (!stopped) await d.stopClean();
        }
    });
});
