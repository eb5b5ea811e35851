/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_statistics.c - the computation of the statistics (core/statistics.c):
 * percentiles (median and 90th, interpolated between ranks), quarters and
 * local dates in Dutch time (the shipped calendar nl: summer time from the
 * last Sunday of March, 01:00 UTC), and the counting of stored reports as
 * on time, late, waived or open per regime and quarter, with awareness ->
 * first report.
 */
#include "core/rules.h"
#include "core/statistics.h"
#include "lib/timeutil.h"
#include "testutil.h"

#include <check.h>
#include <math.h>
#include <string.h>

static struct rules *R;
static const struct calendar *NL;

static void
setup(void)
{
    struct mp_error err;

    ck_assert_msg(rules_load_builtin(&R, &err) == 0, "%s", err.message);
    NL = NULL;
    for (int i = 0; i < R->ncalendars; i++) {
        if (strcmp(R->calendars[i].id, "nl") == 0)
            NL = &R->calendars[i];
    }
    ck_assert_ptr_nonnull(NL);
}

static void
teardown(void)
{
    rules_release(R);
}

static int64_t
T(const char *s)
{
    int64_t t;

    ck_assert_msg(time_parse_rfc3339(s, &t) == 0, "%s", s);
    return t;
}

static const struct {
    const char *name;
    double v[8];
    int n;
    double p, want;
} pct[] = {
    {"median of an odd count: the middle one", {5, 1, 3}, 3, 0.5, 3},
    {"median of an even count: halfway between the middle two", {4, 1, 3, 2}, 4, 0.5, 2.5},
    {"90th of two: 2 + 0.9 x (10 - 2)", {10, 2}, 2, 0.9, 9.2},
    {"90th of 1..8: 7 + 0.3 x 1", {1, 2, 3, 4, 5, 6, 7, 8}, 8, 0.9, 7.3},
    {"one value is every percentile", {7}, 1, 0.9, 7},
    {"the 100th is the largest", {3, 9, 1}, 3, 1.0, 9},
    {"the 0th is the smallest", {3, 9, 1}, 3, 0.0, 1},
};

START_TEST(test_percentile)
{
    double v[8];

    memcpy(v, pct[_i].v, sizeof(v));
    double got = statistics_percentile(v, pct[_i].n, pct[_i].p);
    ck_assert_msg(fabs(got - pct[_i].want) < 1e-9, "%s: %g, want %g", pct[_i].name, got,
                  pct[_i].want);
}
END_TEST

START_TEST(test_percentile_empty)
{
    ck_assert(isnan(statistics_percentile(NULL, 0, 0.5)));
}
END_TEST

static const struct {
    const char *at;
    int year, quarter;
} quarters[] = {
    {"2031-03-31T21:59:59Z", 2031, 1}, /* 23:59:59 CEST on 31 March */
    {"2031-03-31T22:00:00Z", 2031, 2}, /* midnight, 1 April, Amsterdam */
    {"2030-12-31T22:59:59Z", 2030, 4}, /* 23:59:59 CET on 31 December */
    {"2030-12-31T23:00:00Z", 2031, 1}, /* the new year in Amsterdam, still 2030 in UTC */
    {"2031-06-30T21:59:59Z", 2031, 2}, {"2031-06-30T22:00:00Z", 2031, 3},
    {"2031-09-30T22:00:00Z", 2031, 4}, /* summer time until the last Sunday of October */
};

START_TEST(test_quarter_amsterdam)
{
    int year, q = statistics_quarter(T(quarters[_i].at), NL, &year);

    ck_assert_msg(q == quarters[_i].quarter && year == quarters[_i].year, "%s: %d-Q%d, want %d-Q%d",
                  quarters[_i].at, year, q, quarters[_i].year, quarters[_i].quarter);
}
END_TEST

