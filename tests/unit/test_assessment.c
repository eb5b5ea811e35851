/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_assessment.c - server/core/assessment: loading and validating the
 * questionnaire data (config/assessment/), checking answers, and the
 * applicability decision, table-driven over the cases of regimes.md §1.2
 * against the shipped law data.
 *
 * JSON here is written with single quotes; J() turns them into double
 * quotes.
 */
#include "core/assessment.h"
#include "store/db.h"
#include "testutil.h"

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tests pass this fixed time wherever the code takes `now`; they never
 * read the clock, so they pass on any date. */
static const int64_t NOW = 1796000000; /* 2026-11-30T00:53:20Z */

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static json_t *
J(const char *text)
{
    char *s = strdup(text);
    json_error_t je;
    json_t *v;

    ck_assert_ptr_nonnull(s);
    for (char *p = s; *p; p++) {
        if (*p == '\'')
            *p = '"';
    }
    v = json_loads(s, 0, &je);
    ck_assert_msg(v != NULL, "bad test JSON %s: %s", s, je.text);
    free(s);
    return v;
}

static json_t *set;

static void
setup(void)
{
    struct mp_error err = {0};

    ck_assert_msg(assessment_load_builtin(&set, &err) == 0, "%s", err.message);
}

static void
teardown(void)
{
    json_decref(set);
}

/* Evaluates answers (single-quoted JSON); fails the test on field errors. */
static json_t *
eval(const char *answers)
{
    struct field_errors errs = {0};
    json_t *a = J(answers), *r = NULL;
    int rc = assessment_evaluate(set, a, "en", &r, &errs);

    ck_assert_msg(rc == 0, "%s: %s %s", answers, errs.count ? errs.items[0].field : "",
                  errs.count ? errs.items[0].message : "");
    json_decref(a);
    return r;
}

static bool
has_rule(json_t *list, const char *rule)
{
    size_t i;
    json_t *x;

    json_array_foreach(list, i, x)
    {
        if (strcmp(json_string_value(json_object_get(x, "rule")), rule) == 0)
            return true;
    }
    return false;
}

#define BASE "'eu_services':true,"

