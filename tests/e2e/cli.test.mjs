// SPDX-License-Identifier: EUPL-1.2
// cli.test.mjs - the command line: help, version, usage errors (exit 2),
// failures (exit 1), token management, config files.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { api, assertNoSanitizer, cli, startDaemon, tempDir, writeConfig } from './lib/daemon.mjs';

/** cli() that also asserts no sanitizer report. */
function run(args, opts) {
    const r = cli(args, opts);
    assertNoSanitizer(r.stderr, `meldpunt ${args.join(' ')}`);
    assert.equal(r.signal, null, `meldpunt ${args.join(' ')} died of ${r.signal}`);
    return r;
}

function initDir() {
    const dataDir = path.join(tempDir(), 'data');
    const r = run(['init', '--data', dataDir]);
    assert.equal(r.code, 0, r.stderr);
    return { dataDir, admin: r.stdout.trim() };
}

describe('help and version', () => {
    for (const args of [['help'], ['--help'], ['-h']]) {
        test(`meldpunt ${args.join(' ')} exits 0 and lists the commands`, () => {
            const r = run(args);
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stdout, /^usage: meldpunt COMMAND/);
            for (const c of ['serve', 'init', 'token', 'audit verify', 'backup', 'version'])
                assert.ok(r.stdout.includes(`  ${c}`), `help lists ${c}`);
        });
    }

    test('meldpunt version and --version exit 0', () => {
        const version = fs.readFileSync(new URL('../../VERSION', import.meta.url), 'utf8').trim();
        for (const a of ['version', '--version']) {
            const r = run([a]);
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stdout, new RegExp(`^meldpunt ${version.replace(/\./g, '\\.')} \\(`));
        }
    });

    test('every command has --help, exit 0', () => {
        for (const args of [
            ['serve', '--help'],
            ['init', '--help'],
            ['token', '--help'],
            ['token', 'create', '--help'],
            ['audit', '--help'],
            ['backup', '--help'],
        ]) {
            const r = run(args);
            assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
            assert.match(r.stdout, /usage: meldpunt /, args.join(' '));
        }
    });

    test('no command prints help and exits 2', () => {
        const r = run([]);
        assert.equal(r.code, 2);
        assert.match(r.stdout, /usage: meldpunt COMMAND/);
    });
});

describe('usage errors exit 2', () => {
    test('serve --bogus', () => {
        const r = run(['serve', '--bogus'], { timeout: 15000 });
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /^usage: meldpunt serve/m);
    });

    test('serve with an extra argument or a bad --listen / --log-level', () => {
        const d = path.join(tempDir(), 'data');
        let r = run(['serve', 'extra', '--data', d], { timeout: 15000 });
        assert.equal(r.code, 2);
        assert.match(r.stderr, /unexpected argument 'extra'/);
        r = run(['serve', '--listen', 'localhost', '--data', d], { timeout: 15000 });
        assert.equal(r.code, 2);
        assert.match(r.stderr, /--listen localhost/);
        r = run(['serve', '--log-level', 'loud', '--data', d], { timeout: 15000 });
        assert.equal(r.code, 2);
        assert.match(r.stderr, /--log-level loud/);
        assert.ok(!fs.existsSync(d), 'nothing initialised on a usage error');
    });

    test('unknown command', () => {
        const r = run(['frobnicate']);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /unknown command 'frobnicate'/);
        assert.match(r.stderr, /usage: meldpunt COMMAND/);
    });

    test('token without a subcommand, or with an unknown one', () => {
        let r = run(['token']);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /usage: meldpunt token create/);
        r = run(['token', 'mint']);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /unknown subcommand 'mint'/);
    });

    test('token create without --role (or --name)', () => {
        const { dataDir } = initDir();
        let r = run(['token', 'create', '--name', 'x'], { dataDir });
        assert.equal(r.code, 2);
        assert.match(r.stderr, /needs --name and --role/);
        r = run(['token', 'create', '--role', 'viewer'], { dataDir });
        assert.equal(r.code, 2);
        assert.equal(r.stdout, '');
    });

    test('token revoke without a name; audit without verify', () => {
        const { dataDir } = initDir();
        let r = run(['token', 'revoke'], { dataDir });
        assert.equal(r.code, 2);
        r = run(['audit'], { dataDir });
        assert.equal(r.code, 2);
        r = run(['audit', 'check'], { dataDir });
        assert.equal(r.code, 2);
        r = run(['backup'], { dataDir });
        assert.equal(r.code, 2);
    });
});

