/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_lib.c - server/lib: buf, timeutil, log_quote, log levels, minisign
 * key files (including interoperation with the real minisign tool), the
 * SIGHUP snapshot.
 */
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/ical.h"
#include "lib/log.h"
#include "lib/minisign.h"
#include "lib/sdnotify.h"
#include "lib/snapshot.h"
#include "lib/ticker.h"
#include "lib/timeutil.h"
#include "testutil.h"

#include <check.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define MINISIGN "/usr/bin/minisign"

/* ---- buf ---- */

START_TEST(test_buf_append)
{
    struct buf b = BUF_INIT;

    ck_assert(!buf_failed(&b));
    buf_append(&b, "abc", 3);
    ck_assert_uint_eq(b.len, 3);
    ck_assert_str_eq(b.data, "abc");
    buf_puts(&b, "def");
    ck_assert_uint_eq(b.len, 6);
    ck_assert_str_eq(b.data, "abcdef");
    buf_append(&b, "x\0y", 3); /* bytes, not a string */
    ck_assert_uint_eq(b.len, 9);
    ck_assert_mem_eq(b.data, "abcdefx\0y", 10);
    ck_assert(b.cap > b.len);
    ck_assert(!buf_failed(&b));
    buf_free(&b);
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_uint_eq(b.cap, 0);
}
END_TEST

START_TEST(test_buf_empty_append)
{
    struct buf b = BUF_INIT;

    buf_append(&b, "", 0);
    ck_assert_ptr_nonnull(b.data);
    ck_assert_str_eq(b.data, "");
    ck_assert_uint_eq(b.len, 0);
    buf_free(&b);
}
END_TEST

START_TEST(test_buf_growth)
{
    struct buf b = BUF_INIT;
    char want[1001];

    for (int i = 0; i < 1000; i++) {
        char c = (char)('a' + i % 26);
        buf_append(&b, &c, 1);
        want[i] = c;
        ck_assert_uint_eq(b.len, (size_t)i + 1);
        ck_assert(b.cap > b.len);
        ck_assert_int_eq(b.data[b.len], '\0');
    }
    want[1000] = '\0';
    ck_assert_str_eq(b.data, want);
    buf_free(&b);

    /* one append much larger than the first allocation */
    memset(want, 'q', 1000);
    buf_append(&b, "<", 1);
    buf_append(&b, want, 1000);
    buf_append(&b, ">", 1);
    ck_assert_uint_eq(b.len, 1002);
    ck_assert_int_eq(b.data[0], '<');
    ck_assert_int_eq(b.data[1000], 'q');
    ck_assert_int_eq(b.data[1001], '>');
    ck_assert_int_eq(b.data[1002], '\0');
    buf_free(&b);
}
END_TEST

START_TEST(test_buf_printf)
{
    struct buf b = BUF_INIT;
    char want[400];
    char long_arg[201];

    buf_printf(&b, "%d-%s-%c", 42, "x", 'z');
    ck_assert_str_eq(b.data, "42-x-z");
    ck_assert_uint_eq(b.len, 6);

    memset(long_arg, 'L', 200);
    long_arg[200] = '\0';
    buf_printf(&b, "[%s]", long_arg); /* crosses 64 bytes in one call */
    snprintf(want, sizeof(want), "42-x-z[%s]", long_arg);
    ck_assert_str_eq(b.data, want);
    ck_assert_uint_eq(b.len, strlen(want));

    for (int i = 0; i < 50; i++)
        buf_printf(&b, "%02d", i);
    ck_assert_uint_eq(b.len, strlen(want) + 100);
    ck_assert_int_eq(strncmp(b.data + strlen(want), "000102", 6), 0);
    ck_assert_str_eq(b.data + b.len - 4, "4849");

    buf_printf(&b, "%s", ""); /* nothing */
    ck_assert_uint_eq(b.len, strlen(want) + 100);
    buf_free(&b);
}
END_TEST

START_TEST(test_buf_reset)
{
    struct buf b = BUF_INIT;
    size_t cap;

    buf_reset(&b); /* on an empty buffer: harmless */
    ck_assert_uint_eq(b.len, 0);
    for (int i = 0; i < 20; i++)
        buf_puts(&b, "0123456789");
    cap = b.cap;
    buf_reset(&b);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_str_eq(b.data, "");
    ck_assert_uint_eq(b.cap, cap); /* keeps its memory */
    buf_puts(&b, "again");
    ck_assert_str_eq(b.data, "again");
    buf_free(&b);
}
END_TEST

START_TEST(test_buf_detach)
{
    struct buf b = BUF_INIT;
    size_t len = 99;
    char *p;

    for (int i = 0; i < 10; i++)
        buf_puts(&b, "0123456789");
    p = buf_detach(&b, &len);
    ck_assert_uint_eq(len, 100);
    ck_assert_uint_eq(strlen(p), 100);
    ck_assert_int_eq(strncmp(p, "0123456789012", 13), 0);
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_uint_eq(b.cap, 0);
    free(p);

    /* the buffer is usable again */
    buf_puts(&b, "next");
    ck_assert_str_eq(b.data, "next");
    p = buf_detach(&b, NULL);
    ck_assert_str_eq(p, "next");
    free(p);

    /* detaching an empty buffer gives an empty string, not NULL */
    len = 99;
    p = buf_detach(&b, &len);
    ck_assert_ptr_nonnull(p);
    ck_assert_str_eq(p, "");
    ck_assert_uint_eq(len, 0);
    free(p);
}
END_TEST

START_TEST(test_buf_failed)
{
    struct buf b = BUF_INIT;

    buf_puts(&b, "ok");
    buf_append(&b, "x", SIZE_MAX); /* cannot fit: fails, does not overflow */
    ck_assert(buf_failed(&b));
    ck_assert_uint_eq(b.len, 2);
    buf_puts(&b, "more"); /* ignored once failed */
    buf_printf(&b, "%d", 5);
    ck_assert(buf_failed(&b));
    ck_assert_uint_eq(b.len, 2);
    ck_assert_str_eq(b.data, "ok");
    buf_reset(&b);
    ck_assert(!buf_failed(&b));
    buf_puts(&b, "fine");
    ck_assert_str_eq(b.data, "fine");
    buf_free(&b);
}
END_TEST

/* A buffer with a cap (BUF_INIT_MAX, buf_set_max) holds up to max bytes;
 * the append that would go past it fails the buffer as an allocation
 * failure does, leaves what it held, and says why (buf_too_big).  The
 * cap outlives buf_reset, buf_free and buf_detach. */
