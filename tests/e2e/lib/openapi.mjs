// SPDX-License-Identifier: EUPL-1.2
// openapi.mjs - checks HTTP requests and answers against schema/openapi.yaml
// (as the build converted it: build/gen/openapi.json).  daemon.mjs's api()
// calls checkExchange() on every call, so every answer in the end-to-end
// tests is validated (the route and method are described, the status is
// documented, the content type and a JSON body match), and so is every
// request that the server took (a 2xx answer): its query and path
// parameters, its content type and its body.  A request the server refused
// is not checked: the tests send malformed and invalid ones on purpose, and
// the description says what a client may send, not what it may try.
//
// The schemas are checked by ajv (tests/e2e/package.json, installed by `make
// test`, `make e2e` or `npm ci` in tests/e2e): OpenAPI 3.1's schemas are JSON
// Schema 2020-12, so ajv's 2020 build, in strict mode, with ajv-formats for
// date-time and date.  The whole description is one schema document to ajv,
// so a "$ref" anywhere in it resolves as it does for any other reader; the
// OpenAPI keywords that are not JSON Schema are declared to ajv as keywords
// without validation.  Members a schema does not list are allowed unless it
// says additionalProperties: false (the description lists what a client may
// rely on).
import fs from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
export const SPEC_FILE = path.join(ROOT, 'build/gen/openapi.json');
const SPEC_ID = 'meldpunt-openapi.json';

// Keywords of an OpenAPI document (its top level, operations, parameters,
// media types and the schema object's own additions) that ajv does not know.
const OPENAPI_KEYWORDS = [
    'openapi', 'info', 'servers', 'paths', 'components', 'security', 'tags', 'webhooks',
    'jsonSchemaDialect', 'externalDocs', 'discriminator', 'xml', 'example',
];

let spec = null;
let matchers = null;
let ajv = null;
const compiled = new Map();

export function loadSpec() {
    if (spec) return spec;
    spec = JSON.parse(fs.readFileSync(SPEC_FILE, 'utf8'));
    // literal paths before templated ones, fewer parameters first
    matchers = Object.keys(spec.paths)
        .map((p) => ({
            path: p,
            params: (p.match(/\{/g) ?? []).length,
            names: [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]),
            re: new RegExp('^' + p.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '([^/]+)') + '$'),
        }))
        .sort((a, b) => a.params - b.params);
    // strict: an unknown keyword or a misspelt one is an error in the
    // description; but a "required" may name a member another branch of an
    // allOf defines, which is plain JSON Schema (strictRequired would refuse)
    ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true, allowUnionTypes: true, inlineRefs: false });
    addFormats(ajv, ['date-time', 'date']);
    ajv.addVocabulary(OPENAPI_KEYWORDS);
    ajv.addSchema(spec, SPEC_ID);
    compileAll();
    return spec;
}

/* Every schema of every operation (parameters, request bodies, answers),
 * compiled once when the module is loaded: a schema no test reaches is
 * still checked (strict mode refuses unknown or misplaced keywords), and no
 * test pays for compiling in the middle of what it times. */
function compileAll() {
    for (const [p, item] of Object.entries(spec.paths)) {
        const base = `#/paths/${escape(p)}`;
        const params = (ptr, list) =>
            (list ?? []).forEach((_, i) => {
                const { pointer, value } = deref(`${ptr}/parameters/${i}`);
                if (value.schema) validateAt(`${pointer}/schema`, undefined);
            });
        params(base, item.parameters);
        for (const m of ['get', 'put', 'post', 'patch', 'delete']) {
            const op = item[m];
            if (!op) continue;
            params(`${base}/${m}`, op.parameters);
            const media = ({ pointer, value }) =>
                Object.entries(value.content ?? {}).forEach(([type, mt]) => {
                    if (mt.schema) validateAt(`${pointer}/content/${escape(type)}/schema`, undefined);
                });
            if (op.requestBody) media(deref(`${base}/${m}/requestBody`));
            for (const code of Object.keys(op.responses ?? {})) media(deref(`${base}/${m}/responses/${escape(code)}`));
        }
    }
}

/** The described path a request path falls under, or null. */
export function describedPath(p) {
    loadSpec();
    return matchers.find((m) => m.re.test(p))?.path ?? null;
}

