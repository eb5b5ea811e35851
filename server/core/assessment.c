/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * assessment.c - see assessment.h: the data loaded and checked, the data
 * in force, and the stored assessments.  The evaluation (answers, size,
 * the NIS2 decision's steps, CER and DORA) is assessment_decide.c.
 */
#include "assessment.h"
#include "assessment_int.h"
#include "core/organisation.h"
#include "lib/buf.h"
#include "lib/embed.h"
#include "lib/file.h"
#include "lib/snapshot.h"
#include "lib/timeutil.h"
#include "lib/uuid.h"
#include "store/assessments.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/writer.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The questions the decision reads, with the type each must have. */
static const struct {
    const char *id;
    const char *type;
} needed[] = {
    {"eu_services", "boolean"},
    {"sector", "sector"},
    {"subsector", "subsector"},
    {"headcount", "integer"},
    {"annual_turnover_eur", "amount"},
    {"balance_sheet_eur", "amount"},
    {"partner_or_linked", "boolean"},
    {"sole_provider", "boolean"},
    {"significant_disruption", "boolean"},
    {"nationally_critical", "boolean"},
    {"member_state_designated", "boolean"},
    {"nis1_operator", "boolean"},
    {"cer_critical", "boolean"},
    {"dora_financial", "boolean"},
};

/* The reasons the code gives itself (the NIS2 decision's are named by its
 * steps and checked with them); each needs its text in law.json. */
static const char *const rule_ids[] = {"size_unknown_finance", "partner_linked",
                                       "cer_designated",       "cer_not_designated",
                                       "cer_possible",         "dora_applies",
                                       "dora_lex_specialis",   "dora_not",
                                       "dora_possible",        NULL};

/* ---- loading ---- */

static int
bad(struct mp_error *err, const char *where, const char *fmt, const char *what)
{
    char msg[160];

    snprintf(msg, sizeof(msg), fmt, what);
    return mp_error_set(err, 0, "", "%s: %s", where, msg);
}

static bool
has_texts(json_t *o)
{
    return json_is_object(o) && json_is_string(json_object_get(o, "en")) &&
           json_is_string(json_object_get(o, "nl"));
}

json_t *
assessment_find_id(json_t *list, const char *id)
{
    size_t i;
    json_t *x;

    json_array_foreach(list, i, x)
    {
        const char *xid = json_string_value(json_object_get(x, "id"));
        if (xid && id && strcmp(xid, id) == 0)
            return x;
    }
    return NULL;
}

int
assessment_size_index(json_t *law, const char *id)
{
    json_t *classes = json_object_get(law, "size_classes");
    size_t i;
    json_t *x;

    json_array_foreach(classes, i, x)
    {
        if (id && strcmp(json_string_value(json_object_get(x, "id")), id) == 0)
            return (int)i;
    }
    return -1;
}

static bool
rule_ref_ok(json_t *rules, json_t *ref)
{
    return ref == NULL || (json_is_string(ref) && json_object_get(rules, json_string_value(ref)));
}

/* Checks the three documents; err->message names the file and the reason. */
static int
validate_set(json_t *set, struct mp_error *err)
{
    json_t *q = json_object_get(set, "questions"), *law = json_object_get(set, "law");
    json_t *threats = json_object_get(set, "threats"), *rules, *classes, *sectors, *x, *s;
    size_t i, k;
    const char *key;

    if (!json_is_string(json_object_get(q, "version")) ||
        !json_is_array(json_object_get(q, "questions")))
        return bad(err, "questions.json", "%s", "needs version and a list of questions");
    json_array_foreach(json_object_get(q, "questions"), i, x)
    {
        if (!json_is_string(json_object_get(x, "id")) ||
            !json_is_string(json_object_get(x, "type")) || !has_texts(json_object_get(x, "text")))
            return bad(err, "questions.json", "%s",
                       "every question needs id, type and text {en, nl}");
    }
    for (i = 0; i < N(needed); i++) {
        x = assessment_find_id(json_object_get(q, "questions"), needed[i].id);
        if (x == NULL)
            return bad(err, "questions.json", "the decision needs question '%s'", needed[i].id);
        if (strcmp(json_string_value(json_object_get(x, "type")), needed[i].type) != 0)
            return bad(err, "questions.json", "question '%s' has the wrong type", needed[i].id);
    }
    if (!json_is_string(json_object_get(law, "version")))
        return bad(err, "law.json", "%s", "needs a version");
    rules = json_object_get(law, "rules");
    if (!json_is_object(rules))
        return bad(err, "law.json", "%s", "needs rules {id: {article, text}}");
    json_object_foreach(rules, key, x)
    {
        if (!json_is_string(json_object_get(x, "article")) ||
            !has_texts(json_object_get(x, "text")))
            return bad(err, "law.json", "rule '%s' needs article and text {en, nl}", key);
    }
    for (i = 0; rule_ids[i]; i++) {
        if (json_object_get(rules, rule_ids[i]) == NULL)
            return bad(err, "law.json", "the decision needs rule '%s'", rule_ids[i]);
    }
    classes = json_object_get(law, "size_classes");
    if (!json_is_array(classes) || json_array_size(classes) < 2)
        return bad(err, "law.json", "%s", "needs at least two size_classes");
    json_array_foreach(classes, i, x)
    {
        bool last = i + 1 == json_array_size(classes);
        if (!json_is_string(json_object_get(x, "id")))
            return bad(err, "law.json", "%s", "every size class needs an id");
        if (!last && (!json_is_integer(json_object_get(x, "headcount_below")) ||
                      !json_is_number(json_object_get(x, "turnover_max_eur")) ||
                      !json_is_number(json_object_get(x, "balance_max_eur"))))
            return bad(err, "law.json", "size class '%s' needs its ceilings",
                       json_string_value(json_object_get(x, "id")));
    }
    if (assessment_decision_check(law, json_object_get(q, "questions"), err) != 0)
        return -1;
    sectors = json_object_get(law, "sectors");
    if (!json_is_array(sectors))
        return bad(err, "law.json", "%s", "needs a list of sectors");
    json_array_foreach(sectors, i, x)
    {
        const char *id = json_string_value(json_object_get(x, "id"));
        const char *annex = json_string_value(json_object_get(x, "annex"));
        if (id == NULL || annex == NULL || (strcmp(annex, "I") != 0 && strcmp(annex, "II") != 0) ||
            !json_is_array(json_object_get(x, "subsectors")))
            return bad(err, "law.json", "%s", "every sector needs id, annex I or II, subsectors");
        json_array_foreach(json_object_get(x, "subsectors"), k, s)
        {
            json_t *efs = json_object_get(s, "essential_from_size");
            if (!json_is_string(json_object_get(s, "id")) ||
                !rule_ref_ok(rules, json_object_get(s, "in_scope_any_size")) ||
                !rule_ref_ok(rules, json_object_get(s, "essential_any_size")) ||
                !rule_ref_ok(rules, json_object_get(s, "uncertain")) ||
                (efs &&
                 (assessment_size_index(law, json_string_value(json_object_get(efs, "size"))) < 0 ||
                  !rule_ref_ok(rules, json_object_get(efs, "rule")))))
                return bad(err, "law.json", "a subsector of '%s' names an unknown rule or size",
                           id);
        }
    }
    if (!json_is_array(json_object_get(threats, "threats")))
        return bad(err, "threats.json", "%s", "needs a list of threats");
    json_array_foreach(json_object_get(threats, "threats"), i, x)
    {
        if (!json_is_string(json_object_get(x, "id")) || !has_texts(json_object_get(x, "name")))
            return bad(err, "threats.json", "%s", "every threat needs id and name {en, nl}");
    }
    return 0;
}

static const char *const files[] = {"questions", "law", "threats"};

static json_t *
parse(const char *where, const char *text, size_t len, struct mp_error *err)
{
    json_error_t je;
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);

    if (doc == NULL)
        mp_error_set(err, 0, "", "%s:%d:%d: %s", where, je.line, je.column, je.text);
    else if (!json_is_object(doc)) {
        mp_error_set(err, 0, "", "%s: not a JSON object", where);
        json_decref(doc);
        doc = NULL;
    }
    return doc;
}

