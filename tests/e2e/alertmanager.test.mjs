// SPDX-License-Identifier: EUPL-1.2
// alertmanager.test.mjs - the real Prometheus Alertmanager (Debian package
// prometheus-alertmanager) on loopback delivers its webhook to meldpunt
// with an ingest token; alerts sent to it with amtool become the expected
// incident, first firing and then resolved (the end proposed on the
// incident's timeline).  Nothing is mocked: Alertmanager groups, delivers
// and retries as it does in production, with short intervals.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { api, sleep, startDaemon, tempDir } from './lib/daemon.mjs';
import { createToken, iso } from './lib/incidents.mjs';

const FIXTURES = path.resolve(path.dirname(new URL(import.meta.url).pathname), 'fixtures/detection');
const AM = '/usr/bin/prometheus-alertmanager';
const AMTOOL = '/usr/bin/amtool';

function freePort() {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.on('error', reject);
        s.listen(0, '127.0.0.1', () => {
            const { port } = s.address();
            s.close(() => resolve(port));
        });
    });
}

/** Polls fn until it returns a truthy value (or throws after timeout). */
async function until(what, fn, timeout = 30000) {
    const end = Date.now() + timeout;
    for (;;) {
        const v = await fn();
        if (v) return v;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await sleep(250);
    }
}

describe('Prometheus Alertmanager delivers to meldpunt', () => {
    let d, am, amUrl, amLog = '', viewer;

    before(async () => {
        assert.ok(fs.existsSync(AM), `${AM} is missing: packaging/install-deps.sh installs prometheus-alertmanager`);
        d = await startDaemon({ config: `[detection]\ndir = ${FIXTURES}\n` });
        viewer = createToken(d, 'am-viewer', 'viewer');
        const token = createToken(d, 'alertmanager', 'ingest');
        const dir = tempDir('meldpunt-am-');
        fs.writeFileSync(path.join(dir, 'token'), token, { mode: 0o600 });
        fs.writeFileSync(
            path.join(dir, 'alertmanager.yml'),
            [
                'route:',
                '  receiver: meldpunt',
                "  group_by: ['alertname']",
                '  group_wait: 1s',
                '  group_interval: 1s',
                '  repeat_interval: 1h',
                'receivers:',
                '  - name: meldpunt',
                '    webhook_configs:',
                `      - url: ${d.url}/api/v1/alerts/alertmanager`,
                '        send_resolved: true',
                '        http_config:',
                '          authorization:',
                '            type: Bearer',
                `            credentials_file: ${path.join(dir, 'token')}`,
                '',
            ].join('\n'),
        );
        const port = await freePort();
        amUrl = `http://127.0.0.1:${port}`;
        am = spawn(
            AM,
            [
                `--config.file=${path.join(dir, 'alertmanager.yml')}`,
                `--storage.path=${path.join(dir, 'data')}`,
                `--web.listen-address=127.0.0.1:${port}`,
                '--cluster.listen-address=', // no gossip: a single, loopback-only instance
                '--log.level=debug',
            ],
            { stdio: ['ignore', 'pipe', 'pipe'] },
        );
        am.stdout.on('data', (c) => (amLog += c));
        am.stderr.on('data', (c) => (amLog += c));
        await until('Alertmanager to be ready', async () => {
            try {
                return (await fetch(`${amUrl}/-/ready`)).ok;
            } catch {
                return false;
            }
        });
    });

    after(async () => {
        if (am && am.exitCode === null) {
            am.kill('SIGTERM');
            await new Promise((r) => am.on('exit', r));
        }
        if (d) await d.stopClean();
    });

    function amtool(...args) {
        const r = spawnSync(AMTOOL, ['alert', 'add', `--alertmanager.url=${amUrl}`, ...args], { encoding: 'utf8', timeout: 30000 });
        assert.equal(r.status, 0, `amtool ${args.join(' ')}: ${r.stderr}\n${amLog}`);
    }

    test('amtool alerts become one incident through the webhook, firing and then resolved', async () => {
        const start = iso(Date.now() - 5 * 60000);
        const labels = ['alertname=DiskFull', 'severity=critical', 'job=node'];
        amtool(...labels, 'instance=db1:9100', '--annotation=summary=Disk full on db1', `--start=${start}`);
        amtool(...labels, 'instance=db2:9100', '--annotation=summary=Disk full on db2', `--start=${start}`);

        const alerts = await until('both alerts in meldpunt', async () => {
            const res = await api(d.url, viewer, 'GET', '/api/v1/alerts?source=alertmanager');
            assert.equal(res.status, 200, res.text);
            return res.json.items.length === 2 ? res.json.items : null;
        });
        const byInstance = Object.fromEntries(alerts.map((a) => [a.labels.instance, a]));
        const a1 = byInstance['db1:9100'];
        assert.equal(a1.title, 'Disk full on db1');
        assert.equal(a1.severity, 'critical');
        assert.equal(a1.service, 'node');
        assert.equal(a1.status, 'firing');
        assert.equal(a1.starts_at, start);
        assert.match(a1.fingerprint, /^[0-9a-f]{16}$/, 'Alertmanager\'s own fingerprint is the key');
        const full = (await api(d.url, viewer, 'GET', `/api/v1/alerts/${a1.id}`)).json;
        assert.equal(full.payload.status, 'firing', 'the alert as Alertmanager sent it');
        assert.equal(full.payload.labels.instance, 'db1:9100');
        // one incident for the group, opened by the fixture rule
        assert.ok(a1.incident);
        assert.equal(byInstance['db2:9100'].incident, a1.incident);
        const inc = (await api(d.url, viewer, 'GET', `/api/v1/incidents/${a1.incident}`)).json;
        assert.match(inc.title, /^DiskFull on db[12]:9100$/);
        assert.equal(inc.severity, 'critical');
        assert.equal(inc.started_at, start);
        assert.equal(inc.created_by, 'token:alertmanager');

        // resolving: an end in the past; Alertmanager sends the resolved
        // notification at the next group interval
        const end = iso(Date.now() - 1000);
        amtool(...labels, 'instance=db1:9100', '--annotation=summary=Disk full on db1', `--start=${start}`, `--end=${end}`);
        amtool(...labels, 'instance=db2:9100', '--annotation=summary=Disk full on db2', `--start=${start}`, `--end=${end}`);
        await until('both alerts resolved in meldpunt', async () => {
            const res = await api(d.url, viewer, 'GET', '/api/v1/alerts?source=alertmanager&status=resolved');
            return res.json.items.length === 2;
        });
        const resolved = (await api(d.url, viewer, 'GET', `/api/v1/alerts/${a1.id}`)).json;
        assert.equal(resolved.ends_at, end);
        assert.ok(resolved.count >= 2, 'the resolved delivery updated the same alert');
        const tl = (await api(d.url, viewer, 'GET', `/api/v1/incidents/${a1.incident}/timeline`)).json.items;
        const proposal = tl.filter((e) => e.field === 'ended_at').at(-1);
        assert.ok(proposal, JSON.stringify(tl));
        assert.equal(proposal.new, end);
        assert.doesNotMatch(amLog, /level=error.*webhook/i, 'every delivery was accepted');
    });
});
