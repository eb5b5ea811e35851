// SPDX-License-Identifier: EUPL-1.2
// operations.test.mjs - running meldpunt as an operator does: serve
// --check-config, one server per data directory, restore (refused while the
// server runs, checks the backup first), signed audit checkpoints (API, CLI,
// interval, verify against a kept copy, minisign), sd_notify to systemd, and
// the signing key from a systemd credential.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
    api,
    assertCleanExit,
    assertNoSanitizer,
    cli,
    sleep,
    sqlite,
    startDaemon,
    tempDir,
    writeConfig,
} from './lib/daemon.mjs';

function run(args, opts) {
    const r = cli(args, opts);
    assertNoSanitizer(r.stderr, `meldpunt ${args.join(' ')}`);
    assert.equal(r.signal, null);
    return r;
}

function initDir() {
    const dataDir = path.join(tempDir(), 'data');
    const r = run(['init', '--data', dataDir]);
    assert.equal(r.code, 0, r.stderr);
    return { dataDir, admin: r.stdout.trim() };
}

describe('serve --check-config', () => {
    test('a good config: OK on stdout, exit 0, nothing started', () => {
        const conf = writeConfig('[server]\nlisten = 127.0.0.1:1\n[audit]\ncheckpoint_interval = 60\n');
        const dataDir = path.join(tempDir(), 'data');
        const r = run(['serve', '--check-config', '--config', conf, '--data', dataDir]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^meldpunt: configuration OK \(config .*meldpunt\.conf, listen 127\.0\.0\.1:1, /);
        assert.match(r.stdout, /rules built-in: \d+ sets/);
        assert.ok(!fs.existsSync(dataDir), 'the data directory is not created');
    });

    test('a bad key: file:line and exit 1', () => {
        const conf = writeConfig('[server]\nthreads = 4\n[audit]\ncheckpoint_interval = soon\n');
        const r = run(['serve', '-t', '--config', conf]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /meldpunt\.conf:4: \[audit\] checkpoint_interval = soon: must be seconds/);
    });

    test('bad rules: named, exit 1', () => {
        const rules = tempDir();
        fs.writeFileSync(path.join(rules, 'broken.json'), '{"regime": ');
        const conf = writeConfig(`[rules]\ndir = ${rules}\n`);
        const r = run(['serve', '--check-config', '--config', conf]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /rules: .*broken\.json/);
    });

    test('assessment data that cannot be read: named, exit 1', () => {
        const conf = writeConfig(`[assessment]\ndir = ${tempDir()}/none\n`);
        const r = run(['serve', '--check-config', '--config', conf]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /assessment data: .*none\/questions\.json/);
    });

    test('a TLS key that cannot be read: named, exit 1', () => {
        const dir = tempDir();
        fs.writeFileSync(path.join(dir, 'cert.pem'), 'x');
        const conf = writeConfig(`[server]\ntls_cert = ${dir}/cert.pem\ntls_key = ${dir}/missing.pem\n`);
        const r = run(['serve', '--check-config', '--config', conf]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /tls_key .*missing\.pem: No such file/);
    });

    test('a damaged signing key: named, exit 1', () => {
        const { dataDir } = initDir();
        fs.writeFileSync(path.join(dataDir, 'signing.key'), 'untrusted comment: x\nnot base64\n');
        const r = run(['serve', '--check-config', '--data', dataDir]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /signing key: .*signing\.key/);
    });
});

describe('one server per data directory; restore', () => {
    test('a second serve on the same data directory is refused', async () => {
        const d = await startDaemon();
        try {
            const r = run(['serve', '--data', d.dataDir, '--listen', '127.0.0.1:0']);
            assert.equal(r.code, 1);
            assert.match(r.stderr, /in use by a running meldpunt serve/);
        } finally {
            await d.stopClean();
        }
    });

    test('restore: refused while serving; afterwards the backup is back, the replaced database kept', async () => {
        const d = await startDaemon();
        const backup = path.join(tempDir(), 'before.db');
        let later;
        try {
            const created = await api(d.url, d.adminToken, 'POST', '/api/v1/tokens', { name: 'before', role: 'viewer' });
            assert.equal(created.status, 201, created.text);
            assert.equal(run(['backup', backup, '--data', d.dataDir]).code, 0);
            later = await api(d.url, d.adminToken, 'POST', '/api/v1/tokens', { name: 'after', role: 'viewer' });
            assert.equal(later.status, 201);

            const refused = run(['restore', backup, '--data', d.dataDir]);
            assert.equal(refused.code, 1);
            assert.match(refused.stderr, /in use by a running meldpunt serve.*stop it first/);
        } finally {
            await d.stopClean();
        }
        const r = run(['restore', backup, '--data', d.dataDir]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /integrity ok, schema \d+, audit chain verified \(\d+ entries/);
        const kept = /kept as (\S+)/.exec(r.stderr)[1];
        assert.ok(fs.existsSync(kept));
        assert.match(path.basename(kept), /^meldpunt-before-restore-\d{8}T\d{6}Z\.db$/);
        // the replaced database still holds the later token
        assert.match(sqlite(kept, "SELECT name FROM tokens WHERE name = 'after';").stdout, /after/);

        await d.restart().catch(() => {}); // stopped: restart launches again
        try {
            const list = await api(d.url, d.adminToken, 'GET', '/api/v1/tokens');
            const names = list.json.items.map((t) => t.name);
            assert.ok(names.includes('before'), names.join());
            assert.ok(!names.includes('after'), names.join());
            assert.equal((await api(d.url, later.json.token, 'GET', '/api/v1/me')).status, 401);
            const v = run(['audit', 'verify', '--data', d.dataDir]);
            assert.equal(v.code, 0, v.stdout);
        } finally {
            await d.stopClean();
        }
    });

    test('restore of a backup from an older schema: migrated at once, after a copy of it as it was', () => {
        const { dataDir } = initDir();
        const old = path.join(tempDir(), 'old.db');
        assert.equal(run(['backup', old, '--data', dataDir]).code, 0);
        // the newest migration undone by hand: the database an older meldpunt left
        const newest = sqlite(old, 'SELECT max(version) FROM schema_migrations;').stdout.trim();
        // (how to undo each recent migration; a new one adds its line)
        const undoSql = {
            9: 'DROP TRIGGER audit_checkpoints_no_update; DROP TRIGGER audit_checkpoints_no_delete; DROP TABLE audit_checkpoints;',
            10: 'ALTER TABLE tokens DROP COLUMN expires_at;',
            11:
                "CREATE TABLE services_old (name TEXT PRIMARY KEY, description TEXT NOT NULL DEFAULT '', users_total INTEGER CHECK (users_total >= 0), critical INTEGER NOT NULL DEFAULT 0, member_states TEXT NOT NULL DEFAULT '[]', updated_at TEXT NOT NULL, updated_by TEXT NOT NULL) STRICT;" +
                ' INSERT INTO services_old SELECT name, description, users_total, coalesce(critical, 0), member_states, updated_at, updated_by FROM services; DROP TABLE services; ALTER TABLE services_old RENAME TO services;',
            12:
                'DROP INDEX incidents_root_cause; ALTER TABLE incidents DROP COLUMN root_cause; ' +
                'ALTER TABLE incidents DROP COLUMN root_cause_category; ALTER TABLE incidents DROP COLUMN kind;',
            13: 'ALTER TABLE users DROP COLUMN full_name; ALTER TABLE users DROP COLUMN job_title;',
            14: 'DROP TABLE calendar_feeds;',
            15: 'DROP TABLE reminder_deliveries; DROP TABLE reminder_jobs; DROP TABLE reminder_policy;',
            16:
                'DROP TRIGGER incident_counts_insert; DROP TRIGGER incident_counts_update; DROP TRIGGER incident_counts_delete; ' +
                'DROP TABLE incident_counts; DROP TABLE incidents_fts; DROP INDEX incidents_severity; ' +
                'DROP INDEX incidents_category; DROP INDEX alerts_severity;',
            17:
                'DROP INDEX break_glass_uses_open; DROP TABLE break_glass_uses; DROP TABLE break_glass; DROP TABLE session_mfa; ' +
                'DROP INDEX mfa_recovery_user; DROP TABLE mfa_recovery; DROP TABLE mfa_totp;',
            18: 'ALTER TABLE sessions DROP COLUMN user_agent; ALTER TABLE tokens DROP COLUMN allowed_sources;',
            19: 'DROP INDEX users_oidc; ALTER TABLE users DROP COLUMN oidc_subject; ALTER TABLE users DROP COLUMN oidc_issuer;',
            20: 'DROP TABLE rule_texts;',
            21:
                "UPDATE organisation SET doc = json_set(doc, '$.nis2_class', 'none', '$.cer_critical', json('false'), " +
                "'$.dora_financial', json('false'), '$.microenterprise', json('false')) " +
                "WHERE id = 1 AND version = 1 AND updated_by = 'meldpunt';",
            22:
                'DROP TRIGGER incident_counts_insert; DROP TRIGGER incident_counts_update; DROP TRIGGER incident_counts_delete; ' +
                'CREATE TABLE ic_old (state TEXT NOT NULL, tlp TEXT NOT NULL, n INTEGER NOT NULL CHECK (n >= 0), PRIMARY KEY (state, tlp)) STRICT, WITHOUT ROWID; ' +
                'INSERT INTO ic_old SELECT state, tlp, sum(n) FROM incident_counts GROUP BY state, tlp; DROP TABLE incident_counts; ' +
                'ALTER TABLE ic_old RENAME TO incident_counts; ' +
                "CREATE TRIGGER incident_counts_insert AFTER INSERT ON incidents BEGIN INSERT INTO incident_counts(state, tlp, n) VALUES (NEW.state, NEW.tlp, 1) ON CONFLICT (state, tlp) DO UPDATE SET n = n + 1; END; " +
                'CREATE TRIGGER incident_counts_update AFTER UPDATE OF state, tlp ON incidents WHEN OLD.state IS NOT NEW.state OR OLD.tlp IS NOT NEW.tlp BEGIN ' +
                'UPDATE incident_counts SET n = n - 1 WHERE state = OLD.state AND tlp = OLD.tlp; INSERT INTO incident_counts(state, tlp, n) VALUES (NEW.state, NEW.tlp, 1) ON CONFLICT (state, tlp) DO UPDATE SET n = n + 1; END; ' +
                'CREATE TRIGGER incident_counts_delete AFTER DELETE ON incidents BEGIN UPDATE incident_counts SET n = n - 1 WHERE state = OLD.state AND tlp = OLD.tlp; END;',
            23: 'DROP TABLE webauthn_challenges; DROP TABLE webauthn_users; DROP INDEX webauthn_credentials_user; DROP TABLE webauthn_credentials;',
            24: 'DROP TABLE ioc_texts_pending; DROP TABLE incident_iocs;',
            25:
                'DROP TABLE exercise_injects; DROP TABLE exercise_clock; DROP TABLE exercises; ' +
                'DROP TRIGGER incident_counts_insert; DROP TRIGGER incident_counts_update; DROP TRIGGER incident_counts_delete; ' +
                'DROP INDEX incidents_exercise; ALTER TABLE incidents DROP COLUMN exercise; ' +
                'CREATE TRIGGER incident_counts_insert AFTER INSERT ON incidents BEGIN INSERT INTO incident_counts(state, severity, tlp, n) VALUES (NEW.state, NEW.severity, NEW.tlp, 1) ON CONFLICT (state, severity, tlp) DO UPDATE SET n = n + 1; END; ' +
                'CREATE TRIGGER incident_counts_update AFTER UPDATE OF state, severity, tlp ON incidents WHEN OLD.state IS NOT NEW.state OR OLD.severity IS NOT NEW.severity OR OLD.tlp IS NOT NEW.tlp BEGIN ' +
                'UPDATE incident_counts SET n = n - 1 WHERE state = OLD.state AND severity = OLD.severity AND tlp = OLD.tlp; INSERT INTO incident_counts(state, severity, tlp, n) VALUES (NEW.state, NEW.severity, NEW.tlp, 1) ON CONFLICT (state, severity, tlp) DO UPDATE SET n = n + 1; END; ' +
                'CREATE TRIGGER incident_counts_delete AFTER DELETE ON incidents BEGIN UPDATE incident_counts SET n = n - 1 WHERE state = OLD.state AND severity = OLD.severity AND tlp = OLD.tlp; END;',
        }[Number(newest)];
        assert.ok(undoSql, `the test does not know how to undo migration ${newest}: add it`);
        const undo = sqlite(old, `${undoSql} DELETE FROM schema_migrations WHERE version = ${newest};`);
        assert.equal(undo.code, 0, undo.stderr);
        const older = sqlite(old, 'SELECT max(version) FROM schema_migrations;').stdout.trim();
        assert.ok(Number(older) < Number(newest));

        const r = run(['restore', old, '--data', dataDir]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, new RegExp(`schema ${older}, audit chain verified`));
        assert.match(r.stderr, new RegExp(`msg=backup before migration from=${older} to=${newest}`));
        const db = path.join(dataDir, 'meldpunt.db');
        assert.equal(sqlite(db, 'SELECT max(version) FROM schema_migrations;').stdout.trim(), newest);
        const copies = fs.readdirSync(path.join(dataDir, 'backups'));
        assert.ok(copies.some((f) => f.startsWith(`meldpunt-schema-${older.padStart(4, '0')}-`)), copies.join());
        assert.equal(run(['audit', 'verify', '--data', dataDir]).code, 0);
    });

    test('restore refuses a damaged file and a backup whose audit chain was changed', () => {
        const { dataDir } = initDir();
        const dir = tempDir();
        const good = path.join(dir, 'good.db');
        assert.equal(run(['backup', good, '--data', dataDir]).code, 0);
        const before = fs.readFileSync(path.join(dataDir, 'meldpunt.db'));

        const junk = path.join(dir, 'junk.db');
        fs.writeFileSync(junk, 'SQLite format 3\0' + 'x'.repeat(5000));
        let r = run(['restore', junk, '--data', dataDir]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /refused: .*junk\.db/);

        const tampered = path.join(dir, 'tampered.db');
        fs.copyFileSync(good, tampered);
        const t = sqlite(tampered, "DROP TRIGGER audit_no_update; UPDATE audit SET principal = 'evil' WHERE seq = 1;");
        assert.equal(t.code, 0, t.stderr);
        r = run(['restore', tampered, '--data', dataDir]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /refused: .*audit chain is broken at entry 1/);

        r = run(['restore', path.join(dir, 'missing.db'), '--data', dataDir]);
        assert.equal(r.code, 1);
        // nothing was replaced
        assert.deepEqual(fs.readFileSync(path.join(dataDir, 'meldpunt.db')), before);
        assert.ok(!fs.existsSync(path.join(dataDir, 'backups')));
    });
});

describe('audit checkpoints', () => {
    test('on demand over the API and the CLI; listed to readers; verified against a kept copy and by minisign', async () => {
        const d = await startDaemon();
        try {
            const viewer = run(['token', 'create', '--name', 'v', '--role', 'viewer', '--data', d.dataDir]).stdout.trim();
            const made = await api(d.url, d.adminToken, 'POST', '/api/v1/audit/checkpoints');
            assert.equal(made.status, 201, made.text);
            assert.equal(made.json.reason, 'demand');
            assert.match(made.json.audit_hash, /^[0-9a-f]{64}$/);
            const verify = await api(d.url, d.adminToken, 'GET', '/api/v1/audit/verify');
            assert.equal(made.json.audit_seq, verify.json.head_seq);
            assert.equal(made.json.audit_hash, verify.json.head_hash);
            // the copy outside the database: the log line
            await d.waitForLog(new RegExp(`msg=audit checkpoint id=${made.json.id} seq=${made.json.audit_seq} hash=${made.json.audit_hash}`));

            assert.equal((await api(d.url, viewer, 'POST', '/api/v1/audit/checkpoints')).status, 403);
            const unknown = await api(d.url, d.adminToken, 'POST', '/api/v1/audit/checkpoints', { seq: 1 });
            assert.equal(unknown.status, 422, unknown.text);

            const c = run(['audit', 'checkpoint', '--data', d.dataDir]);
            assert.equal(c.code, 0, c.stderr);
            const fromCli = JSON.parse(c.stdout);
            assert.equal(fromCli.id, made.json.id + 1);

            const metrics = (await api(d.url, viewer, 'GET', '/metrics')).text;
            assert.match(metrics, new RegExp(`^meldpunt_audit_checkpoint_seq ${fromCli.audit_seq}$`, 'm'));
            const ts = Number(/^meldpunt_audit_checkpoint_timestamp_seconds (\d+)$/m.exec(metrics)[1]);
            assert.equal(ts, Date.parse(fromCli.at) / 1000);
            const prom = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: metrics, encoding: 'utf8' });
            assert.equal(prom.status, 0, prom.stdout + prom.stderr);

            const list = await api(d.url, viewer, 'GET', '/api/v1/audit/checkpoints');
            assert.equal(list.status, 200, list.text);
            assert.deepEqual(list.json.items.map((x) => x.id), [made.json.id, fromCli.id]);
            const after = await api(d.url, viewer, 'GET', `/api/v1/audit/checkpoints?after=${made.json.id}`);
            assert.deepEqual(after.json.items.map((x) => x.id), [fromCli.id]);

            // a kept copy verifies, also after more changes
            const dir = tempDir();
            const kept = path.join(dir, 'checkpoint.json');
            fs.writeFileSync(kept, JSON.stringify(list.json.items[0]));
            await api(d.url, d.adminToken, 'POST', '/api/v1/tokens', { name: 'more', role: 'viewer' });
            let v = run(['audit', 'verify', '--checkpoint', kept, '--data', d.dataDir]);
            assert.equal(v.code, 0, v.stdout + v.stderr);
            assert.match(v.stdout, /^OK .*matches the signed checkpoint/);

            // a whole page as served checks every checkpoint in it
            fs.writeFileSync(path.join(dir, 'page.json'), list.text);
            v = run(['audit', 'verify', '--checkpoint', path.join(dir, 'page.json'), '--data', d.dataDir]);
            assert.equal(v.code, 0, v.stdout + v.stderr);
            assert.equal(v.stdout.trim().split('\n').filter((l) => /^OK .* checkpoint \d+: /.test(l)).length, 2, v.stdout);

            // minisign checks the signed document with the published key
            fs.writeFileSync(path.join(dir, 'doc.json'), list.json.items[0].document);
            fs.writeFileSync(path.join(dir, 'doc.json.minisig'), list.json.items[0].signature);
            const m = spawnSync('minisign', ['-V', '-p', path.join(d.dataDir, 'signing.pub'), '-m', path.join(dir, 'doc.json')], { encoding: 'utf8' });
            assert.equal(m.status, 0, m.stderr);
            assert.match(m.stdout, /audit-checkpoint=\d+ seq=\d+ hash=[0-9a-f]{64}/);

            // a forged copy does not
            const forged = { ...list.json.items[0], document: list.json.items[0].document.replace(/"seq":\d+/, '"seq":1') };
            fs.writeFileSync(kept, JSON.stringify(forged));
            v = run(['audit', 'verify', '--checkpoint', kept, '--data', d.dataDir]);
            assert.equal(v.code, 1);
            assert.match(v.stdout, /^FAILED .*signature does not verify/);
        } finally {
            await d.stopClean();
        }
    });

    test('every checkpoint_interval seconds, only when the chain moved', async () => {
        // the clock stands still at T0 and the test moves it: the timer's
        // pass runs at each new time before the test clock answers
        const T0 = '2027-01-04T09:00:00Z';
        const at = (s) => new Date(Date.parse(T0) + s * 1000).toISOString().replace('.000Z', 'Z');
        const d = await startDaemon({ config: '[audit]\ncheckpoint_interval = 3600\n', env: { MELDPUNT_TEST_CLOCK: T0 } });
        const checkpoints = async () => {
            const list = await api(d.url, d.adminToken, 'GET', '/api/v1/audit/checkpoints');
            assert.equal(list.status, 200, list.text);
            return list.json.items;
        };
        try {
            // a pass at T0 makes the first (the timer's own passes, once a
            // minute, would make the same one at the same fixed time)
            await d.setClock({ now: T0 });
            let list = await checkpoints();
            assert.equal(list.length, 1);
            assert.equal(list[0].reason, 'interval');
            assert.equal(list[0].created_by, 'meldpunt');
            assert.equal(list[0].at, T0);
            const first = list[0].audit_seq;
            // the chain moves; 1 s before the interval: no second checkpoint
            const tok = await api(d.url, d.adminToken, 'POST', '/api/v1/tokens', { name: 'x', role: 'viewer' });
            assert.equal(tok.status, 201, tok.text);
            await d.setClock({ advance: 'PT3599S' });
            assert.equal((await checkpoints()).length, 1);
            // at the interval: the second, of the moved chain
            await d.setClock({ advance: 'PT1S' });
            list = await checkpoints();
            assert.equal(list.length, 2);
            assert.equal(list[1].reason, 'interval');
            assert.equal(list[1].at, at(3600));
            assert.equal(list[1].audit_seq, first + 1);
            // nothing changed since: no third, however long
            await d.setClock({ advance: 'PT3600S' });
            await d.setClock({ advance: 'P2D' });
            assert.equal((await checkpoints()).length, 2);
            assert.match(d.stderr(), /msg=audit checkpoint id=2 seq=\d+/);
        } finally {
            await d.stopClean();
        }
    });
});

