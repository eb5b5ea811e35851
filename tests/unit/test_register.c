/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_register.c - server/core/register: risk scoring on the 5 x 5 scale
 * and its level bands, dates, lapsed training, the kinds of the register.
 */
#include "core/register.h"
#include "store/db.h"
#include "testutil.h"

#include <check.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Tests pass this fixed time wherever the code takes `now`; they never
 * read the clock, so they pass on any date. */
static const int64_t NOW = 1796000000; /* 2026-11-30T00:53:20Z */

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct {
    int likelihood, impact, score;
    const char *level;
} scores[] = {
    {1, 1, 1, "low"},       {2, 2, 4, "low"},   {1, 4, 4, "low"},   {1, 5, 5, "medium"},
    {3, 3, 9, "medium"},    {2, 5, 10, "high"}, {4, 4, 16, "high"}, {4, 5, 20, "critical"},
    {5, 5, 25, "critical"}, {0, 5, 0, "none"},  {5, 6, 0, "none"},  {-1, -1, 0, "none"},
};

START_TEST(test_score_and_level)
{
    int s = register_score(scores[_i].likelihood, scores[_i].impact);

    ck_assert_int_eq(s, scores[_i].score);
    ck_assert_str_eq(register_level(s), scores[_i].level);
}
END_TEST

/* Every cell of the matrix has a level, and levels never fall as either
 * axis grows. */
START_TEST(test_levels_monotonic)
{
    static const char *const order[] = {"low", "medium", "high", "critical"};
    int rank[6][6];

    for (int l = 1; l <= 5; l++) {
        for (int i = 1; i <= 5; i++) {
            const char *lv = register_level(register_score(l, i));
            rank[l][i] = -1;
            for (int k = 0; k < N(order); k++) {
                if (strcmp(order[k], lv) == 0)
                    rank[l][i] = k;
            }
            ck_assert_int_ge(rank[l][i], 0);
            if (l > 1)
                ck_assert_int_ge(rank[l][i], rank[l - 1][i]);
            if (i > 1)
                ck_assert_int_ge(rank[l][i], rank[l][i - 1]);
        }
    }
}
END_TEST

START_TEST(test_dates_and_training)
{
    int64_t d = register_date_days("2026-11-29");

    ck_assert_int_eq(d, 20786);
    ck_assert_int_eq(register_date_days("1970-01-01"), 0);
    ck_assert(register_date_days("2026-02-30") == INT64_MIN);
    ck_assert(register_date_days("2026-13-01") == INT64_MIN);
    ck_assert(register_date_days("2026-1-01") == INT64_MIN);
    ck_assert(register_date_days("2026-11-29T00:00:00Z") == INT64_MIN);
    ck_assert(register_date_days(NULL) == INT64_MIN);
    /* trained exactly interval days ago: still valid; one more day: lapsed */
    ck_assert(!register_training_lapsed("2026-11-29", 365, d));
    ck_assert(!register_training_lapsed("2025-11-29", 365, d));
    ck_assert(register_training_lapsed("2025-11-28", 365, d));
    ck_assert(register_training_lapsed(NULL, 365, d)); /* never trained */
}
END_TEST

START_TEST(test_kinds)
{
    ck_assert_str_eq(register_kind("assets"), "asset");
    ck_assert_str_eq(register_kind("functions"), "function");
    ck_assert_ptr_null(register_kind("asset"));
    ck_assert_ptr_null(register_kind("no-such-thing"));
    ck_assert_ptr_null(register_kind(NULL));
}
END_TEST

/* ---- the views, on a temporary database ---- */

static char tmpdir[PATH_MAX];
static char path[PATH_MAX];

static void
setup_db(void)
{
    tu_db_setup(tmpdir, path, NULL);
}

static void
teardown_db(void)
{
    tu_db_teardown(tmpdir, NULL);
}

/* More scenarios over the accepted level than any fixed buffer would hold:
 * the matrix and the attention list name every one, highest first. */
#define MANY 1500

START_TEST(test_over_accepted_unbounded)
{
    struct mp_error err = {0};
    sqlite3 *db = db_connect(path, false, &err); /* a private connection for raw SQL */
    sqlite3_stmt *st;
    json_t *m, *a, *list, *x;
    size_t i;
    int last = 25;

    ck_assert_msg(db != NULL, "%s", err.message);
    ck_assert_int_eq(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(db,
                                        "INSERT INTO register_items (id, kind, name, doc, "
                                        "created_at, created_by, updated_at, updated_by) VALUES "
                                        "(printf('s-%05d', ?1), 'scenario', printf('S %05d', ?1), "
                                        "json_object('threat', 'ransomware', 'asset', 'a', "
                                        "'likelihood', 4 + ?1 % 2, 'impact', 5, "
                                        "'residual_likelihood', NULL, 'residual_impact', NULL, "
                                        "'treatment', NULL), '2026-01-01T00:00:00Z', 't', "
                                        "'2026-01-01T00:00:00Z', 't')",
                                        -1, &st, NULL),
                     SQLITE_OK);
    for (int k = 0; k < MANY; k++) {
        sqlite3_bind_int(st, 1, k);
        ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    ck_assert_int_eq(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close_v2(db);

    ck_assert_msg(register_matrix(9, NOW, &m, &err) == 0, "%s", err.message);
    list = json_object_get(m, "over_accepted");
    ck_assert_uint_eq(json_array_size(list), MANY);
    json_array_foreach(list, i, x)
    {
        int score = (int)json_integer_value(json_object_get(x, "residual_score"));
        ck_assert_int_le(score, last);
        last = score;
    }
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(list, 0), "residual_score")),
                     25);
    ck_assert_int_eq(last, 20);
    json_decref(m);
    ck_assert_msg(register_attention(9, NOW, &a, &err) == 0, "%s", err.message);
    ck_assert_uint_eq(json_array_size(json_object_get(a, "scenarios_over_accepted")), MANY);
    json_decref(a);
}
END_TEST

static Suite *
suite(void)
{
    Suite *s = suite_create("register");
    TCase *tc = tcase_create("scoring");

    tcase_add_loop_test(tc, test_score_and_level, 0, N(scores));
    tcase_add_test(tc, test_levels_monotonic);
    tcase_add_test(tc, test_dates_and_training);
    tcase_add_test(tc, test_kinds);
    suite_add_tcase(s, tc);
    tc = tcase_create("views");
    tcase_add_checked_fixture(tc, setup_db, teardown_db);
    tcase_add_test(tc, test_over_accepted_unbounded);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return tu_run(suite());
}
