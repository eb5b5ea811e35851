/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_migrations.c - store/db.c: db_migrate() with the embedded schema and
 * with hand-made migration sets, db_open(), db_ping(), db_backup(), and the
 * per-thread prepared-statement cache (db_stmt()).
 */
#include "lib/embed.h"
#include "store/db.h"
#include "store_statements.h" /* build/gen, by tools/stmts.c */
#include "testutil.h"

#include <check.h>
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char tmpdir[PATH_MAX];
static char dbfile[PATH_MAX];

static void
setup(void)
{
    tu_mkdtemp(tmpdir);
    tu_path(dbfile, tmpdir, "test.db");
}

static void
teardown(void)
{
    db_close();
    tu_rmrf(tmpdir);
}

static sqlite3 *
connect_new(void)
{
    struct mp_error err;
    sqlite3 *db;

    mp_error_clear(&err);
    db = db_connect(dbfile, true, &err);
    ck_assert_msg(db != NULL, "db_connect: %s", err.message);
    return db;
}

static bool
table_exists(sqlite3 *db, const char *name)
{
    sqlite3_stmt *st;
    bool found;

    ck_assert_int_eq(sqlite3_prepare_v2(db,
                                        "SELECT 1 FROM sqlite_master WHERE type IN "
                                        "('table','view') AND name = ?",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

static bool
trigger_exists(sqlite3 *db, const char *name)
{
    sqlite3_stmt *st;
    bool found;

    ck_assert_int_eq(sqlite3_prepare_v2(db,
                                        "SELECT 1 FROM sqlite_master WHERE type = 'trigger' "
                                        "AND name = ?",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

static long long
query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    long long v;

    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
                  sqlite3_errmsg(db));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void
exec_ok(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

    ck_assert_msg(rc == SQLITE_OK, "%s: %s", sql, msg ? msg : "?");
}

/* The number in the last embedded migration's name. */
static int
highest_migration(void)
{
    ck_assert_uint_gt(schema_files_count, 0);
    return atoi(schema_files[schema_files_count - 1].name);
}

#define FILE_OF(name, sql)                                                                         \
    {                                                                                              \
        name, (const unsigned char *)(sql), sizeof(sql) - 1, "\"x\""                               \
    }

/* ---- the real schema ---- */

START_TEST(test_embedded_schema_names)
{
    int prev = 0;

    for (size_t i = 0; i < schema_files_count; i++) {
        const char *n = schema_files[i].name;
        int v = atoi(n);

        ck_assert_msg(strlen(n) >= 10 && n[4] == '_' && strcmp(n + strlen(n) - 4, ".sql") == 0,
                      "bad migration name %s", n);
        ck_assert_msg(v > prev, "migration %s out of order", n);
        ck_assert_uint_gt(schema_files[i].len, 0);
        prev = v;
    }
}
END_TEST

START_TEST(test_migrate_empty_database)
{
    sqlite3 *db = connect_new();
    struct mp_error err;

    ck_assert_int_eq(db_schema_version(db), -1); /* no schema_migrations yet */
    mp_error_clear(&err);
    ck_assert_msg(db_migrate(db, schema_files, schema_files_count, &err) == 0, "%s", err.message);
    ck_assert_int_eq(db_schema_version(db), highest_migration());
    ck_assert(table_exists(db, "schema_migrations"));
    ck_assert(table_exists(db, "tokens"));
    ck_assert(table_exists(db, "audit"));
    ck_assert(trigger_exists(db, "audit_no_update"));
    ck_assert(trigger_exists(db, "audit_no_delete"));
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM schema_migrations"),
                     (long long)schema_files_count);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM schema_migrations WHERE name = "
                                   "(SELECT name FROM schema_migrations WHERE version = 1)"),
                     1);
    ck_assert(sqlite3_get_autocommit(db)); /* no transaction left open */
    sqlite3_close_v2(db);
}
END_TEST

START_TEST(test_migrate_twice_is_noop)
{
    sqlite3 *db = connect_new();
    struct mp_error err;

    mp_error_clear(&err);
    ck_assert_int_eq(db_migrate(db, schema_files, schema_files_count, &err), 0);
    exec_ok(db, "INSERT INTO tokens(name, role, hash, created_at, created_by) "
                "VALUES ('keep', 'admin', randomblob(32), 'now', 'test')");
    ck_assert_msg(db_migrate(db, schema_files, schema_files_count, &err) == 0, "%s", err.message);
    ck_assert_int_eq(db_schema_version(db), highest_migration());
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM schema_migrations"),
                     (long long)schema_files_count);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM tokens"), 1);
    ck_assert(sqlite3_get_autocommit(db));
    sqlite3_close_v2(db);
}
END_TEST

START_TEST(test_migrate_refuses_newer_database)
{
    sqlite3 *db = connect_new();
    struct mp_error err;

    mp_error_clear(&err);
    ck_assert_int_eq(db_migrate(db, schema_files, schema_files_count, &err), 0);
    exec_ok(db, "INSERT INTO schema_migrations(version, name, applied_at) "
                "VALUES (9999, '9999_future.sql', '2030-01-01T00:00:00Z')");
    mp_error_clear(&err);
    ck_assert_int_eq(db_migrate(db, schema_files, schema_files_count, &err), -1);
    ck_assert_msg(strstr(err.message, "newer") != NULL, "%s", err.message);
    ck_assert_msg(strstr(err.message, "9999") != NULL, "%s", err.message);
    ck_assert_int_ne(err.status, 0);
    ck_assert_int_eq(db_schema_version(db), 9999);
    ck_assert(sqlite3_get_autocommit(db));
    sqlite3_close_v2(db);

    /* db_open refuses it the same way */
    mp_error_clear(&err);
    ck_assert_int_eq(db_open(dbfile, false, &err), -1);
    ck_assert_msg(strstr(err.message, "newer") != NULL, "%s", err.message);
    ck_assert_ptr_null(db_path());
}
END_TEST

/* ---- hand-made migration sets ---- */

START_TEST(test_migrate_custom_applies_in_order)
{
    static const struct embedded_file files[] = {
        FILE_OF("0001_a.sql", "CREATE TABLE a(x INTEGER);"),
        FILE_OF("0002_b.sql", "CREATE TABLE b(y INTEGER); INSERT INTO a VALUES (7);"),
        FILE_OF("0010_c.sql", "CREATE TABLE c(z INTEGER);"),
    };
    sqlite3 *db = connect_new();
    struct mp_error err;

    mp_error_clear(&err);
    /* first only 0001, then all three: 0001 (not idempotent SQL) is not re-run */
    ck_assert_msg(db_migrate(db, files, 1, &err) == 0, "%s", err.message);
    ck_assert_int_eq(db_schema_version(db), 1);
    ck_assert(table_exists(db, "a"));
    ck_assert(!table_exists(db, "b"));
    ck_assert_msg(db_migrate(db, files, 3, &err) == 0, "%s", err.message);
    ck_assert_int_eq(db_schema_version(db), 10);
    ck_assert(table_exists(db, "b"));
    ck_assert(table_exists(db, "c"));
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM a"), 1);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM schema_migrations"), 3);
    ck_assert_int_eq(
        query_int(db, "SELECT count(*) FROM schema_migrations WHERE version = 2 AND name = "
                      "'0002_b.sql' AND applied_at LIKE '____-__-__T__:__:__Z'"),
        1);
    sqlite3_close_v2(db);
}
END_TEST

