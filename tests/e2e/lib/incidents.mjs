// SPDX-License-Identifier: EUPL-1.2
// incidents.mjs - helpers for the incident end-to-end tests: tokens per
// role, requests on fresh connections (so concurrent requests really
// overlap), RFC 3339 times, walking the paged list.
import assert from 'node:assert/strict';
import http from 'node:http';
import { api, cli } from './daemon.mjs';

export const BASE = '/api/v1/incidents';

/** Creates a token with the CLI on a running daemon's data directory. */
export function createToken(d, name, role) {
    const r = cli(['token', 'create', '--name', name, '--role', role], { dataDir: d.dataDir });
    assert.equal(r.code, 0, `token create ${name} ${role}: ${r.stderr}`);
    const token = r.stdout.trim();
    assert.match(token, /^mp_[A-Za-z0-9_-]{43}$/);
    return token;
}

/**
 * One request on its own TCP connection (node:http, agent false).  body: an
 * object (sent as JSON) or a string.  Returns {status, headers (lower-case
 * object), json, text}.
 */
export function request(d, token, method, p, body, headers = {}, { timeout = 15000 } = {}) {
    return new Promise((resolve, reject) => {
        const h = { ...headers };
        if (token) h.authorization = `Bearer ${token}`;
        let payload;
        if (body !== undefined) {
            payload = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
            if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
            h['content-length'] = String(payload.length);
        }
        const req = http.request(
            { host: '127.0.0.1', port: d.port, method, path: p, headers: h, agent: false, timeout },
            (res) => {
                const chunks = [];
                res.on('data', (c) => chunks.push(c));
                res.on('end', () => {
                    const text = Buffer.concat(chunks).toString('utf8');
                    let json = null;
                    if (text && /json/.test(res.headers['content-type'] ?? '')) {
                        try {
                            json = JSON.parse(text);
                        } catch {
                            json = undefined;
                        }
                    }
                    resolve({ status: res.statusCode, headers: res.headers, json, text });
                });
                res.on('error', reject);
            },
        );
        req.on('timeout', () => req.destroy(new Error(`${method} ${p} timed out`)));
        req.on('error', reject);
        if (payload) req.write(payload);
        req.end();
    });
}

/** RFC 3339 UTC without fraction for a Date or epoch milliseconds. */
export function iso(t) {
    return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Creates an incident with fetch; asserts 201; returns the body. */
export async function createIncident(d, token, body, headers = {}) {
    const res = await api(d.url, token, 'POST', BASE, body, headers);
    assert.equal(res.status, 201, `create: ${res.text}`);
    return res.json;
}

/** Moves an incident; asserts 200; returns the body. */
export async function transition(d, token, id, to, note) {
    const res = await api(d.url, token, 'POST', `${BASE}/${id}/transitions`, note === undefined ? { to } : { to, note });
    assert.equal(res.status, 200, `transition to ${to}: ${res.text}`);
    return res.json;
}

/**
 * Walks every page of the list with the query (an object of parameters);
 * between(pageIndex) runs (awaited) after each page.  Returns {items, pages}.
 */
export async function listAll(d, token, query = {}, { between } = {}) {
    const items = [];
    const pages = [];
    let cursor = null;
    for (let i = 0; i < 1000; i++) {
        const q = new URLSearchParams({ ...query });
        if (cursor) q.set('cursor', cursor);
        const res = await api(d.url, token, 'GET', `${BASE}?${q}`);
        assert.equal(res.status, 200, `list page ${i}: ${res.text}`);
        assert.ok(Array.isArray(res.json.items));
        assert.ok('next_cursor' in res.json, 'the answer names next_cursor');
        pages.push(res.json.items.map((x) => x.id));
        items.push(...res.json.items);
        cursor = res.json.next_cursor;
        if (between) await between(i);
        if (cursor === null) return { items, pages };
        assert.equal(typeof cursor, 'string');
    }
    throw new Error('the list did not end within 1000 pages');
}

/** The value of a metric line such as name{label="x"} in Prometheus text. */
export function metric(text, line) {
    const l = text.split('\n').find((x) => x.startsWith(`${line} `));
    return l === undefined ? undefined : Number(l.slice(line.length + 1));
}
