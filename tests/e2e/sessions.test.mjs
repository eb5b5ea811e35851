// SPDX-License-Identifier: EUPL-1.2
// sessions.test.mjs - people signing in: users and their passwords, the
// session cookie and its CSRF token, timeouts, a required password change,
// sign-in throttling (the same answers for unknown names), and the audit
// trail of it all.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { BIN, api, assertProblem, cli, sqlite, startDaemon } from './lib/daemon.mjs';
import { PASSWORD, addUser, browser, session, signIn } from './lib/session.mjs';

const DB = (d) => `${d.dataDir}/meldpunt.db`;

describe('sessions', () => {
    let d;
    before(async () => {
        d = await startDaemon();
    });
    after(async () => {
        await d.stopClean();
    });

    test('sign in: cookie attributes, body, the cookie stored only hashed', async () => {
        addUser(d, 'alice', 'analyst');
        const s = await signIn(d, 'alice');
        assert.equal(s.res.status, 201, s.res.text);
        assert.match(s.cookie, /^[A-Za-z0-9_-]{43}$/);
        assert.match(s.setCookie, /; Path=\//);
        assert.match(s.setCookie, /; HttpOnly/);
        assert.match(s.setCookie, /; SameSite=Strict/);
        assert.doesNotMatch(s.setCookie, /Secure/, 'no Secure flag over plain HTTP');
        assert.equal(s.res.json.user.name, 'alice');
        assert.equal(s.res.json.user.role, 'analyst');
        assert.equal(s.res.json.user.must_change_password, false);
        assert.equal(s.res.json.user.password_hash, undefined);
        assert.match(s.csrf, /^[A-Za-z0-9_-]{43}$/);
        assert.ok(Date.parse(s.res.json.expires_at) > Date.now() + 11 * 3600e3);
        // neither the cookie nor any password in the database
        const dump = sqlite(DB(d), '.dump');
        assert.equal(dump.code, 0, dump.stderr);
        assert.ok(!dump.stdout.includes(s.cookie), 'session cookie stored in clear');
        assert.ok(!dump.stdout.includes(PASSWORD), 'password stored in clear');
        assert.match(dump.stdout, /\$argon2id\$/);
        // who am I
        const me = await browser(d, s, 'GET', '/api/v1/session');
        assert.equal(me.status, 200);
        assert.equal(me.json.csrf_token, s.csrf);
        assert.equal(me.json.user.last_sign_in_at !== null, true);
        const me2 = await browser(d, s, 'GET', '/api/v1/me');
        assert.equal(me2.json.principal, 'user:alice');
    });

    test('CSRF: unsafe requests with the cookie need X-CSRF-Token; tokens do not', async () => {
        const s = await session(d, 'csrf-user', 'analyst');
        let res = await browser(d, s, 'POST', '/api/v1/incidents', { title: 'no csrf' }, { csrf: false });
        assertProblem(res, 403);
        assert.match(res.json.detail, /X-CSRF-Token/);
        res = await browser(d, s, 'POST', '/api/v1/incidents', { title: 'wrong csrf' }, {
            csrf: false,
            headers: { 'x-csrf-token': s.csrf.slice(0, -1) + (s.csrf.endsWith('A') ? 'B' : 'A') },
        });
        assertProblem(res, 403);
        // nothing was created by the refused requests
        const list = await api(d.url, d.adminToken, 'GET', '/api/v1/incidents?q=csrf');
        assert.equal(list.json.items.length, 0);
        res = await browser(d, s, 'POST', '/api/v1/incidents', { title: 'with csrf' });
        assert.equal(res.status, 201, res.text);
        assert.equal(res.json.created_by, 'user:csrf-user');
        // another session's token does not do
        const other = await session(d, 'csrf-other', 'analyst');
        res = await browser(d, s, 'POST', '/api/v1/incidents', { title: 'x' }, {
            csrf: false,
            headers: { 'x-csrf-token': other.csrf },
        });
        assert.equal(res.status, 403);
        // a token needs no CSRF header
        res = await api(d.url, d.adminToken, 'POST', '/api/v1/incidents', { title: 'by token' });
        assert.equal(res.status, 201);
    });

    test('language is remembered per user', async () => {
        const s = await session(d, 'lang-user', 'viewer');
        let res = await browser(d, s, 'PATCH', '/api/v1/session', { language: 'de' });
        assertProblem(res, 422);
        assert.equal(res.json.errors[0].field, 'language');
        res = await browser(d, s, 'PATCH', '/api/v1/session', { language: 'nl', colour: 'x' });
        assert.equal(res.status, 422);
        assert.ok(res.json.errors.some((e) => e.field === 'colour'));
        res = await browser(d, s, 'PATCH', '/api/v1/session', { language: 'nl' });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.user.language, 'nl');
        const again = await signIn(d, 'lang-user');
        assert.equal(again.res.json.user.language, 'nl');
        // a token has no session to change
        res = await api(d.url, d.adminToken, 'PATCH', '/api/v1/session', { language: 'nl' });
        assert.equal(res.status, 404);
    });

    test('sign out ends the session at once; the cookie is cleared', async () => {
        const s = await session(d, 'bye', 'viewer');
        let res = await browser(d, s, 'DELETE', '/api/v1/session', undefined, { csrf: false });
        assert.equal(res.status, 403, 'signing out also needs the CSRF token');
        res = await browser(d, s, 'DELETE', '/api/v1/session');
        assert.equal(res.status, 204);
        assert.match(res.headers.get('set-cookie'), /mp_session=;.*Max-Age=0/);
        res = await browser(d, s, 'GET', '/api/v1/session');
        assertProblem(res, 401);
        res = await browser(d, s, 'GET', '/api/v1/incidents');
        assert.equal(res.status, 401);
    });

    test('a generated password must be changed before anything else', async () => {
        let res = await api(d.url, d.adminToken, 'POST', '/api/v1/users', { name: 'carol', role: 'manager' });
        assert.equal(res.status, 201, res.text);
        assert.equal(res.headers.get('location'), '/api/v1/users/carol');
        const otp = res.json.password;
        assert.match(otp, /^[A-Za-z0-9_-]{20}$/);
        assert.equal(res.json.must_change_password, true);
        const s = await signIn(d, 'carol', otp);
        assert.equal(s.res.status, 201, s.res.text);
        assert.equal(s.res.json.user.must_change_password, true);
        res = await browser(d, s, 'GET', '/api/v1/incidents');
        assertProblem(res, 403);
        assert.match(res.json.detail, /password must be changed/);
        assert.equal((await browser(d, s, 'GET', '/api/v1/session')).status, 200);
        // wrong current, too short, containing the name, unchanged
        res = await browser(d, s, 'POST', '/api/v1/session/password', { current: 'nope-nope-nope', new: 'a-good-new-password' });
        assertProblem(res, 422);
        assert.equal(res.json.errors[0].field, 'current');
        res = await browser(d, s, 'POST', '/api/v1/session/password', { current: otp, new: 'short' });
        assert.equal(res.json.errors[0].field, 'new');
        assert.match(res.json.errors[0].message, /at least 12/);
        res = await browser(d, s, 'POST', '/api/v1/session/password', { current: otp, new: 'my name is CAROL!' });
        assert.equal(res.json.errors[0].field, 'new');
        assert.match(res.json.errors[0].message, /user name/);
        res = await browser(d, s, 'POST', '/api/v1/session/password', { current: otp, new: otp });
        assert.equal(res.json.errors[0].field, 'new');
        res = await browser(d, s, 'POST', '/api/v1/session/password', { current: otp, new: 'a-good-new-password' });
        assert.equal(res.status, 204, res.text);
        res = await browser(d, s, 'GET', '/api/v1/incidents');
        assert.equal(res.status, 200);
        assert.equal((await signIn(d, 'carol', otp)).res.status, 401);
        assert.equal((await signIn(d, 'carol', 'a-good-new-password')).res.status, 201);
    });

    test('an admin reset ends every session of the user and requires a change', async () => {
        const s = await session(d, 'dave', 'analyst');
        const res = await api(d.url, d.adminToken, 'POST', '/api/v1/users/dave/password', {});
        assert.equal(res.status, 200, res.text);
        assert.match(res.json.password, /^[A-Za-z0-9_-]{20}$/);
        assert.equal((await browser(d, s, 'GET', '/api/v1/session')).status, 401);
        const again = await signIn(d, 'dave', res.json.password);
        assert.equal(again.res.json.user.must_change_password, true);
        assert.equal((await signIn(d, 'dave')).res.status, 401, 'the old password no longer works');
    });

    test('users API: validation names the field and changes nothing', async () => {
        const bad = [
            [{ name: 'x y', role: 'viewer' }, 'name'],
            [{ name: 'erin', role: 'ingest' }, 'role'],
            [{ name: 'erin', role: 'root' }, 'role'],
            [{ name: 'erin', role: 'viewer', password: 'short' }, 'password'],
            [{ name: 'erin', role: 'viewer', password: 'erin-erin-erin-erin' }, 'password'],
            [{ name: 'erin', role: 'viewer', tlp_max: 'white' }, 'tlp_max'],
            [{ name: 'erin', role: 'viewer', shoe_size: 44 }, 'shoe_size'],
            [{ name: 'erin', role: 7 }, 'role'],
        ];
        for (const [body, field] of bad) {
            const res = await api(d.url, d.adminToken, 'POST', '/api/v1/users', body);
            assertProblem(res, 422);
            assert.ok(res.json.errors.some((e) => e.field === field), `${JSON.stringify(body)}: ${res.text}`);
        }
        let res = await api(d.url, d.adminToken, 'GET', '/api/v1/users/erin');
        assert.equal(res.status, 404);
        res = await api(d.url, d.adminToken, 'POST', '/api/v1/users', { name: 'erin', role: 'viewer', password: PASSWORD });
        assert.equal(res.status, 201);
        assert.equal(res.json.password, undefined, 'a chosen password is not echoed');
        res = await api(d.url, d.adminToken, 'POST', '/api/v1/users', { name: 'erin', role: 'viewer', password: PASSWORD });
        assertProblem(res, 409);
        res = await api(d.url, d.adminToken, 'PATCH', '/api/v1/users/erin', { disabled: 'yes' });
        assert.equal(res.json.errors[0].field, 'disabled');
        res = await api(d.url, d.adminToken, 'PATCH', '/api/v1/users/nobody', { disabled: true });
        assert.equal(res.status, 404);
        res = await api(d.url, d.adminToken, 'GET', '/api/v1/users');
        assert.ok(res.json.items.some((u) => u.name === 'erin' && u.role === 'viewer' && u.disabled === false));
        assert.ok(!res.text.includes('argon2'));
    });

    test('an admin signed in cannot disable or demote themselves', async () => {
        const s = await session(d, 'self-admin', 'admin');
        let res = await browser(d, s, 'PATCH', '/api/v1/users/self-admin', { disabled: true });
        assertProblem(res, 409);
        assert.equal(res.json.errors[0].field, 'disabled');
        res = await browser(d, s, 'PATCH', '/api/v1/users/self-admin', { role: 'viewer' });
        assertProblem(res, 409);
        assert.equal(res.json.errors[0].field, 'role');
        assert.equal((await browser(d, s, 'GET', '/api/v1/users/self-admin')).json.role, 'admin');
    });

    test('disabling a user ends their sessions; enabling lets them sign in again', async () => {
        const s = await session(d, 'frank', 'analyst');
        let res = await api(d.url, d.adminToken, 'PATCH', '/api/v1/users/frank', { disabled: true });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.disabled, true);
        assert.equal((await browser(d, s, 'GET', '/api/v1/incidents')).status, 401);
        const refused = await signIn(d, 'frank');
        assertProblem(refused.res, 401);
        assert.equal(refused.res.json.detail, 'the name or password is wrong');
        res = await api(d.url, d.adminToken, 'PATCH', '/api/v1/users/frank', { disabled: false });
        assert.equal(res.json.disabled, false);
        assert.equal((await signIn(d, 'frank')).res.status, 201);
        // a role change ends the sessions too: no browser keeps old rights
        const s2 = await signIn(d, 'frank');
        res = await api(d.url, d.adminToken, 'PATCH', '/api/v1/users/frank', { role: 'viewer' });
        assert.equal(res.json.role, 'viewer');
        assert.equal((await browser(d, s2, 'GET', '/api/v1/session')).status, 401);
    });

    test('the CLI: add from stdin, list, disable, passwd', () => {
        let r = cli(['user', 'add', 'gina', '--role', 'manager', '--tlp-max', 'amber'], { dataDir: d.dataDir, input: 'a fine password 1\n' });
        assert.equal(r.code, 0, r.stderr);
        r = cli(['user', 'add', 'gina2', '--role', 'manager'], { dataDir: d.dataDir, input: 'short\n' });
        assert.equal(r.code, 1);
        assert.match(r.stderr, /password: must be at least 12/);
        r = cli(['user', 'add', 'gina3'], { dataDir: d.dataDir, input: 'a fine password 1\n' });
        assert.equal(r.code, 2, 'needs --role');
        r = cli(['user', 'list'], { dataDir: d.dataDir });
        assert.equal(r.code, 0);
        assert.match(r.stdout, /^gina\s+manager\s+amber\s+active/m);
        r = cli(['user', 'disable', 'gina'], { dataDir: d.dataDir });
        assert.equal(r.code, 0);
        assert.match(cli(['user', 'list'], { dataDir: d.dataDir }).stdout, /^gina\s+manager\s+amber\s+disabled/m);
        r = cli(['user', 'passwd', 'nobody'], { dataDir: d.dataDir, input: 'a fine password 2\n' });
        assert.equal(r.code, 1);
        assert.match(r.stderr, /no user named/);
        // in a script with nothing on standard input: it says how, and creates nothing
        r = cli(['user', 'add', 'gina4', '--role', 'viewer'], { dataDir: d.dataDir, input: '' });
        assert.equal(r.code, 1);
        assert.match(r.stderr, /no password on standard input/);
        assert.match(r.stderr, /--generate/);
        assert.doesNotMatch(cli(['user', 'list'], { dataDir: d.dataDir }).stdout, /gina4/);
        // --generate: a one-time password alone on standard output, to be changed
        r = cli(['user', 'add', 'gina4', '--role', 'viewer', '--generate'], { dataDir: d.dataDir, input: '' });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^[A-Za-z0-9_-]{20}\n$/);
        r = cli(['user', 'list', '--generate'], { dataDir: d.dataDir });
        assert.equal(r.code, 2, '--generate is for add and passwd');
    });

    test('the CLI on a terminal generates a one-time password that must be changed', async () => {
        // script(1) gives the command a terminal for standard input
        const r = spawnSync('script', ['-qec', `${BIN} user add tty-user --role viewer --data ${d.dataDir}`, '/dev/null'], {
            encoding: 'utf8',
            timeout: 30000,
        });
        assert.equal(r.status, 0, r.stdout + r.stderr);
        const m = /one-time password follows[^\n]*\r?\n([A-Za-z0-9_-]{20})\r?\n/.exec(r.stdout);
        assert.ok(m, r.stdout);
        const s = await signIn(d, 'tty-user', m[1]);
        assert.equal(s.res.status, 201, s.res.text);
        assert.equal(s.res.json.user.must_change_password, true);
        assert.equal((await browser(d, s, 'GET', '/api/v1/incidents')).status, 403);
    });

    test('every change to users and sessions is in the audit chain', async () => {
        const res = await api(d.url, d.adminToken, 'GET', '/api/v1/audit?limit=500');
        assert.equal(res.status, 200, res.text);
        const actions = new Set(res.json.items.map((e) => e.action));
        for (const a of ['user.create', 'user.update', 'user.password', 'user.password_reset', 'user.language', 'session.create', 'session.end'])
            assert.ok(actions.has(a), `no ${a} in the audit log`);
        assert.ok(!res.text.includes(PASSWORD), 'a password in the audit log');
        const v = cli(['audit', 'verify'], { dataDir: d.dataDir });
        assert.equal(v.code, 0, v.stdout + v.stderr);
    });
});

