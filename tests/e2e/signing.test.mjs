// signing.test.mjs - the public half of meldpunt's signing key is served,
// equals the data directory's signing.pub, and checks what the secret half
// signs; the secret half is never served.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
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

    test('every role may read it; no token may not', async () => {
        const none = await api(d.url, null, 'GET', '/api/v1/signing-key');
        assert.equal(none.status, 401);
        const r = cli(['token', 'create', '--name', 'ing', '--role', 'ingest'], { dataDir: d.dataDir });
        const res = await api(d.url, r.stdout.trim(), 'GET', '/api/v1/signing-key');
        assert.equal(res.status, 200);
    });
});
