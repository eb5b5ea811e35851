// SPDX-License-Identifier: EUPL-1.2
// passkeys.test.mjs - passkeys (WebAuthn, issue 21) against the real
// daemon: registration, the second sign-in step and step-up with a
// passkey, signing in with a passkey alone, a replayed challenge, another
// origin, another site, a bad signature and a counter that went back (each
// refused, audited, and changing nothing), and a person's list of passkeys
// (rename, remove, the last required factor kept).
//
// The passkey is a real P-256 key in lib/webauthn.mjs answering as a
// browser and an authenticator do; the server checks it with libfido2.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, assertProblem, sqlite, startDaemon } from './lib/daemon.mjs';
import { addUser, browser, signIn } from './lib/session.mjs';
import { Passkey } from './lib/webauthn.mjs';

const T0 = '2031-03-14T09:00:00Z';
const ORIGIN = 'https://meldpunt.test:8443';
const RP = 'meldpunt.test';
const DB = (d) => `${d.dataDir}/meldpunt.db`;

function auditOf(d, object) {
    const r = sqlite(
        DB(d),
        `SELECT json_object('action', action, 'payload', json(payload)) FROM audit WHERE object = '${object}' ORDER BY seq;`,
    );
    assert.equal(r.code, 0, r.stderr);
    return r.stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
}

function count(d, sql) {
    const r = sqlite(DB(d), sql);
    assert.equal(r.code, 0, r.stderr);
    return Number(r.stdout.trim());
}

/** Registers a new passkey for the session's user. */
async function register(d, s, name = 'Laptop') {
    const key = new Passkey({ origin: ORIGIN, rpId: RP });
    let res = await browser(d, s, 'POST', '/api/v1/me/mfa/passkeys/options');
    assert.equal(res.status, 200, res.text);
    res = await browser(d, s, 'POST', '/api/v1/me/mfa/passkeys', key.create(res.json, { name }));
    assert.equal(res.status, 201, res.text);
    key.row = res.json.passkey.id;
    key.created = res.json;
    return key;
}

/** The second step (or step-up) of session s with key; returns the response. */
async function verify(d, s, key, opts = {}) {
    const o = await browser(d, s, 'POST', '/api/v1/session/mfa/options');
    assert.equal(o.status, 200, o.text);
    return browser(d, s, 'POST', '/api/v1/session/mfa', { passkey: key.get(o.json, opts) });
}

