// SPDX-License-Identifier: EUPL-1.2
// mfa.test.mjs - the second factor (issue 21): TOTP enrolment (one correct
// code before it counts), signing in with a code or a recovery code (a
// half-signed-in session gets nothing but the second step), a replayed code
// refused, wrong codes throttled with the password's, require_mfa by role,
// step-up before approving a notification, break-glass accounts and
// local_passwords = break-glass-only.
//
// The codes are made here as an authenticator app makes them: RFC 6238
// with node's HMAC-SHA1 over the base32 secret the server showed, at the
// server's (test) clock.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, assertProblem, cli, sqlite, startDaemon } from './lib/daemon.mjs';
import { createIncident, createToken, iso } from './lib/incidents.mjs';
import { PASSWORD, addUser, browser, signIn } from './lib/session.mjs';
import { base32, totp } from './lib/totp.mjs';

const T0 = '2031-03-14T09:00:00Z';
const DB = (d) => `${d.dataDir}/meldpunt.db`;

/** The audit entries about object: [{action, payload}], oldest first. */
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

async function now(d) {
    const r = await api(d.url, d.adminToken, 'GET', '/api/v1/test/clock');
    return Date.parse(r.json.now) / 1000;
}

/** Enrols the session's user; returns {secret, codes}. */
async function enrol(d, s) {
    let res = await browser(d, s, 'POST', '/api/v1/me/mfa/totp');
    assert.equal(res.status, 201, res.text);
    const secret = res.json.secret;
    res = await browser(d, s, 'POST', '/api/v1/me/mfa/totp/confirm', { code: totp(secret, await now(d)) });
    assert.equal(res.status, 200, res.text);
    return { secret, codes: res.json.recovery_codes };
}

/** Password, then the code: a full session. */
async function signInWithCode(d, name, secret) {
    const s = await signIn(d, name);
    assert.equal(s.res.status, 201, s.res.text);
    assert.equal(s.res.json.second_factor.pending, true);
    const res = await browser(d, s, 'POST', '/api/v1/session/mfa', { code: totp(secret, await now(d)) });
    assert.equal(res.status, 200, res.text);
    return s;
}

