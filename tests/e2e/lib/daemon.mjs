// SPDX-License-Identifier: EUPL-1.2
// daemon.mjs - helpers for the end-to-end tests: start/stop a meldpunt
// daemon on a fresh data directory, run the CLI, call the HTTP API.
//
// Every daemon started here is tracked; a process 'exit' hook SIGKILLs any
// that a test forgot to stop (tests still stop theirs in after() hooks and
// check the exit status and sanitizer output).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { checkRequest, checkResponse } from './openapi.mjs';

export const BIN = process.env.MELDPUNT_BIN
    ? path.resolve(process.env.MELDPUNT_BIN)
    : path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../build/test/meldpunt');

const START_TIMEOUT_MS = 15000;
const STOP_TIMEOUT_MS = 30000;

const live = new Set();
process.on('exit', () => {
    for (const p of live) {
        try {
            p.kill('SIGKILL');
        } catch {
            /* already gone */
        }
    }
});

/** A TCP port on 127.0.0.1 that was free a moment ago (for a helper that must be told its port). */
export async function freePort() {
    const srv = net.createServer();
    await new Promise((r) => srv.listen(0, '127.0.0.1', r));
    const { port } = srv.address();
    await new Promise((r) => srv.close(r));
    return port;
}

/** A fresh temporary directory (removed at process exit). */
const tempDirs = [];
process.on('exit', () => {
    for (const d of tempDirs) {
        try {
            fs.rmSync(d, { recursive: true, force: true });
        } catch {
            /* best effort */
        }
    }
});
export function tempDir(prefix = 'meldpunt-e2e-') {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    tempDirs.push(d);
    return d;
}

/** The environment for the binary: ASan/UBSan report and exit non-zero. */
function binEnv(extra = {}) {
    const env = {
        ...process.env,
        ASAN_OPTIONS: process.env.ASAN_OPTIONS ?? 'detect_leaks=1:abort_on_error=0',
        UBSAN_OPTIONS: process.env.UBSAN_OPTIONS ?? 'print_stacktrace=1',
        ...extra,
    };
    // under libfaketime (tests/run.sh dated) a library is preloaded before
    // the ASan runtime: ASan must be told that is fine, whatever a test sets
    if (env.LD_PRELOAD && !/verify_asan_link_order/.test(env.ASAN_OPTIONS))
        env.ASAN_OPTIONS += ':verify_asan_link_order=0';
    return env;
}

/** Lines from a sanitizer report, if any. */
export function sanitizerLines(text) {
    return text
        .split('\n')
        .filter((l) =>
            /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Undefined|Leak)/.test(l),
        );
}

/** Fails when text holds a sanitizer report. */
export function assertNoSanitizer(text, what = 'process') {
    const bad = sanitizerLines(text);
    assert.deepEqual(bad, [], `${what} reported sanitizer errors:\n${text}`);
}

/** Asserts a stop() result is a clean exit 0 without sanitizer output. */
export function assertCleanExit(res, what = 'daemon') {
    assertNoSanitizer(res.stderr, what);
    assert.equal(res.signal, null, `${what} died of signal ${res.signal}:\n${res.stderr}`);
    assert.equal(res.code, 0, `${what} exited ${res.code}:\n${res.stderr}`);
}

/**
 * Runs the binary synchronously.  With dataDir, `--data DIR` is appended
 * (unless args already name --data or --config).
 * Returns {code, signal, stdout, stderr}.
 */