START_TEST(test_buf_max)
{
    struct buf b = BUF_INIT_MAX(10);
    char *p;

    buf_puts(&b, "0123456789"); /* exactly max: fine */
    ck_assert(!buf_failed(&b));
    ck_assert(!buf_too_big(&b));
    ck_assert_str_eq(b.data, "0123456789");
    buf_append(&b, "x", 1); /* one past */
    ck_assert(buf_failed(&b));
    ck_assert(buf_too_big(&b));
    ck_assert_uint_eq(b.len, 10);
    ck_assert_str_eq(b.data, "0123456789");
    buf_puts(&b, ""); /* ignored once failed, even when it would fit */
    ck_assert(buf_failed(&b));

    /* reset: empty and usable again, under the same cap */
    buf_reset(&b);
    ck_assert(!buf_failed(&b));
    ck_assert(!buf_too_big(&b));
    buf_printf(&b, "%s", "01234");
    buf_printf(&b, "%d", 123456); /* 5 + 6 > 10 */
    ck_assert(buf_too_big(&b));
    ck_assert_str_eq(b.data, "01234");

    /* a huge append fails on the cap, without overflowing len + extra */
    buf_reset(&b);
    buf_puts(&b, "ab");
    buf_append(&b, "x", SIZE_MAX);
    ck_assert(buf_too_big(&b));
    ck_assert_uint_eq(b.len, 2);

    /* free and detach keep the cap */
    buf_free(&b);
    ck_assert(!buf_failed(&b));
    buf_puts(&b, "01234567890");
    ck_assert(buf_too_big(&b));
    buf_free(&b);
    buf_puts(&b, "0123");
    p = buf_detach(&b, NULL);
    ck_assert_str_eq(p, "0123");
    free(p);
    buf_puts(&b, "01234567890");
    ck_assert(buf_too_big(&b));
    buf_free(&b);

    /* set on a buffer in use: what it holds already counts */
    buf_puts(&b, "012345");
    buf_set_max(&b, 8);
    buf_puts(&b, "678");
    ck_assert(buf_too_big(&b));
    ck_assert_str_eq(b.data, "012345");
    buf_free(&b);

    /* 0: no cap, as BUF_INIT */
    buf_set_max(&b, 0);
    for (int i = 0; i < 100; i++)
        buf_puts(&b, "0123456789");
    ck_assert(!buf_failed(&b));
    ck_assert_uint_eq(b.len, 1000);
    buf_free(&b);
}
END_TEST

/* An allocation failure is not "too big". */
START_TEST(test_buf_failed_not_too_big)
{
    struct buf b = BUF_INIT;

    buf_append(&b, "x", SIZE_MAX);
    ck_assert(buf_failed(&b));
    ck_assert(!buf_too_big(&b));
    buf_free(&b);
}
END_TEST

/* ---- timeutil ---- */

