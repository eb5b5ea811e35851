/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_pg_leader.c - store/pg_leader.c against the throwaway PostgreSQL
 * cluster (pgutil.h): two daemons' election sessions on one database; one
 * holds the lock and the other cannot take it; released, it moves over; the
 * holder's backend killed (pg_terminate_backend), the holder notices and
 * the other takes over.
 */
#include "store/pg.h"
#include "store/pg_leader.h"
#include "pgutil.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

static char db[64];
static char ci[640];

static void
setup(void)
{
    pgu_create_db("leader", db, sizeof(db));
    pgu_conninfo(ci, sizeof(ci), db);
}

static void
open_two(struct pg_leader *a, struct pg_leader *b, int64_t key)
{
    struct mp_error err;

    ck_assert_msg(pg_leader_open(a, ci, pgu.password_file, key, &err) == 0, "%s", err.message);
    ck_assert_msg(pg_leader_open(b, ci, pgu.password_file, key, &err) == 0, "%s", err.message);
    ck_assert_int_ne(pg_leader_backend_pid(a), pg_leader_backend_pid(b));
}

START_TEST(test_one_holds_the_other_cannot_until_released)
{
    struct pg_leader a, b, other;
    struct mp_error err;

    open_two(&a, &b, PG_LEADER_KEY_JOBS);
    ck_assert(!pg_leader_check(&a, &err)); /* nothing taken yet */
    ck_assert_int_eq(pg_leader_try(&a, &err), 1);
    ck_assert_int_eq(pg_leader_try(&b, &err), 0);
    ck_assert(pg_leader_check(&a, &err));
    ck_assert(!pg_leader_check(&b, &err));
    /* trying again while leader stays leader, and does not stack the lock:
     * one release hands over */
    ck_assert_int_eq(pg_leader_try(&a, &err), 1);
    ck_assert_int_eq(pg_leader_try(&a, &err), 1);
    pg_leader_release(&a);
    ck_assert(!pg_leader_check(&a, &err));
    ck_assert_int_eq(pg_leader_try(&b, &err), 1);
    ck_assert_int_eq(pg_leader_try(&a, &err), 0);
    /* another key is another election */
    ck_assert_int_eq(pg_leader_open(&other, ci, pgu.password_file, 42, &err), 0);
    ck_assert_int_eq(pg_leader_try(&other, &err), 1);
    ck_assert(pg_leader_check(&b, &err));
    pg_leader_close(&other);
    /* closing the holder's session hands over too */
    pg_leader_close(&b);
    ck_assert_int_eq(pg_leader_try(&a, &err), 1);
    pg_leader_close(&a);
}
END_TEST

START_TEST(test_holder_killed_the_other_takes_over)
{
    struct pg_leader a, b;
    struct mp_error err;
    PGconn *admin = pgu_connect(db);
    char pid[16];
    const char *params[1] = {pid};
    PGresult *res;

    open_two(&a, &b, PG_LEADER_KEY_JOBS);
    ck_assert_int_eq(pg_leader_try(&a, &err), 1);
    ck_assert_int_eq(pg_leader_try(&b, &err), 0);
    snprintf(pid, sizeof(pid), "%d", pg_leader_backend_pid(&a));
    res = pg_query(admin, "SELECT pg_terminate_backend($1::int, 5000)", 1, params, "kill", &err);
    ck_assert_msg(res != NULL, "%s", err.message);
    ck_assert_str_eq(PQgetvalue(res, 0, 0), "t");
    PQclear(res);
    /* the lock went with the session: the other takes over at once */
    ck_assert_int_eq(pg_leader_try(&b, &err), 1);
    ck_assert(pg_leader_check(&b, &err));
    /* the old holder finds out at its next check, and is not leader */
    ck_assert(!pg_leader_check(&a, &err));
    ck_assert(!a.held);
    /* its next try reconnects, and finds the lock taken */
    ck_assert_int_eq(pg_leader_try(&a, &err), 0);
    ck_assert_int_ne(pg_leader_backend_pid(&a), 0);
    /* the new leader killed in turn: back to the first */
    snprintf(pid, sizeof(pid), "%d", pg_leader_backend_pid(&b));
    res = pg_query(admin, "SELECT pg_terminate_backend($1::int, 5000)", 1, params, "kill", &err);
    ck_assert_ptr_nonnull(res);
    PQclear(res);
    ck_assert_int_eq(pg_leader_try(&a, &err), 1);
    /* b, which believed it held the lock, tries: reconnects, is refused */
    ck_assert_int_eq(pg_leader_try(&b, &err), 0);
    ck_assert(!b.held);
    pg_leader_close(&a);
    pg_leader_close(&b);
    PQfinish(admin);
}
END_TEST

static Suite *
leader_suite(void)
{
    Suite *s = suite_create("pg_leader");
    TCase *tc = tcase_create("election");

    tcase_add_unchecked_fixture(tc, tu_base_setup, tu_base_teardown);
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_one_holds_the_other_cannot_until_released);
    tcase_add_test(tc, test_holder_killed_the_other_takes_over);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return pgu_run(leader_suite(), "test_pg_leader");
}