describe('session timeouts, on the test clock', () => {
    // The daemon's clock stands still at T0 and is moved on with the test
    // clock, so the limits are tested to the second with the real
    // defaults: session_idle 1800 s, session_max 43200 s.
    const T0 = '2027-01-04T09:00:00Z';
    const at = (base, s) => new Date(Date.parse(base) + s * 1000).toISOString().replace('.000Z', 'Z');
    let d;
    before(async () => {
        d = await startDaemon({ env: { MELDPUNT_TEST_CLOCK: T0 } });
    });
    after(async () => {
        await d.stopClean();
    });
    const status = async (s) => (await browser(d, s, 'GET', '/api/v1/session')).status;
    const seen = (name) => {
        const q = sqlite(DB(d), `SELECT seen_unix FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = '${name}');`);
        assert.equal(q.code, 0, q.stderr);
        return Number(q.stdout.trim());
    };

    test('idle: valid 1 s before session_idle, 401 at it; a request refreshes the idle time', async () => {
        assert.equal(await d.setClock({ now: T0 }), T0);
        const used = await session(d, 'idle-used', 'viewer');
        const unused = await session(d, 'idle-unused', 'viewer');
        assert.equal(used.res.json.expires_at, at(T0, 43200));
        assert.equal(seen('idle-used'), Date.parse(T0) / 1000);
        // 1799 s idle: still valid, and the request refreshes it
        assert.equal(await d.setClock({ advance: 'PT1799S' }), at(T0, 1799));
        assert.equal(await status(used), 200);
        assert.equal(seen('idle-used'), Date.parse(T0) / 1000 + 1799, 'seen_unix refreshed');
        // 1800 s idle: ended; the session used a second ago is not
        assert.equal(await d.setClock({ advance: 'PT1S' }), at(T0, 1800));
        assert.equal(await status(unused), 401);
        assert.equal(await status(used), 200);
        // 1800 s after its last use it ends too, and stays ended
        assert.equal(await d.setClock({ advance: 'PT1799S' }), at(T0, 3599));
        assert.equal(await status(used), 401);
        assertProblem(await browser(d, used, 'GET', '/api/v1/incidents'), 401);
    });

    test('absolute: valid 1 s before session_max even when used all along, 401 at it', async () => {
        const T1 = '2027-01-05T09:00:00Z';
        assert.equal(await d.setClock({ now: T1 }), T1);
        const s = await session(d, 'old-user', 'viewer');
        assert.equal(s.res.json.expires_at, at(T1, 43200));
        // used just within the idle limit, again and again: 24 x 1799 s
        for (let i = 1; i <= 24; i++) {
            await d.setClock({ advance: 'PT1799S' });
            assert.equal(await status(s), 200, `after ${i * 1799} s`);
        }
        assert.equal(await d.setClock({ now: at(T1, 43199) }), at(T1, 43199));
        const me = await browser(d, s, 'GET', '/api/v1/session');
        assert.equal(me.status, 200);
        assert.equal(me.json.expires_at, at(T1, 43200));
        assert.equal(await d.setClock({ advance: 'PT1S' }), at(T1, 43200));
        assert.equal(await status(s), 401);
        // a new sign-in is a new session with its own 12 hours
        const again = await signIn(d, 'old-user');
        assert.equal(again.res.status, 201, again.res.text);
        assert.equal(again.res.json.expires_at, at(T1, 86400));
        assert.equal(await status(again), 200);
    });
});

