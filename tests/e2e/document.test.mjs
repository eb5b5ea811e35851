// SPDX-License-Identifier: EUPL-1.2
// document.test.mjs - the document the authority receives (issue 17): in
// the signed JSON each field keeps its machine value and gains its label
// and a display value in the draft's language (times in the organisation's
// clock with UTC beside, countries by name, criteria by sentence and
// article, yes/no/unknown in words); the signer by full name and function;
// the letterhead's KvK number and address; the operator's hints (UNCONFIRMED
// notes) in the editor's answer and never in the document; the printable
// page built from those words, with its print stylesheet linked from the
// server and written into the bundle's copy.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { api, startDaemon, tempDir } from './lib/daemon.mjs';
import { createIncident, createToken, iso } from './lib/incidents.mjs';
import { browser, session } from './lib/session.mjs';

const HOUR = 3600e3;

describe('the document the authority receives', () => {
    let d, analyst, max, inc;
    before(async () => {
        d = await startDaemon();
        analyst = createToken(d, 'doc-analyst', 'analyst');
        const org = await api(d.url, d.adminToken, 'GET', '/api/v1/organisation');
        const body = {
            ...org.json,
            name: 'Waterbedrijf Oost',
            sector: 'drinking_water',
            nis2_class: 'essential',
            kvk_number: '12345678',
            address: 'Postbus 1\n7500 AA Enschede',
        };
        delete body.version;
        delete body.updated_at;
        const put = await api(d.url, d.adminToken, 'PUT', '/api/v1/organisation', body);
        assert.equal(put.status, 200, put.text);
        assert.equal(put.json.kvk_number, '12345678');
        max = await session(d, 'max', 'manager');
        const named = await api(d.url, d.adminToken, 'PATCH', '/api/v1/users/max', { full_name: 'Maxime de Vries', job_title: 'CISO' });
        assert.equal(named.status, 200, named.text);
        assert.equal(named.json.full_name, 'Maxime de Vries');
        inc = await createIncident(d, analyst, {
            title: 'Chloordosering gesaboteerd',
            description: 'Dosering door onbekenden op 10x gezet',
            aware_at: iso(Date.now() - HOUR),
            impact: { persons_health_damaged: 3, suspected_malicious: true, member_states: ['NL', 'BE'] },
        });
    });
    after(async () => {
        await d?.stopClean();
    });

    test('labels, display values, the signer, the letterhead; operator hints stay in the editor', async () => {
        let res = await api(d.url, analyst, 'POST', `/api/v1/incidents/${inc.id}/notifications`, { regime: 'nis2', stage: 'early_warning', language: 'nl' });
        assert.equal(res.status, 201, res.text);
        const nid = res.json.id;
        // the editor gets the labels and the operator's hints
        const contact = res.json.contents.find((c) => c.id === 'contact_official');
        assert.match(contact.hint.nl, /niet bevestigd/);
        assert.doesNotMatch(contact.label.nl, /BEVESTIGD|bevestigd/);
        assert.equal(res.json.stage_name.nl, 'Vroegtijdige waarschuwing');
        res = await api(d.url, analyst, 'PATCH', `/api/v1/notifications/${nid}`, { fields: { contact_official: 'M. de Vries, CISO, +31 6 1234 5678', cross_border: null } });
        assert.equal(res.status, 200, res.text);
        res = await browser(d, max, 'POST', `/api/v1/notifications/${nid}/approve`, {});
        assert.equal(res.status, 200, res.text);

        const raw = await fetch(`${d.url}/api/v1/notifications/${nid}/document.json`, { headers: { authorization: `Bearer ${analyst}` } });
        const text = await raw.text();
        const doc = JSON.parse(text);
        assert.doesNotMatch(text, /UNCONFIRMED|BEVESTIGD|criterium-id/i, 'no operator notes in the document');
        // every field: machine value, label, display value
        for (const c of [...doc.contents, ...doc.summary]) {
            assert.equal(typeof c.label, 'string', c.id);
            assert.ok(c.label.length > 0, c.id);
            assert.equal(typeof c.display, 'string', c.id);
            assert.ok('value' in c, c.id);
        }
        const field = (id) => doc.contents.find((c) => c.id === id);
        assert.deepEqual(field('member_states').value, ['NL', 'BE']);
        assert.equal(field('member_states').display, 'Nederland, België');
        assert.equal(field('suspected_malicious').display, 'ja');
        assert.equal(field('cross_border').value, null);
        assert.equal(field('cross_border').display, 'onbekend');
        const crit = field('criteria_met');
        assert.ok(crit.value.length > 0);
        for (const id of crit.value) assert.doesNotMatch(crit.display, new RegExp(`\\b${id}\\b`), 'criteria by their sentence');
        assert.match(crit.display, /art\./);
        const due = doc.summary.find((c) => c.id === 'due_at');
        assert.equal(due.value, doc.due_at);
        // Dutch time with UTC beside it
        const utc = new Date(doc.due_at);
        const hhmm = `${String(utc.getUTCHours()).padStart(2, '0')}:${String(utc.getUTCMinutes()).padStart(2, '0')}`;
        assert.match(due.display, new RegExp(`^\\d{1,2} [a-z]+ \\d{4}, \\d\\d:\\d\\d \\(${hhmm} UTC\\)$`));
        assert.equal(doc.organisation.kvk_number, '12345678');
        assert.equal(doc.recipient.role_label, 'CSIRT');
        assert.equal(doc.signature.signed_by, 'user:max');
        assert.deepEqual(
            { name: doc.signature.signer.name, job_title: doc.signature.signer.job_title, role: doc.signature.signer.role },
            { name: 'Maxime de Vries', job_title: 'CISO', role: 'manager' },
        );

        // the printable page: a letter in Dutch, escaped, styled from the server
        const page = await api(d.url, analyst, 'GET', `/api/v1/notifications/${nid}/document.html`);
        assert.equal(page.status, 200);
        const html = page.text;
        assert.match(html, /<html lang="nl">/);
        assert.match(html, /<link rel="stylesheet" href="\/print.css">/);
        assert.match(html, /Waterbedrijf Oost/);
        assert.match(html, /KvK-nummer 12345678/);
        assert.match(html, /Postbus 1\n7500 AA Enschede/);
        assert.match(html, new RegExp(inc.ref));
        assert.match(html, /Maxime de Vries<\/strong>, CISO/);
        assert.match(html, /Nederland, België/);
        assert.match(html, /Zo controleert u deze melding/);
        assert.match(html, /minisign -V -m document.json -p meldpunt.pub/);
        assert.doesNotMatch(html, /UNCONFIRMED|BEVESTIGD|\["NL"|user:max/);
        const css = await fetch(`${d.url}/print.css`);
        assert.equal(css.status, 200);
        assert.match(await css.text(), /@page\s*\{[^}]*size: A4/);

        // the bundle's page carries its stylesheet: it prints from a disk too
        const zip = await fetch(`${d.url}/api/v1/notifications/${nid}/bundle`, { headers: { authorization: `Bearer ${analyst}` } });
        const dir = tempDir();
        fs.writeFileSync(path.join(dir, 'b.zip'), Buffer.from(await zip.arrayBuffer()));
        execFileSync('/usr/bin/unzip', ['-q', path.join(dir, 'b.zip'), '-d', dir]);
        const offline = fs.readFileSync(path.join(dir, 'document.html'), 'utf8');
        assert.match(offline, /<style>[\s\S]*@page[\s\S]*counter\(page\)[\s\S]*<\/style>/);
        assert.doesNotMatch(offline, /<link rel="stylesheet"/);
    });

    test('a title with markup is text on the page, never markup', async () => {
        const evil = await createIncident(d, analyst, {
            title: '<script>alert(1)</script> & "x"',
            aware_at: iso(Date.now() - HOUR),
            impact: { persons_health_damaged: 1 },
        });
        let res = await api(d.url, analyst, 'POST', `/api/v1/incidents/${evil.id}/notifications`, { regime: 'nis2', stage: 'early_warning', language: 'en' });
        assert.equal(res.status, 201, res.text);
        const nid = res.json.id;
        res = await api(d.url, analyst, 'PATCH', `/api/v1/notifications/${nid}`, { fields: { contact_official: '<img src=x onerror=alert(1)>' } });
        assert.equal(res.status, 200, res.text);
        res = await browser(d, max, 'POST', `/api/v1/notifications/${nid}/approve`, {});
        assert.equal(res.status, 200, res.text);
        const page = await api(d.url, analyst, 'GET', `/api/v1/notifications/${nid}/document.html`);
        assert.doesNotMatch(page.text, /<script>|<img src=x/);
        assert.match(page.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;x&quot;/);
        assert.match(page.text, /&lt;img src=x onerror=alert\(1\)&gt;/);
    });
});
