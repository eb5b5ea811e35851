/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_reminders.c - core/reminders.c: the reminder policy's check.
 *
 * The shipped config/reminders.json must pass; each spoiled copy must fail
 * naming its field.  Offsets, templates and target addresses are tables.
 */
#include "core/reminders.h"
#include "testutil.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static json_t *
shipped(void)
{
    json_error_t je;
    json_t *doc = json_load_file("config/reminders.json", 0, &je);

    ck_assert_msg(doc != NULL, "config/reminders.json: %s", je.text);
    return doc;
}

START_TEST(test_shipped_policy_passes)
{
    struct field_errors errs = {0};
    json_t *doc = shipped();
    struct mp_error err;

    reminders_validate(doc, &errs);
    ck_assert_msg(errs.count == 0, "%s: %s", errs.items[0].field, errs.items[0].message);
    json_decref(doc);
    mp_error_clear(&err);
    ck_assert_int_eq(reminders_load_file(NULL, &doc, &err), 0);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "version")), "2026-12-03");
    json_decref(doc);
}
END_TEST

static const struct {
    const char *patch; /* JSON merged over the shipped policy */
    const char *field;
} spoiled[] = {
    {"{\"channels\": {\"x\": {\"type\": \"fax\", \"url\": \"https://a.example\"}}, "
     "\"allow\": [\"a.example\"]}",
     "channels.x.type"},
    {"{\"channels\": {\"x\": {\"type\": \"teams\", \"url\": \"https://b.example/h\"}}, "
     "\"allow\": [\"a.example\"]}",
     "channels.x.url"},
    {"{\"channels\": {\"x\": {\"type\": \"webhook\", \"url\": \"https://a.example\", "
     "\"token\": \"s3cret\"}}, \"allow\": [\"a.example\"]}",
     "channels.x.token"},
    {"{\"ladders\": [{\"regime\": \"*\", \"stage\": \"*\", \"steps\": [{\"at\": \"soon\", "
     "\"to\": [\"assignee\"]}]}]}",
     "ladders.0.steps.0.at"},
    {"{\"ladders\": [{\"regime\": \"*\", \"stage\": \"*\", \"steps\": [{\"at\": \"due\", "
     "\"to\": [\"assignee\"], \"channels\": [\"nowhere\"]}]}]}",
     "ladders.0.steps.0.channels"},
    {"{\"templates\": {\"en\": {\"subject\": \"{due\", \"body\": \"x\"}, "
     "\"nl\": {\"subject\": \"x\", \"body\": \"x\"}}}",
     "templates.en.subject"},
    {"{\"on_duty\": [\"nobody\"]}", "on_duty"},
    {"{\"link_base\": \"ftp://x\"}", "link_base"},
};

START_TEST(test_spoiled_policy_names_field)
{
    struct field_errors errs = {0};
    json_error_t je;
    json_t *doc = shipped(), *patch = json_loads(spoiled[_i].patch, 0, &je);
    bool found = false;

    ck_assert_msg(patch != NULL, "%s", je.text);
    json_object_update(doc, patch);
    reminders_validate(doc, &errs);
    for (int i = 0; i < errs.count; i++)
        found = found || strcmp(errs.items[i].field, spoiled[_i].field) == 0;
    ck_assert_msg(found, "%s not named (%d errors, first %s)", spoiled[_i].field, errs.count,
                  errs.count ? errs.items[0].field : "-");
    json_decref(patch);
    json_decref(doc);
}
END_TEST

static const struct {
    const char *at;
    int ok;
    int64_t offset;
    bool awareness;
} offsets[] = {
    {"awareness", 1, 0, true},
    {"due", 1, 0, false},
    {"-PT12H", 1, -43200, false},
    {"PT1H", 1, 3600, false},
    {"-P1DT2H", 1, -93600, false},
    {"-P30D", 1, -2592000, false},
    {"-P31D", 0, 0, false},
    {"-P1M", 0, 0, false},
    {"P1Y", 0, 0, false},
    {"12h", 0, 0, false},
    {"", 0, 0, false},
    {"--PT1H", 0, 0, false},
};

START_TEST(test_offset)
{
    int64_t off;
    bool aware;
    int rc = reminders_offset(offsets[_i].at, &off, &aware);

    ck_assert_msg((rc == 0) == offsets[_i].ok, "%s", offsets[_i].at);
    if (rc == 0) {
        ck_assert_int_eq(off, offsets[_i].offset);
        ck_assert(aware == offsets[_i].awareness);
    }
}
END_TEST

static const struct {
    const char *t;
    int ok;
} templates[] = {
    {"plain text", 1},
    {"{reference} due {due} ({left})", 1},
    {"{link}", 1},
    {"{reference", 0},
    {"reference}", 0},
    {"{nope}", 0},
    {"{{reference}}", 0},
    {"{}", 0},
    {"{title}{authority}", 1},
};

START_TEST(test_template)
{
    char bad[160];

    ck_assert_msg((reminders_template_check(templates[_i].t, bad, sizeof(bad)) == 0) ==
                      templates[_i].ok,
                  "%s", templates[_i].t);
}
END_TEST

static const struct {
    const char *url, *scheme, *host; /* host NULL: refused */
} urls[] = {
    {"https://hooks.example.org/services/x", "https", "hooks.example.org"},
    {"smtp://127.0.0.1:2525", "smtp", "127.0.0.1"},
    {"http://[::1]:8080/x", "http", "::1"},
    {"smtps://user:pw@mail.example.org", NULL, NULL},
    {"https://", NULL, NULL},
    {"no-scheme.example.org", NULL, NULL},
    {"https://bad host/", NULL, NULL},
};

START_TEST(test_url_host)
{
    char scheme[16], host[256];
    int rc = reminders_url_host(urls[_i].url, scheme, sizeof(scheme), host, sizeof(host));

    if (urls[_i].host == NULL) {
        ck_assert_msg(rc != 0, "%s accepted", urls[_i].url);
        return;
    }
    ck_assert_msg(rc == 0, "%s refused", urls[_i].url);
    ck_assert_str_eq(scheme, urls[_i].scheme);
    ck_assert_str_eq(host, urls[_i].host);
}
END_TEST

static Suite *
reminders_suite(void)
{
    Suite *s = suite_create("reminders");
    TCase *tc = tcase_create("policy");

    tcase_add_test(tc, test_shipped_policy_passes);
    tcase_add_loop_test(tc, test_spoiled_policy_names_field, 0, N(spoiled));
    tcase_add_loop_test(tc, test_offset, 0, N(offsets));
    tcase_add_loop_test(tc, test_template, 0, N(templates));
    tcase_add_loop_test(tc, test_url_host, 0, N(urls));
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return tu_run(reminders_suite());
}