/* Only len bytes of a file are SQL (embedded data need not end at len). */
START_TEST(test_migrate_honours_length)
{
    static const char sql[] = "CREATE TABLE a(x);THIS IS NOT SQL";
    const struct embedded_file files[] = {
        {"0001_a.sql", (const unsigned char *)sql, strlen("CREATE TABLE a(x);"), "\"x\""},
    };
    sqlite3 *db = connect_new();
    struct mp_error err;

    mp_error_clear(&err);
    ck_assert_msg(db_migrate(db, files, 1, &err) == 0, "%s", err.message);
    ck_assert(table_exists(db, "a"));
    sqlite3_close_v2(db);
}
END_TEST

/* A failing statement undoes the whole run, earlier files included. */
START_TEST(test_migrate_broken_sql_leaves_database_unchanged)
{
    static const struct embedded_file files[] = {
        FILE_OF("0001_ok.sql", "CREATE TABLE a(x INTEGER); INSERT INTO a VALUES (1);"),
        FILE_OF("0002_bad.sql", "CREATE TABLE b(y INTEGER); THIS IS NOT SQL;"),
    };
    sqlite3 *db = connect_new();
    struct mp_error err;

    mp_error_clear(&err);
    ck_assert_int_eq(db_migrate(db, files, 2, &err), -1);
    ck_assert_msg(strstr(err.message, "0002_bad.sql") != NULL, "%s", err.message);
    ck_assert_int_ne(err.status, 0);
    ck_assert(sqlite3_get_autocommit(db));
    ck_assert(!table_exists(db, "a"));
    ck_assert(!table_exists(db, "b"));
    ck_assert_int_le(db_schema_version(db), 0);
    sqlite3_close_v2(db);

    /* and on a database already at version 1, a broken 0002 keeps it at 1 */
    tu_rmrf(dbfile);
    db = connect_new();
    ck_assert_int_eq(db_migrate(db, files, 1, &err), 0);
    ck_assert_int_eq(db_migrate(db, files, 2, &err), -1);
    ck_assert_int_eq(db_schema_version(db), 1);
    ck_assert(table_exists(db, "a"));
    ck_assert(!table_exists(db, "b"));
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM a"), 1);
    sqlite3_close_v2(db);
}
END_TEST