describe('tokens from the command line', () => {
    let dataDir;
    let admin;
    before(() => {
        ({ dataDir, admin } = initDir());
    });

    test('token create with an unknown role exits 1', () => {
        const r = run(['token', 'create', '--name', 'x', '--role', 'wizard'], { dataDir });
        assert.equal(r.code, 1, r.stderr);
        assert.equal(r.stdout, '');
        assert.match(r.stderr, /role/);
    });

    test('token create with a bad name exits 1', () => {
        const r = run(['token', 'create', '--name', 'no spaces', '--role', 'viewer'], { dataDir });
        assert.equal(r.code, 1);
        assert.match(r.stderr, /name/);
    });

    test('token create prints the token alone; a duplicate name exits 1', () => {
        const r = run(['token', 'create', '--name', 'alice', '--role', 'analyst'], { dataDir });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^mp_[A-Za-z0-9_-]{43}\n$/);
        const dup = run(['token', 'create', '--name', 'alice', '--role', 'viewer'], { dataDir });
        assert.equal(dup.code, 1);
        assert.match(dup.stderr, /exists/);
    });

    test('token list shows names and roles, never token text', () => {
        run(['token', 'create', '--name', 'bob', '--role', 'ingest'], { dataDir });
        const r = run(['token', 'list'], { dataDir });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^NAME\s+ROLE/);
        assert.match(r.stdout, /^admin\s+admin\s/m);
        assert.match(r.stdout, /^alice\s+analyst\s/m);
        assert.match(r.stdout, /^bob\s+ingest\s/m);
        assert.doesNotMatch(r.stdout, /mp_/);
        assert.ok(!r.stdout.includes(admin));
    });

    test('token revoke removes it from list; list --all shows it revoked', () => {
        let r = run(['token', 'revoke', 'bob'], { dataDir });
        assert.equal(r.code, 0, r.stderr);
        r = run(['token', 'list'], { dataDir });
        assert.doesNotMatch(r.stdout, /^bob\s/m);
        r = run(['token', 'list', '--all'], { dataDir });
        assert.match(r.stdout, /^bob\s+ingest\s+\S+\s+\d{4}-\d\d-\d\dT/m);
        assert.doesNotMatch(r.stdout, /mp_/);
        r = run(['token', 'revoke', 'bob'], { dataDir });
        assert.equal(r.code, 1);
        r = run(['token', 'revoke', 'nobody'], { dataDir });
        assert.equal(r.code, 1);
    });

    test('audit verify after CLI changes', () => {
        const r = run(['audit', 'verify'], { dataDir });
        assert.equal(r.code, 0, r.stderr);
        // init + alice + bob + revoke bob
        assert.match(r.stdout, /^OK 4 entries, head 4 [0-9a-f]{64}\n$/);
    });

    test('backup to a new file succeeds, to an existing file fails', () => {
        const file = path.join(tempDir(), 'copy.db');
        let r = run(['backup', file], { dataDir });
        assert.equal(r.code, 0, r.stderr);
        assert.ok(fs.statSync(file).size > 0);
        r = run(['backup', file], { dataDir });
        assert.equal(r.code, 1);
    });
});

describe('data directories', () => {
    test('init twice fails the second time and keeps the first token', () => {
        const { dataDir, admin } = initDir();
        const r = run(['init', '--data', dataDir]);
        assert.notEqual(r.code, 0);
        assert.equal(r.code, 1);
        assert.equal(r.stdout, '');
        assert.match(r.stderr, /meldpunt init: /);
        const list = run(['token', 'list'], { dataDir });
        assert.equal(list.code, 0);
        assert.equal(list.stdout.trim().split('\n').length, 2, 'still only the admin token');
        assert.ok(admin.startsWith('mp_'));
    });

    test('commands on an uninitialised directory exit 1 and create nothing', () => {
        const d = path.join(tempDir(), 'missing');
        for (const args of [['token', 'list'], ['audit', 'verify'], ['token', 'create', '--name', 'x', '--role', 'admin']]) {
            const r = run(args, { dataDir: d });
            assert.equal(r.code, 1, args.join(' '));
            assert.match(r.stderr, /not initialised/);
        }
        assert.ok(!fs.existsSync(path.join(d, 'meldpunt.db')));
    });
});

