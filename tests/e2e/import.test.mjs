// SPDX-License-Identifier: EUPL-1.2
// import.test.mjs - `meldpunt import FILE.jsonl` (issue 19): incidents in
// bulk with their own times, facts, notes and states, audited and
// classified; a file with a bad line is reported by line and field and
// nothing of it is imported.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { api, assertNoSanitizer, cli, sqlite, startDaemon, tempDir } from './lib/daemon.mjs';

const BASE = '/api/v1/incidents';

function jsonl(lines) {
    const file = path.join(tempDir(), 'import.jsonl');
    fs.writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
    return file;
}

const closed = {
    title: 'Ransomware op de fileserver',
    description: 'Versleuteld, back-ups teruggezet',
    severity: 'high',
    category: 'cyber',
    cause: 'malicious',
    tlp: 'green',
    detected_at: '2025-03-01T10:00:00Z',
    aware_at: '2025-03-01T12:00:00Z',
    started_at: '2025-03-01T08:00:00Z',
    ended_at: '2025-03-03T08:00:00Z',
    impact: { users_affected: 1200 },
    state: 'closed',
    state_times: { triage: '2025-03-01T11:00:00Z', closed: '2025-03-10T09:00:00Z' },
    created_at: '2025-03-01T10:05:00Z',
    notes: [
        { at: '2025-03-02T08:00:00Z', text: 'Back-ups teruggezet', by: 'thehive:alice' },
        { at: '2025-03-01T10:30:00Z', text: 'Eerste melding via SOC' },
    ],
};

describe('meldpunt import', () => {
    test('a file with bad lines: each reported by line number and field, nothing imported', async () => {
        const d = await startDaemon();
        try {
            const audit = (await api(d.url, d.adminToken, 'GET', '/api/v1/audit')).json.items.length;
            const file = jsonl([
                { title: 'goed', detected_at: '2025-04-01T10:00:00Z' },
                '',
                { title: ' ', severity: 'huge', state: 'nope', notes: [{ at: 'yesterday', text: 'x' }] },
                'not json',
                { title: 'toekomst', detected_at: '2099-01-01T00:00:00Z', state_times: { later: '2025-01-01T00:00:00Z' } },
                { title: 'onbekend veld', colour: 'red' },
            ]);
            const r = cli(['import', file], { dataDir: d.dataDir });
            assertNoSanitizer(r.stderr);
            assert.equal(r.code, 1, r.stdout);
            assert.match(r.stderr, /import\.jsonl:3: title: must not be blank/);
            assert.match(r.stderr, /import\.jsonl:3: severity: must be one of/);
            assert.match(r.stderr, /import\.jsonl:3: state: must be one of/);
            assert.match(r.stderr, /import\.jsonl:3: notes\[0\]\.at: must be an RFC 3339 date-time/);
            assert.match(r.stderr, /import\.jsonl:4: not JSON/);
            assert.match(r.stderr, /import\.jsonl:5: detected_at: /);
            assert.match(r.stderr, /import\.jsonl:5: state_times\.later: not a state/);
            assert.match(r.stderr, /import\.jsonl:6: colour: /);
            assert.doesNotMatch(r.stderr, /import\.jsonl:[12]:/);
            assert.match(r.stderr, /nothing imported/);
            assert.equal((await api(d.url, d.adminToken, 'GET', BASE)).json.items.length, 0);
            assert.equal((await api(d.url, d.adminToken, 'GET', '/api/v1/audit')).json.items.length, audit);
        } finally {
            await d.stopClean();
        }
    });

    test('incidents with their times, facts, notes and states, audited and classified, beside the running server', async () => {
        const d = await startDaemon();
        try {
            const many = Array.from({ length: 25 }, (_, i) => ({
                title: `Phishing ${i}`,
                detected_at: '2025-04-01T10:00:00Z',
                severity: i % 2 ? 'low' : 'medium',
            }));
            const file = jsonl([closed, ...many]);
            const r = cli(['import', file, '--batch', '10'], { dataDir: d.dataDir });
            assertNoSanitizer(r.stderr);
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stdout, /^imported 26 of 26 incidents from /);

            const list = (await api(d.url, d.adminToken, 'GET', `${BASE}?q=fileserver`)).json.items;
            assert.equal(list.length, 1, 'the text index has the imported incident');
            const inc = (await api(d.url, d.adminToken, 'GET', `${BASE}/${list[0].id}`)).json;
            assert.equal(inc.ref, 'INC-2025-0001', 'numbered in the year it was recorded');
            assert.equal(inc.state, 'closed');
            assert.equal(inc.detected_at, '2025-03-01T10:00:00Z');
            assert.equal(inc.aware_at, '2025-03-01T12:00:00Z');
            assert.equal(inc.created_at, '2025-03-01T10:05:00Z');
            assert.equal(inc.closed_at, '2025-03-10T09:00:00Z');
            assert.equal(inc.triage_at, '2025-03-01T11:00:00Z');
            assert.equal(inc.impact.users_affected, 1200);
            assert.equal(inc.tlp, 'green');
            const tl = (await api(d.url, d.adminToken, 'GET', `${BASE}/${inc.id}/timeline`)).json.items;
            const notes = tl.filter((e) => e.kind === 'note');
            assert.deepEqual(
                notes.map((e) => [e.at, e.note]).sort(),
                [
                    ['2025-03-01T10:30:00Z', 'Eerste melding via SOC'],
                    ['2025-03-02T08:00:00Z', 'Back-ups teruggezet'],
                ],
            );
            assert.ok(notes.some((e) => e.principal === 'thehive:alice'));
            assert.ok(tl.some((e) => e.kind === 'transition' && e.at === '2025-03-10T09:00:00Z'));
            // classified in the same transaction
            const db = path.join(d.dataDir, 'meldpunt.db');
            assert.equal(sqlite(db, `SELECT count(*) FROM classifications WHERE incident_id = '${inc.id}';`).stdout.trim(), '1');
            // audited, one entry each, and the chain verifies
            const log = (await api(d.url, d.adminToken, 'GET', '/api/v1/audit')).json.items;
            assert.equal(log.filter((e) => e.action === 'incident.import').length, 26);
            // and signed at the end, so a start walks the chain from there
            const cps = (await api(d.url, d.adminToken, 'GET', '/api/v1/audit/checkpoints')).json.items;
            assert.equal(cps.length, 1);
            assert.equal(cps[0].audit_seq, Math.max(...log.map((e) => e.seq)));
            assert.equal(cli(['audit', 'verify'], { dataDir: d.dataDir }).code, 0);
            // the counters follow
            const metrics = (await api(d.url, d.adminToken, 'GET', '/metrics')).text;
            assert.match(metrics, /^meldpunt_incidents\{state="closed"\} 1$/m);
            assert.match(metrics, /^meldpunt_incidents\{state="detected"\} 25$/m);
            assert.equal((await api(d.url, d.adminToken, 'GET', `${BASE}?severity=low&limit=100`)).json.items.length, 12);
        } finally {
            await d.stopClean();
        }
    });
});
