/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_db_rows.c - db_rows() (server/store/db.c), the one loop that reads
 * the rows of a list: every row, or at most max (a page and one more), an
 * unreadable row dropping everything read, and no rows as NULL and 0.
 */
#include "store/db.h"

#include "testutil.h"

#include <check.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

struct item {
    int n;
    char *text;
};

static int drops;

static int
read_item(sqlite3_stmt *st, void *p)
{
    struct item *it = p;

    it->n = sqlite3_column_int(st, 0);
    if (it->n == 13)
        return -1; /* a row that cannot be read */
    it->text = strdup((const char *)sqlite3_column_text(st, 1));
    return it->text ? 0 : -1;
}

static void
drop_item(void *p)
{
    struct item *it = p;

    drops++;
    free(it->text);
}

static sqlite3 *
numbers(int upto)
{
    sqlite3 *db;
    char sql[200];

    ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
    snprintf(sql, sizeof(sql),
             "CREATE TABLE t(n INTEGER, s TEXT); WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
             "SELECT x + 1 FROM c WHERE x < %d) INSERT INTO t SELECT x, 'row ' || x FROM c;",
             upto);
    ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    return db;
}

static int
rows(sqlite3 *db, const char *sql, int max, struct item **out, int *n, struct mp_error *err)
{
    sqlite3_stmt *st;
    int rc;

    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    rc = db_rows(db, st, sizeof(struct item), max, read_item, drop_item, (void **)out, n,
                 "reading the test rows", err);
    sqlite3_finalize(st);
    return rc;
}

START_TEST(test_every_row_in_order)
{
    sqlite3 *db = numbers(12);
    struct item *v;
    struct mp_error err;
    int n;

    ck_assert_int_eq(rows(db, "SELECT n, s FROM t ORDER BY n", 0, &v, &n, &err), 0);
    ck_assert_int_eq(n, 12); /* more than the first allocation */
    ck_assert_ptr_nonnull(v);
    for (int i = 0; i < n; i++) {
        ck_assert_int_eq(v[i].n, i + 1);
        free(v[i].text);
    }
    free(v);
    sqlite3_close(db);
}
END_TEST

START_TEST(test_at_most_max)
{
    sqlite3 *db = numbers(40);
    struct item *v;
    struct mp_error err;
    int n;

    /* a page of 10 asks for 11: is there a next page? */
    ck_assert_int_eq(rows(db, "SELECT n, s FROM t ORDER BY n DESC", 11, &v, &n, &err), 0);
    ck_assert_int_eq(n, 11);
    ck_assert_int_eq(v[0].n, 40);
    ck_assert_int_eq(v[10].n, 30);
    for (int i = 0; i < n; i++)
        free(v[i].text);
    free(v);
    sqlite3_close(db);
}
END_TEST

START_TEST(test_no_rows)
{
    sqlite3 *db = numbers(3);
    struct item *v = (struct item *)1;
    struct mp_error err;
    int n = -1;

    ck_assert_int_eq(rows(db, "SELECT n, s FROM t WHERE n > 99", 0, &v, &n, &err), 0);
    ck_assert_ptr_null(v);
    ck_assert_int_eq(n, 0);
    sqlite3_close(db);
}
END_TEST

START_TEST(test_unreadable_row_drops_all)
{
    sqlite3 *db = numbers(20);
    struct item *v = (struct item *)1;
    struct mp_error err;
    int n = -1;

    drops = 0;
    ck_assert_int_eq(rows(db, "SELECT n, s FROM t ORDER BY n", 0, &v, &n, &err), -1);
    ck_assert_int_eq(err.status, 500);
    ck_assert_ptr_nonnull(strstr(err.message, "reading the test rows"));
    ck_assert_ptr_null(v);
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(drops, 12); /* rows 1..12 were read, and are freed */
    sqlite3_close(db);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("db_rows");
    TCase *tc = tcase_create("db_rows");

    tcase_add_test(tc, test_every_row_in_order);
    tcase_add_test(tc, test_at_most_max);
    tcase_add_test(tc, test_no_rows);
    tcase_add_test(tc, test_unreadable_row_drops_all);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