static int
finish(json_t *set, const char *dir, json_t **out, struct mp_error *err)
{
    json_object_set_new(set, "dir", json_string(dir));
    if (validate_set(set, err) != 0) {
        char msg[sizeof(err->message)];
        snprintf(msg, sizeof(msg), "%s", err->message);
        mp_error_set(err, 0, "", "%s/%s", dir, msg);
        json_decref(set);
        return -1;
    }
    *out = set;
    return 0;
}

int
assessment_load_builtin(json_t **out, struct mp_error *err)
{
    json_t *set = json_object();

    *out = NULL;
    mp_error_clear(err);
    for (size_t i = 0; i < N(files); i++) {
        char name[64];
        json_t *doc = NULL;

        snprintf(name, sizeof(name), "%s.json", files[i]);
        for (size_t k = 0; k < assessment_files_count; k++) {
            if (strcmp(assessment_files[k].name, name) == 0)
                doc = parse(name, (const char *)assessment_files[k].data, assessment_files[k].len,
                            err);
        }
        if (doc == NULL) {
            if (err->message[0] == '\0')
                mp_error_set(err, 0, "", "(built in): no %s", name);
            json_decref(set);
            return -1;
        }
        json_object_set_new(set, files[i], doc);
    }
    return finish(set, "(built in)", out, err);
}