describe('config files', () => {
    test('an unknown key makes serve exit non-zero naming FILE:LINE:', () => {
        const d = path.join(tempDir(), 'data');
        const file = writeConfig('# comment\n[server]\nthreads = 2\nfrobs = 7\n');
        const r = run(['serve', '--config', file, '--data', d, '--listen', '127.0.0.1:0'], { timeout: 15000 });
        assert.notEqual(r.code, 0);
        assert.notEqual(r.code, null, 'serve exited rather than running on');
        assert.ok(r.stderr.includes(`${file}:4:`), r.stderr);
        assert.match(r.stderr, /frobs/);
        assert.match(r.stderr, /unknown key/);
        assert.ok(!fs.existsSync(d), 'nothing initialised');
    });

    test('an unknown section, a bad value and a syntax error name their lines', () => {
        const cases = [
            ['[server]\nthreads = 2\n[nope]\nx = 1\n', 4, /unknown section/],
            ['[server]\n\nbody_limit = 12Q\n', 3, /body_limit/],
            ['[log]\nlevel = loud\n', 2, /level/],
            ['[server]\nthis is not ini\n', 2, /syntax|expected/],
        ];
        for (const [text, line, re] of cases) {
            const file = writeConfig(text);
            const r = run(['serve', '--config', file, '--data', path.join(tempDir(), 'd'), '--listen', '127.0.0.1:0'], {
                timeout: 15000,
            });
            assert.notEqual(r.code, 0, text);
            assert.notEqual(r.code, null, text);
            assert.ok(r.stderr.includes(`${file}:${line}:`), `${JSON.stringify(text)} -> ${r.stderr}`);
            assert.match(r.stderr, re);
        }
    });

    test('a missing config file is an error', () => {
        const file = path.join(tempDir(), 'nope.conf');
        const r = run(['token', 'list', '--config', file]);
        assert.equal(r.code, 1);
        assert.ok(r.stderr.includes(file));
    });

    test('--config with [storage] data_dir is honoured by token list', () => {
        const { dataDir } = initDir();
        run(['token', 'create', '--name', 'via-config', '--role', 'viewer'], { dataDir });
        const file = writeConfig(`[storage]\ndata_dir = ${dataDir}\n`);
        const r = run(['token', 'list', '--config', file]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^via-config\s+viewer\s/m);
        // --data overrides the file
        const other = initDir();
        const o = run(['token', 'list', '--config', file, '--data', other.dataDir]);
        assert.equal(o.code, 0, o.stderr);
        assert.doesNotMatch(o.stdout, /via-config/);
    });

    test('the shipped config/meldpunt.conf is accepted', async () => {
        const shipped = new URL('../../config/meldpunt.conf', import.meta.url).pathname;
        const { dataDir } = initDir();
        // the shipped file's listen port is overridden on the command line
        const d = await startDaemon({ dataDir, init: false, config: fs.readFileSync(shipped, 'utf8') });
        try {
            assert.equal((await api(d.url, null, 'GET', '/healthz')).status, 200);
        } finally {
            await d.stopClean();
        }
    });

    test('bench_endpoints = true exposes POST /bench/echo', async () => {
        const d = await startDaemon({ config: '[server]\nbench_endpoints = true\n' });
        try {
            const res = await api(d.url, null, 'POST', '/bench/echo', { a: [1, 2, { b: 'c' }] });
            assert.equal(res.status, 200, res.text);
            assert.deepEqual(res.json, { echo: { a: [1, 2, { b: 'c' }] } });
            const bad = await api(d.url, null, 'POST', '/bench/echo', '{');
            assert.equal(bad.status, 400);
        } finally {
            await d.stopClean();
        }
    });
});


