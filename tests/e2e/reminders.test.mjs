// SPDX-License-Identifier: EUPL-1.2
// reminders.test.mjs - reminders and escalation (issue 20).
// The reminder policy as data: the built-in config/reminders.json in force
// at start; read and replaced by admins only; every mistake refused with a
// 422 naming its field (unknown channels, targets off the allow list, bad
// offsets, malformed templates, secrets or credentials in the document) and
// nothing changed; a replacement audited, in force at once, kept across a
// restart and a SIGHUP, If-Match honoured; a broken policy file refuses to
// start the server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { api, assertProblem, cli, startDaemon, tempDir } from './lib/daemon.mjs';
import { createToken } from './lib/incidents.mjs';

const POLICY = '/api/v1/reminders/policy';

/** A valid policy with one webhook and one SMTP channel on loopback. */
export function samplePolicy(extra = {}) {
    return {
        version: 'test-1',
        link_base: 'http://127.0.0.1:8080',
        allow: ['127.0.0.1'],
        channels: {
            chat: { type: 'slack', url: 'http://127.0.0.1:9/hook', secret: 'chat-hmac', language: 'nl' },
            mail: {
                type: 'smtp',
                url: 'smtp://127.0.0.1:2525',
                starttls: true,
                from: 'meldpunt@example.org',
                username: 'meldpunt',
                secret: 'smtp-password',
            },
        },
        people: {
            ciso: { email: 'ciso@example.org', language: 'nl', time_zone: 'Europe/Amsterdam', tlp_max: 'amber' },
        },
        on_duty: ['ciso'],
        ladders: [
            {
                regime: 'nis2',
                stage: 'early_warning',
                steps: [
                    { at: 'awareness', to: ['assignee'] },
                    { at: '-PT12H', to: ['assignee'], channels: ['mail'] },
                    { at: '-PT4H', to: ['assignee', 'on_duty'] },
                    { at: '-PT1H', to: ['assignee', 'on_duty', 'managers'] },
                    { at: 'due', to: ['assignee', 'on_duty', 'managers', 'person:ciso'] },
                    { at: 'PT1H', repeat: 'PT1H', to: ['managers', 'person:ciso'] },
                ],
            },
            { regime: '*', stage: '*', steps: [{ at: '-PT1H', to: ['assignee'] }] },
        ],
        templates: {
            en: { subject: '{reference}: {regime} {stage} due {due}', body: '{reference} {left}\n{link}' },
            nl: { subject: '{reference}: {regime} {stage} uiterlijk {due}', body: '{reference} {left}\n{link}' },
        },
        ...extra,
    };
}

function fields(res) {
    return (res.json?.errors ?? []).map((e) => e.field);
}