describe('second factor', () => {
    let d;
    before(async () => {
        d = await startDaemon({ config: '[auth]\nrequire_mfa = admin\n' });
        await d.setClock({ now: T0 });
    });
    after(async () => {
        await d.stopClean();
    });

    test('enrolment: a secret and URI shown once, counted only after one correct code, ten recovery codes', async () => {
        addUser(d, 'erin', 'analyst');
        const s = await signIn(d, 'erin');
        assert.equal(s.res.status, 201, s.res.text);
        assert.deepEqual(s.res.json.second_factor, { pending: false, enrol_required: false });
        let res = await browser(d, s, 'GET', '/api/v1/me/mfa');
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.enrolled, false);
        res = await browser(d, s, 'POST', '/api/v1/me/mfa/totp');
        assert.equal(res.status, 201, res.text);
        const secret = res.json.secret;
        assert.match(secret, /^[A-Z2-7]{32}$/);
        assert.equal(
            res.json.uri,
            `otpauth://totp/meldpunt:erin?secret=${secret}&issuer=meldpunt&algorithm=SHA1&digits=6&period=30`,
        );
        // not yet a factor: signing in again asks no code
        let s2 = await signIn(d, 'erin');
        assert.equal(s2.res.json.second_factor.pending, false);
        // a wrong code confirms nothing
        const t = await now(d);
        const wrong = totp(secret, t + 300);
        res = await browser(d, s, 'POST', '/api/v1/me/mfa/totp/confirm', { code: wrong });
        assertProblem(res, 422);
        assert.equal(res.json.errors[0].field, 'code');
        assert.equal(res.json.errors[0].code, 'wrong_code');
        res = await browser(d, s, 'POST', '/api/v1/me/mfa/totp/confirm', { code: 'abc' });
        assert.equal(res.status, 422);
        res = await browser(d, s, 'POST', '/api/v1/me/mfa/totp/confirm', { code: totp(secret, t), extra: 1 });
        assert.equal(res.status, 422);
        assert.equal(res.json.errors[0].field, 'extra');
        res = await browser(d, s, 'GET', '/api/v1/me/mfa');
        assert.equal(res.json.enrolled, false, 'bad input changed nothing');
        // the right code: enrolled, ten different recovery codes shown once
        res = await browser(d, s, 'POST', '/api/v1/me/mfa/totp/confirm', { code: totp(secret, t) });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.enrolled, true);
        assert.equal(res.json.recovery_codes.length, 10);
        assert.equal(new Set(res.json.recovery_codes).size, 10);
        for (const c of res.json.recovery_codes) assert.match(c, /^[a-z2-7]{5}-[a-z2-7]{5}$/);
        const codes = res.json.recovery_codes;
        res = await browser(d, s, 'GET', '/api/v1/me/mfa');
        assert.equal(res.json.enrolled, true);
        assert.equal(res.json.recovery_codes_left, 10);
        assert.equal(res.json.secret, undefined, 'the secret is never returned again');
        assert.equal(res.json.recovery_codes, undefined);
        res = await browser(d, s, 'POST', '/api/v1/me/mfa/totp');
        assertProblem(res, 409);
        // neither the secret nor a recovery code in the database, the audit log or the log
        const dump = sqlite(DB(d), '.dump');
        assert.equal(dump.code, 0, dump.stderr);
        for (const x of [secret, base32(secret).toString('hex'), ...codes, ...codes.map((c) => c.replace('-', ''))]) {
            assert.ok(!dump.stdout.toLowerCase().includes(x.toLowerCase()), `${x} stored in clear`);
            assert.ok(!d.stderr().includes(x), `${x} logged`);
        }
        const actions = auditOf(d, 'erin').map((e) => e.action);
        assert.ok(actions.includes('mfa.enrol_start') && actions.includes('mfa.enrol'), actions.join());
    });

    test('sign-in: the half-signed-in session gets only the second step; a code or a recovery code completes it', async () => {
        addUser(d, 'sam', 'analyst');
        let s = await signIn(d, 'sam');
        const { secret, codes } = await enrol(d, s);
        await d.setClock({ advance: 'PT30S' });

        s = await signIn(d, 'sam');
        assert.equal(s.res.status, 201, s.res.text);
        assert.deepEqual(s.res.json.second_factor, { pending: true, enrol_required: false });
        for (const [method, path] of [
            ['GET', '/api/v1/incidents'],
            ['GET', '/api/v1/me'],
            ['POST', '/api/v1/incidents'],
            ['GET', '/api/v1/me/mfa'],
            ['POST', '/api/v1/me/mfa/disable'],
            ['PATCH', '/api/v1/session'],
        ]) {
            const res = await browser(d, s, method, path, method === 'GET' ? undefined : { title: 'x' });
            assertProblem(res, 403);
            assert.equal(res.json.code, 'mfa_required', `${method} ${path}: ${res.text}`);
        }
        let res = await browser(d, s, 'GET', '/api/v1/session');
        assert.equal(res.status, 200);
        assert.equal(res.json.second_factor.pending, true);
        res = await browser(d, s, 'POST', '/api/v1/session/mfa', { code: totp(secret, (await now(d)) + 600) });
        assert.equal(res.status, 422);
        assert.equal(res.json.errors[0].code, 'wrong_code');
        res = await browser(d, s, 'POST', '/api/v1/session/mfa', { code: totp(secret, await now(d)) });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.pending, false);
        res = await browser(d, s, 'GET', '/api/v1/incidents');
        assert.equal(res.status, 200, res.text);

        // a recovery code, as typed (upper case, no dash), works once
        await d.setClock({ advance: 'PT30S' });
        const s2 = await signIn(d, 'sam');
        res = await browser(d, s2, 'POST', '/api/v1/session/mfa', {
            recovery_code: codes[0].replace('-', '').toUpperCase(),
        });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.recovery_codes_left, 9);
        const s3 = await signIn(d, 'sam');
        res = await browser(d, s3, 'POST', '/api/v1/session/mfa', { recovery_code: codes[0] });
        assert.equal(res.status, 422);
        assert.equal(res.json.errors[0].field, 'recovery_code');
        assert.equal(res.json.errors[0].code, 'wrong_code');
        res = await browser(d, s3, 'POST', '/api/v1/session/mfa', { code: '123456', recovery_code: codes[1] });
        assert.equal(res.status, 422);
        res = await browser(d, s3, 'GET', '/api/v1/incidents');
        assertProblem(res, 403);
        // API tokens have no second step
        res = await api(d.url, d.adminToken, 'POST', '/api/v1/session/mfa', { code: '123456' });
        assert.equal(res.status, 404);
    });

    test('a code cannot be used twice within its window', async () => {
        addUser(d, 'rita', 'analyst');
        let s = await signIn(d, 'rita');
        const { secret } = await enrol(d, s);
        await d.setClock({ advance: 'PT30S' });
        const c = totp(secret, await now(d));
        s = await signIn(d, 'rita');
        let res = await browser(d, s, 'POST', '/api/v1/session/mfa', { code: c });
        assert.equal(res.status, 200, res.text);
        // the same code, seen by someone looking over a shoulder, a second later
        const s2 = await signIn(d, 'rita');
        res = await browser(d, s2, 'POST', '/api/v1/session/mfa', { code: c });
        assertProblem(res, 422);
        assert.equal(res.json.errors[0].code, 'wrong_code');
        // the previous step's code is older still: refused too
        const before = totp(secret, (await now(d)) - 30);
        res = await browser(d, s2, 'POST', '/api/v1/session/mfa', { code: before });
        assert.equal(res.status, 422);
        // the next step's code works
        await d.setClock({ advance: 'PT30S' });
        res = await browser(d, s2, 'POST', '/api/v1/session/mfa', { code: totp(secret, await now(d)) });
        assert.equal(res.status, 200, res.text);
        const fails = auditOf(d, 'rita').filter((e) => e.action === 'session.mfa_fail');
        assert.equal(fails.length, 2);
    });

    test('wrong codes count toward the sign-in throttle', async () => {
        addUser(d, 'tom', 'analyst');
        let s = await signIn(d, 'tom');
        const { secret } = await enrol(d, s);
        await d.setClock({ advance: 'PT30S' });
        s = await signIn(d, 'tom');
        const t = await now(d);
        for (let i = 0; i < 3; i++) {
            const res = await browser(d, s, 'POST', '/api/v1/session/mfa', { code: totp(secret, t + 3600 + 30 * i) });
            assert.equal(res.status, 422, res.text);
        }
        // now even the right code waits, and so does the password
        let res = await browser(d, s, 'POST', '/api/v1/session/mfa', { code: totp(secret, t) });
        assertProblem(res, 429);
        assert.ok(Number(res.headers.get('retry-after')) >= 1);
        const again = await signIn(d, 'tom');
        assert.equal(again.res.status, 429);
        await d.setClock({ advance: 'PT2M' });
        res = await browser(d, s, 'POST', '/api/v1/session/mfa', { code: totp(secret, await now(d)) });
        assert.equal(res.status, 200, res.text);
    });

    test('require_mfa: an admin without a factor must enrol before anything else; others need not', async () => {
        addUser(d, 'ada', 'admin');
        const s = await signIn(d, 'ada');
        assert.equal(s.res.status, 201, s.res.text);
        assert.deepEqual(s.res.json.second_factor, { pending: false, enrol_required: true });
        let res = await browser(d, s, 'GET', '/api/v1/users');
        assertProblem(res, 403);
        assert.equal(res.json.code, 'mfa_enrolment_required');
        res = await browser(d, s, 'POST', '/api/v1/tokens', { name: 'x', role: 'viewer' });
        assert.equal(res.json.code, 'mfa_enrolment_required');
        res = await browser(d, s, 'GET', '/api/v1/me/mfa');
        assert.equal(res.status, 200);
        assert.equal(res.json.required, true);
        const { secret } = await enrol(d, s);
        res = await browser(d, s, 'GET', '/api/v1/users');
        assert.equal(res.status, 200, res.text);
        // a required factor cannot be turned off
        await d.setClock({ advance: 'PT30S' });
        res = await browser(d, s, 'POST', '/api/v1/me/mfa/disable', { code: totp(secret, await now(d)) });
        assertProblem(res, 409);
        // an analyst is not required to: turning it off needs a code
        addUser(d, 'ann', 'analyst');
        let a = await signIn(d, 'ann');
        assert.equal(a.res.json.second_factor.enrol_required, false);
        const f = await enrol(d, a);
        await d.setClock({ advance: 'PT30S' });
        a = await signInWithCode(d, 'ann', f.secret);
        res = await browser(d, a, 'POST', '/api/v1/me/mfa/disable', {});
        assertProblem(res, 422);
        res = await browser(d, a, 'POST', '/api/v1/me/mfa/disable', { recovery_code: f.codes[3] });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.enrolled, false);
        a = await signIn(d, 'ann');
        assert.equal(a.res.json.second_factor.pending, false);
        // an admin's way out for an admin who lost the phone and the codes
        const r = cli(['user', 'mfa-reset', 'ada'], { dataDir: d.dataDir });
        assert.equal(r.code, 0, r.stderr);
        assert.equal((await browser(d, s, 'GET', '/api/v1/users')).status, 401, 'the sessions ended');
        const again = await signIn(d, 'ada');
        assert.deepEqual(again.res.json.second_factor, { pending: false, enrol_required: true });
        assert.ok(auditOf(d, 'ada').some((e) => e.action === 'mfa.reset'));
        assert.notEqual(cli(['user', 'mfa-reset', 'nobody'], { dataDir: d.dataDir }).code, 0);
    });

    test('step-up: approving a notification needs a code from the last 10 minutes', async () => {
        const org = await api(d.url, d.adminToken, 'GET', '/api/v1/organisation');
        const body = {
            ...org.json,
            name: 'Waterbedrijf',
            sector: 'drinking_water',
            nis2_class: 'essential',
            annual_turnover_eur: 2e7,
        };
        delete body.version;
        delete body.updated_at;
        assert.equal((await api(d.url, d.adminToken, 'PUT', '/api/v1/organisation', body)).status, 200);
        const analyst = createToken(d, 'mfa-analyst', 'analyst');
        const inc = await createIncident(d, analyst, {
            title: 'Dosing sabotage',
            description: 'Dosing set to 10x',
            aware_at: iso(Date.parse(T0) - 3600e3),
            impact: { persons_health_damaged: 3, suspected_malicious: true, cross_border: false },
        });
        let res = await api(d.url, analyst, 'POST', `/api/v1/incidents/${inc.id}/notifications`, {
            regime: 'nis2',
            stage: 'early_warning',
            language: 'en',
        });
        assert.equal(res.status, 201, res.text);
        const N = `/api/v1/notifications/${res.json.id}`;
        res = await api(d.url, analyst, 'PATCH', N, { fields: { contact_official: 'J. Jansen, CISO' } });
        assert.equal(res.status, 200, res.text);

        addUser(d, 'max', 'manager');
        let s = await signIn(d, 'max');
        const { secret } = await enrol(d, s);
        await d.setClock({ advance: 'PT30S' });
        s = await signInWithCode(d, 'max', secret);
        // eleven minutes on, the check is stale
        await d.setClock({ advance: 'PT11M' });
        res = await browser(d, s, 'POST', `${N}/approve`);
        assertProblem(res, 403);
        assert.equal(res.json.code, 'step_up_required');
        res = await api(d.url, analyst, 'GET', N);
        assert.equal(res.json.state, 'draft', 'the refused approval changed nothing');
        // reading needs no step-up
        res = await browser(d, s, 'GET', N);
        assert.equal(res.status, 200);
        res = await browser(d, s, 'POST', '/api/v1/session/mfa', { code: totp(secret, await now(d)) });
        assert.equal(res.status, 200, res.text);
        res = await browser(d, s, 'POST', `${N}/approve`);
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.state, 'approved');
        const checks = auditOf(d, 'max').filter((e) => e.action === 'session.mfa');
        assert.deepEqual(
            checks.map((e) => e.payload.step_up),
            [false, true],
            'the second step, then the step-up',
        );
    });
});