describe('sign-in throttling', () => {
    let d;
    before(async () => {
        d = await startDaemon({ config: '[auth]\nlockout_after = 5\nlockout_time = 60\n[server]\ntrusted_proxies = 127.0.0.1\n' });
        addUser(d, 'victim', 'admin');
    });
    after(async () => {
        await d.stopClean();
    });
    const from = (addr) => ({ 'x-forwarded-for': addr });

    test('a name waits after 3 failures, longer each time, then is locked; unknown names alike', async () => {
        for (const name of ['victim', 'no-such-user']) {
            const xff = from(name === 'victim' ? '198.51.100.1' : '198.51.100.2');
            const seen = [];
            for (let i = 0; i < 3; i++) seen.push(await signIn(d, name, 'wrong password here', xff));
            for (const s of seen) {
                assertProblem(s.res, 401);
                assert.equal(s.res.json.detail, 'the name or password is wrong');
            }
            // the 4th try at once must wait a second, even with the right password
            let s = await signIn(d, name, PASSWORD, xff);
            assertProblem(s.res, 429);
            assert.equal(s.res.headers.get('retry-after'), '1');
            // the backoff is timed on the monotonic clock, which the test
            // clock moves forward too: nobody waits for it
            await d.setClock({ advance: 'PT1S' });
            s = await signIn(d, name, 'wrong password here', xff);
            assert.equal(s.res.status, 401);
            s = await signIn(d, name, 'wrong password here', xff);
            assert.equal(s.res.status, 429);
            assert.equal(s.res.headers.get('retry-after'), '2');
            s = await signIn(d, name, 'wrong password here', xff);
            assert.equal(s.res.status, 429, 'asked again at once, it still waits');
            await d.setClock({ advance: 'PT2S' });
            s = await signIn(d, name, 'wrong password here', xff); // the 5th: locked now
            assert.equal(s.res.status, 401);
            s = await signIn(d, name, PASSWORD, xff);
            assertProblem(s.res, 429);
            assert.ok(Number(s.res.headers.get('retry-after')) > 50, s.res.headers.get('retry-after'));
        }
        // the lock is per name: another user signs in from the same address
        addUser(d, 'bystander', 'viewer');
        assert.equal((await signIn(d, 'bystander', PASSWORD, from('198.51.100.1'))).res.status, 201);
        // failures and the lock are audited, with the client's address
        const res = await api(d.url, d.adminToken, 'GET', '/api/v1/audit?limit=200');
        const mine = res.json.items.filter((e) => e.object === 'victim');
        assert.equal(mine.filter((e) => e.action === 'session.fail').length, 4);
        assert.equal(mine.filter((e) => e.action === 'session.lock').length, 1);
        assert.ok(mine.filter((e) => e.action.startsWith('session.')).every((e) => e.payload.address === '198.51.100.1'), JSON.stringify(mine));
        assert.ok(res.json.items.some((e) => e.object === 'no-such-user' && e.action === 'session.lock'));
    });

    test('a wrong current password counts like a failed sign-in: backoff, lock, audit', async () => {
        addUser(d, 'changer', 'viewer');
        const xff = from('198.51.100.60');
        const s = await signIn(d, 'changer', PASSWORD, xff);
        assert.equal(s.res.status, 201, s.res.text);
        const change = (current, newPw = 'a brand new password 7', addr = xff) =>
            browser(d, s, 'POST', '/api/v1/session/password', { current, new: newPw }, { headers: addr });
        for (let i = 0; i < 3; i++) {
            const res = await change(`guess number ${i} here`);
            assertProblem(res, 422);
            assert.deepEqual(res.json.errors, [{ field: 'current', code: 'wrong_password', message: 'is not the current password' }]);
        }
        // the 4th at once waits a second, even with the right password
        let res = await change(PASSWORD);
        assertProblem(res, 429);
        assert.equal(res.headers.get('retry-after'), '1');
        await d.setClock({ advance: 'PT1S' });
        assertProblem(await change('guess number 3 here'), 422);
        res = await change('guess number 4 here');
        assertProblem(res, 429);
        assert.equal(res.headers.get('retry-after'), '2');
        await d.setClock({ advance: 'PT2S' });
        assertProblem(await change('guess number 5 here'), 422); // the 5th: locked now
        res = await change(PASSWORD);
        assertProblem(res, 429);
        assert.ok(Number(res.headers.get('retry-after')) > 50, res.headers.get('retry-after'));
        // it is the account's count: signing in to it waits too, from anywhere
        const other = await signIn(d, 'changer', PASSWORD, from('198.51.100.61'));
        assertProblem(other.res, 429);
        // nothing changed: after the lock the old password still works, once
        await d.setClock({ advance: 'PT61S' });
        res = await change(PASSWORD);
        assert.equal(res.status, 204, res.text);
        assert.equal((await signIn(d, 'changer', 'a brand new password 7', xff)).res.status, 201);
        // each failure audited with the address, no password in the log
        const audit = await api(d.url, d.adminToken, 'GET', '/api/v1/audit?limit=200');
        const mine = audit.json.items.filter((e) => e.object === 'changer');
        assert.equal(mine.filter((e) => e.action === 'session.password_fail').length, 4, JSON.stringify(mine));
        assert.equal(mine.filter((e) => e.action === 'session.lock').length, 1);
        for (const e of mine.filter((x) => ['session.password_fail', 'session.lock'].includes(x.action))) {
            assert.equal(e.payload.address, '198.51.100.60');
        }
        assert.ok(!/guess number|a brand new password/.test(audit.text), 'a password in the audit log');
    });

    test('an address is limited across names; only a trusted proxy may name the address', async () => {
        const xff = from('203.0.113.9');
        for (let i = 0; i < 10; i++) {
            const s = await signIn(d, `guess-${i}`, 'wrong password here', xff);
            assert.equal(s.res.status, 401, `try ${i}: ${s.res.text}`);
        }
        let s = await signIn(d, 'guess-x', 'wrong password here', xff);
        assert.equal(s.res.status, 429, s.res.text);
        // another address behind the proxy is not affected
        s = await signIn(d, 'bystander', PASSWORD, from('203.0.113.10'));
        assert.equal(s.res.status, 201);
        // a forged header before the proxy's own entry does not help: the
        // last untrusted address counts
        s = await signIn(d, 'guess-y', 'wrong password here', from('192.0.2.1, 203.0.113.9'));
        assert.equal(s.res.status, 429);
    });
});

