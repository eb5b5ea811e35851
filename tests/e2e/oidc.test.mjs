// SPDX-License-Identifier: EUPL-1.2
// oidc.test.mjs - signing in through an OpenID provider (issue 21): the
// authorization code flow with PKCE against a provider on loopback
// (lib/oidc_provider.mjs, real keys and real signatures), claim mapping,
// users made at the first sign-in and disabled when the provider no longer
// gives them a role, a provider that is down (local accounts still sign
// in), and ID tokens the server must refuse: wrong audience, expired, a
// nonce or state not this sign-in's, a replayed code, a key it does not
// know, "none" and HS256.  Key rotation: a new key is fetched once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { api, assertProblem, sqlite, startDaemon, tempDir } from './lib/daemon.mjs';
import { addUser, signIn } from './lib/session.mjs';
import { startProvider } from './lib/oidc_provider.mjs';

const CALLBACK = 'http://127.0.0.1/api/v1/auth/oidc/callback';

/** The browser's part: start, the provider, back to the callback (sent to
 * the daemon, wherever redirect_uri points).  Returns where the daemon
 * sends the browser and the session cookie it set, if any. */
async function oidcSignIn(d, { cookie } = {}) {
    const start = await fetch(`${d.url}/api/v1/auth/oidc/start`, { redirect: 'manual' });
    assert.equal(start.status, 302);
    const to = start.headers.get('location');
    if (to.startsWith('/')) return { location: to };
    const state = /mp_oidc=([^;]*)/.exec(start.headers.get('set-cookie') ?? '')?.[1];
    assert.match(start.headers.get('set-cookie'), /Path=\/api\/v1\/auth\/oidc; HttpOnly; SameSite=Lax/);
    const authz = new URL(to);
    assert.equal(authz.searchParams.get('code_challenge_method'), 'S256');
    assert.match(authz.searchParams.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/);
    assert.equal(authz.searchParams.get('state'), state);
    assert.match(authz.searchParams.get('nonce'), /^[A-Za-z0-9_-]{43}$/);
    const idp = await fetch(to, { redirect: 'manual' });
    assert.equal(idp.status, 302, await idp.text());
    const back = new URL(idp.headers.get('location'));
    return callback(d, back.pathname + back.search, cookie ?? `mp_oidc=${state}`);
}

