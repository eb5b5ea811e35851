/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_error.c - every family of message the server answers with has its
 * stable machine code (server/lib/error.c: mp_error_code), the word the web
 * front end translates into the user's language.  A message reworded so
 * that it loses its code fails here, not in front of a Dutch user.
 */
#include "lib/error.h"

#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

static const struct {
    int status;
    const char *message;
    const char *code;
} cases[] = {
    {422, "unknown field", "unknown_field"},
    {422, "is required", "required"},
    {422, "is required: a suppression must end", "required"},
    {422, "must not be blank", "required"},
    {422, "is required: true or false", "boolean"},
    {422, "must be true or false", "boolean"},
    {422, "must be true, false or null (unknown)", "yes_no_unknown"},
    {422, "must be at most 200 characters", "text_length"},
    {422, "more than 10000 elements in one array or object", "too_many"},
    {422, "more than 50000 values in one JSON text", "too_many"},
    {422, "the JSON text is nested too deeply", "too_many"},
    {422, "must be 1-120 characters, not blank", "text_length"},
    {422, "must be at most 4096 bytes", "text_length"},
    {422, "must be 1-64 characters of A-Z a-z 0-9 . _ - starting with a letter or digit",
     "name_format"},
    {422, "must be a string", "text"},
    {422, "must be one of low, medium, high, critical", "one_of"},
    {422, "must be en or nl", "one_of"},
    {422, "unknown fact", "one_of"},
    {422, "must be an RFC 3339 date-time", "date_time"},
    {422, "must be a date YYYY-MM-DD or null", "date"},
    {422, "rto and rpo must be ISO 8601 durations such as PT4H", "duration"},
    {422, "must be a whole number from 1 to 5", "number"},
    {422, "must be null or a whole number, 0 or more", "number"},
    {422, "must be a list of ISO 3166-1 alpha-2 codes", "country"},
    {422, "must be after starts_at and in the future", "order"},
    {422, "is listed twice", "duplicate"},
    {422, "is not usable as an indicator: an MD5 hash is 32 hexadecimal digits", "ioc_value"},
    {422, "duplicate key `name`", "duplicate"},
    {422, "waiving a report needs the reason", "reason_required"},
    {422, "dismissing an incident needs the reason", "reason_required"},
    {422, "an admin cannot disable or demote themselves; ask another admin", "not_allowed"},
    {409, "a user named 'bob' exists", "exists"},
    {409, "another service is called 'web'", "exists"},
    {409, "an incident in state 'closed' cannot move to 'triage'; it is final", "transition"},
    {409,
     "2 reports are neither submitted nor waived (nis2 early_warning, …): submit or waive them "
     "before closing",
     "reports_open"},
    {409, "the obligation is already submitted", "already_done"},
    {412, "the incident changed: it is at version 4, not 3; read it again", "changed"},
    {422, "is not the current password", "wrong_password"},
    {422, "must differ from the current password", "password_reused"},
    {404, "no incident 'INC-2026-0009'", "not_found"},
    {400, "malformed JSON at line 1, column 2: the text ends too early", "malformed"},
    {401, "sign in first", "unauthenticated"},
    {403, "your role may not do this", "forbidden"},
    {429, "slow down", "rate_limited"},
    {503, "the database does not answer", "server"},
    {422, "must be an object {question id: answer}", "invalid"},
};

START_TEST(test_codes_by_family)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *got = mp_error_code(cases[i].status, cases[i].message);
        ck_assert_msg(strcmp(got, cases[i].code) == 0, "%d \"%s\": %s, not %s", cases[i].status,
                      cases[i].message, got, cases[i].code);
    }
}
END_TEST

START_TEST(test_code_never_null)
{
    ck_assert_str_eq(mp_error_code(422, NULL), "invalid");
    ck_assert_str_eq(mp_error_code(500, ""), "server");
    ck_assert_str_eq(mp_error_code(404, ""), "not_found");
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("error");
    TCase *tc = tcase_create("error");

    tcase_add_test(tc, test_codes_by_family);
    tcase_add_test(tc, test_code_never_null);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