const escape = (k) => String(k).replace(/~/g, '~0').replace(/\//g, '~1');
const unescape = (k) => k.replace(/~1/g, '/').replace(/~0/g, '~');

/** The object at a JSON pointer ("#/a/b") of the description. */
function at(pointer) {
    const v = pointer
        .replace(/^#\/?/, '')
        .split('/')
        .filter((k) => k !== '')
        .reduce((o, k) => o?.[unescape(k)], spec);
    if (v === undefined) throw new Error(`openapi: nothing at ${pointer}`);
    return v;
}

/** Follows a component's $ref (a response, a parameter, a request body):
 * {pointer, value}. */
function deref(pointer) {
    let v = at(pointer);
    for (let n = 0; v && typeof v.$ref === 'string'; n++) {
        if (n > 10) throw new Error(`openapi: $ref loop at ${pointer}`);
        pointer = v.$ref;
        v = at(pointer);
    }
    return { pointer, value: v };
}

/** Problems with value against the schema at pointer, as "where: why". */
function validateAt(pointer, value) {
    let check = compiled.get(pointer);
    if (!check) {
        check = ajv.compile({ $ref: `${SPEC_ID}${pointer}` });
        compiled.set(pointer, check);
    }
    if (check(value)) return [];
    return check.errors.map((e) => `${e.instancePath || '/'}: ${e.message}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''} (${e.schemaPath})`);
}

/** Problems with value against an inline schema object (for tests). */
export function validate(schema, value) {
    loadSpec();
    const check = ajv.compile(schema);
    return check(value) ? [] : check.errors.map((e) => `${e.instancePath || '/'}: ${e.message}`);
}

// the test-build-only routes (/api/v1/test/) are not part of the API
const CHECKED = /^\/(api\/(?!v1\/test\/)|healthz$|readyz$|metrics$)/;

/** The operation a request falls under: {described, m, opPointer, op}. */
function operation(method, p) {
    const described = describedPath(p);
    const m = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
    const op = described ? spec.paths[described][m] : undefined;
    const opPointer = described ? `#/paths/${escape(described)}/${m}` : null;
    return { described, m, op, opPointer };
}

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
    const { described, m, op, opPointer } = operation(method, p);
    let response;
    if (!op) {
        // what the server has no route for is refused before or by routing
        // (401, 404, 405, 400 for a path that is not UTF-8 ...): a problem
        if (status < 400)
            throw new Error(`openapi: ${where}: ${described ? `no ${m} operation on ${described}` : 'path not described'} in schema/openapi.yaml`);
        response = deref('#/components/responses/Problem');
    } else {
        const r = op.responses;
        const code = [String(status), `${String(status)[0]}XX`, 'default'].find((c) => c in r);
        if (!code) throw new Error(`openapi: ${where}: status not documented for ${m} ${described}`);
        response = deref(`${opPointer}/responses/${escape(code)}`);
    }
    if (method.toUpperCase() === 'HEAD' || status === 204) return;
    const type = (contentType ?? '').split(';')[0].trim();
    const content = response.value.content ?? {};
    if (!(type in content)) {
        if (Object.keys(content).length === 0 && !type) return;
        throw new Error(`openapi: ${where}: content type ${type || '(none)'} not documented (${Object.keys(content).join(', ') || 'no body'})`);
    }
    if (/json/.test(type)) {
        if (json === undefined || json === null) throw new Error(`openapi: ${where}: the body is not JSON`);
        if (!content[type].schema) return;
        const errs = validateAt(`${response.pointer}/content/${escape(type)}/schema`, json);
        if (errs.length) throw new Error(`openapi: ${where}: the answer does not match schema/openapi.yaml:\n  ${errs.slice(0, 10).join('\n  ')}`);
    }
}

/** A parameter's text as the JSON value its schema describes. */
function paramValue(schema, text) {
    const types = [].concat(schema?.type ?? []);
    if ((types.includes('integer') || types.includes('number')) && /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
    if (types.includes('boolean') && (text === 'true' || text === 'false')) return text === 'true';
    return text;
}

/**
 * Throws when a request the server took (status 2xx) is not one the
 * description allows: every query parameter described (and the required ones
 * present), path and query parameters matching their schemas, and a body
 * only where one is described, of a described content type, matching its
 * schema.  body: what was sent (a string, bytes, or undefined).
 */
export function checkRequest(method, rawPath, status, headers, body) {
    const [p, query = ''] = rawPath.split(/\?(.*)/s);
    if (!CHECKED.test(p) || status < 200 || status > 299) return;
    loadSpec();
    const where = `${method} ${rawPath} (answered ${status})`;
    const { described, op, opPointer } = operation(method, p);
    if (!op) return; // checkResponse says so
    const errs = [];

    // parameters: the path item's, overridden by the operation's
    const params = new Map();
    for (const base of [`#/paths/${escape(described)}`, opPointer]) {
        (at(base).parameters ?? []).forEach((_, i) => {
            const { pointer, value } = deref(`${base}/parameters/${i}`);
            params.set(`${value.in}:${value.name}`, { pointer, value });
        });
    }
    const given = [];
    const pm = matchers.find((x) => x.path === described);
    pm.names.forEach((n, i) => given.push(['path', n, decodeURIComponent(pm.re.exec(p)[i + 1])]));
    for (const [k, v] of new URLSearchParams(query)) given.push(['query', k, v]);
    for (const [where_, name, text] of given) {
        const param = params.get(`${where_}:${name}`);
        if (!param) {
            errs.push(`${where_} parameter ${name}: not described`);
            continue;
        }
        if (param.value.schema)
            for (const e of validateAt(`${param.pointer}/schema`, paramValue(param.value.schema, text)))
                errs.push(`${where_} parameter ${name}=${JSON.stringify(text)}: ${e}`);
    }
    for (const [key, { value }] of params)
        if (value.required && value.in === 'query' && !given.some(([w, n]) => `${w}:${n}` === key))
            errs.push(`query parameter ${value.name}: required, missing`);

    // the body
    const hasBody = body !== undefined && body !== null && body.length !== 0;
    const lower = Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const type = (lower['content-type'] ?? '').split(';')[0].trim();
    if (!op.requestBody) {
        if (hasBody) errs.push('a body, where none is described');
    } else {
        const rb = deref(`${opPointer}/requestBody`);
        if (!hasBody) {
            if (rb.value.required) errs.push('no body, where one is required');
        } else if (!(type in (rb.value.content ?? {}))) {
            errs.push(`content type ${type || '(none)'} not described (${Object.keys(rb.value.content ?? {}).join(', ')})`);
        } else if (/json/.test(type) && rb.value.content[type].schema) {
            let value;
            try {
                value = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
            } catch {
                errs.push('the body is not JSON, yet it was taken');
            }
            if (value !== undefined)
                for (const e of validateAt(`${rb.pointer}/content/${escape(type)}/schema`, value)) errs.push(`body ${e}`);
        }
    }
    if (errs.length) throw new Error(`openapi: ${where}: the request does not match schema/openapi.yaml:\n  ${errs.slice(0, 10).join('\n  ')}`);
}

// loaded, and every schema compiled, when the module is: see compileAll
loadSpec();
