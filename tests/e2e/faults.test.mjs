// SPDX-License-Identifier: EUPL-1.2
// faults.test.mjs - storage faults under every kind of change (issue 18):
// the test build's SQLite VFS shim (server/store/faultvfs.c) makes every
// n-th write fail with SQLITE_FULL, every n-th sync with SQLITE_IOERR, or
// every n-th allocation of SQLite's with SQLITE_NOMEM (MELDPUNT_FAULT).
// Under each, every kind of change is made several times: create, patch,
// transition, note, approve and sign, alert batch, register write, user
// change.  Expected: no crash, no leak (the daemon stops cleanly under
// ASan), never a 2xx for a change that is not on disk (each 2xx is looked
// up in the database file by the sqlite3 shell), an error answer is
// problem+json, the server keeps answering, and afterwards the database
// passes integrity_check and the audit chain verifies.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { assertCleanExit, cli, sqlite, startDaemon } from './lib/daemon.mjs';
import { iso, request } from './lib/incidents.mjs';
import { PASSWORD, addUser } from './lib/session.mjs';

const ATTEMPTS = 4;
const HOUR = 3600e3;

/** One value from the database file, through the sqlite3 shell. */
function onDisk(d, sql) {
    const r = sqlite(path.join(d.dataDir, 'meldpunt.db'), `.timeout 5000\n${sql}`);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
}
const q = (s) => `'${String(s).replaceAll("'", "''")}'`;

/** A request the setup needs: repeated until it is taken (faults hit it too). */
async function until(d, method, p, body, headers, ok = [200, 201]) {
    for (let i = 0; i < 60; i++) {
        const r = await request(d, d.adminToken, method, p, typeof body === 'function' ? body() : body, typeof headers === 'function' ? headers() : headers);
        if (ok.includes(r.status)) return r.json;
        assert.ok(r.status >= 500 || r.status === 401 || r.status === 412, `${method} ${p}: ${r.status} ${r.text}`);
        if (r.status === 412) {
            // a change answered 5xx may still have committed; read it again
            return null;
        }
    }
    throw new Error(`${method} ${p} was never taken`);
}

/** Only a person signs: a manager signed in (once per daemon; the sign-in is
 * repeated until a fault lets it through); the headers a browser sends. */
async function person(d) {
    if (!d.signer) addUser(d, 'fault-signer', 'manager');
    for (let i = 0; !d.signer && i < 60; i++) {
        const r = await request(d, null, 'POST', '/api/v1/session', { name: 'fault-signer', password: PASSWORD });
        if (r.status === 201)
            d.signer = { cookie: `mp_session=${/mp_session=([^;]*)/.exec(String(r.headers['set-cookie']))[1]}`, 'x-csrf-token': r.json.csrf_token };
        else assert.ok(r.status >= 500, `sign-in: ${r.status} ${r.text}`);
    }
    assert.ok(d.signer, 'the signer never signed in');
    return d.signer;
}

async function newIncident(d, extra = {}) {
    return until(d, 'POST', '/api/v1/incidents', { title: `fault target ${Math.random()}`, severity: 'low', ...extra });
}

/** A fresh version of an incident or notification (a 5xx may have committed). */
async function current(d, p) {
    return until(d, 'GET', p);
}

let seq = 0;
const unique = (what) => `${what}-${process.pid}-${++seq}`;

/*
 * The kinds of change.  prepare() makes what the change needs (repeated
 * until taken); change(ctx) makes the change once and returns the answer;
 * onDisk(ctx) says whether the change is in the database file.
 */
