/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * rules_eval.c - fuzz target: the expression evaluator (core/rules_eval.c),
 * with the expressions, the facts and the profile all from the input.
 *
 * The input is a JSON object:
 *
 *     {"significant": EXPR, "applies": EXPR, "lifted_by": EXPR,
 *      "when": EXPR, "facts": {...}, "profile": {...}}
 *
 * (every member optional).  The expressions go into a small rule file
 * (tests/e2e/fixtures/rules/beta.json's shape; `when` on its stage), which
 * is loaded as any rule file is, so only expressions the loader takes are
 * evaluated, as in the server.  That rule set is then evaluated against
 * the facts and the profile, and its stage's due time worked out: the
 * answer says yes, no or undetermined, and lists the facts it missed.
 */
#include "core/rules.h"
#include "fuzz.h"

#define NOW 1780315200 /* 2026-06-01T12:00:00Z */

static const char TEMPLATE[] =
    "{\"regime\": \"beta\", \"version\": \"beta-1\", \"title\": {\"en\": \"Beta\", \"nl\": "
    "\"Bèta\"}, \"source\": \"fuzz\", \"applies\": true, \"significant\": {\"id\": \"b-breach\", "
    "\"op\": \"==\", \"left\": {\"fact\": \"personal_data_breach\"}, \"right\": true}, "
    "\"stages\": [{\"id\": \"notification\", \"name\": {\"en\": \"Notification\", \"nl\": "
    "\"Melding\"}, \"recipient\": \"dpa\", \"due\": [{\"after\": \"aware_at\", \"within\": "
    "\"PT72H\"}], \"contents\": []}]}";

static int64_t
anchor(const char *name, void *ctx)
{
    (void)ctx;
    (void)name;
    return NOW - 3600;
}

static bool
is_tri(const char *s)
{
    return s != NULL &&
           (strcmp(s, "yes") == 0 || strcmp(s, "no") == 0 || strcmp(s, "undetermined") == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char dir[PATH_MAX], file[PATH_MAX + 16];
    static const char *const exprs[] = {"significant", "applies", "lifted_by"};
    struct mp_error err = {0};
    json_t *in, *doc, *facts, *profile, *out, *v;
    struct rules *r;
    char *text;

    if (dir[0] == '\0') {
        fuzz_quiet();
        fuzz_path(dir, "rules");
        if (mkdir(dir, 0700) != 0)
            abort();
        snprintf(file, sizeof(file), "%s/beta.json", dir);
    }
    in = fuzz_json(data, size);
    if (!json_is_object(in)) {
        json_decref(in);
        return 0;
    }
    doc = json_loads(TEMPLATE, 0, NULL);
    FUZZ_ASSERT(doc != NULL);
    for (size_t i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
        if ((v = json_object_get(in, exprs[i])) != NULL)
            json_object_set(doc, exprs[i], v);
    }
    if ((v = json_object_get(in, "when")) != NULL)
        json_object_set(json_array_get(json_object_get(doc, "stages"), 0), "when", v);
    facts = json_object_get(in, "facts");
    profile = json_object_get(in, "profile");
    facts = json_is_object(facts) ? json_incref(facts) : json_object();
    profile = json_is_object(profile) ? json_incref(profile) : json_object();
    text = json_dumps(doc, 0);
    FUZZ_ASSERT(text != NULL);
    fuzz_write_file(file, text, strlen(text));
    free(text);
    if (rules_load(dir, &r, &err) == 0) {
        const struct ruleset *rs = &r->sets[0];
        struct rule_clock c = {.now = NOW,
                               .resolved_at = TIME_UNSET,
                               .reopened_at = TIME_UNSET,
                               .anchor = anchor,
                               .facts = facts,
                               .profile = profile};
        struct rule_stage_time st;

        out = rules_evaluate(rs, facts, profile);
        FUZZ_ASSERT(out != NULL);
        FUZZ_ASSERT(is_tri(json_string_value(json_object_get(out, "applies"))));
        FUZZ_ASSERT(is_tri(json_string_value(json_object_get(out, "significant"))));
        FUZZ_ASSERT(json_is_array(json_object_get(out, "missing")));
        json_decref(out);
        FUZZ_ASSERT(rules_eval_expr(json_object_get(doc, "significant"), facts, profile) <=
                    TRI_UNKNOWN);
        for (int k = 0; k < rs->nstages; k++)
            rules_stage_time(&rs->stages[k], &c, &st);
        rules_release(r);
    } else {
        FUZZ_ASSERT(strstr(err.message, "beta.json") != NULL);
    }
    json_decref(facts);
    json_decref(profile);
    json_decref(doc);
    json_decref(in);
    return 0;
}
