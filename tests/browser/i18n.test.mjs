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
globalThis.document = { documentElement: {} };
globalThis.localStorage = { getItem: () => null, setItem: () => {} };
globalThis.navigator = { language: 'nl-NL' };
const { keys, t, setLang, extend } = await import(path.join(WEB, 'lib/i18n.js'));
// the incident page's words, loaded with that page, join the same dictionaries
await import(path.join(WEB, 'lib/i18n_incident.js'));
await import(path.join(WEB, 'lib/i18n_errors.js'));
await import(path.join(WEB, 'lib/i18n_oidc.js'));
// words a page module brings along when it loads (extend): checked the same way
extend(await import(path.join(WEB, 'lib/i18n_reminders.js')));

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
    assert.deepEqual(en.filter((k) => !nl.includes(k)), [], 'in English only');
    assert.deepEqual(nl.filter((k) => !en.includes(k)), [], 'in Dutch only');
});

test('every key the pages use exists', () => {
    const { en } = keys();
    const used = new Set([...sources().matchAll(/\bt\('([a-z_0-9]+)'\s*[,)]/g)].map((m) => m[1]));
    assert.ok(used.size > 100, `found ${used.size} keys`);
    assert.deepEqual([...used].filter((k) => !en.includes(k)), []);
    const families = {
        state_: ['detected', 'triage', 'confirmed', 'contained', 'resolved', 'closed', 'dismissed'],
        sev_: ['low', 'medium', 'high', 'critical'],
        role_: ['viewer', 'analyst', 'manager', 'admin', 'ingest'],
        ob_: ['pending', 'submitted', 'missed', 'waived'],
        nstate_: ['draft', 'approved', 'submitted'],
        tri_: ['yes', 'no', 'undetermined'],
        rcp_: ['csirt', 'supervisor', 'dpa', 'cer_authority', 'financial_supervisor', 'trust_supervisor', 'data_subjects', 'clients'],
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
        rf_: 'type importance crown_jewel owner description depends_on suppliers category threat asset likelihood impact residual_likelihood residual_impact treatment decided_by decision_reason status scenarios due_date evidence last_tested plan supplies criticality services contact alternative no_alternative service people training_interval_days'.split(' '),
        att_: ['overdue_measures', 'training_lapsed', 'suppliers_without_alternative'],
        rv_: ['service', 'process', 'information', 'location', 'system', 'people', 'physical', 'digital', 'both', 'reduce', 'accept', 'avoid', 'share',
            'preventive', 'detective', 'corrective', 'recovery', 'planned', 'in_progress', 'implemented', 'tested', 'none', 'continuity', 'crisis',
            'low', 'medium', 'high', 'critical'],
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