async function callback(d, pathAndQuery, cookie) {
    const res = await fetch(d.url + pathAndQuery, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    const set = res.headers.get('set-cookie') ?? '';
    const session = /mp_session=([^;]*)/.exec(set)?.[1] ?? null;
    return { res, status: res.status, location: res.headers.get('location'), session, callback: pathAndQuery, cookie };
}

async function whoAmI(d, session) {
    return api(d.url, null, 'GET', '/api/v1/session', undefined, { cookie: `mp_session=${session}` });
}

function audit(d, action) {
    const r = sqlite(
        `${d.dataDir}/meldpunt.db`,
        `SELECT object, payload FROM audit WHERE action = '${action}' ORDER BY seq;`,
    );
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
}

describe('OpenID Connect sign-in', () => {
    let p, d;
    const secret = 'provider secret 1';
    before(async () => {
        p = await startProvider({ clientSecret: secret });
        const dir = tempDir();
        const secretFile = path.join(dir, 'oidc.secret');
        fs.writeFileSync(secretFile, `${secret}\n`, { mode: 0o600 });
        d = await startDaemon({
            config: [
                '[oidc]',
                `issuer = ${p.url}`,
                'client_id = meldpunt',
                `client_secret_file = ${secretFile}`,
                `redirect_uri = ${CALLBACK}`,
                'label = Example IdP',
                'role_map = soc=analyst, ciso=manager, it-admins=admin',
                'tlp_map = soc=amber, ciso=red',
                'disabled_group = leavers',
            ].join('\n'),
        });
    });
    after(async () => {
        await d.stopClean();
        await p.stop();
    });

    test('the sign-in page learns the label; the secret is in no log or database', async () => {
        const res = await api(d.url, null, 'GET', '/api/v1/auth/oidc');
        assert.equal(res.status, 200);
        assert.equal(res.json.label, 'Example IdP');
        assert.ok(!d.stderr().includes(secret));
        const dump = sqlite(`${d.dataDir}/meldpunt.db`, '.dump');
        assert.ok(!dump.stdout.includes(secret));
    });

    test('first sign-in creates the user with the mapped role and TLP limit; the next one updates them', async () => {
        p.user = { sub: 'u-100', preferred_username: 'olga', name: 'Olga de Vries', groups: ['soc', 'staff'] };
        let s = await oidcSignIn(d);
        assert.equal(s.status, 302, await s.res.text());
        assert.equal(s.location, '/#/');
        assert.match(s.res.headers.get('set-cookie'), /mp_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict/);
        let me = await whoAmI(d, s.session);
        assert.equal(me.status, 200);
        assert.equal(me.json.user.name, 'olga');
        assert.equal(me.json.user.role, 'analyst');
        assert.equal(me.json.user.tlp_max, 'amber');
        assert.equal(me.json.user.full_name, 'Olga de Vries');
        assert.match(audit(d, 'user.create'), /olga\|.*"role":"analyst".*"via":"oidc"/);
        // the provider now puts her in the CISO group too: the highest role and limit win
        p.user = { ...p.user, groups: ['soc', 'ciso'] };
        s = await oidcSignIn(d);
        me = await whoAmI(d, s.session);
        assert.equal(me.json.user.role, 'manager');
        assert.equal(me.json.user.tlp_max, 'red');
        assert.match(audit(d, 'user.update'), /olga\|.*"role":"manager"/);
        // she has no password here
        const pw = await signIn(d, 'olga', '!');
        assert.equal(pw.res.status, 401);
    });

    test('a user the provider no longer maps to a role is disabled at the next sign-in', async () => {
        p.user = { sub: 'u-200', preferred_username: 'piet', groups: ['soc'] };
        const first = await oidcSignIn(d);
        assert.ok(first.session);
        p.user = { ...p.user, groups: ['staff'] };
        const s = await oidcSignIn(d);
        assert.equal(s.session, null);
        assert.equal(s.location, '/#/?oidc=no_role');
        const me = await whoAmI(d, first.session);
        assert.equal(me.status, 401, 'the earlier session ended with the disabling');
        const u = await api(d.url, d.adminToken, 'GET', '/api/v1/users/piet');
        assert.notEqual(u.json.disabled_at, null);
        assert.match(audit(d, 'user.disable'), /piet\|.*no group gives a role.*"via":"oidc"/);
        // mapped again: stays disabled until an admin enables the account
        p.user = { ...p.user, groups: ['soc'] };
        assert.equal((await oidcSignIn(d)).location, '/#/?oidc=disabled');
        // the disabled marker group
        p.user = { sub: 'u-300', preferred_username: 'kees', groups: ['soc'] };
        assert.ok((await oidcSignIn(d)).session);
        p.user = { ...p.user, groups: ['soc', 'leavers'] };
        assert.equal((await oidcSignIn(d)).location, '/#/?oidc=disabled');
        assert.match(audit(d, 'user.disable'), /kees\|.*in the disabled group/);
        // nobody is created for a person without a role
        p.user = { sub: 'u-400', preferred_username: 'nobody', groups: ['staff'] };
        assert.equal((await oidcSignIn(d)).location, '/#/?oidc=no_role');
        assert.equal((await api(d.url, d.adminToken, 'GET', '/api/v1/users/nobody')).status, 404);
    });

    test('a local user’s name is not taken over by a provider account', async () => {
        addUser(d, 'local-anna', 'admin');
        p.user = { sub: 'u-500', preferred_username: 'local-anna', groups: ['it-admins'] };
        const s = await oidcSignIn(d);
        assert.equal(s.location, '/#/?oidc=name');
        assert.equal(s.session, null);
    });

    test('ID tokens refused: wrong audience, expired, another nonce, no known key, none, HS256', async () => {
        p.user = { sub: 'u-600', preferred_username: 'eva', groups: ['soc'] };
        const cases = [
            ['aud', { aud: 'another-client' }],
            ['aud list without azp', { aud: ['meldpunt', 'other'] }],
            ['expired', { exp: -3600 }],
            ['nonce', { nonce: 'not-this-sign-ins' }],
            ['alg none', { header: { alg: 'none' } }],
        ];
        for (const [what, spoil] of cases) {
            p.spoil = spoil;
            const s = await oidcSignIn(d);
            assert.equal(s.location, '/#/?oidc=refused', what);
            assert.equal(s.session, null, what);
        }
        // HS256 with the provider's public key as the HMAC secret (the classic forgery)
        const pub = p.keys[0].publicKey.export({ type: 'spki', format: 'pem' });
        p.spoil = {};
        p.forge = (claims) => {
            const h = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: p.keys[0].kid })).toString(
                'base64url',
            );
            const pl = Buffer.from(JSON.stringify(claims)).toString('base64url');
            return `${h}.${pl}.${crypto.createHmac('sha256', pub).update(`${h}.${pl}`).digest('base64url')}`;
        };
        const s = await oidcSignIn(d);
        p.forge = null;
        assert.equal(s.location, '/#/?oidc=refused');
        assert.equal(s.session, null);
        assert.match(d.stderr(), /oidc ID token refused field=alg/);
        assert.match(d.stderr(), /oidc ID token refused field=aud/);
        assert.match(d.stderr(), /oidc ID token refused field=exp/);
        assert.match(d.stderr(), /oidc ID token refused field=nonce/);
        assert.equal((await api(d.url, d.adminToken, 'GET', '/api/v1/users/eva')).status, 404);
    });

    test('state: another browser, a replayed callback, a replayed code', async () => {
        p.user = { sub: 'u-700', preferred_username: 'joost', groups: ['soc'] };
        // the callback without the browser's cookie (login CSRF)
        let s = await oidcSignIn(d, { cookie: 'mp_oidc=' + 'A'.repeat(43) });
        assert.equal(s.location, '/#/?oidc=state');
        // a good sign-in, then the same callback again: the state is used
        s = await oidcSignIn(d);
        assert.ok(s.session);
        const again = await callback(d, s.callback, s.cookie);
        assert.equal(again.location, '/#/?oidc=state');
        assert.equal(again.session, null);
        // the same code with a fresh state: the provider refuses a used code
        const start = await fetch(`${d.url}/api/v1/auth/oidc/start`, { redirect: 'manual' });
        const state = new URL(start.headers.get('location')).searchParams.get('state');
        const code = new URLSearchParams(s.callback.split('?')[1]).get('code');
        const replay = await callback(d, `/api/v1/auth/oidc/callback?code=${code}&state=${state}`, `mp_oidc=${state}`);
        assert.equal(replay.location, '/#/?oidc=refused');
        // bad input: a problem naming the field
        const bad = await api(d.url, null, 'GET', '/api/v1/auth/oidc/callback?code=x');
        assertProblem(bad, 422);
        assert.equal(bad.json.errors[0].field, 'state');
    });

    test('JWKS key rotation: an unknown kid fetches the key set once, at most once a minute', async () => {
        p.user = { sub: 'u-800', preferred_username: 'rotor', groups: ['soc'] };
        assert.ok((await oidcSignIn(d)).session);
        const before = p.hits.jwks;
        p.rotate('ES256'); // the provider signs with a new ES256 key; the old one is gone
        let s = await oidcSignIn(d);
        assert.ok(s.session, s.location);
        assert.equal(p.hits.jwks, before + 1, 'the key set was fetched once more');
        // a token with a kid nobody has: no refetch within the minute
        p.spoil = { header: { kid: 'nope' } };
        s = await oidcSignIn(d);
        assert.equal(s.location, '/#/?oidc=refused');
        assert.equal(p.hits.jwks, before + 1, 'no second fetch within a minute');
        // a minute later (the test clock): one fetch again
        const clock = await api(d.url, d.adminToken, 'POST', '/api/v1/test/clock', { advance: 'PT61S' });
        assert.equal(clock.status, 200, clock.text);
        p.spoil = { header: { kid: 'nope' }, shift: 61 };
        s = await oidcSignIn(d);
        assert.equal(s.location, '/#/?oidc=refused');
        assert.equal(p.hits.jwks, before + 2);
        p.spoil = { shift: 61 };
        assert.ok((await oidcSignIn(d)).session, 'the current key still signs in');
        p.spoil = {};
    });

    test('provider down: a clear word for the sign-in page, and local accounts still sign in', async () => {
        addUser(d, 'breakglass1', 'admin');
        // the browser reached the provider, which then goes down before the code is redeemed
        p.user = { sub: 'u-900', preferred_username: 'down', groups: ['soc'] };
        const start = await fetch(`${d.url}/api/v1/auth/oidc/start`, { redirect: 'manual' });
        const state = new URL(start.headers.get('location')).searchParams.get('state');
        const back = new URL(
            (await fetch(start.headers.get('location'), { redirect: 'manual' })).headers.get('location'),
        );
        p.down = true;
        const s = await callback(d, back.pathname + back.search, `mp_oidc=${state}`);
        assert.equal(s.location, '/#/?oidc=unavailable');
        assert.equal(s.session, null);
        const local = await signIn(d, 'breakglass1');
        assert.equal(local.res.status, 201);
        assert.match(d.stderr(), /oidc provider unavailable/);
        p.down = false;
    });
});

describe('OpenID Connect sign-in: provider down at the first sign-in; off when not configured', () => {
    test('start with no provider answering sends the browser to the sign-in page', async () => {
        const dir = tempDir();
        fs.writeFileSync(path.join(dir, 's'), 'x\n');
        const d = await startDaemon({
            config: `[oidc]\nissuer = http://127.0.0.1:9/\nclient_id = m\nclient_secret_file = ${dir}/s\nredirect_uri = ${CALLBACK}\nrole_map = a=viewer\n`,
        });
        try {
            const start = await fetch(`${d.url}/api/v1/auth/oidc/start`, { redirect: 'manual' });
            assert.equal(start.status, 302);
            assert.equal(start.headers.get('location'), '/#/?oidc=unavailable');
        } finally {
            await d.stopClean();
        }
    });

    test('not configured: 404 on the routes', async () => {
        const d = await startDaemon();
        try {
            assertProblem(await api(d.url, null, 'GET', '/api/v1/auth/oidc'), 404);
            assertProblem(await api(d.url, null, 'GET', '/api/v1/auth/oidc/start'), 404);
        } finally {
            await d.stopClean();
        }
    });
});