START_TEST(test_day_start)
{
    int64_t t;

    ck_assert_int_eq(statistics_day_start("2031-04-01", NL, &t), 0);
    ck_assert_int_eq(t, T("2031-03-31T22:00:00Z")); /* summer time */
    ck_assert_int_eq(statistics_day_start("2031-01-01", NL, &t), 0);
    ck_assert_int_eq(t, T("2030-12-31T23:00:00Z")); /* winter time */
    ck_assert_int_eq(statistics_day_start("2031-01-01", NULL, &t), 0);
    ck_assert_int_eq(t, T("2031-01-01T00:00:00Z")); /* no calendar: UTC */
    ck_assert_int_eq(statistics_day_start("2031-02-30", NL, &t), -1);
    ck_assert_int_eq(statistics_day_start("1-1-2031", NL, &t), -1);
}
END_TEST

static json_t *
regime_of(json_t *bucket, const char *regime)
{
    json_t *r;
    size_t i;

    json_array_foreach(json_object_get(bucket, "regimes"), i, r)
    {
        if (strcmp(json_string_value(json_object_get(r, "regime")), regime) == 0)
            return r;
    }
    return NULL;
}

#define N(o, k) json_integer_value(json_object_get((o), (k)))

/* Reports on time (sent at the due second), late (missed; sent after the
 * due time; open past it), waived and open, for two incidents either side
 * of the quarter boundary in Dutch time, and the awareness -> first report
 * of each (the earliest report sent, waived ones aside). */
START_TEST(test_compute)
{
    struct stats_incident inc[3] = {
        {.id = "a",
         .ref = "INC-1",
         .kind = "incident",
         .root_cause_category = "human_error",
         .aware = T("2031-03-31T21:00:00Z")},
        {.id = "b", .ref = "INC-2", .kind = "incident", .aware = T("2031-03-31T22:30:00Z")},
        {.id = "c", .ref = "INC-3", .kind = "near_miss", .aware = T("2031-04-02T10:00:00Z")},
    };
    struct stats_obligation ob[] = {
        {"a", "nis2", "early_warning", "submitted", T("2031-04-01T21:00:00Z"),
         T("2031-04-01T21:00:00Z"), ""}, /* at the due second: on time; 24 h */
        {"a", "nis2", "notification", "missed", T("2031-04-03T21:00:00Z"),
         T("2031-04-03T21:00:01Z"), ""}, /* a second late */
        {"a", "nis2", "final", "pending", T("2031-05-03T21:00:00Z"), TIME_UNSET, ""}, /* open */
        {"b", "nis2", "early_warning", "waived", T("2031-04-01T22:30:00Z"), TIME_UNSET,
         "told by phone"},
        {"b", "nis2", "notification", "submitted", T("2031-04-03T22:30:00Z"),
         T("2031-04-01T08:30:00Z"), ""}, /* first report: 10 h */
        {"b", "nis2", "final", "pending", T("2031-04-02T00:00:00Z"), TIME_UNSET,
         ""}, /* open past its due time: late */
        {"c", "nis2", "early_warning", "submitted", TIME_UNSET, T("2031-04-02T12:00:00Z"), ""},
    };
    int no = (int)(sizeof(ob) / sizeof(ob[0]));
    json_t *s = statistics_compute(inc, 3, ob, no, R, NL, TIME_UNSET, TIME_UNSET,
                                   T("2031-04-10T00:00:00Z"));
    json_t *qs = json_object_get(s, "quarters"), *q1 = json_array_get(qs, 0),
           *q2 = json_array_get(qs, 1), *r;

    ck_assert_int_eq(json_array_size(qs), 2);
    ck_assert_str_eq(json_string_value(json_object_get(q1, "quarter")), "2031-Q1");
    ck_assert_str_eq(json_string_value(json_object_get(q2, "quarter")), "2031-Q2");
    r = regime_of(q1, "nis2");
    ck_assert_int_eq(N(r, "owed"), 3);
    ck_assert_int_eq(N(r, "on_time"), 1);
    ck_assert_int_eq(N(r, "late"), 1);
    ck_assert_int_eq(N(r, "pending"), 1);
    ck_assert_int_eq(N(r, "waived"), 0);
    ck_assert(
        json_real_value(json_object_get(json_object_get(r, "first_report"), "median_hours")) == 24);
    /* labels, not keys: the rule file's title */
    ck_assert(json_equal(json_object_get(r, "title"),
                         json_object_get(rules_find(R, "nis2")->doc, "title")));
    r = regime_of(q2, "nis2");
    ck_assert_int_eq(N(r, "owed"), 4);
    ck_assert_int_eq(N(r, "on_time"), 2); /* INC-2's notification, INC-3's (no due time) */
    ck_assert_int_eq(N(r, "late"), 1);
    ck_assert_int_eq(N(r, "waived"), 1);
    ck_assert_int_eq(N(r, "pending"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_array_get(json_object_get(r, "waivers"), 0), "reason")),
                     "told by phone");
    /* INC-2 10 h, INC-3 2 h: median 6, 90th 2 + 0.9 x 8 */
    ck_assert(
        fabs(json_real_value(json_object_get(json_object_get(r, "first_report"), "median_hours")) -
             6) < 1e-9);
    ck_assert(
        fabs(json_real_value(json_object_get(json_object_get(r, "first_report"), "p90_hours")) -
             9.2) < 1e-9);
    /* incidents: the near miss is not one */
    ck_assert_int_eq(N(q2, "incidents"), 1);
    ck_assert_int_eq(N(json_object_get(s, "total"), "incidents"), 2);
    ck_assert_int_eq(N(json_array_get(json_object_get(q1, "root_causes"), 1), "incidents"), 1);
    json_decref(s);

    /* from..to: only what became known in it */
    s = statistics_compute(inc, 3, ob, no, R, NL, T("2031-03-31T22:00:00Z"), TIME_UNSET,
                           T("2031-04-10T00:00:00Z"));
    ck_assert_int_eq(json_array_size(json_object_get(s, "quarters")), 1);
    ck_assert_int_eq(N(regime_of(json_object_get(s, "total"), "nis2"), "owed"), 4);
    json_decref(s);
}
END_TEST

