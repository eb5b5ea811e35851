/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * pg_copy.c - see pg_copy.h.
 *
 * The tables and their columns are taken from the PostgreSQL catalog after
 * the migrations ran, not from a list kept here: a table a later migration
 * adds on both engines is copied without a change to this file, and a
 * table one engine has and the other lacks stops the copy (its rows would
 * have nowhere to go).  Table and column names are identifiers from the
 * catalogs, quoted for each engine (PQescapeIdentifier, SQLite's %w); every
 * value goes in as a bound parameter of one prepared INSERT per table,
 * bytea in binary, the rest as text.
 */
#include "pg_copy.h"
#include "db.h"
#include "pg.h"
#include "lib/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rebuilt by triggers on PostgreSQL while the incidents go in: replaced
 * by SQLite's rows once everything else is in. */
static const char *const copied_last[] = {"incident_counts"};

#define PG_COPY_COLUMNS_MAX 64

struct table_list {
    char names[PG_COPY_TABLES_MAX][64];
    int n;
};

static bool
is_copied_last(const char *name)
{
    for (size_t i = 0; i < sizeof(copied_last) / sizeof(copied_last[0]); i++)
        if (strcmp(name, copied_last[i]) == 0)
            return true;
    return false;
}

/* The tables of dst's schema but schema_migrations, in the order their
 * foreign keys need (a table after those it references). */
static int
ordered_tables(PGconn *dst, struct table_list *out, struct mp_error *err)
{
    PGresult *t, *fk;
    bool done[PG_COPY_TABLES_MAX] = {false};
    int n, placed = 0;

    out->n = 0;
    t = pg_query(dst,
                 "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema() "
                 "AND tablename <> 'schema_migrations' ORDER BY tablename",
                 0, NULL, "listing the tables", err);
    if (t == NULL)
        return -1;
    fk = pg_query(dst,
                  "SELECT conrelid::regclass::text, confrelid::regclass::text "
                  "FROM pg_catalog.pg_constraint WHERE contype = 'f' AND conrelid <> confrelid",
                  0, NULL, "listing the foreign keys", err);
    if (fk == NULL) {
        PQclear(t);
        return -1;
    }
    n = PQntuples(t);
    if (n > PG_COPY_TABLES_MAX) {
        PQclear(t);
        PQclear(fk);
        return mp_error_set(err, 500, "", "more than %d tables", PG_COPY_TABLES_MAX);
    }
    while (placed < n) {
        int before = placed;
        for (int i = 0; i < n; i++) {
            const char *name = PQgetvalue(t, i, 0);
            bool ready = !done[i] && !is_copied_last(name);
            for (int k = 0; ready && k < PQntuples(fk); k++) {
                if (strcmp(PQgetvalue(fk, k, 0), name) != 0)
                    continue;
                for (int j = 0; j < n; j++)
                    if (!done[j] && strcmp(PQgetvalue(t, j, 0), PQgetvalue(fk, k, 1)) == 0)
                        ready = false;
            }
            if (ready) {
                done[i] = true;
                snprintf(out->names[out->n++], sizeof(out->names[0]), "%s", name);
                placed++;
            }
        }
        if (placed == before)
            break;
    }
    for (int i = 0; i < n; i++)
        if (!done[i] && is_copied_last(PQgetvalue(t, i, 0))) {
            snprintf(out->names[out->n++], sizeof(out->names[0]), "%s", PQgetvalue(t, i, 0));
            placed++;
        }
    PQclear(t);
    PQclear(fk);
    if (placed < n)
        return mp_error_set(err, 500, "", "the foreign keys between the tables form a cycle");
    return 0;
}

/* The rows of table on SQLite (-1 with err when it has no such table). */
static int64_t
sqlite_rows(sqlite3 *src, const char *table, struct mp_error *err)
{
    char *sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\"", table);
    sqlite3_stmt *st = NULL;
    int64_t n = -1;

    if (sql == NULL)
        return mp_error_set(err, 500, "", "out of memory");
    if (sqlite3_prepare_v2(src, sql, -1, &st, NULL) != SQLITE_OK) {
        mp_error_set(err, 500, "", "table %s on SQLite: %s", table, sqlite3_errmsg(src));
    } else if (sqlite3_step(st) == SQLITE_ROW) {
        n = sqlite3_column_int64(st, 0);
    } else {
        mp_error_set(err, 500, "", "counting %s on SQLite: %s", table, sqlite3_errmsg(src));
    }
    sqlite3_finalize(st);
    sqlite3_free(sql);
    return n;
}

