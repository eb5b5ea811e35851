/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_html.c - printable pages escape by default (server/lib/html.c):
 * every %s argument of html_printf() is HTML text, markup comes only from
 * the format, and the numeric conversions print as printf does.
 */
#include "lib/html.h"

#include "testutil.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char *
render(struct buf *b)
{
    ck_assert(!buf_failed(b));
    return b->data ? b->data : "";
}

START_TEST(test_strings_are_text)
{
    struct buf b = BUF_INIT;

    html_printf(&b, "<td title=\"%s\">%s</td>", "a\"b", "<script>alert('x')</script> & co");
    ck_assert_str_eq(render(&b),
                     "<td title=\"a&quot;b\">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; "
                     "&amp; co</td>");
    buf_reset(&b);
    /* NULL (a member that is not there) writes nothing, as buf_puts_html
     * does; through a variable, as callers pass it */
    {
        const char *missing = getenv("MELDPUNT_TEST_NO_SUCH_VARIABLE");
        html_printf(&b, "<p>%s</p>", missing);
    }
    ck_assert_str_eq(render(&b), "<p></p>");
    buf_free(&b);
}
END_TEST

START_TEST(test_numbers_and_percent)
{
    struct buf b = BUF_INIT;

    html_printf(&b, "%d|%i|%u|%x|%ld|%lld|%llu|%zu|%lu|%c|%.2f|%g|%5d|%-3d|100%%", -7, 8, 9u, 255u,
                -10L, (long long)INT64_MIN, (unsigned long long)UINT64_MAX, (size_t)42, 11UL, 'Z',
                3.14159, 0.5, 12, 3);
    ck_assert_str_eq(render(&b), "-7|8|9|ff|-10|-9223372036854775808|18446744073709551615|42|11|Z|"
                                 "3.14|0.5|   12|3  |100%");
    buf_free(&b);
}
END_TEST

START_TEST(test_unknown_conversion_fails)
{
    struct buf b = BUF_INIT;

    /* %p (or %n) is not for pages: the buffer fails instead of guessing */
    html_printf(&b, "<p>%p</p>", (void *)&b);
    ck_assert(buf_failed(&b));
    buf_free(&b);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("html");
    TCase *tc = tcase_create("html");

    tcase_add_test(tc, test_strings_are_text);
    tcase_add_test(tc, test_numbers_and_percent);
    tcase_add_test(tc, test_unknown_conversion_fails);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
