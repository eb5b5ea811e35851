// SPDX-License-Identifier: EUPL-1.2
// formats.test.mjs - reports in the authorities' formats (issue 22): a
// worked DORA incident of a bank exported in the ITS 2025/302 template as
// JSON (the numbered fields with the values from the incident, the profile
// and the draft; every field it could not fill listed with the reason;
// checked against a JSON schema per format) and as CSV (parsed back, quoted
// properly); the NIS2 early warning in the sections of the Dutch form; bad
// requests refused naming the parameter; the incident's TLP respected.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { api, cli, startDaemon, tempDir } from './lib/daemon.mjs';
import { createIncident, createToken } from './lib/incidents.mjs';
import { addUser, approveAs } from './lib/session.mjs';

const FIXTURES = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures/formats');
const T0 = '2031-03-14T09:00:00Z';

function schemaCheck(name, doc) {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.schema.json`), 'utf8')));
    assert.ok(validate(doc), JSON.stringify(validate.errors, null, 1));
}

/** RFC 4180: quoted fields may hold commas, quotes ("") and line breaks. */
function parseCsv(text) {
    const rows = [];
    let row = [],
        field = '',
        quoted = false;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (quoted) {
            if (c === '"' && text[i + 1] === '"') {
                field += '"';
                i++;
            } else if (c === '"') quoted = false;
            else field += c;
        } else if (c === '"' && field === '') quoted = true;
        else if (c === ',') {
            row.push(field);
            field = '';
        } else if (c === '\r' && text[i + 1] === '\n') {
            row.push(field);
            rows.push(row);
            row = [];
            field = '';
            i++;
        } else {
            assert.notEqual(c, '"', `a bare quote in an unquoted field at ${i}`);
            assert.notEqual(c, '\n', `a bare line feed at ${i}`);
            field += c;
        }
    }
    assert.equal(field, '', 'the last row ends with CRLF');
    assert.equal(row.length, 0);
    return rows;
}

describe('reports in the authorities formats', () => {
    let d, analyst, viewer, greenViewer, inc, N, description;
    before(async () => {
        d = await startDaemon();
        await d.setClock({ now: '2031-03-14T12:00:00Z' });
        analyst = createToken(d, 'f-analyst', 'analyst');
        viewer = createToken(d, 'f-viewer', 'viewer');
        const r = cli(['token', 'create', '--name', 'f-green', '--role', 'viewer', '--tlp-max', 'green'], {
            dataDir: d.dataDir,
        });
        assert.equal(r.code, 0, r.stderr);
        greenViewer = r.stdout.trim();
        const org = await api(d.url, d.adminToken, 'GET', '/api/v1/organisation');
        const body = {
            ...org.json,
            name: 'Spaarbank Noord N.V.',
            kvk_number: '12345678',
            address: 'Dam 1, 1012 JS Amsterdam',
            sector: 'banking',
            nis2_class: 'essential',
            entity_types: [],
            dora_financial: true,
            annual_turnover_eur: 5e8,
        };
        delete body.version;
        delete body.updated_at;
        const put = await api(d.url, d.adminToken, 'PUT', '/api/v1/organisation', body);
        assert.equal(put.status, 200, put.text);
        description = 'Payment gateway breached, "admin" account misused,\nsee ticket 7';
        inc = await createIncident(d, analyst, {
            title: 'Payment gateway breach',
            description,
            tlp: 'amber',
            cause: 'malicious',
            detected_at: '2031-03-14T08:30:00Z',
            started_at: '2031-03-14T08:00:00Z',
            aware_at: T0,
            services: ['payments', 'iDEAL'],
            impact: {
                critical_service_affected: true,
                unauthorised_access: true,
                classified_major_at: T0,
                clients_affected: 1200,
                clients_total: 50000,
                unavailable_minutes: 1565,
                member_states: ['NL', 'BE'],
            },
        });
        let res = await api(d.url, analyst, 'POST', `/api/v1/incidents/${inc.id}/notifications`, {
            regime: 'dora',
            stage: 'initial',
            language: 'en',
        });
        assert.equal(res.status, 201, res.text);
        N = `/api/v1/notifications/${res.json.id}`;
        // the template's general contents the incident model lacks are the draft's
        for (const id of [
            'lei',
            'financial_entity_type',
            'contact_name',
            'contact_email',
            'contact_phone',
            'reporting_currency',
            'other_information',
        ])
            assert.ok(
                res.json.contents.some((c) => c.id === id),
                id,
            );
        res = await api(d.url, analyst, 'PATCH', N, {
            fields: {
                lei: '5493001KJTIIGC8Y1R12',
                financial_entity_type: 'credit institution',
                contact_name: 'J. Jansen',
                contact_email: 'ciso@spaarbank.example',
                contact_phone: '+31 20 000 0000',
                discovery: 'SOC alert on odd logins',
                bcp_activated: 'yes',
            },
        });
        assert.equal(res.status, 200, res.text);
    });
    after(async () => {
        await d.stopClean();
    });

    const exp = (t, q) => api(d.url, t, 'GET', `${N}/export?${q}`);

    test('the formats are listed, each UNCONFIRMED while its field list is', async () => {
        const res = await api(d.url, viewer, 'GET', '/api/v1/formats');
        assert.equal(res.status, 200, res.text);
        const dora = res.json.find((f) => f.format === 'dora-its-2025-302');
        assert.equal(dora.regime, 'dora');
        assert.equal(dora.status, 'UNCONFIRMED');
        assert.deepEqual(dora.stages, ['initial', 'intermediate', 'intermediate_recovery', 'final']);
        assert.ok(res.json.some((f) => f.format === 'nis2-23-4-nl' && f.regime === 'nis2'));
    });

    test('DORA JSON: the numbered fields hold the values of the worked incident; unfilled fields say why', async () => {
        const res = await exp(viewer, 'format=dora-its-2025-302&type=json');
        assert.equal(res.status, 200, res.text);
        assert.match(
            res.headers.get('content-disposition'),
            new RegExp(`filename="${inc.ref}_dora_initial_v1_dora-its-2025-302\\.json"`),
        );
        const x = res.json;
        schemaCheck('dora-its-2025-302', x);
        assert.equal(x.stage, 'initial');
        assert.equal(x.tlp, 'amber');
        assert.equal(x.incident, inc.ref);
        const f = x.fields;
        assert.equal(f['1.1'], 'initial notification');
        assert.equal(f['1.2'], 'Spaarbank Noord N.V.');
        assert.equal(f['1.3'], '5493001KJTIIGC8Y1R12');
        assert.deepEqual(f['1.4'], ['credit institution']);
        assert.equal(f['1.6'], '5493001KJTIIGC8Y1R12');
        assert.equal(f['1.8'], 'ciso@spaarbank.example');
        assert.equal(f['2.1'], inc.ref);
        assert.equal(f['2.2'], '2031-03-14T08:30:00Z');
        assert.equal(f['2.3'], T0);
        assert.equal(f['2.4'], description, 'the description prefilled from the incident');
        // the criteria that fired, in the template's code list, once each
        assert.ok(f['2.5'].includes('critical services affected'), JSON.stringify(f['2.5']));
        assert.ok(f['2.5'].includes('data losses'), JSON.stringify(f['2.5']));
        assert.equal(new Set(f['2.5']).size, f['2.5'].length);
        assert.deepEqual(f['2.6'], ['NL', 'BE']);
        assert.equal(f['2.9'], true);
        assert.equal(f['3.2'], '2031-03-14T08:00:00Z');
        assert.equal(f['3.4'], 1200);
        assert.equal(f['3.16'], '01:02:05', '1565 minutes as DD:HH:MM');
        assert.equal(f['3.23'], 'cybersecurity-related');
        assert.deepEqual(f['3.28'], ['payments', 'iDEAL']);
        const why = Object.fromEntries(x.unfilled.map((u) => [u.id, u]));
        assert.equal(why['1.10'].reason_code, 'not_held');
        assert.match(why['1.10'].reason, /one contact person/);
        assert.equal(why['1.13'].reason_code, 'not_held');
        assert.equal(why['3.1'].reason_code, 'not_in_draft', 'the initial draft has no authority reference');
        assert.equal(why['3.3'].reason_code, 'unknown', 'not recovered yet');
        assert.equal(why['4.1'].required, false, 'final-report fields are not required in an initial notification');
        assert.equal(why['1.2'], undefined);
        for (const [id, v] of Object.entries(f))
            assert.equal(v === null, id in why, `field ${id}: empty exactly when listed`);
    });

    test('values that do not fit are left out with the reason, never cut or guessed', async () => {
        let res = await api(d.url, analyst, 'PATCH', N, {
            fields: { lei: '5493001KJTIIGC8Y1R12XX', financial_entity_type: 'bank', bcp_activated: 'perhaps' },
        });
        assert.equal(res.status, 200, res.text);
        res = await exp(viewer, 'format=dora-its-2025-302');
        assert.equal(res.status, 200, res.text);
        schemaCheck('dora-its-2025-302', res.json);
        const why = Object.fromEntries(res.json.unfilled.map((u) => [u.id, u]));
        assert.equal(res.json.fields['1.6'], null);
        assert.equal(why['1.6'].reason_code, 'too_long');
        assert.equal(why['1.6'].required, true);
        assert.equal(why['1.4'].reason_code, 'not_in_code_list');
        assert.match(why['1.4'].reason, /'bank'/);
        assert.equal(why['2.9'].reason_code, 'not_a_boolean');
        // in Dutch when the draft is
        res = await api(d.url, analyst, 'PATCH', N, {
            language: 'nl',
            fields: { lei: '5493001KJTIIGC8Y1R12', financial_entity_type: 'credit institution', bcp_activated: 'ja' },
        });
        assert.equal(res.status, 200, res.text);
        res = await exp(viewer, 'format=dora-its-2025-302');
        assert.equal(res.json.language, 'nl');
        assert.match(res.json.unfilled.find((u) => u.id === '1.10').reason, /contactpersoon/);
        assert.equal(res.json.fields['2.9'], true);
    });

    test('DORA CSV: parses back, every field a row, quotes and line breaks kept, formulas disarmed', async () => {
        let res = await api(d.url, analyst, 'PATCH', N, { fields: { other_information: '=HYPERLINK("http://x")' } });
        assert.equal(res.status, 200, res.text);
        res = await exp(viewer, 'format=dora-its-2025-302&type=csv');
        assert.equal(res.status, 200, res.text);
        assert.match(res.headers.get('content-type'), /^text\/csv/);
        assert.match(res.headers.get('content-disposition'), /_dora-its-2025-302\.csv"/);
        const rows = parseCsv(res.text);
        assert.deepEqual(rows[0], ['field', 'section', 'name', 'value', 'required', 'note']);
        for (const r of rows) assert.equal(r.length, 6, JSON.stringify(r));
        const by = Object.fromEntries(rows.slice(1).map((r) => [r[0], r]));
        assert.equal(by.tlp[3], 'amber');
        assert.equal(by.stage[3], 'initial');
        assert.equal(by['2.4'][3], description, 'comma, quotes and line break survive');
        assert.equal(by['2.1'][4], 'yes');
        assert.equal(by['2.10'][3], `'=HYPERLINK("http://x")`);
        assert.equal(by['2.6'][3], 'NL; BE');
        assert.equal(by['3.4'][3], '1200');
        assert.equal(by['1.10'][3], '');
        assert.match(by['1.10'][5], /contactpersoon/);
        const json = (await exp(viewer, 'format=dora-its-2025-302')).json;
        assert.equal(
            rows.length - 1 - 8,
            Object.keys(json.fields).length,
            'one row per field after the eight meta rows',
        );
    });

    test('DORA final report: the final section from the draft and the incident, once the initial and intermediate reports were sent', async () => {
        const signer = addUser(d, 'f-signer', 'manager');
        const manager = createToken(d, 'f-manager', 'manager');
        const send = async (url, fields, body) => {
            let res = await api(d.url, analyst, 'PATCH', url, { fields });
            assert.equal(res.status, 200, res.text);
            res = await approveAs(d, signer, url);
            assert.equal(res.status, 200, res.text);
            res = await api(d.url, manager, 'POST', `${url}/submit`, body);
            assert.equal(res.status, 200, res.text);
        };
        await send(
            N,
            { reference: 'PAY-7', times: 'detected 08:30 UTC, major 09:00 UTC' },
            { channel: 'DNB portal', authority_reference: 'DNB-2031-17' },
        );
        const draft = async (stage) => {
            const res = await api(d.url, analyst, 'POST', `/api/v1/incidents/${inc.id}/notifications`, {
                regime: 'dora',
                stage,
                language: 'en',
            });
            assert.equal(res.status, 201, res.text);
            return `/api/v1/notifications/${res.json.id}`;
        };
        const I = await draft('intermediate');
        await send(
            I,
            {
                authority_reference: 'DNB-2031-17',
                times: 'occurred 08:00 UTC',
                criteria_detail: 'access to the gateway',
                incident_type: 'cybersecurity',
                affected_areas: 'payments',
                client_impact: 'payments delayed',
                recovery_measures: 'gateway isolated',
                counterparts_affected: '3',
            },
            { channel: 'DNB portal' },
        );
        let res = await api(d.url, viewer, 'GET', `${I}/export?format=dora-its-2025-302`);
        assert.equal(res.status, 200, res.text);
        schemaCheck('dora-its-2025-302', res.json);
        assert.equal(res.json.fields['1.1'], 'intermediate report');
        assert.equal(res.json.fields['3.1'], 'DNB-2031-17');
        assert.equal(res.json.fields['3.6'], 3);
        assert.equal(res.json.draft_state, 'submitted');
        assert.equal(
            res.json.unfilled.find((u) => u.id === '3.9').required,
            true,
            'section 3 is required from the intermediate report',
        );

        res = await api(d.url, analyst, 'PATCH', `/api/v1/incidents/${inc.id}`, {
            root_cause_category: 'malicious_action',
            root_cause: 'stolen admin password',
        });
        assert.equal(res.status, 200, res.text);
        const F = await draft('final');
        res = await api(d.url, analyst, 'PATCH', F, {
            fields: {
                root_causes: 'an admin password phished',
                resolution: 'passwords reset, MFA enforced',
                gross_costs: '250000',
                financial_recoveries: '10000.50',
                root_cause_addressed_at: '2031-03-20T10:00:00Z',
                resolved_at: '2031-03-19T17:00:00+01:00',
            },
        });
        assert.equal(res.status, 200, res.text);
        res = await api(d.url, viewer, 'GET', `${F}/export?format=dora-its-2025-302&type=json`);
        assert.equal(res.status, 200, res.text);
        schemaCheck('dora-its-2025-302', res.json);
        const f = res.json.fields;
        assert.equal(f['1.1'], 'final report');
        assert.equal(f['4.1'], 'malicious actions');
        assert.equal(f['4.5'], 'an admin password phished');
        assert.equal(f['4.6'], 'passwords reset, MFA enforced');
        assert.equal(f['4.7'], '2031-03-20T10:00:00Z');
        assert.equal(f['4.8'], '2031-03-19T16:00:00Z', 'in UTC');
        assert.equal(f['4.13'], 250000);
        assert.equal(f['4.14'], 10000.5);
        const why = Object.fromEntries(res.json.unfilled.map((u) => [u.id, u]));
        assert.equal(why['4.2'].reason_code, 'not_held');
        assert.equal(why['4.2'].required, false);
        assert.equal(why['3.1'].reason_code, 'not_in_draft');
    });

    test('NIS2 early warning: the sections of the Dutch form, filled from the profile and the draft', async () => {
        // NIS2 reporting is not a DORA financial entity's (lex specialis): a water company now
        const org = await api(d.url, d.adminToken, 'GET', '/api/v1/organisation');
        const body = { ...org.json, sector: 'drinking_water', dora_financial: false, annual_turnover_eur: 2e7 };
        delete body.version;
        delete body.updated_at;
        const put = await api(d.url, d.adminToken, 'PUT', '/api/v1/organisation', body);
        assert.equal(put.status, 200, put.text);
        const nis2 = await createIncident(d, analyst, {
            title: 'Branch: injured guard',
            aware_at: T0,
            impact: { persons_health_damaged: 1, scheduled_maintenance: false, suspected_malicious: true },
        });
        let res = await api(d.url, analyst, 'POST', `/api/v1/incidents/${nis2.id}/notifications`, {
            regime: 'nis2',
            stage: 'early_warning',
            language: 'en',
        });
        assert.equal(res.status, 201, res.text);
        const M = `/api/v1/notifications/${res.json.id}`;
        res = await api(d.url, analyst, 'PATCH', M, {
            fields: { contact_official: 'J. Jansen, CISO, +31 20 000 0000', cross_border: 'no' },
        });
        assert.equal(res.status, 200, res.text);
        res = await api(d.url, viewer, 'GET', `${M}/export?format=nis2-23-4-nl`);
        assert.equal(res.status, 200, res.text);
        schemaCheck('nis2-23-4-nl', res.json);
        const s = res.json.fields;
        assert.equal(s.report.type, 'early warning');
        assert.equal(s.report.obligation, 'mandatory');
        assert.equal(s.entity.kvk_number, '12345678');
        assert.equal(s.entity.address, 'Dam 1, 1012 JS Amsterdam');
        assert.equal(s.entity.sector, 'drinking_water');
        assert.equal(s.entity.class, 'essential');
        assert.equal(s.contact.details, 'J. Jansen, CISO, +31 20 000 0000');
        assert.equal(s.incident.suspected_malicious, true);
        assert.equal(s.cross_border.possible, false);
        assert.equal(s.iocs.indicators, null);
        const why = Object.fromEntries(res.json.unfilled.map((u) => [u.id, u]));
        assert.equal(why['notifier.name'].reason_code, 'unknown', 'nobody signed yet');
        assert.equal(why['notifier.job_title'].reason_code, 'not_held');
        // a NIS2 notification is not a DORA report
        res = await api(d.url, viewer, 'GET', `${M}/export?format=dora-its-2025-302`);
        assert.equal(res.status, 422, res.text);
        assert.equal(res.json.errors?.[0]?.field ?? res.json.field, 'format');
    });

    test('GDPR art. 33: the sections of the Dutch DPA form, art. 33(3)(a)-(d) from the draft', async () => {
        const breach = await createIncident(d, analyst, {
            title: 'Customer list mailed to the wrong address',
            aware_at: T0,
            impact: { personal_data_breach: true, data_subjects_affected: 340, cross_border: false },
        });
        let res = await api(d.url, analyst, 'POST', `/api/v1/incidents/${breach.id}/notifications`, {
            regime: 'gdpr',
            stage: 'notification',
            language: 'nl',
        });
        assert.equal(res.status, 201, res.text);
        const G = `/api/v1/notifications/${res.json.id}`;
        res = await api(d.url, analyst, 'PATCH', G, {
            fields: {
                nature: 'Klantenlijst (naam, adres) van 340 klanten naar een verkeerde ontvanger',
                contact_point: 'FG, fg@example.nl',
                measures: 'Ontvanger gevraagd te verwijderen',
            },
        });
        assert.equal(res.status, 200, res.text);
        res = await api(d.url, viewer, 'GET', `${G}/export?format=gdpr-33-ap-nl&type=json`);
        assert.equal(res.status, 200, res.text);
        schemaCheck('gdpr-33-ap-nl', res.json);
        const s = res.json.fields;
        assert.equal(s.organisation.name, 'Spaarbank Noord N.V.');
        assert.equal(s.organisation.kvk_number, '12345678');
        assert.match(s.breach.nature, /340 klanten/);
        assert.equal(s.contact.point, 'FG, fg@example.nl');
        assert.equal(s.subjects.number, 340);
        assert.equal(s.timeline.aware_at, T0);
        assert.equal(s.international.cross_border, false);
        const why = Object.fromEntries(res.json.unfilled.map((u) => [u.id, u]));
        assert.equal(why['consequences.likely'].reason_code, 'empty');
        assert.equal(why['consequences.likely'].required, true);
        assert.match(why['consequences.likely'].reason, /is leeg/, 'in the draft language');
        assert.equal(why['before.protected'].reason_code, 'not_held');
    });

    test('meldpunt formats check: the shipped formats pass; a bad file is refused with the file, path and reason', () => {
        let r = cli(['formats', 'check']);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^OK dora-its-2025-302 .* UNCONFIRMED$/m);
        assert.match(r.stdout, /^OK nis2-23-4-nl .* UNCONFIRMED$/m);
        assert.match(r.stdout, /^OK gdpr-33-ap-nl .* UNCONFIRMED$/m);
        const dir = tempDir('meldpunt-formats-');
        const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
        const fmt = JSON.parse(fs.readFileSync(path.join(root, 'config/formats/dora-its-2025-302.json'), 'utf8'));
        fs.writeFileSync(path.join(dir, 'dora.json'), JSON.stringify(fmt));
        r = cli(['formats', 'check', dir]);
        assert.equal(r.code, 0, r.stderr);
        fmt.fields[5].from = 'draft.lei_code';
        fs.writeFileSync(path.join(dir, 'dora.json'), JSON.stringify(fmt));
        r = cli(['formats', 'check', dir]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /dora\.json: \$\.fields\[5\]: unknown source 'draft\.lei_code'/);
        fmt.fields[5].from = 'draft.lei';
        delete fmt.fields[6].from;
        fs.writeFileSync(path.join(dir, 'dora.json'), JSON.stringify(fmt));
        r = cli(['formats', 'check', dir]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /\$\.fields\[6\]: is required but has no mapping/);
    });

    test('bad requests name the parameter and change nothing; the TLP gate holds', async () => {
        let res = await exp(viewer, 'type=json');
        assert.equal(res.status, 400, res.text);
        assert.match(res.headers.get('content-type'), /^application\/problem\+json/);
        assert.match(res.text, /"format"/);
        res = await exp(viewer, 'format=dora-its-2025-302&type=xml');
        assert.equal(res.status, 400, res.text);
        assert.match(res.text, /"type"/);
        res = await exp(viewer, 'format=gdpr-33');
        assert.equal(res.status, 422, res.text);
        assert.match(res.text, /no format 'gdpr-33'/);
        res = await api(
            d.url,
            viewer,
            'GET',
            '/api/v1/notifications/0190ab12-0000-7000-8000-000000000000/export?format=dora-its-2025-302',
        );
        assert.equal(res.status, 404, res.text);
        // amber incident, green reader: as if it did not exist
        res = await exp(greenViewer, 'format=dora-its-2025-302');
        assert.equal(res.status, 404, res.text);
        res = await api(d.url, greenViewer, 'GET', '/api/v1/formats');
        assert.equal(res.status, 200);
    });
});
