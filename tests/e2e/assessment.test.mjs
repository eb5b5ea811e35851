// SPDX-License-Identifier: EUPL-1.2
// assessment.test.mjs - the applicability self-assessment against the
// running daemon: the questionnaire (both languages), POST with answers →
// stored result with reasons, list and get, applying a result to the
// organisation profile (admin, audited, open incidents judged again),
// validation errors, roles, `[assessment] dir` at start-up and on SIGHUP,
// exports, and the audit chain.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { api, assertNoSanitizer, assertProblem, cli, startDaemon, tempDir } from './lib/daemon.mjs';
import { createToken } from './lib/incidents.mjs';

const A = '/api/v1/assessment';
const SHIPPED = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'config', 'assessment');

function assertFieldError(res, field) {
    assertProblem(res, 422);
    const fields = (res.json.errors ?? []).map((e) => e.field);
    assert.ok(fields.includes(field), `wanted an error on ${field}, got ${res.text}`);
}

const dns30 = { eu_services: true, sector: 'digital_infrastructure', subsector: 'dns', headcount: 30 };
const cloud30 = {
    eu_services: true,
    sector: 'digital_infrastructure',
    subsector: 'cloud',
    headcount: 30,
    annual_turnover_eur: 5e6,
};
const hospital300 = { eu_services: true, sector: 'health', subsector: 'healthcare_provider', headcount: 300 };
const food60 = { eu_services: true, sector: 'food', subsector: 'production', headcount: 60 };

