// openapi.mjs - checks an HTTP answer against schema/openapi.yaml (as the
// build converted it: build/gen/openapi.json).  daemon.mjs's api() calls
// checkResponse() on every answer, so every response in the end-to-end
// tests is validated: the route and method are described, the status is
// documented, and a JSON body matches the documented schema.
//
// The schema check is the subset of JSON Schema the description uses:
// $ref, allOf, type (also as a list), enum, required, properties, items,
// pattern, minimum, maximum, minLength, maxLength.  Unknown members are
// allowed (the description lists what a client may rely on).
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
export const SPEC_FILE = path.join(ROOT, 'build/gen/openapi.json');

let spec = null;
let matchers = null;

export function loadSpec() {
    if (spec) return spec;
    spec = JSON.parse(fs.readFileSync(SPEC_FILE, 'utf8'));
    // literal paths before templated ones, fewer parameters first
    matchers = Object.keys(spec.paths)
        .map((p) => ({
            path: p,
            params: (p.match(/\{/g) ?? []).length,
            re: new RegExp('^' + p.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+') + '$'),
        }))
        .sort((a, b) => a.params - b.params);
    return spec;
}

/** The described path a request path falls under, or null. */
export function describedPath(p) {
    loadSpec();
    return matchers.find((m) => m.re.test(p))?.path ?? null;
}

function resolve(schema) {
    while (schema && schema.$ref) {
        const parts = schema.$ref.replace(/^#\//, '').split('/');
        schema = parts.reduce((o, k) => o?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
        if (!schema) throw new Error(`openapi: unresolved reference`);
    }
    return schema;
}

function typeOf(v) {
    if (v === null) return 'null';
    if (Array.isArray(v)) return 'array';
    if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
    return typeof v;
}

/** Problems with value against schema, as "pointer: reason" strings. */
export function validate(schema, value, at = '') {
    schema = resolve(schema);
    const errs = [];
    if (!schema) return errs;
    for (const sub of schema.allOf ?? []) errs.push(...validate(sub, value, at));
    if (schema.type) {
        const types = Array.isArray(schema.type) ? schema.type : [schema.type];
        const t = typeOf(value);
        if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) {
            errs.push(`${at || '/'}: is ${t}, not ${types.join(' or ')}`);
            return errs;
        }
    }
    if (schema.enum && !schema.enum.some((e) => e === value)) errs.push(`${at || '/'}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`);
    if (typeof value === 'string') {
        if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) errs.push(`${at}: does not match ${schema.pattern}`);
        if (schema.minLength !== undefined && [...value].length < schema.minLength) errs.push(`${at}: shorter than ${schema.minLength}`);
        if (schema.maxLength !== undefined && [...value].length > schema.maxLength) errs.push(`${at}: longer than ${schema.maxLength}`);
    }
    if (typeof value === 'number') {
        if (schema.minimum !== undefined && value < schema.minimum) errs.push(`${at}: below ${schema.minimum}`);
        if (schema.maximum !== undefined && value > schema.maximum) errs.push(`${at}: above ${schema.maximum}`);
    }
    if (value && typeof value === 'object' && !Array.isArray(value)) {
        for (const k of schema.required ?? []) if (!(k in value)) errs.push(`${at}/${k}: required, missing`);
        for (const [k, sub] of Object.entries(schema.properties ?? {}))
            if (k in value) errs.push(...validate(sub, value[k], `${at}/${k}`));
    }
    if (Array.isArray(value) && schema.items) value.forEach((v, i) => errs.push(...validate(schema.items, v, `${at}/${i}`)));
    return errs;
}

// the test-build-only routes (/api/v1/test/) are not part of the API
const CHECKED = /^\/(api\/(?!v1\/test\/)|healthz$|readyz$|metrics$)/;

/**
 * Throws when an answer does not match the description: method, path
 * (without query), status, content type, and the JSON body (json: parsed,
 * or null/undefined when the body was not JSON).
 */
export function checkResponse(method, rawPath, status, contentType, json) {
    const p = rawPath.split('?')[0];
    if (!CHECKED.test(p)) return;
    loadSpec();
    const where = `${method} ${p} -> ${status}`;
    const described = describedPath(p);
    const m = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
    const op = described ? spec.paths[described][m] : undefined;
    let response;
    if (!op) {
        // what the server has no route for is refused before or by routing
        // (401, 404, 405, 400 for a path that is not UTF-8 ...): a problem
        if (status < 400)
            throw new Error(`openapi: ${where}: ${described ? `no ${m} operation on ${described}` : 'path not described'} in schema/openapi.yaml`);
        response = resolve({ $ref: '#/components/responses/Problem' });
    } else {
        const r = op.responses;
        response = r[String(status)] ?? r[`${String(status)[0]}XX`] ?? r.default;
        if (!response) throw new Error(`openapi: ${where}: status not documented for ${m} ${described}`);
        response = resolve(response);
    }
    if (method.toUpperCase() === 'HEAD' || status === 204) return;
    const type = (contentType ?? '').split(';')[0].trim();
    const content = response.content ?? {};
    if (!(type in content)) {
        if (Object.keys(content).length === 0 && !type) return;
        throw new Error(`openapi: ${where}: content type ${type || '(none)'} not documented (${Object.keys(content).join(', ') || 'no body'})`);
    }
    if (/json/.test(type)) {
        if (json === undefined || json === null) throw new Error(`openapi: ${where}: the body is not JSON`);
        const errs = validate(content[type].schema ?? {}, json);
        if (errs.length) throw new Error(`openapi: ${where}: the body does not match schema/openapi.yaml:\n  ${errs.slice(0, 10).join('\n  ')}`);
    }
}
