// SPDX-License-Identifier: EUPL-1.2
// access.test.mjs - who may do what, on every route: docs/ACCESS.md is what
// `meldpunt routes` prints from the route table, and the running daemon
// answers every route x every role as that
// table says, for API tokens and for signed-in users alike (and no
// credentials, a revoked token, an expired session, a disabled user's
// session, a session without its CSRF token).  A route added without roles,
// or with the wrong ones, fails here.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { api, cli, sqlite, startDaemon } from './lib/daemon.mjs';
import { browser, session, signIn } from './lib/session.mjs';
import { totp } from './lib/totp.mjs';

const ROLES = ['viewer', 'analyst', 'manager', 'admin', 'ingest'];
const doc = fs.readFileSync(new URL('../../docs/ACCESS.md', import.meta.url), 'utf8');

function parseTable(text) {
    const rows = [];
    for (const line of text.split('\n')) {
        const m = line.match(/^\| (GET|POST|PUT|PATCH|DELETE) \| `([^`]+)` \|(.*)\|$/);
        if (!m) continue;
        const cells = m[3].split('|').map((c) => c.trim());
        rows.push({ method: m[1], path: m[2], access: Object.fromEntries(ROLES.map((r, i) => [r, cells[i]])) });
    }
    return rows;
}

/** Routes for a person signed in: the role table holds for sessions, and API tokens get 403.
 * The calendar feed refuses tokens in its domain code; the routes the table marks
 * `person_only` are listed under "For a person only" in docs/ACCESS.md. */
const PERSONS_ONLY = [
    '/api/v1/me/calendar',
    ...[...doc.matchAll(/^- (?:GET|POST|PUT|PATCH|DELETE) `([^`]+)`: /gm)].map((m) => m[1]),
];

