// SPDX-License-Identifier: EUPL-1.2
// threatintel.test.mjs - threat intelligence out (issue 22): an incident's
// indicators of compromise as typed data (checked, normalised,
// de-duplicated, each with its TLP; bad input named by field and index and
// nothing changed; every change versioned, on the timeline and audited),
// the incident as a MISP event (validated against the JSON Schema and the
// category-type table of the MISP core format) and as a STIX 2.1 bundle
// (validated against the OASIS STIX 2.1 JSON schemas with
// python3-jsonschema, every pattern checked by the grammar of
// STIXPattern.g4), compared with golden files; TLP limits on reading and
// exporting; and the push of the event to a MISP instance, here a small
// receiver on loopback that checks the request and answers as MISP does.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { api, assertProblem, cli, startDaemon, tempDir } from './lib/daemon.mjs';
import { createIncident, createToken } from './lib/incidents.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const GOLDEN = path.join(HERE, 'fixtures/threatintel');
const VALIDATE = path.join(HERE, 'lib/threatintel_validate.py');
const T0 = '2031-03-14T09:00:00Z';
const KEY = 'mispkey0123456789abcdefghijklmnopqrstuvwx';
const SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function tlpToken(d, name, role, tlp) {
    const r = cli(['token', 'create', '--name', name, '--role', role, '--tlp-max', tlp], { dataDir: d.dataDir });
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
}

