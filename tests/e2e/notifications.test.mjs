// SPDX-License-Identifier: EUPL-1.2
// notifications.test.mjs - notification drafts with the shipped rules: a
// draft prefilled from the incident and the stage's contents, edited with
// If-Match, approved (signed, frozen) by a manager only when the required
// contents are filled, verified by Debian's minisign and by `meldpunt
// verify`, submitted (the obligation records it), corrected by a new version.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { api, cli, startDaemon, tempDir } from './lib/daemon.mjs';
import { createIncident, createToken, iso } from './lib/incidents.mjs';
import { addUser, approveAs } from './lib/session.mjs';

const HOUR = 3600e3;

describe('notification drafts', () => {
    let d, tokens, inc, signer;
    before(async () => {
        d = await startDaemon();
        tokens = {
            viewer: createToken(d, 'n-viewer', 'viewer'),
            analyst: createToken(d, 'n-analyst', 'analyst'),
            manager: createToken(d, 'n-manager', 'manager'),
            ingest: createToken(d, 'n-ingest', 'ingest'),
        };
        signer = addUser(d, 'n-signer', 'manager');
        const org = await api(d.url, d.adminToken, 'GET', '/api/v1/organisation');
        const body = { ...org.json, name: 'Waterbedrijf', sector: 'drinking_water', nis2_class: 'essential', annual_turnover_eur: 2e7 };
        delete body.version;
        delete body.updated_at;
        const put = await api(d.url, d.adminToken, 'PUT', '/api/v1/organisation', body);
        assert.equal(put.status, 200, put.text);
        inc = await createIncident(d, tokens.analyst, {
            title: 'Chlorine dosing sabotage',
            description: 'Dosing set to 10x by an unknown party',
            aware_at: iso(Date.now() - HOUR),
            impact: { persons_health_damaged: 3, suspected_malicious: true, cross_border: false },
        });
    });
    after(async () => {
        await d.stopClean();
    });

    const create = (t, body) => api(d.url, t, 'POST', `/api/v1/incidents/${inc.id}/notifications`, body);

    test('a draft for an obligation is prefilled from the incident; roles; unknown stages', async () => {
        let res = await create(tokens.analyst, { regime: 'nis2', stage: 'early_warning' });
        assert.equal(res.status, 201, res.text);
        assert.equal(res.json.state, 'draft');
        assert.equal(res.json.language, 'nl');
        assert.equal(res.json.recipient, 'csirt');
        assert.equal(res.json.fields.suspected_malicious, true);
        assert.equal(res.json.fields.cross_border, false);
        assert.equal(res.json.fields.summary, 'Dosing set to 10x by an unknown party');
        assert.equal(res.json.fields.contact_official, null);
        // from the classification: the criteria that fired (damage to health)
        assert.ok(res.json.fields.criteria_met.includes('cir-3-1-d'), JSON.stringify(res.json.fields.criteria_met));
        assert.ok(res.json.obligation);
        assert.equal(res.headers.get('etag'), '"1"');

        res = await create(tokens.viewer, { regime: 'nis2', stage: 'early_warning' });
        assert.equal(res.status, 403);
        res = await create(tokens.ingest, { regime: 'nis2', stage: 'early_warning' });
        assert.equal(res.status, 403);
        res = await create(tokens.analyst, { regime: 'nis2', stage: 'nope' });
        assert.equal(res.status, 422);
        assert.equal(res.json.errors[0].field, 'stage');
        // DORA does not apply to this organisation: nothing is owed under it
        res = await create(tokens.analyst, { regime: 'dora', stage: 'initial' });
        assert.equal(res.status, 409, res.text);
        assert.match(res.json.detail, /nothing is owed/);
    });

    test('edit, approve (manager, required contents), verify with minisign, freeze, submit, correct', async () => {
        let res = await create(tokens.analyst, { regime: 'nis2', stage: 'early_warning', language: 'en' });
        assert.equal(res.status, 201, res.text);
        const nid = res.json.id;
        const N = `/api/v1/notifications/${nid}`;

        // the document does not exist before approval
        res = await api(d.url, tokens.viewer, 'GET', `${N}/document.json`);
        assert.equal(res.status, 409);

        // approval needs the required contents, and a manager
        res = await approveAs(d, signer, N);
        assert.equal(res.status, 422);
        assert.deepEqual(res.json.errors.map((e) => e.field), ['fields.contact_official']);
        res = await api(d.url, tokens.analyst, 'PATCH', N, { fields: { nonsense: 1 } });
        assert.equal(res.status, 422);
        assert.equal(res.json.errors[0].field, 'fields.nonsense');
        res = await api(d.url, tokens.analyst, 'PATCH', N, { fields: { contact_official: 'x' } }, { 'if-match': '"7"' });
        assert.equal(res.status, 412);
        res = await api(d.url, tokens.analyst, 'PATCH', N, { fields: { contact_official: 'J. Jansen, CISO, +31 6 1234 5678' } }, { 'if-match': '"1"' });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.version, 2);
        res = await api(d.url, tokens.analyst, 'POST', `${N}/approve`);
        assert.equal(res.status, 403);
        // only a person signs: a manager's API token is refused, saying why, and nothing changes
        res = await api(d.url, tokens.manager, 'POST', `${N}/approve`);
        assert.equal(res.status, 403, res.text);
        assert.match(res.headers.get('content-type'), /^application\/problem\+json/);
        assert.match(res.json.detail, /only a person signs: an API token cannot approve or sign a notification/);
        res = await api(d.url, tokens.viewer, 'GET', N);
        assert.equal(res.json.state, 'draft');
        assert.equal(res.json.version, 2);
        assert.equal(res.json.signed, false);
        res = await api(d.url, d.adminToken, 'POST', `${N}/approve`, undefined, { 'if-match': '"2"' });
        assert.equal(res.status, 403, 'an admin token neither');
        res = await approveAs(d, signer, N);
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.state, 'approved');
        assert.equal(res.json.signed, true);

        // the signed bytes and their signature, checked by third-party minisign
        const work = tempDir();
        const docPath = path.join(work, 'document.json');
        const doc = await fetch(`${d.url}${N}/document.json`, { headers: { authorization: `Bearer ${tokens.viewer}` } });
        assert.equal(doc.status, 200);
        const bytes = Buffer.from(await doc.arrayBuffer());
        fs.writeFileSync(docPath, bytes);
        const sig = await api(d.url, tokens.viewer, 'GET', `${N}/document.json.minisig`);
        assert.equal(sig.status, 200);
        fs.writeFileSync(`${docPath}.minisig`, sig.text);
        const key = await api(d.url, tokens.viewer, 'GET', '/api/v1/signing-key');
        const pub = path.join(work, 'meldpunt.pub');
        fs.writeFileSync(pub, key.json.public_key);
        execFileSync('/usr/bin/minisign', ['-Vq', '-m', docPath, '-p', pub]);
        let v = cli(['verify', docPath, '--pubkey', pub]);
        assert.equal(v.code, 0, v.stdout + v.stderr);
        assert.match(v.stdout, new RegExp(`incident=${inc.ref} regime=nis2 stage=early_warning notification=${nid} version=3 signed_at=\\S+ by=user:n-signer`));

        // the document: canonical JSON with the contents in the draft's language
        const parsed = JSON.parse(bytes.toString('utf8'));
        assert.equal(parsed.incident.ref, inc.ref);
        assert.equal(parsed.organisation.name, 'Waterbedrijf');
        assert.equal(parsed.stage.name, 'Early warning');
        assert.equal(parsed.contents.find((c) => c.id === 'contact_official').value, 'J. Jansen, CISO, +31 6 1234 5678');
        assert.equal(parsed.signature.key_id, key.json.key_id);
        // RFC 8785: keys sorted by UTF-16 code units (JavaScript's own sort), no white
        // space; JSON.stringify writes strings and integers the same way
        const canon = (x) =>
            Array.isArray(x)
                ? x.map(canon)
                : x && typeof x === 'object'
                  ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, canon(x[k])]))
                  : x;
        assert.equal(bytes.toString('utf8'), JSON.stringify(canon(parsed)));

        // one changed byte: both verifiers refuse
        const tampered = Buffer.from(bytes);
        tampered[10] ^= 1;
        fs.writeFileSync(docPath, tampered);
        assert.throws(() => execFileSync('/usr/bin/minisign', ['-Vq', '-m', docPath, '-p', pub], { stdio: 'ignore' }));
        v = cli(['verify', docPath, '--pubkey', pub]);
        assert.equal(v.code, 1);

        // the document intact, but one byte of the signature or of the trusted
        // comment changed: both verifiers refuse too
        fs.writeFileSync(docPath, bytes);
        const lines = sig.text.split('\n');
        const flip = (str, i) => str.slice(0, i) + (str[i] === 'A' ? 'B' : 'A') + str.slice(i + 1);
        for (const [what, changed] of [
            ['signature', [lines[0], flip(lines[1], 20), ...lines.slice(2)].join('\n')],
            ['trusted comment', [lines[0], lines[1], lines[2].replace('stage=early_warning', 'stage=early_warninG'), ...lines.slice(3)].join('\n')],
        ]) {
            fs.writeFileSync(`${docPath}.minisig`, changed);
            assert.throws(() => execFileSync('/usr/bin/minisign', ['-Vq', '-m', docPath, '-p', pub], { stdio: 'ignore' }), what);
            assert.equal(cli(['verify', docPath, '--pubkey', pub]).code, 1, what);
        }
        fs.writeFileSync(`${docPath}.minisig`, sig.text);
        assert.equal(cli(['verify', docPath, '--pubkey', pub]).code, 0);

        // the printable page, in the draft's language, and the bundle for the file
        const page = await api(d.url, tokens.viewer, 'GET', `${N}/document.html`);
        assert.equal(page.status, 200);
        assert.match(page.headers.get('content-type'), /^text\/html/);
        assert.match(page.text, /<html lang="en">/);
        assert.match(page.text, /signed within the deadline/i);
        assert.match(page.text, new RegExp(key.json.key_id));
        assert.match(page.text, /J\. Jansen, CISO/);
        const zipRes = await fetch(`${d.url}${N}/bundle`, { headers: { authorization: `Bearer ${tokens.viewer}` } });
        assert.equal(zipRes.status, 200);
        assert.equal(zipRes.headers.get('content-type'), 'application/zip');
        // downloads are named after what they are
        assert.equal(zipRes.headers.get('content-disposition'), `attachment; filename="${inc.ref}_nis2_early-warning_v1.zip"`);
        for (const [p, name] of [
            ['document.json', `${inc.ref}_nis2_early-warning_v1.json`],
            ['document.json.minisig', `${inc.ref}_nis2_early-warning_v1.json.minisig`],
        ]) {
            const r = await fetch(`${d.url}${N}/${p}`, { headers: { authorization: `Bearer ${tokens.viewer}` } });
            assert.equal(r.headers.get('content-disposition'), `attachment; filename="${name}"`);
        }
        const zipDir = tempDir();
        const zipPath = path.join(zipDir, 'bundle.zip');
        fs.writeFileSync(zipPath, Buffer.from(await zipRes.arrayBuffer()));
        execFileSync('/usr/bin/unzip', ['-q', zipPath, '-d', zipDir]);
        for (const f of ['document.json', 'document.json.minisig', 'meldpunt.pub', 'document.html', 'timeline.json', 'README.txt'])
            assert.ok(fs.existsSync(path.join(zipDir, f)), f);
        assert.deepEqual(fs.readFileSync(path.join(zipDir, 'document.json')), bytes);
        execFileSync('/usr/bin/minisign', ['-Vq', '-m', path.join(zipDir, 'document.json'), '-p', path.join(zipDir, 'meldpunt.pub')]);
        assert.ok(JSON.parse(fs.readFileSync(path.join(zipDir, 'timeline.json'), 'utf8')).length > 0);
        assert.equal(typeof parsed.audit_head.seq, 'number');
        assert.match(parsed.audit_head.hash, /^[0-9a-f]{64}$/);

        // signed versions never change
        res = await api(d.url, tokens.manager, 'PATCH', N, { fields: { summary: 'changed' } });
        assert.equal(res.status, 409);
        res = await approveAs(d, signer, N);
        assert.equal(res.status, 409);

        // submitting marks the obligation submitted
        res = await api(d.url, tokens.manager, 'POST', `${N}/submit`, {});
        assert.equal(res.status, 422);
        assert.equal(res.json.errors[0].field, 'channel');
        res = await api(d.url, tokens.analyst, 'POST', `${N}/submit`, { channel: 'MijnNCSC' });
        assert.equal(res.status, 403);
        res = await api(d.url, tokens.manager, 'POST', `${N}/submit`, { channel: 'MijnNCSC', authority_reference: 'NCSC-2026-0042' });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.state, 'submitted');
        assert.equal(res.json.authority_reference, 'NCSC-2026-0042');
        const obl = await api(d.url, tokens.viewer, 'GET', `/api/v1/incidents/${inc.id}/obligations`);
        const ew = obl.json.items.find((o) => o.regime === 'nis2' && o.stage === 'early_warning');
        assert.equal(ew.status, 'submitted');
        assert.equal(ew.submitted_at, res.json.submitted_at);
        res = await api(d.url, tokens.manager, 'POST', `${N}/submit`, { channel: 'again' });
        assert.equal(res.status, 409);

        // a correction is a new draft that supersedes the signed one
        res = await api(d.url, tokens.analyst, 'POST', `${N}/corrections`);
        assert.equal(res.status, 201, res.text);
        assert.equal(res.json.supersedes, nid);
        assert.equal(res.json.state, 'draft');
        assert.equal(res.json.fields.contact_official, 'J. Jansen, CISO, +31 6 1234 5678');
        {
            // once signed, the correction downloads as the second version
            const C = `/api/v1/notifications/${res.json.id}`;
            let r = await approveAs(d, signer, C);
            assert.equal(r.status, 200, r.text);
            r = await fetch(`${d.url}${C}/document.json`, { headers: { authorization: `Bearer ${tokens.viewer}` } });
            assert.equal(r.headers.get('content-disposition'), `attachment; filename="${inc.ref}_nis2_early-warning_v2.json"`);
        }

        // all on the timeline and in the audit chain
        const list = await api(d.url, tokens.viewer, 'GET', `/api/v1/incidents/${inc.id}/notifications`);
        assert.ok(list.json.items.length >= 3);
        const tl = await api(d.url, tokens.viewer, 'GET', `/api/v1/incidents/${inc.id}/timeline`);
        const notes = tl.json.items.filter((e) => e.kind === 'obligation').map((e) => e.note);
        assert.ok(notes.some((n) => /approved and signed/.test(n)));
        assert.ok(notes.some((n) => /submitted/.test(n)));
        const audit = await api(d.url, d.adminToken, 'GET', '/api/v1/audit?limit=500');
        const actions = audit.json.items.map((e) => e.action);
        for (const a of ['notification.create', 'notification.update', 'notification.approve', 'notification.submit', 'notification.correct'])
            assert.ok(actions.includes(a), a);
        assert.equal(cli(['audit', 'verify'], { dataDir: d.dataDir }).code, 0);
    });
});