describe('reminder policy', () => {
    let d, analyst;
    before(async () => {
        d = await startDaemon();
        analyst = createToken(d, 'rem-analyst', 'analyst');
    });
    after(async () => d?.stopClean());

    test('the built-in policy is in force at start: ladders and both languages, no channels', async () => {
        const r = await api(d.url, d.adminToken, 'GET', POLICY);
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.source, 'file');
        assert.equal(r.json.version, 0);
        assert.equal(r.headers.get('etag'), '"0"');
        const shipped = JSON.parse(fs.readFileSync(new URL('../../config/reminders.json', import.meta.url)));
        assert.deepEqual(r.json.policy, shipped);
        assert.deepEqual(r.json.policy.channels, {});
        assert.deepEqual(
            r.json.policy.ladders[0].steps.map((s) => s.at),
            ['awareness', '-PT12H', '-PT4H', '-PT1H', 'due', 'PT1H'],
        );
        assert.equal(r.json.policy.ladders[0].steps.at(-1).repeat, 'PT1H');
    });

    test('only admins read or change it', async () => {
        assert.equal((await api(d.url, analyst, 'GET', POLICY)).status, 403);
        assert.equal((await api(d.url, analyst, 'PUT', POLICY, samplePolicy())).status, 403);
    });

    const bad = [
        [
            'an unknown channel in a step',
            (p) => (p.ladders[0].steps[1].channels = ['pager']),
            'ladders.0.steps.1.channels',
        ],
        ['an unknown channel type', (p) => (p.channels.chat.type = 'sms'), 'channels.chat.type'],
        [
            'a target off the allow list',
            (p) => (p.channels.chat.url = 'https://hooks.example.org/x'),
            'channels.chat.url',
        ],
        [
            'a private address not allow-listed',
            (p) => (p.channels.mail.url = 'smtp://10.0.0.5:25'),
            'channels.mail.url',
        ],
        [
            'credentials in the address',
            (p) => (p.channels.mail.url = 'smtp://u:secret@127.0.0.1:25'),
            'channels.mail.url',
        ],
        ['a webhook over smtp://', (p) => (p.channels.chat.url = 'smtp://127.0.0.1:25'), 'channels.chat.url'],
        ['a secret written into the policy', (p) => (p.channels.mail.password = 'hunter2'), 'channels.mail.password'],
        [
            'a secret that is not a name',
            (p) => (p.channels.mail.secret = 'hunter2 with spaces'),
            'channels.mail.secret',
        ],
        ['an smtp channel without a sender', (p) => delete p.channels.mail.from, 'channels.mail.from'],
        ['a bad offset', (p) => (p.ladders[0].steps[2].at = '-4 hours'), 'ladders.0.steps.2.at'],
        ['an offset in months', (p) => (p.ladders[0].steps[2].at = '-P1M'), 'ladders.0.steps.2.at'],
        ['an offset past 30 days', (p) => (p.ladders[0].steps[2].at = '-P31D'), 'ladders.0.steps.2.at'],
        ['steps out of order', (p) => (p.ladders[0].steps[2].at = '-PT13H'), 'ladders.0.steps.2.at'],
        ['awareness not first', (p) => (p.ladders[0].steps[3].at = 'awareness'), 'ladders.0.steps.3.at'],
        ['a repeat too often', (p) => (p.ladders[0].steps[5].repeat = 'PT1M'), 'ladders.0.steps.5.repeat'],
        ['a repeat before the due time', (p) => (p.ladders[1].steps[0].repeat = 'PT1H'), 'ladders.1.steps.0.repeat'],
        ['an unknown recipient', (p) => (p.ladders[0].steps[0].to = ['person:nobody']), 'ladders.0.steps.0.to'],
        ['an unknown placeholder', (p) => (p.templates.nl.body = '{reference} {secret_title}'), 'templates.nl.body'],
        ['an unclosed brace', (p) => (p.templates.en.subject = '{reference: due'), 'templates.en.subject'],
        ['a stray closing brace', (p) => (p.templates.en.body = 'due} {due}'), 'templates.en.body'],
        ['a missing language', (p) => delete p.templates.nl, 'templates.nl'],
        ['a bad time zone', (p) => (p.people.ciso.time_zone = '../etc/passwd'), 'people.ciso.time_zone'],
        ['a bad TLP limit', (p) => (p.people.ciso.tlp_max = 'purple'), 'people.ciso.tlp_max'],
        ['on duty not among people', (p) => (p.on_duty = ['zed']), 'on_duty'],
        ['an unknown member', (p) => (p.colour = 'red'), 'colour'],
        ['no ladders', (p) => (p.ladders = []), 'ladders'],
    ];
    for (const [what, spoil, field] of bad) {
        test(`refused with 422 naming the field: ${what}`, async () => {
            const p = samplePolicy();
            spoil(p);
            const r = await api(d.url, d.adminToken, 'PUT', POLICY, p);
            assertProblem(r, 422);
            assert.ok(fields(r).includes(field), `${field} in ${JSON.stringify(r.json.errors)}`);
            const now = await api(d.url, d.adminToken, 'GET', POLICY);
            assert.equal(now.json.source, 'file', 'nothing changed');
        });
    }

    test('a replacement is in force at once, audited, versioned; If-Match guards it', async () => {
        const r = await api(d.url, d.adminToken, 'PUT', POLICY, samplePolicy(), { 'if-match': '"0"' });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.source, 'api');
        assert.equal(r.json.version, 1);
        assert.equal(r.json.policy.version, 'test-1');
        assert.equal(r.headers.get('etag'), '"1"');
        const stale = await api(d.url, d.adminToken, 'PUT', POLICY, samplePolicy({ version: 'test-2' }), {
            'if-match': '"0"',
        });
        assertProblem(stale, 412);
        const audit = await api(d.url, d.adminToken, 'GET', '/api/v1/audit?limit=500');
        const entry = audit.json.items.filter((e) => e.action === 'reminders.policy').at(-1);
        assert.ok(entry, 'the change is in the audit chain');
        assert.equal(entry.payload.version, 1);
        const again = await api(d.url, d.adminToken, 'PUT', POLICY, samplePolicy({ version: 'test-2' }), {
            'if-match': '"1"',
        });
        assert.equal(again.json.version, 2);
    });

    test('the policy set through the API outlives a restart and a SIGHUP', async () => {
        await d.restart();
        let r = await api(d.url, d.adminToken, 'GET', POLICY);
        assert.equal(r.json.source, 'api');
        assert.equal(r.json.policy.version, 'test-2');
        const from = d.stderr().length;
        d.proc.kill('SIGHUP');
        await d.waitForLog(/reloaded config|reload skipped/, { from });
        r = await api(d.url, d.adminToken, 'GET', POLICY);
        assert.equal(r.json.policy.version, 'test-2');
    });
});

describe('reminder policy file', () => {
    test('[reminders] file is loaded and checked: a broken one refuses to start, naming the field', async () => {
        const dir = tempDir();
        const file = path.join(dir, 'reminders.json');
        const p = samplePolicy({ version: 'from-file' });
        fs.writeFileSync(file, JSON.stringify(p));
        const d = await startDaemon({ config: `[reminders]\nfile = ${file}\n` });
        try {
            const r = await api(d.url, d.adminToken, 'GET', POLICY);
            assert.equal(r.json.source, 'file');
            assert.equal(r.json.policy.version, 'from-file');
            // a broken file on SIGHUP: the policy in force stays
            p.channels.chat.type = 'pigeon';
            fs.writeFileSync(file, JSON.stringify(p));
            const from = d.stderr().length;
            d.proc.kill('SIGHUP');
            await d.waitForLog(/reload of the reminder policy failed.*channels\.chat\.type/, { from });
            assert.equal((await api(d.url, d.adminToken, 'GET', POLICY)).json.policy.version, 'from-file');
        } finally {
            await d.stopClean();
        }
        const init = cli(['init', '--data', path.join(dir, 'data2')]);
        assert.equal(init.code, 0);
        await assert.rejects(
            startDaemon({ init: false, dataDir: path.join(dir, 'data2'), config: `[reminders]\nfile = ${file}\n` }),
            /channels\.chat\.type/,
        );
    });
});
