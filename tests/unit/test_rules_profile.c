/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * test_rules_profile.c - the organisation profile as the rules read it:
 * combinations of profile values that the law does not allow are refused
 * by organisation_validate() with a field error, before any rule sees them.
 *
 * Table-driven: each row is a profile (changes to a valid one) and the
 * field that must be at fault, or NULL when the profile is valid.
 */
#include "core/organisation.h"
#include "testutil.h"

#include <check.h>
#include <jansson.h>
#include <string.h>

/* A valid profile: every member present. */
#define BASE                                                                                       \
    "{'name':'Org','country':'NL','sector':'drinking_water','subsector':null,"                     \
    "'nis2_class':'essential','entity_types':[],'cer_critical':false,'dora_financial':false,"      \
    "'annual_turnover_eur':null,'microenterprise':false,'recipients':{}}"

static const struct {
    const char *name;
    const char *changes; /* members replacing BASE's, single-quoted JSON */
    const char *field;   /* the field at fault, NULL: valid */
    const char *says;    /* a part of the message, or NULL */
} cases[] = {
    {"the base profile is valid", "{}", NULL, NULL},
    /* NIS2 arts. 2(3), 3(1)(f): a critical entity under the CER directive
     * (Wwke) is an essential entity under NIS2 (Cbw) */
    {"critical entity, essential", "{'cer_critical':true,'nis2_class':'essential'}", NULL, NULL},
    {"critical entity, nis2_class none", "{'cer_critical':true,'nis2_class':'none'}", "nis2_class",
     "critical entity under the Wwke"},
    {"critical entity, important", "{'cer_critical':true,'nis2_class':'important'}", "nis2_class",
     "essential entity under the Cbw"},
    {"not a critical entity, none", "{'cer_critical':false,'nis2_class':'none'}", NULL, NULL},
    {"not a critical entity, important", "{'cer_critical':false,'nis2_class':'important'}", NULL,
     NULL},
    /* the rule is not the reason when the class itself is wrong */
    {"critical entity, unknown class", "{'cer_critical':true,'nis2_class':'very'}", "nis2_class",
     "must be essential, important, none or null"},
    /* not determined yet: a third answer, never read as "none" (not in scope) */
    {"class not determined yet", "{'nis2_class':null}", NULL, NULL},
    {"critical entity, class not determined", "{'cer_critical':true,'nis2_class':null}",
     "nis2_class", "not undetermined"},
    {"class as a number", "{'nis2_class':3}", "nis2_class", "or null (not determined yet)"},
    {"cer_critical not a boolean", "{'cer_critical':'yes','nis2_class':'none'}", "cer_critical",
     NULL},
    /* unknown is a third answer, not a "no" (issue 17) */
    {"unknown designation, class none", "{'cer_critical':null,'nis2_class':'none'}", NULL, NULL},
    {"unknown DORA and size", "{'dora_financial':null,'microenterprise':null}", NULL, NULL},
    {"microenterprise not a boolean", "{'microenterprise':0}", "microenterprise",
     "true, false or null"},
    /* the letterhead's KvK number and address are optional */
    {"KvK number and address", "{'kvk_number':'12345678','address':'Postbus 1\\n7500 AA Enschede'}",
     NULL, NULL},
    {"KvK number of 7 digits", "{'kvk_number':'1234567'}", "kvk_number", "8 digits"},
    {"KvK number as a number", "{'kvk_number':12345678}", "kvk_number", NULL},
};

static json_t *
profile(const char *changes)
{
    char buf[2048];
    json_t *base, *ch;

    snprintf(buf, sizeof(buf), "%s", BASE);
    for (char *p = buf; *p; p++)
        *p = *p == '\'' ? '"' : *p;
    base = json_loads(buf, 0, NULL);
    snprintf(buf, sizeof(buf), "%s", changes);
    for (char *p = buf; *p; p++)
        *p = *p == '\'' ? '"' : *p;
    ch = json_loads(buf, 0, NULL);
    ck_assert_ptr_nonnull(base);
    ck_assert_ptr_nonnull(ch);
    json_object_update(base, ch);
    json_decref(ch);
    return base;
}

START_TEST(test_profile_case)
{
    json_t *doc = profile(cases[_i].changes);
    struct field_errors errs = {0};
    bool ok = organisation_validate(doc, &errs);

    if (cases[_i].field == NULL) {
        ck_assert_msg(ok, "%s: refused: %s: %s", cases[_i].name,
                      errs.count ? errs.items[0].field : "",
                      errs.count ? errs.items[0].message : "");
    } else {
        bool found = false;
        ck_assert_msg(!ok, "%s: accepted", cases[_i].name);
        for (int i = 0; i < errs.count; i++) {
            if (strcmp(errs.items[i].field, cases[_i].field) != 0)
                continue;
            found = true;
            ck_assert_int_eq(errs.items[i].status, 422);
            ck_assert_msg(cases[_i].says == NULL || strstr(errs.items[i].message, cases[_i].says),
                          "%s: message '%s' does not say '%s'", cases[_i].name,
                          errs.items[i].message, cases[_i].says);
        }
        ck_assert_msg(found, "%s: no error on %s (first: %s)", cases[_i].name, cases[_i].field,
                      errs.count ? errs.items[0].field : "none");
        ck_assert_msg(errs.count == 1, "%s: %d errors, want 1", cases[_i].name, errs.count);
    }
    json_decref(doc);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("rules_profile");
    TCase *tc = tcase_create("validate");

    tcase_add_loop_test(tc, test_profile_case, 0, (int)(sizeof(cases) / sizeof(cases[0])));
    suite_add_tcase(s, tc);
    return tu_run(s);
}