describe('access: docs/ACCESS.md and every route x every role', () => {
    let d;
    const tokens = {};
    const sessions = {};
    before(async () => {
        d = await startDaemon();
        for (const role of ROLES) {
            const r = cli(['token', 'create', '--name', `acc-${role}`, '--role', role], { dataDir: d.dataDir });
            assert.equal(r.code, 0, r.stderr);
            tokens[role] = r.stdout.trim();
        }
        const r = cli(['token', 'create', '--name', 'acc-revoked', '--role', 'admin'], { dataDir: d.dataDir });
        tokens.revoked = r.stdout.trim();
        assert.equal(cli(['token', 'revoke', 'acc-revoked'], { dataDir: d.dataDir }).code, 0);
        // people: one signed-in user per role that people hold
        for (const role of ROLES.filter((r) => r !== 'ingest')) sessions[role] = await session(d, `user-${role}`, role);
        // a session whose absolute lifetime has passed
        sessions.expired = await session(d, 'user-expired', 'admin');
        const q = sqlite(
            `${d.dataDir}/meldpunt.db`,
            "UPDATE sessions SET created_unix = created_unix - 1000000 WHERE user_id = (SELECT id FROM users WHERE name = 'user-expired');",
        );
        assert.equal(q.code, 0, q.stderr);
        // a user disabled while signed in
        sessions.disabled = await session(d, 'user-disabled', 'admin');
        assert.equal(cli(['user', 'disable', 'user-disabled'], { dataDir: d.dataDir }).code, 0);
    });
    after(async () => {
        await d.stopClean();
    });

    test('docs/ACCESS.md is exactly what `meldpunt routes` prints', () => {
        const r = cli(['routes']);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(doc, r.stdout, 'regenerate with: build/meldpunt routes > docs/ACCESS.md');
    });

    const rows = parseTable(doc);
    test('approving a notification is for a person only: listed, with the reason', () => {
        assert.ok(
            PERSONS_ONLY.includes('/api/v1/notifications/{nid}/approve'),
            'approve is not marked for a person only',
        );
        assert.match(doc, /approve`: only a person signs: an API token cannot approve/);
    });

    test('the table lists the routes', () => {
        assert.ok(rows.length >= 25, `only ${rows.length} routes parsed`);
        // signing in is open, and a calendar feed, whose address is its
        // credential (calendar programs send none), and acknowledging a
        // reminder from its link (the signed token in the body is the
        // credential), and signing in through an OpenID provider (its three
        // steps: whether it is on, the way there, the way back), and with a
        // passkey alone (its challenge, its answer): no other /api/ route
        const open = (row) =>
            (row.method === 'POST' && row.path === '/api/v1/session') ||
            (row.method === 'POST' && row.path.startsWith('/api/v1/session/passkey')) ||
            (row.method === 'GET' && row.path.startsWith('/api/v1/auth/oidc')) ||
            (row.method === 'GET' && row.path === '/api/v1/calendar/{feed}') ||
            (row.method === 'POST' && row.path === '/api/v1/reminders/ack');
        for (const row of rows) {
            if (row.path.startsWith('/api/') && !open(row))
                assert.ok(!Object.values(row.access).includes('public'), `${row.method} ${row.path} is public`);
        }
        // ingest tools post, and read nothing about incidents
        for (const row of rows.filter((r) => r.path.startsWith('/api/v1/incidents') && r.method === 'GET'))
            assert.equal(row.access.ingest, '-', `ingest may read ${row.path}`);
    });

    test("one's own sessions are a person's; a user's sessions are for admins", () => {
        for (const [m, p] of [
            ['GET', '/api/v1/sessions'],
            ['DELETE', '/api/v1/sessions'],
            ['DELETE', '/api/v1/sessions/{sid}'],
        ])
            assert.ok(
                doc.includes(`- ${m} \`${p}\`: sessions belong to people who sign in`),
                `${m} ${p} not for a person only`,
            );
        for (const row of rows.filter((r) => r.path.startsWith('/api/v1/users/{name}/sessions')))
            assert.deepEqual(Object.values(row.access), ['-', '-', '-', 'yes', '-'], `${row.method} ${row.path}`);
    });

    for (const row of parseTable(doc)) {
        let path = row.path.replace(/\{[^}]+\}/g, 'no-such-thing');
        // signing out everywhere would end the walk's sessions: everywhere else, then
        if (row.method === 'DELETE' && row.path === '/api/v1/sessions') path += '?keep_current=true';
        const body = ['POST', 'PUT', 'PATCH'].includes(row.method) ? {} : undefined;
        const open = Object.values(row.access).every((a) => a === 'public');
        // a session must survive the walk: do not sign it out here
        const endsSession = row.method === 'DELETE' && row.path === '/api/v1/session';
        test(`${row.method} ${row.path}`, async () => {
            for (const role of ROLES) {
                const want = row.access[role];
                const answers = [['token', await api(d.url, tokens[role], row.method, path, body)]];
                if (sessions[role] && !endsSession)
                    answers.push(['session', await browser(d, sessions[role], row.method, path, body)]);
                for (const [how, res] of answers) {
                    // what belongs to a person (a calendar feed) is refused to every API token
                    if (how === 'token' && PERSONS_ONLY.includes(row.path) && want !== '-')
                        assert.equal(res.status, 403, `${role} token on a person's route: ${res.status} ${res.text}`);
                    else if (want === '-') assert.equal(res.status, 403, `${role} ${how}: ${res.status} ${res.text}`);
                    else
                        assert.ok(
                            ![401, 403, 405].includes(res.status),
                            `${role} ${how} (${want}): ${res.status} ${res.text}`,
                        );
                }
            }
            if (row.path.startsWith('/api/') && !open) {
                const none = await api(d.url, null, row.method, path, body);
                assert.equal(none.status, 401, `no credentials: ${none.status}`);
                const revoked = await api(d.url, tokens.revoked, row.method, path, body);
                assert.equal(revoked.status, 401, `revoked token: ${revoked.status}`);
                const expired = await browser(d, sessions.expired, row.method, path, body);
                assert.equal(expired.status, 401, `expired session: ${expired.status}`);
                const disabled = await browser(d, sessions.disabled, row.method, path, body);
                assert.equal(disabled.status, 401, `disabled user: ${disabled.status}`);
                if (!['GET', 'HEAD'].includes(row.method)) {
                    const noCsrf = await browser(d, sessions.admin, row.method, path, body, { csrf: false });
                    assert.equal(noCsrf.status, 403, `session without X-CSRF-Token: ${noCsrf.status}`);
                }
            }
        });
    }
});

// ---- the second factor (issue 21): the lists under the table, and every route ----