START_TEST(test_csv)
{
    struct stats_incident inc[1] = {
        {.id = "a", .ref = "INC-1", .kind = "incident", .aware = T("2031-02-01T10:00:00Z")}};
    struct stats_obligation ob[1] = {{"a", "nis2", "early_warning", "waived",
                                      T("2031-02-02T10:00:00Z"), TIME_UNSET, "=cmd, \"quoted\""}};
    json_t *s =
        statistics_compute(inc, 1, ob, 1, R, NL, TIME_UNSET, TIME_UNSET, T("2031-03-01T00:00:00Z"));
    size_t len;
    char *csv;

    json_object_set_new(s, "recurring_groups", json_array());
    csv = statistics_csv(s, "nl", &len);
    ck_assert_ptr_nonnull(csv);
    ck_assert_msg(strncmp(csv, "Kwartaal,Regeling,", 18) == 0, "%s", csv);
    ck_assert_msg(strstr(csv, "K1 2031,") != NULL, "%s", csv);
    ck_assert_msg(strstr(csv, ",1,0,0,1,0,,\r\n") != NULL, "no first report: empty cells\n%s", csv);
    /* a reason is one quoted field, defused for spreadsheets */
    ck_assert_msg(strstr(csv, ",INC-1,") != NULL &&
                      strstr(csv, "\"'=cmd, \"\"quoted\"\"\"") != NULL,
                  "%s", csv);
    free(csv);
    json_decref(s);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("statistics");
    TCase *tc = tcase_create("statistics");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_percentile, 0, (int)(sizeof(pct) / sizeof(pct[0])));
    tcase_add_test(tc, test_percentile_empty);
    tcase_add_loop_test(tc, test_quarter_amsterdam, 0,
                        (int)(sizeof(quarters) / sizeof(quarters[0])));
    tcase_add_test(tc, test_day_start);
    tcase_add_test(tc, test_compute);
    tcase_add_test(tc, test_csv);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
