// SPDX-License-Identifier: EUPL-1.2
// glewlwyd.mjs - Debian's glewlwyd (a packaged OpenID provider) started for
// a test on loopback, headless: a fresh SQLite database from the package's
// own schema, configured through its environment variables and set up
// through its admin API (the defaults of its admin page for the OpenID
// Connect plugin, an RS256 key made for this run, a "groups" claim from a
// user property, a confidential client, users).  The browser's part of a
// sign-in is played with the user's glewlwyd session: its login page adds
// g_continue to the authorization address when the user goes on, and so
// do we.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, tempDir } from './daemon.mjs';

const SCHEMA = '/usr/share/dbconfig-common/data/glewlwyd/install/sqlite3';
const ADMIN_JS = '/usr/share/glewlwyd/webapp/admin.js';


/** The OpenID Connect plugin's defaults, as glewlwyd's own admin page sets them. */
function pluginDefaults() {
    const js = fs.readFileSync(ADMIN_JS, 'utf8');
    const i = js.indexOf('{"oauth-as-iss-id"');
    const j = js.indexOf('iss:"/"}', i);
    assert.ok(i > 0 && j > i, 'the OpenID Connect plugin defaults in glewlwyd admin.js');
    return new Function(`return (${js.slice(i, j + 8)});`)();
}