describe('passkeys', () => {
    let d;
    before(async () => {
        d = await startDaemon({
            config: `[auth]\nrequire_mfa = admin\nwebauthn_origin = ${ORIGIN}\nwebauthn_rp_id = ${RP}\n[server]\ntrusted_proxies = 127.0.0.1\n`,
        });
        await d.setClock({ now: T0 });
    });
    after(async () => {
        await d.stopClean();
    });

    test('registration: the options name the configured site, the passkey becomes a factor with ten recovery codes', async () => {
        addUser(d, 'pia', 'analyst');
        const s = await signIn(d, 'pia');
        let res = await browser(d, s, 'POST', '/api/v1/me/mfa/passkeys/options');
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.rp.id, RP);
        assert.equal(res.json.user.name, 'pia');
        assert.match(res.json.challenge, /^[A-Za-z0-9_-]{43}$/);
        assert.match(res.json.user.id, /^[A-Za-z0-9_-]{43}$/);
        assert.equal(res.json.attestation, 'none');
        assert.deepEqual(
            res.json.pubKeyCredParams.map((p) => p.alg),
            [-7, -8, -257],
        );
        const key = new Passkey({ origin: ORIGIN, rpId: RP });
        // bad input: named fields, nothing stored
        res = await browser(d, s, 'POST', '/api/v1/me/mfa/passkeys', { ...key.create(res.json), name: '' });
        assertProblem(res, 422);
        assert.equal(res.json.errors[0].field, 'name');
        res = await browser(d, s, 'POST', '/api/v1/me/mfa/passkeys/options');
        res = await browser(d, s, 'POST', '/api/v1/me/mfa/passkeys', {
            ...key.create(res.json),
            attestationObject: 'AAAA',
        });
        assertProblem(res, 422);
        assert.equal(res.json.errors[0].field, 'attestationObject');
        // made for another origin
        res = await browser(d, s, 'POST', '/api/v1/me/mfa/passkeys/options');
        const opts = res.json;
        res = await browser(d, s, 'POST', '/api/v1/me/mfa/passkeys', key.create(opts, { origin: 'https://evil.test' }));
        assertProblem(res, 422);
        assert.equal(res.json.errors[0].field, 'clientDataJSON');
        assert.equal(count(d, 'SELECT count(*) FROM webauthn_credentials;'), 0);
        // the real thing
        res = await browser(d, s, 'POST', '/api/v1/me/mfa/passkeys', key.create(opts, { name: 'YubiKey 5' }));
        assert.equal(res.status, 201, res.text);
        assert.equal(res.json.passkey.name, 'YubiKey 5');
        assert.equal(res.json.passkey.algorithm, -7);
        assert.deepEqual(res.json.passkey.transports, ['internal']);
        assert.equal(res.json.recovery_codes.length, 10);
        // the same answer again: its challenge is spent
        res = await browser(d, s, 'POST', '/api/v1/me/mfa/passkeys', key.create(opts, { name: 'again' }));
        assertProblem(res, 422);
        assert.equal(res.json.errors[0].field, 'clientDataJSON');
        res = await browser(d, s, 'GET', '/api/v1/me/mfa');
        assert.equal(res.json.enrolled, true);
        assert.equal(res.json.passkeys, 1);
        assert.equal(res.json.totp, false);
        const enrol = auditOf(d, 'pia').find((e) => e.action === 'mfa.enrol');
        assert.equal(enrol.payload.method, 'passkey');
        assert.equal(enrol.payload.attestation, 'none');
    });

    test('second step with a passkey; a replayed answer, another site, a bad signature are refused and audited', async () => {
        addUser(d, 'quinn', 'analyst');
        let s = await signIn(d, 'quinn');
        const key = await register(d, s);
        s = await signIn(d, 'quinn');
        assert.equal(s.res.json.second_factor.pending, true);
        // pending: nothing but the second step
        let res = await browser(d, s, 'GET', '/api/v1/incidents');
        assertProblem(res, 403);
        assert.equal(res.json.code, 'mfa_required');
        const o = await browser(d, s, 'POST', '/api/v1/session/mfa/options');
        assert.equal(o.status, 200, o.text);
        assert.deepEqual(
            o.json.allowCredentials.map((c) => c.id),
            [key.id.toString('base64url')],
        );
        // another site's rpIdHash, another origin (the throttle lets three failures pass)
        for (const [opts, field] of [
            [{ rpId: 'evil.test' }, 'authenticatorData'],
            [{ origin: 'https://meldpunt.test.evil.test' }, 'clientDataJSON'],
        ]) {
            res = await browser(d, s, 'POST', '/api/v1/session/mfa', { passkey: key.get(o.json, opts) });
            assertProblem(res, 422);
            assert.equal(res.json.errors[0].field, field, JSON.stringify(opts));
        }
        const good = key.get(o.json);
        res = await browser(d, s, 'POST', '/api/v1/session/mfa', { passkey: good });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.pending, false);
        res = await browser(d, s, 'GET', '/api/v1/incidents');
        assert.equal(res.status, 200, res.text);
        // replayed: the same answer in another half-signed-in session
        const s2 = await signIn(d, 'quinn');
        res = await browser(d, s2, 'POST', '/api/v1/session/mfa', { passkey: good });
        assertProblem(res, 422);
        assert.equal(res.json.errors[0].field, 'clientDataJSON');
        res = await browser(d, s2, 'GET', '/api/v1/incidents');
        assert.equal(res.status, 403, 'the replay got nothing');
        // ... or in the same one
        res = await browser(d, s, 'POST', '/api/v1/session/mfa', { passkey: key.get(o.json) });
        assertProblem(res, 422);
        assert.equal(res.json.errors[0].field, 'clientDataJSON');
        // a broken signature (step-up now), with a fresh challenge
        const o2 = await browser(d, s, 'POST', '/api/v1/session/mfa/options');
        res = await browser(d, s, 'POST', '/api/v1/session/mfa', { passkey: key.get(o2.json, { sigFlip: true }) });
        assertProblem(res, 422);
        assert.equal(res.json.errors[0].field, 'signature');
        const fails = auditOf(d, 'quinn').filter((e) => e.action === 'session.mfa_fail');
        assert.equal(fails.length, 5, JSON.stringify(fails));
        assert.ok(fails.every((e) => e.payload.method === 'passkey'));
        const ok = auditOf(d, 'quinn').filter((e) => e.action === 'session.mfa');
        assert.equal(ok.at(-1).payload.method, 'passkey');
    });

    test('a counter that went back (a copied passkey) is refused and audited as webauthn.counter', async () => {
        addUser(d, 'rik', 'analyst');
        let s = await signIn(d, 'rik');
        const key = await register(d, s);
        s = await signIn(d, 'rik');
        // made without the person (no user presence)
        let res = await verify(d, s, key, { up: false });
        assertProblem(res, 422);
        assert.equal(res.json.errors[0].field, 'authenticatorData');
        res = await verify(d, s, key, { count: 10 });
        assert.equal(res.status, 200, res.text);
        const s2 = await signIn(d, 'rik');
        res = await verify(d, s2, key, { count: 9 });
        assertProblem(res, 422);
        assert.equal(res.json.errors[0].field, 'authenticatorData');
        assert.match(res.json.errors[0].detail ?? res.json.detail, /counter/);
        assert.equal(auditOf(d, 'rik').filter((e) => e.action === 'webauthn.counter').length, 1);
        assert.equal(
            count(
                d,
                "SELECT sign_count FROM webauthn_credentials WHERE name = 'Laptop' AND user_id = (SELECT id FROM users WHERE name = 'rik');",
            ),
            10,
        );
        res = await verify(d, s2, key, { count: 11 });
        assert.equal(res.status, 200, res.text);
    });

    test('passwordless sign-in: the passkey alone, with user verification; no second step, step-up satisfied', async () => {
        addUser(d, 'sam', 'admin');
        let s = await signIn(d, 'sam');
        assert.equal(s.res.json.second_factor.enrol_required, true);
        const key = await register(d, s);
        // from an address of its own, so its refusals do not slow the other tests
        const from = { 'x-forwarded-for': '192.0.2.44' };
        const pk = (body) => api(d.url, null, 'POST', '/api/v1/session/passkey', body, from);
        let res = await api(d.url, null, 'POST', '/api/v1/session/passkey/options', {}, from);
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.userVerification, 'required');
        assert.deepEqual(res.json.allowCredentials, []);
        const opts = res.json;
        // without user verification: refused
        res = await pk({ passkey: key.get(opts, { uv: false }) });
        assertProblem(res, 422);
        assert.equal(res.json.errors[0].field, 'authenticatorData');
        // another user's handle: refused
        res = await pk({ passkey: { ...key.get(opts), userHandle: Buffer.alloc(32, 7).toString('base64url') } });
        assertProblem(res, 422);
        assert.equal(res.json.errors[0].field, 'userHandle');
        res = await pk({ passkey: key.get(opts) });
        assert.equal(res.status, 201, res.text);
        assert.deepEqual(res.json.second_factor, { pending: false, enrol_required: false });
        assert.equal(res.json.user.name, 'sam');
        const m = /mp_session=([^;]*)/.exec(res.headers.get('set-cookie'));
        s = { cookie: m[1], csrf: res.json.csrf_token };
        // a step-up route at once: the passkey was the fresh check
        res = await browser(d, s, 'POST', '/api/v1/tokens', { name: 'pk-token', role: 'viewer' });
        assert.equal(res.status, 201, res.text);
        // the sign-in's challenge is spent
        res = await pk({ passkey: key.get(opts) });
        assertProblem(res, 422);
        assert.equal(res.json.errors[0].field, 'clientDataJSON');
        const create = auditOf(d, 'sam').filter((e) => e.action === 'session.create');
        assert.equal(create.at(-1).payload.method, 'passkey');
        // an unknown passkey
        const stranger = new Passkey({ origin: ORIGIN, rpId: RP });
        res = await api(d.url, null, 'POST', '/api/v1/session/passkey/options', {}, from);
        res = await pk({ passkey: stranger.get(res.json) });
        assertProblem(res, 422);
        assert.equal(res.json.errors[0].field, 'id');
    });

    test('step-up with a passkey after the window ran out', async () => {
        addUser(d, 'tess', 'admin');
        let s = await signIn(d, 'tess');
        const key = await register(d, s);
        s = await signIn(d, 'tess');
        let res = await verify(d, s, key);
        assert.equal(res.status, 200, res.text);
        await d.setClock({ advance: 'PT11M' });
        res = await browser(d, s, 'POST', '/api/v1/tokens', { name: 'late-token', role: 'viewer' });
        assertProblem(res, 403);
        assert.equal(res.json.code, 'step_up_required');
        // adding another passkey needs it too
        res = await browser(d, s, 'POST', '/api/v1/me/mfa/passkeys/options');
        assertProblem(res, 403);
        assert.equal(res.json.code, 'step_up_required');
        res = await verify(d, s, key);
        assert.equal(res.status, 200, res.text);
        res = await browser(d, s, 'POST', '/api/v1/tokens', { name: 'late-token', role: 'viewer' });
        assert.equal(res.status, 201, res.text);
        const checks = auditOf(d, 'tess').filter((e) => e.action === 'session.mfa');
        assert.deepEqual(
            checks.map((e) => [e.payload.method, e.payload.step_up]),
            [
                ['passkey', false],
                ['passkey', true],
            ],
        );
    });

    test('the list: rename, remove; the last factor of an account that must keep one stays', async () => {
        addUser(d, 'uma', 'admin');
        let s = await signIn(d, 'uma');
        const key = await register(d, s, 'Phone');
        let res = await browser(d, s, 'GET', '/api/v1/me/mfa/passkeys');
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(
            res.json.items.map((p) => p.name),
            ['Phone'],
        );
        res = await browser(d, s, 'PATCH', `/api/v1/me/mfa/passkeys/${key.row}`, { name: 'Work phone' });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.items[0].name, 'Work phone');
        res = await browser(d, s, 'PATCH', `/api/v1/me/mfa/passkeys/${key.row}`, { name: 'x'.repeat(65) });
        assertProblem(res, 422);
        assert.equal(res.json.errors[0].field, 'name');
        res = await browser(d, s, 'PATCH', '/api/v1/me/mfa/passkeys/99999', { name: 'y' });
        assertProblem(res, 404);
        // the admin's only factor: kept, with the reason
        res = await browser(d, s, 'DELETE', `/api/v1/me/mfa/passkeys/${key.row}`);
        assertProblem(res, 409);
        assert.match(res.json.detail, /last second factor/);
        // a second passkey: then the first may go
        const key2 = await register(d, s, 'Laptop');
        res = await browser(d, s, 'DELETE', `/api/v1/me/mfa/passkeys/${key.row}`);
        assert.equal(res.status, 204, res.text);
        res = await browser(d, s, 'GET', '/api/v1/me/mfa/passkeys');
        assert.deepEqual(
            res.json.items.map((p) => p.id),
            [key2.row],
        );
        // another user cannot touch it
        addUser(d, 'vic', 'analyst');
        const other = await signIn(d, 'vic');
        res = await browser(d, other, 'DELETE', `/api/v1/me/mfa/passkeys/${key2.row}`);
        assertProblem(res, 404);
        res = await browser(d, other, 'GET', '/api/v1/me/mfa/passkeys');
        assert.deepEqual(res.json.items, []);
        // an API token has no passkeys
        res = await api(d.url, d.adminToken, 'GET', '/api/v1/me/mfa/passkeys');
        assert.equal(res.status, 404);
        const actions = auditOf(d, 'uma').map((e) => e.action);
        assert.ok(actions.includes('mfa.passkey_rename'));
        assert.ok(actions.includes('mfa.passkey_remove'));
    });

    test('an admin marks and unmarks a break-glass account with PATCH /api/v1/users/{name} (step-up, audited)', async () => {
        addUser(d, 'wes', 'admin');
        addUser(d, 'glass-1', 'admin');
        addUser(d, 'glass-2', 'analyst');
        let s = await signIn(d, 'wes');
        const key = await register(d, s);
        s = await signIn(d, 'wes');
        let res = await verify(d, s, key);
        assert.equal(res.status, 200, res.text);
        res = await browser(d, s, 'PATCH', '/api/v1/users/glass-1', { break_glass: true });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.break_glass, true);
        assert.equal(res.json.name, 'glass-1');
        assert.equal(
            count(d, "SELECT count(*) FROM break_glass WHERE user_id = (SELECT id FROM users WHERE name = 'glass-1');"),
            1,
        );
        // only admins; on its own; a boolean; nothing changed by a refusal
        res = await browser(d, s, 'PATCH', '/api/v1/users/glass-2', { break_glass: true });
        assertProblem(res, 422);
        assert.equal(res.json.errors[0].field, 'break_glass');
        res = await browser(d, s, 'PATCH', '/api/v1/users/glass-1', { break_glass: false, role: 'manager' });
        assertProblem(res, 422);
        assert.equal(res.json.errors[0].field, 'break_glass');
        res = await browser(d, s, 'PATCH', '/api/v1/users/glass-1', { break_glass: 'no' });
        assertProblem(res, 422);
        assert.equal(count(d, 'SELECT count(*) FROM break_glass;'), 1);
        assert.equal((await browser(d, s, 'GET', '/api/v1/users/glass-1')).json.role, 'admin');
        // eleven minutes on: a fresh check first
        await d.setClock({ advance: 'PT11M' });
        res = await browser(d, s, 'PATCH', '/api/v1/users/glass-1', { break_glass: false });
        assertProblem(res, 403);
        assert.equal(res.json.code, 'step_up_required');
        res = await verify(d, s, key);
        assert.equal(res.status, 200, res.text);
        res = await browser(d, s, 'PATCH', '/api/v1/users/glass-1', { break_glass: false });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.break_glass, false);
        assert.deepEqual(
            auditOf(d, 'glass-1')
                .filter((e) => e.action === 'user.break_glass')
                .map((e) => e.payload.break_glass),
            [true, false],
        );
    });
});
