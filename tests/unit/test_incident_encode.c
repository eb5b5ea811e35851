/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_incident_encode.c - core/incident_encode.c: a list page written as
 * text is byte for byte what json_dumps() of incident_to_json() gives with
 * the server's flags, over incidents with every kind of value: texts with
 * quotes, backslashes, control characters, non-ASCII letters and
 * characters beyond the BMP; absent and present times in every state;
 * assignee, root cause, the exercise flag, facts with reals, integers, lists and booleans, a
 * derived duration; every state's transitions; and the next cursor.
 */
#include "core/incident.h"
#include "lib/buf.h"
#include "lib/timeutil.h"
#include "testutil.h"

#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const int64_t NOW = 1796000000; /* 2026-11-30T00:53:20Z */

#define FLAGS (JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(17))

static void
fill(struct incident *inc, int k)
{
    static const char *const titles[] = {
        "Ransomware op \"fileserver\"",          "back\\slash and /slash",
        "tab\there, new\nline, \x01\x1f",        "Storing bij één afdeling — €",
        "emoji \xF0\x9F\x94\xA5 beyond the BMP", "",
    };
    char id[40];

    incident_init(inc, NOW - 86400 * k);
    snprintf(id, sizeof(id), "0190f1e2-0000-7000-8000-%012d", k);
    snprintf(inc->id, sizeof(inc->id), "%s", id);
    snprintf(inc->ref, sizeof(inc->ref), "INC-2026-%04d", k + 1);
    inc->seq = k + 1;
    inc->title = strdup(titles[k % 6]);
    free(inc->description);
    inc->description = strdup(titles[(k + 2) % 6]);
    inc->state = k % STATE_COUNT;
    inc->severity = k % SEVERITY_COUNT;
    inc->category = k % CATEGORY_COUNT;
    inc->tlp = k % TLP_COUNT;
    inc->kind = k % KIND_COUNT;
    inc->exercise = k % 4 == 2; /* issue 22: both values, so a missing flag shows */
    if (k % 2)
        inc->assignee = strdup("alice");
    if (k % 3 == 0) {
        inc->root_cause_category = k % ROOT_CAUSE_COUNT;
        inc->root_cause = strdup("a \"known\" cause");
    }
    inc->aware_at = k % 4 ? NOW - 3600 : TIME_UNSET;
    inc->started_at = k % 5 ? NOW - 7200 - k : TIME_UNSET; /* a derived duration */
    inc->ended_at = k % 10 == 1 ? NOW - 60 : TIME_UNSET;
    for (int s = STATE_TRIAGE; s < STATE_COUNT; s++)
        inc->state_at[s] = s <= inc->state ? NOW - 600 * s : TIME_UNSET;
    inc->created_at = NOW - 86400 * k;
    inc->updated_at = NOW - k;
    inc->version = k + 1;
    json_array_append_new(inc->services, json_string(k % 2 ? "mail" : "files"));
    json_object_set_new(inc->impact, "users_affected", json_integer(120 * k));
    json_object_set_new(inc->impact, "financial_loss_eur", json_real(1500.5 + k / 3.0));
    json_object_set_new(inc->impact, "cross_border", json_boolean(k % 2));
    json_object_set_new(inc->impact, "member_states", json_pack("[s, s]", "NL", "BE"));
    if (k % 7 == 3)
        json_object_set_new(inc->impact, "duration_minutes", json_integer(45));
}

START_TEST(test_page_is_what_jansson_gives)
{
    enum { N = 30 };
    struct incident items[N];
    json_t *arr = json_array(), *page;
    char *want, *got;
    size_t len;

    for (int k = 0; k < N; k++) {
        fill(&items[k], k);
        json_array_append_new(arr, incident_to_json(&items[k], NOW));
    }
    /* with a next cursor */
    page = json_pack("{s:O, s:s?}", "items", arr, "next_cursor", "c1f");
    want = json_dumps(page, FLAGS);
    got = incident_list_text(items, N, NOW, "c1f", &len);
    ck_assert_ptr_nonnull(got);
    ck_assert_uint_eq(len, strlen(got));
    ck_assert_str_eq(got, want);
    free(want);
    free(got);
    json_decref(page);
    /* the last page: next_cursor null; and an empty page */
    page = json_pack("{s:O, s:s?}", "items", arr, "next_cursor", NULL);
    want = json_dumps(page, FLAGS);
    got = incident_list_text(items, N, NOW, NULL, &len);
    ck_assert_str_eq(got, want);
    free(want);
    free(got);
    json_decref(page);
    got = incident_list_text(items, 0, NOW, NULL, &len);
    ck_assert_str_eq(got, "{\"items\":[],\"next_cursor\":null}");
    free(got);
    /* the derived duration is not written into the incident */
    ck_assert_ptr_null(json_object_get(items[1].impact, "duration_minutes"));
    json_decref(arr);
    for (int k = 0; k < N; k++)
        incident_free(&items[k]);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("incident_encode");
    TCase *tc = tcase_create("encode");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_page_is_what_jansson_gives);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
