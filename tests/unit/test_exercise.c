/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_exercise.c - exercises (core/exercise.c): the exercise clock over
 * its segments -- running, paused, a change of speed, the real moment it
 * reaches an exercise time -- and the scenarios: the shipped ones pass the
 * check, and a scenario with one mistake is refused with the file, the
 * JSON path and the reason (table-driven: each row changes one member of
 * the shipped water-utility scenario); a fact the rules do not know is
 * refused by the incident's own decoder.
 */
#include "core/exercise.h"
#include "testutil.h"

#include <check.h>
#include <jansson.h>
#include <stdint.h>
#include <string.h>

#define T0 ((int64_t)1931072400) /* 2031-03-14T09:00:00Z */

/* ---- the clock ---- */

/* Started at T0 at 100x, paused at T0+60 (exercise T0+6000), resumed at
 * T0+160, set to 10x at T0+200 (exercise T0+10000). */
static const struct exercise_segment clock[] = {
    {T0, T0, 100, true},
    {T0 + 60, T0 + 6000, 100, false},
    {T0 + 160, T0 + 6000, 100, true},
    {T0 + 200, T0 + 10000, 10, true},
};
#define NCLOCK ((int)(sizeof(clock) / sizeof(clock[0])))

static const struct {
    int64_t real, ex;
} times[] = {
    {T0 - 5, T0},            /* before the start: the start */
    {T0, T0},                /* the start */
    {T0 + 1, T0 + 100},      /* 100x */
    {T0 + 59, T0 + 5900},    /* */
    {T0 + 60, T0 + 6000},    /* paused */
    {T0 + 159, T0 + 6000},   /* still paused: real time passes, the exercise's stands */
    {T0 + 161, T0 + 6100},   /* resumed at 100x */
    {T0 + 200, T0 + 10000},  /* 10x from here */
    {T0 + 260, T0 + 10600},  /* */
    {T0 + 3800, T0 + 46000}, /* an hour of real time later */
};

START_TEST(test_clock_time_at)
{
    ck_assert_int_eq(exercise_time_at(clock, NCLOCK, times[_i].real), times[_i].ex);
}
END_TEST

START_TEST(test_clock_without_segments_is_real_time)
{
    ck_assert_int_eq(exercise_time_at(NULL, 0, T0 + 7), T0 + 7);
}
END_TEST

START_TEST(test_clock_real_when)
{
    /* the first real second at which the exercise clock reaches it */
    ck_assert_int_eq(exercise_real_when(clock, 1, T0, T0 + 1800), T0 + 18);
    ck_assert_int_eq(exercise_real_when(clock, 1, T0, T0 + 1801), T0 + 19);
    /* reached already: now */
    ck_assert_int_eq(exercise_real_when(clock, NCLOCK, T0 + 300, T0 + 100), T0 + 300);
    /* paused: never */
    ck_assert_int_eq(exercise_real_when(clock, 2, T0 + 70, T0 + 7000), INT64_MAX);
    /* after a resume and a change of speed */
    ck_assert_int_eq(exercise_real_when(clock, NCLOCK, T0 + 200, T0 + 10600), T0 + 260);
}
END_TEST

START_TEST(test_clock_next_segment)
{
    struct exercise_segment s;

    /* a pause keeps the speed and stops the clock where it is */
    s = exercise_clock_next(clock, 1, T0 + 60, false, 0);
    ck_assert_int_eq(s.real_at, T0 + 60);
    ck_assert_int_eq(s.ex_at, T0 + 6000);
    ck_assert(!s.running);
    ck_assert(s.speed == 100);
    /* a new speed while paused is kept for the resume */
    s = exercise_clock_next(clock, 2, T0 + 100, false, 25);
    ck_assert_int_eq(s.ex_at, T0 + 6000);
    ck_assert(s.speed == 25);
    ck_assert(!s.running);
    /* the first segment */
    s = exercise_clock_next(NULL, 0, T0, true, 0);
    ck_assert_int_eq(s.ex_at, T0);
    ck_assert(s.speed == 1 && s.running);
}
END_TEST

/* ---- scenarios ---- */

START_TEST(test_shipped_scenarios_pass)
{
    struct mp_error err;
    json_t *list = NULL;

    ck_assert_msg(exercise_scenarios_load(NULL, &list, &err) == 0, "%s", err.message);
    ck_assert_int_eq(json_array_size(list), 3);
    ck_assert_ptr_nonnull(exercise_scenario_find(list, "water-ransomware"));
    ck_assert_ptr_nonnull(exercise_scenario_find(list, "cloud-outage"));
    ck_assert_ptr_nonnull(exercise_scenario_find(list, "supplier-data-breach"));
    ck_assert_ptr_null(exercise_scenario_find(list, "nope"));
    json_decref(list);
}
END_TEST

/* One change to the shipped water scenario: the member at path (keys and
 * array indexes separated by '/') set to the JSON value, or removed. */
