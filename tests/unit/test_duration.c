/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_duration.c - server/lib/timeutil: ISO 8601 durations (duration_parse)
 * and adding them to a time by the calendar in UTC (time_add_duration), the
 * arithmetic behind every reporting deadline of docs/RULES.md.
 */
#include "lib/timeutil.h"
#include "testutil.h"

#include <check.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- duration_parse ---- */

struct parse_case {
    const char *text;
    int rc;
    int years, months, days;
    int64_t seconds;
};

static const struct parse_case parse_cases[] = {
    {"PT24H", 0, 0, 0, 0, 86400},
    {"PT72H", 0, 0, 0, 0, 259200},
    {"P1M", 0, 0, 1, 0, 0},
    {"P1D", 0, 0, 0, 1, 0},
    {"P2W", 0, 0, 0, 14, 0},
    {"P1DT12H", 0, 0, 0, 1, 43200},
    {"PT30M", 0, 0, 0, 0, 1800},
    {"PT90S", 0, 0, 0, 0, 90},
    {"P1Y", 0, 1, 0, 0, 0},
    {"P1M1D", 0, 0, 1, 1, 0},
    {"P1Y2M3DT4H5M6S", 0, 1, 2, 3, 4 * 3600 + 5 * 60 + 6},
    {"PT1H30M", 0, 0, 0, 0, 5400},
    {"P0D", 0, 0, 0, 0, 0},
    {"PT0S", 0, 0, 0, 0, 0},
    {"P1MT1M", 0, 0, 1, 0, 60}, /* M before T is months, after T minutes */
    {"PT999999999S", 0, 0, 0, 0, 999999999},
    {"PT8784000H", 0, 0, 0, 0, INT64_C(8784000) * 3600}, /* 1000 years of hours: the ceiling */
    {"PT8784001H", -1, 0, 0, 0, 0},
    {"P366000D", 0, 0, 0, 366000, 0},
    {"P999999999D", -1, 0, 0, 0, 0}, /* beyond 1000 years */
    /* invalid */
    {"", -1, 0, 0, 0, 0},
    {"P", -1, 0, 0, 0, 0},
    {"PT", -1, 0, 0, 0, 0},
    {"T24H", -1, 0, 0, 0, 0},
    {"24H", -1, 0, 0, 0, 0},
    {"p1d", -1, 0, 0, 0, 0},
    {"P1H", -1, 0, 0, 0, 0}, /* H without T */
    {"P1S", -1, 0, 0, 0, 0},
    {"PT1D", -1, 0, 0, 0, 0},
    {"PT1Y", -1, 0, 0, 0, 0},
    {"PT1W", -1, 0, 0, 0, 0},
    {"P1DT", -1, 0, 0, 0, 0},
    {"P1DTT1H", -1, 0, 0, 0, 0},
    {"PT1HT1M", -1, 0, 0, 0, 0},
    {"P-1D", -1, 0, 0, 0, 0},
    {"P+1D", -1, 0, 0, 0, 0},
    {"P1.5D", -1, 0, 0, 0, 0},
    {"P1,5D", -1, 0, 0, 0, 0},
    {"PT0.5H", -1, 0, 0, 0, 0},
    {"P1M2", -1, 0, 0, 0, 0},
    {"PD", -1, 0, 0, 0, 0},
    {"P1X", -1, 0, 0, 0, 0},
    {"P1D ", -1, 0, 0, 0, 0},
    {" P1D", -1, 0, 0, 0, 0},
    {"P 1D", -1, 0, 0, 0, 0},
    {"P1d", -1, 0, 0, 0, 0},
    {"PT24h", -1, 0, 0, 0, 0},
    {"P1000000000D", -1, 0, 0, 0, 0},
    {"PT99999999999S", -1, 0, 0, 0, 0},
    {"PT99999999999999999999H", -1, 0, 0, 0, 0},
};

START_TEST(test_duration_parse)
{
    const struct parse_case *c = &parse_cases[_i];
    struct duration d;
    int rc;

    memset(&d, 0x5a, sizeof(d));
    rc = duration_parse(c->text, &d);
    ck_assert_msg(rc == c->rc, "duration_parse(\"%s\") = %d, want %d", c->text, rc, c->rc);
    if (c->rc != 0)
        return;
    ck_assert_msg(d.years == c->years && d.months == c->months && d.days == c->days &&
                      d.seconds == c->seconds,
                  "duration_parse(\"%s\") = {Y %d, M %d, D %d, s %lld}, want {Y %d, M %d, D %d, "
                  "s %lld}",
                  c->text, d.years, d.months, d.days, (long long)d.seconds, c->years, c->months,
                  c->days, (long long)c->seconds);
}
END_TEST