describe('without trusted proxies X-Forwarded-For is ignored', () => {
    test('varying the header does not escape the per-address limit', async () => {
        const d = await startDaemon();
        try {
            for (let i = 0; i < 10; i++) {
                const s = await signIn(d, `n-${i}`, 'wrong password here', { 'x-forwarded-for': `192.0.2.${i}` });
                assert.equal(s.res.status, 401);
            }
            const s = await signIn(d, 'n-x', 'wrong password here', { 'x-forwarded-for': '192.0.2.200' });
            assert.equal(s.res.status, 429);
        } finally {
            await d.stopClean();
        }
    });
});

// ---- one's own sessions, an admin's view of a user's, and API tokens'
// expiry and allowed sources (issue 21) ----

const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const CHROME_WINDOWS =
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const EDGE_MAC =
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0';

describe('the list of sessions, and signing out one or everywhere', () => {
    let d;
    before(async () => {
        d = await startDaemon();
    });
    after(async () => {
        await d.stopClean();
    });
    const from = (ua) => ({ 'user-agent': ua });
    const signInAs = async (name, ua) => {
        const s = await signIn(d, name, PASSWORD, from(ua));
        assert.equal(s.res.status, 201, s.res.text);
        return s;
    };
    const alive = async (s) => (await browser(d, s, 'GET', '/api/v1/session')).status;

    test('each session: the device in words (never the raw header), address, times, which one is this', async () => {
        addUser(d, 'sam', 'analyst');
        const a = await signInAs('sam', FIREFOX_LINUX);
        const b = await signInAs('sam', CHROME_WINDOWS);
        const res = await browser(d, a, 'GET', '/api/v1/sessions');
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.items.length, 2);
        const mine = res.json.items.find((x) => x.current);
        const other = res.json.items.find((x) => !x.current);
        assert.deepEqual(mine.device, { browser: 'Firefox', os: 'Linux' });
        assert.deepEqual(other.device, { browser: 'Chrome', os: 'Windows' });
        assert.equal(mine.address, '127.0.0.1');
        assert.ok(Date.parse(mine.signed_in_at) > 0 && Date.parse(mine.last_seen_at) >= Date.parse(mine.signed_in_at));
        assert.ok(!res.text.includes('Mozilla') && !res.text.includes('Gecko'), 'the raw User-Agent is shown');
        assert.ok(!res.text.includes(a.cookie) && !res.text.includes(b.cookie), 'a cookie in the list');
        // from the other session, that one is "this session"
        const fromB = await browser(d, b, 'GET', '/api/v1/sessions');
        assert.equal(fromB.json.items.find((x) => x.current).id, other.id);
        // another user's sessions are not in sam's list
        const c = await session(d, 'sam-neighbour', 'analyst');
        const list = await browser(d, c, 'GET', '/api/v1/sessions');
        assert.deepEqual(
            list.json.items.map((x) => x.current),
            [true],
        );
        // a session without a User-Agent: no words rather than guesses
        const bare = await signIn(d, 'sam', PASSWORD, { 'user-agent': '' });
        const none = (await browser(d, bare, 'GET', '/api/v1/sessions')).json.items.find((x) => x.current);
        assert.deepEqual(none.device, { browser: null, os: null });
        // sessions are a person's: an API token has none
        const tok = await api(d.url, d.adminToken, 'GET', '/api/v1/sessions');
        assertProblem(tok, 403);
        assert.match(tok.json.detail, /API token/);
    });

    test("signing out one session refuses its cookie at once; another person's session is not found", async () => {
        addUser(d, 'una', 'viewer');
        const a = await signInAs('una', FIREFOX_LINUX);
        const b = await signInAs('una', EDGE_MAC);
        const list = (await browser(d, a, 'GET', '/api/v1/sessions')).json.items;
        const idB = list.find((x) => !x.current).id;
        assert.deepEqual(list.find((x) => !x.current).device, { browser: 'Edge', os: 'macOS' });
        const end = await browser(d, a, 'DELETE', `/api/v1/sessions/${idB}`);
        assert.equal(end.status, 200, end.text);
        assert.deepEqual(end.json, { ended: 1 });
        assert.equal(end.headers.get('set-cookie'), null, "this session's cookie removed for ending another");
        assert.equal(await alive(b), 401);
        assert.equal(await alive(a), 200);
        // again, or someone else's, or no number: 404, nothing ends
        assertProblem(await browser(d, a, 'DELETE', `/api/v1/sessions/${idB}`), 404);
        const other = await session(d, 'una-other', 'viewer');
        const otherId = (await browser(d, other, 'GET', '/api/v1/sessions')).json.items[0].id;
        assertProblem(await browser(d, a, 'DELETE', `/api/v1/sessions/${otherId}`), 404);
        assert.equal(await alive(other), 200);
        assertProblem(await browser(d, a, 'DELETE', '/api/v1/sessions/x1'), 404);
        // ending this very session signs out, and removes the cookie
        const idA = list.find((x) => x.current).id;
        const self = await browser(d, a, 'DELETE', `/api/v1/sessions/${idA}`);
        assert.equal(self.status, 200, self.text);
        assert.match(self.headers.get('set-cookie') ?? '', /mp_session=;.*Max-Age=0/);
        assert.equal(await alive(a), 401);
    });

    test('sign out everywhere else, then everywhere; a bad keep_current is named and changes nothing', async () => {
        addUser(d, 'eve', 'manager');
        const a = await signInAs('eve', FIREFOX_LINUX);
        const b = await signInAs('eve', CHROME_WINDOWS);
        const c = await signInAs('eve', EDGE_MAC);
        const bad = await browser(d, a, 'DELETE', '/api/v1/sessions?keep_current=maybe');
        assertProblem(bad, 400);
        assert.equal(bad.json.errors[0].field, 'keep_current');
        assert.deepEqual([await alive(a), await alive(b), await alive(c)], [200, 200, 200]);
        const others = await browser(d, a, 'DELETE', '/api/v1/sessions?keep_current=true');
        assert.equal(others.status, 200, others.text);
        assert.deepEqual(others.json, { ended: 2 });
        assert.equal(others.headers.get('set-cookie'), null);
        assert.deepEqual([await alive(a), await alive(b), await alive(c)], [200, 401, 401]);
        const list = await browser(d, a, 'GET', '/api/v1/sessions');
        assert.equal(list.json.items.length, 1);
        const all = await browser(d, a, 'DELETE', '/api/v1/sessions');
        assert.equal(all.status, 200, all.text);
        assert.deepEqual(all.json, { ended: 1 });
        assert.match(all.headers.get('set-cookie') ?? '', /mp_session=;.*Max-Age=0/);
        assert.equal(await alive(a), 401);
    });

    test("an admin lists and ends a user's sessions; the ended cookie is refused at once", async () => {
        const admin = await session(d, 'ada', 'admin');
        addUser(d, 'vic', 'analyst');
        const v1 = await signInAs('vic', FIREFOX_LINUX);
        const v2 = await signInAs('vic', CHROME_WINDOWS);
        const v3 = await signInAs('vic', EDGE_MAC);
        const list = await browser(d, admin, 'GET', '/api/v1/users/vic/sessions');
        assert.equal(list.status, 200, list.text);
        assert.equal(list.json.items.length, 3);
        assert.ok(
            list.json.items.every((x) => !x.current),
            "the admin's session is none of vic's",
        );
        assert.deepEqual(list.json.items.map((x) => x.device.browser).sort(), ['Chrome', 'Edge', 'Firefox']);
        // one of them
        const firefox = list.json.items.find((x) => x.device.browser === 'Firefox');
        const one = await browser(d, admin, 'DELETE', `/api/v1/users/vic/sessions/${firefox.id}`);
        assert.deepEqual([one.status, one.json], [200, { ended: 1 }]);
        assert.equal(one.headers.get('set-cookie'), null);
        assert.deepEqual([await alive(v1), await alive(v2), await alive(v3)], [401, 200, 200]);
        // a session of someone else under vic's name: 404
        const adminId = (await browser(d, admin, 'GET', '/api/v1/sessions')).json.items[0].id;
        assertProblem(await browser(d, admin, 'DELETE', `/api/v1/users/vic/sessions/${adminId}`), 404);
        // all of them, with an API token too
        const all = await api(d.url, d.adminToken, 'DELETE', '/api/v1/users/vic/sessions');
        assert.deepEqual([all.status, all.json], [200, { ended: 2 }]);
        assert.deepEqual([await alive(v2), await alive(v3)], [401, 401]);
        assert.equal((await api(d.url, d.adminToken, 'GET', '/api/v1/users/vic/sessions')).json.items.length, 0);
        // nobody of that name
        const unknown = await api(d.url, d.adminToken, 'GET', '/api/v1/users/nobody-here/sessions');
        assertProblem(unknown, 404);
        // not for other roles
        const v4 = await signInAs('vic', FIREFOX_LINUX);
        assertProblem(await browser(d, v4, 'GET', '/api/v1/users/ada/sessions'), 403);
        assertProblem(await browser(d, v4, 'DELETE', '/api/v1/users/ada/sessions'), 403);
        assert.equal(await alive(admin), 200);
    });

    test('every ending is audited: who ended whose, and how many', async () => {
        const res = await api(d.url, d.adminToken, 'GET', '/api/v1/audit?limit=500');
        assert.equal(res.status, 200, res.text);
        const items = res.json.items;
        const byAdmin = items.filter((e) => e.object === 'vic' && e.action.startsWith('session.end'));
        assert.ok(
            byAdmin.some((e) => e.action === 'session.end' && e.principal === 'user:ada'),
            JSON.stringify(byAdmin),
        );
        assert.ok(
            byAdmin.some((e) => e.action === 'session.end_all' && e.principal === 'token:admin'),
            JSON.stringify(byAdmin),
        );
        const eve = items.filter((e) => e.object === 'eve' && e.action === 'session.end_all');
        assert.equal(eve.length, 2);
        const v = cli(['audit', 'verify'], { dataDir: d.dataDir });
        assert.equal(v.code, 0, v.stdout + v.stderr);
    });
});

