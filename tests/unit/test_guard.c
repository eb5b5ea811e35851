/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_guard.c - http/guard.c: how long a request may take to arrive
 * (guard_within), and http/framing.c: the encoded NUL in a request target.
 * The closing of real connections is tested over sockets by
 * tests/http/conformance.py.
 */
#include "http/framing.h"
#include "http/guard.h"
#include "testutil.h"

#include <check.h>
#include <string.h>

#define S 1000000LL /* a second in microseconds */

static const struct guard_limits limits = {.header_timeout = 10, .body_min_rate = 1024};

static const struct within_case {
    enum guard_phase phase;
    int64_t elapsed_us;
    uint64_t bytes;
    bool within;
} within_cases[] = {
    /* headers: up to and including header_timeout, not a microsecond more */
    {GUARD_HEADERS, 0, 0, true},
    {GUARD_HEADERS, 10 * S, 0, true},
    {GUARD_HEADERS, 10 * S + 1, 0, false},
    {GUARD_HEADERS, 3600 * S, 0, false},
    /* body: the grace, then a second per body_min_rate bytes */
    {GUARD_BODY, 10 * S, 0, true},
    {GUARD_BODY, 10 * S + 1, 0, false},
    {GUARD_BODY, 11 * S, 1024, true},
    {GUARD_BODY, 11 * S + 1, 1024, false},
    /* one byte every 10 s (the slowloris of issue 18) is far too slow */
    {GUARD_BODY, 20 * S, 2, false},
    /* a megabyte at 1 KiB/s is allowed its 1024 s and the grace */
    {GUARD_BODY, 1034 * S, 1 << 20, true},
    {GUARD_BODY, 1035 * S, 1 << 20, false},
    /* the answer is not bounded here (connection_timeout is) */
    {GUARD_HANDLED, 3600 * S, 0, true},
};

START_TEST(test_within)
{
    const struct within_case *c = &within_cases[_i];

    ck_assert_msg(guard_within(c->phase, c->elapsed_us, c->bytes, &limits) == c->within,
                  "case %d: phase %d, %lld us, %llu bytes", _i, (int)c->phase,
                  (long long)c->elapsed_us, (unsigned long long)c->bytes);
}
END_TEST

START_TEST(test_no_body_rate)
{
    const struct guard_limits none = {.header_timeout = 10, .body_min_rate = 0};

    ck_assert(guard_within(GUARD_BODY, 3600 * S, 0, &none));
    ck_assert(!guard_within(GUARD_HEADERS, 11 * S, 0, &none));
}
END_TEST

static const struct nul_case {
    const char *uri;
    bool nul;
} nul_cases[] = {
    {"/index.html%00.png", true},
    {"/api/v1/incidents?q=a%00b", true},
    {"/%00", true},
    {"/a?x=%2500", false}, /* an encoded "%" followed by "00": no NUL */
    {"/a%20b", false},
    {"/100%", false},
    {"/a%0", false},
    {"/a?x=%01", false}, /* other control characters: dispatch refuses them */
    {"/", false},
};

START_TEST(test_target_nul)
{
    const struct nul_case *c = &nul_cases[_i];

    ck_assert_msg(framing_target_has_nul(c->uri) == c->nul, "%s", c->uri);
    ck_assert((framing_uri_log(NULL, c->uri, NULL) != NULL) == c->nul);
}
END_TEST

/* A target up to FRAMING_TARGET_MAX bytes passes; one byte more is marked
 * 414; %00 is marked 400 whatever the length. */
START_TEST(test_target_length)
{
    char uri[FRAMING_TARGET_MAX + 2];
    const void *mark;
    int status = 0;

    memset(uri, 'a', sizeof(uri));
    uri[0] = '/';
    uri[FRAMING_TARGET_MAX] = '\0';
    ck_assert_ptr_null(framing_uri_log(NULL, uri, NULL));
    uri[FRAMING_TARGET_MAX] = 'a';
    uri[FRAMING_TARGET_MAX + 1] = '\0';
    mark = framing_uri_log(NULL, uri, NULL);
    ck_assert_ptr_eq(mark, framing_long_target);
    ck_assert(framing_marked(mark));
    ck_assert_str_eq(framing_target_problem(mark, &status),
                     "the request target is longer than 8192 bytes");
    ck_assert_int_eq(status, 414);
    memcpy(uri + 1, "%00", 3);
    mark = framing_uri_log(NULL, uri, NULL);
    ck_assert_ptr_eq(mark, framing_bad_target);
    framing_target_problem(mark, &status);
    ck_assert_int_eq(status, 400);
    ck_assert(!framing_marked(NULL));
}
END_TEST

static Suite *
guard_suite(void)
{
    Suite *s = suite_create("guard");
    TCase *tc = tcase_create("guard");

    tcase_add_loop_test(tc, test_within, 0, (int)(sizeof(within_cases) / sizeof(within_cases[0])));
    tcase_add_test(tc, test_no_body_rate);
    tcase_add_loop_test(tc, test_target_nul, 0, (int)(sizeof(nul_cases) / sizeof(nul_cases[0])));
    tcase_add_test(tc, test_target_length);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return tu_run(guard_suite());
}
