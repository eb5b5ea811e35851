// SPDX-License-Identifier: EUPL-1.2
// oidc_glewlwyd.test.mjs - signing in through Debian's glewlwyd, a real
// OpenID provider started on loopback (lib/glewlwyd.mjs): the code flow with
// PKCE end to end, groups mapped to a role and TLP limit, the account made
// at the first sign-in and disabled when its groups no longer give a role,
// a replayed code refused by glewlwyd, its signing key rotated, and
// glewlwyd down (local accounts still sign in).  Tokens spoiled on purpose
// (audience, expiry, nonce, algorithm) are in oidc.test.mjs, against a
// provider that can be told to spoil them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { api, freePort, startDaemon, tempDir } from './lib/daemon.mjs';
import { addUser, signIn } from './lib/session.mjs';
import { startGlewlwyd } from './lib/glewlwyd.mjs';

const SECRET = 'Wq3v9TzK2mXpL8rN4sYb'; // unreserved characters: the same form-encoded or not


describe('OpenID Connect sign-in through glewlwyd', () => {
    let g, d, port;
    before(async () => {
        port = await freePort();
        const redirect = `http://127.0.0.1:${port}/api/v1/auth/oidc/callback`;
        g = await startGlewlwyd({ clientSecret: SECRET, redirectUri: redirect });
        const dir = tempDir();
        fs.writeFileSync(path.join(dir, 'secret'), SECRET);
        d = await startDaemon({
            config: [
                '[oidc]',
                `issuer = ${g.issuer}`,
                'client_id = meldpunt',
                `client_secret_file = ${dir}/secret`,
                `redirect_uri = ${redirect}`,
                'label = glewlwyd',
                'role_map = soc=analyst, ciso=manager',
                'tlp_map = soc=amber, ciso=red',
            ].join('\n'),
            args: ['--listen', `127.0.0.1:${port}`],
        });
    });
    after(async () => {
        await d?.stopClean();
        await g?.stop();
    });

    /** start → glewlwyd (as username) → callback; returns the callback's answer. */
    async function signInAt(username) {
        const start = await fetch(`${d.url}/api/v1/auth/oidc/start`, { redirect: 'manual' });
        assert.equal(start.status, 302);
        const to = start.headers.get('location');
        if (to.startsWith('/')) return { location: to };
        assert.ok(to.startsWith(`${g.issuer}/auth?`), to);
        const cookie = /mp_oidc=[^;]*/.exec(start.headers.get('set-cookie'))[0];
        const back = await g.authorize(username, to);
        assert.ok(back.startsWith(`${d.url}/api/v1/auth/oidc/callback?`), back);
        return callback(back, cookie);
    }
    async function callback(url, cookie) {
        const res = await fetch(url, { redirect: 'manual', headers: { cookie } });
        const session = /mp_session=([^;]*)/.exec(res.headers.get('set-cookie') ?? '')?.[1] ?? null;
        return { location: res.headers.get('location'), session, url, cookie };
    }
    const me = (s) => api(d.url, null, 'GET', '/api/v1/session', undefined, { cookie: `mp_session=${s}` });

    test('first sign-in makes the account from glewlwyd’s claims; a change of groups follows', async () => {
        await g.user('olga', ['soc', 'staff'], 'Olga de Vries');
        let s = await signInAt('olga');
        assert.equal(s.location, '/#/', g.log());
        let who = await me(s.session);
        assert.equal(who.json.user.name, 'olga');
        assert.equal(who.json.user.role, 'analyst');
        assert.equal(who.json.user.tlp_max, 'amber');
        assert.equal(who.json.user.full_name, 'Olga de Vries');
        await g.user('olga', ['soc', 'ciso'], 'Olga de Vries');
        s = await signInAt('olga');
        who = await me(s.session);
        assert.equal(who.json.user.role, 'manager');
        assert.equal(who.json.user.tlp_max, 'red');
    });

    test('no group gives a role any more: disabled at the next sign-in', async () => {
        await g.user('piet', ['soc']);
        const first = await signInAt('piet');
        assert.ok(first.session);
        await g.user('piet', ['staff']);
        const s = await signInAt('piet');
        assert.equal(s.location, '/#/?oidc=no_role');
        assert.equal((await me(first.session)).status, 401);
        const u = await api(d.url, d.adminToken, 'GET', '/api/v1/users/piet');
        assert.notEqual(u.json.disabled_at, null);
    });

    test('a replayed code: glewlwyd refuses it, nobody is signed in', async () => {
        await g.user('joost', ['soc']);
        const s = await signInAt('joost');
        assert.ok(s.session);
        const start = await fetch(`${d.url}/api/v1/auth/oidc/start`, { redirect: 'manual' });
        const state = new URL(start.headers.get('location')).searchParams.get('state');
        const code = new URL(s.url).searchParams.get('code');
        const replay = await callback(
            `${d.url}/api/v1/auth/oidc/callback?code=${code}&state=${state}`,
            `mp_oidc=${state}`,
        );
        assert.equal(replay.location, '/#/?oidc=refused');
        assert.equal(replay.session, null);
    });

    test('glewlwyd’s signing key rotated: the new key is fetched and the sign-in works', async () => {
        await g.user('rotor', ['soc']);
        assert.ok((await signInAt('rotor')).session);
        await g.rotate('g2');
        const s = await signInAt('rotor');
        assert.ok(s.session, s.location);
        assert.match(d.stderr(), /oidc key set loaded keys=1/);
    });

    test('glewlwyd down: the sign-in page is told, a local account still signs in', async () => {
        addUser(d, 'breakglass', 'admin');
        await g.user('late', ['soc']);
        const start = await fetch(`${d.url}/api/v1/auth/oidc/start`, { redirect: 'manual' });
        const cookie = /mp_oidc=[^;]*/.exec(start.headers.get('set-cookie'))[0];
        const back = await g.authorize('late', start.headers.get('location'));
        await g.stop();
        const s = await callback(back, cookie);
        assert.equal(s.location, '/#/?oidc=unavailable');
        assert.equal((await signIn(d, 'breakglass')).res.status, 201);
    });
});