/* The cases of regimes.md §1.2 and the articles that decide them. */
static const struct {
    const char *name;
    const char *answers;
    const char *nis2;   /* essential | important | out_of_scope */
    const char *reason; /* a rule that must be among the reasons */
    const char *size;   /* the (stricter) size class */
    bool uncertain_size;
} cases[] = {
    {"30-person DNS provider: essential at any size (Art. 3(1)(b))",
     "{" BASE "'sector':'digital_infrastructure','subsector':'dns','headcount':30}", "essential",
     "art3_1_b", "large", true},
    {"30-person cloud provider, EUR 5M turnover: small, not size-independent",
     "{" BASE "'sector':'digital_infrastructure','subsector':'cloud','headcount':30,"
     "'annual_turnover_eur':5000000}",
     "out_of_scope", "size_below", "small", false},
    {"300-person hospital: Annex I, large (Art. 3(1)(a))",
     "{" BASE "'sector':'health','subsector':'healthcare_provider','headcount':300}", "essential",
     "art3_1_a", "large", false},
    {"60-person food producer: Annex II, medium or larger, important (Art. 3(2))",
     "{" BASE "'sector':'food','subsector':'production','headcount':60}", "important", "art3_2",
     "large", true},
    {"60-person food producer with EUR 8M turnover: medium",
     "{" BASE "'sector':'food','subsector':'production','headcount':60,"
     "'annual_turnover_eur':8000000}",
     "important", "size_in_scope", "medium", false},
    {"100-person energy company, EUR 20M turnover: medium Annex I, important",
     "{" BASE "'sector':'energy','subsector':'electricity','headcount':100,"
     "'annual_turnover_eur':20000000,'balance_sheet_eur':20000000}",
     "important", "art3_2", "medium", false},
    {"100-person energy company, EUR 60M turnover and 50M balance sheet: large, essential",
     "{" BASE "'sector':'energy','headcount':100,'annual_turnover_eur':60000000,"
     "'balance_sheet_eur':50000000}",
     "essential", "art3_1_a", "large", false},
    {"40 people but EUR 20M turnover and balance sheet: medium, in scope",
     "{" BASE "'sector':'waste_management','headcount':40,'annual_turnover_eur':20000000,"
     "'balance_sheet_eur':20000000}",
     "important", "size_in_scope", "medium", false},
    {"small qualified trust service provider: essential (Art. 3(1)(b))",
     "{" BASE "'sector':'digital_infrastructure','subsector':'qualified_trust_service',"
     "'headcount':8,'annual_turnover_eur':1000000}",
     "essential", "art3_1_b", "micro", false},
    {"small non-qualified trust service provider: in scope by Art. 2(2)(a), important",
     "{" BASE "'sector':'digital_infrastructure','subsector':'trust_service','headcount':8,"
     "'annual_turnover_eur':1000000}",
     "important", "art2_2_a", "micro", false},
    {"small public electronic communications provider: in scope, important (3(1)(c) needs "
     "medium)",
     "{" BASE "'sector':'digital_infrastructure','subsector':'public_electronic_communications',"
     "'headcount':20,'annual_turnover_eur':3000000}",
     "important", "art2_2_a", "small", false},
    {"medium public electronic communications provider: essential (Art. 3(1)(c))",
     "{" BASE "'sector':'digital_infrastructure','subsector':'public_electronic_communications',"
     "'headcount':120,'annual_turnover_eur':30000000}",
     "essential", "art3_1_c", "medium", false},
    {"30-person MSP, EUR 4M: not size-independent, out of scope",
     "{" BASE "'sector':'ict_service_management','subsector':'msp','headcount':30,"
     "'annual_turnover_eur':4000000}",
     "out_of_scope", "size_below", "small", false},
    {"central government, 15 people: essential (Art. 3(1)(d))",
     "{" BASE "'sector':'public_administration','subsector':'central_government','headcount':15,"
     "'annual_turnover_eur':0}",
     "essential", "art3_1_d", "small", false},
    {"small CER critical entity: essential (Art. 2(3), 3(1)(f))",
     "{" BASE "'sector':'drinking_water','headcount':20,'annual_turnover_eur':5000000,"
     "'cer_critical':true}",
     "essential", "art3_1_f", "small", false},
    {"small sole provider: in scope (Art. 2(2)(b)), important",
     "{" BASE "'sector':'postal_courier','headcount':20,'annual_turnover_eur':3000000,"
     "'sole_provider':true}",
     "important", "art2_2_b", "small", false},
    {"designated by the Member State: essential (Art. 3(1)(e))",
     "{" BASE "'sector':'research','headcount':20,'annual_turnover_eur':3000000,"
     "'member_state_designated':true}",
     "essential", "art3_1_e", "small", false},
    {"no Annex sector: out of scope whatever the size",
     "{" BASE "'sector':'none','headcount':5000}", "out_of_scope", "no_annex_sector", "large",
     false},
    {"no services in the EU: out of scope",
     "{'eu_services':false,'sector':'health','headcount':5000}", "out_of_scope", "no_eu_services",
     "large", false},
};

START_TEST(test_cases)
{
    json_t *r = eval(cases[_i].answers);
    json_t *nis2 = json_object_get(r, "nis2");

    ck_assert_msg(strcmp(json_string_value(json_object_get(nis2, "outcome")), cases[_i].nis2) == 0,
                  "%s: got %s", cases[_i].name,
                  json_string_value(json_object_get(nis2, "outcome")));
    ck_assert_msg(has_rule(json_object_get(nis2, "reasons"), cases[_i].reason),
                  "%s: no reason %s in %s", cases[_i].name, cases[_i].reason,
                  json_dumps(json_object_get(nis2, "reasons"), 0));
    {
        json_t *size = json_object_get(r, "size"), *possible = json_object_get(size, "possible");
        /* the stricter end of the range decides; the class is named only when certain */
        ck_assert_str_eq(json_string_value(json_array_get(possible, json_array_size(possible) - 1)),
                         cases[_i].size);
        ck_assert_msg((json_array_size(possible) > 1) == cases[_i].uncertain_size &&
                          json_is_null(json_object_get(size, "class")) == cases[_i].uncertain_size,
                      "%s: size %s", cases[_i].name, json_dumps(size, 0));
    }
    /* the profile proposed follows the outcome */
    ck_assert_str_eq(
        json_string_value(json_object_get(json_object_get(r, "profile"), "nis2_class")),
        strcmp(cases[_i].nis2, "out_of_scope") == 0 ? "none" : cases[_i].nis2);
    json_decref(r);
}
END_TEST

