/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_cidr.c - lib/cidr.c: reading address blocks (IPv4, IPv6, the edge
 * prefixes /0 /32 /128, and what is not a block), whether an address lies
 * in one, the lists an API token keeps; and lib/useragent.c, the device of
 * a session in words.
 */
#include "lib/cidr.h"
#include "lib/useragent.h"
#include "testutil.h"

#include <check.h>
#include <string.h>
#include <sys/socket.h>

/* ---- reading blocks: each text, whether it is one, and its canonical form ---- */

static const struct {
    const char *text;
    const char *canonical; /* NULL: refused */
} blocks[] = {
    {"10.0.0.0/8", "10.0.0.0/8"},
    {"192.0.2.0/24", "192.0.2.0/24"},
    {"192.0.2.7", "192.0.2.7/32"},
    {"192.0.2.7/32", "192.0.2.7/32"},
    {"0.0.0.0/0", "0.0.0.0/0"},
    {"255.255.255.255/32", "255.255.255.255/32"},
    {"2001:db8::/32", "2001:db8::/32"},
    {"2001:DB8:0:0::/32", "2001:db8::/32"},
    {"::/0", "::/0"},
    {"::1", "::1/128"},
    {"::1/128", "::1/128"},
    {"fe80::/10", "fe80::/10"},
    {"::ffff:192.0.2.0/120", "::ffff:192.0.2.0/120"},
    /* not blocks */
    {"", NULL},
    {"/8", NULL},
    {"10.0.0.0/", NULL},
    {"10.0.0.0/33", NULL},
    {"10.0.0.0/-1", NULL},
    {"10.0.0.0/+8", NULL},
    {"10.0.0.0/08", NULL},
    {"10.0.0.0/8/8", NULL},
    {"10.0.0.0/8 ", NULL},
    {" 10.0.0.0/8", NULL},
    {"10.0.0/8", NULL},
    {"10.0.0.256/32", NULL},
    {"010.0.0.0/8", NULL},
    {"10.1.2.3/8", NULL},     /* bits after the prefix */
    {"192.0.2.1/31", NULL},   /* one bit after the prefix */
    {"2001:db8::1/64", NULL}, /* bits after the prefix */
    {"::/129", NULL},
    {"2001:db8:::/32", NULL},
    {"example.org/24", NULL},
    {"10.0.0.0/1000", NULL},
    {"1111111111111111111111111111111111111111111111111111111111111111/8", NULL},
};

START_TEST(test_cidr_parse_table)
{
    for (size_t i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++) {
        struct cidr c;
        const char *why = NULL;
        char text[CIDR_TEXT_MAX];
        int rc = cidr_parse(blocks[i].text, &c, &why);

        if (blocks[i].canonical == NULL) {
            ck_assert_msg(rc == -1, "'%s' read as a block", blocks[i].text);
            ck_assert_msg(why != NULL && why[0] != '\0', "'%s': no reason", blocks[i].text);
            continue;
        }
        ck_assert_msg(rc == 0, "'%s' refused: %s", blocks[i].text, why);
        cidr_format(&c, text);
        ck_assert_str_eq(text, blocks[i].canonical);
    }
}
END_TEST

START_TEST(test_cidr_reasons)
{
    struct cidr c;
    const char *why;

    ck_assert_int_eq(cidr_parse("10.1.2.3/8", &c, &why), -1);
    ck_assert_ptr_nonnull(strstr(why, "after its prefix"));
    ck_assert_int_eq(cidr_parse("10.0.0.0/33", &c, &why), -1);
    ck_assert_ptr_nonnull(strstr(why, "/32"));
    ck_assert_int_eq(cidr_parse("::/129", &c, &why), -1);
    ck_assert_ptr_nonnull(strstr(why, "/128"));
    ck_assert_int_eq(cidr_parse("nonsense", &c, &why), -1);
    ck_assert_ptr_nonnull(strstr(why, "address or block"));
}
END_TEST

/* ---- matching ---- */

