// SPDX-License-Identifier: EUPL-1.2
//
// The classification history keeps a row when the outcome moved (issue 19):
// compared by content, never by the rule files' versions or hashes.
//
// - an edit that changes no fact (a title), or the same edit again, writes
//   no history row; a change of outcome writes exactly one;
// - a change of a fact that leaves the outcome as it was writes one (the
//   words on read are of the facts it was decided on);
// - the re-judging of every open incident after a profile change writes
//   nothing when the outcome stayed, also over a row written before schema
//   0020 (the explanation itself, naming the rule file's version, not its
//   hash): after an upgrade the sweeper used to add one row per open
//   incident.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { api, sqlite, startDaemon } from './lib/daemon.mjs';
import { BASE, createIncident, createToken, iso } from './lib/incidents.mjs';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'rules');
const HOUR = 3600e3;
const ORG = '/api/v1/organisation';

async function getJson(d, token, p) {
    const res = await api(d.url, token, 'GET', p);
    assert.equal(res.status, 200, `GET ${p}: ${res.text}`);
    return res.json;
}

async function patch(d, t, id, body) {
    const res = await api(d.url, t, 'PATCH', `${BASE}/${id}`, body);
    assert.equal(res.status, 200, `PATCH ${JSON.stringify(body)}: ${res.text}`);
    return res.json;
}

async function setProfile(d, changes) {
    const body = await getJson(d, d.adminToken, ORG);
    delete body.version;
    delete body.updated_at;
    const res = await api(d.url, d.adminToken, 'PUT', ORG, { ...body, ...changes });
    assert.equal(res.status, 200, `PUT profile: ${res.text}`);
    return res.json;
}

const history = async (d, t, id) => (await getJson(d, t, `${BASE}/${id}/classification/history`)).items;
const significant = (regimes, name) => regimes.find((r) => r.regime === name).significant;

describe('classification history: a row when the outcome moved', () => {
    let d;
    let analyst;
    const rows = (id) =>
        Number(sqlite(`${d.dataDir}/meldpunt.db`, `SELECT count(*) FROM classifications WHERE incident_id = '${id}';`).stdout.trim());

    before(async () => {
        d = await startDaemon({ config: `[rules]\ndir = ${FIXTURES}\n` });
        analyst = createToken(d, 'hist-analyst', 'analyst');
        await setProfile(d, { nis2_class: 'essential' });
    });
    after(async () => {
        await d?.stopClean();
    });

    test('the same edit twice: one row for the first (a fact moved), none for the second', async () => {
        const inc = await createIncident(d, analyst, { title: 'Twice', aware_at: iso(Date.now() - HOUR), impact: { users_affected: 10, deaths: 0 } });
        assert.equal(rows(inc.id), 1);
        const body = { impact: { users_affected: 20 }, severity: 'high' };
        const v1 = await patch(d, analyst, inc.id, body);
        assert.equal(rows(inc.id), 2, 'a fact moved: a row, so that the words on read are of these facts');
        const v2 = await patch(d, analyst, inc.id, body);
        assert.ok(v2.version >= v1.version);
        assert.equal(rows(inc.id), 2, 'the same edit again: no row');
        await patch(d, analyst, inc.id, { title: 'Twice (renamed)', description: 'no fact in these' });
        assert.equal(rows(inc.id), 2, 'an edit that changes no fact: no row');
        const h = await history(d, analyst, inc.id);
        assert.deepEqual(h.map((e) => e.inputs.facts.users_affected), [10, 20]);
        assert.deepEqual(h.map((e) => significant(e.result, 'alpha')), ['no', 'no']);
        // the current judgement is explained with the facts it was decided on
        const cls = await getJson(d, analyst, `${BASE}/${inc.id}/classification`);
        assert.equal(cls.regimes.find((r) => r.regime === 'alpha').significant, 'no');
    });

    test('a change of outcome: exactly one row, with the new outcome', async () => {
        const inc = await createIncident(d, analyst, { title: 'Outcome', aware_at: iso(Date.now() - HOUR), impact: { users_affected: 10, deaths: 0 } });
        await patch(d, analyst, inc.id, { impact: { users_affected: 150, deaths: 0 } });
        const h = await history(d, analyst, inc.id);
        assert.equal(h.length, 2);
        assert.deepEqual(h.map((e) => significant(e.result, 'alpha')), ['no', 'yes']);
        assert.equal(rows(inc.id), 2);
    });

    test('re-judging after a profile change that moves no outcome writes nothing, also over a row from before schema 0020', async () => {
        const db = `${d.dataDir}/meldpunt.db`;
        const fresh = await createIncident(d, analyst, { title: 'Fresh row', aware_at: iso(Date.now() - HOUR), impact: { users_affected: 150, deaths: 0 } });
        const old = await createIncident(d, analyst, { title: 'Old row', aware_at: iso(Date.now() - HOUR), impact: { users_affected: 150, deaths: 0 } });
        // rewrite old's row the way rows were stored before 0020: the whole
        // explanation (the read answer is that), the rule file by version
        const explained = (await getJson(d, analyst, `${BASE}/${old.id}/classification`)).regimes;
        assert.ok(explained.every((r) => typeof r.version === 'string' && r.rules === undefined));
        const text = JSON.stringify(explained).replaceAll("'", "''");
        const r = sqlite(
            db,
            `UPDATE classifications SET result = '${text}' WHERE seq = (SELECT max(seq) FROM classifications WHERE incident_id = '${old.id}');`,
        );
        assert.equal(r.code, 0, r.stderr);
        const before = { fresh: rows(fresh.id), old: rows(old.id) };

        // the name is no fact of these rules: every open incident is judged
        // again and none of the outcomes moves
        await setProfile(d, { name: `Renamed ${Date.now()}` });
        assert.equal(rows(fresh.id), before.fresh, 'a row after 0020: no new row');
        assert.equal(rows(old.id), before.old, 'a row before 0020, by version: no new row either');
        const cls = await getJson(d, analyst, `${BASE}/${old.id}/classification`);
        assert.equal(cls.regimes.find((x) => x.regime === 'alpha').significant, 'yes', 'the old row is still read');

        // a profile change that moves the outcome writes one row each
        await setProfile(d, { nis2_class: 'none' });
        assert.equal(rows(fresh.id), before.fresh + 1);
        assert.equal(rows(old.id), before.old + 1);
    });
});
