// SPDX-License-Identifier: EUPL-1.2
// cluster.mjs - the throwaway PostgreSQL cluster for node tests (issue 23).
//
// tests/run.sh starts one cluster for the whole run (tests/pg/cluster.sh)
// and passes it on in MELDPUNT_PG_CONNINFO and MELDPUNT_PG_PASSWORD_FILE;
// a test file run alone starts its own and stops it at exit.  When no
// cluster can start, pgCluster() answers {skip: why}: the test then skips
// with that reason, unless MELDPUNT_PG_REQUIRED=1 (run.sh sets it under
// make test), where it fails.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SCRIPT = path.join(path.dirname(new URL(import.meta.url).pathname), 'cluster.sh');

function parseEnv(text) {
    const env = {};
    for (const line of text.split('\n')) {
        const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
        if (m) env[m[1]] = m[2].replace(/^'(.*)'$/, '$1');
    }
    return env;
}

let own = null;
process.on('exit', () => {
    if (own) spawnSync(SCRIPT, ['stop', own], { stdio: 'ignore' });
});

/** A running cluster: {conninfo(db), passwordFile, createDb(name), psql(db, sql)} or {skip}. */
export function pgCluster() {
    let env = {
        MELDPUNT_PG_CONNINFO: process.env.MELDPUNT_PG_CONNINFO,
        MELDPUNT_PG_PASSWORD_FILE: process.env.MELDPUNT_PG_PASSWORD_FILE,
    };
    if (!env.MELDPUNT_PG_CONNINFO) {
        const dir = path.join(os.tmpdir(), `meldpunt-pg-${process.pid}`);
        const r = spawnSync(SCRIPT, ['start', dir], { encoding: 'utf8' });
        if (r.status !== 0) {
            const why = `no PostgreSQL cluster could start (tests/pg/cluster.sh): ${(r.stderr || '').trim().split('\n').slice(-3).join(' ')}`;
            if (process.env.MELDPUNT_PG_REQUIRED === '1') throw new Error(why);
            return { skip: why };
        }
        own = dir;
        env = parseEnv(r.stdout);
    }
    const base = env.MELDPUNT_PG_CONNINFO.replace(/\s*dbname=\S+/, '');
    const passwordFile = env.MELDPUNT_PG_PASSWORD_FILE;
    const conninfo = (db) => `${base} dbname=${db}`;
    const psql = (db, sql) => {
        const r = spawnSync('psql', [conninfo(db), '-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
            encoding: 'utf8',
            env: { ...process.env, PGPASSWORD: fs.readFileSync(passwordFile, 'utf8').trim() },
        });
        if (r.status !== 0) throw new Error(`psql ${db}: ${sql}: ${r.stderr}`);
        return r.stdout.trim();
    };
    let n = 0;
    const createDb = (prefix = 'meldpunt') => {
        const name = `${prefix}_${process.pid}_${++n}`;
        psql('postgres', `CREATE DATABASE ${name}`);
        return name;
    };
    return { conninfo, passwordFile, createDb, psql };
}
