/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_pg.c - store/pg.c against the throwaway PostgreSQL cluster
 * (pgutil.h): connecting with the password from a file or a systemd
 * credential and never from the conninfo, the PostgreSQL migrations
 * (applied once, the same tables and columns as SQLite's, a newer database
 * refused, a failed migration leaving nothing behind), bound parameters,
 * and the audit chain walked on PostgreSQL by the same check as on SQLite.
 */
#include "lib/embed.h"
#include "lib/hashchain.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/pg.h"
#include "store/pg_copy.h"
#include "pgutil.h"
#include "testutil.h"

#include <check.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static PGconn *
fresh_db(char name[64])
{
    pgu_create_db("unit", name, 64);
    return pgu_connect(name);
}

START_TEST(test_connect_password_from_file_or_credential_never_conninfo)
{
    char dir[PATH_MAX], cred[PATH_MAX], ci[640], pw[256];
    struct mp_error err;
    PGconn *c;
    char *text;

    pgu_conninfo(ci, sizeof(ci), "postgres");
    /* the password file */
    c = pg_connect(ci, pgu.password_file, &err);
    ck_assert_msg(c != NULL, "%s", err.message);
    PQfinish(c);
    /* no password at all: the cluster wants one */
    unsetenv("CREDENTIALS_DIRECTORY");
    ck_assert_ptr_null(pg_connect(ci, NULL, &err));
    ck_assert_int_eq(err.status, 503);
    /* the systemd credential pg-password */
    tu_mkdtemp(dir);
    tu_path(cred, dir, PG_CREDENTIAL_NAME);
    text = tu_read_file(pgu.password_file);
    snprintf(pw, sizeof(pw), "%s", text);
    free(text);
    tu_write_file(cred, pw);
    setenv("CREDENTIALS_DIRECTORY", dir, 1);
    c = pg_connect(ci, NULL, &err);
    ck_assert_msg(c != NULL, "%s", err.message);
    PQfinish(c);
    /* a wrong password: refused, and the message does not repeat it */
    tu_write_file(cred, "not-the-password-x9\n");
    ck_assert_ptr_null(pg_connect(ci, NULL, &err));
    ck_assert_ptr_null(strstr(err.message, "not-the-password-x9"));
    unsetenv("CREDENTIALS_DIRECTORY");
    tu_rmrf(dir);
    /* a password in the conninfo, as a keyword or in a URI */
    snprintf(ci, sizeof(ci), "%s dbname=postgres password=secret", pgu.conninfo);
    ck_assert_ptr_null(pg_connect(ci, pgu.password_file, &err));
    ck_assert_int_eq(err.status, 422);
    ck_assert_str_eq(err.field, "to");
    ck_assert_ptr_null(strstr(err.message, "secret"));
    ck_assert_ptr_null(pg_connect("postgresql://u:secret@127.0.0.1/x", NULL, &err));
    ck_assert_str_eq(err.field, "to");
    /* a password file that is missing or empty */
    ck_assert_ptr_null(pg_connect("host=127.0.0.1", "/nonexistent/pw", &err));
    ck_assert_str_eq(err.field, "password-file");
    ck_assert_ptr_null(pg_connect("dbname='unterminated", NULL, &err));
    ck_assert_str_eq(err.field, "to");
}
END_TEST

START_TEST(test_migrations_applied_once_to_the_known_version)
{
    struct mp_error err;
    char name[64];
    PGconn *c = fresh_db(name);
    PGresult *res;

    ck_assert_int_eq(pg_schema_version(c, &err), 0);
    ck_assert_int_eq(pg_table_count(c, &err), 0);
    ck_assert_msg(pg_migrate(c, pg_schema_files, pg_schema_files_count, 1800000000, &err) == 0,
                  "%s", err.message);
    /* the same numbers as SQLite's: the same schema on both engines */
    ck_assert_int_eq(pg_known_version(), db_known_version());
    ck_assert_int_eq(pg_schema_version(c, &err), pg_known_version());
    res =
        pg_query(c, "SELECT count(*), min(applied_at) FROM schema_migrations", 0, NULL, "q", &err);
    ck_assert_ptr_nonnull(res);
    ck_assert_int_eq(pg_int(res, 0, 0), (int64_t)pg_schema_files_count);
    ck_assert_str_eq(PQgetvalue(res, 0, 1), "2027-01-15T08:00:00Z");
    PQclear(res);
    /* again: nothing to do */
    ck_assert_int_eq(pg_migrate(c, pg_schema_files, pg_schema_files_count, 1900000000, &err), 0);
    res = pg_query(c, "SELECT count(*) FROM schema_migrations", 0, NULL, "q", &err);
    ck_assert_int_eq(pg_int(res, 0, 0), (int64_t)pg_schema_files_count);
    PQclear(res);
    /* the organisation is seeded, as on SQLite */
    res = pg_query(c, "SELECT doc::jsonb->>'country' FROM organisation WHERE id = 1", 0, NULL, "q",
                   &err);
    ck_assert_str_eq(PQgetvalue(res, 0, 0), "NL");
    PQclear(res);
    PQfinish(c);
}
END_TEST