int
assessment_load(const char *dir, json_t **out, struct mp_error *err)
{
    json_t *set = json_object();

    *out = NULL;
    for (size_t i = 0; i < N(files); i++) {
        char path[PATH_MAX], *text;
        size_t len;
        json_t *doc;

        snprintf(path, sizeof(path), "%s/%s.json", dir, files[i]);
        text = file_read(path, 1u << 20, &len, err);
        if (text == NULL) {
            json_decref(set);
            return -1;
        }
        doc = parse(path, text, len, err);
        free(text);
        if (doc == NULL) {
            json_decref(set);
            return -1;
        }
        json_object_set_new(set, files[i], doc);
    }
    return finish(set, dir, out, err);
}

static void
set_hold(void *set)
{
    json_incref(set);
}

static void
set_drop(void *set)
{
    json_decref(set);
}

static struct snapshot current = SNAPSHOT_INIT(set_hold, set_drop);

void
assessment_install(json_t *set)
{
    snapshot_install(&current, set);
}

#ifdef MP_TEST_BUILD
/* Unit tests set this to see what happens when no data can be loaded. */
bool assessment_test_unloaded;
#endif

/* Tests and CLI commands that never installed data: the built-in copy. */
static void *
builtin(void)
{
    struct mp_error err;
    json_t *set;

    return assessment_load_builtin(&set, &err) == 0 ? set : NULL;
}

json_t *
assessment_acquire(void)
{
#ifdef MP_TEST_BUILD
    if (assessment_test_unloaded)
        return NULL;
#endif
    return snapshot_acquire(&current, builtin);
}

json_t *
assessment_questionnaire(json_t *set)
{
    json_t *q = json_object_get(set, "questions"), *law = json_object_get(set, "law");
    json_t *rules = json_object_get(law, "rules");

    return json_pack(
        "{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:[O], s:O}", "version", json_object_get(q, "version"),
        "law_version", json_object_get(law, "version"), "title", json_object_get(q, "title"),
        "questions", json_object_get(q, "questions"), "sectors", json_object_get(law, "sectors"),
        "size_classes", json_object_get(law, "size_classes"), "notes",
        json_object_get(law, "notes"), "caveats", json_object_get(rules, "partner_linked"),
        "source", json_object_get(law, "source"));
}

/* ---- stored assessments ---- */

struct create_change {
    const struct principal *p;
    int64_t now;
    const char *id, *lang, *answers, *result, *nis2, *law_version, *q_version;
    char at[TIME_RFC3339_LEN];
};

static int
create_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct create_change *c = arg;
    char payload[160];

    time_format_rfc3339(c->now, c->at, sizeof(c->at));
    if (store_assessment_insert(db,
                                &(struct assessment_row){.id = c->id,
                                                         .created_at = c->at,
                                                         .created_by = c->p->name,
                                                         .language = c->lang,
                                                         .law_version = c->law_version,
                                                         .questionnaire_version = c->q_version,
                                                         .answers = c->answers,
                                                         .result = c->result,
                                                         .nis2 = c->nis2},
                                err) != 0)
        return -1;
    snprintf(payload, sizeof(payload), "{\"nis2\":\"%s\"}", c->nis2);
    return store_audit_append(db, c->now, c->p->name, "assessment.create", c->id, payload, err);
}

