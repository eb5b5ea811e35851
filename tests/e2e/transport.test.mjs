// SPDX-License-Identifier: EUPL-1.2
// transport.test.mjs - TLS in the daemon (1.2 and 1.3 only, Secure
// cookies), the per-address request rate limit, and slow clients
// (slowloris) timing out without starving the others.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { api, startDaemon, tempDir } from './lib/daemon.mjs';
import { PASSWORD, addUser } from './lib/session.mjs';

/** A self-signed certificate for 127.0.0.1 (openssl, Debian). */
function makeCert() {
    const dir = tempDir('meldpunt-tls-');
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1',
        '-addext', 'subjectAltName=IP:127.0.0.1',
    ], { stdio: 'ignore' });
    return { key, cert, ca: fs.readFileSync(cert) };
}

function httpsRequest(port, ca, method, p, body) {
    return new Promise((resolve, reject) => {
        const payload = body ? Buffer.from(JSON.stringify(body)) : null;
        const req = https.request(
            {
                host: '127.0.0.1', port, method, path: p, ca, agent: false, timeout: 10000,
                headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
            },
            (res) => {
                const chunks = [];
                res.on('data', (c) => chunks.push(c));
                res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString() }));
            },
        );
        req.on('error', reject);
        req.on('timeout', () => req.destroy(new Error('timeout')));
        if (payload) req.write(payload);
        req.end();
    });
}

/** openssl s_client with one protocol version: the protocol it agreed. */
function handshake(port, flag) {
    const r = spawnSync('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, flag, '-cipher', 'DEFAULT:@SECLEVEL=0'], {
        input: '', encoding: 'utf8', timeout: 10000,
    });
    const m = /Cipher is (\S+)/.exec(r.stdout);
    return m ? m[1] : null;
}

describe('TLS', () => {
    let d, tls;
    before(async () => {
        tls = makeCert();
        d = await startDaemon({ config: `[server]\ntls_cert = ${tls.cert}\ntls_key = ${tls.key}\n` });
        addUser(d, 'tls-user', 'viewer');
    });
    after(async () => {
        await d.stopClean();
    });

    test('serves HTTPS, logs an https URL; plain HTTP gets no answer', async () => {
        assert.match(d.url, /^https:\/\//);
        const res = await httpsRequest(d.port, tls.ca, 'GET', '/healthz');
        assert.equal(res.status, 200);
        assert.equal(res.text, '{"status":"ok"}');
        await assert.rejects(api(`http://127.0.0.1:${d.port}`, null, 'GET', '/healthz'));
        // an untrusted certificate is refused by a checking client
        await assert.rejects(httpsRequest(d.port, undefined, 'GET', '/healthz'), /self.signed|certificate/);
    });

    test('TLS 1.2 and 1.3 are accepted, 1.1 and 1.0 refused', () => {
        assert.ok(handshake(d.port, '-tls1_3'), 'TLS 1.3');
        assert.ok(handshake(d.port, '-tls1_2'), 'TLS 1.2');
        assert.equal(handshake(d.port, '-tls1_1'), '(NONE)');
        assert.equal(handshake(d.port, '-tls1'), '(NONE)');
    });

    test('the session cookie is Secure over TLS', async () => {
        const res = await httpsRequest(d.port, tls.ca, 'POST', '/api/v1/session', { name: 'tls-user', password: PASSWORD });
        assert.equal(res.status, 201, res.text);
        const cookie = [].concat(res.headers['set-cookie'])[0];
        assert.match(cookie, /; Secure/);
        assert.match(cookie, /; HttpOnly/);
    });

    test('a key without a certificate stops start-up with a reason', async () => {
        await assert.rejects(startDaemon({ config: `[server]\ntls_key = ${tls.key}\n` }), /tls_cert and tls_key go together/);
    });
});

describe('limits', () => {
    let d;
    before(async () => {
        d = await startDaemon({ config: '[server]\nrate_limit = 1\nrate_burst = 5\nconnection_timeout = 2\ntrusted_proxies = 127.0.0.1\n' });
    });
    after(async () => {
        await d.stopClean();
    });

    test('past the burst an address gets 429 with Retry-After; others are not affected', async () => {
        const from = (a) => ({ 'x-forwarded-for': a });
        const seen = [];
        for (let i = 0; i < 8; i++) seen.push((await api(d.url, null, 'GET', '/healthz', undefined, from('198.51.100.50'))).status);
        assert.deepEqual(seen.slice(0, 5), [200, 200, 200, 200, 200]);
        assert.ok(seen.slice(5).every((s) => s === 429), seen.join(' '));
        const res = await api(d.url, null, 'GET', '/healthz', undefined, from('198.51.100.50'));
        assert.equal(res.status, 429);
        assert.ok(Number(res.headers.get('retry-after')) >= 1);
        assert.match(res.headers.get('content-type'), /problem\+json/);
        assert.equal((await api(d.url, null, 'GET', '/healthz', undefined, from('198.51.100.51'))).status, 200);
        // the bucket refills at the rate: a second later (the test clock moves
        // the monotonic clock the limiter uses) one more is let through.  (One
        // a second, not five: the eight requests above must fit in the time
        // of one token, and under load an ASan build took over 200 ms.)
        await d.setClock({ advance: 'PT1S' });
        assert.equal((await api(d.url, null, 'GET', '/healthz', undefined, from('198.51.100.50'))).status, 200);
    });

    test('a slow client is cut off after connection_timeout while others are served', async () => {
        const slow = net.connect(d.port, '127.0.0.1');
        await new Promise((r) => slow.once('connect', r));
        const started = Date.now();
        const closed = new Promise((r) => slow.once('close', () => r(Date.now() - started)));
        slow.on('error', () => {});
        // headers that never end
        slow.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a');
        // meanwhile every other client is answered
        for (let i = 0; i < 3; i++) {
            const res = await api(d.url, null, 'GET', '/healthz', undefined, { 'x-forwarded-for': `198.51.100.${60 + i}` });
            assert.equal(res.status, 200);
        }
        const ms = await closed;
        assert.ok(ms >= 1500 && ms < 6000, `closed after ${ms} ms`);
    });
});