/* HTML text and CSV fields: what the printable pages and exports rely on. */
START_TEST(test_buf_html_and_csv)
{
    static const struct {
        const char *in;
        bool number;
        const char *csv;
    } csv[] = {
        {"plain", false, "plain"},
        {"a,b", false, "\"a,b\""},
        {"say \"hi\"", false, "\"say \"\"hi\"\"\""},
        {"two\nlines", false, "\"two\nlines\""},
        {"=SUM(A1)", false, "'=SUM(A1)"},
        {"=HYPERLINK(\"x\")", false, "\"'=HYPERLINK(\"\"x\"\")\""},
        {"-1", true, "-1"},
        {"-1", false, "'-1"},
        {"@x,y", false, "\"'@x,y\""},
        {"", false, ""},
    };
    struct buf b = BUF_INIT;

    buf_puts_html(&b, "<a href=\"x\">Tom & Jerry's</a>");
    buf_puts_html(&b, NULL);
    ck_assert_str_eq(b.data, "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
    for (size_t i = 0; i < sizeof(csv) / sizeof(csv[0]); i++) {
        buf_reset(&b);
        buf_puts(&b, "");
        buf_csv_field(&b, csv[i].in, csv[i].number);
        ck_assert_msg(strcmp(b.data ? b.data : "", csv[i].csv) == 0, "%s: got %s", csv[i].in,
                      b.data);
    }
    buf_free(&b);
}
END_TEST

START_TEST(test_time_format)
{
    char out[TIME_RFC3339_LEN];

    ck_assert_int_eq(time_format_rfc3339(0, out, sizeof(out)), 20);
    ck_assert_str_eq(out, "1970-01-01T00:00:00Z");
    ck_assert_int_eq(time_format_rfc3339(1795919400, out, sizeof(out)), 20);
    ck_assert_str_eq(out, "2026-11-29T02:30:00Z");
    ck_assert_int_eq(time_format_rfc3339(-1, out, sizeof(out)), 20);
    ck_assert_str_eq(out, "1969-12-31T23:59:59Z");
    ck_assert_int_eq(time_format_rfc3339(951782400, out, sizeof(out)), 20);
    ck_assert_str_eq(out, "2000-02-29T00:00:00Z");
    ck_assert_int_eq(time_format_rfc3339(253402300799LL, out, sizeof(out)), 20);
    ck_assert_str_eq(out, "9999-12-31T23:59:59Z");
    /* year 10000 does not fit the format */
    ck_assert_int_eq(time_format_rfc3339(253402300800LL, out, sizeof(out)), -1);
}
END_TEST

START_TEST(test_clock)
{
    char out[TIME_RFC3339_LEN];
    int64_t a, b, now = clock_now();
    struct timespec ts;

    ck_assert_int_gt(now, 1700000000); /* after 2023 */
    ck_assert_int_le(now * 1000000, clock_now_us() + 1000000);
    a = clock_mono_us();
    b = clock_mono_us();
    ck_assert_int_le(a, b);
    /* a timer's deadline is on the monotonic clock, seconds ahead */
    clock_cond_deadline(5, &ts);
    ck_assert_int_ge((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000, b + 5000000);

    /* test builds: the wall clock stands still where it is fixed, to the
     * microsecond, and goes back to the system's when released */
    ck_assert(!clock_is_fixed());
    /* moving the clock forward moves the monotonic clock as far (never
     * back): backoff and rate limits see the time pass */
    a = clock_mono_us();
    clock_fix(clock_now() + 3600);
    b = clock_mono_us();
    ck_assert_int_ge(b - a, 3599LL * 1000000);
    ck_assert_int_lt(b - a, 3700LL * 1000000);
    /* while fixed, the limits' clock stands still however long a slow
     * machine takes between two attempts; real durations still pass */
    a = clock_mono_real_us();
    while (clock_mono_real_us() < a + 2000)
        ;
    ck_assert_int_eq(clock_mono_us(), b);
    clock_fix(951782400); /* 2000-02-29T00:00:00Z */
    ck_assert_int_eq(clock_mono_us(), b);
    ck_assert(clock_is_fixed());
    ck_assert_int_eq(clock_now(), 951782400);
    ck_assert_int_eq(clock_now_us(), 951782400LL * 1000000);
    time_format_rfc3339(clock_now(), out, sizeof(out));
    ck_assert_str_eq(out, "2000-02-29T00:00:00Z");
    clock_fix(-1); /* before 1970: whole seconds round down */
    ck_assert_int_eq(clock_now(), -1);
    b = clock_mono_us();
    clock_release();
    ck_assert(!clock_is_fixed());
    ck_assert_int_ge(clock_now(), now);
    /* released, it runs on from where it stood, never back */
    ck_assert_int_ge(clock_mono_us(), b);
    ck_assert_int_lt(clock_mono_us(), b + 1000000);
}
END_TEST

static pthread_mutex_t tick_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t tick_cond = PTHREAD_COND_INITIALIZER;
static int ticks;
static int64_t tick_now;

static int
tick_pass(int64_t now, struct mp_error *err)
{
    pthread_mutex_lock(&tick_lock);
    ticks++;
    tick_now = now;
    pthread_cond_signal(&tick_cond);
    pthread_mutex_unlock(&tick_lock);
    return mp_error_set(err, 500, "", "a pass that fails is logged, and the ticker goes on");
}

START_TEST(test_ticker)
{
    struct ticker slow = {0}, fast = {0};
    int64_t t0 = clock_mono_real_us();

    /* stopping does not wait out the interval, and runs no pass */
    ck_assert_int_eq(ticker_start(&slow, 3600, "slow", tick_pass), 0);
    ticker_stop(&slow);
    ck_assert_int_lt(clock_mono_real_us() - t0, 2000000);
    ck_assert_int_eq(ticks, 0);
    ck_assert_int_eq(ticker_start(&slow, 0, "never", tick_pass), -1);

    /* every second a pass, handed the wall clock of that moment (here a
     * fixed test clock); a failed pass does not stop the next */
    clock_fix(1796000000);
    ck_assert_int_eq(ticker_start(&fast, 1, "fast", tick_pass), 0);
    pthread_mutex_lock(&tick_lock);
    while (ticks < 2) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 10;
        ck_assert_int_eq(pthread_cond_timedwait(&tick_cond, &tick_lock, &ts), 0);
    }
    ck_assert_int_eq(tick_now, 1796000000);
    pthread_mutex_unlock(&tick_lock);
    ticker_stop(&fast);
    ticker_stop(&fast); /* twice is fine */
    clock_release();
}
END_TEST

START_TEST(test_time_format_ms)
{
    char out[40];
    int64_t parsed;

    ck_assert_int_eq(time_format_rfc3339_ms(1795919400123456LL, out, sizeof(out)), 24);
    ck_assert_str_eq(out, "2026-11-29T02:30:00.123Z");
    ck_assert_int_eq(time_parse_rfc3339(out, &parsed), 0);
    ck_assert_int_eq(parsed, 1795919400);
    ck_assert_int_eq(time_format_rfc3339_ms(0, out, sizeof(out)), 24);
    ck_assert_str_eq(out, "1970-01-01T00:00:00.000Z");
    /* 1 ms before the epoch */
    ck_assert_int_eq(time_format_rfc3339_ms(-1000, out, sizeof(out)), 24);
    ck_assert_str_eq(out, "1969-12-31T23:59:59.999Z");
}
END_TEST

struct time_case {
    const char *text;
    int rc;
    int64_t value;
};

static const struct time_case time_cases[] = {
    {"2026-11-29T02:30:00Z", 0, 1795919400},
    {"2026-11-29T03:30:00+01:00", 0, 1795919400},
    {"2026-11-29T01:00:00-01:30", 0, 1795919400},
    {"2026-11-29T23:30:00+21:00", 0, 1795919400},
    {"2026-11-29T02:30:00+00:00", 0, 1795919400},
    {"2026-11-29T02:30:00-00:00", 0, 1795919400},
    {"2026-11-29T02:30:00.123Z", 0, 1795919400},
    {"2026-11-29T02:30:00.999999999Z", 0, 1795919400},
    {"2026-11-29T03:30:00.5+01:00", 0, 1795919400},
    {"2026-11-29t02:30:00z", 0, 1795919400},
    {"1970-01-01T00:00:00Z", 0, 0},
    {"1970-01-01T00:00:00+23:59", 0, -86340},
    {"1969-12-31T23:59:59Z", 0, -1},
    {"2000-02-29T00:00:00Z", 0, 951782400},
    {"1900-03-01T00:00:00Z", 0, -2203891200LL},
    {"0001-01-01T00:00:00Z", 0, -62135596800LL},
    {"9999-12-31T23:59:59Z", 0, 253402300799LL},
    {"2026-12-31T23:59:60Z", 0, 1798761599}, /* leap second */
    /* invalid */
    {"2026-02-30T00:00:00Z", -1, 0},
    {"2025-02-29T00:00:00Z", -1, 0},
    {"1900-02-29T00:00:00Z", -1, 0},
    {"2026-04-31T00:00:00Z", -1, 0},
    {"2026-13-01T00:00:00Z", -1, 0},
    {"2026-00-01T00:00:00Z", -1, 0},
    {"2026-01-00T00:00:00Z", -1, 0},
    {"2026-11-29 02:30:00Z", -1, 0},
    {"2026-11-29T02:30:00", -1, 0},
    {"2026-11-29T24:00:00Z", -1, 0},
    {"2026-11-29T02:60:00Z", -1, 0},
    {"2026-11-29T02:30:61Z", -1, 0},
    {"2026-11-29T02:30:00Zjunk", -1, 0},
    {"2026-11-29T02:30:00Z ", -1, 0},
    {" 2026-11-29T02:30:00Z", -1, 0},
    {"2026-11-29T02:30:00+01:00x", -1, 0},
    {"2026-11-29T02:30:00+0100", -1, 0},
    {"2026-11-29T02:30:00+01", -1, 0},
    {"2026-11-29T02:30:00+24:00", -1, 0},
    {"2026-11-29T02:30:00+01:60", -1, 0},
    {"2026-11-29T02:30:00.Z", -1, 0},
    {"2026-11-29T02:30:00,5Z", -1, 0},
    {"2026-11-29T02:30Z", -1, 0},
    {"2026-11-29T2:30:00Z", -1, 0},
    {"26-11-29T02:30:00Z", -1, 0},
    {"2026/11/29T02:30:00Z", -1, 0},
    {"2026-11-29", -1, 0},
    {"2026", -1, 0},
    {"", -1, 0},
    {"+2026-11-29T02:30:00Z", -1, 0},
    {"2026-11-29T02:30:00UTC", -1, 0},
};

START_TEST(test_time_parse)
{
    const struct time_case *t = &time_cases[_i];
    int64_t v = 12345;
    int rc = time_parse_rfc3339(t->text, &v);

    ck_assert_msg(rc == t->rc, "time_parse_rfc3339(\"%s\") = %d, expected %d", t->text, rc, t->rc);
    if (t->rc == 0)
        ck_assert_msg(v == t->value, "time_parse_rfc3339(\"%s\"): %lld, expected %lld", t->text,
                      (long long)v, (long long)t->value);
    else
        ck_assert_int_eq(v, 12345);
}
END_TEST

START_TEST(test_time_parse_date)
{
    int64_t days;
    int year = 0;

    ck_assert_int_eq(time_parse_date("1970-01-01", &days, &year), 0);
    ck_assert_int_eq(days, 0);
    ck_assert_int_eq(year, 1970);
    ck_assert_int_eq(time_parse_date("2028-02-29", &days, NULL), 0); /* a leap day */
    ck_assert_int_eq(days, time_days_from_civil(2028, 2, 29));
    ck_assert_int_eq(time_parse_date("1969-12-31", &days, NULL), 0);
    ck_assert_int_eq(days, -1);
    /* not such a date: refused, never rolled over or read in part */
    static const char *const bad[] = {"2027-02-29", "2026-13-01", "2026-04-31",  "2026-00-10",
                                      "2026-1-01",  "+026-01-01", " 2026-01-01", "2026-01-01T",
                                      "2026/01/01", "",           "2026-01-0x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(time_parse_date(bad[i], &days, NULL) == -1, "%s", bad[i]);
    ck_assert_int_eq(time_parse_date(NULL, &days, NULL), -1);
}
END_TEST

START_TEST(test_time_round_trip)
{
    static const int64_t values[] = {
        0,         1,         -1,         59,         86399,          86400,
        951782400, 951868799, 1795919400, 4102444799, -62135596800LL, 253402300799LL};
    char out[TIME_RFC3339_LEN];

    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        int64_t back;
        ck_assert_int_eq(time_format_rfc3339(values[i], out, sizeof(out)), 20);
        ck_assert_msg(time_parse_rfc3339(out, &back) == 0, "%s", out);
        ck_assert_msg(back == values[i], "%lld -> %s -> %lld", (long long)values[i], out,
                      (long long)back);
    }
    /* every day of a leap year and a common year */
    for (int64_t t = 946684800; t < 946684800 + 2 * 366 * 86400LL; t += 86400 + 3661) {
        int64_t back;
        ck_assert_int_eq(time_format_rfc3339(t, out, sizeof(out)), 20);
        ck_assert_int_eq(time_parse_rfc3339(out, &back), 0);
        ck_assert_int_eq(back, t);
    }
}
END_TEST

/* ---- log ---- */

struct quote_case {
    const char *in;
    const char *out;
};

static const struct quote_case quote_cases[] = {
    {"", "\"\""},
    {"abc", "\"abc\""},
    {"/api/v1/tokens?x=1", "\"/api/v1/tokens?x=1\""},
    {"a\"b", "\"a\\\"b\""},
    {"a\\b", "\"a\\\\b\""},
    {"a\nb", "\"a\\x0ab\""},
    {"a\rb", "\"a\\x0db\""},
    {"\t", "\"\\x09\""},
    {"\x1b[31m", "\"\\x1b[31m\""},
    {"\x7f", "\"\\x7f\""},
    {"caf\xc3\xa9", "\"caf\\xc3\\xa9\""},
    {"x\" level=error msg=\"forged", "\"x\\\" level=error msg=\\\"forged\""},
    {"a b=c", "\"a b=c\""},
};

START_TEST(test_log_quote)
{
    const struct quote_case *c = &quote_cases[_i];
    char out[256];

    memset(out, 'Z', sizeof(out));
    log_quote(out, sizeof(out), c->in);
    ck_assert_str_eq(out, c->out);
}
END_TEST

/* True when s[0..n) is made of plain characters and complete escapes
 * (\", \\, \xHH): a truncation never leaves half an escape. */
static bool
whole_escapes(const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            return false; /* unescaped quote */
        if (s[i] != '\\')
            continue;
        if (i + 1 >= n)
            return false;
        if (s[i + 1] == '"' || s[i + 1] == '\\') {
            i++;
        } else if (s[i + 1] == 'x') {
            if (i + 3 >= n || !strchr(hex, s[i + 2]) || !strchr(hex, s[i + 3]))
                return false;
            i += 3;
        } else {
            return false;
        }
    }
    return true;
}

