// SPDX-License-Identifier: EUPL-1.2
// exercises.test.mjs - exercises in tabletop mode (issue 22): the shipped
// scenarios listed; a bad start refused naming its field, changing nothing;
// one full run of the water-utility ransomware scenario at 100x speed driven
// by the test clock (never a sleep): each inject applied once, also across a
// restart in the middle; the exercise clock paused and resumed; the
// deadlines in exercise time, met or not; no reminder to an outside address
// while a real incident's goes out; the EXERCISE marker and the signed
// statement on the early warning; the report's contents; /metrics counting
// the exercise apart from the real incidents.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { api, cli, startDaemon } from './lib/daemon.mjs';
import { BASE, createIncident, createToken, metric } from './lib/incidents.mjs';
import { addUser, approveAs } from './lib/session.mjs';

const T0 = '2031-03-14T09:00:00Z';
const at = (base, seconds) => new Date(Date.parse(base) + seconds * 1000).toISOString().replace('.000Z', 'Z');
const HOUR = 3600;
const SPEED = 100;
const X = '/api/v1/exercises';

/** An HTTP receiver on loopback for the webhook channel: every POST kept. */
async function receiver() {
    const posts = [];
    const srv = http.createServer((req, res) => {
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (c) => (body += c));
        req.on('end', () => {
            posts.push(JSON.parse(body));
            res.writeHead(200).end();
        });
    });
    await new Promise((r) => srv.listen(0, '127.0.0.1', r));
    return { port: srv.address().port, posts, stop: () => new Promise((r) => srv.close(r)) };
}