int
assessment_create(const struct principal *p, int64_t now, json_t *answers, const char *lang,
                  json_t **out, struct field_errors *errs)
{
    json_t *set = assessment_acquire(), *result = NULL;
    struct create_change c = {.p = p, .now = now, .lang = lang};
    struct mp_error err;
    char id[UUID_TEXT_LEN + 1];
    char *a_text = NULL, *r_text = NULL;
    int rc = -1;

    *out = NULL;
    if (set == NULL) {
        field_error(errs, "", "no assessment data loaded");
        errs->items[errs->count - 1].status = 503;
        return -1;
    }
    if (assessment_evaluate(set, answers, lang, &result, errs) != 0)
        goto out;
    uuid7_generate(id);
    a_text = json_dumps(answers, JSON_COMPACT | JSON_SORT_KEYS);
    r_text = json_dumps(result, JSON_COMPACT | JSON_SORT_KEYS);
    if (a_text == NULL || r_text == NULL) {
        field_error(errs, "", "out of memory");
        goto out;
    }
    c.id = id;
    c.answers = a_text;
    c.result = r_text;
    c.nis2 = json_string_value(json_object_get(json_object_get(result, "nis2"), "outcome"));
    c.law_version = json_string_value(json_object_get(result, "law_version"));
    c.q_version = json_string_value(json_object_get(result, "questionnaire_version"));
    if (store_write(create_apply, &c, &err) != 0) {
        field_errors_fail(errs, &err);
        goto out;
    }
    rc = assessment_get(id, out, &err);
    if (rc != 0)
        field_errors_fail(errs, &err);
out:
    free(a_text);
    free(r_text);
    json_decref(result);
    json_decref(set);
    return rc;
}

int
assessment_list(json_t **out, struct mp_error *err)
{
    sqlite3 *db = db_reader(err);

    *out = NULL;
    if (db == NULL)
        return -1;
    return store_assessment_list(db, out, err);
}

int
assessment_get(const char *id, json_t **out, struct mp_error *err)
{
    sqlite3 *db = db_reader(err);

    *out = NULL;
    if (db == NULL)
        return -1;
    return store_assessment_get(db, id, out, err);
}

struct apply_change {
    const struct principal *p;
    int64_t now;
    const char *id;
    struct field_errors *errs;
};

static int
apply_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct apply_change *c = arg;
    json_t *a = NULL, *doc = NULL, *proposed, *payload = NULL;
    char at[TIME_RFC3339_LEN], *text = NULL;
    int64_t version;
    int rc = -1;

    if (store_assessment_get(db, c->id, &a, err) != 0)
        return -1;
    if (organisation_load(db, &doc, &version, NULL, err) != 0)
        goto out;
    proposed = json_object_get(json_object_get(a, "result"), "profile");
    json_object_update_existing(doc, proposed);
    if (!organisation_validate(doc, c->errs)) {
        mp_error_set(err, 422, "", "the result does not fit the profile");
        goto out;
    }
    text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    time_format_rfc3339(c->now, at, sizeof(at));
    if (text == NULL || store_assessment_mark_applied(db, c->id, at, c->p->name, err) != 0)
        goto out;
    /* the class may be null: the questionnaire could not decide it */
    payload = json_pack("{s:s, s:O}", "assessment", c->id, "nis2_class",
                        json_object_get(doc, "nis2_class"));
    if (store_audit_append_json(db, c->now, c->p->name, "assessment.apply", "organisation", payload,
                                err) != 0)
        goto out;
    rc = organisation_replace(db, c->p, c->now, text, -1, &version, err);
out:
    free(text);
    json_decref(payload);
    json_decref(doc);
    json_decref(a);
    return rc;
}

int
assessment_apply(const struct principal *p, int64_t now, const char *id, json_t **out,
                 struct field_errors *errs)
{
    struct apply_change c = {.p = p, .now = now, .id = id, .errs = errs};
    struct mp_error err;
    char at[32];
    int64_t version;

    *out = NULL;
    if (store_write(apply_apply, &c, &err) != 0)
        return field_errors_fail(errs, &err);
    if (organisation_get(out, &version, at, &err) != 0)
        return field_errors_fail(errs, &err);
    json_object_set_new(*out, "version", json_integer(version));
    json_object_set_new(*out, "updated_at", json_string(at));
    return 0;
}