START_TEST(test_log_quote_truncation)
{
    static const char in[] = "abc\"def\\ghi\njkl\x01mno\xffpqr-stuvwxyz";
    char full[256];

    log_quote(full, sizeof(full), in);
    ck_assert_int_eq(full[0], '"');
    for (size_t size = 3; size < strlen(full) + 4; size++) {
        char out[256];
        size_t n;

        memset(out, 'Z', sizeof(out));
        log_quote(out, size, in);
        n = strlen(out);
        ck_assert_msg(n < size, "size %zu: %zu characters", size, n);
        ck_assert_int_eq(out[size], 'Z'); /* nothing written past size */
        ck_assert_msg(n >= 2 && out[0] == '"' && out[n - 1] == '"', "size %zu: %s", size, out);
        /* a whole-escape prefix of the untruncated output */
        ck_assert_msg(strncmp(out, full, n - 1) == 0, "size %zu: %s vs %s", size, out, full);
        ck_assert_msg(whole_escapes(out + 1, n - 2), "size %zu: cut inside an escape: %s", size,
                      out);
        if (size > strlen(full))
            ck_assert_str_eq(out, full);
    }
    /* exactly: size 8 holds 5 plain characters */
    {
        char out[8];
        log_quote(out, sizeof(out), "abcdefghij");
        ck_assert_str_eq(out, "\"abcde\"");
        log_quote(out, 6, "a\nb"); /* the escape does not fit: dropped whole */
        ck_assert_str_eq(out, "\"a\"");
    }
}
END_TEST