/* Unknown money figures that change the class are said, not guessed. */
START_TEST(test_uncertain_size_changes_class)
{
    /* 100 staff in energy: medium (important) unless turnover and balance
     * sheet both exceed the medium ceilings (large: essential) */
    json_t *r = eval("{" BASE "'sector':'energy','headcount':100}");
    json_t *unsure = json_object_get(json_object_get(r, "nis2"), "uncertain"), *x;
    size_t i;
    bool found = false;

    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "nis2"), "outcome")),
                     "essential");
    json_array_foreach(unsure, i, x)
    {
        if (strcmp(json_string_value(json_object_get(x, "rule")), "size_unknown_finance") == 0) {
            found = true;
            ck_assert_str_eq(json_string_value(json_object_get(x, "otherwise")), "important");
        }
    }
    ck_assert_msg(found, "size_unknown_finance is listed as uncertain");
    json_decref(r);

    /* the same with known small figures: certain, important */
    r = eval("{" BASE "'sector':'energy','headcount':100,'annual_turnover_eur':1000000}");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "nis2"), "outcome")),
                     "important");
    ck_assert(!has_rule(json_object_get(json_object_get(r, "nis2"), "uncertain"),
                        "size_unknown_finance"));
    json_decref(r);
}
END_TEST

START_TEST(test_caveats_and_other_regimes)
{
    json_t *r = eval("{" BASE "'sector':'banking','headcount':400,'partner_or_linked':true,"
                     "'nis1_operator':true}");

    /* the partner/linked caveat is always shown, and uncertain when answered yes */
    ck_assert(has_rule(json_object_get(r, "caveats"), "partner_linked"));
    ck_assert(has_rule(json_object_get(json_object_get(r, "nis2"), "uncertain"), "partner_linked"));
    /* banking without the DORA answer: DORA is listed as possible */
    ck_assert(!json_is_true(json_object_get(json_object_get(r, "dora"), "applies")));
    ck_assert(has_rule(json_object_get(json_object_get(r, "dora"), "uncertain"), "dora_possible"));
    /* a CER sector, not designated: the designation is possible */
    ck_assert(!json_is_true(json_object_get(json_object_get(r, "cer"), "critical_entity")));
    ck_assert(has_rule(json_object_get(json_object_get(r, "cer"), "uncertain"), "cer_possible"));
    json_decref(r);

    r = eval("{" BASE "'sector':'banking','headcount':400,'dora_financial':true,"
             "'cer_critical':true}");
    ck_assert(json_is_true(json_object_get(json_object_get(r, "dora"), "applies")));
    ck_assert(
        has_rule(json_object_get(json_object_get(r, "nis2"), "reasons"), "dora_lex_specialis"));
    ck_assert(json_is_true(json_object_get(json_object_get(r, "cer"), "critical_entity")));
    ck_assert(json_is_true(json_object_get(json_object_get(r, "profile"), "dora_financial")));
    json_decref(r);

    /* regional government: out of scope unless a risk assessment says so (uncertain) */
    r = eval("{" BASE "'sector':'public_administration','subsector':'regional_government',"
             "'headcount':20,'annual_turnover_eur':0}");
    ck_assert(
        has_rule(json_object_get(json_object_get(r, "nis2"), "uncertain"), "art2_2_f_regional"));
    json_decref(r);
}
END_TEST