describe('meldpunt verify', () => {
    test('a file signed with the data directory key verifies; a changed byte does not', async () => {
        const { execFileSync } = await import('node:child_process');
        const { dataDir: dir } = initDir();
        const work = tempDir();
        const file = path.join(work, 'draft.json');
        fs.writeFileSync(file, '{"incident":"INC-2026-0001"}');
        // the signing key meldpunt init wrote is a minisign key: sign with the tool
        execFileSync('/usr/bin/minisign', ['-S', '-s', path.join(dir, 'signing.key'), '-m', file, '-t', 'from the test'], { stdio: 'ignore' });
        const pub = path.join(dir, 'signing.pub');
        let r = run(['verify', file, '--pubkey', pub]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^OK /);
        assert.match(r.stdout, /trusted comment: from the test/);
        fs.writeFileSync(file, '{"incident":"INC-2026-0002"}');
        r = run(['verify', file, '--pubkey', pub]);
        assert.equal(r.code, 1);
        assert.match(r.stdout, /FAILED: the signature does not match the data/);
        // without --pubkey: the data directory's keys
        r = run(['verify', file, '--data', dir]);
        assert.equal(r.code, 1);
        fs.writeFileSync(file, '{"incident":"INC-2026-0001"}');
        r = run(['verify', file, '--data', dir]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        r = run(['verify']);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /usage: meldpunt verify/);
    });

    test('without --pubkey, a key rotated out still verifies what it signed; a key of elsewhere does not', async () => {
        const { execFileSync } = await import('node:child_process');
        const { dataDir: dir } = initDir();
        const work = tempDir();
        const file = path.join(work, 'old.json');
        fs.writeFileSync(file, '{"incident":"INC-2026-0003"}');
        execFileSync('/usr/bin/minisign', ['-S', '-s', path.join(dir, 'signing.key'), '-m', file, '-t', 'old key'], { stdio: 'ignore' });
        let r = run(['key', 'rotate', '--data', dir]);
        assert.equal(r.code, 0, r.stderr);
        r = run(['verify', file, '--data', dir]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /trusted comment: old key/);
        // signed by a key this data directory never had
        const other = path.join(work, 'other.key');
        assert.equal(run(['key', 'generate', other]).code, 0);
        execFileSync('/usr/bin/minisign', ['-S', '-s', other, '-m', file, '-t', 'elsewhere'], { stdio: 'ignore' });
        r = run(['verify', file, '--data', dir]);
        assert.equal(r.code, 1);
        assert.match(r.stdout, /^FAILED: signed with another key/);
        // --pubkey that cannot be read
        r = run(['verify', file, '--pubkey', path.join(work, 'missing.pub')]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /cannot read .*missing\.pub/);
    });
});