struct bad_set {
    const char *why;
    const char *names[3];
};

static const struct bad_set bad_sets[] = {
    {"out of order", {"0002_b.sql", "0001_a.sql", NULL}},
    {"duplicate version", {"0001_a.sql", "0001_b.sql", NULL}},
    {"version zero", {"0000_zero.sql", NULL, NULL}},
    {"short number", {"001_a.sql", NULL, NULL}},
    {"no underscore", {"0001a.sql", NULL, NULL}},
    {"not .sql", {"0001_a.txt", NULL, NULL}},
    {"no name", {"0001_.sql", NULL, NULL}},
    {"letters", {"abcd_a.sql", NULL, NULL}},
    {"bad second", {"0001_a.sql", "x.sql", NULL}},
    {"empty", {"", NULL, NULL}},
};

START_TEST(test_migrate_bad_names)
{
    const struct bad_set *b = &bad_sets[_i];
    struct embedded_file files[3];
    size_t n = 0;
    sqlite3 *db = connect_new();
    struct mp_error err;

    for (; n < 3 && b->names[n] != NULL; n++) {
        files[n].name = b->names[n];
        files[n].data = (const unsigned char *)"CREATE TABLE t(x);";
        files[n].len = strlen("CREATE TABLE t(x);");
        files[n].etag = "\"x\"";
    }
    mp_error_clear(&err);
    ck_assert_msg(db_migrate(db, files, n, &err) == -1, "%s accepted", b->why);
    ck_assert_msg(strstr(err.message, "bad name or out of order") != NULL, "%s: %s", b->why,
                  err.message);
    /* refused before touching the database */
    ck_assert(!table_exists(db, "t"));
    ck_assert(!table_exists(db, "schema_migrations"));
    sqlite3_close_v2(db);
}
END_TEST

/* ---- db_open, db_ping, db_backup ---- */

START_TEST(test_open_missing_without_create)
{
    struct mp_error err;

    mp_error_clear(&err);
    ck_assert_int_eq(db_open(dbfile, false, &err), -1);
    ck_assert_int_eq(err.status, 503);
    ck_assert_ptr_nonnull(strstr(err.message, dbfile));
    ck_assert_int_ne(access(dbfile, F_OK), 0); /* not created */
    ck_assert_ptr_null(db_path());
    ck_assert(!db_ping());
}
END_TEST