describe('exercises: a full run of a shipped scenario at 100x', () => {
    let d, hook, manager, analyst, viewer, signer, run, real;
    // the real clock of the daemon, in seconds after T0
    let elapsed = 0;
    const move = async (seconds) => {
        elapsed += seconds;
        assert.equal(await d.setClock({ now: at(T0, elapsed) }), at(T0, elapsed));
    };
    const get = async () => {
        const r = await api(d.url, viewer, 'GET', `${X}/${run.id}`);
        assert.equal(r.status, 200, r.text);
        return r.json;
    };
    const timeline = async () => {
        const r = await api(d.url, viewer, 'GET', `${BASE}/${run.incident}/timeline`);
        assert.equal(r.status, 200, r.text);
        return r.json.items;
    };

    before(async () => {
        hook = await receiver();
        d = await startDaemon({ config: `[reminders]\nsend_interval = 3600\n` });
        fs.mkdirSync(path.join(d.dataDir, 'secrets'), { recursive: true, mode: 0o700 });
        fs.writeFileSync(path.join(d.dataDir, 'secrets', 'hook-hmac'), 'a secret of the test hook\n', { mode: 0o600 });
        manager = createToken(d, 'x-manager', 'manager');
        analyst = createToken(d, 'x-analyst', 'analyst');
        viewer = createToken(d, 'x-viewer', 'viewer');
        signer = addUser(d, 'x-signer', 'manager');
        await d.setClock({ now: T0 });
        const cur = await api(d.url, d.adminToken, 'GET', '/api/v1/organisation');
        const body = {
            ...cur.json,
            name: 'Waterbedrijf Noord',
            sector: 'drinking_water',
            nis2_class: 'essential',
            cer_critical: true,
        };
        // the Wwke authority left out on purpose: the report names it as missing
        body.recipients = { ...body.recipients, cer_authority: { name: '', contact: '' } };
        delete body.version;
        delete body.updated_at;
        let r = await api(d.url, d.adminToken, 'PUT', '/api/v1/organisation', body);
        assert.equal(r.status, 200, r.text);
        const policy = JSON.parse(fs.readFileSync(new URL('../../config/reminders.json', import.meta.url)));
        policy.version = 'e2e-exercise';
        policy.allow = ['127.0.0.1'];
        policy.channels = { hook: { type: 'webhook', url: `http://127.0.0.1:${hook.port}/hook`, secret: 'hook-hmac' } };
        policy.ladders = [{ regime: 'nis2', stage: 'early_warning', steps: [{ at: 'awareness', to: ['managers'] }] }];
        r = await api(d.url, d.adminToken, 'PUT', '/api/v1/reminders/policy', policy);
        assert.equal(r.status, 200, r.text);
    });
    after(async () => {
        await d.stopClean();
        await hook.stop();
    });

    test('the three shipped scenarios are listed in Dutch and English', async () => {
        const r = await api(d.url, viewer, 'GET', `${X}/scenarios`);
        assert.equal(r.status, 200, r.text);
        const ids = r.json.items.map((s) => s.scenario).sort();
        assert.deepEqual(ids, ['cloud-outage', 'supplier-data-breach', 'water-ransomware']);
        for (const s of r.json.items) {
            assert.ok(s.title.nl && s.title.en && s.description.nl && s.description.en, s.scenario);
            assert.ok(s.injects >= 4, s.scenario);
        }
    });

    test('a bad start is refused naming its field, and nothing is started', async () => {
        for (const [body, field, status] of [
            [{ scenario: 'no-such-scenario' }, 'scenario', 422],
            [{}, 'scenario', 422],
            [{ scenario: 'water-ransomware', speed: 5000 }, 'speed', 422],
            [{ scenario: 'water-ransomware', speed: 0 }, 'speed', 422],
            [{ scenario: 'water-ransomware', language: 'de' }, 'language', 422],
            [{ scenario: 'water-ransomware', allow_outside_reminders: 'yes' }, 'allow_outside_reminders', 422],
            [{ scenario: 'water-ransomware', colour: 'red' }, 'colour', 422],
        ]) {
            const r = await api(d.url, manager, 'POST', X, body);
            assert.equal(r.status, status, r.text);
            assert.ok(
                r.json.errors.some((e) => e.field === field),
                `${JSON.stringify(body)}: ${r.text}`,
            );
        }
        // managers and admins start exercises; an analyst may not
        const r = await api(d.url, analyst, 'POST', X, { scenario: 'water-ransomware' });
        assert.equal(r.status, 403, r.text);
        assert.deepEqual((await api(d.url, viewer, 'GET', X)).json.items, []);
    });

    test('an incident is an exercise only from its creation', async () => {
        let r = await api(d.url, analyst, 'POST', BASE, { title: 'drill', exercise: 'yes' });
        assert.equal(r.status, 422, r.text);
        assert.equal(r.json.errors[0].field, 'exercise');
        real = await createIncident(d, analyst, {
            title: 'Real outage',
            aware_at: T0,
            impact: { unauthorised_access: true, severe_disruption_possible: true, suspected_malicious: true },
        });
        assert.equal(real.exercise, false);
        r = await api(d.url, analyst, 'PATCH', `${BASE}/${real.id}`, { exercise: true });
        assert.equal(r.status, 422, r.text);
        assert.equal(r.json.errors[0].field, 'exercise');
        assert.equal((await api(d.url, viewer, 'GET', `${BASE}/${real.id}`)).json.exercise, false);
    });

    test('start at 100x: the exercise incident, its clock and the first inject', async () => {
        const r = await api(d.url, manager, 'POST', X, { scenario: 'water-ransomware', speed: SPEED, language: 'en' });
        assert.equal(r.status, 201, r.text);
        run = r.json;
        assert.equal(run.state, 'running');
        assert.equal(run.speed, SPEED);
        assert.equal(run.allow_outside_reminders, false);
        assert.equal(run.exercise_time, T0);
        const inc = (await api(d.url, viewer, 'GET', `${BASE}/${run.incident}`)).json;
        assert.equal(inc.exercise, true);
        assert.match(inc.title, /^EXERCISE/);
        // the list marks it too
        const list = (await api(d.url, viewer, 'GET', `${BASE}?limit=10`)).json.items;
        assert.equal(list.find((i) => i.id === run.incident).exercise, true);
        assert.equal(list.find((i) => i.id === real.id).exercise, false);
        assert.ok(run.injects[0].applied_at, 'the inject at offset 0 at once');
        assert.equal(run.injects[1].applied_at, null);
        // the second inject (PT30M) is due 18 real seconds on at 100x
        assert.equal(run.injects[1].due_at, at(T0, 18));
    });

    test('injects follow the exercise clock; a pause stops it; a restart in the middle applies nothing twice', async () => {
        await move(17);
        assert.equal((await get()).injects[1].applied_at, null, '1 s before its exercise time');
        await move(1);
        let x = await get();
        assert.equal(x.exercise_time, at(T0, 30 * 60));
        assert.ok(x.injects[1].applied_at);
        assert.equal(x.injects[1].applied_exercise_at, at(T0, 30 * 60));
        // the awareness inject: aware_at set, so the deadlines run
        const inc = (await api(d.url, viewer, 'GET', `${BASE}/${run.incident}`)).json;
        assert.equal(inc.aware_at, at(T0, 18));
        assert.equal(inc.impact.unauthorised_access, true);

        // paused: real time passes, the exercise clock stands
        let r = await api(d.url, manager, 'POST', `${X}/${run.id}/clock`, { action: 'pause' });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.state, 'paused');
        await move(600);
        x = await get();
        assert.equal(x.exercise_time, at(T0, 30 * 60));
        assert.equal(x.injects[2].applied_at, null);
        r = await api(d.url, analyst, 'POST', `${X}/${run.id}/clock`, { action: 'resume' });
        assert.equal(r.status, 403, 'analysts do not steer the clock');
        r = await api(d.url, manager, 'POST', `${X}/${run.id}/clock`, { action: 'rewind' });
        assert.equal(r.status, 422);
        assert.equal(r.json.errors[0].field, 'action');
        r = await api(d.url, manager, 'POST', `${X}/${run.id}/clock`, { action: 'resume' });
        assert.equal(r.status, 200, r.text);

        // PT2H: 90 exercise minutes on = 54 real seconds
        await move(54);
        x = await get();
        assert.ok(x.injects[2].applied_at);
        assert.equal(x.exercise_time, at(T0, 2 * HOUR));
        await d.restart();
        await d.setClock({ now: at(T0, elapsed) });
        x = await get();
        assert.equal(x.state, 'running', 'the clock survives a restart');
        assert.equal(x.exercise_time, at(T0, 2 * HOUR));
        // on to 20 h of exercise time, a step at a time
        for (let t = 2 * HOUR; t < 20 * HOUR; t += HOUR) await move(HOUR / SPEED);
        x = await get();
        assert.equal(x.exercise_time, at(T0, 20 * HOUR));
        assert.ok(
            x.injects.every((i) => i.applied_at),
            JSON.stringify(x.injects),
        );
        const notes = (await timeline()).filter((e) => e.kind === 'note' && /^EXERCISE · /.test(e.note));
        assert.equal(notes.length, 6, 'each inject once');
        assert.match(notes[3].note, /^EXERCISE · Question from the authority \(T\+6:00\): The NCSC asks/);
    });

    test('the classification is what the scenario expects: NIS2 (Cbw) and CER (Wwke)', async () => {
        const r = await api(d.url, viewer, 'GET', `${BASE}/${run.incident}/classification`);
        assert.equal(r.status, 200, r.text);
        for (const regime of ['nis2', 'cer']) {
            const g = r.json.regimes.find((x) => x.regime === regime);
            assert.equal(g.applies, 'yes', regime);
            assert.equal(g.significant, 'yes', `${regime}: ${JSON.stringify(g.missing)}`);
        }
    });

    test('no reminder of the exercise goes to an outside address; a real one does', async () => {
        const rem = (await api(d.url, viewer, 'GET', `${BASE}/${run.incident}/reminders`)).json;
        assert.ok(rem.jobs.length > 0);
        assert.ok(rem.jobs.every((j) => j.status !== 'sent'));
        assert.ok(
            rem.deliveries.some((x) => x.reason === 'exercise: not sent to outside addresses'),
            JSON.stringify(rem.deliveries),
        );
        assert.ok(hook.posts.length > 0, 'the real incident was reminded through the hook');
        assert.ok(
            hook.posts.every(
                (p) => p.incident?.ref !== run.incident_ref && !JSON.stringify(p).includes(run.incident_ref),
            ),
        );
    });

    test('the early warning, signed at 10 h exercise time: the EXERCISE marker and the signed statement', async () => {
        let r = await api(d.url, analyst, 'POST', `${BASE}/${run.incident}/notifications`, {
            regime: 'nis2',
            stage: 'early_warning',
            language: 'nl',
        });
        assert.equal(r.status, 201, r.text);
        const N = `/api/v1/notifications/${r.json.id}`;
        r = await api(d.url, analyst, 'PATCH', N, { fields: { contact_official: 'J. Jansen, CISO' } });
        assert.equal(r.status, 200, r.text);
        r = await approveAs(d, signer, N);
        assert.equal(r.status, 200, r.text);
        r = await api(d.url, manager, 'POST', `${N}/submit`, { channel: 'MijnNCSC' });
        assert.equal(r.status, 200, r.text);
        const doc = (await api(d.url, viewer, 'GET', `${N}/document.json`)).json;
        assert.equal(doc.exercise.exercise, true);
        assert.match(doc.exercise.statement.en, /^EXERCISE: this document belongs to an exercise/);
        assert.match(doc.exercise.statement.nl, /^OEFENING: dit document hoort bij een oefening/);
        assert.equal(doc.exercise.display, doc.exercise.statement.nl, 'a Dutch draft shows the Dutch words');
        const html = (await api(d.url, viewer, 'GET', `${N}/document.html`)).text;
        assert.match(html, /<body class="document exercise" data-watermark="OEFENING">/);
        assert.match(html, /class="exercise-statement"[^>]*>OEFENING: dit document/);
    });

    test('the report: deadlines in exercise time, the decisions, what was missing', async () => {
        // submitted at real T0+ (elapsed) = exercise 20 h; the early warning was due 24 h after awareness
        let r = await api(d.url, viewer, 'GET', `${X}/${run.id}/report?lang=en`);
        assert.equal(r.status, 200, r.text);
        let rep = r.json;
        assert.equal(rep.marker, 'EXERCISE');
        assert.equal(rep.scenario, 'water-ransomware');
        const ew = rep.deadlines.find((x) => x.regime === 'nis2' && x.stage === 'early_warning');
        assert.equal(ew.exercise_due_at, at(T0, 30 * 60 + 24 * HOUR), 'awareness at T+30m, plus 24 h');
        assert.equal(ew.exercise_met_at, at(T0, 20 * HOUR));
        assert.equal(ew.status, 'met');
        const cer = rep.deadlines.find((x) => x.regime === 'cer' && x.stage === 'initial');
        assert.equal(cer.status, 'open', 'not yet due at 20 h');
        assert.ok(
            rep.decisions.some((e) => e.kind === 'obligation'),
            'the submission is on the record',
        );
        assert.ok(rep.decisions.every((e) => 'exercise_at' in e));
        assert.ok(
            rep.missing.some((m) => m.kind === 'recipient_not_configured'),
            JSON.stringify(rep.missing),
        );
        assert.ok(
            rep.missing.some((m) => m.kind === 'reminder_not_acknowledged'),
            JSON.stringify(rep.missing),
        );
        assert.equal(rep.injects.length, 6);
        // the deadlines everyone sees say which are an exercise's
        const dl = (await api(d.url, viewer, 'GET', '/api/v1/deadlines')).json.items;
        assert.ok(dl.filter((o) => o.incident_ref === run.incident_ref).every((o) => o.incident_exercise === true));
        assert.ok(dl.filter((o) => o.incident_ref === real.ref).every((o) => o.incident_exercise === false));
        assert.ok(rep.injects.every((i) => i.applied));
        // on past the CER deadline (24 h after awareness) without a report: missed
        await move((6 * HOUR) / SPEED);
        rep = (await api(d.url, viewer, 'GET', `${X}/${run.id}/report?lang=nl`)).json;
        assert.equal(rep.marker, 'OEFENING');
        assert.equal(rep.deadlines.find((x) => x.regime === 'cer' && x.stage === 'initial').status, 'missed');
        assert.match(rep.missing.find((m) => m.kind === 'reminder_not_acknowledged').text, /^Niemand bevestigde/);
        r = await api(d.url, viewer, 'GET', `${X}/${run.id}/report?lang=de`);
        assert.equal(r.status, 400);
    });

    test('a principal limited below the exercise incident TLP sees no run', async () => {
        const r = cli(['token', 'create', '--name', 'x-green', '--role', 'manager', '--tlp-max', 'green'], {
            dataDir: d.dataDir,
        });
        assert.equal(r.code, 0, r.stderr);
        const green = r.stdout.trim();
        assert.deepEqual((await api(d.url, green, 'GET', X)).json.items, []);
        assert.equal((await api(d.url, green, 'GET', `${X}/${run.id}`)).status, 404);
        assert.equal((await api(d.url, green, 'GET', `${X}/${run.id}/report`)).status, 404);
        assert.equal((await api(d.url, green, 'POST', `${X}/${run.id}/clock`, { action: 'pause' })).status, 404);
        assert.equal((await api(d.url, viewer, 'GET', `${X}/${run.id}`)).json.state, 'running');
    });

    test('ended: the clock stops for good; /metrics counts the exercise apart', async () => {
        let r = await api(d.url, manager, 'POST', `${X}/${run.id}/clock`, { action: 'end' });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.state, 'ended');
        r = await api(d.url, manager, 'POST', `${X}/${run.id}/clock`, { action: 'resume' });
        assert.equal(r.status, 409);
        const m = (await api(d.url, viewer, 'GET', '/metrics')).text;
        const total = m
            .split('\n')
            .filter((l) => l.startsWith('meldpunt_incidents{'))
            .reduce((n, l) => n + Number(l.split(' ')[1]), 0);
        assert.equal(total, 1, 'only the real incident');
        assert.equal(metric(m, 'meldpunt_exercise_incidents'), 1);
    });
});