START_TEST(test_reasons_in_dutch_and_profile)
{
    struct field_errors errs = {0};
    json_t *a = J("{" BASE "'sector':'digital_infrastructure','subsector':'dns','headcount':30,"
                  "'annual_turnover_eur':1500000}"),
           *r, *reason, *profile;

    ck_assert_int_eq(assessment_evaluate(set, a, "nl", &r, &errs), 0);
    reason = json_array_get(json_object_get(json_object_get(r, "nis2"), "reasons"), 0);
    ck_assert_ptr_nonnull(
        strstr(json_string_value(json_object_get(reason, "text")), "De entiteit"));
    profile = json_object_get(r, "profile");
    ck_assert_str_eq(json_string_value(json_object_get(profile, "sector")),
                     "digital_infrastructure");
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(profile, "entity_types"), 0)),
                     "dns");
    ck_assert(json_is_false(json_object_get(profile, "microenterprise")));
    ck_assert(json_number_value(json_object_get(profile, "annual_turnover_eur")) == 1500000);
    json_decref(r);
    json_decref(a);
}
END_TEST

/* Bad answers: every one named, nothing evaluated. */
START_TEST(test_bad_answers)
{
    static const struct {
        const char *answers;
        const char *field;
    } bad[] = {
        {"{'sector':'health','headcount':3}", "answers.eu_services"},
        {"{" BASE "'headcount':3}", "answers.sector"},
        {"{" BASE "'sector':'health'}", "answers.headcount"},
        {"{" BASE "'sector':'shipbuilding','headcount':3}", "answers.sector"},
        {"{" BASE "'sector':'health','subsector':'dns','headcount':3}", "answers.subsector"},
        {"{" BASE "'sector':'health','headcount':-1}", "answers.headcount"},
        {"{" BASE "'sector':'health','headcount':2.5}", "answers.headcount"},
        {"{" BASE "'sector':'health','headcount':3,'annual_turnover_eur':'lots'}",
         "answers.annual_turnover_eur"},
        {"{" BASE "'sector':'health','headcount':3,'cer_critical':'yes'}", "answers.cer_critical"},
        {"{" BASE "'sector':'health','headcount':3,'favourite_colour':'red'}",
         "answers.favourite_colour"},
    };
    for (int i = 0; i < N(bad); i++) {
        struct field_errors errs = {0};
        json_t *a = J(bad[i].answers), *r = NULL;
        bool named = false;

        ck_assert_int_eq(assessment_evaluate(set, a, "en", &r, &errs), -1);
        ck_assert_ptr_null(r);
        for (int k = 0; k < errs.count; k++)
            named = named || strcmp(errs.items[k].field, bad[i].field) == 0;
        ck_assert_msg(named, "%s: no error on %s", bad[i].answers, bad[i].field);
        ck_assert_int_eq(errs.items[0].status, 422);
        json_decref(a);
    }
    {
        struct field_errors errs = {0};
        json_t *a = J("{" BASE "'sector':'health','headcount':3}"), *r = NULL;
        ck_assert_int_eq(assessment_evaluate(set, a, "de", &r, &errs), -1);
        ck_assert_str_eq(errs.items[0].field, "language");
        json_decref(a);
    }
}
END_TEST

/* ---- loading from a directory ---- */

static char tmpdir[PATH_MAX];