describe('key rotation', () => {
    let d;
    before(async () => {
        d = await startDaemon();
    });
    after(async () => {
        await d.stopClean();
    });

    test('meldpunt key rotate: new documents use the new key, old ones verify with the kept key', async () => {
        const manager = createToken(d, 'k-manager', 'manager');
        const person = addUser(d, 'k-signer', 'manager');
        const org = await api(d.url, d.adminToken, 'GET', '/api/v1/organisation');
        const body = { ...org.json, name: 'Org', nis2_class: 'essential' };
        delete body.version;
        delete body.updated_at;
        assert.equal((await api(d.url, d.adminToken, 'PUT', '/api/v1/organisation', body)).status, 200);
        const sign = async () => {
            const inc = await createIncident(d, manager, { title: 'Signed', aware_at: iso(Date.now() - HOUR), impact: { deaths: 1 } });
            let res = await api(d.url, manager, 'POST', `/api/v1/incidents/${inc.id}/notifications`, { regime: 'nis2', stage: 'early_warning' });
            assert.equal(res.status, 201, res.text);
            const N = `/api/v1/notifications/${res.json.id}`;
            res = await api(d.url, manager, 'PATCH', N, { fields: { suspected_malicious: false, cross_border: false, contact_official: 'A. B.' } });
            assert.equal(res.status, 200, res.text);
            res = await approveAs(d, person, N);
            assert.equal(res.status, 200, res.text);
            const doc = Buffer.from(await (await fetch(`${d.url}${N}/document.json`, { headers: { authorization: `Bearer ${manager}` } })).arrayBuffer());
            const sig = (await api(d.url, manager, 'GET', `${N}/document.json.minisig`)).text;
            return { keyId: res.json.key_id, doc, sig, N };
        };
        const before1 = await sign();
        const key1 = (await api(d.url, manager, 'GET', '/api/v1/signing-key')).json;
        assert.equal(before1.keyId, key1.key_id);
        assert.deepEqual(key1.previous, []);

        const r = cli(['key', 'rotate'], { dataDir: d.dataDir });
        assert.equal(r.code, 0, r.stderr);
        const newId = r.stdout.trim();
        assert.notEqual(newId, key1.key_id);
        const from = d.stderr().length;
        d.proc.kill('SIGHUP');
        await d.waitForLog(/signing key loaded/, { from });

        const key2 = (await api(d.url, manager, 'GET', '/api/v1/signing-key')).json;
        assert.equal(key2.key_id, newId);
        assert.deepEqual(key2.previous.map((k) => k.key_id), [key1.key_id]);
        const after1 = await sign();
        assert.equal(after1.keyId, newId);

        // the old document still verifies with the kept public key, not with the new one
        const work = tempDir();
        const docPath = path.join(work, 'old.json');
        fs.writeFileSync(docPath, before1.doc);
        fs.writeFileSync(`${docPath}.minisig`, before1.sig);
        fs.writeFileSync(path.join(work, 'old.pub'), key2.previous[0].public_key);
        fs.writeFileSync(path.join(work, 'new.pub'), key2.public_key);
        execFileSync('/usr/bin/minisign', ['-Vq', '-m', docPath, '-p', path.join(work, 'old.pub')]);
        assert.equal(cli(['verify', docPath, '--pubkey', path.join(work, 'new.pub')]).code, 1);
        // with the data directory, the kept key is found by its id
        const byDir = cli(['verify', docPath, '--data', d.dataDir]);
        assert.equal(byDir.code, 0, byDir.stdout + byDir.stderr);
        assert.match(byDir.stdout, new RegExp(`key=${key1.key_id}`));
        // the old notification's bundle carries the key that signed it, not the new one
        const zipRes = await fetch(`${d.url}${before1.N}/bundle`, { headers: { authorization: `Bearer ${manager}` } });
        assert.equal(zipRes.status, 200);
        const zipDir = tempDir();
        fs.writeFileSync(path.join(zipDir, 'b.zip'), Buffer.from(await zipRes.arrayBuffer()));
        execFileSync('unzip', ['-q', path.join(zipDir, 'b.zip'), '-d', zipDir]);
        assert.equal(fs.readFileSync(path.join(zipDir, 'meldpunt.pub'), 'utf8'), key2.previous[0].public_key);
        execFileSync('/usr/bin/minisign', ['-Vq', '-m', path.join(zipDir, 'document.json'), '-p', path.join(zipDir, 'meldpunt.pub')]);
        const audit = await api(d.url, d.adminToken, 'GET', '/api/v1/audit?limit=500');
        assert.ok(audit.json.items.some((e) => e.action === 'key.rotate'));
    });
});