/* The rows of table on PostgreSQL, -1 with err. */
static int64_t
pg_rows(PGconn *dst, const char *table, struct mp_error *err)
{
    char *id = PQescapeIdentifier(dst, table, strlen(table));
    struct buf sql = BUF_INIT;
    PGresult *res;
    int64_t n = -1;

    if (id == NULL)
        return pg_fail(dst, NULL, "quoting a table name", err);
    buf_printf(&sql, "SELECT count(*) FROM %s", id);
    PQfreemem(id);
    if (buf_failed(&sql))
        return mp_error_set(err, 500, "", "out of memory");
    res = pg_query(dst, sql.data, 0, NULL, "counting the rows", err);
    if (res != NULL)
        n = pg_int(res, 0, 0);
    PQclear(res);
    buf_free(&sql);
    return n;
}

/* The columns of table on PostgreSQL: name, whether bytea, whether an
 * identity. */
struct columns {
    PGresult *res; /* attname, is bytea, is identity */
    int n;
};

static int
table_columns(PGconn *dst, const char *table, struct columns *c, struct mp_error *err)
{
    const char *params[1] = {table};

    c->res = pg_query(dst,
                      "SELECT attname, atttypid = 'bytea'::regtype, attidentity <> '' "
                      "FROM pg_catalog.pg_attribute WHERE attrelid = $1::regclass "
                      "AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                      1, params, "reading the columns", err);
    if (c->res == NULL)
        return -1;
    c->n = PQntuples(c->res);
    return 0;
}

static bool
col_bytea(const struct columns *c, int i)
{
    return strcmp(PQgetvalue(c->res, i, 1), "t") == 0;
}

/* "SELECT "a","b" FROM "t"" for SQLite and "INSERT INTO t (a, b) VALUES
 * ($1, $2)" for PostgreSQL. */
static int
copy_statements(PGconn *dst, const char *table, const struct columns *c, struct buf *sel,
                struct buf *ins, struct mp_error *err)
{
    char *id = PQescapeIdentifier(dst, table, strlen(table));

    if (id == NULL)
        return pg_fail(dst, NULL, "quoting a table name", err);
    buf_puts(sel, "SELECT ");
    buf_printf(ins, "INSERT INTO %s (", id);
    PQfreemem(id);
    for (int i = 0; i < c->n; i++) {
        const char *col = PQgetvalue(c->res, i, 0);
        char *q = sqlite3_mprintf("%s\"%w\"", i ? "," : "", col);
        char *pq = PQescapeIdentifier(dst, col, strlen(col));
        if (q == NULL || pq == NULL) {
            sqlite3_free(q);
            PQfreemem(pq);
            return mp_error_set(err, 500, "", "out of memory");
        }
        buf_puts(sel, q);
        buf_printf(ins, "%s%s", i ? ", " : "", pq);
        sqlite3_free(q);
        PQfreemem(pq);
    }
    buf_puts(ins, ") VALUES (");
    for (int i = 0; i < c->n; i++)
        buf_printf(ins, "%s$%d", i ? ", " : "", i + 1);
    buf_puts(ins, ")");
    {
        char *from = sqlite3_mprintf(" FROM \"%w\"", table);
        buf_puts(sel, from ? from : "");
        sqlite3_free(from);
    }
    if (buf_failed(sel) || buf_failed(ins))
        return mp_error_set(err, 500, "", "out of memory");
    return 0;
}

/* One SQLite row as parameters of the prepared INSERT. */
static int
insert_row(PGconn *dst, sqlite3_stmt *st, const struct columns *c, const char *table,
           struct mp_error *err)
{
    const char *values[PG_COPY_COLUMNS_MAX];
    int lengths[PG_COPY_COLUMNS_MAX], formats[PG_COPY_COLUMNS_MAX];
    PGresult *res;
    int rc = 0;

    for (int i = 0; i < c->n; i++) {
        bool blob = col_bytea(c, i);
        values[i] = blob ? (const char *)sqlite3_column_blob(st, i)
                         : (const char *)sqlite3_column_text(st, i);
        lengths[i] = sqlite3_column_bytes(st, i);
        formats[i] = blob ? 1 : 0;
        if (sqlite3_column_type(st, i) == SQLITE_NULL)
            values[i] = NULL;
        else if (values[i] == NULL) /* a zero-length blob */
            values[i] = "";
    }
    res = PQexecPrepared(dst, "meldpunt_copy", c->n, values, lengths, formats, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        char what[128];
        snprintf(what, sizeof(what), "copying a row of %s", table);
        rc = pg_fail(dst, res, what, err);
    }
    PQclear(res);
    return rc;
}

/* Moves each identity column's sequence past the largest id copied. */
static int
move_identities(PGconn *dst, const char *table, const struct columns *c, struct mp_error *err)
{
    for (int i = 0; i < c->n; i++) {
        const char *col = PQgetvalue(c->res, i, 0), *params[2] = {table, col};
        char *tid = PQescapeIdentifier(dst, table, strlen(table));
        char *cid = PQescapeIdentifier(dst, col, strlen(col));
        struct buf sql = BUF_INIT;
        PGresult *res = NULL;

        if (strcmp(PQgetvalue(c->res, i, 2), "t") == 0 && tid != NULL && cid != NULL) {
            buf_printf(&sql,
                       "SELECT setval(pg_get_serial_sequence($1, $2), "
                       "coalesce((SELECT max(%s) FROM %s), 0) + 1, false)",
                       cid, tid);
            if (!buf_failed(&sql))
                res = pg_query(dst, sql.data, 2, params, "moving an identity sequence", err);
        }
        PQfreemem(tid);
        PQfreemem(cid);
        buf_free(&sql);
        if (strcmp(PQgetvalue(c->res, i, 2), "t") != 0)
            continue;
        if (res == NULL)
            return err->message[0] ? -1 : mp_error_set(err, 500, "", "out of memory");
        PQclear(res);
    }
    return 0;
}

/* Empties table on dst (the seeded rows, the triggers' counts), then
 * copies every row of it from src. */
static int
copy_table(sqlite3 *src, PGconn *dst, const char *table, struct mp_error *err)
{
    struct buf sel = BUF_INIT, ins = BUF_INIT, del = BUF_INIT;
    struct columns c = {NULL, 0};
    sqlite3_stmt *st = NULL;
    PGresult *res;
    char *id = NULL;
    int step, rc = -1;

    if (table_columns(dst, table, &c, err) != 0)
        return -1;
    if (c.n > PG_COPY_COLUMNS_MAX) {
        mp_error_set(err, 500, "", "table %s has too many columns", table);
        goto out;
    }
    if (copy_statements(dst, table, &c, &sel, &ins, err) != 0)
        goto out;
    if ((id = PQescapeIdentifier(dst, table, strlen(table))) == NULL) {
        pg_fail(dst, NULL, "quoting a table name", err);
        goto out;
    }
    buf_printf(&del, "DELETE FROM %s", id);
    if (buf_failed(&del) || pg_exec(dst, del.data, "emptying a table", err) != 0)
        goto out;
    PQclear(PQexec(dst, "DEALLOCATE ALL"));
    res = PQprepare(dst, "meldpunt_copy", ins.data, c.n, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        pg_fail(dst, res, "preparing the copy", err);
        PQclear(res);
        goto out;
    }
    PQclear(res);
    if (sqlite3_prepare_v2(src, sel.data, -1, &st, NULL) != SQLITE_OK) {
        mp_error_set(err, 500, "", "table %s on SQLite: %s", table, sqlite3_errmsg(src));
        goto out;
    }
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        if (insert_row(dst, st, &c, table, err) != 0)
            goto out;
    if (step != SQLITE_DONE) {
        mp_error_set(err, 500, "", "reading %s on SQLite: %s", table, sqlite3_errmsg(src));
        goto out;
    }
    rc = move_identities(dst, table, &c, err);
out:
    sqlite3_finalize(st);
    PQfreemem(id);
    PQclear(c.res);
    buf_free(&sel);
    buf_free(&ins);
    buf_free(&del);
    return rc;
}

int
pg_audit_verify(PGconn *c, struct audit_verify_result *out, struct mp_error *err)
{
    static const uint8_t genesis[CHAIN_HASH_LEN] = {0};
    struct audit_walk w;
    int64_t after = 0;
    int n;

    store_audit_walk_start(&w, 0, genesis, out);
    do {
        char from[24];
        const char *params[1] = {from};
        PGresult *res;

        snprintf(from, sizeof(from), "%lld", (long long)after);
        res = pg_query(c,
                       "SELECT seq, at, principal, action, object, payload, payload_hash, "
                       "prev_hash, hash FROM audit WHERE seq > $1 ORDER BY seq LIMIT 1000",
                       1, params, "reading the audit chain", err);
        if (res == NULL)
            return -1;
        n = PQntuples(res);
        for (int i = 0; i < n; i++) {
            size_t len[3] = {0, 0, 0};
            unsigned char *h[3];
            for (int k = 0; k < 3; k++)
                h[k] = PQunescapeBytea((const unsigned char *)PQgetvalue(res, i, 6 + k), &len[k]);
            struct audit_row r = {
                .e = {.seq = pg_int(res, i, 0),
                      .at = PQgetvalue(res, i, 1),
                      .principal = PQgetvalue(res, i, 2),
                      .action = PQgetvalue(res, i, 3),
                      .object = PQgetvalue(res, i, 4)},
                .payload = PQgetvalue(res, i, 5),
                .payload_hash = h[0],
                .payload_hash_len = h[0] ? len[0] : 0,
                .prev_hash = h[1],
                .prev_hash_len = h[1] ? len[1] : 0,
                .hash = h[2],
                .hash_len = h[2] ? len[2] : 0,
            };
            store_audit_walk_row(&w, &r);
            after = r.e.seq;
            for (int k = 0; k < 3; k++)
                PQfreemem(h[k]);
        }
        PQclear(res);
    } while (n == 1000);
    store_audit_walk_end(&w);
    return 0;
}

/* Rows on both sides per table, and both chains walked. */
static int
compare(sqlite3 *src, PGconn *dst, const struct table_list *tl, struct pg_copy_report *rep,
        struct mp_error *err)
{
    rep->ntables = tl->n;
    for (int i = 0; i < tl->n; i++) {
        struct pg_copy_table *t = &rep->tables[i];
        snprintf(t->name, sizeof(t->name), "%s", tl->names[i]);
        if ((t->sqlite_rows = sqlite_rows(src, t->name, err)) < 0 ||
            (t->pg_rows = pg_rows(dst, t->name, err)) < 0)
            return -1;
    }
    if (store_audit_verify(src, &rep->sqlite_chain, err) != 0)
        return -1;
    return pg_audit_verify(dst, &rep->pg_chain, err);
}

bool
pg_copy_matches(const struct pg_copy_report *rep)
{
    const struct audit_verify_result *a = &rep->sqlite_chain, *b = &rep->pg_chain;

    for (int i = 0; i < rep->ntables; i++)
        if (rep->tables[i].sqlite_rows != rep->tables[i].pg_rows)
            return false;
    return a->ok && b->ok && a->head_seq == b->head_seq &&
           memcmp(a->head_hash, b->head_hash, CHAIN_HASH_LEN) == 0;
}

/* In the open transactions: the schema, every table, the comparison. */
static int
copy_all(sqlite3 *src, PGconn *dst, int64_t now, struct pg_copy_report *rep, struct mp_error *err)
{
    struct table_list tl;
    int64_t tables = pg_table_count(dst, err);

    if (tables < 0)
        return -1;
    if (tables > 0)
        return mp_error_set(err, 409, "to",
                            "the target database is not empty (%lld tables): migrate-storage "
                            "copies only into an empty database",
                            (long long)tables);
    if (rep->schema_version != pg_known_version())
        return mp_error_set(err, 500, "",
                            "the SQLite database has schema version %d, this meldpunt's "
                            "PostgreSQL schema is %d",
                            rep->schema_version, pg_known_version());
    if (pg_migrate_within(dst, pg_schema_files, pg_schema_files_count, now, err) != 0 ||
        ordered_tables(dst, &tl, err) != 0)
        return -1;
    for (int i = 0; i < tl.n; i++)
        if (copy_table(src, dst, tl.names[i], err) != 0)
            return -1;
    return compare(src, dst, &tl, rep, err);
}

int
pg_copy_from_sqlite(sqlite3 *src, PGconn *dst, bool copy, int64_t now, struct pg_copy_report *rep,
                    struct mp_error *err)
{
    struct table_list tl;
    int rc = -1;

    memset(rep, 0, sizeof(*rep));
    rep->schema_version = db_schema_version(src);
    if (sqlite3_exec(src, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(src, err, "reading the SQLite database");
    if (pg_exec(dst, "BEGIN ISOLATION LEVEL SERIALIZABLE", "starting the copy", err) != 0)
        goto out;
    if (copy)
        rc = copy_all(src, dst, now, rep, err);
    else
        rc = ordered_tables(dst, &tl, err) == 0 ? compare(src, dst, &tl, rep, err) : -1;
    if (rc == 0 && copy && pg_copy_matches(rep)) {
        rc = pg_exec(dst, "COMMIT", "committing the copy", err);
        rep->copied = rc == 0;
    }
out:
    if (PQtransactionStatus(dst) != PQTRANS_IDLE)
        PQclear(PQexec(dst, "ROLLBACK"));
    sqlite3_exec(src, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}