START_TEST(test_log_quote_tiny)
{
    char out[4] = "xyz";

    log_quote(out, 2, "abc");
    ck_assert_str_eq(out, "");
    memcpy(out, "xyz", 4);
    log_quote(out, 0, "abc");
    ck_assert_str_eq(out, "xyz"); /* size 0: nothing written */
    log_quote(out, 3, "abc");
    ck_assert_str_eq(out, "\"\"");
}
END_TEST

START_TEST(test_log_levels)
{
    static const char *const names[] = {"error", "warn", "notice", "info", "debug"};
    enum log_level l;

    for (int i = 0; i < 5; i++) {
        l = LOG_ERROR;
        ck_assert_int_eq(log_level_parse(names[i], &l), 0);
        ck_assert_int_eq(l, i);
        ck_assert_str_eq(log_level_name(l), names[i]);
    }
    ck_assert_int_eq(log_level_parse("warning", &l), -1);
    ck_assert_int_eq(log_level_parse("INFO", &l), -1);
    ck_assert_int_eq(log_level_parse("", &l), -1);
    ck_assert_str_eq(log_level_name((enum log_level)5), "?");

    log_set_level(LOG_NOTICE);
    ck_assert_int_eq(log_get_level(), LOG_NOTICE);
    ck_assert(log_enabled(LOG_ERROR));
    ck_assert(log_enabled(LOG_NOTICE));
    ck_assert(!log_enabled(LOG_INFO));
    log_set_level(LOG_DEBUG);
    ck_assert(log_enabled(LOG_DEBUG));
    log_set_level(LOG_ERROR);
    ck_assert(!log_enabled(LOG_WARN));
    log_set_level(LOG_NOTICE);
}
END_TEST

/* ---- minisign ---- */