START_TEST(test_open_create)
{
    struct mp_error err;
    sqlite3 *db;

    mp_error_clear(&err);
    ck_assert(!db_ping());
    ck_assert_msg(db_open(dbfile, true, &err) == 0, "%s", err.message);
    ck_assert_str_eq(db_path(), dbfile);
    ck_assert(db_ping());
    ck_assert_int_eq(access(dbfile, F_OK), 0);

    db = connect_new();
    ck_assert_int_eq(db_schema_version(db), highest_migration());
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM pragma_journal_mode WHERE "
                                   "journal_mode = 'wal'"),
                     1);
    ck_assert_int_eq(query_int(db, "PRAGMA foreign_keys"), 1);
    sqlite3_close_v2(db);

    /* the per-thread reader is read-only */
    db = db_reader(&err);
    ck_assert_ptr_nonnull(db);
    ck_assert_int_ne(sqlite3_exec(db, "CREATE TABLE nope(x)", NULL, NULL, NULL), SQLITE_OK);

    db_close();
    ck_assert_ptr_null(db_path());
    ck_assert(!db_ping());

    /* an existing database opens without create */
    ck_assert_msg(db_open(dbfile, false, &err) == 0, "%s", err.message);
    ck_assert(db_ping());
}
END_TEST

START_TEST(test_open_not_a_database)
{
    struct mp_error err;

    tu_write_file(dbfile, "this is not an SQLite database, not even close.............."
                          "..................................................................");
    mp_error_clear(&err);
    ck_assert_int_eq(db_open(dbfile, false, &err), -1);
    ck_assert_str_ne(err.message, "");
    ck_assert_ptr_null(db_path());
}
END_TEST

START_TEST(test_backup)
{
    char dest[PATH_MAX];
    struct mp_error err;
    sqlite3 *db, *copy;

    mp_error_clear(&err);
    ck_assert_msg(db_open(dbfile, true, &err) == 0, "%s", err.message);
    db = connect_new();
    exec_ok(db, "INSERT INTO tokens(name, role, hash, created_at, created_by) VALUES "
                "('a', 'admin', randomblob(32), 'now', 'test'),"
                "('b', 'viewer', randomblob(32), 'now', 'test'),"
                "('c', 'ingest', randomblob(32), 'now', 'test')");
    sqlite3_close_v2(db);

    tu_path(dest, tmpdir, "backup.db");
    ck_assert_msg(db_backup(dest, &err) == 0, "%s", err.message);
    ck_assert_int_eq(sqlite3_open_v2(dest, &copy, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ck_assert_int_eq(query_int(copy, "SELECT count(*) FROM tokens"), 3);
    ck_assert_int_eq(query_int(copy, "SELECT count(*) FROM tokens WHERE name = 'b' AND role = "
                                     "'viewer'"),
                     1);
    ck_assert_int_eq(db_schema_version(copy), highest_migration());
    /* a self-contained file, not WAL */
    ck_assert_int_eq(query_int(copy, "SELECT count(*) FROM pragma_journal_mode WHERE "
                                     "journal_mode = 'delete'"),
                     1);
    ck_assert_int_eq(query_int(copy, "SELECT count(*) FROM pragma_integrity_check WHERE "
                                     "integrity_check = 'ok'"),
                     1);
    sqlite3_close_v2(copy);
}
END_TEST

START_TEST(test_backup_refuses_existing_file)
{
    char dest[PATH_MAX];
    struct mp_error err;
    char *text;

    mp_error_clear(&err);
    ck_assert_msg(db_open(dbfile, true, &err) == 0, "%s", err.message);
    tu_path(dest, tmpdir, "existing");
    tu_write_file(dest, "precious");
    ck_assert_int_eq(db_backup(dest, &err), -1);
    ck_assert_int_eq(err.status, 409);
    text = tu_read_file(dest);
    ck_assert_ptr_nonnull(text);
    ck_assert_str_eq(text, "precious"); /* neither overwritten nor removed */
    free(text);
}
END_TEST

START_TEST(test_backup_without_open)
{
    char dest[PATH_MAX];
    struct mp_error err;

    tu_path(dest, tmpdir, "backup.db");
    mp_error_clear(&err);
    ck_assert_int_eq(db_backup(dest, &err), -1);
    ck_assert_int_eq(err.status, 500);
    ck_assert_int_ne(access(dest, F_OK), 0);
}
END_TEST

START_TEST(test_backup_into_missing_dir)
{
    char dest[PATH_MAX];
    struct mp_error err;

    mp_error_clear(&err);
    ck_assert_msg(db_open(dbfile, true, &err) == 0, "%s", err.message);
    tu_path(dest, tmpdir, "no/such/dir/backup.db");
    ck_assert_int_eq(db_backup(dest, &err), -1);
    ck_assert_int_ne(err.status, 0);
}
END_TEST

/* ---- the prepared-statement cache (db_stmt) ---- */

/* More distinct statements than the cache has slots.  The cache keys on the
 * text's address, so each row of this array is a statement of its own:
 * "SELECT i * 7". */
#define COLD_COUNT (2 * DB_STMT_CACHE_SLOTS + 7)
static char cold[COLD_COUNT][32];

static void
cold_fill(void)
{
    for (int i = 0; i < COLD_COUNT; i++)
        snprintf(cold[i], sizeof(cold[i]), "SELECT %d * 7", i);
}

/* Statement i of cold[], run through the cache: one row, i * 7. */
static void
cold_check(sqlite3 *db, int i)
{
    sqlite3_stmt *st = db_stmt(db, cold[i]);

    ck_assert_msg(st != NULL, "db_stmt(%s): %s", cold[i], sqlite3_errmsg(db));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int(st, 0), i * 7);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
}

/* Three rows, 1, 2, 3: a statement its caller steps through. */
static const char three_rows[] =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3) SELECT x FROM c";

