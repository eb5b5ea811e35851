#!/usr/bin/env node
// SPDX-License-Identifier: EUPL-1.2
// crash.mjs - the durability harness (make crash-test; a short run in make
// test).  A load client creates incidents (each with its own
// Idempotency-Key) and patches them (each with If-Match), retrying every
// change until it is acknowledged, while the harness kills the server with
// SIGKILL at random moments and starts it again, CYCLES times.  Then:
//   - every acknowledged change is in the database exactly once: each
//     create's incident (by its unique title, with the reference it was
//     answered), each patch's timeline entry;
//   - no reference was handed out twice;
//   - PRAGMA integrity_check says ok, and `meldpunt audit verify` passes;
//   - every restart after a kill was taken (the state file beside the
//     database never refuses a database that lost nothing).
// It prints "acked N, lost L, duplicated D" and exits 0 only when both are 0
// and every check passed.
//
//   node tests/crash/crash.mjs [--cycles N] [--workers N] [--seed N]
//   MELDPUNT_BIN: the binary (default build/test/meldpunt)
//
// Only node's standard library and the sqlite3 command-line shell.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const here = path.dirname(new URL(import.meta.url).pathname);
const BIN = path.resolve(process.env.MELDPUNT_BIN ?? path.join(here, '../../build/test/meldpunt'));
const { values: opt } = parseArgs({
    options: {
        cycles: { type: 'string', default: '20' },
        workers: { type: 'string', default: '8' },
        seed: { type: 'string', default: String(Date.now() % 100000) },
        'min-ms': { type: 'string', default: '150' },
        'max-ms': { type: 'string', default: '1200' },
        // the harness's own check: without Idempotency-Keys a retried
        // create is made twice, and the harness must say so
        'without-keys': { type: 'boolean', default: false },
    },
});
const CYCLES = Number(opt.cycles);
const WORKERS = Number(opt.workers);
const MIN_MS = Number(opt['min-ms']);
const MAX_MS = Number(opt['max-ms']);
const DEADLINE = Date.now() + (60 + CYCLES * 15) * 1000; // bounded, whatever happens

// A small seeded generator (mulberry32): a failing run can be repeated.
let seed = Number(opt.seed) >>> 0;
function random() {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function fail(msg) {
    console.error(`crash-test: FAIL: ${msg}`);
    console.error(`crash-test: data kept in ${dir} (seed ${opt.seed})`);
    process.exit(1);
}

const env = {
    ...process.env,
    ASAN_OPTIONS: process.env.ASAN_OPTIONS ?? 'detect_leaks=1:abort_on_error=0',
};
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meldpunt-crash-'));
const dataDir = path.join(dir, 'data');
const conf = path.join(dir, 'crash.conf');
fs.writeFileSync(conf, '[server]\nper_ip_connection_limit = 0\nrate_limit = 0\n');

function run(args) {
    const r = spawnSync(BIN, args, { encoding: 'utf8', env, timeout: 60000 });
    if (r.error) throw r.error;
    return r;
}

const init = run(['init', '--data', dataDir]);
if (init.status !== 0) fail(`init: ${init.stderr}`);
const token = init.stdout.trim();

// ---- the server, started and killed ----
let server = null; // {proc, url, stderr, exited}
let up = null; // a promise resolved when a server listens
let markUp = () => {};
const allStderr = [];

function expectDown() {
    up = new Promise((r) => (markUp = r));
}
expectDown();

async function startServer() {
    const proc = spawn(BIN, ['serve', '--data', dataDir, '--config', conf, '--listen', '127.0.0.1:0', '--log-level', 'notice'], {
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
    });
    const s = { proc, url: null, stderr: '' };
    s.exited = new Promise((r) => proc.on('exit', (code, signal) => r({ code, signal })));
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (t) => (s.stderr += t));
    const deadline = Date.now() + 30000;
    for (;;) {
        const m = /url=(http:\/\/127\.0\.0\.1:\d+)/.exec(s.stderr);
        if (m) {
            s.url = m[1];
            break;
        }
        if (proc.exitCode !== null || proc.signalCode !== null || Date.now() > deadline) {
            allStderr.push(s.stderr);
            fail(`the server did not start again (exit ${proc.exitCode}):\n${s.stderr}`);
        }
        await sleep(20);
    }
    server = s;
    markUp(s);
    return s;
}

async function killServer() {
    const s = server;
    expectDown();
    server = null;
    s.proc.kill('SIGKILL');
    await s.exited;
    allStderr.push(s.stderr);
}

// ---- the load: each change retried until acknowledged ----
const acked = { creates: [], patches: [] }; // what the server said is done
let stopping = false;

/** One request; null when the connection failed (the server died). */
async function request(method, p, body, headers = {}) {
    const s = server ?? (await up);
    try {
        const res = await fetch(s.url + p, {
            method,
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(20000),
        });
        const text = await res.text();
        return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null, text };
    } catch {
        if (server === s) await sleep(10); // a hiccup, not a kill: try again soon
        return null;
    }
}

const retryable = (r) => r === null || r.status === 503 || r.status === 429;

/** Creates one incident with an Idempotency-Key until the answer comes. */
async function create(worker, n) {
    const key = `crash-${opt.seed}-${worker}-${n}`;
    const body = { title: key, severity: 'low', description: 'crash harness' };
    for (;;) {
        const r = await request('POST', '/api/v1/incidents', body, opt['without-keys'] ? {} : { 'idempotency-key': key });
        if (retryable(r)) continue;
        if (r.status !== 201 && r.status !== 200) fail(`create ${key}: ${r.status} ${r.text}`);
        const inc = { key, id: r.json.id, ref: r.json.ref, version: r.json.version };
        acked.creates.push(inc);
        return inc;
    }
}

