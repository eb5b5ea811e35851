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
