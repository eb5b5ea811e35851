// SPDX-License-Identifier: EUPL-1.2
// i18n.test.mjs - every text the front end shows exists in Dutch and in
// English: the two dictionaries have the same keys, and every key the
// pages ask for with t('…') is in them (keys built from API values, such
// as 'state_' + state, are checked against the values the API knows).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const WEB = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../web');

// i18n.js touches these browser globals only when the language is set
globalThis.document = { documentElement: {}, querySelectorAll: () => [] };
globalThis.localStorage = { getItem: () => null, setItem: () => {} };
globalThis.navigator = { language: 'nl-NL' };
const { keys, t, setLang, extend } = await import(path.join(WEB, 'lib/i18n.js'));
// the incident page's words, loaded with that page, join the same dictionaries
await import(path.join(WEB, 'lib/i18n_incident.js'));
await import(path.join(WEB, 'lib/i18n_errors.js'));
await import(path.join(WEB, 'lib/i18n_profile.js'));
// the second factor's words (issue 21), joined when app.js loads
await import(path.join(WEB, 'lib/i18n_mfa.js'));
await import(path.join(WEB, 'lib/i18n_mfa_nav.js'));
await import(path.join(WEB, 'lib/i18n_passkeys.js'));
await import(path.join(WEB, 'lib/i18n_oidc.js'));
// words a page module brings along when it loads (extend): checked the same way
extend(await import(path.join(WEB, 'lib/i18n_reminders.js')));
extend(await import(path.join(WEB, 'lib/i18n_formats.js')));
extend(await import(path.join(WEB, 'lib/i18n_iocs.js'))); // issue 22: indicators of compromise
// the exercises' words (issue 22): the marker's on the first load, the pages' with them
await import(path.join(WEB, 'lib/i18n_exercise_marker.js'));
await import(path.join(WEB, 'lib/i18n_exercises.js'));
// the sessions' and token limits' words join on import (issue 21)
await import(path.join(WEB, 'lib/i18n_sessions.js'));
// the statistics page's words (issue 22), joined when app.js loads
await import(path.join(WEB, 'lib/i18n_statistics_nav.js'));
await import(path.join(WEB, 'lib/i18n_statistics.js'));

function sources() {
    const out = [];
    const walk = (d) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) walk(p);
            else if (p.endsWith('.js')) out.push(fs.readFileSync(p, 'utf8'));
        }
    };
    walk(WEB);
    return out.join('\n');
}

test('Dutch and English have the same keys', () => {
    const { en, nl } = keys();
    assert.deepEqual(
        en.filter((k) => !nl.includes(k)),
        [],
        'in English only',
    );
    assert.deepEqual(
        nl.filter((k) => !en.includes(k)),
        [],
        'in Dutch only',
    );
});

test('every key the pages use exists', () => {
    const { en } = keys();
    const used = new Set([...sources().matchAll(/\bt\('([a-z_0-9]+)'\s*[,)]/g)].map((m) => m[1]));
    assert.ok(used.size > 100, `found ${used.size} keys`);
    assert.deepEqual(
        [...used].filter((k) => !en.includes(k)),
        [],
    );
    const families = {
        state_: ['detected', 'triage', 'confirmed', 'contained', 'resolved', 'closed', 'dismissed'],
        sev_: ['low', 'medium', 'high', 'critical'],
        role_: ['viewer', 'analyst', 'manager', 'admin', 'ingest'],
        ob_: ['pending', 'submitted', 'missed', 'waived'],
        nstate_: ['draft', 'approved', 'submitted'],
        tri_: ['yes', 'no', 'undetermined'],
        rcp_: [
            'csirt',
            'supervisor',
            'dpa',
            'cer_authority',
            'financial_supervisor',
            'trust_supervisor',
            'data_subjects',
            'clients',
        ],
        cause_: ['malicious', 'accidental', 'system_failure', 'natural', 'third_party', 'unknown'],
        astate_: ['new', 'acknowledged', 'incident', 'dismissed', 'muted'],
        astatus_: ['firing', 'resolved'],
        asev_: ['info', 'low', 'medium', 'high', 'critical'],
        outcome_: ['essential', 'important', 'out_of_scope'],
        size_: ['micro', 'small', 'medium', 'large'],
        kind_: ['assets', 'threats', 'scenarios', 'measures', 'suppliers', 'functions', 'matrix'],
        kindhint_: ['assets', 'threats', 'scenarios', 'measures', 'suppliers', 'functions'],
        add_: ['assets', 'threats', 'scenarios', 'measures', 'suppliers', 'functions'],
        kind1_: ['asset', 'threat', 'scenario', 'measure', 'supplier', 'function'],
        lvl_: ['low', 'medium', 'high', 'critical'],
        rel_: ['affects', 'realised', 'produced'],
        rf_: 'type importance crown_jewel owner description depends_on suppliers category threat asset likelihood impact residual_likelihood residual_impact treatment decided_by decision_reason status scenarios due_date evidence last_tested plan supplies criticality services contact alternative no_alternative service people training_interval_days'.split(
            ' ',
        ),
        fmt_: ['json', 'csv'],
        att_: ['overdue_measures', 'training_lapsed', 'suppliers_without_alternative'],
        rv_: [
            'service',
            'process',
            'information',
            'location',
            'system',
            'people',
            'physical',
            'digital',
            'both',
            'reduce',
            'accept',
            'avoid',
            'share',
            'preventive',
            'detective',
            'corrective',
            'recovery',
            'planned',
            'in_progress',
            'implemented',
            'tested',
            'none',
            'continuity',
            'crisis',
            'low',
            'medium',
            'high',
            'critical',
        ],
    };
    for (const [prefix, values] of Object.entries(families))
        for (const v of values) assert.ok(en.includes(prefix + v), `${prefix}${v}`);
});