describe('API tokens: an expiry on the test clock, and the addresses they may be used from', () => {
    const T0 = '2027-03-01T08:00:00Z';
    let d;
    before(async () => {
        d = await startDaemon({ env: { MELDPUNT_TEST_CLOCK: T0 } });
    });
    after(async () => {
        await d.stopClean();
    });
    const create = (body) => api(d.url, d.adminToken, 'POST', '/api/v1/tokens', body);
    const names = async () => (await api(d.url, d.adminToken, 'GET', '/api/v1/tokens')).json.items.map((k) => k.name);

    test('valid up to the second before expires_at; then 401 naming the expiry; the list shows it', async () => {
        await d.setClock({ now: T0 });
        const k = await create({ name: 'short', role: 'viewer', expires_at: '2027-03-01T09:00:00Z' });
        assert.equal(k.status, 201, k.text);
        assert.equal(k.json.expires_at, '2027-03-01T09:00:00Z');
        assert.equal(k.json.expired, false);
        await d.setClock({ now: '2027-03-01T08:59:59Z' });
        assert.equal((await api(d.url, k.json.token, 'GET', '/api/v1/me')).status, 200);
        await d.setClock({ advance: 'PT1S' });
        const res = await api(d.url, k.json.token, 'GET', '/api/v1/me');
        assertProblem(res, 401);
        assert.match(res.json.detail, /expired at 2027-03-01T09:00:00Z/);
        assert.equal(res.json.errors[0].field, 'expires_at');
        assert.match(res.headers.get('www-authenticate') ?? '', /invalid_token/);
        const listed = (await api(d.url, d.adminToken, 'GET', '/api/v1/tokens')).json.items.find(
            (x) => x.name === 'short',
        );
        assert.deepEqual([listed.expires_at, listed.expired], ['2027-03-01T09:00:00Z', true]);
        // an unknown token is not told more than before
        const unknown = await api(d.url, `mp_${'A'.repeat(43)}`, 'GET', '/api/v1/me');
        assertProblem(unknown, 401);
        assert.equal(unknown.json.errors, undefined);
        // an expiry in the past is refused, naming the field
        const past = await create({ name: 'past', role: 'viewer', expires_at: '2027-03-01T08:00:00Z' });
        assertProblem(past, 422);
        assert.equal(past.json.errors[0].field, 'expires_at');
    });

    test('allowed sources: a list that holds the address allows it, one that does not is refused with 403', async () => {
        const ok = await create({ name: 'loopback', role: 'viewer', allowed_sources: ['10.0.0.0/8', '127.0.0.0/8'] });
        assert.equal(ok.status, 201, ok.text);
        assert.deepEqual(ok.json.allowed_sources, ['10.0.0.0/8', '127.0.0.0/8']);
        assert.equal((await api(d.url, ok.json.token, 'GET', '/api/v1/me')).status, 200);
        const one = await create({ name: 'exact', role: 'viewer', allowed_sources: ['127.0.0.1', '::1/128'] });
        assert.deepEqual(one.json.allowed_sources, ['127.0.0.1/32', '::1/128']);
        assert.equal((await api(d.url, one.json.token, 'GET', '/api/v1/me')).status, 200);
        const far = await create({
            name: 'elsewhere',
            role: 'admin',
            allowed_sources: ['192.0.2.0/24', '2001:DB8::/32'],
        });
        assert.equal(far.status, 201, far.text);
        assert.deepEqual(far.json.allowed_sources, ['192.0.2.0/24', '2001:db8::/32']);
        const res = await api(d.url, far.json.token, 'GET', '/api/v1/me');
        assertProblem(res, 403);
        assert.match(res.json.detail, /may not be used from 127\.0\.0\.1/);
        assert.equal(res.json.errors[0].field, 'allowed_sources');
        // refused before anything is done: a write is not made either
        const write = await api(d.url, far.json.token, 'POST', '/api/v1/tokens', { name: 'via-far', role: 'viewer' });
        assertProblem(write, 403);
        // the list shows the blocks; a token without any shows an empty list
        const list = (await api(d.url, d.adminToken, 'GET', '/api/v1/tokens')).json.items;
        assert.deepEqual(list.find((x) => x.name === 'elsewhere').allowed_sources, ['192.0.2.0/24', '2001:db8::/32']);
        assert.deepEqual(list.find((x) => x.name === 'admin').allowed_sources, []);
        assert.ok(!list.some((x) => x.name === 'via-far'));
        // and the audit entry records them
        const audit = await api(d.url, d.adminToken, 'GET', '/api/v1/audit?limit=500');
        const entry = audit.json.items.find((e) => e.action === 'token.create' && e.object === 'elsewhere');
        assert.match(JSON.stringify(entry), /192\.0\.2\.0\/24,2001:db8::\/32/);
    });

    test('an invalid block is named by its place, and nothing is created', async () => {
        const before = await names();
        const cases = [
            [['10.0.0.300/8'], 'allowed_sources[0]'],
            [['127.0.0.0/8', '10.1.2.3/8'], 'allowed_sources[1]'], // bits after the prefix
            [['10.0.0.0/33'], 'allowed_sources[0]'],
            [['::/129'], 'allowed_sources[0]'],
            [['10.0.0.0/'], 'allowed_sources[0]'],
            [['10.0.0.0/08'], 'allowed_sources[0]'],
            [[' 10.0.0.0/8'], 'allowed_sources[0]'],
            [['example.org'], 'allowed_sources[0]'],
            [[42], 'allowed_sources[0]'],
            ['10.0.0.0/8', 'allowed_sources'],
            [Array.from({ length: 17 }, (_, i) => `10.0.${i}.0/24`), 'allowed_sources'],
        ];
        for (const [sources, field] of cases) {
            const res = await create({ name: 'bad-cidr', role: 'viewer', allowed_sources: sources });
            assertProblem(res, 422);
            assert.equal(res.json.errors[0].field, field, `${JSON.stringify(sources)}: ${res.text}`);
        }
        assert.deepEqual(await names(), before);
        // the edges that are blocks: everything, v4 and v6
        const all = await create({ name: 'anywhere', role: 'viewer', allowed_sources: ['0.0.0.0/0', '::/0'] });
        assert.equal(all.status, 201, all.text);
        assert.equal((await api(d.url, all.json.token, 'GET', '/api/v1/me')).status, 200);
    });
});

