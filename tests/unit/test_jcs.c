/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_jcs.c - the JSON Canonicalization Scheme (server/lib/jcs.c) against
 * RFC 8785: its number table (appendix B), its sorting example (3.2.3), its
 * complete example (3.2.2), and string escaping; and its numbers against an
 * independent implementation, node's String(x) (tests/unit/jcs_numbers.mjs
 * prints the doubles and their expected forms): every power of two, and a
 * million and more seeded random doubles.  Run from the top of the tree.
 */
#include "lib/jcs.h"

#include "testutil.h"

#include <check.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double
from_bits(uint64_t bits)
{
    double d;

    memcpy(&d, &bits, sizeof(d));
    return d;
}

/* RFC 8785 appendix B: IEEE 754 bit patterns and their ECMAScript form. */
static const struct {
    uint64_t bits;
    const char *want;
} numbers[] = {
    {0x0000000000000000ULL, "0"},
    {0x8000000000000000ULL, "0"},
    {0x0000000000000001ULL, "5e-324"},
    {0x8000000000000001ULL, "-5e-324"},
    {0x7fefffffffffffffULL, "1.7976931348623157e+308"},
    {0xffefffffffffffffULL, "-1.7976931348623157e+308"},
    {0x4340000000000000ULL, "9007199254740992"},
    {0xc340000000000000ULL, "-9007199254740992"},
    {0x4430000000000000ULL, "295147905179352830000"},
    {0x44b52d02c7e14af5ULL, "9.999999999999997e+22"},
    {0x44b52d02c7e14af6ULL, "1e+23"},
    {0x44b52d02c7e14af7ULL, "1.0000000000000001e+23"},
    {0x444b1ae4d6e2ef4eULL, "999999999999999700000"},
    {0x444b1ae4d6e2ef4fULL, "999999999999999900000"},
    {0x444b1ae4d6e2ef50ULL, "1e+21"},
    {0x3eb0c6f7a0b5ed8cULL, "9.999999999999997e-7"},
    {0x3eb0c6f7a0b5ed8dULL, "0.000001"},
    {0x41b3de4355555553ULL, "333333333.3333332"},
    {0x41b3de4355555554ULL, "333333333.33333325"},
    {0x41b3de4355555555ULL, "333333333.3333333"},
    {0x41b3de4355555556ULL, "333333333.3333334"},
    {0x41b3de4355555557ULL, "333333333.33333343"},
    {0xbecbf647612f3696ULL, "-0.0000033333333333333333"},
    {0x43143ff3c1cb0959ULL, "1424953923781206.2"},
    /* powers of two, where the gap below is half the gap above: the
     * nearest 16-digit decimal does not read back, the next one up does */
    {0x3e70000000000000ULL, "5.960464477539063e-8"}, /* 2^-24 */
    {0xbe70000000000000ULL, "-5.960464477539063e-8"},
    {0x4340000000000000ULL, "9007199254740992"}, /* 2^53 */
    {0x4350000000000000ULL, "18014398509481984"},
    {0x7fe0000000000000ULL, "8.98846567431158e+307"},   /* 2^1023 */
    {0x0010000000000000ULL, "2.2250738585072014e-308"}, /* 2^-1022 */
};

START_TEST(test_number)
{
    char out[32];

    jcs_format_number(from_bits(numbers[_i].bits), out);
    ck_assert_msg(strcmp(out, numbers[_i].want) == 0, "%016llx: got %s, want %s",
                  (unsigned long long)numbers[_i].bits, out, numbers[_i].want);
}
END_TEST

/* Whether bits (no sign) are a power of two: a normal with no fraction or
 * a subnormal with one fraction bit. */
static int
is_power_of_two(uint64_t bits)
{
    if ((bits >> 52) == 0)
        return bits != 0 && (bits & (bits - 1)) == 0;
    return (bits & 0xfffffffffffffULL) == 0;
}

/* Compares jcs_format_number with node's String(x) over the lines of
 * `node tests/unit/jcs_numbers.mjs RANDOM`; returns how many it compared. */
static long
against_node(long random, long *powers)
{
    char cmd[96], line[128], got[32];
    long n = 0, bad = 0;
    FILE *f;

    snprintf(cmd, sizeof(cmd), "node tests/unit/jcs_numbers.mjs %ld", random);
    f = popen(cmd, "r");
    ck_assert_msg(f != NULL, "cannot run %s", cmd);
    while (fgets(line, sizeof(line), f) != NULL) {
        char *want, *nl;
        uint64_t bits;
        double d;

        /* no ck_assert in this loop: each one records a mark (slow) */
        if ((want = strchr(line, ' ')) == NULL) {
            bad++;
            continue;
        }
        *want++ = '\0';
        if ((nl = strchr(want, '\n')) != NULL)
            *nl = '\0';
        bits = strtoull(line, NULL, 16);
        memcpy(&d, &bits, sizeof(d));
        jcs_format_number(d, got);
        if (strcmp(got, want) != 0 && bad++ < 10)
            fprintf(stderr, "%s: got %s, want %s\n", line, got, want);
        if (powers != NULL && is_power_of_two(bits & ~(1ULL << 63)))
            (*powers)++;
        n++;
    }
    ck_assert_int_eq(pclose(f), 0);
    ck_assert_msg(bad == 0, "%ld of %ld numbers differ from node's String(x)", bad, n);
    return n;
}

