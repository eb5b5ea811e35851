// SPDX-License-Identifier: EUPL-1.2
// signing.test.mjs - the public half of meldpunt's signing key is served,
// equals the data directory's signing.pub, and checks what the secret half
// signs; the secret half is never served.  Signatures in both of
// minisign's algorithms verify (prehashed ED, ours, and legacy Ed).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { api, cli, startDaemon, tempDir } from './lib/daemon.mjs';

describe('GET /api/v1/signing-key', () => {
    let d;
    before(async () => {
        d = await startDaemon();
    });
    after(async () => {
        await d.stopClean();
    });

    test('serves signing.pub in minisign format with its key id', async () => {
        const res = await api(d.url, d.adminToken, 'GET', '/api/v1/signing-key');
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.algorithm, 'Ed25519');
        assert.equal(res.json.format, 'minisign');
        const onDisk = fs.readFileSync(path.join(d.dataDir, 'signing.pub'), 'utf8');
        assert.equal(res.json.public_key, onDisk);
        assert.match(onDisk, new RegExp(`minisign public key ${res.json.key_id}\\n`));
        assert.ok(!res.text.includes(fs.readFileSync(path.join(d.dataDir, 'signing.key'), 'utf8').split('\n')[1]));
    });

    test('what the data directory key signs verifies with the served key (minisign and meldpunt verify)', async () => {
        const res = await api(d.url, d.adminToken, 'GET', '/api/v1/signing-key');
        const work = tempDir();
        const pub = path.join(work, 'served.pub');
        const doc = path.join(work, 'doc.json');
        fs.writeFileSync(pub, res.json.public_key);
        fs.writeFileSync(doc, '{"stage":"early_warning"}');
        execFileSync('/usr/bin/minisign', ['-S', '-s', path.join(d.dataDir, 'signing.key'), '-m', doc], { stdio: 'ignore' });
        execFileSync('/usr/bin/minisign', ['-Vq', '-m', doc, '-p', pub]);
        const r = cli(['verify', doc, '--pubkey', pub]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
    });

    test('legacy minisign signatures (Ed, minisign -S -l) verify with meldpunt verify, as with minisign -V', async () => {
        const res = await api(d.url, d.adminToken, 'GET', '/api/v1/signing-key');
        const work = tempDir();
        const pub = path.join(work, 'served.pub');
        const doc = path.join(work, 'doc.json');
        fs.writeFileSync(pub, res.json.public_key);
        fs.writeFileSync(doc, '{"stage":"final_report"}');
        execFileSync('/usr/bin/minisign', ['-S', '-l', '-s', path.join(d.dataDir, 'signing.key'), '-m', doc, '-t', 'legacy'], { stdio: 'ignore' });
        const sig = fs.readFileSync(`${doc}.minisig`, 'utf8');
        assert.equal(Buffer.from(sig.split('\n')[1], 'base64').subarray(0, 2).toString(), 'Ed', 'a legacy signature');
        execFileSync('/usr/bin/minisign', ['-Vq', '-m', doc, '-p', pub]);
        // minisign -H wants a prehashed one: this is not
        assert.notEqual(spawnSync('/usr/bin/minisign', ['-Vq', '-H', '-m', doc, '-p', pub]).status, 0);
        let r = cli(['verify', doc, '--pubkey', pub]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        // and it still binds the data
        fs.writeFileSync(doc, '{"stage":"final_report" }');
        r = cli(['verify', doc, '--pubkey', pub]);
        assert.equal(r.code, 1, r.stdout + r.stderr);
    });

    test('what meldpunt signs stays prehashed (ED): minisign -V -H accepts it', async () => {
        const made = await api(d.url, d.adminToken, 'POST', '/api/v1/audit/checkpoints');
        assert.equal(made.status, 201, made.text);
        const work = tempDir();
        const doc = path.join(work, 'checkpoint.json');
        fs.writeFileSync(doc, made.json.document);
        fs.writeFileSync(`${doc}.minisig`, made.json.signature);
        assert.equal(Buffer.from(made.json.signature.split('\n')[1], 'base64').subarray(0, 2).toString(), 'ED');
        execFileSync('/usr/bin/minisign', ['-Vq', '-H', '-m', doc, '-p', path.join(d.dataDir, 'signing.pub')]);
        const r = cli(['verify', doc, '--pubkey', path.join(d.dataDir, 'signing.pub')]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
    });

    test('every role may read it; no token may not', async () => {
        const none = await api(d.url, null, 'GET', '/api/v1/signing-key');
        assert.equal(none.status, 401);
        const r = cli(['token', 'create', '--name', 'ing', '--role', 'ingest'], { dataDir: d.dataDir });
        const res = await api(d.url, r.stdout.trim(), 'GET', '/api/v1/signing-key');
        assert.equal(res.status, 200);
    });
});
