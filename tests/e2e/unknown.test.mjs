// SPDX-License-Identifier: EUPL-1.2
// unknown.test.mjs - unknown stays unknown (issue 17): every yes/no
// question of the organisation profile, the service registry and the
// incident's facts has a third answer, null, which is stored as such, read
// back as such and judged by the rules as unknown - never as "no".  An
// unknown CER designation leaves the CER regime undetermined instead of
// dropping it; a service of unknown criticality leaves "a critical service
// is affected" to the incident; the questionnaire's unanswered questions
// stay unknown in the profile it proposes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, assertProblem, sqlite, startDaemon } from './lib/daemon.mjs';
import { BASE, createIncident, createToken, iso } from './lib/incidents.mjs';

const ORG = '/api/v1/organisation';
const SERVICES = '/api/v1/services';

async function getJson(d, token, p) {
    const res = await api(d.url, token, 'GET', p);
    assert.equal(res.status, 200, `GET ${p}: ${res.text}`);
    return res.json;
}

async function putProfile(d, changes) {
    const res = await api(d.url, d.adminToken, 'GET', ORG);
    const body = { ...res.json, ...changes };
    delete body.version;
    delete body.updated_at;
    return api(d.url, d.adminToken, 'PUT', ORG, body, { 'if-match': res.headers.get('etag') });
}

