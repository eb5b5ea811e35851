/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * classify_store.c - a judgement as it is stored: what was decided, not
 * how it was explained.  See classify_int.h.
 *
 * Inside a change the rules are applied by rules_decide over the flat fact
 * vector (no explanation is built), and a history row keeps, per regime,
 * the decision: applies, significance, lift, the criteria that held or may
 * hold with their answers, the stages that apply with their due times, the
 * effective status, a manager's decision, a recurrence -- and the hash of
 * the rule file that decided (rules_archive.c).  The row's inputs are the
 * facts and the profile by its hash.  The rule files and the profiles are
 * kept once each in rule_texts (schema/0020): the profile with the row
 * that names it, a rule file with one of the first changes after it was
 * loaded (one file a change, so that no change grows by every file at
 * once; until then the rules in force are in memory).  A rule file
 * replaced before any change kept it -- a restart with new files within
 * the first few changes -- leaves the rows it decided with their decision
 * but without words: the decision is shown as stored.
 *
 * On read the explanation is worked out again: rules_evaluate with the rule
 * file of that hash over the stored facts and profile gives the same words
 * it gave when the decision was taken (the evaluation is a function of
 * those three), and the decision's own parts are laid over it.  Rows
 * written before schema 0020 hold the explanation itself: a regime entry
 * without a rule-file hash is read as it is.
 */
#include "classify.h"
#include "classify_int.h"
#include "lib/buf.h"
#include "store/classification.h"

#include <stdlib.h>
#include <string.h>

/* The stored form of one regime's judgement, from rules_evaluate's answer
 * (when rules_decide cannot say all of it): the criteria that held or may
 * hold, the stages that apply. */
json_t *
classify_decision_of(const json_t *full, const char *hash)
{
    json_t *crit = json_array(), *stages = json_array(), *x, *out;
    size_t i;

    json_array_foreach(json_object_get(full, "criteria"), i, x)
    {
        const char *r = json_string_value(json_object_get(x, "result"));
        if (r != NULL && strcmp(r, "no") != 0)
            json_array_append_new(
                crit, json_pack("{s:O, s:s}", "id", json_object_get(x, "id"), "result", r));
    }
    json_array_foreach(json_object_get(full, "stages"), i, x)
        json_array_append_new(stages, json_pack("{s:O, s:O}", "id", json_object_get(x, "id"),
                                                "conditional", json_object_get(x, "conditional")));
    out = json_pack("{s:O, s:O, s:s, s:O, s:O, s:o, s:o}", "regime",
                    json_object_get(full, "regime"), "version", json_object_get(full, "version"),
                    "rules", hash, "applies", json_object_get(full, "applies"), "significant",
                    json_object_get(full, "significant"), "criteria", crit, "stages", stages);
    if (out != NULL && json_object_get(full, "lifted") != NULL)
        json_object_set(out, "lifted", json_object_get(full, "lifted"));
    return out;
}

json_t *
classify_decided(const struct ruleset *rs, const struct rules_facts *fv)
{
    struct rules_decision dec;
    json_t *crit, *stages, *out;

    rules_decide(rs, fv, &dec);
    if (rs->nstages > 32 || dec.ncriteria >= RULES_DECISION_CRITERIA) {
        /* beyond what the decision holds: from the explanation */
        json_t *full = rules_evaluate(rs, fv->facts, fv->profile_json);
        out = classify_decision_of(full, rs->hash);
        json_decref(full);
        return out;
    }
    crit = json_array();
    for (int i = 0; i < dec.ncriteria; i++)
        json_array_append_new(crit, json_pack("{s:s, s:s}", "id", dec.criterion[i], "result",
                                              tri_name(dec.criterion_result[i])));
    stages = json_array();
    for (int i = 0; i < rs->nstages; i++) {
        if (((dec.when_yes | dec.when_unknown) & (1UL << i)) != 0)
            json_array_append_new(stages,
                                  json_pack("{s:s, s:b}", "id", rs->stages[i].id, "conditional",
                                            (dec.when_unknown & (1UL << i)) != 0));
    }
    out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "regime", rs->regime, "version",
                    rs->version, "rules", rs->hash, "applies", tri_name(dec.applies), "significant",
                    tri_name(dec.significant), "criteria", crit, "stages", stages);
    if (out != NULL && rs->lifted_by_n != NULL)
        json_object_set_new(out, "lifted", json_string(tri_name(dec.lifted)));
    return out;
}