describe('rules replay', () => {
    test('every incident judged again under other rule files, what would change printed (due times, significance, reporting duty), nothing kept', async () => {
        const clock = '2031-05-05T09:00:00Z';
        const d = await startDaemon({ env: { MELDPUNT_TEST_CLOCK: clock } });
        try {
            const breach = await api(d.url, d.adminToken, 'POST', '/api/v1/incidents', {
                title: 'Customer file exposed',
                aware_at: '2031-05-05T08:00:00Z',
                impact: { personal_data_breach: true },
            });
            assert.equal(breach.status, 201, breach.text);
            const other = await api(d.url, d.adminToken, 'POST', '/api/v1/incidents', { title: 'Printer on fire' });
            assert.equal(other.status, 201, other.text);
            const auditBefore = (await api(d.url, d.adminToken, 'GET', '/api/v1/audit?limit=500')).json.items.length;
            // the same rules, but 48 hours for a data breach
            const dir = tempDir('meldpunt-replay-');
            const src = new URL('../../config/rules/', import.meta.url).pathname;
            for (const f of fs.readdirSync(src)) fs.copyFileSync(path.join(src, f), path.join(dir, f));
            const gdpr = path.join(dir, 'gdpr.json');
            fs.writeFileSync(gdpr, fs.readFileSync(gdpr, 'utf8').replace('"within": "PT72H"', '"within": "PT48H"'));
            const env = { MELDPUNT_TEST_CLOCK: clock };
            let r = cli(['rules', 'replay', '--rules', dir], { dataDir: d.dataDir, env });
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stdout, new RegExp(`^${breach.json.ref} gdpr notification: due 2031-05-08 08:00 UTC -> 2031-05-07 08:00 UTC$`, 'm'));
            assert.doesNotMatch(r.stdout, new RegExp(other.json.ref));
            assert.match(r.stdout, /^replayed 2 incidents under .*: 1 would change$/m);
            // a significance that would change: no personal data breach is notifiable
            const doc = JSON.parse(fs.readFileSync(gdpr, 'utf8'));
            doc.significant = false;
            fs.writeFileSync(gdpr, JSON.stringify(doc));
            r = cli(['rules', 'replay', '--rules', dir], { dataDir: d.dataDir, env });
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stdout, new RegExp(`^${breach.json.ref} gdpr significant: yes -> no$`, 'm'));
            assert.match(r.stdout, new RegExp(`^${other.json.ref} gdpr significant: undetermined -> no$`, 'm'));
            assert.match(r.stdout, new RegExp(`^${other.json.ref} gdpr reporting duty: undetermined -> no$`, 'm'));
            // once significant, the duty stays until a manager decides otherwise (sticky): still owed
            assert.doesNotMatch(r.stdout, new RegExp(`^${breach.json.ref} gdpr (reporting duty|notification: no longer owed)`, 'm'));
            assert.match(r.stdout, /: 2 would change$/m);
            // the shipped rules change nothing
            r = cli(['rules', 'replay', '--rules', src], { dataDir: d.dataDir, env });
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stdout, /^replayed 2 incidents under .*: 0 would change$/m);
            // nothing was kept: the obligation, the audit chain
            const obl = await api(d.url, d.adminToken, 'GET', `/api/v1/incidents/${breach.json.id}/obligations`);
            assert.equal(obl.json.items.find((o) => o.regime === 'gdpr').due_at, '2031-05-08T08:00:00Z');
            assert.equal((await api(d.url, d.adminToken, 'GET', '/api/v1/audit?limit=500')).json.items.length, auditBefore);
            // rule files that do not load, and no --rules
            fs.writeFileSync(gdpr, '{');
            r = cli(['rules', 'replay', '--rules', dir], { dataDir: d.dataDir });
            assert.equal(r.code, 1);
            assert.match(r.stderr, /gdpr\.json/);
            assert.equal(cli(['rules', 'replay'], { dataDir: d.dataDir }).code, 2);
        } finally {
            await d.stopClean();
        }
    });
});

describe('rules explain', () => {
    test('one incident\'s reasoning in the terminal, in English and Dutch, as the page says it', async () => {
        const d = await startDaemon({ env: { MELDPUNT_TEST_CLOCK: '2031-05-05T09:00:00Z' } });
        try {
            const res = await api(d.url, d.adminToken, 'POST', '/api/v1/incidents', {
                title: 'Customer file exposed',
                aware_at: '2031-05-05T08:00:00Z',
                impact: { personal_data_breach: true, data_subjects_affected: 1200 },
            });
            assert.equal(res.status, 201, res.text);
            const env = { MELDPUNT_TEST_CLOCK: '2031-05-05T09:00:00Z' };
            let r = cli(['rules', 'explain', res.json.ref], { dataDir: d.dataDir, env });
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stdout, new RegExp(`^${res.json.ref} "Customer file exposed"`));
            assert.match(r.stdout, /GDPR \(AVG\): personal data breaches \(gdpr [^)]+\)\n  applies: yes   significant: yes   reporting duty: yes/);
            assert.match(r.stdout, /\[yes\] A personal data breach .*\(Regulation \(EU\) 2016\/679/);
            assert.match(r.stdout, /report Personal data breach notification: open, due 2031-05-08 08:00 UTC/);
            assert.doesNotMatch(r.stdout, /pending|"significant"|_at\b/, 'words, not keys');
            r = cli(['rules', 'explain', res.json.ref, '--lang', 'nl'], { dataDir: d.dataDir, env });
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stdout, /AVG: datalekken/);
            assert.match(r.stdout, /van toepassing: ja   significant: ja   meldplicht: ja/);
            assert.match(r.stdout, /melding Melding datalek: openstaand, uiterlijk 2031-05-08 08:00 UTC/);
            // an incident that is not there, a language that is not offered
            r = cli(['rules', 'explain', 'INC-1999-0001'], { dataDir: d.dataDir });
            assert.equal(r.code, 1);
            assert.match(r.stderr, /no incident 'INC-1999-0001'/);
            r = cli(['rules', 'explain', res.json.ref, '--lang', 'de'], { dataDir: d.dataDir });
            assert.equal(r.code, 2);
        } finally {
            await d.stopClean();
        }
    });
});
