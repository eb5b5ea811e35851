/*
 * classify.c - see classify.h.
 *
 * Deadlines count from the anchor the rule names.  An anchor that is not
 * known yet (aware_at not recorded, the stage it follows not submitted, the
 * time of classification not stored yet) leaves the due time open and says
 * what it waits for; the earliest computable `due` entry binds.
 */
#include "classify.h"
#include "core/organisation.h"
#include "core/rules.h"
#include "lib/timeutil.h"

#include <stdio.h>
#include <string.h>

json_t *
classify_facts(const struct incident *inc, int64_t now)
{
    json_t *facts = json_deep_copy(inc->impact);
    int64_t minutes = incident_duration_minutes(inc, now);

    if (facts == NULL)
        return NULL;
    if (minutes >= 0 && json_object_get(facts, "duration_minutes") == NULL)
        json_object_set_new(facts, "duration_minutes", json_integer(minutes));
    json_object_set_new(facts, "category", json_string(incident_category_names[inc->category]));
    json_object_set_new(facts, "cause", json_string(incident_cause_names[inc->cause]));
    json_object_set_new(facts, "severity", json_string(incident_severity_names[inc->severity]));
    json_object_set_new(facts, "tlp", json_string(incident_tlp_names[inc->tlp]));
    json_object_set(facts, "services", inc->services);
    return facts;
}

/* The time an anchor names, TIME_UNSET when not known (yet). */
static int64_t
anchor_time(const struct incident *inc, const json_t *facts, const char *anchor)
{
    int64_t t;

    if (strcmp(anchor, "aware_at") == 0)
        return inc->aware_at;
    if (strcmp(anchor, "detected_at") == 0)
        return inc->detected_at;
    if (strcmp(anchor, "started_at") == 0)
        return inc->started_at;
    if (strcmp(anchor, "handled_at") == 0)
        return inc->state_at[STATE_RESOLVED];
    if (strcmp(anchor, "classified_major_at") == 0) {
        const char *s = json_string_value(json_object_get(facts, "classified_major_at"));
        return s && time_parse_rfc3339(s, &t) == 0 ? t : TIME_UNSET;
    }
    /* classified_at and stage:ID need the stored classification history
     * and report submissions, which are not kept yet. */
    return TIME_UNSET;
}

static void
add_due(json_t *stage, const struct rule_stage *st, const struct incident *inc, const json_t *facts,
        int64_t now)
{
    json_t *waiting = json_array();
    int64_t best = TIME_UNSET;
    char buf[TIME_RFC3339_LEN];

    for (int d = 0; d < st->ndue; d++) {
        int64_t a = anchor_time(inc, facts, st->due[d].anchor), due;
        if (a == TIME_UNSET) {
            json_array_append_new(waiting, json_string(st->due[d].anchor));
            continue;
        }
        due = time_add_duration(a, &st->due[d].within);
        if (best == TIME_UNSET || due < best)
            best = due;
    }
    if (best != TIME_UNSET) {
        time_format_rfc3339(best, buf, sizeof(buf));
        json_object_set_new(stage, "due_at", json_string(buf));
        json_object_set_new(stage, "overdue", json_boolean(now > best));
    } else {
        json_object_set_new(stage, "due_at", json_null());
        json_object_set_new(stage, "overdue", json_false());
    }
    if (json_array_size(waiting) > 0 && best == TIME_UNSET)
        json_object_set_new(stage, "waiting_for", waiting);
    else
        json_decref(waiting);
}

int
classify_incident(const char *id_or_ref, json_t **out, struct mp_error *err)
{
    struct incident inc;
    struct rules *rules;
    json_t *profile = NULL, *facts = NULL, *regimes;
    int64_t pversion = 0, now = time_now();
    char at[TIME_RFC3339_LEN];

    *out = NULL;
    if (incident_get(id_or_ref, &inc, err) != 0)
        return -1;
    if (organisation_get(&profile, &pversion, NULL, err) != 0) {
        incident_free(&inc);
        return -1;
    }
    rules = rules_acquire();
    facts = classify_facts(&inc, now);
    regimes = json_array();
    for (int i = 0; rules && i < rules->nsets; i++) {
        const struct ruleset *rs = &rules->sets[i];
        json_t *res = rules_evaluate(rs, facts, profile);
        json_t *stages = json_object_get(res, "stages");
        const char *sig = json_string_value(json_object_get(res, "significant"));
        size_t k;
        json_t *st;

        if (strcmp(sig, "no") == 0) {
            json_array_clear(stages); /* nothing to report */
        } else {
            json_array_foreach(stages, k, st)
            {
                const char *sid = json_string_value(json_object_get(st, "id"));
                for (int s = 0; s < rs->nstages; s++) {
                    if (strcmp(rs->stages[s].id, sid) == 0 && !rs->stages[s].on_request)
                        add_due(st, &rs->stages[s], &inc, facts, now);
                }
            }
        }
        json_array_append_new(regimes, res);
    }
    rules_release(rules);
    time_format_rfc3339(now, at, sizeof(at));
    *out = json_pack("{s:s, s:s, s:I, s:I, s:s, s:o}", "incident", inc.id, "ref", inc.ref,
                     "incident_version", (json_int_t)inc.version, "profile_version",
                     (json_int_t)pversion, "evaluated_at", at, "regimes", regimes);
    json_decref(facts);
    json_decref(profile);
    incident_free(&inc);
    return *out ? 0 : mp_error_set(err, 500, "", "out of memory");
}