START_TEST(test_every_power_of_two)
{
    long powers = 0, n = against_node(0, &powers);

    /* 2^-1074 .. 2^1023, each with both signs */
    ck_assert_int_eq(n, 2 * 2098);
    ck_assert_int_eq(powers, 2 * 2098);
}
END_TEST

START_TEST(test_a_million_random_doubles)
{
    /* after the powers: their neighbours, a million bit patterns and
     * 100,000 short decimals */
    ck_assert_int_eq(against_node(1000000, NULL), 2 * 2098 + 16778 + 1000000 + 100000);
}
END_TEST

static char *
canon(json_t *v)
{
    struct buf b = BUF_INIT;
    char *s;

    ck_assert_int_eq(jcs_serialize(v, &b), 0);
    s = buf_detach(&b, NULL);
    json_decref(v);
    return s;
}

static json_t *
parse(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &e);

    ck_assert_msg(v != NULL, "%s: %s", text, e.text);
    return v;
}

START_TEST(test_rfc_example)
{
    /* RFC 8785 section 3.2.2 */
    char *got = canon(
        parse("{\"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],"
              " \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\","
              " \"literals\": [null, true, false]}"));

    ck_assert_str_eq(got, "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,"
                          "4.5,0.002,1e-27],\"string\":\"\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\"
                          "\\\"/\"}");
    free(got);
}
END_TEST

START_TEST(test_sorting_by_utf16)
{
    /* RFC 8785 section 3.2.3: U+1F600 (a surrogate pair, D83D) sorts before
     * U+FB33, although its code point is larger */
    char *got = canon(parse("{\"\\u20ac\": \"Euro Sign\", \"\\r\": \"Carriage Return\","
                            " \"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\", \"1\": \"One\","
                            " \"\\ud83d\\ude00\": \"Emoji: Grinning Face\","
                            " \"\\u0080\": \"Control\", \"\\u00f6\": \"Latin Small Letter O With "
                            "Diaeresis\"}"));
    const char *order[] = {
        "\\r", "\"1\"", "\xc2\x80", "\xc3\xb6", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xef\xac\xb3"};
    const char *prev = got;

    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        const char *at = strstr(got, order[i]);
        ck_assert_msg(at != NULL && at >= prev, "key %zu out of order in %s", i, got);
        prev = at;
    }
    free(got);
}
END_TEST

START_TEST(test_strings_and_literals)
{
    char *got;

    got = canon(parse("\"tab\\there, \\u0001 and \\u001f, slash / and \\u00e9\""));
    ck_assert_str_eq(got, "\"tab\\there, \\u0001 and \\u001f, slash / and \xc3\xa9\"");
    free(got);
    got = canon(parse("[1, -0.0, 1.5e3, 100, 1234567890123456789, true, null]"));
    /* integers are doubles in RFC 8785: beyond 2^53 the low digits go */
    ck_assert_str_eq(got, "[1,0,1500,100,1234567890123456800,true,null]");
    free(got);
    got = canon(parse("{\"b\": {\"z\": 1, \"a\": [2, {\"y\": 0, \"x\": 0}]}, \"a\": {}}"));
    ck_assert_str_eq(got, "{\"a\":{},\"b\":{\"a\":[2,{\"x\":0,\"y\":0}],\"z\":1}}");
    free(got);
}
END_TEST

START_TEST(test_refuses_what_json_cannot_carry)
{
    struct buf b = BUF_INIT;
    json_t *v = json_real(0);

    /* jansson refuses to make NaN or infinity reals, so build one by hand */
    json_real_set(v, 1.0);
    ck_assert_int_eq(jcs_serialize(v, &b), 0);
    ck_assert_str_eq(b.data, "1");
    json_decref(v);
    buf_free(&b);
    v = json_stringn_nocheck("\xff\xfe", 2); /* not UTF-8 */
    ck_assert_int_eq(jcs_serialize(v, &b), -1);
    json_decref(v);
    buf_free(&b);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("jcs");
    TCase *tc = tcase_create("rfc8785");

    tcase_add_loop_test(tc, test_number, 0, (int)(sizeof(numbers) / sizeof(numbers[0])));
    tcase_add_test(tc, test_rfc_example);
    tcase_add_test(tc, test_sorting_by_utf16);
    tcase_add_test(tc, test_strings_and_literals);
    tcase_add_test(tc, test_refuses_what_json_cannot_carry);
    suite_add_tcase(s, tc);
    tc = tcase_create("node");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_every_power_of_two);
    tcase_add_test(tc, test_a_million_random_doubles);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