START_TEST(test_newer_database_refused_and_failed_migration_leaves_nothing)
{
    static const char bad_sql[] = "CREATE TABLE half (x int); SELECT no_such_function();";
    struct embedded_file files[64];
    struct mp_error err;
    char name[64];
    PGconn *c = fresh_db(name);
    PGresult *res;
    size_t n = pg_schema_files_count;

    ck_assert_int_eq(pg_migrate(c, pg_schema_files, n, 1800000000, &err), 0);
    /* a migration that fails halfway: none of it stays */
    ck_assert_uint_lt(n, 63);
    memcpy(files, pg_schema_files, n * sizeof(files[0]));
    files[n] = (struct embedded_file){"9998_broken.sql", (const unsigned char *)bad_sql,
                                      sizeof(bad_sql) - 1, ""};
    ck_assert_int_eq(pg_migrate(c, files, n + 1, 1800000000, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "9998_broken.sql"));
    ck_assert_int_eq(pg_schema_version(c, &err), pg_known_version());
    res = pg_query(c, "SELECT to_regclass('half') IS NULL", 0, NULL, "q", &err);
    ck_assert_str_eq(PQgetvalue(res, 0, 0), "t");
    PQclear(res);
    /* a database a newer meldpunt migrated is refused, not "downgraded" */
    ck_assert_int_eq(pg_exec(c,
                             "INSERT INTO schema_migrations VALUES "
                             "(9999, '9999_future.sql', '2030-01-01T00:00:00Z')",
                             "q", &err),
                     0);
    ck_assert_int_eq(pg_migrate(c, pg_schema_files, n, 1800000000, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "use a newer meldpunt"));
    ck_assert_int_eq(pg_schema_version(c, &err), 9999);
    /* files out of order are refused before anything runs */
    files[0] = pg_schema_files[1];
    files[1] = pg_schema_files[0];
    ck_assert_int_eq(pg_migrate(c, files, 2, 1800000000, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "out of order"));
    PQfinish(c);
}
END_TEST

/* Every SQLite table (but the FTS5 index) and column exists on
 * PostgreSQL under the same name, and nothing more: what makes a copy row
 * by row possible. */