static const struct {
    const char *block, *addr;
    bool in;
} matches[] = {
    {"10.0.0.0/8", "10.0.0.0", true},
    {"10.0.0.0/8", "10.255.255.255", true},
    {"10.0.0.0/8", "11.0.0.0", false},
    {"10.0.0.0/8", "9.255.255.255", false},
    {"192.0.2.0/25", "192.0.2.127", true},
    {"192.0.2.0/25", "192.0.2.128", false},
    {"192.0.2.7/32", "192.0.2.7", true},
    {"192.0.2.7/32", "192.0.2.6", false},
    {"192.0.2.7/32", "192.0.2.8", false},
    {"0.0.0.0/0", "203.0.113.9", true},
    {"0.0.0.0/0", "127.0.0.1", true},
    {"0.0.0.0/0", "::1", false}, /* an IPv4 block holds no IPv6 address */
    {"::/0", "2001:db8::1", true},
    {"::/0", "::1", true},
    {"::/0", "127.0.0.1", false}, /* nor an IPv6 block an IPv4 one */
    {"2001:db8::/32", "2001:db8:ffff::1", true},
    {"2001:db8::/32", "2001:db9::1", false},
    {"2001:db8::1/128", "2001:db8::1", true},
    {"2001:db8::1/128", "2001:db8::2", false},
    {"::1/128", "::1", true},
    {"fe80::/10", "febf::1", true},
    {"fe80::/10", "fec0::1", false},
    /* a dual-stack socket's IPv4 peer */
    {"127.0.0.0/8", "::ffff:127.0.0.1", true},
    {"10.0.0.0/8", "::ffff:127.0.0.1", false},
    {"::ffff:0.0.0.0/96", "::ffff:10.1.2.3", true},
    /* what is not an address is in no block */
    {"0.0.0.0/0", "-", false},
    {"::/0", "", false},
    {"0.0.0.0/0", "10.0.0.1/32", false},
};

START_TEST(test_cidr_contains_table)
{
    for (size_t i = 0; i < sizeof(matches) / sizeof(matches[0]); i++) {
        struct cidr c;
        const char *why;

        ck_assert_int_eq(cidr_parse(matches[i].block, &c, &why), 0);
        ck_assert_msg(cidr_contains(&c, matches[i].addr) == matches[i].in, "%s in %s: expected %s",
                      matches[i].addr, matches[i].block, matches[i].in ? "yes" : "no");
    }
}
END_TEST

START_TEST(test_cidr_addr_parse)
{
    struct cidr a;

    ck_assert(cidr_addr_parse("192.0.2.1", &a));
    ck_assert_int_eq(a.family, AF_INET);
    ck_assert_int_eq(a.prefix, 32);
    ck_assert(cidr_addr_parse("2001:db8::1", &a));
    ck_assert_int_eq(a.family, AF_INET6);
    ck_assert_int_eq(a.prefix, 128);
    ck_assert(!cidr_addr_parse("192.0.2.0/24", &a));
    ck_assert(!cidr_addr_parse("", &a));
    ck_assert(!cidr_addr_parse("localhost", &a));
}
END_TEST

/* ---- lists ---- */

START_TEST(test_cidr_list)
{
    char list[CIDR_LIST_TEXT] = "";
    const char *why;

    ck_assert(cidr_list_allows(list, "192.0.2.1")); /* empty: anywhere */
    ck_assert_int_eq(cidr_list_add(list, sizeof(list), "10.0.0.0/8", &why), 0);
    ck_assert_int_eq(cidr_list_add(list, sizeof(list), "2001:DB8::/32", &why), 0);
    ck_assert_int_eq(cidr_list_add(list, sizeof(list), "127.0.0.1", &why), 0);
    ck_assert_str_eq(list, "10.0.0.0/8,2001:db8::/32,127.0.0.1/32");
    ck_assert_int_eq(cidr_list_add(list, sizeof(list), "10.1.0.0/8", &why), -1);
    ck_assert_str_eq(list, "10.0.0.0/8,2001:db8::/32,127.0.0.1/32"); /* unchanged */
    ck_assert(cidr_list_allows(list, "10.9.8.7"));
    ck_assert(cidr_list_allows(list, "2001:db8::42"));
    ck_assert(cidr_list_allows(list, "127.0.0.1"));
    ck_assert(!cidr_list_allows(list, "127.0.0.2"));
    ck_assert(!cidr_list_allows(list, "192.0.2.1"));
    ck_assert(!cidr_list_allows(list, "-"));
    /* an unreadable entry allows nobody, rather than everybody */
    ck_assert(!cidr_list_allows("10.0.0.0/8,,", "192.0.2.1"));
    ck_assert(!cidr_list_allows("garbage", "192.0.2.1"));
    ck_assert(!cidr_list_allows(",", "192.0.2.1"));
}
END_TEST