/** Sets an incident's description with If-Match until it is done: a 412
 * after a lost answer means it was done when the description says so. */
async function patch(inc, n) {
    const value = `patch-${inc.key}-${n}`;
    for (;;) {
        const r = await request('PATCH', `/api/v1/incidents/${inc.id}`, { description: value }, { 'if-match': `"${inc.version}"` });
        if (retryable(r)) continue;
        if (r.status === 200) {
            inc.version = r.json.version;
            break;
        }
        if (r.status !== 412) fail(`patch ${value}: ${r.status} ${r.text}`);
        let g;
        do g = await request('GET', `/api/v1/incidents/${inc.id}`);
        while (retryable(g));
        if (g.status !== 200) fail(`reading ${inc.id}: ${g.status} ${g.text}`);
        inc.version = g.json.version;
        if (g.json.description === value) break; // it was done before the kill
    }
    acked.patches.push({ id: inc.id, value });
}

async function worker(w) {
    const mine = [];
    let n = 0;
    while (!stopping) {
        if (mine.length > 0 && random() < 0.35) await patch(mine[Math.floor(random() * mine.length)], n++);
        else mine.push(await create(w, n++));
    }
}

// ---- the run ----
function sql(query) {
    const r = spawnSync('sqlite3', ['-batch', '-json', path.join(dataDir, 'meldpunt.db')], {
        input: query,
        encoding: 'utf8',
    });
    if (r.status !== 0) fail(`sqlite3: ${r.stderr}`);
    return r.stdout.trim() ? JSON.parse(r.stdout) : [];
}

const t0 = Date.now();
await startServer();
const workers = Array.from({ length: WORKERS }, (_, w) => worker(w));
for (let c = 0; c < CYCLES; c++) {
    await sleep(MIN_MS + random() * (MAX_MS - MIN_MS));
    if (Date.now() > DEADLINE) fail('out of time');
    await killServer();
    await startServer();
}
// the last server finishes what is retried, then stops cleanly
await sleep(300);
stopping = true;
let drainTimer;
const drain = await Promise.race([
    Promise.all(workers).then(() => true),
    new Promise((r) => (drainTimer = setTimeout(() => r(false), 60000))),
]);
clearTimeout(drainTimer);
if (!drain) fail('the changes in flight did not finish within 60 s');
const last = server;
last.proc.kill('SIGTERM');
const exit = await last.exited;
allStderr.push(last.stderr);
if (exit.code !== 0) fail(`the last server exited ${exit.code} ${exit.signal}:\n${last.stderr}`);
const sanitizer = allStderr.join('\n').split('\n').filter((l) => /ERROR: (Address|Leak)Sanitizer|runtime error:/.test(l));
if (sanitizer.length) fail(`sanitizer reports:\n${sanitizer.join('\n')}`);

// ---- the checks ----
let lost = 0;
let duplicated = 0;
const problems = [];
const rows = sql("SELECT title, ref, count(*) AS n FROM incidents WHERE title LIKE 'crash-%' GROUP BY title;");
const byTitle = new Map(rows.map((r) => [r.title, r]));
for (const c of acked.creates) {
    const r = byTitle.get(c.key);
    if (!r) {
        lost++;
        problems.push(`lost: ${c.key} (${c.ref})`);
    } else if (r.n !== 1) {
        duplicated += r.n - 1;
        problems.push(`duplicated: ${c.key} ${r.n} times`);
    } else if (r.ref !== c.ref) {
        problems.push(`${c.key} was answered ${c.ref} but holds ${r.ref}`);
    }
}
const ackedKeys = new Set(acked.creates.map((c) => c.key));
for (const r of rows) {
    if (r.n > 1 && !ackedKeys.has(r.title)) {
        duplicated += r.n - 1;
        problems.push(`duplicated (never acknowledged): ${r.title} ${r.n} times`);
    }
}
const changed = sql("SELECT new_value, count(*) AS n FROM timeline WHERE kind = 'changed' AND field = 'description' GROUP BY new_value;");
const byValue = new Map(changed.map((r) => [JSON.parse(r.new_value), r.n]));
for (const p of acked.patches) {
    const n = byValue.get(p.value) ?? 0;
    if (n === 0) {
        lost++;
        problems.push(`lost: ${p.value}`);
    } else if (n > 1) {
        duplicated += n - 1;
        problems.push(`duplicated: ${p.value} ${n} times`);
    }
}
const refs = sql('SELECT count(*) AS n, count(DISTINCT ref) AS d FROM incidents;')[0];
if (refs.n !== refs.d) problems.push(`references issued twice: ${refs.n} incidents, ${refs.d} references`);
const integrity = sql('PRAGMA integrity_check;');
if (integrity.length !== 1 || integrity[0].integrity_check !== 'ok') problems.push(`integrity_check: ${JSON.stringify(integrity)}`);
const verify = run(['audit', 'verify', '--data', dataDir]);
if (verify.status !== 0) problems.push(`audit verify: ${verify.stdout}${verify.stderr}`);

const n = acked.creates.length + acked.patches.length;
console.log(
    `crash-test: ${CYCLES} kill -9 cycles in ${((Date.now() - t0) / 1000).toFixed(1)} s, ${WORKERS} clients, seed ${opt.seed}: ` +
        `${acked.creates.length} creates, ${acked.patches.length} patches; ${verify.stdout.trim()}`,
);
console.log(`acked ${n}, lost ${lost}, duplicated ${duplicated}`);
if (problems.length || lost || duplicated || n === 0) fail(problems.slice(0, 20).join('\n') || 'nothing was acknowledged');
fs.rmSync(dir, { recursive: true, force: true });
process.exit(0); // keep-alive sockets of the killed servers hold nothing worth waiting for