describe('assessment API', () => {
    let d, analyst, viewer, ingest;
    before(async () => {
        d = await startDaemon();
        analyst = createToken(d, 'prep-analyst', 'analyst');
        viewer = createToken(d, 'prep-viewer', 'viewer');
        ingest = createToken(d, 'prep-ingest', 'ingest');
    });
    after(async () => {
        await d.stopClean();
    });

    test('GET questions: in the legal order, Dutch and English, with sectors and size classes', async () => {
        const res = await api(d.url, viewer, 'GET', `${A}/questions`);
        assert.equal(res.status, 200, res.text);
        const ids = res.json.questions.map((q) => q.id);
        assert.ok(ids.indexOf('sector') < ids.indexOf('headcount'));
        assert.ok(ids.indexOf('headcount') < ids.indexOf('sole_provider'));
        assert.ok(ids.indexOf('sole_provider') < ids.indexOf('cer_critical'));
        assert.ok(ids.indexOf('cer_critical') < ids.indexOf('dora_financial'));
        for (const q of res.json.questions) {
            assert.equal(typeof q.text.en, 'string');
            assert.equal(typeof q.text.nl, 'string');
        }
        const digital = res.json.sectors.find((s) => s.id === 'digital_infrastructure');
        assert.ok(digital.subsectors.some((s) => s.id === 'dns'));
        assert.deepEqual(
            res.json.size_classes.map((c) => c.id),
            ['micro', 'small', 'medium', 'large'],
        );
        assert.match(res.json.caveats[0].text.en, /partner and linked/);
    });

    for (const [name, answers, outcome] of [
        ['30-person DNS provider', dns30, 'essential'],
        ['30-person cloud provider with EUR 5M turnover', cloud30, 'out_of_scope'],
        ['300-person hospital', hospital300, 'essential'],
        ['60-person food producer', food60, 'important'],
    ]) {
        test(`POST: ${name} is ${outcome}; stored with answers, date and reasons`, async () => {
            const res = await api(d.url, analyst, 'POST', A, { answers, language: 'en' });
            assert.equal(res.status, 201, res.text);
            assert.equal(res.headers.get('location'), `${A}/${res.json.id}`);
            assert.equal(res.json.result.nis2.outcome, outcome);
            assert.deepEqual(res.json.answers, answers);
            assert.equal(res.json.created_by, 'token:prep-analyst');
            assert.match(res.json.created_at, /^\d{4}-\d\d-\d\dT/);
            assert.equal(res.json.applied_at, null);
            for (const r of res.json.result.nis2.reasons) {
                assert.equal(typeof r.article, 'string');
                assert.ok(r.text.length > 0);
                assert.ok(Array.isArray(r.questions));
            }
            const got = await api(d.url, viewer, 'GET', `${A}/${res.json.id}`);
            assert.equal(got.status, 200);
            assert.deepEqual(got.json, res.json);
        });
    }

    test('POST in Dutch gives Dutch reasons', async () => {
        const res = await api(d.url, analyst, 'POST', A, { answers: dns30, language: 'nl' });
        assert.equal(res.status, 201, res.text);
        assert.equal(res.json.language, 'nl');
        assert.ok(res.json.result.nis2.reasons.some((r) => /ongeacht omvang essentieel/.test(r.text)));
    });

    test('GET list: newest first with the outcomes', async () => {
        const res = await api(d.url, viewer, 'GET', A);
        assert.equal(res.status, 200);
        assert.ok(res.json.items.length >= 5);
        const ids = res.json.items.map((i) => i.id);
        assert.deepEqual([...ids].sort().reverse(), ids);
        assert.equal(res.json.items[0].nis2, 'essential');
        assert.equal(typeof res.json.items[0].cer_critical_entity, 'boolean');
    });

    test('validation: malformed JSON 400, unknown fields and bad answers 422 naming the field', async () => {
        const count = (await api(d.url, viewer, 'GET', A)).json.items.length;
        assertProblem(await api(d.url, analyst, 'POST', A, '{"answers":'), 400);
        assertProblem(await api(d.url, analyst, 'POST', A, '[1]'), 422);
        assertFieldError(await api(d.url, analyst, 'POST', A, {}), 'answers');
        assertFieldError(await api(d.url, analyst, 'POST', A, { answers: 3 }), 'answers');
        assertFieldError(await api(d.url, analyst, 'POST', A, { answers: dns30, extra: 1 }), 'extra');
        assertFieldError(await api(d.url, analyst, 'POST', A, { answers: dns30, language: 'de' }), 'language');
        assertFieldError(await api(d.url, analyst, 'POST', A, { answers: dns30, language: 7 }), 'language');
        // a longer code is not a length problem: the message says what is allowed
        for (const language of ['eng', 'nederlands', '']) {
            const res = await api(d.url, analyst, 'POST', A, { answers: dns30, language });
            assertFieldError(res, 'language');
            assert.deepEqual(res.json.errors, [{ field: 'language', code: 'one_of', message: 'must be en or nl' }], res.text);
        }
        const bad = await api(d.url, analyst, 'POST', A, {
            answers: { eu_services: 'yes', sector: 'health', subsector: 'dns', headcount: -3, colour: 'red' },
        });
        for (const f of ['answers.eu_services', 'answers.subsector', 'answers.headcount', 'answers.colour'])
            assertFieldError(bad, f);
        assertFieldError(await api(d.url, analyst, 'POST', A, { answers: { eu_services: true } }), 'answers.sector');
        const list = await api(d.url, viewer, 'GET', A);
        assert.equal(list.json.items.length, count, 'nothing stored by bad requests');
    });

    test('404 for an unknown assessment, on GET and apply', async () => {
        assertProblem(await api(d.url, viewer, 'GET', `${A}/no-such-thing`), 404);
        assertProblem(await api(d.url, d.adminToken, 'POST', `${A}/no-such-thing/apply`), 404);
    });

    test('roles: viewers read, analysts assess, only admins apply; ingest nothing', async () => {
        assertProblem(await api(d.url, viewer, 'POST', A, { answers: dns30 }), 403);
        assertProblem(await api(d.url, ingest, 'GET', `${A}/questions`), 403);
        const created = await api(d.url, analyst, 'POST', A, { answers: hospital300 });
        assertProblem(await api(d.url, analyst, 'POST', `${A}/${created.json.id}/apply`), 403);
        assertProblem(await api(d.url, undefined, 'GET', `${A}/questions`), 401);
    });

    test('apply: the profile takes the result in one audited step', async () => {
        const created = await api(d.url, analyst, 'POST', A, {
            answers: { ...dns30, annual_turnover_eur: 1.5e6, cer_critical: false },
        });
        assert.equal(created.status, 201, created.text);
        const before = await api(d.url, viewer, 'GET', '/api/v1/organisation');
        const res = await api(d.url, d.adminToken, 'POST', `${A}/${created.json.id}/apply`);
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.nis2_class, 'essential');
        assert.equal(res.json.sector, 'digital_infrastructure');
        assert.equal(res.json.subsector, 'dns');
        assert.deepEqual(res.json.entity_types, ['dns']);
        assert.equal(res.json.annual_turnover_eur, 1.5e6);
        assert.equal(res.json.version, before.json.version + 1);
        // what the assessment does not decide stays as it was
        assert.equal(res.json.name, before.json.name);
        assert.deepEqual(res.json.recipients, before.json.recipients);
        const a = await api(d.url, viewer, 'GET', `${A}/${created.json.id}`);
        assert.match(a.json.applied_at, /^\d{4}-/);
        assert.notEqual(a.json.applied_by, null);
        const audit = await api(d.url, d.adminToken, 'GET', '/api/v1/audit?limit=500');
        const actions = audit.json.items.map((e) => e.action);
        assert.ok(actions.includes('assessment.create'));
        assert.ok(actions.includes('assessment.apply'));
        assert.ok(actions.includes('organisation.update'));
        // an out-of-scope result sets the class back to none
        const out = await api(d.url, analyst, 'POST', A, { answers: cloud30 });
        const res2 = await api(d.url, d.adminToken, 'POST', `${A}/${out.json.id}/apply`);
        assert.equal(res2.status, 200, res2.text);
        assert.equal(res2.json.nis2_class, 'none');
        assert.deepEqual(res2.json.entity_types, ['cloud']);
    });

    test('exports: JSON, CSV and a printable page in the assessment language', async () => {
        const a = await api(d.url, analyst, 'POST', A, { answers: { ...food60, partner_or_linked: true }, language: 'nl' });
        const id = a.json.id;
        const j = await api(d.url, viewer, 'GET', `${A}/${id}/export`);
        assert.equal(j.status, 200);
        assert.match(j.headers.get('content-disposition'), new RegExp(`assessment-${id}\\.json`));
        assert.deepEqual(j.json, a.json);
        const c = await api(d.url, viewer, 'GET', `${A}/${id}/export?format=csv`);
        assert.match(c.headers.get('content-type'), /^text\/csv/);
        const lines = c.text.trim().split('\r\n');
        assert.equal(lines[0], 'section,item,value,article,text');
        assert.ok(lines.includes('answer,headcount,60,,'));
        assert.ok(lines.includes('nis2,outcome,important,,'));
        assert.ok(lines.some((l) => l.startsWith('nis2,reason,art3_2,NIS2 Art. 3(2),')));
        assert.ok(lines.some((l) => l.startsWith('nis2,uncertain,partner_linked,')));
        assert.ok(lines.some((l) => l.startsWith('all,caveat,partner_linked,')));
        const h = await api(d.url, viewer, 'GET', `${A}/${id}/export?format=html`);
        assert.match(h.headers.get('content-type'), /^text\/html/);
        assert.match(h.text, /<html lang="nl">/);
        assert.match(h.text, /<h2>NIS2 \/ Cbw: important<\/h2>/);
        assert.match(h.text, /Hoeveel medewerkers/);
        assert.match(h.text, /<h3>Onzeker<\/h3>/);
        assertProblem(await api(d.url, viewer, 'GET', `${A}/${id}/export?format=pdf`), 400);
        assertProblem(await api(d.url, viewer, 'GET', `${A}/no-such-thing/export`), 404);
    });

    test('meldpunt audit verify OK', () => {
        const r = cli(['audit', 'verify'], { dataDir: d.dataDir });
        assertNoSanitizer(r.stderr, 'audit verify');
        assert.equal(r.code, 0, r.stderr);
    });
});

