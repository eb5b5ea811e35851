// SPDX-License-Identifier: EUPL-1.2
// storage.test.mjs - `meldpunt migrate-storage` (issue 23): a SQLite data
// directory filled through the API, copied into an empty PostgreSQL
// database of the throwaway cluster (tests/pg/), then compared: the rows of
// every table and the audit chain on both sides.  A tampered audit row on
// the PostgreSQL side is found; a copy whose sides differ is rolled back;
// a target that is not empty and a password in the connection string are
// refused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { api, assertNoSanitizer, cli, sqlite, startDaemon } from './lib/daemon.mjs';
import { createIncident, createToken, iso } from './lib/incidents.mjs';
import { session } from './lib/session.mjs';
import { pgCluster } from '../pg/cluster.mjs';

const HOUR = 3600e3;
const pg = pgCluster();

function migrate(dataDir, db, ...extra) {
    const r = cli(['migrate-storage', '--to', pg.conninfo(db), '--password-file', pg.passwordFile, ...extra], { dataDir });
    assertNoSanitizer(r.stderr, 'meldpunt migrate-storage');
    let report = null;
    try {
        report = JSON.parse(r.stdout);
    } catch {
        /* no report: an error before the comparison */
    }
    return { ...r, report };
}

describe('migrate-storage: SQLite into PostgreSQL', { skip: pg.skip }, () => {
    let d, dataDir, counts;
    before(async () => {
        d = await startDaemon();
        dataDir = d.dataDir;
        const analyst = createToken(d, 's-analyst', 'analyst');
        const ingest = createToken(d, 's-ingest', 'ingest');
        const org = await api(d.url, d.adminToken, 'GET', '/api/v1/organisation');
        const body = { ...org.json, name: 'Waterbedrijf', sector: 'drinking_water', nis2_class: 'essential', annual_turnover_eur: 2e7 };
        delete body.version;
        delete body.updated_at;
        assert.equal((await api(d.url, d.adminToken, 'PUT', '/api/v1/organisation', body)).status, 200);
        const incidents = [];
        for (let i = 0; i < 3; i++)
            incidents.push(
                await createIncident(d, analyst, {
                    title: `Dosing sabotage ${i}`,
                    description: 'Dosing set to 10x by an unknown party',
                    aware_at: iso(Date.now() - HOUR),
                    impact: { persons_health_damaged: 3, suspected_malicious: true },
                }),
            );
        const n = await api(d.url, analyst, 'POST', `/api/v1/incidents/${incidents[0].id}/notifications`, {
            regime: 'nis2',
            stage: 'early_warning',
        });
        assert.equal(n.status, 201, n.text);
        const a = await api(d.url, ingest, 'POST', '/api/v1/alerts', { source: 'siem', title: 'Login storm', severity: 'low' });
        assert.equal(a.status, 201, a.text);
        await session(d, 's-person', 'manager');
        await d.stopClean();
        const db = path.join(dataDir, 'meldpunt.db');
        counts = {};
        for (const t of ['incidents', 'timeline', 'notifications', 'obligations', 'users', 'sessions', 'tokens', 'audit', 'alerts'])
            counts[t] = Number(sqlite(db, `SELECT count(*) FROM ${t};`).stdout.trim());
    });

    test('copies every table in one go; the rows and the audit chain match on both sides', () => {
        const db = pg.createDb('copy');
        const r = migrate(dataDir, db);
        assert.equal(r.code, 0, r.stderr);
        const rep = r.report;
        assert.equal(rep.copied, true);
        assert.equal(rep.matches, true);
        assert.equal(rep.schema_version, Number(pg.psql(db, 'SELECT max(version) FROM schema_migrations')));
        for (const [t, n] of Object.entries(counts)) {
            assert.ok(n > 0, `${t} has rows on SQLite`);
            assert.deepEqual(rep.tables[t], { sqlite: n, postgresql: n }, t);
            assert.equal(Number(pg.psql(db, `SELECT count(*) FROM ${t}`)), n, `${t} on PostgreSQL`);
        }
        assert.equal(rep.audit.sqlite.ok, true);
        assert.equal(rep.audit.postgresql.ok, true);
        assert.equal(rep.audit.postgresql.head_seq, counts.audit);
        assert.equal(rep.audit.postgresql.head_hash, rep.audit.sqlite.head_hash);
        // the rows are the same, not only as many: the newest incident
        const q = 'SELECT ref || title || state FROM incidents ORDER BY seq DESC LIMIT 1';
        assert.equal(pg.psql(db, q), sqlite(path.join(dataDir, 'meldpunt.db'), `${q};`).stdout.trim());
        // identity columns go on after the ids copied
        const next = Number(pg.psql(db, "SELECT nextval(pg_get_serial_sequence('incidents', 'seq'))"));
        assert.equal(next, Number(pg.psql(db, 'SELECT max(seq) FROM incidents')) + 1);
        // the counts per state that the triggers keep are SQLite's
        assert.equal(Number(pg.psql(db, 'SELECT sum(n) FROM incident_counts')), counts.incidents);
        // the text index answers a substring search
        assert.equal(Number(pg.psql(db, "SELECT count(*) FROM incidents WHERE title ILIKE '%SABOTAGE 1%'")), 1);

        // compared again later (--check): still the same
        const again = migrate(dataDir, db, '--check');
        assert.equal(again.code, 0, again.stderr);
        assert.equal(again.report.copied, false);
        assert.equal(again.report.matches, true);
    });

    test('a tampered audit row on the PostgreSQL side is found by the check', () => {
        const db = pg.createDb('tamper');
        assert.equal(migrate(dataDir, db).code, 0);
        // the trigger refuses the change; whoever owns the database can drop it
        assert.throws(() => pg.psql(db, "UPDATE audit SET payload = '{}' WHERE seq = 2"), /audit entries cannot be changed/);
        pg.psql(db, `ALTER TABLE audit DISABLE TRIGGER audit_no_update; UPDATE audit SET payload = '{"name":"x"}' WHERE seq = 2`);
        const r = migrate(dataDir, db, '--check');
        assert.equal(r.code, 1, r.stderr);
        assert.equal(r.report.matches, false);
        assert.equal(r.report.audit.sqlite.ok, true);
        assert.equal(r.report.audit.postgresql.ok, false);
        assert.equal(r.report.audit.postgresql.bad_seq, 2);
        assert.equal(r.report.audit.postgresql.reason, 'payload does not match its hash');
        assert.match(r.stderr, /the audit chain on PostgreSQL breaks at entry 2/);
        // a deleted row is a count that differs and a gap
        pg.psql(db, `ALTER TABLE audit DISABLE TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 1`);
        const gone = migrate(dataDir, db, '--check');
        assert.equal(gone.code, 1);
        assert.deepEqual(gone.report.tables.audit, { sqlite: counts.audit, postgresql: counts.audit - 1 });
        assert.equal(gone.report.audit.postgresql.bad_seq, 1);
    });

    test('a target that is not empty, a password in the connection string, or a running server is refused; nothing changes', async () => {
        const db = pg.createDb('busy');
        pg.psql(db, 'CREATE TABLE mine (x int); INSERT INTO mine VALUES (1)');
        const r = migrate(dataDir, db);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /to: the target database is not empty \(1 tables\)/);
        assert.equal(pg.psql(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), '1');

        const url = `postgresql://meldpunt:secret@127.0.0.1/${db}`;
        const p = cli(['migrate-storage', '--to', url], { dataDir });
        assert.equal(p.code, 1);
        assert.match(p.stderr, /the connection string holds a password/);
        assert.doesNotMatch(p.stderr, /secret/);

        const bad = cli(['migrate-storage', '--to', pg.conninfo(db), '--password-file', '/nonexistent'], { dataDir });
        assert.equal(bad.code, 1);
        assert.match(bad.stderr, /password-file: cannot read the password file/);

        // not while the server runs on the data directory
        const again = await startDaemon({ dataDir, init: false });
        try {
            const running = migrate(dataDir, pg.createDb('running'));
            assert.equal(running.code, 1);
            assert.match(running.stderr, /stop it first/);
        } finally {
            await again.stopClean();
        }

        const none = cli(['migrate-storage'], { dataDir });
        assert.equal(none.code, 2);
        assert.match(none.stderr, /--to is required/);
    });

    test('a copy whose two sides differ is rolled back: the target stays empty', () => {
        // a broken chain on the SQLite side: the copy carries it over, the
        // comparison refuses it, and nothing is committed
        const file = path.join(dataDir, 'meldpunt.db');
        const s = sqlite(file, "DROP TRIGGER audit_no_update; UPDATE audit SET payload = '{\"x\":1}' WHERE seq = 3;");
        assert.equal(s.code, 0, s.stderr);
        const db = pg.createDb('rollback');
        const r = migrate(dataDir, db);
        assert.equal(r.code, 1);
        assert.equal(r.report.copied, false);
        assert.equal(r.report.audit.sqlite.ok, false);
        assert.equal(r.report.audit.sqlite.bad_seq, 3);
        assert.match(r.stderr, /nothing was copied/);
        assert.equal(pg.psql(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), '0');
    });
});