test('placeholders are filled in both languages', () => {
    setLang('nl');
    assert.equal(t('time_left', { d: '01:00:00' }), 'nog 01:00:00');
    setLang('en');
    assert.equal(t('time_left', { d: '01:00:00' }), '01:00:00 left');
    assert.equal(t('no_such_key'), 'no_such_key');
});

test('every word of the server vocabulary has a label (GET /api/v1/schema)', async () => {
    const { api, startDaemon } = await import('../e2e/lib/daemon.mjs');
    const d = await startDaemon();
    try {
        const res = await api(d.url, d.adminToken, 'GET', '/api/v1/schema');
        assert.equal(res.status, 200, res.text);
        const { en } = keys();
        const inc = res.json.incident;
        const families = {
            state_: inc.states,
            sev_: inc.severities,
            cat_: inc.categories,
            cause_: inc.causes,
            astate_: res.json.alert.states,
            asev_: res.json.alert.severities,
            // issue 17: every impact fact by its label, never its key
            fact_: inc.facts.map((f) => f.name),
        };
        for (const [prefix, values] of Object.entries(families)) {
            assert.ok(values.length > 0, prefix);
            for (const v of values) assert.ok(en.includes(prefix + v), `${prefix}${v} has no label`);
        }
        assert.ok(inc.facts.length >= 40 && inc.facts.every((f) => f.name && f.kind), 'facts with kinds');
        assert.deepEqual(inc.transitions.closed, [], 'closed is final');
    } finally {
        await d.stopClean();
    }
});

test('every error code the server can send has words in Dutch and English (server/lib/error.c, ErrorCode in the OpenAPI file)', () => {
    const root = path.resolve(WEB, '..');
    const src = fs.readFileSync(path.join(root, 'server/lib/error.c'), 'utf8');
    const body = src.slice(src.indexOf('codes[] = {'), src.indexOf('\n}\n', src.indexOf('mp_error_code(int')));
    // the table's codes ({"needle", "code"}) and the codes by status (return ("code");)
    const fromC = new Set([
        ...[...body.matchAll(/\{"(?:[^"\\]|\\.)*", "([a-z_]+)"\}/g)].map((m) => m[1]),
        ...[...body.matchAll(/return \("([a-z_]+)"\)/g)].map((m) => m[1]),
    ]);
    assert.ok(fromC.size >= 30, `found ${fromC.size} codes in error.c`);
    const yaml = fs.readFileSync(path.join(root, 'schema/openapi.yaml'), 'utf8');
    const at = yaml.indexOf('    ErrorCode:');
    const list = yaml.slice(yaml.indexOf('enum: [', at) + 7, yaml.indexOf(']', yaml.indexOf('enum: [', at)));
    const fromApi = new Set(list.split(',').map((s) => s.trim()));
    assert.deepEqual(
        [...fromC].filter((c) => !fromApi.has(c)),
        [],
        'sent by error.c but not in ErrorCode',
    );
    for (const code of new Set([...fromC, ...fromApi])) {
        setLang('en');
        const en = t(`err_${code}`);
        setLang('nl');
        const nl = t(`err_${code}`);
        assert.notEqual(en, `err_${code}`, `err_${code} has no English words`);
        assert.notEqual(nl, `err_${code}`, `err_${code} has no Dutch words`);
        assert.notEqual(nl, en, `err_${code}: the Dutch words are the English ones`);
    }
    setLang('en');
});

test('legal sources read in Dutch in the Dutch interface: every criterion, regime and recurrence source of the rule files (lawRef)', async () => {
    // sentences.js (via dom.js) ticks countdowns each second: an interval that must not keep this process alive
    const setIntervalWas = globalThis.setInterval;
    globalThis.setInterval = (f, ms) => setIntervalWas(f, ms).unref();
    const { lawRef } = await import(path.join(WEB, 'lib/sentences.js'));
    globalThis.setInterval = setIntervalWas;
    const ENGLISH =
        /\b(?:Directive|Regulation|Implementing|Delegated|Commission|Recommendation|Annex(?:es)?|recital|as amended|subparagraph|point|secondary|UNCONFIRMED|and|arts\.|No)\b/;
    const sources = [];
    // what the incident page shows: the regime's, each criterion's and the recurrence rule's source; a
    // report's (stages) is the rule author's explanation, not shown
    const walk = (x) => {
        if (Array.isArray(x)) return x.forEach(walk);
        if (!x || typeof x !== 'object') return;
        for (const [k, v] of Object.entries(x))
            if (k === 'source' && typeof v === 'string') sources.push(v);
            else if (k !== 'stages') walk(v);
    };
    const dir = path.resolve(WEB, '../config/rules');
    for (const f of fs.readdirSync(dir)) walk(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
    assert.ok(sources.length > 80, `${sources.length} sources`);
    setLang('nl');
    const english = [...new Set(sources)].map(lawRef).filter((s) => ENGLISH.test(s));
    setLang('en');
    assert.deepEqual(english, []);
    assert.equal(
        lawRef('Regulation (EU) No 910/2014 art. 24(2) as amended by Regulation (EU) 2024/1183'),
        'Regulation (EU) No 910/2014 art. 24(2) as amended by Regulation (EU) 2024/1183',
        'English stays English',
    );
});
