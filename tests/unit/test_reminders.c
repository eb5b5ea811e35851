/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_reminders.c - core/reminders.c: the reminder policy's check;
 * core/reminders_message.c: what a message says.
 *
 * The shipped config/reminders.json must pass; each spoiled copy must fail
 * naming its field.  Offsets, templates and target addresses are tables.
 * A message in the recipient's language and time zone, the incident's
 * title only within the recipient's TLP limit and never for TLP:RED: a
 * table too.
 */
#include "core/reminders.h"
#include "core/reminders_int.h"
#include "lib/buf.h"
#include "lib/timeutil.h"
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

/* ---- messages ---- */

static const struct {
    enum incident_tlp tlp, limit;
    const char *lang, *zone;
    const char *subject, *body;
} messages[] = {
    /* a stage named only in English: in English */
    {TLP_AMBER, TLP_AMBER, "nl", "Europe/Amsterdam", "MP-2031-7: Dosing fault",
     "NIS2 (nl), Early warning aan het CSIRT en Toezichthouder X, "
     "2031-03-15 10:00 CET, nog 3 u 20 min"},
    {TLP_AMBER, TLP_GREEN, "en", "UTC", "MP-2031-7: TLP:amber",
     "NIS2, Early warning to the CSIRT and Toezichthouder X, 2031-03-15 09:00 UTC, "
     "3 h 20 min left"},
    {TLP_GREEN, TLP_CLEAR, "en", "UTC", "MP-2031-7: TLP:green", NULL},
    {TLP_CLEAR, TLP_GREEN, "en", "UTC", "MP-2031-7: Dosing fault", NULL},
    /* TLP:RED: never the title, whatever the limit */
    {TLP_RED, TLP_RED, "en", "UTC", "MP-2031-7: TLP:red", NULL},
};

START_TEST(test_message_words_and_tlp)
{
    json_t *policy = json_pack(
        "{s:{s:{s:s, s:s}, s:{s:s, s:s}}}", "templates", "en", "subject", "{reference}: {title}",
        "body", "{regime}, {stage} to {authority}, {due}, {left}", "nl", "subject",
        "{reference}: {title}", "body", "{regime}, {stage} aan {authority}, {due}, {left}");
    json_t *ob = json_pack("{s:s, s:s, s:{s:s, s:s}, s:{s:s}, s:[{s:s, s:{s:s, s:s}, s:s}, {s:s}]}",
                           "regime", "nis2", "stage", "early_warning", "regime_title", "en", "NIS2",
                           "nl", "NIS2 (nl)", "stage_name", "en", "Early warning", "recipients",
                           "name", "", "label", "en", "the CSIRT", "nl", "het CSIRT", "role",
                           "csirt", "name", "Toezichthouder X");
    struct incident inc = {.tlp = messages[_i].tlp, .title = (char *)"Dosing fault"};
    struct reminder_rcpt r = {.tlp_max = (int)messages[_i].limit};
    struct reminder_facts f = {.inc = &inc, .obligation = ob, .link = "", .link_base = ""};
    struct buf subject = BUF_INIT, body = BUF_INIT;

    snprintf(inc.ref, sizeof(inc.ref), "MP-2031-7");
    snprintf(r.name, sizeof(r.name), "alice");
    snprintf(r.lang, sizeof(r.lang), "%s", messages[_i].lang);
    snprintf(r.zone, sizeof(r.zone), "%s", messages[_i].zone);
    ck_assert_int_eq(time_parse_rfc3339("2031-03-15T09:00:00Z", &f.due), 0);
    f.now = f.due - 3 * 3600 - 20 * 60;
    reminders_render(policy, &f, &r, &subject, &body);
    ck_assert_str_eq(subject.data, messages[_i].subject);
    if (messages[_i].body)
        ck_assert_str_eq(body.data, messages[_i].body);
    ck_assert_msg(inc.tlp < TLP_RED || strstr(body.data, "Dosing") == NULL, "%s", body.data);
    buf_free(&subject);
    buf_free(&body);
    json_decref(ob);
    json_decref(policy);
}
END_TEST

/* The words the messages and the calendar feed share. */
START_TEST(test_text_in_lang)
{
    json_t *both =
        json_pack("{s:s, s:s}", "en", "Early warning", "nl", "Vroegtijdige waarschuwing");
    json_t *en = json_pack("{s:s}", "en", "Early warning");
    json_t *nl = json_pack("{s:s}", "nl", "Vroegtijdige waarschuwing");
    json_t *people =
        json_pack("[{s:s}, {s:s, s:{s:s, s:s}}, {s:s}]", "name", "NCSC", "name", "", "label", "en",
                  "the supervisor", "nl", "de toezichthouder", "role", "dpa");
    struct buf b = BUF_INIT;

    ck_assert_str_eq(reminders_text_in_lang(both, "nl", "x"), "Vroegtijdige waarschuwing");
    ck_assert_str_eq(reminders_text_in_lang(en, "nl", "x"), "Early warning");
    ck_assert_str_eq(reminders_text_in_lang(nl, "en", "x"), "Vroegtijdige waarschuwing");
    ck_assert_str_eq(reminders_text_in_lang(nl, "de", "x"), "x");
    ck_assert_str_eq(reminders_text_in_lang(NULL, "en", "x"), "x");
    reminders_recipients_text(&b, people, "nl");
    ck_assert_str_eq(b.data, "NCSC, de toezichthouder en dpa");
    buf_free(&b);
    reminders_recipients_text(&b, people, "en");
    ck_assert_str_eq(b.data, "NCSC, the supervisor and dpa");
    buf_free(&b);
    json_decref(both);
    json_decref(en);
    json_decref(nl);
    json_decref(people);
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
    tc = tcase_create("messages");
    tcase_add_loop_test(tc, test_message_words_and_tlp, 0, N(messages));
    tcase_add_test(tc, test_text_in_lang);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return tu_run(reminders_suite());
}