/** The published formats' own checks (lib/threatintel_validate.py). */
function validate(kind, doc) {
    const file = path.join(tempDir('meldpunt-ti-'), `${kind}.json`);
    fs.writeFileSync(file, JSON.stringify(doc));
    const r = spawnSync('python3', [VALIDATE, kind, file], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${kind} does not validate:\n${r.stdout}${r.stderr}`);
    assert.equal(r.stdout.trim(), 'ok');
}

// The grammar of a STIX pattern (STIXPattern.g4 of the OASIS schemas) for
// the one form meldpunt writes, an observation of one equality:
//   pattern: '[' objectType ':' firstPathComponent ('.' (Identifier|StringLiteral))* EQ StringLiteral ']'
// No pattern validator is packaged for Debian or npm; this is derived from
// the grammar's own rules, not from meldpunt's output.
const IDENT = '[a-zA-Z_][a-zA-Z0-9_]*'; // IdentifierWithoutHyphen
const IDENT_HYPHEN = '[a-zA-Z_][a-zA-Z0-9_-]*'; // IdentifierWithHyphen
const STRING = "'(?:[^'\\\\]|\\\\'|\\\\\\\\)*'"; // StringLiteral: QUOTE ( ~['\\] | '\\\'' | '\\\\' )* QUOTE
const PATTERN = new RegExp(
    `^\\[\\s*(${IDENT_HYPHEN}):(${IDENT}|${STRING})((?:\\.(?:${IDENT}|${STRING}))*)\\s*(?:=|==)\\s*(${STRING})\\s*\\]$`,
);
const unquote = (s) => s.slice(1, -1).replace(/\\(['\\])/g, '$1');

/** Every UUID but the published markings' and extension's named by its
 * order of appearance: the incident's id (and so every id made from it)
 * is new in each run; the rest of the export is not. */
function stable(doc) {
    const seen = new Map();
    const text = JSON.stringify(doc, null, 1).replace(
        /(?<!(?:marking|extension)-definition--)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g,
        (u) => {
            if (!seen.has(u)) seen.set(u, `uuid-${seen.size + 1}`);
            return seen.get(u);
        },
    );
    return JSON.parse(text);
}

function golden(name, doc) {
    const file = path.join(GOLDEN, name);
    if (process.env.MELDPUNT_UPDATE_GOLDEN === '1') fs.writeFileSync(file, JSON.stringify(doc, null, 1) + '\n');
    assert.deepEqual(
        doc,
        JSON.parse(fs.readFileSync(file, 'utf8')),
        `${name} differs from the golden file (reviewed by hand)`,
    );
}

describe('threat intelligence out', () => {
    let d, receiver, received, answerStatus, analyst, manager, viewer, greenViewer, greenAnalyst, inc, green;
    before(async () => {
        received = [];
        answerStatus = 200;
        receiver = http.createServer((req, res) => {
            let body = '';
            req.setEncoding('utf8');
            req.on('data', (c) => (body += c));
            req.on('end', () => {
                received.push({ method: req.method, url: req.url, headers: req.headers, body });
                const ev = JSON.parse(body).Event ?? {};
                res.writeHead(answerStatus, { 'content-type': 'application/json' });
                res.end(
                    JSON.stringify(
                        answerStatus === 200
                            ? { Event: { id: '42', uuid: ev.uuid, info: ev.info } }
                            : { name: 'Internal error', message: 'boom' },
                    ),
                );
            });
        });
        await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
        const keyFile = path.join(tempDir('meldpunt-misp-'), 'misp-key');
        fs.writeFileSync(keyFile, KEY + '\n');
        d = await startDaemon({
            config: `[misp]\nurl = http://127.0.0.1:${receiver.address().port}/\nkey_file = ${keyFile}\n`,
        });
        assert.equal(await d.setClock({ now: T0 }), T0);
        const org = await api(d.url, d.adminToken, 'GET', '/api/v1/organisation');
        const body = { ...org.json, name: 'Waterbedrijf Oost' };
        delete body.version;
        delete body.updated_at;
        assert.equal((await api(d.url, d.adminToken, 'PUT', '/api/v1/organisation', body)).status, 200);
        analyst = createToken(d, 'ti-analyst', 'analyst');
        manager = createToken(d, 'ti-manager', 'manager');
        viewer = createToken(d, 'ti-viewer', 'viewer');
        greenViewer = tlpToken(d, 'ti-green-viewer', 'viewer', 'green');
        greenAnalyst = tlpToken(d, 'ti-green-analyst', 'analyst', 'green');
        inc = await createIncident(d, analyst, {
            title: 'Ransomware at the pumping station',
            description: 'The SCADA historian was encrypted.',
            tlp: 'amber',
            severity: 'critical',
            root_cause_category: 'malicious_action',
            detected_at: T0,
        });
        green = await createIncident(d, analyst, {
            title: 'Phishing wave',
            tlp: 'green',
            severity: 'medium',
            detected_at: T0,
        });
    });
    after(async () => {
        await d.stopClean();
        receiver.close();
    });

    const iocs = (token, id) => api(d.url, token, 'GET', `/api/v1/incidents/${id}/iocs`);
    const add = (token, id, list, headers) =>
        api(d.url, token, 'POST', `/api/v1/incidents/${id}/iocs`, { iocs: list }, headers);

    test('indicators are typed, checked, kept in normal form and de-duplicated', async () => {
        const res = await add(analyst, inc.id, [
            { value: '192.0.2.1' },
            { value: '2001:DB8:0:0::1' },
            { value: 'Evil.Example.COM.' },
            { value: 'HTTP://Evil.Example.COM/Pay?Id=7' },
            { value: 'D41D8CD98F00B204E9800998ECF8427E' },
            { type: 'sha256', value: SHA256.toUpperCase(), tlp: 'green', comment: 'the dropper' },
            { value: 'Bad.Actor@Evil.Example.COM' },
            { type: 'filename', value: 'invoice.pdf.exe' },
            { value: '198.51.100.0/24' },
            { value: 'evil.example.com' }, // the third, written the other way
        ]);
        assert.equal(res.status, 201, res.text);
        assert.deepEqual(
            res.json.added.map((i) => [i.type, i.value, i.tlp]),
            [
                ['ipv4', '192.0.2.1', 'amber'],
                ['ipv6', '2001:db8::1', 'amber'],
                ['domain', 'evil.example.com', 'amber'],
                ['url', 'http://evil.example.com/Pay?Id=7', 'amber'],
                ['md5', 'd41d8cd98f00b204e9800998ecf8427e', 'amber'],
                ['sha256', SHA256, 'green'],
                ['email', 'Bad.Actor@evil.example.com', 'amber'],
                ['filename', 'invoice.pdf.exe', 'amber'],
                ['ipv4', '198.51.100.0/24', 'amber'],
            ],
        );
        assert.deepEqual(res.json.existing, [{ type: 'domain', value: 'evil.example.com' }]);
        assert.equal(res.json.version, 2);
        assert.equal(res.headers.get('etag'), '"2"');
        // the same again: nothing new, nothing changed
        const again = await add(analyst, inc.id, [
            { value: '192.0.2.1/32' },
            { type: 'md5', value: 'd41d8cd98f00b204e9800998ecf8427e' },
        ]);
        assert.equal(again.status, 200, again.text);
        assert.deepEqual(again.json.added, []);
        assert.equal(again.json.existing.length, 2);
        assert.equal(again.json.version, 2);
        const list = await iocs(viewer, inc.id);
        assert.equal(list.status, 200, list.text);
        assert.equal(list.json.items.length, 9);
        // the change is the incident's: its version, its timeline, the audit chain
        const got = await api(d.url, viewer, 'GET', `/api/v1/incidents/${inc.id}`);
        assert.equal(got.json.version, 2);
        const tl = await api(d.url, viewer, 'GET', `/api/v1/incidents/${inc.id}/timeline`);
        const entry = tl.json.items.find((e) => e.field === 'iocs');
        assert.ok(entry, tl.text);
        assert.equal(entry.kind, 'changed');
        const added = entry.new;
        assert.equal(added.length, 9);
        const audit = await api(d.url, d.adminToken, 'GET', '/api/v1/audit?limit=500');
        const a = audit.json.items.find((e) => e.action === 'incident.iocs.add');
        assert.ok(a, 'audited');
        assert.equal(a.object, inc.id);
    });

    test('bad input is named by field and index, in both languages by its code, and changes nothing', async () => {
        const before = await iocs(viewer, inc.id);
        const res = await add(analyst, inc.id, [
            { value: '203.0.113.9' },
            { value: 'example[.]com' },
            { type: 'sha256', value: 'abc' },
            { type: 'ipv6', value: '192.0.2.1' },
            { value: 'x', colour: 'red' },
            { type: 'hash', value: 'x' },
            { value: 'evil' },
            { type: 'filename', value: '../etc/passwd' },
            { value: 42 },
            {},
        ]);
        assertProblem(res, 422);
        const by = Object.fromEntries(res.json.errors.map((e) => [e.field, e]));
        for (const f of ['iocs[1].value', 'iocs[2].value', 'iocs[3].value', 'iocs[6].value', 'iocs[7].value']) {
            assert.equal(by[f]?.code, 'ioc_value', `${f}: ${res.text}`);
        }
        assert.equal(by['iocs[4].colour']?.code, 'unknown_field');
        assert.equal(by['iocs[5].type']?.code, 'one_of');
        assert.ok(by['iocs[8].value'] && by['iocs[9].value'], res.text);
        assert.match(by['iocs[2].value'].message, /64 hexadecimal digits/);
        assert.equal(by['iocs[0].value'], undefined);
        // nothing of the batch was kept, not even its good first one
        const after = await iocs(viewer, inc.id);
        assert.deepEqual(after.json, before.json);
        for (const body of [{ iocs: [] }, { iocs: 'x' }, { list: [] }]) {
            assertProblem(await api(d.url, analyst, 'POST', `/api/v1/incidents/${inc.id}/iocs`, body), 422);
        }
        // the Dutch and English words of the code
        const words = fs.readFileSync(path.join(HERE, '../../web/lib/i18n_iocs.js'), 'utf8');
        assert.equal(words.match(/err_ioc_value:/g)?.length, 2);
    });

    test('removing is a change of the incident too; If-Match guards both', async () => {
        const list = await iocs(analyst, inc.id);
        const fn = list.json.items.find((i) => i.type === 'filename');
        const stale = await api(d.url, analyst, 'DELETE', `/api/v1/incidents/${inc.id}/iocs/${fn.id}`, undefined, {
            'if-match': '"1"',
        });
        assertProblem(stale, 412);
        const res = await api(d.url, analyst, 'DELETE', `/api/v1/incidents/${inc.id}/iocs/${fn.id}`, undefined, {
            'if-match': `"${list.json.version}"`,
        });
        assert.equal(res.status, 204, res.text);
        assert.equal(res.headers.get('etag'), `"${list.json.version + 1}"`);
        assertProblem(await api(d.url, analyst, 'DELETE', `/api/v1/incidents/${inc.id}/iocs/${fn.id}`), 404);
        assertProblem(await api(d.url, viewer, 'DELETE', `/api/v1/incidents/${inc.id}/iocs/${fn.id}`), 403);
        const tl = await api(d.url, viewer, 'GET', `/api/v1/incidents/${inc.id}/timeline`);
        assert.ok(
            tl.json.items.some((e) => e.field === 'iocs' && e.old),
            tl.text,
        );
        const audit = await api(d.url, d.adminToken, 'GET', '/api/v1/audit?limit=500');
        assert.ok(audit.json.items.some((e) => e.action === 'incident.iocs.remove' && e.object === inc.id));
        assertProblem(await add(analyst, inc.id, [{ value: '192.0.2.99' }], { 'if-match': '"1"' }), 412);
    });

    test('the MISP event: the published JSON Schema, the category-type table, TLP and NIS tags, golden', async () => {
        const res = await api(d.url, viewer, 'GET', `/api/v1/incidents/${inc.id}/export?format=misp`);
        assert.equal(res.status, 200, res.text);
        assert.match(res.headers.get('content-disposition'), /attachment; filename="incident_.*_misp\.json"/);
        validate('misp', res.json);
        const ev = res.json.Event;
        assert.deepEqual(
            ev.Tag.map((t) => t.name),
            ['tlp:amber', 'nis:nature-root-cause="malicious-actions"', 'nis:nature-severity="high"'],
        );
        const types = Object.fromEntries(ev.Attribute.map((a) => [a.value, [a.type, a.category, a.Tag[0].name]]));
        assert.deepEqual(types['192.0.2.1'], ['ip-dst', 'Network activity', 'tlp:amber']);
        assert.deepEqual(types[SHA256], ['sha256', 'Payload delivery', 'tlp:green']);
        assert.deepEqual(types['Bad.Actor@evil.example.com'], ['email-src', 'Payload delivery', 'tlp:amber']);
        // stable: the same incident, the same event
        const again = await api(d.url, manager, 'GET', `/api/v1/incidents/${inc.id}/export?format=misp`);
        assert.deepEqual(again.json, res.json);
        golden('misp.golden.json', stable(res.json));
    });

    test('the STIX 2.1 bundle: the OASIS schemas, the pattern grammar, TLP 2.0 markings, golden', async () => {
        const res = await api(d.url, viewer, 'GET', `/api/v1/incidents/${inc.id}/export?format=stix`);
        assert.equal(res.status, 200, res.text);
        validate('stix', res.json);
        const objects = res.json.objects;
        const byId = new Map(objects.map((o) => [o.id, o]));
        const indicators = objects.filter((o) => o.type === 'indicator');
        assert.equal(indicators.length, 8);
        for (const ind of indicators) {
            const m = PATTERN.exec(ind.pattern);
            assert.ok(m, `not a pattern of the grammar: ${ind.pattern}`);
            // the observation names the same value as the observable beside it
            const obs = objects.find(
                (o) =>
                    o.type === 'observed-data' &&
                    o.first_observed === ind.valid_from &&
                    byId.get(o.object_refs[0]).type === m[1] &&
                    JSON.stringify(byId.get(o.object_refs[0])).includes(JSON.stringify(unquote(m[4])).slice(1, -1)),
            );
            assert.ok(obs, `no observed-data for ${ind.pattern}`);
            for (const ref of ind.object_marking_refs) assert.equal(byId.get(ref)?.type, 'marking-definition');
        }
        assert.ok(indicators.some((i) => i.pattern === `[file:hashes.'SHA-256' = '${SHA256}']`));
        assert.ok(indicators.some((i) => i.pattern === "[ipv6-addr:value = '2001:db8::1']"));
        const incident = objects.find((o) => o.type === 'incident');
        assert.equal(byId.get(incident.created_by_ref).name, 'Waterbedrijf Oost');
        assert.deepEqual(incident.object_marking_refs, ['marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421']);
        assert.deepEqual(
            objects
                .filter((o) => o.type === 'marking-definition')
                .map((o) => o.name)
                .sort(),
            ['TLP:AMBER', 'TLP:GREEN'],
        );
        const again = await api(d.url, viewer, 'GET', `/api/v1/incidents/${inc.id}/export?format=stix`);
        assert.deepEqual(again.json, res.json);
        golden('stix.golden.json', stable(res.json));
        assertProblem(await api(d.url, viewer, 'GET', `/api/v1/incidents/${inc.id}/export`), 400);
        assertProblem(await api(d.url, viewer, 'GET', `/api/v1/incidents/${inc.id}/export?format=openioc`), 400);
    });

    test('TLP limits: the incident and each indicator', async () => {
        // an AMBER incident does not exist for a GREEN viewer, nor its exports
        for (const p of ['/iocs', '/export?format=misp', '/export?format=stix']) {
            assertProblem(await api(d.url, greenViewer, 'GET', `/api/v1/incidents/${inc.id}${p}`), 404);
        }
        // in a GREEN incident, an AMBER indicator is left out for them
        const res = await add(analyst, green.id, [
            { value: 'phish.example.net' },
            { value: '203.0.113.7', tlp: 'amber' },
        ]);
        assert.equal(res.status, 201, res.text);
        assert.deepEqual(
            (await iocs(greenViewer, green.id)).json.items.map((i) => i.value),
            ['phish.example.net'],
        );
        const misp = await api(d.url, greenViewer, 'GET', `/api/v1/incidents/${green.id}/export?format=misp`);
        assert.deepEqual(
            misp.json.Event.Attribute.map((a) => a.value),
            ['phish.example.net'],
        );
        const stix = await api(d.url, greenViewer, 'GET', `/api/v1/incidents/${green.id}/export?format=stix`);
        assert.ok(!JSON.stringify(stix.json).includes('203.0.113.7'));
        validate('stix', stix.json);
        const amberId = res.json.added.find((i) => i.tlp === 'amber').id;
        assertProblem(await api(d.url, greenAnalyst, 'DELETE', `/api/v1/incidents/${green.id}/iocs/${amberId}`), 404);
        // nor may a GREEN analyst mark an indicator above what they may see
        const up = await add(greenAnalyst, green.id, [{ value: '203.0.113.8', tlp: 'red' }]);
        assertProblem(up, 422);
        assert.equal(up.json.errors[0].field, 'iocs[0].tlp');
    });

    test('push to MISP: the request the instance gets, the answer audited, a failure too', async () => {
        assertProblem(await api(d.url, analyst, 'POST', `/api/v1/incidents/${inc.id}/misp`), 403);
        received.length = 0;
        const res = await api(d.url, manager, 'POST', `/api/v1/incidents/${inc.id}/misp`);
        assert.equal(res.status, 200, res.text);
        assert.equal(received.length, 1);
        const req = received[0];
        assert.equal(req.method, 'POST');
        assert.equal(req.url, '/events/add');
        assert.equal(req.headers.authorization, KEY);
        assert.match(req.headers['content-type'], /^application\/json/);
        const sent = JSON.parse(req.body);
        const exported = await api(d.url, manager, 'GET', `/api/v1/incidents/${inc.id}/export?format=misp`);
        assert.deepEqual(sent, exported.json);
        validate('misp', sent);
        assert.equal(res.json.status, 200);
        assert.deepEqual(res.json.answer, { id: '42', uuid: sent.Event.uuid });
        let audit = await api(d.url, d.adminToken, 'GET', '/api/v1/audit?limit=500');
        const pushed = audit.json.items.filter((e) => e.action === 'incident.misp.push');
        assert.equal(pushed.length, 1);
        const payload = typeof pushed[0].payload === 'string' ? JSON.parse(pushed[0].payload) : pushed[0].payload;
        assert.equal(payload.answer.id, '42');
        assert.ok(!JSON.stringify(audit.json).includes(KEY), 'the key is never audited');
        // the instance fails: 502, and audited with its status
        answerStatus = 500;
        const bad = await api(d.url, manager, 'POST', `/api/v1/incidents/${inc.id}/misp`);
        answerStatus = 200;
        assertProblem(bad, 502);
        audit = await api(d.url, d.adminToken, 'GET', '/api/v1/audit?limit=500');
        const failed = audit.json.items.filter((e) => e.action === 'incident.misp.push').at(-1);
        const fp = typeof failed.payload === 'string' ? JSON.parse(failed.payload) : failed.payload;
        assert.equal(fp.status, 500);
    });
});