/** The routes listed under the paragraph of docs/ACCESS.md that starts with heading. */
function listAfter(heading) {
    const at = doc.indexOf(`\n${heading}`);
    assert.ok(at >= 0, `docs/ACCESS.md has no "${heading}" list`);
    const rest = doc.slice(at + 1);
    const start = rest.indexOf('\n\n') + 2;
    const block = rest.slice(start).split('\n\n')[0];
    return new Set([...block.matchAll(/^- (GET|POST|PUT|PATCH|DELETE) `([^`]+)`$/gm)].map((m) => `${m[1]} ${m[2]}`));
}

describe('access: the second factor on every route', () => {
    const STEP_UP = listAfter('Step-up:');
    const SECOND_STEP = listAfter('Before the second step:');
    const ENROL = listAfter('Before a required factor');
    // adding a passkey asks for a fresh check of every role with a factor
    // (core/webauthn.c, not the route table: a stolen session must not plant one)
    const PASSKEY_STEP_UP = new Set(['POST /api/v1/me/mfa/passkeys/options']);
    let d;
    const s = {};
    before(async () => {
        d = await startDaemon({ config: '[auth]\nrequire_mfa = manager, admin\n' });
        await d.setClock({ now: '2031-03-14T09:00:00Z' });
        const now = async () =>
            Date.parse((await api(d.url, d.adminToken, 'GET', '/api/v1/test/clock')).json.now) / 1000;
        // an admin who has not set up the factor the policy requires
        s.enrol = await session(d, 'mfa-enrol', 'admin');
        // an admin and a manager with a factor, signed in with a code
        const secrets = {};
        for (const role of ['admin', 'manager', 'pending']) {
            const x = await session(d, `mfa-${role}`, role === 'pending' ? 'analyst' : role);
            const st = await browser(d, x, 'POST', '/api/v1/me/mfa/totp');
            secrets[role] = st.json.secret;
            const ok = await browser(d, x, 'POST', '/api/v1/me/mfa/totp/confirm', {
                code: totp(secrets[role], await now()),
            });
            assert.equal(ok.status, 200, ok.text);
        }
        await d.setClock({ advance: 'PT30S' });
        for (const role of ['admin', 'manager']) {
            s[role] = await signIn(d, `mfa-${role}`);
            const ok = await browser(d, s[role], 'POST', '/api/v1/session/mfa', {
                code: totp(secrets[role], await now()),
            });
            assert.equal(ok.status, 200, ok.text);
        }
        // a password without the code yet
        s.pending = await signIn(d, 'mfa-pending');
        assert.equal(s.pending.res.json.second_factor.pending, true);
        // the step-up window (10 minutes) has passed for admin and manager; sessions live on
        await d.setClock({ advance: 'PT11M' });
    });
    after(async () => {
        await d.stopClean();
    });

    test('the lists: approving and managing need step-up; a half-signed-in session reaches only its second step', () => {
        for (const r of [
            'POST /api/v1/notifications/{nid}/approve',
            'POST /api/v1/users',
            'POST /api/v1/tokens',
            'PUT /api/v1/reminders/policy',
        ])
            assert.ok(STEP_UP.has(r), `${r} needs no step-up`);
        assert.deepEqual([...SECOND_STEP].sort(), [
            'DELETE /api/v1/session',
            'GET /api/v1/session',
            'POST /api/v1/session/mfa',
            'POST /api/v1/session/mfa/options',
        ]);
        assert.ok(ENROL.has('POST /api/v1/me/mfa/totp') && ENROL.has('POST /api/v1/me/mfa/totp/confirm'));
    });

    for (const row of parseTable(doc)) {
        if (!row.path.startsWith('/api/') || Object.values(row.access).every((a) => a === 'public')) continue;
        if (row.method === 'DELETE' && row.path === '/api/v1/session') continue; // would end the sessions walked
        const key = `${row.method} ${row.path}`;
        // "sign out everywhere" walked as "everywhere else", as the role walk above does
        const keep = key === 'DELETE /api/v1/sessions' ? '?keep_current=true' : '';
        const path = row.path.replace(/\{[^}]+\}/g, 'no-such-thing') + keep;
        const body = ['POST', 'PUT', 'PATCH'].includes(row.method) ? {} : undefined;
        test(`second factor: ${key}`, async () => {
            let res = await browser(d, s.pending, row.method, path, body);
            if (SECOND_STEP.has(key)) assert.notEqual(res.json?.code, 'mfa_required', `pending: ${res.text}`);
            else assert.equal(res.json?.code, 'mfa_required', `pending: ${res.status} ${res.text}`);
            res = await browser(d, s.enrol, row.method, path, body);
            if (ENROL.has(key)) assert.notEqual(res.json?.code, 'mfa_enrolment_required', `enrol: ${res.text}`);
            else assert.equal(res.json?.code, 'mfa_enrolment_required', `enrol: ${res.status} ${res.text}`);
            for (const role of ['manager', 'admin']) {
                if (row.access[role] !== 'yes') continue;
                res = await browser(d, s[role], row.method, path, body);
                if (STEP_UP.has(key) || PASSKEY_STEP_UP.has(key))
                    assert.equal(res.json?.code, 'step_up_required', `${role}: ${res.status} ${res.text}`);
                else assert.notEqual(res.json?.code, 'step_up_required', `${role}: ${res.text}`);
            }
        });
    }
});