static const struct {
    const char *path, *value, *reason;
} bad[] = {
    {"colour", "\"red\"", "water-ransomware.json: $.colour: unknown member"},
    {"scenario", "\"Water Ransomware\"", "$.scenario: must be a name"},
    {"title/nl", NULL, "$.title.nl: must be text"},
    {"description", "\"only English\"", "$.description: must be an object {nl, en}"},
    {"assumptions/0/en", "\"\"", "$.assumptions[0].en: must be text"},
    {"incident/fields/severity", "\"dreadful\"", "$.incident: severity: must be one of"},
    {"incident/fields/aware_at", "\"2031-03-14T09:00:00Z\"",
     "$.incident.fields.aware_at: not set by a scenario (times are the team's)"},
    {"injects", "[]", "$.injects: must be a list of 1 to 100 injects"},
    {"injects/1/at", "\"half an hour\"", "$.injects[1].at: must be a duration"},
    {"injects/1/at", "\"P31D\"", "$.injects[1].at: must be a duration"},
    {"injects/2/at", "\"PT10M\"", "$.injects[2].at: comes before the inject above it"},
    {"injects/3/kind", "\"rumour\"", "$.injects[3].kind: must be one of"},
    {"injects/3/text/en", NULL, "$.injects[3].text.en: must be text"},
    {"injects/1/facts/unauthorized_access", "true",
     "$.injects[1]: impact.unauthorized_access: unknown fact"},
    {"injects/2/facts/users_affected", "-5",
     "$.injects[2]: impact.users_affected: must be a whole"},
    {"injects/1/aware", "\"yes\"", "$.injects[1].aware: must be true or false"},
    {"injects/4/wind", "1", "$.injects[4].wind: unknown member"},
    {"expect", "[\"nis2\"]", "$.expect: must be {regimes: [names]}"},
};

static void
set_path(json_t *doc, const char *path, const char *value)
{
    char buf[200], *p, *next;
    json_t *cur = doc;

    snprintf(buf, sizeof(buf), "%s", path);
    for (p = buf; (next = strchr(p, '/')) != NULL; p = next + 1) {
        *next = '\0';
        cur = json_is_array(cur) ? json_array_get(cur, (size_t)atoi(p)) : json_object_get(cur, p);
        ck_assert_ptr_nonnull(cur);
    }
    if (value == NULL) {
        ck_assert_int_eq(json_object_del(cur, p), 0);
        return;
    }
    json_t *v = json_loads(value, JSON_DECODE_ANY, NULL);
    ck_assert_ptr_nonnull(v);
    if (json_is_array(cur))
        json_array_set_new(cur, (size_t)atoi(p), v);
    else
        json_object_set_new(cur, p, v);
}

START_TEST(test_bad_scenario_refused)
{
    struct mp_error err;
    json_t *list = NULL, *doc;

    ck_assert_msg(exercise_scenarios_load(NULL, &list, &err) == 0, "%s", err.message);
    doc = json_deep_copy(exercise_scenario_find(list, "water-ransomware"));
    ck_assert(exercise_scenario_check(doc, "water-ransomware.json", &err));
    set_path(doc, bad[_i].path, bad[_i].value);
    ck_assert_msg(!exercise_scenario_check(doc, "water-ransomware.json", &err), "row %d accepted",
                  _i);
    ck_assert_msg(strstr(err.message, bad[_i].reason) != NULL, "row %d: %s", _i, err.message);
    ck_assert_msg(strncmp(err.message, "water-ransomware.json: ", 23) == 0, "%s", err.message);
    json_decref(doc);
    json_decref(list);
}
END_TEST

START_TEST(test_load_names_the_file)
{
    char dir[PATH_MAX], path[PATH_MAX + 16];
    struct mp_error err;
    json_t *list = NULL;
    FILE *f;

    tu_mkdtemp(dir);
    snprintf(path, sizeof(path), "%s/drill.json", dir);
    f = fopen(path, "w");
    fputs("{\"scenario\": \n", f);
    fclose(f);
    ck_assert_int_eq(exercise_scenarios_load(dir, &list, &err), -1);
    ck_assert_msg(strstr(err.message, "drill.json: line") != NULL, "%s", err.message);
    f = fopen(path, "w");
    fputs("{\"scenario\": \"drill\", \"version\": \"1\"}\n", f);
    fclose(f);
    ck_assert_int_eq(exercise_scenarios_load(dir, &list, &err), -1);
    ck_assert_msg(strstr(err.message, "drill.json: $.title: must be an object") != NULL, "%s",
                  err.message);
    tu_rmrf(dir);
}
END_TEST

START_TEST(test_kind_labels_in_both_languages)
{
    ck_assert_str_eq(exercise_kind_label("authority_question", true),
                     "Vraag van de toezichthouder");
    ck_assert_str_eq(exercise_kind_label("authority_question", false),
                     "Question from the authority");
    ck_assert_ptr_null(exercise_kind_label("rumour", false));
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("exercise");
    TCase *c = tcase_create("clock");
    TCase *sc = tcase_create("scenarios");

    tcase_add_loop_test(c, test_clock_time_at, 0, (int)(sizeof(times) / sizeof(times[0])));
    tcase_add_test(c, test_clock_without_segments_is_real_time);
    tcase_add_test(c, test_clock_real_when);
    tcase_add_test(c, test_clock_next_segment);
    suite_add_tcase(s, c);
    tcase_add_test(sc, test_shipped_scenarios_pass);
    tcase_add_loop_test(sc, test_bad_scenario_refused, 0, (int)(sizeof(bad) / sizeof(bad[0])));
    tcase_add_test(sc, test_load_names_the_file);
    tcase_add_test(sc, test_kind_labels_in_both_languages);
    suite_add_tcase(s, sc);
    return tu_run(s);
}