describe('threat intelligence out: no MISP instance configured', () => {
    let d;
    before(async () => {
        d = await startDaemon();
    });
    after(async () => {
        await d.stopClean();
    });
    test('a push answers 409 and names the setting', async () => {
        const inc = await createIncident(d, d.adminToken, { title: 'x' });
        const res = await api(d.url, d.adminToken, 'POST', `/api/v1/incidents/${inc.id}/misp`);
        assertProblem(res, 409);
        assert.match(res.json.detail, /\[misp\] url/);
    });
    test('a key file that cannot be read stops the start, naming it', () => {
        const dir = tempDir();
        const conf = path.join(dir, 'meldpunt.conf');
        fs.writeFileSync(conf, `[misp]\nurl = https://misp.example.org\nkey_file = ${path.join(dir, 'missing')}\n`);
        const r = cli(['serve', '--data', path.join(dir, 'data'), '--listen', '127.0.0.1:0', '--config', conf], {
            timeout: 20000,
        });
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /\[misp\] key_file: cannot read/);
        fs.writeFileSync(conf, `[misp]\nurl = http://misp.example.org\nkey_file = ${conf}\n`);
        const plain = cli(['serve', '--data', path.join(dir, 'data'), '--listen', '127.0.0.1:0', '--config', conf], {
            timeout: 20000,
        });
        assert.notEqual(plain.code, 0);
        assert.match(plain.stderr, /\[misp\] url: must be an https:\/\/ address/);
    });
});