/* The base64 line (second line) of a key file, decoded. */
static size_t
decode_key_line(const char *text, uint8_t *out, size_t max)
{
    const char *line = strchr(text, '\n');
    size_t len = 0;

    ck_assert_ptr_nonnull(line);
    line++;
    ck_assert_int_eq(sodium_base642bin(out, max, line, strcspn(line, "\r\n"), NULL, &len, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    return len;
}

static char *
encode_key_text(const char *comment, const uint8_t *blob, size_t len)
{
    struct buf b = BUF_INIT;
    char b64[512];

    ck_assert_uint_lt(sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL), sizeof(b64));
    sodium_bin2base64(b64, sizeof(b64), blob, len, sodium_base64_VARIANT_ORIGINAL);
    buf_printf(&b, "%s\n%s\n", comment, b64);
    return buf_detach(&b, NULL);
}

START_TEST(test_minisign_keyid_hex)
{
    static const uint8_t id[8] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
    static const uint8_t zero[8] = {0};
    static const uint8_t one[8] = {1, 0, 0, 0, 0, 0, 0, 0};
    char out[17];

    minisign_keyid_hex(id, out);
    ck_assert_str_eq(out, "EFCDAB8967452301");
    minisign_keyid_hex(zero, out);
    ck_assert_str_eq(out, "0000000000000000");
    minisign_keyid_hex(one, out);
    ck_assert_str_eq(out, "0000000000000001");
}
END_TEST

START_TEST(test_minisign_round_trip)
{
    struct minisign_key key, back;
    struct buf b = BUF_INIT;
    const char *why = NULL;

    minisign_key_generate(&key);
    minisign_format_secret(&key, &b);
    ck_assert(!buf_failed(&b));
    ck_assert_int_eq(strncmp(b.data, "untrusted comment: ", 19), 0);
    memset(&back, 0, sizeof(back));
    ck_assert_msg(minisign_parse_secret(b.data, &back, &why) == 0, "%s", why);
    ck_assert_mem_eq(back.keyid, key.keyid, 8);
    ck_assert_mem_eq(back.sk, key.sk, sizeof(key.sk));
    ck_assert_mem_eq(back.pk, key.pk, sizeof(key.pk));
    buf_free(&b);

    /* CRLF line ends are fine too */
    {
        uint8_t blob[256];
        size_t len;
        char *text;
        struct buf crlf = BUF_INIT;

        minisign_format_secret(&key, &b);
        len = decode_key_line(b.data, blob, sizeof(blob));
        ck_assert_uint_eq(len, 158);
        text = encode_key_text("untrusted comment: x", blob, len);
        for (const char *p = text; *p; p++) {
            if (*p == '\n')
                buf_puts(&crlf, "\r");
            buf_append(&crlf, p, 1);
        }
        memset(&back, 0, sizeof(back));
        ck_assert_msg(minisign_parse_secret(crlf.data, &back, &why) == 0, "%s", why);
        ck_assert_mem_eq(back.sk, key.sk, sizeof(key.sk));
        free(text);
        buf_free(&crlf);
        buf_free(&b);
    }
}
END_TEST

START_TEST(test_minisign_secret_layout)
{
    struct minisign_key key;
    struct buf b = BUF_INIT;
    uint8_t blob[256], zero[32] = {0};
    size_t len;

    minisign_key_generate(&key);
    minisign_format_secret(&key, &b);
    len = decode_key_line(b.data, blob, sizeof(blob));
    ck_assert_uint_eq(len, 2 + 2 + 2 + 32 + 8 + 8 + 8 + 64 + 32);
    ck_assert_mem_eq(blob, "Ed", 2);
    ck_assert_mem_eq(blob + 2, "\0\0", 2); /* kdf: none */
    ck_assert_mem_eq(blob + 4, "B2", 2);
    ck_assert_mem_eq(blob + 6, zero, 32); /* salt unused */
    ck_assert_mem_eq(blob + 54, key.keyid, 8);
    ck_assert_mem_eq(blob + 62, key.sk, 64);
    buf_free(&b);
}
END_TEST

START_TEST(test_minisign_public_format)
{
    struct minisign_key key;
    struct buf b = BUF_INIT;
    uint8_t blob[128];
    char id[17], first[80];
    size_t len;

    minisign_key_generate(&key);
    minisign_format_public(&key, &b);
    minisign_keyid_hex(key.keyid, id);
    snprintf(first, sizeof(first), "untrusted comment: minisign public key %s\n", id);
    ck_assert_int_eq(strncmp(b.data, first, strlen(first)), 0);
    ck_assert_int_eq(b.data[b.len - 1], '\n');
    len = decode_key_line(b.data, blob, sizeof(blob));
    ck_assert_uint_eq(len, 42);
    ck_assert_mem_eq(blob, "Ed", 2);
    ck_assert_mem_eq(blob + 2, key.keyid, 8);
    ck_assert_mem_eq(blob + 10, key.pk, 32);
    buf_free(&b);
}
END_TEST

START_TEST(test_minisign_parse_rejects)
{
    struct minisign_key key, back;
    struct buf b = BUF_INIT;
    uint8_t blob[256];
    size_t len;
    char *text, *line;
    const char *why;

    minisign_key_generate(&key);
    minisign_format_secret(&key, &b);
    len = decode_key_line(b.data, blob, sizeof(blob));

    /* no comment line */
    why = NULL;
    ck_assert_int_eq(minisign_parse_secret(strchr(b.data, '\n') + 1, &back, &why), -1);
    ck_assert_ptr_nonnull(why);
    ck_assert_int_eq(minisign_parse_secret("untrusted comment: only one line", &back, &why), -1);
    ck_assert_int_eq(minisign_parse_secret("", &back, &why), -1);

    /* corrupted base64 */
    text = strdup(b.data);
    line = strchr(text, '\n') + 1;
    line[10] = '!';
    why = NULL;
    ck_assert_int_eq(minisign_parse_secret(text, &back, &why), -1);
    ck_assert_ptr_nonnull(strstr(why, "base64"));
    free(text);

    /* truncated */
    text = strdup(b.data);
    line = strchr(text, '\n') + 1;
    strcpy(line + 100, "\n");
    ck_assert_int_eq(minisign_parse_secret(text, &back, &why), -1);
    ck_assert_ptr_nonnull(strstr(why, "length"));
    free(text);

    /* a public key is not a secret key */
    {
        struct buf pub = BUF_INIT;
        minisign_format_public(&key, &pub);
        ck_assert_int_eq(minisign_parse_secret(pub.data, &back, &why), -1);
        buf_free(&pub);
    }

    /* password-protected (kdf "Sc", scrypt) */
    blob[2] = 'S';
    blob[3] = 'c';
    text = encode_key_text("untrusted comment: minisign encrypted secret key", blob, len);
    why = NULL;
    ck_assert_int_eq(minisign_parse_secret(text, &back, &why), -1);
    ck_assert_msg(strstr(why, "password") != NULL, "%s", why);
    free(text);
    blob[2] = blob[3] = 0;

    /* the public half of the secret key damaged (one bit): libsodium
     * would sign with it, and nothing would verify what it signed
     * (found by tests/fuzz/minisign) */
    blob[62 + 40] ^= 0x08;
    text = encode_key_text("untrusted comment: minisign encrypted secret key", blob, len);
    why = NULL;
    ck_assert_int_eq(minisign_parse_secret(text, &back, &why), -1);
    ck_assert_msg(strstr(why, "damaged") != NULL, "%s", why);
    free(text);
    blob[62 + 40] ^= 0x08;

    /* another signature algorithm */
    blob[1] = 'D';
    text = encode_key_text("untrusted comment: x", blob, len);
    ck_assert_int_eq(minisign_parse_secret(text, &back, &why), -1);
    free(text);
    blob[1] = 'd';

    /* another checksum algorithm */
    blob[5] = '3';
    text = encode_key_text("untrusted comment: x", blob, len);
    ck_assert_int_eq(minisign_parse_secret(text, &back, &why), -1);
    free(text);
    blob[5] = '2';

    /* and restored, it parses again */
    text = encode_key_text("untrusted comment: x", blob, len);
    ck_assert_int_eq(minisign_parse_secret(text, &back, &why), 0);
    ck_assert_mem_eq(back.sk, key.sk, sizeof(key.sk));
    free(text);
    buf_free(&b);
}
END_TEST

/* ---- minisign interoperation (the real tool) ---- */

static char tmpdir[PATH_MAX];

static void
setup_tmp(void)
{
    tu_mkdtemp(tmpdir);
}

static void
teardown_tmp(void)
{
    tu_rmrf(tmpdir);
}

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
run(const char *fmt, ...)
{
    char cmd[4 * PATH_MAX];
    va_list ap;
    int st;

    /* The tools run (minisign) are checked for what they accept, not for
     * dates: they run without the dated runs' libfaketime, whose shared
     * semaphore an exiting Check child may already have removed. */
    unsetenv("LD_PRELOAD");
    unsetenv("FAKETIME_SHARED");
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    st = system(cmd);
    return st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

START_TEST(test_minisign_tool_verifies_our_keys)
{
    char key[PATH_MAX], pub[PATH_MAX], msg[PATH_MAX];
    struct minisign_key k;
    struct buf b = BUF_INIT;

    ck_assert_msg(access(MINISIGN, X_OK) == 0,
                  MINISIGN " is missing (packaging/install-deps.sh installs it)");
    tu_path(key, tmpdir, "signing.key");
    tu_path(pub, tmpdir, "signing.pub");
    tu_path(msg, tmpdir, "export.json");

    minisign_key_generate(&k);
    minisign_format_secret(&k, &b);
    tu_write_file(key, b.data);
    ck_assert_int_eq(chmod(key, 0600), 0);
    buf_reset(&b);
    minisign_format_public(&k, &b);
    tu_write_file(pub, b.data);
    buf_free(&b);
    tu_write_file(msg, "{\"incidents\":[]}\n");

    ck_assert_int_eq(run(MINISIGN " -S -s '%s' -m '%s' </dev/null >/dev/null 2>&1", key, msg), 0);
    ck_assert_int_eq(run(MINISIGN " -V -m '%s' -p '%s' </dev/null >/dev/null 2>&1", msg, pub), 0);
    /* and a changed file no longer verifies */
    tu_write_file(msg, "{\"incidents\":[1]}\n");
    ck_assert_int_ne(run(MINISIGN " -V -m '%s' -p '%s' </dev/null >/dev/null 2>&1", msg, pub), 0);
}
END_TEST

/* The other way: a key made by `minisign -G -W` parses, and its derived
 * public key and key id are those of the tool's public key file. */
START_TEST(test_minisign_tool_key_parses)
{
    char key[PATH_MAX], pub[PATH_MAX];
    struct minisign_key k;
    const char *why = NULL;
    char *text;
    uint8_t blob[128];
    size_t len;

    ck_assert_msg(access(MINISIGN, X_OK) == 0,
                  MINISIGN " is missing (packaging/install-deps.sh installs it)");
    tu_path(key, tmpdir, "tool.key");
    tu_path(pub, tmpdir, "tool.pub");
    ck_assert_int_eq(run(MINISIGN " -G -W -p '%s' -s '%s' </dev/null >/dev/null 2>&1", pub, key),
                     0);

    text = tu_read_file(key);
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(minisign_parse_secret(text, &k, &why) == 0, "%s", why);
    free(text);

    text = tu_read_file(pub);
    ck_assert_ptr_nonnull(text);
    len = decode_key_line(text, blob, sizeof(blob));
    ck_assert_uint_eq(len, 42);
    ck_assert_mem_eq(blob + 2, k.keyid, 8);
    ck_assert_mem_eq(blob + 10, k.pk, 32);
    /* our formatting of the same key gives the tool's public key line */
    {
        struct buf b = BUF_INIT;
        const char *ours, *theirs = strchr(text, '\n') + 1;
        minisign_format_public(&k, &b);
        ours = strchr(b.data, '\n') + 1;
        ck_assert_int_eq(strncmp(ours, theirs, strcspn(theirs, "\r\n")), 0);
        buf_free(&b);
    }
    free(text);
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- sd_notify ---- */

/* A datagram socket at name (a path, or "@name" in the abstract namespace)
 * standing in for systemd's. */
static int
notify_listener(const char *name)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t n = strlen(name);
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

    ck_assert_int_ge(fd, 0);
    ck_assert_uint_lt(n, sizeof(sa.sun_path));
    memcpy(sa.sun_path, name, n);
    if (name[0] == '@')
        sa.sun_path[0] = '\0';
    ck_assert_int_eq(
        bind(fd, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n)),
        0);
    return fd;
}

static void
expect_datagram(int fd, const char *want)
{
    char got[256];
    ssize_t n = recv(fd, got, sizeof(got) - 1, MSG_DONTWAIT);

    ck_assert_int_gt(n, 0);
    got[n] = '\0';
    ck_assert_str_eq(got, want);
}

START_TEST(test_sd_notify_path_socket)
{
    char dir[PATH_MAX], sock[PATH_MAX];
    int fd;

    tu_mkdtemp(dir);
    tu_path(sock, dir, "notify");
    fd = notify_listener(sock);
    setenv("NOTIFY_SOCKET", sock, 1);
    ck_assert_int_eq(sd_notify_send("READY=1\nSTATUS=serving"), 1);
    expect_datagram(fd, "READY=1\nSTATUS=serving");
    ck_assert_int_eq(sd_notify_send("STOPPING=1"), 1);
    expect_datagram(fd, "STOPPING=1");
    close(fd);
    unsetenv("NOTIFY_SOCKET");
    tu_rmrf(dir);
}
END_TEST

START_TEST(test_sd_notify_abstract_socket)
{
    char name[64];
    int fd;

    snprintf(name, sizeof(name), "@meldpunt-test-%d", (int)getpid());
    fd = notify_listener(name);
    setenv("NOTIFY_SOCKET", name, 1);
    ck_assert_int_eq(sd_notify_send("RELOADING=1"), 1);
    expect_datagram(fd, "RELOADING=1");
    close(fd);
    unsetenv("NOTIFY_SOCKET");
}
END_TEST

START_TEST(test_sd_notify_without_systemd)
{
    unsetenv("NOTIFY_SOCKET");
    ck_assert_int_eq(sd_notify_send("READY=1"), 0);
    setenv("NOTIFY_SOCKET", "relative/path", 1);
    ck_assert_int_eq(sd_notify_send("READY=1"), -1);
    setenv("NOTIFY_SOCKET", "/nonexistent/meldpunt/notify", 1);
    ck_assert_int_eq(sd_notify_send("READY=1"), -1);
    unsetenv("NOTIFY_SOCKET");
}
END_TEST

/* ---- ical ---- */

START_TEST(test_ical_lines)
{
    struct buf b = BUF_INIT;
    char long_text[300];

    ical_text(&b, "SUMMARY", "a, b; c\\d\nnext\r\nline");
    ck_assert_str_eq(b.data, "SUMMARY:a\\, b\\; c\\\\d\\nnext\\nline\r\n");
    buf_reset(&b);
    ical_time(&b, "DTSTART", 1796000000); /* 2026-11-30T00:53:20Z */
    ck_assert_str_eq(b.data, "DTSTART:20261130T005320Z\r\n");
    buf_reset(&b);
    /* folded after 75 octets, never inside a character: 'é' is two octets */
    memset(long_text, 0, sizeof(long_text));
    for (int i = 0; i < 100; i++)
        strcat(long_text, "\xc3\xa9");
    ical_text(&b, "DESCRIPTION", long_text);
    {
        const char *line = b.data;
        struct buf unfolded = BUF_INIT;
        char want[320];

        while (*line) {
            const char *end = strstr(line, "\r\n");
            ck_assert_ptr_nonnull(end);
            ck_assert_uint_le((size_t)(end - line), 75);
            /* a continuation starts with one space, then a whole character */
            if (line != b.data) {
                ck_assert_int_eq(line[0], ' ');
                ck_assert_int_eq((unsigned char)line[1], 0xc3);
                buf_append(&unfolded, line + 1, (size_t)(end - line - 1));
            } else {
                buf_append(&unfolded, line, (size_t)(end - line));
            }
            line = end + 2;
        }
        /* unfolded, it is the line again */
        snprintf(want, sizeof(want), "DESCRIPTION:%s", long_text);
        ck_assert_str_eq(unfolded.data, want);
        buf_free(&unfolded);
    }
    buf_free(&b);
}
END_TEST

/* ---- snapshot ---- */

/* A value shared through a snapshot: freed counts the frees. */
struct snap_value {
    struct snapshot_refs refs;
    int id;
    int *freed;
};

static void
snap_hold(void *v)
{
    snapshot_refs_hold(&((struct snap_value *)v)->refs);
}

static void
snap_drop(void *v)
{
    struct snap_value *sv = v;

    if (snapshot_refs_drop(&sv->refs)) {
        __atomic_add_fetch(sv->freed, 1, __ATOMIC_RELAXED);
        free(sv);
    }
}

static struct snap_value *
snap_new(int id, int *freed)
{
    struct snap_value *v = calloc(1, sizeof(*v));

    ck_assert_ptr_nonnull(v);
    snapshot_refs_init(&v->refs);
    v->id = id;
    v->freed = freed;
    return v;
}

static int snap_made;

static void *
snap_make(void)
{
    snap_made++;
    return snap_new(99, &snap_made);
}

START_TEST(test_snapshot_swap)
{
    struct snapshot s = SNAPSHOT_INIT(snap_hold, snap_drop);
    int freed = 0;
    struct snap_value *a, *held;

    ck_assert_ptr_null(snapshot_acquire(&s, NULL));
    snapshot_install(&s, snap_new(1, &freed));
    held = snapshot_acquire(&s, NULL);
    ck_assert_int_eq(held->id, 1);
    /* a reload while a reader holds the old value: it stays until dropped */
    snapshot_install(&s, snap_new(2, &freed));
    ck_assert_int_eq(freed, 0);
    ck_assert_int_eq(held->id, 1);
    a = snapshot_acquire(&s, NULL);
    ck_assert_int_eq(a->id, 2);
    snap_drop(a);
    snap_drop(held);
    ck_assert_int_eq(freed, 1); /* the old one, by its last reader */
    snapshot_install(&s, NULL);
    ck_assert_int_eq(freed, 2); /* the current one, by the snapshot */
    ck_assert_ptr_null(snapshot_acquire(&s, NULL));
}
END_TEST

/* A loaded set's document by its member: the first that names id; a
 * document without the member, or a NULL id, matches nothing. */
START_TEST(test_file_set_find)
{
    json_t *list = json_loads("[{\"format\": \"a\"}, {\"other\": \"b\"}, {\"format\": \"b\"}, "
                              "{\"format\": \"b\", \"n\": 2}]",
                              0, NULL);

    ck_assert_ptr_nonnull(list);
    ck_assert_ptr_eq(file_set_find(list, "format", "a"), json_array_get(list, 0));
    ck_assert_ptr_eq(file_set_find(list, "format", "b"), json_array_get(list, 2));
    ck_assert_ptr_null(file_set_find(list, "format", "c"));
    ck_assert_ptr_null(file_set_find(list, "format", NULL));
    ck_assert_ptr_null(file_set_find(list, "scenario", "a"));
    json_decref(list);
}
END_TEST

START_TEST(test_snapshot_make)
{
    struct snapshot s = SNAPSHOT_INIT(snap_hold, snap_drop);
    struct snap_value *v, *w;

    snap_made = 0;
    v = snapshot_acquire(&s, snap_make);
    w = snapshot_acquire(&s, snap_make);
    ck_assert_ptr_eq(v, w); /* made once, then shared */
    ck_assert_int_eq(snap_made, 1);
    snap_drop(v);
    snap_drop(w);
    snapshot_install(&s, NULL); /* frees the made one: snap_made counts it */
    ck_assert_int_eq(snap_made, 2);
}
END_TEST

struct snap_race {
    struct snapshot *s;
    int rounds;
};

static void *
snap_reader(void *arg)
{
    struct snap_race *r = arg;
    long sum = 0;

    for (int i = 0; i < r->rounds; i++) {
        struct snap_value *v = snapshot_acquire(r->s, NULL);
        if (v != NULL) {
            sum += v->id; /* a freed value here is a use after free for ASan */
            snap_drop(v);
        }
    }
    return (void *)sum;
}

START_TEST(test_snapshot_concurrent)
{
    struct snapshot s = SNAPSHOT_INIT(snap_hold, snap_drop);
    struct snap_race race = {.s = &s, .rounds = 20000};
    pthread_t t[3];
    int freed = 0, installed = 0;

    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, snap_reader, &race), 0);
    for (int i = 0; i < 2000; i++, installed++)
        snapshot_install(&s, snap_new(i, &freed));
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    snapshot_install(&s, NULL);
    /* every value installed was freed exactly once, none early */
    ck_assert_int_eq(__atomic_load_n(&freed, __ATOMIC_RELAXED), installed);
}
END_TEST

