/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * cli_storage.c - `meldpunt migrate-storage --to postgresql://…`: a data
 * directory's SQLite database copied into an empty PostgreSQL database,
 * then both sides compared (store/pg_copy.h; issue 23, docs/STORAGE.md).
 *
 * With --check nothing is copied: a database copied before is compared
 * with the data directory again (the rows of every table, the audit chain
 * walked on each side), so tampering on either side shows.
 *
 * The report is JSON on stdout; the exit status is 0 only when every table
 * has as many rows on both sides and both chains verify to the same head.
 */
#include "cli.h"
#include "datadir.h"
#include "lib/clock.h"
#include "store/db.h"
#include "store/pg.h"
#include "store/pg_copy.h"

#include <getopt.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct storage_opts {
    const char *to;
    const char *password_file;
    bool check;
};

static int
storage_extra(int opt, const char *arg, void *ctx)
{
    struct storage_opts *o = ctx;

    if (opt == 't')
        o->to = arg;
    else if (opt == 'p')
        o->password_file = arg;
    else if (opt == 'k')
        o->check = true;
    else
        return -1;
    return 0;
}

static json_t *
chain_json(const struct audit_verify_result *r)
{
    char h[2 * CHAIN_HASH_LEN + 1];

    if (!r->ok)
        return json_pack("{s:b, s:I, s:I, s:s}", "ok", 0, "entries", (json_int_t)r->entries,
                         "bad_seq", (json_int_t)r->bad_seq, "reason", r->reason);
    sodium_bin2hex(h, sizeof(h), r->head_hash, CHAIN_HASH_LEN);
    return json_pack("{s:b, s:I, s:I, s:s}", "ok", 1, "entries", (json_int_t)r->entries, "head_seq",
                     (json_int_t)r->head_seq, "head_hash", h);
}

static void
print_report(const struct pg_copy_report *rep, bool matches)
{
    json_t *tables = json_object(), *out;
    char *text;

    for (int i = 0; i < rep->ntables; i++)
        json_object_set_new(tables, rep->tables[i].name,
                            json_pack("{s:I, s:I}", "sqlite",
                                      (json_int_t)rep->tables[i].sqlite_rows, "postgresql",
                                      (json_int_t)rep->tables[i].pg_rows));
    out = json_pack("{s:b, s:b, s:i, s:o, s:{s:o, s:o}}", "copied", rep->copied, "matches", matches,
                    "schema_version", rep->schema_version, "tables", tables, "audit", "sqlite",
                    chain_json(&rep->sqlite_chain), "postgresql", chain_json(&rep->pg_chain));
    text = out ? json_dumps(out, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
    printf("%s\n", text ? text : "{}");
    free(text);
    json_decref(out);
}

/* Why the two sides differ, for the closing line. */
static void
say_mismatch(const struct pg_copy_report *rep)
{
    for (int i = 0; i < rep->ntables; i++)
        if (rep->tables[i].sqlite_rows != rep->tables[i].pg_rows)
            fprintf(stderr,
                    "meldpunt migrate-storage: table %s: %lld rows on SQLite, %lld on "
                    "PostgreSQL\n",
                    rep->tables[i].name, (long long)rep->tables[i].sqlite_rows,
                    (long long)rep->tables[i].pg_rows);
    if (!rep->sqlite_chain.ok)
        fprintf(stderr,
                "meldpunt migrate-storage: the audit chain on SQLite breaks at entry %lld: %s\n",
                (long long)rep->sqlite_chain.bad_seq, rep->sqlite_chain.reason);
    if (!rep->pg_chain.ok)
        fprintf(
            stderr,
            "meldpunt migrate-storage: the audit chain on PostgreSQL breaks at entry %lld: %s\n",
            (long long)rep->pg_chain.bad_seq, rep->pg_chain.reason);
    if (rep->sqlite_chain.ok && rep->pg_chain.ok)
        fprintf(stderr, "meldpunt migrate-storage: the audit chains end at different heads\n");
}

int
cmd_migrate_storage(int argc, char **argv)
{
    static const struct option extra[] = {
        {"to", required_argument, NULL, 't'},
        {"password-file", required_argument, NULL, 'p'},
        {"check", no_argument, NULL, 'k'},
        {NULL, 0, NULL, 0},
    };
    static const char usage[] = "usage: meldpunt migrate-storage --to CONNINFO "
                                "[--password-file FILE] [--check] [--data DIR]\n";
    static const char help[] =
        "Copies the data directory's SQLite database into an empty PostgreSQL database\n"
        "in one transaction, then compares the rows of every table and walks the audit\n"
        "chain on both sides; anything that differs rolls the copy back.  Refused\n"
        "while the server runs.  The report is JSON; exit status 0 when both sides\n"
        "match.\n\n"
        "  --to CONNINFO         the target: postgresql://HOST/DB or key=value pairs,\n"
        "                        without a password\n"
        "  --password-file FILE  the password (first line); else the systemd\n"
        "                        credential pg-password, else none\n"
        "  --check               copy nothing: compare with a database copied before\n";
    struct storage_opts o = {NULL, NULL, false};
    int64_t now = clock_now(); /* the command's one "now" */
    struct pg_copy_report rep;
    struct mp_error err;
    struct common co;
    struct config cfg;
    sqlite3 *db;
    PGconn *pg;
    bool matches;
    int rc;

    rc = parse_opts(argc, argv, usage, help, extra, "t:p:k", storage_extra, &o, &co);
    if (rc != -1)
        return rc;
    if (o.to == NULL) {
        fprintf(stderr, "meldpunt migrate-storage: --to is required\n%s", usage);
        return EXIT_USAGE;
    }
    if (open_data(&co, &cfg) != 0)
        return 1;
    /* the copy is of a database nobody changes meanwhile */
    if (datadir_lock(cfg.data_dir, &err) != 0) {
        fprintf(stderr, "meldpunt migrate-storage: %s; stop it first\n", err.message);
        return 1;
    }
    if ((db = db_reader(&err)) == NULL || (pg = pg_connect(o.to, o.password_file, &err)) == NULL) {
        fprintf(stderr, "meldpunt migrate-storage: %s%s%s\n", err.field, err.field[0] ? ": " : "",
                err.message);
        return 1;
    }
    rc = pg_copy_from_sqlite(db, pg, !o.check, now, &rep, &err);
    PQfinish(pg);
    if (rc != 0) {
        fprintf(stderr, "meldpunt migrate-storage: %s%s%s\n", err.field, err.field[0] ? ": " : "",
                err.message);
        return 1;
    }
    matches = pg_copy_matches(&rep);
    print_report(&rep, matches);
    if (!matches) {
        say_mismatch(&rep);
        fprintf(stderr, "meldpunt migrate-storage: the two sides differ%s\n",
                o.check ? "" : ": nothing was copied");
        return 1;
    }
    fprintf(stderr,
            "meldpunt migrate-storage: %s %d tables; audit chain verified on both sides "
            "up to entry %lld\n",
            o.check ? "compared" : "copied and compared", rep.ntables,
            (long long)rep.pg_chain.head_seq);
    return 0;
}