/*
 * What a stored entry leaves out, because it is what a regime that does
 * not apply says anyway: the explanation restores these (and the rule
 * file gives the version, the words and the stages that apply).  A stage
 * entry that holds nothing but its id and whether its condition is known
 * is left out too: only those with a due time worked out are kept.
 */
static const struct {
    const char *key, *value; /* value NULL: JSON null */
} stored_defaults[] = {
    {"applies", "no"},
    {"significant", "no"},
    {"effective", "no"},
    {"classified_at", NULL},
};

static void
compact_regimes(const json_t *regimes)
{
    size_t i;
    json_t *r;

    json_array_foreach((json_t *)regimes, i, r)
    {
        json_t *stages = json_object_get(r, "stages");
        for (size_t k = json_array_size(stages); k-- > 0;) {
            if (json_object_size(json_array_get(stages, k)) <= 2)
                json_array_remove(stages, k);
        }
        for (size_t d = 0; d < sizeof(stored_defaults) / sizeof(stored_defaults[0]); d++) {
            json_t *v = json_object_get(r, stored_defaults[d].key);
            if (stored_defaults[d].value == NULL
                    ? json_is_null(v)
                    : json_is_string(v) &&
                          strcmp(json_string_value(v), stored_defaults[d].value) == 0)
                json_object_del(r, stored_defaults[d].key);
        }
        if (json_array_size(stages) == 0)
            json_object_del(r, "stages");
        if (json_array_size(json_object_get(r, "criteria")) == 0)
            json_object_del(r, "criteria");
        json_object_del(r, "version"); /* the row's rules column, and the file's */
    }
}

void
classify_stored_defaults(json_t *regimes)
{
    size_t i;
    json_t *r;

    json_array_foreach(regimes, i, r)
    {
        if (json_object_get(r, "rules") == NULL)
            continue; /* written before schema 0020: all there */
        for (size_t d = 0; d < sizeof(stored_defaults) / sizeof(stored_defaults[0]); d++) {
            if (json_object_get(r, stored_defaults[d].key) == NULL)
                json_object_set_new(r, stored_defaults[d].key,
                                    stored_defaults[d].value ? json_string(stored_defaults[d].value)
                                                             : json_null());
        }
        if (json_object_get(r, "criteria") == NULL)
            json_object_set_new(r, "criteria", json_array());
        if (json_object_get(r, "stages") == NULL)
            json_object_set_new(r, "stages", json_array());
    }
}

/* What a regime's outcome is, beside its criteria, recurrence and stages. */
static const char *const outcome_keys[] = {"applies",       "significant", "lifted", "effective",
                                           "classified_at", "decision",    NULL};
/* What the incident's clock made of a stage (classify.c: stage_times_json). */
static const char *const stage_keys[] = {"due_at",         "waiting_for", "due_before_working_day",
                                         "calendar_gap",   "due_now",     "ongoing_at_due",
                                         "regular_due_at", "not_due",     NULL};

static void
put_value(struct buf *out, const char *key, const json_t *v)
{
    /* absent and null say the same (what storing leaves out comes back as null) */
    char *t = v && !json_is_null(v) ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY)
                                    : NULL;

    buf_printf(out, "%s=%s,", key, t ? t : "-");
    free(t);
}

/* The outcome of one judgement as text: per regime what applies, its
 * significance, lift, effective status, classification time and a
 * manager's decision, the criteria that held or may hold with their
 * answers, a recurrence, and what the clock made of each stage -- what
 * changes what the incident owes and what its reads show -- and not the
 * rule file's version or hash (rows before schema 0020 name the version,
 * later ones the hash: an upgrade must not make every open incident's
 * outcome look new), nor the explanation's words that rows before 0020
 * hold.  regimes as decided or as stored with classify_stored_defaults
 * applied. */
