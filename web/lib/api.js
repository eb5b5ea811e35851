// SPDX-License-Identifier: EUPL-1.2
// api.js - the one way pages talk to the server: same-origin fetch with the
// session cookie, the CSRF token on every unsafe method, and RFC 9457
// problems turned into ApiError (status, words, field errors).  When the
// session is lost (401), the sign-in dialog opens over the page - so what
// was typed stays - and the request is sent once more after signing in.
import { t } from './i18n.js';

let csrf = null;
let lostHandler = null;
let stepUpHandler = null;

export function setCsrf(token) {
    csrf = token;
}

/** fn() returns a promise that resolves once signed in again. */
export function onSessionLost(fn) {
    lostHandler = fn;
}

/** fn() returns a promise that resolves once a second-factor code was
 * accepted (step-up), and rejects when the user gave up. */
export function onStepUp(fn) {
    stepUpHandler = fn;
}

export class ApiError extends Error {
    constructor(status, problem) {
        super(problem?.detail || problem?.title || t('error_status', { status }));
        this.status = status;
        this.problem = problem ?? {};
        this.errors = Array.isArray(problem?.errors) ? problem.errors : [];
        this.retryAfter = null;
    }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * call('GET', '/incidents?limit=5') → parsed JSON (null for 204).
 * opts.ifMatch sets If-Match; opts.noRetry skips the re-sign-in.
 * Throws ApiError for any answer that is not 2xx, and for no answer at all.
 */
export async function call(method, path, body, opts = {}) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (UNSAFE.has(method) && csrf) headers['X-CSRF-Token'] = csrf;
    if (opts.ifMatch !== undefined) headers['If-Match'] = `"${opts.ifMatch}"`;
    let res;
    try {
        res = await fetch(`/api/v1${path}`, {
            method,
            headers,
            body: body === undefined ? undefined : JSON.stringify(body),
            credentials: 'same-origin',
            cache: 'no-store',
        });
    } catch {
        throw new ApiError(0, { detail: t('error_network') });
    }
    if (res.status === 401 && !opts.noRetry && !path.startsWith('/session') && lostHandler) {
        await lostHandler();
        return call(method, path, body, { ...opts, noRetry: true });
    }
    if (res.status === 204) return null;
    const type = res.headers.get('Content-Type') || '';
    let json = null;
    if (/json/.test(type)) {
        try {
            json = await res.json();
        } catch {
            json = null;
        }
    }
    // a change that needs a fresh second-factor check: ask for a code, then once more
    if (res.status === 403 && json?.code === 'step_up_required' && stepUpHandler && !opts.noStepUp) {
        try {
            await stepUpHandler();
        } catch {
            throw new ApiError(res.status, json);
        }
        return call(method, path, body, { ...opts, noStepUp: true });
    }
    if (!res.ok) {
        const e = new ApiError(res.status, json);
        e.retryAfter = res.headers.get('Retry-After');
        throw e;
    }
    return json;
}

export const get = (p, o) => call('GET', p, undefined, o);
export const post = (p, b, o) => call('POST', p, b ?? {}, o);
export const patch = (p, b, o) => call('PATCH', p, b, o);
export const put = (p, b, o) => call('PUT', p, b, o);
export const del = (p, o) => call('DELETE', p, undefined, o);

/** Path segment encoding for ids and names. */
export const seg = (s) => encodeURIComponent(s);