describe('unknown stays unknown', () => {
    let d, analyst;
    before(async () => {
        d = await startDaemon();
        analyst = createToken(d, 'unknown-analyst', 'analyst');
    });
    after(async () => {
        await d?.stopClean();
    });

    // runs first: it needs the profile as a new installation has it
    test('a new installation has not answered the profile: NIS2 class and the yes/no questions are unknown, not "none" or "no"', async () => {
        const org = await getJson(d, analyst, ORG);
        for (const k of ['nis2_class', 'cer_critical', 'dora_financial', 'microenterprise']) assert.equal(org[k], null, k);
        const inc = await createIncident(d, analyst, { title: 'Storing met dodelijke afloop', aware_at: iso(Date.now() - 3600e3), impact: { deaths: 1 } });
        const cls = await getJson(d, analyst, `${BASE}/${inc.id}/classification`);
        for (const [regime, fact] of [['nis2', 'profile.nis2_class'], ['cer', 'profile.cer_critical'], ['dora', 'profile.dora_financial']]) {
            const r = cls.regimes.find((x) => x.regime === regime);
            assert.ok(r, `${regime} is not dropped while the profile does not say`);
            assert.equal(r.applies, 'undetermined', regime);
            assert.ok(r.missing.includes(fact), `${regime}: ${JSON.stringify(r.missing)}`);
        }
        // a critical entity is an essential entity: "not determined" does not fit a known designation
        let res = await putProfile(d, { cer_critical: true });
        assertProblem(res, 422);
        assert.deepEqual(res.json.errors.map((e) => e.field), ['nis2_class']);
        assert.equal((await getJson(d, analyst, ORG)).cer_critical, null, 'nothing changed');
        // null stays an answer an admin may give back after another one
        res = await putProfile(d, { nis2_class: 'important' });
        assert.equal(res.status, 200, res.text);
        res = await putProfile(d, { nis2_class: null });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.nis2_class, null);
        res = await putProfile(d, { nis2_class: 'maybe' });
        assertProblem(res, 422);
        assert.deepEqual(res.json.errors.map((e) => e.field), ['nis2_class']);
    });

    test('the profile keeps null for each yes/no question; the rules judge it unknown, not no', async () => {
        let res = await putProfile(d, { name: 'Waterbedrijf Oost', nis2_class: 'essential', sector: 'drinking_water', cer_critical: null, dora_financial: null, microenterprise: null });
        assert.equal(res.status, 200, res.text);
        for (const k of ['cer_critical', 'dora_financial', 'microenterprise']) assert.equal(res.json[k], null, k);
        const got = await getJson(d, analyst, ORG);
        for (const k of ['cer_critical', 'dora_financial', 'microenterprise']) assert.equal(got[k], null, `${k} read back`);
        // stored as null, not as false
        const stored = JSON.parse(sqlite(`${d.dataDir}/meldpunt.db`, 'SELECT doc FROM organisation;').stdout.trim());
        assert.equal(stored.cer_critical, null);

        const inc = await createIncident(d, analyst, { title: 'Pompstation uitgevallen', aware_at: iso(Date.now() - 3600e3), impact: { users_affected: 10 } });
        let cls = await getJson(d, analyst, `${BASE}/${inc.id}/classification`);
        let cer = cls.regimes.find((r) => r.regime === 'cer');
        assert.ok(cer, 'an unknown designation does not drop the CER regime');
        assert.equal(cer.applies, 'undetermined');
        assert.ok(cer.missing.includes('profile.cer_critical'), JSON.stringify(cer.missing));
        const h = (await getJson(d, analyst, `${BASE}/${inc.id}/classification/history`)).items;
        assert.equal(h.at(-1).inputs.profile.cer_critical, null);

        // "no" is a different answer with a different outcome
        res = await putProfile(d, { cer_critical: false });
        assert.equal(res.status, 200, res.text);
        cls = await getJson(d, analyst, `${BASE}/${inc.id}/classification`);
        cer = cls.regimes.find((r) => r.regime === 'cer');
        assert.equal(cer?.applies ?? 'no', 'no');

        // only true, false or null
        res = await putProfile(d, { cer_critical: 'unknown' });
        assertProblem(res, 422);
        assert.deepEqual(res.json.errors.map((e) => e.field), ['cer_critical']);
        assert.equal((await getJson(d, analyst, ORG)).cer_critical, false, 'nothing changed');
    });

    test('a service of unknown criticality: null stored and read back; critical_service_affected stays unknown', async () => {
        let res = await api(d.url, d.adminToken, 'PUT', `${SERVICES}/pompen`, { description: 'Pumping', users_total: 1000, critical: null, member_states: ['NL'] });
        assert.equal(res.status, 201, res.text);
        assert.equal(res.json.critical, null);
        assert.equal((await getJson(d, analyst, `${SERVICES}/pompen`)).critical, null);
        assert.equal(sqlite(`${d.dataDir}/meldpunt.db`, "SELECT quote(critical) FROM services WHERE name = 'pompen';").stdout.trim(), 'NULL');
        // absent is unknown too, like users_total
        res = await api(d.url, d.adminToken, 'PUT', `${SERVICES}/meten`, { description: 'Metering' });
        assert.equal(res.status, 201, res.text);
        assert.equal(res.json.critical, null);
        assertProblem(await api(d.url, d.adminToken, 'PUT', `${SERVICES}/meten`, { critical: 'no' }), 422);

        const inc = await createIncident(d, analyst, { title: 'Pompen traag', services: ['pompen'], aware_at: iso(Date.now() - 3600e3) });
        let h = (await getJson(d, analyst, `${BASE}/${inc.id}/classification/history`)).items;
        assert.equal(h.at(-1).inputs.facts.users_total, 1000);
        assert.equal('critical_service_affected' in h.at(-1).inputs.facts, false, 'unknown, not false');

        // once known to be not critical, the registry says so
        res = await api(d.url, d.adminToken, 'PUT', `${SERVICES}/pompen`, { description: 'Pumping', users_total: 1000, critical: false, member_states: ['NL'] });
        assert.equal(res.status, 200, res.text);
        const later = await createIncident(d, analyst, { title: 'Pompen weer traag', services: ['pompen'], aware_at: iso(Date.now() - 3600e3) });
        h = (await getJson(d, analyst, `${BASE}/${later.id}/classification/history`)).items;
        assert.equal(h.at(-1).inputs.facts.critical_service_affected, false);
    });

    test('an incident fact answered yes and then unknown is unknown again, not no', async () => {
        const inc = await createIncident(d, analyst, { title: 'Verdachte login', impact: { suspected_malicious: true } });
        let res = await api(d.url, analyst, 'PATCH', `${BASE}/${inc.id}`, { impact: { suspected_malicious: null } }, { 'if-match': `"${inc.version}"` });
        assert.equal(res.status, 200, res.text);
        assert.equal('suspected_malicious' in res.json.impact, false);
        const got = await getJson(d, analyst, `${BASE}/${inc.id}`);
        assert.equal(got.impact.suspected_malicious, undefined);
        res = await api(d.url, analyst, 'PATCH', `${BASE}/${inc.id}`, { impact: { suspected_malicious: false } }, { 'if-match': `"${got.version}"` });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.impact.suspected_malicious, false);
    });

    test('the questionnaire leaves unanswered yes/no questions unknown in the profile it proposes', async () => {
        const res = await api(d.url, analyst, 'POST', '/api/v1/assessment', { answers: { eu_services: true, sector: 'digital_infrastructure', subsector: 'dns', headcount: 120 }, language: 'en' });
        assert.ok([200, 201].includes(res.status), res.text);
        const p = res.json.result.profile;
        assert.equal(p.cer_critical, null);
        assert.equal(p.dora_financial, null);
        assert.equal(p.microenterprise, false, '120 people is not micro');
    });
});
