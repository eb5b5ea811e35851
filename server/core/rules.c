/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * rules.c - see rules.h and docs/RULES.md: the words a rule file may use
 * and the rules in force (installed at start and on SIGHUP, shared by
 * reference).  Reading and validating the files is rules_load.c, the
 * working-day calendars rules_calendar.c, evaluation and due times
 * rules_eval.c: files are compiled once at load into nodes that evaluation
 * walks, so a classification never parses JSON rules.
 */
#include "rules.h"
#include "rules_int.h"
#include "core/incident.h"
#include "lib/embed.h"
#include "lib/file.h"
#include "lib/snapshot.h"

#include <dirent.h>
#include <pthread.h>
#include <sys/stat.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const rules_profile_names[] = {
    "country",      "sector",         "subsector",           "nis2_class",      "entity_types",
    "cer_critical", "dora_financial", "annual_turnover_eur", "microenterprise", NULL};
/* Profile values that are amounts: never below zero (organisation.c checks). */
const char *const rules_profile_amounts[] = {"annual_turnover_eur", NULL};
const char *const rules_field_names[] = {"category", "cause", "severity", "services",
                                         "tlp",      "kind",  NULL};
const char *const rules_recipients[] = {"csirt",
                                        "supervisor",
                                        "dpa",
                                        "cer_authority",
                                        "financial_supervisor",
                                        "trust_supervisor",
                                        "data_subjects",
                                        "clients",
                                        NULL};
const char *const rules_anchors[] = {
    "aware_at",   "detected_at", "started_at", "classified_at", "classified_major_at",
    "handled_at", NULL};

const char *
tri_name(enum tri t)
{
    return t == TRI_YES ? "yes" : t == TRI_NO ? "no" : "undetermined";
}

bool
rules_in_list(const char *const list[], const char *s)
{
    for (int i = 0; list[i]; i++) {
        if (strcmp(list[i], s) == 0)
            return true;
    }
    return false;
}

/* True when the fact is a count or an amount: validation (incident.c:
 * fact_check) keeps those at 0 or more, so an unknown one still lies in
 * [0, infinity). */
bool
rules_fact_nonnegative(const char *name)
{
    for (size_t i = 0; i < impact_facts_count; i++) {
        if (strcmp(impact_facts[i].name, name) == 0)
            return impact_facts[i].type == FACT_COUNT || impact_facts[i].type == FACT_NUMBER;
    }
    return false;
}

bool
rules_fact_known(const char *name)
{
    for (size_t i = 0; i < impact_facts_count; i++) {
        if (strcmp(impact_facts[i].name, name) == 0)
            return true;
    }
    return rules_in_list(rules_field_names, name);
}

/* ---- the rules in force ---- */

static void
rules_hold(void *r)
{
    snapshot_refs_hold(&((struct rules *)r)->refs);
}

static void
rules_drop(void *r)
{
    rules_release(r);
}

static struct snapshot current = SNAPSHOT_INIT(rules_hold, rules_drop);

void
rules_release(struct rules *r)
{
    if (r == NULL || !snapshot_refs_drop(&r->refs))
        return;
    for (int i = 0; i < r->nsets; i++)
        rules_ruleset_free(&r->sets[i]);
    free(r->sets);
    rules_calendars_free(r);
    free(r);
}

void
rules_install(struct rules *r)
{
    snapshot_install(&current, r);
}

struct rules *
rules_acquire(void)
{
    return snapshot_acquire(&current, NULL);
}

const struct rule_stage *
rules_find_stage(const struct ruleset *rs, const char *id)
{
    for (int i = 0; rs != NULL && i < rs->nstages; i++) {
        if (strcmp(rs->stages[i].id, id) == 0)
            return &rs->stages[i];
    }
    return NULL;
}

const struct ruleset *
rules_find(const struct rules *r, const char *regime)
{
    for (int i = 0; r && i < r->nsets; i++) {
        if (strcmp(r->sets[i].regime, regime) == 0)
            return &r->sets[i];
    }
    return NULL;
}

/* ---- timeliness of a report sent (docs/RULES.md) ---- */

enum rules_sent_check
rules_sent_check(int64_t sent, int64_t now, int64_t known_since)
{
    if (sent > now + RULES_SUBMIT_SKEW_SECONDS)
        return RULES_SENT_FUTURE;
    if (known_since != TIME_UNSET && sent < known_since)
        return RULES_SENT_EARLY;
    return RULES_SENT_OK;
}

const char *
rules_sent_status(const char *status, int64_t due, int64_t sent)
{
    if (strcmp(status, "pending") != 0 && strcmp(status, "missed") != 0)
        return status; /* submitted or waived: frozen */
    return due != TIME_UNSET && sent > due ? "missed" : "submitted";
}

/* ---- the facts as a flat vector ---- */

/* Every impact fact, then the incident fields, sorted by name once, so a
 * name finds its index by binary search. */
static struct fact_name {
    const char *name;
    int idx;
} fact_names[RULES_FACTS_MAX];
static int nfact_names;
static pthread_once_t fact_names_once = PTHREAD_ONCE_INIT;

static int
fact_name_cmp(const void *a, const void *b)
{
    return strcmp(((const struct fact_name *)a)->name, ((const struct fact_name *)b)->name);
}

static void
fact_names_init(void)
{
    for (size_t i = 0; i < impact_facts_count && nfact_names < RULES_FACTS_MAX; i++, nfact_names++)
        fact_names[nfact_names] = (struct fact_name){impact_facts[i].name, nfact_names};
    for (int i = 0; rules_field_names[i] && nfact_names < RULES_FACTS_MAX; i++, nfact_names++)
        fact_names[nfact_names] = (struct fact_name){rules_field_names[i], nfact_names};
    qsort(fact_names, (size_t)nfact_names, sizeof(fact_names[0]), fact_name_cmp);
}

int
rules_fact_index(const char *name)
{
    struct fact_name key = {name, -1}, *hit;

    pthread_once(&fact_names_once, fact_names_init);
    hit = bsearch(&key, fact_names, (size_t)nfact_names, sizeof(fact_names[0]), fact_name_cmp);
    return hit ? hit->idx : -1;
}

void
rules_facts_load(struct rules_facts *fv, const json_t *facts, const json_t *profile)
{
    const char *key;
    json_t *v;

    memset(fv, 0, sizeof(*fv));
    fv->facts = facts;
    fv->profile_json = profile;
    json_object_foreach((json_t *)facts, key, v)
    {
        int i = rules_fact_index(key);
        if (i >= 0)
            fv->fact[i] = v;
        else if (strcmp(key, RULES_AT_LEAST) == 0)
            fv->at_least = v;
    }
    for (int i = 0; rules_profile_names[i] && i < RULES_PROFILE_MAX; i++)
        fv->profile[i] = json_object_get(profile, rules_profile_names[i]);
}