/** A stand-in for systemd's notify socket: python3 prints each datagram. */
function notifyListener(sock) {
    const py = spawn('python3', [
        '-u',
        '-c',
        'import socket,sys,json\ns=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\ns.bind(sys.argv[1])\nprint("bound",flush=True)\nwhile True:\n  print(json.dumps(s.recv(4096).decode()),flush=True)',
        sock,
    ]);
    const messages = [];
    let buf = '';
    const bound = new Promise((resolve) => {
        py.stdout.on('data', (c) => {
            buf += c;
            let i;
            while ((i = buf.indexOf('\n')) >= 0) {
                const line = buf.slice(0, i);
                buf = buf.slice(i + 1);
                if (line === 'bound') resolve();
                else messages.push(JSON.parse(line));
            }
        });
    });
    return { py, messages, bound };
}

async function waitFor(pred, what, timeout = 10000) {
    const end = Date.now() + timeout;
    while (!pred()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await sleep(25);
    }
}

describe('systemd', () => {
    test('sd_notify: READY=1 once listening, RELOADING=1 then READY=1 on SIGHUP, STOPPING=1 on SIGTERM', async () => {
        const sock = path.join(tempDir(), 'notify');
        const l = notifyListener(sock);
        await l.bound;
        const conf = writeConfig('[log]\nlevel = notice\n');
        const d = await startDaemon({ env: { NOTIFY_SOCKET: sock }, args: ['--config', conf] });
        try {
            await waitFor(() => l.messages.some((m) => m.startsWith('READY=1')), 'READY=1');
            assert.equal((await api(d.url, null, 'GET', '/healthz')).status, 200);
            const n = l.messages.length;
            d.proc.kill('SIGHUP');
            await waitFor(() => l.messages.slice(n).some((m) => m.startsWith('READY=1')), 'READY=1 after reload');
            const reload = l.messages.slice(n);
            assert.match(reload[0], /^RELOADING=1\nMONOTONIC_USEC=\d+/);
            const res = await d.stop('SIGTERM');
            assertCleanExit(res);
            await waitFor(() => l.messages.some((m) => m.startsWith('STOPPING=1')), 'STOPPING=1');
        } finally {
            l.py.kill();
            await d.stopClean();
        }
    });

    test('the signing key from $CREDENTIALS_DIRECTORY (LoadCredential=): used, never copied into the data directory', async () => {
        const creds = tempDir();
        const g = run(['key', 'generate', path.join(creds, 'signing.key')]);
        assert.equal(g.code, 0, g.stderr);
        assert.equal(fs.statSync(path.join(creds, 'signing.key')).mode & 0o777, 0o600);
        assert.equal(run(['key', 'generate', path.join(creds, 'signing.key')]).code, 1, 'never replaces a key');

        const d = await startDaemon({ init: false, env: { CREDENTIALS_DIRECTORY: creds } });
        try {
            const admin = /^(mp_\S+)$/m.exec(d.stdout())[1];
            assert.ok(!fs.existsSync(path.join(d.dataDir, 'signing.key')));
            const pub = fs.readFileSync(path.join(d.dataDir, 'signing.pub'), 'utf8');
            const key = await api(d.url, admin, 'GET', '/api/v1/signing-key');
            assert.equal(key.json.public_key, pub);
            await d.waitForLog(/msg=signing key from the credential/);
            // what it signs verifies with that public key
            const cp = await api(d.url, admin, 'POST', '/api/v1/audit/checkpoints');
            const dir = tempDir();
            fs.writeFileSync(path.join(dir, 'c.json'), cp.json.document);
            fs.writeFileSync(path.join(dir, 'c.json.minisig'), cp.json.signature);
            const m = spawnSync('minisign', ['-V', '-p', path.join(d.dataDir, 'signing.pub'), '-m', path.join(dir, 'c.json')], { encoding: 'utf8' });
            assert.equal(m.status, 0, m.stderr);
            fs.writeFileSync(path.join(dir, 'checkpoint.json'), JSON.stringify(cp.json));

            // rotation: a new key in the credential, a restart; the old
            // public key is kept and still verifies what it signed
            await d.stopClean();
            fs.renameSync(path.join(creds, 'signing.key'), path.join(creds, 'old.key'));
            assert.equal(run(['key', 'generate', path.join(creds, 'signing.key')]).code, 0);
            await d.restart().catch(() => {});
            await d.waitForLog(new RegExp(`signing key changed in the credential old=${key.json.key_id}`));
            const after = await api(d.url, admin, 'GET', '/api/v1/signing-key');
            assert.notEqual(after.json.key_id, key.json.key_id);
            assert.equal(after.json.public_key, fs.readFileSync(path.join(d.dataDir, 'signing.pub'), 'utf8'));
            assert.deepEqual(after.json.previous.map((p) => p.key_id), [key.json.key_id]);
            assert.equal(fs.readFileSync(path.join(d.dataDir, 'public-keys', `${key.json.key_id}.pub`), 'utf8'), pub);
            await d.stopClean();
            const v = run(['audit', 'verify', '--checkpoint', path.join(dir, 'checkpoint.json'), '--data', d.dataDir], {
                env: { CREDENTIALS_DIRECTORY: creds },
            });
            assert.equal(v.code, 0, v.stdout + v.stderr);
            // `key rotate` would change a key nobody uses: refused, pointing at the credential
            const kr = run(['key', 'rotate', '--data', d.dataDir], { env: { CREDENTIALS_DIRECTORY: creds } });
            assert.equal(kr.code, 1);
            assert.match(kr.stderr, /systemd credential .*meldpunt key generate/);
        } finally {
            await d.stopClean();
        }
    });
});