describe('[assessment] dir', () => {
    test('the questionnaire is read from the directory; a broken one stops start-up', async () => {
        const dir = tempDir('meldpunt-assessment-');
        for (const f of fs.readdirSync(SHIPPED)) fs.copyFileSync(path.join(SHIPPED, f), path.join(dir, f));
        const law = JSON.parse(fs.readFileSync(path.join(dir, 'law.json'), 'utf8'));
        law.version = 'test-law-2';
        fs.writeFileSync(path.join(dir, 'law.json'), JSON.stringify(law));
        const d = await startDaemon({ config: `[assessment]\ndir = ${dir}\n` });
        try {
            const res = await api(d.url, d.adminToken, 'GET', `${A}/questions`);
            assert.equal(res.status, 200);
            assert.equal(res.json.law_version, 'test-law-2');
            const a = await api(d.url, d.adminToken, 'POST', A, { answers: food60 });
            assert.equal(a.json.law_version, 'test-law-2');
            // SIGHUP takes up a changed law file; a broken one keeps the data in force
            law.version = 'test-law-3';
            fs.writeFileSync(path.join(dir, 'law.json'), JSON.stringify(law));
            let from = d.stderr().length;
            d.proc.kill('SIGHUP');
            await d.waitForLog(/assessment data loaded .*law=test-law-3/, { from });
            assert.equal((await api(d.url, d.adminToken, 'GET', `${A}/questions`)).json.law_version, 'test-law-3');
            fs.writeFileSync(path.join(dir, 'law.json'), '{"version":');
            from = d.stderr().length;
            d.proc.kill('SIGHUP');
            await d.waitForLog(/reload of the assessment data failed/, { from });
            assert.equal((await api(d.url, d.adminToken, 'GET', `${A}/questions`)).json.law_version, 'test-law-3');
            // the stored assessment keeps the version it was made with
            assert.equal((await api(d.url, d.adminToken, 'GET', `${A}/${a.json.id}`)).json.law_version, 'test-law-2');
        } finally {
            await d.stopClean();
        }
        delete law.rules.art3_2;
        fs.writeFileSync(path.join(dir, 'law.json'), JSON.stringify(law));
        await assert.rejects(
            startDaemon({ config: `[assessment]\ndir = ${dir}\n` }),
            /law\.json.*art3_2/,
        );
    });
});
