/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * rules.c - fuzz target: the rule-file loader (core/rules_load.c) and,
 * for a file it takes, the evaluator (core/rules_eval.c).
 *
 * The input is written as the one rule file of a rules directory, as
 * `[rules] dir` names it, and loaded with the built-in calendars.  A file
 * that is refused says where (its name and a JSON path).  A file that
 * loads is evaluated against a few organisation profiles and incidents
 * (facts known, unknown, mixed), and every stage's due time is worked out
 * at several moments: the answer always says yes, no or undetermined.
 */
#include "core/rules.h"
#include "fuzz.h"

#define NOW 1780315200 /* 2026-06-01T12:00:00Z */

static const char *const profiles[] = {
    "{}",
    ("{\"name\": \"Waterbedrijf\", \"sector\": \"drinking_water\", \"nis2_class\": \"essential\", "
     "\"country\": \"NL\", \"annual_turnover_eur\": 20000000, \"cer_critical\": true, "
     "\"dora_financial\": true, \"entity_types\": [\"credit_institution\"], "
     "\"microenterprise\": false}"),
};

static const char *const facts[] = {
    "{}",
    ("{\"users_affected\": 1200, \"deaths\": 0, \"persons_health_damaged\": 3, "
     "\"suspected_malicious\": true, \"cross_border\": true, \"duration_minutes\": 300, "
     "\"financial_loss_eur\": 600000, \"category\": \"intrusion\", \"cause\": \"malicious\", "
     "\"severity\": \"critical\", \"tlp\": \"amber\", \"services\": [\"payments\"], "
     "\"countries\": [\"NL\", \"BE\"], \"personal_data\": true}"),
    ("{\"users_affected\": 0, \"suspected_malicious\": false, \"cross_border\": false, "
     "\"duration_minutes\": 0, \"severity\": \"low\"}"),
};

/* Every anchor an hour before now; stage anchors unknown. */
static int64_t
anchor(const char *name, void *ctx)
{
    (void)ctx;
    if (strncmp(name, "stage", 5) == 0)
        return TIME_UNSET;
    return NOW - 3600;
}

static void
evaluate(const struct rules *r, const json_t *f, const json_t *p)
{
    for (int i = 0; i < r->nsets; i++) {
        const struct ruleset *rs = &r->sets[i];
        json_t *out = rules_evaluate(rs, f, p);
        const char *applies = json_string_value(json_object_get(out, "applies"));

        FUZZ_ASSERT(out != NULL && applies != NULL);
        FUZZ_ASSERT(strcmp(applies, "yes") == 0 || strcmp(applies, "no") == 0 ||
                    strcmp(applies, "undetermined") == 0);
        json_decref(out);
        for (int k = 0; k < rs->nstages; k++) {
            static const int64_t resolved[] = {TIME_UNSET, NOW - 1800, NOW + 86400 * 40};
            for (size_t t = 0; t < sizeof(resolved) / sizeof(resolved[0]); t++) {
                struct rule_clock c = {.now = NOW,
                                       .resolved_at = resolved[t],
                                       .reopened_at = TIME_UNSET,
                                       .anchor = anchor,
                                       .facts = f,
                                       .profile = p};
                struct rule_stage_time st;

                rules_stage_time(&rs->stages[k], &c, &st);
                FUZZ_ASSERT(st.nwaiting >= 0 &&
                            st.nwaiting <= (int)(sizeof(st.waiting) / sizeof(st.waiting[0])));
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char dir[PATH_MAX], file[PATH_MAX + 16];
    static json_t *f[sizeof(facts) / sizeof(facts[0])], *p[sizeof(profiles) / sizeof(profiles[0])];
    struct mp_error err = {0};
    struct rules *r;
    json_t *summary;

    if (dir[0] == '\0') {
        fuzz_quiet();
        fuzz_path(dir, "rules");
        if (mkdir(dir, 0700) != 0)
            abort();
        snprintf(file, sizeof(file), "%s/fuzz.json", dir);
        for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++)
            f[i] = json_loads(facts[i], 0, NULL);
        for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
            p[i] = json_loads(profiles[i], 0, NULL);
    }
    fuzz_write_file(file, data, size);
    if (rules_load(dir, &r, &err) != 0) {
        FUZZ_ASSERT(strstr(err.message, "fuzz.json") != NULL);
        return 0;
    }
    summary = rules_summary(r);
    FUZZ_ASSERT(summary != NULL);
    json_decref(summary);
    for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++) {
        for (size_t k = 0; k < sizeof(profiles) / sizeof(profiles[0]); k++)
            evaluate(r, f[i], p[k]);
    }
    rules_release(r);
    return 0;
}