/* Every statement answers right whatever was evicted, in rounds over twice
 * the cache's size, with one statement used between every other (under
 * "always evict the first slot" that one was prepared again each time). */
START_TEST(test_stmt_cache_more_statements_than_slots)
{
    static const char hot[] = "SELECT 'hot'";
    sqlite3 *db = connect_new();

    cold_fill();
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < COLD_COUNT; i++) {
            sqlite3_stmt *st = db_stmt(db, hot);

            ck_assert_ptr_nonnull(st);
            ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
            ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "hot");
            cold_check(db, i);
        }
    }
    db_disconnect(db);
}
END_TEST

/* A statement its caller is stepping through (fetched last, so the most
 * recently used) survives a full cache taking new statements: the cache
 * evicts the least recently used slot.  Evicting the first slot, where this
 * statement sat, finalized it under its caller's feet. */
START_TEST(test_stmt_cache_keeps_recent_statement)
{
    sqlite3 *db = connect_new();
    sqlite3_stmt *outer;

    cold_fill();
    ck_assert_ptr_nonnull(db_stmt(db, three_rows)); /* the first slot */
    for (int i = 0; i < DB_STMT_CACHE_SLOTS - 1; i++)
        cold_check(db, i); /* the cache is full */
    outer = db_stmt(db, three_rows);
    ck_assert_ptr_nonnull(outer);
    ck_assert_int_eq(sqlite3_step(outer), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int(outer, 0), 1);
    for (int i = DB_STMT_CACHE_SLOTS - 1; i < DB_STMT_CACHE_SLOTS + 9; i++)
        cold_check(db, i);
    ck_assert_int_eq(sqlite3_step(outer), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int(outer, 0), 2);
    ck_assert_int_eq(sqlite3_step(outer), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int(outer, 0), 3);
    ck_assert_int_eq(sqlite3_step(outer), SQLITE_DONE);
    db_disconnect(db);
}
END_TEST

/* A statement in the middle of its rows is never the one evicted, however
 * many other statements come through meanwhile (a loop over rows that
 * calls other store functions per row). */
START_TEST(test_stmt_cache_never_evicts_busy_statement)
{
    sqlite3 *db = connect_new();
    sqlite3_stmt *outer;

    cold_fill();
    outer = db_stmt(db, three_rows);
    ck_assert_ptr_nonnull(outer);
    for (int row = 1; row <= 3; row++) {
        ck_assert_int_eq(sqlite3_step(outer), SQLITE_ROW);
        ck_assert_int_eq(sqlite3_column_int(outer, 0), row);
        for (int i = 0; i < COLD_COUNT; i++)
            cold_check(db, i);
    }
    ck_assert_int_eq(sqlite3_step(outer), SQLITE_DONE);
    db_disconnect(db);
}
END_TEST