export function cli(args, { dataDir, env, input, timeout = 30000 } = {}) {
    const full = [...args];
    if (dataDir && !full.includes('--data') && !full.includes('--config'))
        full.push('--data', dataDir);
    const r = spawnSync(BIN, full, {
        encoding: 'utf8',
        env: binEnv(env),
        input,
        timeout,
        killSignal: 'SIGKILL',
    });
    if (r.error && r.error.code !== 'ETIMEDOUT') throw r.error;
    return { code: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Writes an INI config text to a new temporary file; returns its path. */
export function writeConfig(text, dir = tempDir('meldpunt-conf-')) {
    const file = path.join(dir, 'meldpunt.conf');
    fs.writeFileSync(file, text);
    return file;
}

/**
 * Starts `meldpunt serve` on a new data directory.
 *   config:   INI text, written to a file and passed with --config
 *   args:     extra command-line arguments for serve
 *   env:      extra environment
 *   init:     run `meldpunt init` first (default true); false: serve does it
 *   logLevel: passed as --log-level (default 'info'; null: no flag)
 *   dataDir:  use this directory instead of a fresh one
 */
export async function startDaemon({
    config,
    args = [],
    env = {},
    init = true,
    logLevel = 'info',
    dataDir,
} = {}) {
    dataDir ??= path.join(tempDir(), 'data');
    let adminToken = null;
    if (init) {
        const r = cli(['init', '--data', dataDir]);
        assertNoSanitizer(r.stderr, 'meldpunt init');
        assert.equal(r.code, 0, `meldpunt init failed (${r.code}):\n${r.stderr}`);
        adminToken = r.stdout.trim();
        assert.match(adminToken, /^mp_[A-Za-z0-9_-]{43}$/);
    }
    const configPath = config !== undefined ? writeConfig(config) : null;
    const serveArgs = ['serve', '--data', dataDir, '--listen', '127.0.0.1:0'];
    if (logLevel) serveArgs.push('--log-level', logLevel);
    if (configPath) serveArgs.push('--config', configPath);
    serveArgs.push(...args);

    const d = {
        url: null,
        port: null,
        dataDir,
        configPath,
        adminToken,
        proc: null,
        result: null,
        stderr: () => stderrText,
        stdout: () => stdoutText,
    };
    let stderrText = '';
    let stdoutText = '';
    let exitPromise = null;

    async function launch() {
        const from = stderrText.length;
        const proc = spawn(BIN, serveArgs, { env: binEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
        live.add(proc);
        d.proc = proc;
        d.result = null;
        proc.stderr.setEncoding('utf8');
        proc.stdout.setEncoding('utf8');
        proc.stdout.on('data', (s) => (stdoutText += s));
        exitPromise = new Promise((resolve) => {
            proc.on('exit', (code, signal) => {
                live.delete(proc);
                // let the pipes drain before reporting
                const done = () => resolve({ code, signal, stderr: stderrText });
                if (proc.stderr.readableEnded) done();
                else {
                    proc.stderr.once('end', done);
                    setTimeout(done, 2000).unref();
                }
            });
        });
        await new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
                cleanup();
                try {
                    proc.kill('SIGKILL');
                } catch {
                    /* gone */
                }
                reject(new Error(`daemon did not log 'listening' within ${START_TIMEOUT_MS} ms; stderr:\n${stderrText}`));
            }, START_TIMEOUT_MS);
            const onData = (s) => {
                stderrText += s;
                const m = /msg=listening url=(https?:\/\/127\.0\.0\.1:(\d+))/.exec(stderrText.slice(from));
                if (m) {
                    cleanup();
                    d.url = m[1];
                    d.port = Number(m[2]);
                    resolve();
                }
            };
            const onExit = (code, signal) => {
                cleanup();
                reject(new Error(`daemon exited (code ${code}, signal ${signal}) before listening; stderr:\n${stderrText}`));
            };
            const cleanup = () => {
                clearTimeout(timer);
                proc.stderr.off('data', onData);
                proc.off('exit', onExit);
                proc.stderr.on('data', (s) => (stderrText += s));
            };
            proc.stderr.on('data', onData);
            proc.on('exit', onExit);
        });
    }

    /** Sends signal and waits for the exit: {code, signal, stderr}. Idempotent. */
    d.stop = async (signal = 'SIGTERM') => {
        if (d.result) return d.result;
        const proc = d.proc;
        if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
        let timer;
        const res = await Promise.race([
            exitPromise,
            new Promise((resolve) => {
                timer = setTimeout(() => resolve(null), STOP_TIMEOUT_MS);
            }),
        ]);
        clearTimeout(timer);
        if (res === null) {
            proc.kill('SIGKILL');
            await exitPromise;
            throw new Error(`daemon did not exit within ${STOP_TIMEOUT_MS} ms of ${signal}; stderr:\n${stderrText}`);
        }
        d.result = res;
        return res;
    };

    /** Resolves with {code, signal, stderr} when the process exits by itself. */
    d.exited = () => exitPromise;

    /** Stops (SIGTERM, must be clean) and starts again on the same data. */
    d.restart = async () => {
        assertCleanExit(await d.stop('SIGTERM'), 'daemon (restart)');
        await launch();
        return d;
    };

    /** Waits until re matches the stderr written after offset `from`. */
    d.waitForLog = async (re, { from = 0, timeout = 10000 } = {}) => {
        const deadline = Date.now() + timeout;
        for (;;) {
            const m = re.exec(stderrText.slice(from));
            if (m) return m;
            if (Date.now() > deadline)
                throw new Error(`no log line matching ${re} within ${timeout} ms; stderr:\n${stderrText.slice(from)}`);
            await sleep(25);
        }
    };

    /**
     * Sets the daemon's wall clock (test builds only; nobody sleeps for
     * time to pass): {now: RFC 3339} fixes it there, {advance: 'PT24H'}
     * moves it on, {system: true} gives the system clock back.  The
     * obligation sweeper and the checkpoint timer have run at the new time
     * when this resolves.  Returns the daemon's time (RFC 3339).
     */
    d.setClock = async (body, token = d.adminToken) => {
        const r = await api(d.url, token, 'POST', '/api/v1/test/clock', body);
        assert.equal(r.status, 200, `test clock ${JSON.stringify(body)}: ${r.text}`);
        return r.json.now;
    };

    /** Stops (if still running) and asserts a clean exit 0. For after(). */
    d.stopClean = async () => {
        if (!d.proc) return;
        assertCleanExit(await d.stop('SIGTERM'));
    };

    try {
        await launch();
    } catch (e) {
        if (d.proc) live.delete(d.proc);
        throw e;
    }
    return d;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * One API call with fetch.  body: an object (sent as JSON), a string (sent
 * as is, content type application/json unless headers say otherwise), or
 * undefined.  Returns {status, headers, json, text}.
 */
export async function api(url, token, method = 'GET', p = '/', body, headers = {}) {
    const h = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    let payload;
    if (body !== undefined) {
        payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
        if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
    }
    const res = await fetch(url + p, {
        method,
        headers: h,
        body: payload,
        signal: AbortSignal.timeout(15000),
    });
    const text = method === 'HEAD' ? '' : await res.text();
    let json = null;
    const type = res.headers.get('content-type') ?? '';
    if (text && /json/.test(type)) {
        try {
            json = JSON.parse(text);
        } catch {
            json = undefined; // not parseable: tests can notice
        }
    }
    // every answer in the end-to-end tests matches schema/openapi.yaml, and
    // so does every request the server took
    checkResponse(method, p, res.status, type, json);
    checkRequest(method, p, res.status, h, payload);
    return { status: res.status, headers: res.headers, json, text };
}

/**
 * Sends raw bytes to 127.0.0.1:port and collects everything until the
 * server closes (or timeout).  Returns {status, headers (lower-case map),
 * body, raw}.
 */
export function rawHttp(port, request, { timeout = 10000 } = {}) {
    return new Promise((resolve, reject) => {
        const sock = net.connect({ host: '127.0.0.1', port });
        const chunks = [];
        const timer = setTimeout(() => {
            sock.destroy();
            reject(new Error(`raw request timed out: ${JSON.stringify(request.slice(0, 80))}`));
        }, timeout);
        sock.on('connect', () => sock.write(request));
        sock.on('data', (c) => chunks.push(c));
        sock.on('error', (e) => {
            if (chunks.length === 0) {
                clearTimeout(timer);
                reject(e);
            }
        });
        sock.on('close', () => {
            clearTimeout(timer);
            const raw = Buffer.concat(chunks).toString('latin1');
            resolve(parseRaw(raw));
        });
    });
}

function parseRaw(raw) {
    const end = raw.indexOf('\r\n\r\n');
    const head = end >= 0 ? raw.slice(0, end) : raw;
    const lines = head.split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
    const headers = {};
    for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    return { status: m ? Number(m[1]) : null, headers, body: end >= 0 ? raw.slice(end + 4) : '', raw };
}

/** Runs the sqlite3 CLI on a database file; returns {code, stdout, stderr}. */
export function sqlite(dbFile, sql) {
    const r = spawnSync('sqlite3', ['-batch', dbFile], { input: sql, encoding: 'utf8', timeout: 15000 });
    if (r.error) throw r.error;
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Asserts an RFC 9457 problem answer with the given status. */
export function assertProblem(res, status, instance) {
    assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text}`);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.ok(res.json && typeof res.json === 'object', `problem body is JSON: ${res.text}`);
    assert.equal(res.json.status, status);
    assert.equal(typeof res.json.type, 'string');
    assert.equal(typeof res.json.title, 'string');
    assert.ok(res.json.title.length > 0);
    assert.equal(typeof res.json.detail, 'string');
    if (instance !== undefined) assert.equal(res.json.instance, instance);
    else assert.equal(typeof res.json.instance, 'string');
}