describe('break-glass and local passwords', () => {
    let d;
    before(async () => {
        d = await startDaemon({ config: '[auth]\nlocal_passwords = break-glass-only\n' });
        await d.setClock({ now: T0 });
    });
    after(async () => {
        await d.stopClean();
    });

    test('only break-glass accounts use a password; they enrol first, and each sign-in is shown to admins until acknowledged', async () => {
        addUser(d, 'norm', 'admin');
        let s = await signIn(d, 'norm');
        assertProblem(s.res, 403);
        assert.equal(s.res.json.code, 'local_passwords_off');
        assert.equal(s.cookie, null);
        assert.deepEqual(
            auditOf(d, 'norm').map((e) => [e.action, e.payload.reason]),
            [
                ['user.create', undefined],
                ['session.refused', 'local_passwords'],
            ],
        );
        // a wrong password still says only that
        s = await signIn(d, 'norm', 'not the password at all');
        assert.equal(s.res.status, 401);

        let r = cli(['user', 'add', 'glass', '--role', 'analyst', '--break-glass'], {
            dataDir: d.dataDir,
            input: `${PASSWORD}\n`,
        });
        assert.notEqual(r.code, 0, 'only admins are break-glass');
        r = cli(['user', 'add', 'glass', '--role', 'admin', '--break-glass'], {
            dataDir: d.dataDir,
            input: `${PASSWORD}\n`,
        });
        assert.equal(r.code, 0, r.stderr);
        s = await signIn(d, 'glass');
        assert.equal(s.res.status, 201, s.res.text);
        assert.deepEqual(s.res.json.second_factor, { pending: false, enrol_required: true });
        assert.match(d.stderr(), /BREAK-GLASS sign-in user=glass/);
        let res = await browser(d, s, 'GET', '/api/v1/incidents');
        assert.equal(res.json.code, 'mfa_enrolment_required');
        const { secret } = await enrol(d, s);
        res = await browser(d, s, 'GET', '/api/v1/me/mfa');
        assert.equal(res.json.break_glass, true);
        assert.equal(res.json.required, true);

        await d.setClock({ advance: 'PT30S' });
        s = await signInWithCode(d, 'glass', secret);
        res = await api(d.url, d.adminToken, 'GET', '/api/v1/break-glass');
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.items.length, 2);
        assert.equal(res.json.items[0].user, 'glass');
        assert.equal(auditOf(d, 'glass').filter((e) => e.action === 'session.break_glass').length, 2);
        // admins only; acknowledged, it is gone from the list
        const viewer = createToken(d, 'bg-viewer', 'viewer');
        assert.equal((await api(d.url, viewer, 'GET', '/api/v1/break-glass')).status, 403);
        for (const it of res.json.items) {
            const ack = await browser(d, s, 'POST', `/api/v1/break-glass/${it.id}/acknowledge`);
            assert.equal(ack.status, 204, ack.text);
        }
        res = await browser(d, s, 'POST', `/api/v1/break-glass/${res.json.items[0].id}/acknowledge`);
        assertProblem(res, 404);
        res = await api(d.url, d.adminToken, 'GET', '/api/v1/break-glass');
        assert.equal(res.json.items.length, 0);
        // unmarked, the account's password no longer works here
        r = cli(['user', 'break-glass', 'glass', '--off'], { dataDir: d.dataDir });
        assert.equal(r.code, 0, r.stderr);
        s = await signIn(d, 'glass');
        assert.equal(s.res.json.code, 'local_passwords_off');
    });
});