START_TEST(test_same_tables_and_columns_as_sqlite)
{
    struct mp_error err;
    char name[64];
    PGconn *c = fresh_db(name);
    sqlite3 *lite = NULL;
    sqlite3_stmt *st;
    PGresult *res;
    int n = 0;

    ck_assert_int_eq(pg_migrate(c, pg_schema_files, pg_schema_files_count, 1800000000, &err), 0);
    ck_assert_int_eq(sqlite3_open(":memory:", &lite), SQLITE_OK);
    ck_assert_msg(db_migrate(lite, schema_files, schema_files_count, &err) == 0, "%s", err.message);
    ck_assert_int_eq(sqlite3_prepare_v2(lite,
                                        "SELECT m.name, p.name FROM sqlite_master m, "
                                        "pragma_table_info(m.name) p WHERE m.type = 'table' "
                                        "AND m.name NOT LIKE 'sqlite_%' "
                                        "AND m.name NOT LIKE 'incidents_fts%' ORDER BY 1, 2",
                                        -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *params[2] = {(const char *)sqlite3_column_text(st, 0),
                                 (const char *)sqlite3_column_text(st, 1)};
        res = pg_query(c,
                       "SELECT count(*) FROM information_schema.columns "
                       "WHERE table_schema = current_schema() AND table_name = $1 "
                       "AND column_name = $2",
                       2, params, "q", &err);
        ck_assert_ptr_nonnull(res);
        ck_assert_msg(pg_int(res, 0, 0) == 1, "%s.%s is missing on PostgreSQL", params[0],
                      params[1]);
        PQclear(res);
        n++;
    }
    sqlite3_finalize(st);
    sqlite3_close(lite);
    res = pg_query(c,
                   "SELECT count(*) FROM information_schema.columns "
                   "WHERE table_schema = current_schema()",
                   0, NULL, "q", &err);
    ck_assert_int_eq(pg_int(res, 0, 0), n);
    PQclear(res);
    ck_assert_int_gt(n, 200);
    PQfinish(c);
}
END_TEST

START_TEST(test_parameters_are_bound_not_spliced)
{
    static const char evil[] = "x'); DROP TABLE tokens; --";
    const char *params[1] = {evil};
    struct mp_error err;
    char name[64];
    PGconn *c = fresh_db(name);
    PGresult *res;

    ck_assert_int_eq(pg_migrate(c, pg_schema_files, pg_schema_files_count, 1800000000, &err), 0);
    res = pg_query(c, "SELECT $1::text, to_regclass('tokens') IS NOT NULL", 1, params, "q", &err);
    ck_assert_ptr_nonnull(res);
    ck_assert_str_eq(PQgetvalue(res, 0, 0), evil);
    ck_assert_str_eq(PQgetvalue(res, 0, 1), "t");
    PQclear(res);
    /* a failing statement fills err with the server's reason */
    ck_assert_ptr_null(pg_query(c, "SELECT * FROM no_such_table", 0, NULL, "reading", &err));
    ck_assert_int_eq(err.status, 500);
    ck_assert_ptr_nonnull(strstr(err.message, "reading: "));
    ck_assert_ptr_nonnull(strstr(err.message, "no_such_table"));
    PQfinish(c);
}
END_TEST

/* Appends entry seq to the chain on PostgreSQL as store_audit_append
 * computes it; *prev moves on. */
static void
append(PGconn *c, int64_t seq, const char *payload, uint8_t prev[CHAIN_HASH_LEN])
{
    struct chain_entry e = {seq, "2027-01-15T08:00:00Z", "unit", "test.act", "obj", {0}};
    uint8_t hash[CHAIN_HASH_LEN];
    char s[24], ph[2 * CHAIN_HASH_LEN + 3], pv[2 * CHAIN_HASH_LEN + 3], h[2 * CHAIN_HASH_LEN + 3];
    const char *params[5] = {s, payload, ph, pv, h};
    struct mp_error err;
    PGresult *res;

    chain_hash_payload(payload, strlen(payload), e.payload_hash);
    chain_hash_entry(prev, &e, hash);
    snprintf(s, sizeof(s), "%lld", (long long)seq);
    memcpy(ph, "\\x", 2);
    memcpy(pv, "\\x", 2);
    memcpy(h, "\\x", 2);
    sodium_bin2hex(ph + 2, sizeof(ph) - 2, e.payload_hash, CHAIN_HASH_LEN);
    sodium_bin2hex(pv + 2, sizeof(pv) - 2, prev, CHAIN_HASH_LEN);
    sodium_bin2hex(h + 2, sizeof(h) - 2, hash, CHAIN_HASH_LEN);
    res = pg_query(c,
                   "INSERT INTO audit(seq, at, principal, action, object, payload, payload_hash, "
                   "prev_hash, hash) VALUES ($1, '2027-01-15T08:00:00Z', 'unit', 'test.act', "
                   "'obj', $2, $3, $4, $5)",
                   5, params, "append", &err);
    ck_assert_msg(res != NULL, "%s", err.message);
    PQclear(res);
    memcpy(prev, hash, CHAIN_HASH_LEN);
}

START_TEST(test_audit_chain_walked_on_postgresql)
{
    uint8_t prev[CHAIN_HASH_LEN] = {0};
    struct audit_verify_result r;
    struct mp_error err;
    char name[64];
    PGconn *c = fresh_db(name);

    ck_assert_int_eq(pg_migrate(c, pg_schema_files, pg_schema_files_count, 1800000000, &err), 0);
    ck_assert_int_eq(pg_audit_verify(c, &r, &err), 0);
    ck_assert(r.ok);
    ck_assert_int_eq(r.entries, 0);
    for (int i = 1; i <= 1205; i++) /* more than one page of 1000 */
        append(c, i, i % 2 ? "{\"n\":1}" : "{}", prev);
    ck_assert_int_eq(pg_audit_verify(c, &r, &err), 0);
    ck_assert(r.ok);
    ck_assert_int_eq(r.entries, 1205);
    ck_assert_int_eq(r.head_seq, 1205);
    ck_assert_mem_eq(r.head_hash, prev, CHAIN_HASH_LEN);
    /* a payload changed behind the trigger's back */
    ck_assert_int_eq(pg_exec(c,
                             "ALTER TABLE audit DISABLE TRIGGER audit_no_update;"
                             "UPDATE audit SET payload = '{\"n\":2}' WHERE seq = 1100",
                             "tamper", &err),
                     0);
    ck_assert_int_eq(pg_audit_verify(c, &r, &err), 0);
    ck_assert(!r.ok);
    ck_assert_int_eq(r.bad_seq, 1100);
    ck_assert_int_eq(r.entries, 1099);
    ck_assert_str_eq(r.reason, "payload does not match its hash");
    PQfinish(c);
}
END_TEST

static Suite *
pg_suite(void)
{
    Suite *s = suite_create("pg");
    TCase *tc = tcase_create("pg");

    tcase_add_unchecked_fixture(tc, tu_base_setup, tu_base_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_connect_password_from_file_or_credential_never_conninfo);
    tcase_add_test(tc, test_migrations_applied_once_to_the_known_version);
    tcase_add_test(tc, test_newer_database_refused_and_failed_migration_leaves_nothing);
    tcase_add_test(tc, test_same_tables_and_columns_as_sqlite);
    tcase_add_test(tc, test_parameters_are_bound_not_spliced);
    tcase_add_test(tc, test_audit_chain_walked_on_postgresql);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return pgu_run(pg_suite(), "test_pg");
}