describe('exercises: every shipped scenario is classified as it expects', () => {
    let d, manager;
    const profiles = {
        'water-ransomware': { sector: 'drinking_water', nis2_class: 'essential', cer_critical: true, entity_types: [] },
        'cloud-outage': {
            sector: 'digital_infrastructure',
            nis2_class: 'essential',
            cer_critical: false,
            entity_types: ['cloud'],
        },
        'supplier-data-breach': {
            sector: 'drinking_water',
            nis2_class: 'important',
            cer_critical: false,
            entity_types: [],
        },
    };
    before(async () => {
        d = await startDaemon();
        manager = createToken(d, 'xs-manager', 'manager');
        await d.setClock({ now: T0 });
    });
    after(async () => {
        await d.stopClean();
    });

    for (const [scenario, profile] of Object.entries(profiles)) {
        test(`${scenario}: played to its end at 1000x, the rules find ${scenario === 'water-ransomware' ? 'NIS2 and CER' : 'what it expects'}`, async () => {
            const cur = await api(d.url, d.adminToken, 'GET', '/api/v1/organisation');
            const body = { ...cur.json, ...profile, name: `Org for ${scenario}` };
            delete body.version;
            delete body.updated_at;
            let r = await api(d.url, d.adminToken, 'PUT', '/api/v1/organisation', body);
            assert.equal(r.status, 200, r.text);
            const sc = (await api(d.url, manager, 'GET', `${X}/scenarios`)).json.items.find(
                (s) => s.scenario === scenario,
            );
            r = await api(d.url, manager, 'POST', X, { scenario, speed: 1000, language: 'nl' });
            assert.equal(r.status, 201, r.text);
            const run = r.json;
            const now = await d.setClock({ now: at(run.started_at, Math.ceil(sc.duration_seconds / 1000) + 1) });
            assert.ok(now);
            const x = (await api(d.url, manager, 'GET', `${X}/${run.id}`)).json;
            assert.ok(
                x.injects.every((i) => i.applied_at),
                JSON.stringify(x.injects),
            );
            const cl = (await api(d.url, manager, 'GET', `${BASE}/${run.incident}/classification`)).json;
            for (const regime of sc.expect.regimes) {
                const g = cl.regimes.find((y) => y.regime === regime);
                assert.ok(g, `${scenario}: ${regime} judged`);
                assert.equal(g.applies, 'yes', `${scenario}: ${regime} applies`);
                assert.equal(g.significant, 'yes', `${scenario}: ${regime}: missing ${JSON.stringify(g.missing)}`);
            }
            await api(d.url, manager, 'POST', `${X}/${run.id}/clock`, { action: 'end' });
        });
    }
});