static void
outcome_text(const json_t *regimes, struct buf *out)
{
    size_t i, k;
    json_t *r, *x;

    json_array_foreach(regimes, i, r)
    {
        buf_printf(out, "%s:", json_string_value(json_object_get(r, "regime")));
        for (int d = 0; outcome_keys[d] != NULL; d++)
            put_value(out, outcome_keys[d], json_object_get(r, outcome_keys[d]));
        json_array_foreach(json_object_get(r, "criteria"), k, x)
        {
            const char *res = json_string_value(json_object_get(x, "result"));
            if (res != NULL && strcmp(res, "no") != 0)
                buf_printf(out, "%s%s,", json_string_value(json_object_get(x, "id")),
                           strcmp(res, "yes") == 0 ? "" : "?");
        }
        if ((x = json_object_get(r, "recurrence")) != NULL) {
            /* the combination's members and figures are shown on each */
            char *c = json_dumps(json_object_get(x, "combined"), JSON_COMPACT | JSON_SORT_KEYS);
            buf_printf(out, "R%s/%s/%zu/%s:", json_string_value(json_object_get(x, "result")),
                       json_string_value(json_object_get(json_object_get(x, "lead"), "ref")),
                       json_array_size(json_object_get(x, "members")), c ? c : "");
            free(c);
        }
        json_array_foreach(json_object_get(r, "stages"), k, x)
        {
            bool any = false;
            for (int d = 0; stage_keys[d] != NULL; d++)
                any = any || json_object_get(x, stage_keys[d]) != NULL;
            if (!any)
                continue; /* nothing worked out: not stored */
            buf_printf(out, "[%s:", json_string_value(json_object_get(x, "id")));
            for (int d = 0; stage_keys[d] != NULL; d++) {
                json_t *v = json_object_get(x, stage_keys[d]);
                if (v != NULL)
                    put_value(out, stage_keys[d], v);
            }
            buf_puts(out, "]");
        }
        buf_puts(out, ";");
    }
}

bool
classify_same_outcome(const json_t *regimes, const char *stored)
{
    json_t *old = stored ? json_loads(stored, 0, NULL) : NULL;
    struct buf a = BUF_INIT, b = BUF_INIT;
    bool same;

    if (old == NULL)
        return false;
    classify_stored_defaults(old);
    outcome_text(regimes, &a);
    outcome_text(old, &b);
    same = a.len == b.len && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
    buf_free(&a);
    buf_free(&b);
    json_decref(old);
    return same;
}

/* The row's inputs as stored: the facts and the profile by its hash. */
static char *
inputs_text(const json_t *facts, const char *phash)
{
    json_t *inputs = json_pack("{s:O, s:s}", "facts", facts, "profile_hash", phash);
    char *t = json_dumps(inputs, JSON_COMPACT | JSON_SORT_KEYS);

    json_decref(inputs);
    return t;
}

int
classify_store_row(sqlite3 *db, const struct incident *inc, const char *at, int64_t pversion,
                   const struct rules *rules, json_t *regimes, const json_t *facts,
                   const json_t *profile, const char *unless_inputs, struct mp_error *err)
{
    json_t *versions = json_object();
    char *t_rules = NULL, *t_inputs = NULL, *t_result = NULL, *t_profile = NULL;
    char phash[RULES_HASH_LEN];
    bool archived = false;
    int rc = -1;

    t_profile = json_dumps(profile, JSON_COMPACT | JSON_SORT_KEYS);
    if (t_profile == NULL || (rules_hash_text(t_profile, strlen(t_profile), phash),
                              (t_inputs = inputs_text(facts, phash)) == NULL)) {
        mp_error_set(err, 500, "", "out of memory");
        goto out;
    }
    if (unless_inputs != NULL && strcmp(t_inputs, unless_inputs) == 0) {
        rc = 0; /* the same outcome from the same inputs: nothing to keep */
        goto out;
    }
    for (int i = 0; rules && i < rules->nsets; i++) {
        int known;
        json_object_set_new(versions, rules->sets[i].regime, json_string(rules->sets[i].version));
        /* One rule file not kept yet goes with this change, not all of
         * them: the first change after a load would otherwise write some
         * 130 KB.  The rules in force explain from memory meanwhile. */
        if (archived)
            continue;
        if ((known = store_rule_text_known(db, rules->sets[i].hash, err)) < 0)
            goto out;
        if (!known) {
            if (store_rule_text_put(db, rules->sets[i].hash, "rules", rules->sets[i].text, err) !=
                0)
                goto out;
            archived = true;
        }
    }
    if (store_rule_text_put(db, phash, "profile", t_profile, err) != 0)
        goto out;
    t_rules = json_dumps(versions, JSON_COMPACT | JSON_SORT_KEYS);
    compact_regimes(regimes);
    t_result = json_dumps(regimes, JSON_COMPACT);
    rc = t_rules && t_inputs && t_result
             ? store_classification_insert(db, inc->id, at, inc->version, pversion, t_rules,
                                           t_inputs, t_result, err)
             : mp_error_set(err, 500, "", "out of memory");
out:
    free(t_rules);
    free(t_inputs);
    free(t_result);
    free(t_profile);
    json_decref(versions);
    return rc;
}