/* Two connections on one thread share the slots; each gets its own
 * statements, and releasing one leaves the other's working. */
START_TEST(test_stmt_cache_two_connections)
{
    sqlite3 *a = connect_new(), *b = connect_new();

    cold_fill();
    for (int i = 0; i < COLD_COUNT; i++) {
        cold_check(i % 2 ? a : b, i);
        cold_check(i % 2 ? b : a, i);
    }
    ck_assert_ptr_ne(db_stmt(a, cold[0]), db_stmt(b, cold[0]));
    db_disconnect(a);
    for (int i = 0; i < COLD_COUNT; i++)
        cold_check(b, i);
    db_disconnect(b);
}
END_TEST

/* A transaction's own statements (the writer's), which run in their order
 * and not inside the test's transaction. */
static bool
is_transaction_control(const char *sql)
{
    static const char *const words[] = {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"};

    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (strncmp(sql, words[i], strlen(words[i])) == 0)
            return true;
    }
    return false;
}

/* Every statement the store prepares (collected from its sources at build
 * time) prepares against the current schema and runs through the cache
 * with every parameter NULL (inside a transaction rolled back): it answers
 * rows, nothing, or a constraint or type the NULLs break, never another
 * error.  The
 * cache has a slot for each call site, so a thread that uses them all
 * evicts nothing. */
START_TEST(test_every_store_statement_runs)
{
    struct mp_error err;
    sqlite3 *db = connect_new();

    mp_error_clear(&err);
    ck_assert_msg(db_migrate(db, schema_files, schema_files_count, &err) == 0, "%s", err.message);
    ck_assert_uint_gt(store_statements_count, 50);
    ck_assert_uint_le(store_statements_count, DB_STMT_CACHE_SLOTS);
    exec_ok(db, "BEGIN");
    for (size_t i = 0; i < store_statements_count; i++) {
        const char *sql = store_statements[i];
        sqlite3_stmt *st = db_stmt(db, sql);
        int rc;

        ck_assert_msg(st != NULL, "%s: %s", sql, sqlite3_errmsg(db));
        if (is_transaction_control(sql))
            continue;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            ;
        /* the NULLs may break a NOT NULL, a CHECK, or LIMIT's integer */
        ck_assert_msg(rc == SQLITE_DONE || (rc & 0xff) == SQLITE_CONSTRAINT ||
                          rc == SQLITE_MISMATCH,
                      "%s: %s", sql, sqlite3_errmsg(db));
    }
    exec_ok(db, "ROLLBACK");
    db_disconnect(db);
}
END_TEST

/* ---- upgrades: from every earlier schema, with a backup first ---- */

/* Every table, index and trigger with its SQL, in one text. */
static char *
schema_text(sqlite3 *db)
{
    sqlite3_stmt *st;
    size_t cap = 1 << 16, len = 0;
    char *out = calloc(1, cap);

    ck_assert_int_eq(sqlite3_prepare_v2(db,
                                        "SELECT type || ' ' || name || ': ' || coalesce(sql, '') "
                                        "FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
                                        "ORDER BY type, name",
                                        -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        size_t n = strlen(t);
        if (len + n + 2 > cap) {
            cap = 2 * (len + n + 2);
            out = realloc(out, cap);
        }
        memcpy(out + len, t, n);
        len += n;
        out[len++] = '\n';
        out[len] = '\0';
    }
    sqlite3_finalize(st);
    return out;
}

/* The files in tmpdir/backups/, counted; the last name in last. */
static int
backups_in(char last[256])
{
    char dir[PATH_MAX];
    struct dirent *de;
    DIR *d;
    int n = 0;

    last[0] = '\0';
    tu_path(dir, tmpdir, "backups");
    d = opendir(dir);
    if (d == NULL)
        return 0;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(last, 256, "%s", de->d_name);
        n++;
    }
    closedir(d);
    return n;
}

