/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_jsonscan.c - lib/jsonscan.c: the shape of a JSON text, read before
 * jansson builds it: too long, too many, too deep, with the field at fault;
 * text that is not JSON is left to jansson.  Also lib/admit.c's slots.
 */
#include "lib/admit.h"
#include "lib/jsonscan.h"
#include "testutil.h"

#include <check.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "[" n elements of item, joined by commas "]", inside prefix and suffix */
static char *
repeat(const char *prefix, const char *item, unsigned n, const char *suffix)
{
    size_t il = strlen(item), len = strlen(prefix) + strlen(suffix) + (size_t)n * (il + 1) + 4;
    char *s = malloc(len), *p;

    ck_assert_ptr_nonnull(s);
    p = s + sprintf(s, "%s[", prefix);
    for (unsigned i = 0; i < n; i++) {
        if (i > 0)
            *p++ = ',';
        memcpy(p, item, il);
        p += il;
    }
    sprintf(p, "]%s", suffix);
    return s;
}

static enum jsonscan_result
scan(const char *text, char *field)
{
    return jsonscan_check(text, strlen(text), field, 80, NULL);
}

static const struct shape_case {
    const char *text;
    enum jsonscan_result want;
} shape_cases[] = {
    {"{}", JSONSCAN_OK},
    {"[]", JSONSCAN_OK},
    {"\"x\"", JSONSCAN_OK},
    {"{\"a\":[1,2,{\"b\":null}],\"c\":\"[,,,]\"}", JSONSCAN_OK},
    /* brackets and commas inside strings, escaped quotes, are text */
    {"{\"a\":\"\\\",]]]],,,,\"}", JSONSCAN_OK},
    /* not well-formed: not refused here, jansson says where */
    {"]]]", JSONSCAN_OK},
    {"{\"a\":\"never closed", JSONSCAN_OK},
    {"[1,2", JSONSCAN_OK},
};

START_TEST(test_shapes)
{
    char field[80];

    ck_assert_int_eq(scan(shape_cases[_i].text, field), shape_cases[_i].want);
}
END_TEST

START_TEST(test_elements_limit)
{
    char field[80];
    char *at = repeat("", "0", JSONSCAN_ELEMENTS_MAX, "");
    char *over = repeat("", "0", JSONSCAN_ELEMENTS_MAX + 1, "");
    char *issue = repeat("", "1", 500000, ""); /* the body of issue 18 */

    ck_assert_int_eq(scan(at, field), JSONSCAN_OK);
    ck_assert_int_eq(scan(over, field), JSONSCAN_LONG);
    ck_assert_str_eq(field, "");
    ck_assert_int_eq(scan(issue, field), JSONSCAN_LONG);
    free(at);
    free(over);
    free(issue);
}
END_TEST

START_TEST(test_field_named)
{
    char field[80];
    char *nested = repeat("{\"title\":\"x\",\"alerts\":[{},{\"labels\":{\"a\":", "0",
                          JSONSCAN_ELEMENTS_MAX + 1, "}}]}");
    char *strange = repeat("{\"we\\\"ird\":", "0", JSONSCAN_ELEMENTS_MAX + 1, "}");

    ck_assert_int_eq(scan(nested, field), JSONSCAN_LONG);
    ck_assert_str_eq(field, "alerts[1].labels.a");
    ck_assert_int_eq(scan(strange, field), JSONSCAN_LONG);
    ck_assert_str_eq(field, "?");
    free(nested);
    free(strange);
}
END_TEST

START_TEST(test_values_limit)
{
    char field[80];
    char *row = repeat("", "0", 1000, "");
    /* 51 arrays of 1,000: each short enough, too many values in all */
    char *many = repeat("", row, 51, "");
    char *fewer = repeat("", row, 49, "");

    ck_assert_int_eq(scan(fewer, field), JSONSCAN_OK);
    ck_assert_int_eq(scan(many, field), JSONSCAN_MANY);
    free(row);
    free(many);
    free(fewer);
}
END_TEST

START_TEST(test_depth_limit)
{
    char field[80];
    char *deep = malloc(2 * JSONSCAN_DEPTH_MAX + 4);
    size_t n;

    ck_assert_ptr_nonnull(deep);
    for (n = 0; n < JSONSCAN_DEPTH_MAX; n++)
        deep[n] = '[';
    for (size_t i = 0; i < JSONSCAN_DEPTH_MAX; i++)
        deep[n++] = ']';
    deep[n] = '\0';
    ck_assert_int_eq(scan(deep, field), JSONSCAN_OK);
    memmove(deep + 1, deep, n + 1);
    deep[0] = '[';
    deep[n + 1] = ']';
    deep[n + 2] = '\0';
    ck_assert_int_eq(scan(deep, field), JSONSCAN_DEEP);
    free(deep);
}
END_TEST

/* The estimate: the text, and per container and per other value. */
START_TEST(test_cost)
{
    char field[80];
    size_t cost = 0;
    const char *text = "{\"a\":[1,2,3],\"b\":{}}";

    ck_assert_int_eq(jsonscan_check(text, strlen(text), field, sizeof(field), &cost), JSONSCAN_OK);
    /* containers: the object, [1,2,3], {}; other values: 1, 2, 3 */
    ck_assert_uint_eq(cost, strlen(text) + 3 * JSONSCAN_CONTAINER_BYTES + 3 * JSONSCAN_VALUE_BYTES);
}
END_TEST

/* The slots: never more than configured, a released one can be taken
 * again, every refusal counted; the two pools apart. */
START_TEST(test_admit_slots)
{
    unsigned long long refused = atomic_load(&admit_bodies.refused);

    ck_assert_int_eq(admit_start(3), 0);
    for (int i = 0; i < 3; i++)
        ck_assert(admit_take(&admit_bodies));
    ck_assert_uint_eq(atomic_load(&admit_bodies.taken), 3);
    ck_assert(!admit_take(&admit_bodies));
    ck_assert(!admit_take(&admit_bodies));
    ck_assert_uint_eq(atomic_load(&admit_bodies.refused), refused + 2);
    ck_assert(admit_take(&admit_decodes));
    admit_give(&admit_decodes);
    admit_give(&admit_bodies);
    ck_assert(admit_take(&admit_bodies));
    for (int i = 0; i < 3; i++)
        admit_give(&admit_bodies);
    ck_assert_uint_eq(atomic_load(&admit_bodies.taken), 0);
    admit_stop();
}
END_TEST

static Suite *
jsonscan_suite(void)
{
    Suite *s = suite_create("jsonscan");
    TCase *tc = tcase_create("jsonscan");

    tcase_add_loop_test(tc, test_shapes, 0, (int)(sizeof(shape_cases) / sizeof(shape_cases[0])));
    tcase_add_test(tc, test_elements_limit);
    tcase_add_test(tc, test_field_named);
    tcase_add_test(tc, test_values_limit);
    tcase_add_test(tc, test_depth_limit);
    tcase_add_test(tc, test_cost);
    tcase_add_test(tc, test_admit_slots);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return tu_run(jsonscan_suite());
}