describe('threat intelligence out: IoC words in drafts written before typed IoCs', () => {
    let d;
    before(async () => {
        d = await startDaemon();
    });
    after(async () => {
        await d.stopClean();
    });
    test('the upgrade types what a word can be and keeps the rest, as written, in a note; the draft is untouched', async () => {
        const org = await api(d.url, d.adminToken, 'GET', '/api/v1/organisation');
        const body = {
            ...org.json,
            name: 'Waterbedrijf',
            sector: 'drinking_water',
            nis2_class: 'essential',
            annual_turnover_eur: 2e7,
        };
        delete body.version;
        delete body.updated_at;
        assert.equal((await api(d.url, d.adminToken, 'PUT', '/api/v1/organisation', body)).status, 200);
        const inc = await createIncident(d, d.adminToken, {
            title: 'Sabotage of dosing',
            tlp: 'amber',
            aware_at: new Date(Date.now() - 3600e3).toISOString().replace(/\.\d+Z$/, 'Z'),
            impact: { persons_health_damaged: 3 },
        });
        const n = await api(d.url, d.adminToken, 'POST', `/api/v1/incidents/${inc.id}/notifications`, {
            regime: 'nis2',
            stage: 'notification',
        });
        assert.equal(n.status, 201, n.text);
        const text =
            'C2: 192.0.2.44, evil.example.net; dropper D41D8CD98F00B204E9800998ECF8427E (see ticket #4711) hxxp://bad[.]example';
        const p = await api(d.url, d.adminToken, 'PATCH', `/api/v1/notifications/${n.json.id}`, {
            fields: { iocs: text },
        });
        assert.equal(p.status, 200, p.text);
        // the database as the meldpunt before typed IoCs left it
        await d.stop();
        const db = path.join(d.dataDir, 'meldpunt.db');
        const undo = spawnSync(
            'sqlite3',
            [
                db,
                // what migration 0024 does to a database of before (the same statement), without
                // undoing it: later migrations keep their place
                "DELETE FROM incident_iocs; INSERT INTO ioc_texts_pending (notification_id, incident_id, regime, stage, text) " +
                    "SELECT id, incident_id, regime, stage, json_extract(fields, '$.iocs') FROM notifications " +
                    "WHERE json_valid(fields) AND json_type(fields, '$.iocs') = 'text' AND trim(json_extract(fields, '$.iocs')) <> '';",
            ],
            { encoding: 'utf8' },
        );
        assert.equal(undo.status, 0, undo.stderr);
        await d.restart();
        const list = await api(d.url, d.adminToken, 'GET', `/api/v1/incidents/${inc.id}/iocs`);
        assert.deepEqual(
            list.json.items.map((i) => [i.type, i.value, i.tlp]),
            [
                ['ipv4', '192.0.2.44', 'amber'],
                ['domain', 'evil.example.net', 'amber'],
                ['md5', 'd41d8cd98f00b204e9800998ecf8427e', 'amber'],
            ],
        );
        const tl = await api(d.url, d.adminToken, 'GET', `/api/v1/incidents/${inc.id}/timeline`);
        const note = tl.json.items.find((e) => e.kind === 'note' && /kept as written/.test(e.note ?? ''));
        assert.ok(note, tl.text);
        assert.match(note.note, /: C2: dropper \(see ticket #4711\) hxxp:\/\/bad\[\.\]example$/);
        const audit = await api(d.url, d.adminToken, 'GET', '/api/v1/audit?limit=500');
        assert.ok(audit.json.items.some((e) => e.action === 'incident.iocs.import' && e.object === inc.id));
        const draft = await api(d.url, d.adminToken, 'GET', `/api/v1/notifications/${n.json.id}`);
        assert.equal(draft.json.fields.iocs, text);
        // once: a second start types nothing again
        await d.restart();
        const again = await api(d.url, d.adminToken, 'GET', `/api/v1/incidents/${inc.id}/timeline`);
        assert.equal(again.json.items.filter((e) => e.kind === 'note').length, 1);
    });
});