const kinds = [
    {
        name: 'create',
        prepare: async () => ({ title: unique('create') }),
        change: (d, c) => request(d, d.adminToken, 'POST', '/api/v1/incidents', { title: c.title, severity: 'low' }),
        stored: (d, c) => onDisk(d, `SELECT count(*) FROM incidents WHERE title = ${q(c.title)};`) === '1',
    },
    {
        name: 'patch',
        prepare: async (d) => ({ inc: await newIncident(d), value: unique('patch') }),
        change: (d, c) => request(d, d.adminToken, 'PATCH', `/api/v1/incidents/${c.inc.id}`, { description: c.value }, { 'if-match': '"1"' }),
        stored: (d, c) => onDisk(d, `SELECT description FROM incidents WHERE id = ${q(c.inc.id)};`) === c.value,
    },
    {
        name: 'transition',
        prepare: async (d) => ({ inc: await newIncident(d) }),
        change: (d, c) => request(d, d.adminToken, 'POST', `/api/v1/incidents/${c.inc.id}/transitions`, { to: 'triage', note: 'fault' }),
        stored: (d, c) => onDisk(d, `SELECT state FROM incidents WHERE id = ${q(c.inc.id)};`) === 'triage',
    },
    {
        name: 'note',
        prepare: async (d) => ({ inc: await newIncident(d), text: unique('note') }),
        change: (d, c) => request(d, d.adminToken, 'POST', `/api/v1/incidents/${c.inc.id}/notes`, { text: c.text }),
        stored: (d, c) => onDisk(d, `SELECT count(*) FROM timeline WHERE kind = 'note' AND note = ${q(c.text)};`) === '1',
    },
    {
        name: 'approve and sign',
        prepare: async (d) => {
            const inc = await newIncident(d, {
                title: unique('significant'),
                description: 'Dosing set to 10x by an unknown party',
                aware_at: iso(Date.now() - HOUR),
                impact: { persons_health_damaged: 3, suspected_malicious: true, cross_border: false },
            });
            const n = await until(d, 'POST', `/api/v1/incidents/${inc.id}/notifications`, { regime: 'nis2', stage: 'early_warning', language: 'en' }, {}, [201]);
            let v = n.version;
            for (;;) {
                const r = await until(
                    d,
                    'PATCH',
                    `/api/v1/notifications/${n.id}`,
                    { fields: { contact_official: 'J. Jansen, CISO' } },
                    () => ({ 'if-match': `"${v}"` }),
                );
                if (r) break;
                const now = await current(d, `/api/v1/notifications/${n.id}`);
                if (now.fields.contact_official) break;
                v = now.version;
            }
            return { nid: n.id };
        },
        change: async (d, c) => request(d, null, 'POST', `/api/v1/notifications/${c.nid}/approve`, undefined, await person(d)),
        stored: (d, c) =>
            onDisk(d, `SELECT state || ' ' || (signature IS NOT NULL) FROM notifications WHERE id = ${q(c.nid)};`) === 'approved 1',
    },
    {
        name: 'alert batch',
        prepare: async () => ({ source: unique('batch') }),
        change: (d, c) =>
            request(
                d,
                d.adminToken,
                'POST',
                '/api/v1/alerts',
                [0, 1, 2].map((i) => ({ source: c.source, title: `fault alert ${i}`, severity: 'low', labels: { i: String(i) } })),
            ),
        stored: (d, c) => onDisk(d, `SELECT count(*) FROM alerts WHERE source = ${q(c.source)};`) === '3',
    },
    {
        name: 'register write',
        prepare: async () => ({ name: unique('asset') }),
        change: (d, c) => request(d, d.adminToken, 'POST', '/api/v1/register/assets', { name: c.name, type: 'service', importance: 3 }),
        stored: (d, c) => onDisk(d, `SELECT count(*) FROM register_items WHERE kind = 'asset' AND name = ${q(c.name)};`) === '1',
    },
    {
        name: 'user change',
        prepare: async () => ({ name: unique('user').replaceAll('-', '_').slice(0, 60) }),
        change: (d, c) => request(d, d.adminToken, 'POST', '/api/v1/users', { name: c.name, role: 'viewer' }),
        stored: (d, c) => onDisk(d, `SELECT count(*) FROM users WHERE name = ${q(c.name)};`) === '1',
    },
];

async function organisation(d) {
    const org = await current(d, '/api/v1/organisation');
    const body = { ...org, name: 'Waterbedrijf', sector: 'drinking_water', nis2_class: 'essential', annual_turnover_eur: 2e7 };
    delete body.version;
    delete body.updated_at;
    await until(d, 'PUT', '/api/v1/organisation', body);
}

for (const fault of ['write:53', 'write:59:ioerr', 'sync:3', 'alloc:4001']) {
    describe(`MELDPUNT_FAULT=${fault}`, () => {
        test('every kind of change: never a 2xx for what is not on disk; no crash, no leak; the server keeps answering', async (t) => {
            const d = await startDaemon({ env: { MELDPUNT_FAULT: fault }, logLevel: 'notice' });
            const seen = { ok: 0, failed: 0 };
            const per = {};
            try {
                await organisation(d);
                for (const k of kinds) {
                    for (let i = 0; i < ATTEMPTS; i++) {
                        const c = await k.prepare(d);
                        const r = await k.change(d, c);
                        per[k.name] = `${per[k.name] ?? ''}${r.status} `;
                        if (r.status >= 200 && r.status < 300) {
                            seen.ok++;
                            assert.ok(k.stored(d, c), `${k.name}: answered ${r.status} but not in the database: ${r.text}`);
                        } else {
                            seen.failed++;
                            assert.ok(r.status >= 500 || r.status === 401, `${k.name}: ${r.status} ${r.text}`);
                            assert.match(r.headers['content-type'] ?? '', /^application\/problem\+json/, `${k.name}: ${r.text}`);
                            assert.equal(r.json.status, r.status);
                        }
                        // the server keeps answering
                        const h = await request(d, null, 'GET', '/healthz');
                        assert.ok(h.status === 200 || h.status === 503, `healthz: ${h.status}`);
                    }
                }
                assert.match(d.stderr(), /fault injected/, 'no fault was injected');
                t.diagnostic(`${fault}: ${d.stderr().split('fault injected').length - 1} faults; ${JSON.stringify(per)}`);
                assert.ok(seen.failed > 0, `no change failed: ${JSON.stringify(seen)}`);
            } finally {
                assertCleanExit(await d.stop());
            }
            assert.ok(seen.ok > 0, `no change succeeded: ${JSON.stringify(seen)}`);
            assert.equal(onDisk(d, 'PRAGMA integrity_check;'), 'ok');
            const v = cli(['audit', 'verify', '--data', d.dataDir]);
            assert.equal(v.code, 0, v.stdout + v.stderr);
        });
    });
}