describe('meldpunt token create --allow', () => {
    test('the blocks are kept in canonical form and judged; a bad one exits 1 naming it', async () => {
        const d = await startDaemon();
        try {
            const ok = cli(['token', 'create', '--name', 'cli-far', '--role', 'viewer', '--allow', '198.51.100.0/24', '--allow', '2001:DB8::/32'], { dataDir: d.dataDir });
            assert.equal(ok.code, 0, ok.stderr);
            const listed = (await api(d.url, d.adminToken, 'GET', '/api/v1/tokens')).json.items.find((k) => k.name === 'cli-far');
            assert.deepEqual(listed.allowed_sources, ['198.51.100.0/24', '2001:db8::/32']);
            assertProblem(await api(d.url, ok.stdout.trim(), 'GET', '/api/v1/me'), 403);
            const near = cli(['token', 'create', '--name', 'cli-near', '--role', 'viewer', '--allow', '127.0.0.1'], { dataDir: d.dataDir });
            assert.equal((await api(d.url, near.stdout.trim(), 'GET', '/api/v1/me')).status, 200);
            const bad = cli(['token', 'create', '--name', 'cli-bad', '--role', 'viewer', '--allow', '10.1.2.3/8'], { dataDir: d.dataDir });
            assert.equal(bad.code, 1);
            assert.match(bad.stderr, /allowed_sources\[0\]: has bits set after its prefix/);
        } finally {
            await d.stopClean();
        }
    });
});

describe("a token's allowed sources behind a trusted proxy", () => {
    test('the address the proxy forwarded for is the one judged', async () => {
        const d = await startDaemon({ config: '[server]\ntrusted_proxies = 127.0.0.1\n' });
        try {
            const k = await api(d.url, d.adminToken, 'POST', '/api/v1/tokens', {
                name: 'office',
                role: 'viewer',
                allowed_sources: ['203.0.113.0/24'],
            });
            assert.equal(k.status, 201, k.text);
            const me = (addr) =>
                api(d.url, k.json.token, 'GET', '/api/v1/me', undefined, addr ? { 'x-forwarded-for': addr } : {});
            assert.equal((await me('203.0.113.9')).status, 200);
            const outside = await me('198.51.100.7');
            assertProblem(outside, 403);
            assert.match(outside.json.detail, /198\.51\.100\.7/);
            // the proxy itself is not in the list
            assertProblem(await me(null), 403);
            // a forged entry before the proxy's own does not help
            assertProblem(await me('203.0.113.9, 198.51.100.7'), 403);
        } finally {
            await d.stopClean();
        }
    });
});