static void
copy_builtin(const char *name, const char *from, const char *to)
{
    char path[PATH_MAX], *text = NULL;

    tu_path(path, "config/assessment", name);
    text = tu_read_file(path);
    ck_assert_ptr_nonnull(text);
    if (from) {
        char *at = strstr(text, from);
        ck_assert_msg(at != NULL, "%s not in %s", from, name);
        size_t n = strlen(text) + strlen(to) + 1;
        char *out = malloc(n);
        ck_assert_ptr_nonnull(out);
        snprintf(out, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
        free(text);
        text = out;
    }
    tu_path(path, tmpdir, name);
    tu_write_file(path, text);
    free(text);
}

static void
setup_dir(void)
{
    tu_mkdtemp(tmpdir);
}

static void
teardown_dir(void)
{
    tu_rmrf(tmpdir);
}

START_TEST(test_load_dir)
{
    struct mp_error err = {0};
    json_t *s = NULL;

    copy_builtin("questions.json", NULL, NULL);
    copy_builtin("threats.json", NULL, NULL);
    /* the law changes without recompiling: DNS providers no longer essential */
    copy_builtin("law.json", "\"essential_any_size\": \"art3_1_b\"", "\"x\": 1");
    ck_assert_msg(assessment_load(tmpdir, &s, &err) == 0, "%s", err.message);
    {
        struct field_errors errs = {0};
        json_t *a = J("{" BASE "'sector':'digital_infrastructure','subsector':'dns',"
                      "'headcount':30,'annual_turnover_eur':1000000}"),
               *r;
        ck_assert_int_eq(assessment_evaluate(s, a, "en", &r, &errs), 0);
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "nis2"), "outcome")),
                         "important");
        json_decref(r);
        json_decref(a);
    }
    json_decref(s);

    /* a rule the decision needs is missing: refused, naming it */
    copy_builtin("law.json", "\"art3_2\":", "\"art3_2_gone\":");
    ck_assert_int_eq(assessment_load(tmpdir, &s, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "art3_2"));
    ck_assert_ptr_nonnull(strstr(err.message, "law.json"));

    /* a question the decision needs is missing */
    copy_builtin("law.json", NULL, NULL);
    copy_builtin("questions.json", "\"id\": \"headcount\"", "\"id\": \"staff\"");
    ck_assert_int_eq(assessment_load(tmpdir, &s, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "headcount"));

    /* malformed JSON: file, line and column */
    copy_builtin("questions.json", "{", "{,");
    ck_assert_int_eq(assessment_load(tmpdir, &s, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "questions.json:"));
}
END_TEST

/* The NIS2 decision is law.json's data: its steps change the outcome
 * without a recompile, and a step the code cannot take is refused at load,
 * naming it. */
static const char *
outcome_under(const char *from, const char *to, const char *answers)
{
    static char outcome[32];
    struct mp_error err = {0};
    struct field_errors errs = {0};
    json_t *s = NULL, *a = J(answers), *r = NULL;

    copy_builtin("questions.json", NULL, NULL);
    copy_builtin("threats.json", NULL, NULL);
    copy_builtin("law.json", from, to);
    ck_assert_msg(assessment_load(tmpdir, &s, &err) == 0, "%s", err.message);
    ck_assert_int_eq(assessment_evaluate(s, a, "en", &r, &errs), 0);
    snprintf(outcome, sizeof(outcome), "%s",
             json_string_value(json_object_get(json_object_get(r, "nis2"), "outcome")));
    json_decref(r);
    json_decref(a);
    json_decref(s);
    return outcome;
}

START_TEST(test_decision_is_data)
{
    const char *food = "{" BASE "'sector':'food','subsector':'production','headcount':60}";
    struct mp_error err = {0};
    json_t *s = NULL;

    ck_assert_str_eq(outcome_under(NULL, NULL, food), "important");
    /* the last step's outcome, changed in the data */
    ck_assert_str_eq(
        outcome_under("\"outcome\": \"important\"", "\"outcome\": \"essential\"", food),
        "essential");
    /* a step that ends the decision early, as the first */
    ck_assert_str_eq(outcome_under("\"steps\": [",
                                   "\"steps\": [{\"when\": {\"op\": \">=\", \"left\": "
                                   "{\"fact\": \"headcount\"}, \"right\": 50}, \"outcome\": "
                                   "\"out_of_scope\"},",
                                   food),
                     "out_of_scope");
    /* an unknown answer never makes a condition hold: the step is passed */
    ck_assert_str_eq(outcome_under("\"steps\": [",
                                   "\"steps\": [{\"when\": {\"op\": \"==\", \"left\": "
                                   "{\"fact\": \"nis1_operator\"}, \"right\": false}, "
                                   "\"outcome\": \"out_of_scope\"},",
                                   food),
                     "important");

    /* refused at load, naming the step and the reason */
    copy_builtin("law.json", "\"fact\": \"sector_listed\"", "\"fact\": \"sektor\"");
    ck_assert_int_eq(assessment_load(tmpdir, &s, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "nis2_decision.steps[1]"));
    ck_assert_ptr_nonnull(strstr(err.message, "sektor"));
    copy_builtin("law.json", "\"outcome\": \"important\"", "\"outcome\": \"maybe\"");
    ck_assert_int_eq(assessment_load(tmpdir, &s, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "outcome"));
    copy_builtin("law.json", "\"rule\": \"art3_2\"", "\"rule\": \"art3_9\"");
    ck_assert_int_eq(assessment_load(tmpdir, &s, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "art3_9"));
    copy_builtin("law.json", "\"steps\": [",
                 "\"steps\": [{\"when\": {\"op\": \"==\", \"left\": {\"profile\": "
                 "\"sector\"}, \"right\": 1}},");
    ck_assert_int_eq(assessment_load(tmpdir, &s, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "profile"));
    /* the last step must decide */
    copy_builtin("law.json", "\"outcome\": \"important\"", "\"set\": []");
    ck_assert_int_eq(assessment_load(tmpdir, &s, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "last step"));
}
END_TEST