/* A database left at the schema of every earlier release (each prefix of
 * the embedded migrations) opens with this binary: a copy of it as it was
 * is kept first, then it is migrated forward to the same schema a new
 * database gets, its data intact. */
START_TEST(test_upgrade_from_every_earlier_schema)
{
    size_t k = (size_t)_i + 1; /* migrations applied before the upgrade */
    int from = atoi(schema_files[k - 1].name);
    char fresh_path[PATH_MAX], name[256], copy_path[PATH_MAX + 300], prefix[64];
    char *want, *got;
    struct mp_error err;
    sqlite3 *db, *copy;

    mp_error_clear(&err);
    tu_path(fresh_path, tmpdir, "fresh.db");
    ck_assert_int_eq(sqlite3_open(fresh_path, &db), SQLITE_OK);
    ck_assert_int_eq(db_migrate(db, schema_files, schema_files_count, &err), 0);
    want = schema_text(db);
    sqlite3_close_v2(db);

    db = connect_new();
    ck_assert_msg(db_migrate(db, schema_files, k, &err) == 0, "%s", err.message);
    ck_assert_int_eq(db_schema_version(db), from);
    exec_ok(db, "INSERT INTO tokens(name, role, hash, created_at, created_by) "
                "VALUES ('old', 'admin', randomblob(32), 'now', 'test')");
    sqlite3_close_v2(db);

    ck_assert_msg(db_open(dbfile, false, &err) == 0, "from %d: %s", from, err.message);
    db = connect_new();
    ck_assert_int_eq(db_schema_version(db), highest_migration());
    got = schema_text(db);
    ck_assert_str_eq(got, want);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM tokens WHERE name = 'old'"), 1);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM pragma_integrity_check WHERE "
                                   "integrity_check = 'ok'"),
                     1);
    sqlite3_close_v2(db);
    free(want);
    free(got);

    /* the copy taken before: the old schema, the same data */
    ck_assert_int_eq(backups_in(name), 1);
    snprintf(prefix, sizeof(prefix), "meldpunt-schema-%04d-", from);
    ck_assert_msg(strncmp(name, prefix, strlen(prefix)) == 0, "backup named %s", name);
    snprintf(copy_path, sizeof(copy_path), "%s/backups/%s", tmpdir, name);
    ck_assert_int_eq(sqlite3_open_v2(copy_path, &copy, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ck_assert_int_eq(db_schema_version(copy), from);
    ck_assert_int_eq(query_int(copy, "SELECT count(*) FROM tokens WHERE name = 'old'"), 1);
    sqlite3_close_v2(copy);

    /* opening again migrates nothing and copies nothing */
    db_close();
    ck_assert_msg(db_open(dbfile, false, &err) == 0, "%s", err.message);
    ck_assert_int_eq(backups_in(name), 1);
}
END_TEST

START_TEST(test_new_and_current_databases_get_no_backup)
{
    char name[256];
    struct mp_error err;

    mp_error_clear(&err);
    ck_assert_msg(db_open(dbfile, true, &err) == 0, "%s", err.message);
    db_close();
    ck_assert_msg(db_open(dbfile, false, &err) == 0, "%s", err.message);
    ck_assert_int_eq(backups_in(name), 0);
}
END_TEST

/* No copy, no migration: when the backup cannot be written the database
 * stays at its old schema, untouched. */
START_TEST(test_failed_backup_blocks_migration)
{
    char blocker[PATH_MAX];
    struct mp_error err;
    sqlite3 *db;

    ck_assert_uint_gt(schema_files_count, 1);
    mp_error_clear(&err);
    db = connect_new();
    ck_assert_int_eq(db_migrate(db, schema_files, 1, &err), 0);
    sqlite3_close_v2(db);
    tu_path(blocker, tmpdir, "backups");
    tu_write_file(blocker, "a file where the backups directory would go");

    ck_assert_int_eq(db_open(dbfile, false, &err), -1);
    ck_assert_msg(strstr(err.message, "backup") != NULL, "%s", err.message);
    ck_assert_ptr_null(db_path());
    db = connect_new();
    ck_assert_int_eq(db_schema_version(db), atoi(schema_files[0].name));
    sqlite3_close_v2(db);
}
END_TEST

START_TEST(test_copy_file)
{
    char dest[PATH_MAX];
    struct mp_error err;
    sqlite3 *copy;

    mp_error_clear(&err);
    ck_assert_msg(db_open(dbfile, true, &err) == 0, "%s", err.message);
    tu_path(dest, tmpdir, "copy.db");
    ck_assert_msg(db_copy_file(dbfile, dest, &err) == 0, "%s", err.message);
    ck_assert_int_eq(sqlite3_open_v2(dest, &copy, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ck_assert_int_eq(db_schema_version(copy), highest_migration());
    sqlite3_close_v2(copy);
    /* never over an existing file */
    ck_assert_int_eq(db_copy_file(dbfile, dest, &err), -1);
    ck_assert_int_eq(err.status, 409);
}
END_TEST

struct status_case {
    int rc;
    int status;
};

static const struct status_case status_cases[] = {
    {SQLITE_FULL, 507},    {SQLITE_IOERR | (4 << 8) /* extended */, 500},
    {SQLITE_BUSY, 503},    {SQLITE_BUSY_SNAPSHOT, 503},
    {SQLITE_LOCKED, 503},  {SQLITE_LOCKED_SHAREDCACHE, 503},
    {SQLITE_IOERR, 500},   {SQLITE_CONSTRAINT_UNIQUE, 500},
    {SQLITE_CORRUPT, 500}, {SQLITE_ERROR, 500},
};

START_TEST(test_error_status)
{
    ck_assert_int_eq(db_error_status(status_cases[_i].rc), status_cases[_i].status);
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *
migrations_suite(void)
{
    Suite *s = suite_create("migrations");
    TCase *tc;

    tc = tcase_create("migrate");
    tcase_add_unchecked_fixture(tc, tu_base_setup, tu_base_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_embedded_schema_names);
    tcase_add_test(tc, test_migrate_empty_database);
    tcase_add_test(tc, test_migrate_twice_is_noop);
    tcase_add_test(tc, test_migrate_refuses_newer_database);
    tcase_add_test(tc, test_migrate_custom_applies_in_order);
    tcase_add_test(tc, test_migrate_honours_length);
    tcase_add_test(tc, test_migrate_broken_sql_leaves_database_unchanged);
    tcase_add_loop_test(tc, test_migrate_bad_names, 0, N(bad_sets));
    suite_add_tcase(s, tc);

    tc = tcase_create("open");
    tcase_add_unchecked_fixture(tc, tu_base_setup, tu_base_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_open_missing_without_create);
    tcase_add_test(tc, test_open_create);
    tcase_add_test(tc, test_open_not_a_database);
    tcase_add_test(tc, test_backup);
    tcase_add_test(tc, test_backup_refuses_existing_file);
    tcase_add_test(tc, test_backup_without_open);
    tcase_add_test(tc, test_backup_into_missing_dir);
    tcase_add_loop_test(tc, test_error_status, 0, N(status_cases));
    suite_add_tcase(s, tc);

    tc = tcase_create("statement cache");
    tcase_add_unchecked_fixture(tc, tu_base_setup, tu_base_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_stmt_cache_more_statements_than_slots);
    tcase_add_test(tc, test_stmt_cache_keeps_recent_statement);
    tcase_add_test(tc, test_stmt_cache_never_evicts_busy_statement);
    tcase_add_test(tc, test_stmt_cache_two_connections);
    tcase_add_test(tc, test_every_store_statement_runs);
    suite_add_tcase(s, tc);

    tc = tcase_create("upgrade");
    tcase_add_unchecked_fixture(tc, tu_base_setup, tu_base_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_upgrade_from_every_earlier_schema, 0, (int)schema_files_count - 1);
    tcase_add_test(tc, test_new_and_current_databases_get_no_backup);
    tcase_add_test(tc, test_failed_backup_blocks_migration);
    tcase_add_test(tc, test_copy_file);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return tu_run(migrations_suite());
}
