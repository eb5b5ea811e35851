/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * incident.c - fuzz target: an incident's JSON decoding and validation
 * (core/incident.c), as a create body and as a merge patch, and the
 * classification of what it takes (core/classify.c's facts, evaluated by
 * the built-in rules).
 *
 * The input is the request body.  It is applied to a new incident (create)
 * and, as an RFC 7396 merge patch, to an incident that has every field
 * set (patch).  Whatever the input: a refusal names at least one field;
 * what is taken encodes to a JSON object, whose facts every built-in rule
 * set evaluates to yes, no or undetermined.  The server's request target
 * (request.c) sends such bodies through the handlers and the store; this
 * one, without a database, runs some 50 times faster.
 */
#include "core/classify.h"
#include "core/incident.h"
#include "core/rules.h"
#include "fuzz.h"

#define NOW 1780315200 /* 2026-06-01T12:00:00Z */

static const char FULL[] =
    "{\"title\": \"Chlorine dosing sabotage\", \"description\": \"Dosing set to 10x\", "
    "\"severity\": \"high\", \"category\": \"cyber\", \"cause\": \"malicious\", \"tlp\": "
    "\"amber\", \"detected_at\": \"2026-06-01T10:00:00Z\", \"aware_at\": "
    "\"2026-06-01T11:00:00Z\", \"started_at\": \"2026-06-01T09:30:00Z\", \"ended_at\": "
    "\"2026-06-01T11:45:00Z\", \"services\": [\"drinking-water\"], \"impact\": "
    "{\"persons_health_damaged\": 3, \"suspected_malicious\": true, \"cross_border\": false, "
    "\"users_affected\": 1200}}";

static struct rules *rules;
static json_t *profile;

static void
check_taken(struct incident *inc)
{
    json_t *out = incident_to_json(inc, NOW), *facts;

    FUZZ_ASSERT(json_is_object(out));
    json_decref(out);
    facts = classify_facts(NULL, inc, NOW);
    FUZZ_ASSERT(json_is_object(facts));
    for (int i = 0; i < rules->nsets; i++) {
        json_t *ev = rules_evaluate(&rules->sets[i], facts, profile);
        const char *s = json_string_value(json_object_get(ev, "significant"));

        FUZZ_ASSERT(s != NULL && (strcmp(s, "yes") == 0 || strcmp(s, "no") == 0 ||
                                  strcmp(s, "undetermined") == 0));
        json_decref(ev);
    }
    json_decref(facts);
}

static void
check_refused(const struct field_errors *errs)
{
    FUZZ_ASSERT(errs->count > 0);
    for (int i = 0; i < errs->count; i++)
        FUZZ_ASSERT(errs->items[i].message[0] != '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct field_errors errs = {0};
    struct incident inc;
    json_t *in, *full;

    if (rules == NULL) {
        struct mp_error err;

        fuzz_quiet();
        FUZZ_ASSERT(rules_load_builtin(&rules, &err) == 0);
        profile = json_pack("{s:s, s:s, s:s, s:i, s:b}", "sector", "drinking_water", "nis2_class",
                            "essential", "country", "NL", "annual_turnover_eur", 20000000,
                            "cer_critical", 1);
    }
    in = fuzz_json(data, size);
    if (!json_is_object(in)) {
        json_decref(in);
        return 0;
    }
    /* create */
    incident_init(&inc, NOW);
    if (incident_apply_json(&inc, in, false, NOW, &errs))
        check_taken(&inc);
    else
        check_refused(&errs);
    incident_free(&inc);

    /* patch */
    memset(&errs, 0, sizeof(errs));
    full = json_loads(FULL, 0, NULL);
    incident_init(&inc, NOW);
    FUZZ_ASSERT(incident_apply_json(&inc, full, false, NOW, &errs));
    if (incident_apply_json(&inc, in, true, NOW, &errs))
        check_taken(&inc);
    else
        check_refused(&errs);
    incident_free(&inc);
    json_decref(full);
    json_decref(in);
    return 0;
}
