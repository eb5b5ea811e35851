// SPDX-License-Identifier: EUPL-1.2
// session.mjs - people signing in: users made with the CLI, sessions over
// HTTP, and requests made the way a browser makes them (cookie + CSRF).
import assert from 'node:assert/strict';
import { api, cli } from './daemon.mjs';

export const PASSWORD = 'correct horse battery 9';

/** `meldpunt user add NAME --role ROLE` with the password on stdin. */
export function addUser(d, name, role, { password = PASSWORD, tlpMax } = {}) {
    const args = ['user', 'add', name, '--role', role];
    if (tlpMax) args.push('--tlp-max', tlpMax);
    const r = cli(args, { dataDir: d.dataDir, input: `${password}\n` });
    assert.equal(r.code, 0, r.stderr);
    return { name, password };
}

/** POST /api/v1/session; returns {res, cookie, csrf}. */
export async function signIn(d, name, password = PASSWORD, headers = {}) {
    const res = await api(d.url, null, 'POST', '/api/v1/session', { name, password }, headers);
    const set = res.headers.get('set-cookie') ?? '';
    const m = /mp_session=([^;]*)/.exec(set);
    return { res, cookie: m ? m[1] : null, csrf: res.json?.csrf_token ?? null, setCookie: set };
}

/** A request with the session's cookie; unsafe methods carry the CSRF
 * token unless csrf is false. */
export async function browser(d, s, method, path, body, { csrf = true, headers = {} } = {}) {
    const h = { cookie: `mp_session=${s.cookie}`, ...headers };
    if (csrf && !['GET', 'HEAD'].includes(method)) h['x-csrf-token'] = s.csrf;
    return api(d.url, null, method, path, body, h);
}

/** Signs in as a new user of role; returns the session. */
export async function session(d, name, role, opts = {}) {
    addUser(d, name, role, opts);
    const s = await signIn(d, name, opts.password ?? PASSWORD);
    assert.equal(s.res.status, 201, s.res.text);
    return s;
}

/** Approves and signs a notification (its URL) as a person must: user (from addUser)
 * signs in afresh, so a test clock moved on has not ended the session, and posts
 * with the CSRF token.  API tokens cannot approve. */
export async function approveAs(d, user, url, headers = {}) {
    const s = await signIn(d, user.name, user.password);
    assert.equal(s.res.status, 201, s.res.text);
    return browser(d, s, 'POST', `${url}/approve`, undefined, { headers });
}