/* Nine digits pass the digit limit, but 999999999 weeks are 6999999993
 * days, more than an int holds: the parser must refuse it (not overflow a
 * signed int, which UBSan reports). */
START_TEST(test_duration_parse_weeks_overflow)
{
    struct duration d;

    ck_assert_int_eq(duration_parse("P999999999W", &d), -1);
}
END_TEST

/* Repeated parts add up in the parser; the sum must not overflow either. */
START_TEST(test_duration_parse_sum_overflow)
{
    struct duration d;
    int rc = duration_parse("P999999999D999999999D999999999D", &d);

    ck_assert_msg(rc == -1 || (d.days > 0 && (int64_t)d.days == INT64_C(2999999997)),
                  "rc %d days %d", rc, d.days);
}
END_TEST

/* ---- time_add_duration ---- */

struct add_case {
    const char *from;
    const char *duration;
    const char *want;
};

static const struct add_case add_cases[] = {
    /* Europe/Amsterdam goes to summer time on 29 March 2026 at 01:00 UTC and
     * back on 25 October 2026 at 01:00 UTC: PT24H is still 86400 s in UTC. */
    {"2026-03-28T12:00:00Z", "PT24H", "2026-03-29T12:00:00Z"},
    {"2026-03-29T00:30:00Z", "PT24H", "2026-03-30T00:30:00Z"},
    {"2026-10-24T23:30:00Z", "PT24H", "2026-10-25T23:30:00Z"},
    {"2026-10-25T00:59:59Z", "PT1H", "2026-10-25T01:59:59Z"},
    {"2026-03-28T12:00:00+01:00", "PT24H", "2026-03-29T11:00:00Z"},
    {"2026-10-24T12:00:00+02:00", "PT72H", "2026-10-27T10:00:00Z"},
    /* P1D across the same changes: calendar days in UTC are 86400 s too */
    {"2026-03-28T12:00:00Z", "P1D", "2026-03-29T12:00:00Z"},
    {"2026-10-24T23:30:00Z", "P1D", "2026-10-25T23:30:00Z"},
    /* months by the calendar, the day clamped to the month's last day */
    {"2026-01-31T10:00:00Z", "P1M", "2026-02-28T10:00:00Z"},
    {"2028-01-31T10:00:00Z", "P1M", "2028-02-29T10:00:00Z"},
    {"2026-03-31T10:00:00Z", "P1M", "2026-04-30T10:00:00Z"},
    {"2026-05-31T23:59:59Z", "P1M", "2026-06-30T23:59:59Z"},
    {"2026-12-15T10:00:00Z", "P1M", "2027-01-15T10:00:00Z"},
    {"2026-12-31T10:00:00Z", "P1M", "2027-01-31T10:00:00Z"},
    {"2026-11-30T10:00:00Z", "P3M", "2027-02-28T10:00:00Z"},
    {"2100-01-31T10:00:00Z", "P1M", "2100-02-28T10:00:00Z"},
    {"2000-01-31T10:00:00Z", "P1M", "2000-02-29T10:00:00Z"},
    {"2026-01-15T10:00:00Z", "P12M", "2027-01-15T10:00:00Z"},
    {"2026-01-15T10:00:00Z", "P13M", "2027-02-15T10:00:00Z"},
    {"2026-02-28T23:59:59Z", "P1D", "2026-03-01T23:59:59Z"},
    {"2028-02-28T23:59:59Z", "P1D", "2028-02-29T23:59:59Z"},
    {"2026-12-31T23:59:59Z", "PT1S", "2027-01-01T00:00:00Z"},
    {"2028-02-29T10:00:00Z", "P1Y", "2029-02-28T10:00:00Z"},
    {"2028-02-29T10:00:00Z", "P4Y", "2032-02-29T10:00:00Z"},
    {"2026-06-15T10:00:00Z", "P1Y", "2027-06-15T10:00:00Z"},
    /* months first (clamped), then days, then hours */
    {"2026-01-31T10:00:00Z", "P1M1D", "2026-03-01T10:00:00Z"},
    {"2028-01-31T10:00:00Z", "P1M1D", "2028-03-01T10:00:00Z"},
    {"2026-01-30T10:00:00Z", "P1M1D", "2026-03-01T10:00:00Z"},
    {"2026-03-31T10:00:00Z", "P1MT24H", "2026-05-01T10:00:00Z"},
    {"2026-01-31T20:00:00Z", "P1DT12H", "2026-02-02T08:00:00Z"},
    {"2026-11-29T02:30:00Z", "P2W", "2026-12-13T02:30:00Z"},
    {"2026-11-29T02:30:00Z", "PT0S", "2026-11-29T02:30:00Z"},
    /* before 1970 (negative Unix seconds) */
    {"1969-12-31T23:59:59Z", "PT1S", "1970-01-01T00:00:00Z"},
    {"1969-01-31T12:00:00Z", "P1M", "1969-02-28T12:00:00Z"},
    {"1960-01-31T12:00:00Z", "P1M", "1960-02-29T12:00:00Z"},
};