START_TEST(test_questionnaire)
{
    json_t *q = assessment_questionnaire(set);

    ck_assert_ptr_nonnull(q);
    /* the legal order: sector before size before the size-independent questions */
    json_t *qs = json_object_get(q, "questions");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(qs, 1), "id")), "sector");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(qs, 3), "id")), "headcount");
    ck_assert_int_ge(json_array_size(json_object_get(q, "sectors")), 18);
    ck_assert_ptr_nonnull(
        json_object_get(json_array_get(json_object_get(q, "caveats"), 0), "article"));
    json_decref(q);
}
END_TEST

/* ---- stored assessments, on a temporary database ---- */

extern bool assessment_test_unloaded; /* core/assessment.c, test builds */

static char dbdir[PATH_MAX];

static void
setup_db(void)
{
    tu_db_setup(dbdir, NULL, NULL);
}

static void
teardown_db(void)
{
    assessment_test_unloaded = false;
    tu_db_teardown(dbdir, NULL);
}

/* The HTML export needs the questionnaire; without data it says so (503). */
START_TEST(test_export_html_without_data)
{
    static const struct principal p = {
        .authenticated = true, .role = ROLE_ANALYST, .name = "token:alice", .tlp_max = 3};
    struct field_errors errs = {0};
    struct mp_error err = {0};
    json_t *answers = J("{" BASE "'sector':'energy','headcount':100}"), *out = NULL;
    char id[64], *text = NULL;
    size_t len = 0;

    ck_assert_msg(assessment_create(&p, NOW, answers, "en", &out, &errs) == 0, "%s",
                  errs.count ? errs.items[0].message : "");
    snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(out, "id")));
    json_decref(out);
    json_decref(answers);
    ck_assert_int_eq(assessment_export(id, "html", &text, &len, &err), 0);
    free(text);
    text = NULL;
    assessment_test_unloaded = true;
    ck_assert_int_eq(assessment_export(id, "html", &text, &len, &err), -1);
    ck_assert_int_eq(err.status, 503);
    ck_assert_str_eq(err.message, "assessment data not loaded");
    ck_assert_ptr_null(text);
    /* JSON and CSV need only the stored assessment */
    ck_assert_int_eq(assessment_export(id, "csv", &text, &len, &err), 0);
    free(text);
}
END_TEST

static Suite *
suite(void)
{
    Suite *s = suite_create("assessment");
    TCase *tc = tcase_create("decision");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_cases, 0, N(cases));
    tcase_add_test(tc, test_uncertain_size_changes_class);
    tcase_add_test(tc, test_caveats_and_other_regimes);
    tcase_add_test(tc, test_reasons_in_dutch_and_profile);
    tcase_add_test(tc, test_bad_answers);
    tcase_add_test(tc, test_questionnaire);
    suite_add_tcase(s, tc);
    tc = tcase_create("load");
    tcase_add_checked_fixture(tc, setup_dir, teardown_dir);
    tcase_add_test(tc, test_load_dir);
    tcase_add_test(tc, test_decision_is_data);
    suite_add_tcase(s, tc);
    tc = tcase_create("stored");
    tcase_add_checked_fixture(tc, setup_db, teardown_db);
    tcase_add_test(tc, test_export_html_without_data);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return tu_run(suite());
}
