/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_notify_display.c - the words of a signed notification
 * (core/notify_display.c): each value as the authority's officer reads it,
 * in the draft's language.  Times in the organisation's clock (the Dutch
 * calendar: UTC+1, UTC+2 in summer time) with UTC beside them, countries by
 * name, criteria by their sentence and article, yes/no/unknown in words,
 * numbers grouped the way each language writes them.
 */
#include "core/notify.h"
#include "lib/timeutil.h"
#include "testutil.h"

#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static struct calendar nl_cal = {.id = "nl", .offset_minutes = 60, .eu_summer_time = true};
static struct rules rules = {.calendars = &nl_cal, .ncalendars = 1};
static struct ruleset rs;

static struct notify_words
words(const char *lang, const char *country)
{
    struct notify_words w;

    notify_words_init(&w, &rules, "nis2", lang, country);
    w.rs = &rs;
    return w;
}

static const struct {
    const char *lang, *country, *id, *value, *want;
} cases[] = {
    /* winter: UTC+1; summer: UTC+2; another country's clock unknown: UTC */
    {"nl", "NL", "due_at", "\"2026-12-04T07:17:00Z\"", "4 december 2026, 08:17 (07:17 UTC)"},
    {"en", "NL", "due_at", "\"2026-12-04T07:17:00Z\"", "4 December 2026, 08:17 (07:17 UTC)"},
    {"nl", "NL", "aware_at", "\"2026-07-01T23:30:00Z\"", "2 juli 2026, 01:30 (23:30 UTC)"},
    {"en", "XX", "due_at", "\"2026-12-04T07:17:00Z\"", "4 December 2026, 07:17 UTC"},
    {"nl", "NL", "member_states", "[\"NL\",\"BE\"]", "Nederland, België"},
    {"en", "NL", "member_states", "[\"NL\",\"DE\"]", "the Netherlands, Germany"},
    {"nl", "NL", "member_states", "[]", "geen"},
    {"nl", "NL", "criteria_met", "[\"c-health\",\"c-loss\"]",
     "Gezondheidsschade (art. 3(1)(b))\nFinanciële schade van meer dan EUR 500.000 (art. 3(1)(a))"},
    {"en", "NL", "criteria_met", "[\"c-health\",\"c-other\"]",
     "Damage to health (art. 3(1)(b))\nc-other"},
    /* the conclusion ("significant") is not listed beside what made it so */
    {"nl", "NL", "criteria_met", "[\"c-sig\",\"c-health\"]", "Gezondheidsschade (art. 3(1)(b))"},
    {"nl", "NL", "criteria_met", "[\"c-sig\"]",
     "Significant (Richtlijn (EU) 2022/2555 art. 23(3); Uitvoeringsverordening (EU) 2024/2690)"},
    {"en", "NL", "criteria_met", "[\"c-sig\"]",
     "Significant (Directive (EU) 2022/2555 art. 23(3); Implementing Regulation (EU) 2024/2690)"},
    /* the law's words in Dutch; the rule author's notes (secondary sources,
     * UNCONFIRMED) are for the operator, not the authority, in either language */
    {"nl", "NL", "criteria_met", "[\"c-eidas\"]",
     "Vertrouwensdienst (Verordening (EU) nr. 910/2014 art. 24(2) zoals gewijzigd bij Verordening "
     "(EU) "
     "2024/1183)"},
    {"en", "NL", "criteria_met", "[\"c-eidas\"]",
     "Trust service (Regulation (EU) No 910/2014 art. 24(2) as amended by Regulation (EU) "
     "2024/1183)"},
    {"nl", "NL", "criteria_met", "[\"c-dora\"]",
     "Kritieke diensten (Gedelegeerde Verordening (EU) 2024/1772 art. 9(2) en 9(4))"},
    {"en", "NL", "criteria_met", "[\"c-dora\"]",
     "Critical services (Delegated Regulation (EU) 2024/1772 arts. 9(2) and 9(4))"},
    {"nl", "NL", "cross_border", "true", "ja"},
    {"nl", "NL", "cross_border", "false", "nee"},
    {"nl", "NL", "cross_border", "null", "onbekend"},
    {"en", "NL", "cross_border", "null", "unknown"},
    {"nl", "NL", "users_affected", "5000", "5.000"},
    {"en", "NL", "users_affected", "1234567", "1,234,567"},
    {"nl", "NL", "loss_eur", "1250.5", "1.250,5"},
    {"en", "NL", "loss_eur", "-2.5", "-2.5"},
    {"nl", "NL", "severity", "\"high\"", "hoog"},
    {"nl", "NL", "affected_services", "[\"mail\",\"web\"]", "mail, web"},
    {"en", "NL", "summary", "\"Pumps down <b>\"", "Pumps down <b>"},
};

START_TEST(test_display)
{
    struct notify_words w = words(cases[_i].lang, cases[_i].country);
    json_t *v = json_loads(cases[_i].value, JSON_DECODE_ANY, NULL);
    char *got;

    ck_assert_ptr_nonnull(v);
    got = notify_display(&w, cases[_i].id, v);
    ck_assert_ptr_nonnull(got);
    ck_assert_msg(strcmp(got, cases[_i].want) == 0, "%s %s %s: got '%s', want '%s'", cases[_i].lang,
                  cases[_i].id, cases[_i].value, got, cases[_i].want);
    free(got);
    json_decref(v);
}
END_TEST

START_TEST(test_words)
{
    ck_assert_str_eq(notify_word("csirt", true), "CSIRT");
    ck_assert_str_eq(notify_word("dpa", true), "toezichthouder gegevensbescherming");
    ck_assert_str_eq(notify_word("manager", false), "manager");
    ck_assert_str_eq(notify_word("something_else", true), "something_else");
}
END_TEST

static void
setup(void)
{
    rs.doc =
        json_loads("{\"significant\":{\"id\":\"c-sig\",\"text\":{\"en\":\"Significant\","
                   "\"nl\":\"Significant\"},\"source\":\"Directive (EU) 2022/2555 art. "
                   "23(3); Implementing Regulation (EU) 2024/2690\",\"any\":["
                   "{\"id\":\"c-health\",\"source\":\"art. 3(1)(b)\",\"text\":{\"en\":\"Damage "
                   "to health\",\"nl\":\"Gezondheidsschade\"}},"
                   "{\"id\":\"c-loss\",\"source\":\"art. 3(1)(a)\",\"text\":{\"en\":\"Loss "
                   "over EUR 500,000\",\"nl\":\"Financiële schade van meer dan EUR "
                   "500.000\"}},"
                   "{\"id\":\"c-eidas\",\"source\":\"Regulation (EU) No 910/2014 art. 24(2) as "
                   "amended by Regulation (EU) 2024/1183 (point letter UNCONFIRMED)\",\"text\":{"
                   "\"en\":\"Trust service\",\"nl\":\"Vertrouwensdienst\"}},"
                   "{\"id\":\"c-dora\",\"source\":\"Delegated Regulation (EU) 2024/1772 arts. "
                   "9(2) and 9(4) [secondary]\",\"text\":{\"en\":\"Critical services\",\"nl\":"
                   "\"Kritieke diensten\"}}]}}",
                   0, NULL);
    ck_assert_ptr_nonnull(rs.doc);
}

static void
teardown(void)
{
    json_decref(rs.doc);
}

int
main(void)
{
    Suite *s = suite_create("notify_display");
    TCase *tc = tcase_create("display");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_display, 0, (int)(sizeof(cases) / sizeof(cases[0])));
    tcase_add_test(tc, test_words);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