static Suite *
lib_suite(void)
{
    Suite *s = suite_create("lib");
    TCase *tc;

    tc = tcase_create("buf");
    tcase_add_test(tc, test_buf_append);
    tcase_add_test(tc, test_file_set_find);
    tcase_add_test(tc, test_buf_empty_append);
    tcase_add_test(tc, test_buf_growth);
    tcase_add_test(tc, test_buf_printf);
    tcase_add_test(tc, test_buf_reset);
    tcase_add_test(tc, test_buf_detach);
    tcase_add_test(tc, test_buf_failed);
    tcase_add_test(tc, test_buf_max);
    tcase_add_test(tc, test_buf_failed_not_too_big);
    tcase_add_test(tc, test_buf_html_and_csv);
    suite_add_tcase(s, tc);

    tc = tcase_create("timeutil");
    tcase_add_test(tc, test_time_format);
    tcase_add_test(tc, test_clock);
    tcase_add_test(tc, test_time_format_ms);
    tcase_add_test(tc, test_ticker);
    tcase_add_loop_test(tc, test_time_parse, 0, N(time_cases));
    tcase_add_test(tc, test_time_round_trip);
    tcase_add_test(tc, test_time_parse_date);
    suite_add_tcase(s, tc);

    tc = tcase_create("log");
    tcase_add_loop_test(tc, test_log_quote, 0, N(quote_cases));
    tcase_add_test(tc, test_log_quote_truncation);
    tcase_add_test(tc, test_log_quote_tiny);
    tcase_add_test(tc, test_log_levels);
    suite_add_tcase(s, tc);

    tc = tcase_create("minisign");
    tcase_add_test(tc, test_minisign_keyid_hex);
    tcase_add_test(tc, test_minisign_round_trip);
    tcase_add_test(tc, test_minisign_secret_layout);
    tcase_add_test(tc, test_minisign_public_format);
    tcase_add_test(tc, test_minisign_parse_rejects);
    suite_add_tcase(s, tc);

    tc = tcase_create("sdnotify");
    tcase_add_unchecked_fixture(tc, tu_base_setup, tu_base_teardown);
    tcase_add_test(tc, test_sd_notify_path_socket);
    tcase_add_test(tc, test_sd_notify_abstract_socket);
    tcase_add_test(tc, test_sd_notify_without_systemd);
    suite_add_tcase(s, tc);

    tc = tcase_create("minisign-tool");
    tcase_add_unchecked_fixture(tc, tu_base_setup, tu_base_teardown);
    tcase_add_checked_fixture(tc, setup_tmp, teardown_tmp);
    tcase_add_test(tc, test_minisign_tool_verifies_our_keys);
    tcase_add_test(tc, test_minisign_tool_key_parses);
    suite_add_tcase(s, tc);

    tc = tcase_create("ical");
    tcase_add_test(tc, test_ical_lines);
    suite_add_tcase(s, tc);

    tc = tcase_create("snapshot");
    tcase_add_test(tc, test_snapshot_swap);
    tcase_add_test(tc, test_snapshot_make);
    tcase_add_test(tc, test_snapshot_concurrent);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    if (sodium_init() < 0)
        return 2;
    return tu_run(lib_suite());
}