START_TEST(test_cidr_list_limit)
{
    char list[CIDR_LIST_TEXT] = "", item[64];
    const char *why;

    for (int i = 0; i < CIDR_LIST_MAX; i++) {
        snprintf(item, sizeof(item), "10.0.%d.0/24", i);
        ck_assert_int_eq(cidr_list_add(list, sizeof(list), item, &why), 0);
    }
    ck_assert_int_eq(cidr_list_add(list, sizeof(list), "192.0.2.0/24", &why), -1);
    ck_assert_ptr_nonnull(strstr(why, "at most"));
    /* the longest canonical blocks fit the longest list */
    list[0] = '\0';
    for (int i = 0; i < CIDR_LIST_MAX; i++) {
        snprintf(item, sizeof(item), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff%02x", i);
        ck_assert_int_eq(cidr_list_add(list, sizeof(list), item, &why), 0);
    }
    ck_assert(cidr_list_allows(list, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff0f"));
    ck_assert_uint_lt(strlen(list), 800); /* the column's limit */
}
END_TEST

/* ---- the device of a session ---- */

static const struct {
    const char *ua, *browser, *os;
} agents[] = {
    {"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox", "Linux"},
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/126.0.0.0 Safari/537.36",
     "Chrome", "Windows"},
    {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
     "Edge", "macOS"},
    {"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.5 Safari/605.1.15",
     "Safari", "macOS"},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
     "Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
     "Safari", "iOS"},
    {"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/126.0.0.0 Mobile Safari/537.36",
     "Chrome", "Android"},
    {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/126.0.0.0 Safari/537.36 OPR/111.0.0.0",
     "Opera", "Linux"},
    {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "HeadlessChrome/126.0.0.0 Safari/537.36",
     "Chrome", "Linux"},
    {"curl/8.5.0", "curl", NULL},
    {"node", NULL, NULL},
    {"", NULL, NULL},
    {NULL, NULL, NULL},
};

START_TEST(test_useragent_table)
{
    for (size_t i = 0; i < sizeof(agents) / sizeof(agents[0]); i++) {
        const char *browser, *os;

        useragent_summary(agents[i].ua, &browser, &os);
        if (agents[i].browser == NULL)
            ck_assert_msg(browser == NULL, "%s: browser %s", agents[i].ua, browser);
        else
            ck_assert_msg(browser && strcmp(browser, agents[i].browser) == 0, "%s: browser %s",
                          agents[i].ua, browser ? browser : "(none)");
        if (agents[i].os == NULL)
            ck_assert_msg(os == NULL, "%s: os %s", agents[i].ua, os);
        else
            ck_assert_msg(os && strcmp(os, agents[i].os) == 0, "%s: os %s", agents[i].ua,
                          os ? os : "(none)");
    }
}
END_TEST

static Suite *
cidr_suite(void)
{
    Suite *s = suite_create("cidr");
    TCase *tc = tcase_create("cidr");

    tcase_add_test(tc, test_cidr_parse_table);
    tcase_add_test(tc, test_cidr_reasons);
    tcase_add_test(tc, test_cidr_contains_table);
    tcase_add_test(tc, test_cidr_addr_parse);
    tcase_add_test(tc, test_cidr_list);
    tcase_add_test(tc, test_cidr_list_limit);
    suite_add_tcase(s, tc);
    tc = tcase_create("useragent");
    tcase_add_test(tc, test_useragent_table);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return tu_run(cidr_suite());
}