int
classify_inputs_read(sqlite3 *db, json_t *inputs, struct mp_error *err)
{
    const char *hash = json_string_value(json_object_get(inputs, "profile_hash"));
    char *text = NULL;
    json_t *profile;

    if (hash == NULL)
        return 0; /* written before schema 0020: the profile itself */
    if (store_rule_text_get(db, hash, &text, err) != 0)
        return -1;
    profile = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    if (profile == NULL)
        return mp_error_set(err, 500, "", "the stored profile %s is missing", hash);
    json_object_del(inputs, "profile_hash");
    json_object_set_new(inputs, "profile", profile);
    return 0;
}

/* The members of a stored stage's entry that are not the explanation's:
 * its due time and what the incident's clock made of it. */
static void
stage_overlay(json_t *full_stages, const json_t *stored_stages)
{
    size_t i, k;
    json_t *st, *x;

    json_array_foreach(full_stages, i, st)
    {
        const char *id = json_string_value(json_object_get(st, "id"));
        json_array_foreach((json_t *)stored_stages, k, x)
        {
            const char *key;
            json_t *v;

            if (strcmp(json_string_value(json_object_get(x, "id")), id) != 0)
                continue;
            json_object_foreach(x, key, v)
            {
                if (strcmp(key, "id") != 0 && strcmp(key, "conditional") != 0)
                    json_object_set(st, key, v);
            }
            break;
        }
    }
}

json_t *
classify_explain_regime(const struct ruleset *rs, const json_t *stored, const json_t *facts,
                        const json_t *profile)
{
    static const char *const decided[] = {"applies",       "significant", "lifted", "effective",
                                          "classified_at", "decision",    NULL};
    json_t *full = rules_evaluate(rs, facts, profile), *rec;

    if (full == NULL)
        return NULL;
    if ((rec = json_object_get(stored, "recurrence")) != NULL) {
        classify_recurrence_overlay(full, rec, true);
        json_object_set(full, "recurrence", rec);
    }
    /* the decision as it was stored is what was decided: the words are
     * laid under it, never over it */
    for (int i = 0; decided[i] != NULL; i++) {
        json_t *v = json_object_get(stored, decided[i]);
        if (v != NULL)
            json_object_set(full, decided[i], v);
    }
    stage_overlay(json_object_get(full, "stages"), json_object_get(stored, "stages"));
    return full;
}

json_t *
classify_explain(sqlite3 *db, const json_t *regimes, const json_t *inputs, struct mp_error *err)
{
    struct rules *rules = rules_acquire();
    const json_t *facts = json_object_get(inputs, "facts");
    const json_t *profile = json_object_get(inputs, "profile");
    json_t *out = json_array(), *all = json_deep_copy(regimes), *r;
    size_t i;

    classify_stored_defaults(all);
    json_array_foreach(all, i, r)
    {
        const char *hash = json_string_value(json_object_get(r, "rules"));
        const struct ruleset *rs = NULL;
        json_t *full = NULL;

        if (hash != NULL && (rs = rules_by_hash(rules, hash, NULL, err)) == NULL) {
            /* an older rule file: compiled from the text kept for it */
            char *text = NULL;
            if (store_rule_text_get(db, hash, &text, err) == 0 && text != NULL)
                rs = rules_by_hash(rules, hash, text, err);
            free(text);
        }
        if (rs != NULL)
            full = classify_explain_regime(rs, r, facts, profile);
        /* written before schema 0020 (the explanation itself), or a rule
         * file no longer to be had: what was stored */
        json_array_append_new(out, full != NULL ? full : json_incref(r));
    }
    json_decref(all);
    rules_release(rules);
    return out;
}