export function rsaJwk(kid) {
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    return { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
}

export async function startGlewlwyd({ clientSecret, redirectUri }) {
    const dir = tempDir('meldpunt-glewlwyd-');
    const db = path.join(dir, 'glewlwyd.db');
    const init = spawnSync('sqlite3', [db], { input: fs.readFileSync(SCHEMA), encoding: 'utf8' });
    assert.equal(init.status, 0, init.stderr);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = {
        PATH: process.env.PATH,
        GLWD_PORT: String(port),
        GLWD_BIND_ADDRESS: '127.0.0.1',
        GLWD_EXTERNAL_URL: url,
        GLWD_LOG_MODE: 'console',
        GLWD_LOG_LEVEL: 'WARNING',
        GLWD_DATABASE_TYPE: 'sqlite3',
        GLWD_DATABASE_SQLITE3_PATH: db,
        GLWD_USER_MODULE_PATH: '/usr/lib/glewlwyd/user',
        GLWD_CLIENT_MODULE_PATH: '/usr/lib/glewlwyd/client',
        GLWD_AUTH_SCHEME_MODULE_PATH: '/usr/lib/glewlwyd/scheme',
        GLWD_PLUGIN_MODULE_PATH: '/usr/lib/glewlwyd/plugin',
        GLWD_USE_SECURE_CONNECTION: '0',
        GLWD_COOKIE_SECURE: '0',
        GLWD_LOGIN_API_ENABLED: '1',
        GLWD_STATIC_FILES_PATH: '/usr/share/glewlwyd/webapp',
    };
    const proc = spawn('glewlwyd', ['-e'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    proc.stdout.on('data', (s) => (log += s));
    proc.stderr.on('data', (s) => (log += s));
    const g = { url, issuer: `${url}/api/oidc`, proc, log: () => log, cookies: {}, kids: [] };

    /** A request to glewlwyd's API as who (a cookie jar per person). */
    g.req = async (who, method, p, body) => {
        const headers = { 'content-type': 'application/json' };
        if (g.cookies[who]) headers.cookie = g.cookies[who];
        const res = await fetch(`${url}/api${p}`, {
            method,
            headers,
            body: body === undefined ? undefined : JSON.stringify(body),
            redirect: 'manual',
        });
        const set = res.headers.get('set-cookie');
        if (set) g.cookies[who] = set.split(';')[0];
        const text = await res.text();
        return { status: res.status, text, location: res.headers.get('location') };
    };
    const ok = async (who, method, p, body) => {
        const r = await g.req(who, method, p, body);
        assert.equal(r.status, 200, `glewlwyd ${method} ${p}: ${r.status} ${r.text}\n${log}`);
        return r;
    };
    for (let i = 0; ; i++) {
        try {
            if ((await g.req('admin', 'POST', '/auth/', { username: 'admin', password: 'password' })).status === 200)
                break;
        } catch {
            /* not listening yet */
        }
        assert.ok(i < 100 && proc.exitCode === null, `glewlwyd did not start:\n${log}`);
        await new Promise((r) => setTimeout(r, 100));
    }
    // users carry a multi-valued "groups" property
    const um = JSON.parse((await ok('admin', 'GET', '/mod/user/database')).text);
    um.parameters['data-format'].groups = {
        multiple: true,
        read: true,
        write: true,
        'profile-read': false,
        'profile-write': false,
    };
    await ok('admin', 'PUT', '/mod/user/database', um);
    await ok('admin', 'PUT', '/mod/user/database/reset');
    // the openid scope needs the user's password
    await ok('admin', 'PUT', '/scope/openid', {
        name: 'openid',
        display_name: 'Open ID',
        description: 'Open ID Connect scope',
        password_required: true,
        password_max_age: 0,
        scheme: {},
    });
    const claim = (name, prop) => ({
        name,
        'user-property': prop,
        type: 'string',
        'boolean-value-true': '',
        'boolean-value-false': '',
        mandatory: true,
        'on-demand': false,
        scope: [],
    });
    g.plugin = {
        module: 'oidc',
        name: 'oidc',
        display_name: 'OpenID Connect',
        enabled: true,
        parameters: {
            ...pluginDefaults(),
            iss: g.issuer,
            'jwt-type': 'rsa',
            'jwt-key-size': '256',
            'jwks-private': JSON.stringify({ keys: [rsaJwk('g1')] }),
            'default-kid': 'g1',
            'pkce-allowed': true,
            'allowed-scope': ['openid'],
            'name-claim': 'mandatory',
            claims: [claim('groups', 'groups'), claim('preferred_username', 'username')],
        },
    };
    await ok('admin', 'POST', '/mod/plugin/', g.plugin);
    await ok('admin', 'POST', '/client/', {
        client_id: 'meldpunt',
        name: 'meldpunt',
        confidential: true,
        password: clientSecret,
        enabled: true,
        scope: ['openid'],
        redirect_uri: [redirectUri],
        authorization_type: ['code'],
        token_endpoint_auth_method: ['client_secret_basic'],
    });

    /** A user with these groups (made, or changed). */
    g.user = async (username, groups, name = username) => {
        const body = { username, name, password: 'user password 1', enabled: true, scope: ['openid'], groups };
        const r = await g.req('admin', 'PUT', `/user/${username}`, body);
        if (r.status === 404) await ok('admin', 'POST', '/user/', body);
        else assert.equal(r.status, 200, r.text);
        await ok(username, 'POST', '/auth/', { username, password: 'user password 1' });
        await ok(username, 'PUT', '/auth/grant/meldpunt', { scope: 'openid' });
    };
    /** The browser at the authorization address as username, going on. */
    g.authorize = async (username, authorizationUrl) => {
        const res = await fetch(`${authorizationUrl}&g_continue`, {
            redirect: 'manual',
            headers: { cookie: g.cookies[username] },
        });
        assert.equal(res.status, 302, await res.text());
        return res.headers.get('location');
    };
    /** A new signing key in front of the old one's removal: the key rotation an admin does. */
    g.rotate = async (kid) => {
        g.plugin.parameters['jwks-private'] = JSON.stringify({ keys: [rsaJwk(kid)] });
        g.plugin.parameters['default-kid'] = kid;
        await ok('admin', 'PUT', '/mod/plugin/oidc', g.plugin);
        await ok('admin', 'PUT', '/mod/plugin/oidc/reset');
    };
    g.stop = async () => {
        if (proc.exitCode !== null || proc.signalCode !== null) return;
        const gone = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await gone;
    };
    return g;
}