START_TEST(test_add_duration)
{
    const struct add_case *c = &add_cases[_i];
    struct duration d;
    char got[TIME_RFC3339_LEN];
    int64_t t, r;

    ck_assert_msg(time_parse_rfc3339(c->from, &t) == 0, "bad test time %s", c->from);
    ck_assert_msg(duration_parse(c->duration, &d) == 0, "bad test duration %s", c->duration);
    r = time_add_duration(t, &d);
    ck_assert_int_gt(time_format_rfc3339(r, got, sizeof(got)), 0);
    ck_assert_msg(strcmp(got, c->want) == 0, "%s + %s = %s, want %s", c->from, c->duration, got,
                  c->want);
}
END_TEST

/* Fixed parts are exact seconds, whatever the time of day or zone. */
START_TEST(test_add_fixed_is_exact)
{
    static const char *const durations[] = {"PT24H", "PT72H", "P1D", "P2W", "PT90S", "P1DT12H"};
    static const int64_t seconds[] = {86400, 259200, 86400, 14 * 86400, 90, 129600};
    int64_t t0;

    ck_assert_int_eq(time_parse_rfc3339("2026-03-27T00:00:00Z", &t0), 0);
    for (int i = 0; i < N(durations); i++) {
        struct duration d;

        ck_assert_int_eq(duration_parse(durations[i], &d), 0);
        /* every quarter hour over four days around the spring change */
        for (int64_t t = t0; t < t0 + 4 * 86400; t += 900)
            ck_assert_msg(time_add_duration(t, &d) - t == seconds[i], "%s at %lld", durations[i],
                          (long long)t);
    }
}
END_TEST

/* The last day of every month of a 400-year cycle plus P1M is the last day
 * of the next month (or the same day number when that is smaller). */
START_TEST(test_add_month_ends)
{
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    struct duration d;

    ck_assert_int_eq(duration_parse("P1M", &d), 0);
    for (int y = 2000; y < 2400; y++) {
        for (int m = 1; m <= 12; m++) {
            int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;
            bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            bool nleap = (ny % 4 == 0 && ny % 100 != 0) || ny % 400 == 0;
            int last = m == 2 && leap ? 29 : dim[m - 1];
            int nlast = nm == 2 && nleap ? 29 : dim[nm - 1];
            char from[64], want[64], got[TIME_RFC3339_LEN];
            int64_t t;

            snprintf(from, sizeof(from), "%04d-%02d-%02dT06:07:08Z", y, m, last);
            snprintf(want, sizeof(want), "%04d-%02d-%02dT06:07:08Z", ny, nm,
                     last < nlast ? last : nlast);
            ck_assert_int_eq(time_parse_rfc3339(from, &t), 0);
            ck_assert_int_gt(time_format_rfc3339(time_add_duration(t, &d), got, sizeof(got)), 0);
            ck_assert_msg(strcmp(got, want) == 0, "%s + P1M = %s, want %s", from, got, want);
        }
    }
}
END_TEST

/* A nine-digit year count passes the parser; adding it must not overflow a
 * signed int on the way (UBSan reports that).  The result is far past any
 * printable year, but it is later than the start. */
START_TEST(test_add_huge_years)
{
    struct duration d;
    int64_t t;

    ck_assert_int_eq(time_parse_rfc3339("2026-01-31T10:00:00Z", &t), 0);
    if (duration_parse("P999999999Y", &d) != 0)
        return; /* refusing it is fine too */
    ck_assert(time_add_duration(t, &d) > t);
}
END_TEST

static Suite *
duration_suite(void)
{
    Suite *s = suite_create("duration");
    TCase *tc;

    tc = tcase_create("parse");
    tcase_add_loop_test(tc, test_duration_parse, 0, N(parse_cases));
    tcase_add_test(tc, test_duration_parse_weeks_overflow);
    tcase_add_test(tc, test_duration_parse_sum_overflow);
    suite_add_tcase(s, tc);

    tc = tcase_create("add");
    tcase_add_loop_test(tc, test_add_duration, 0, N(add_cases));
    tcase_add_test(tc, test_add_fixed_is_exact);
    tcase_add_test(tc, test_add_month_ends);
    tcase_add_test(tc, test_add_huge_years);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return tu_run(duration_suite());
}
