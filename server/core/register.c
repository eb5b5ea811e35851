/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * register.c - see register.h.
 *
 * The kinds and their fields are the table register_kinds[] below: adding a field is
 * one line there (and a line in docs/PREPAREDNESS.md).  Validation walks
 * the table; references are checked against the database inside the write
 * that stores the item, so a reference can never point at nothing.
 *
 * Scoring follows ISO/IEC 27005 in its simplest common form: likelihood and
 * impact each on 1..5, risk = likelihood x impact; inherent from the first
 * pair, residual from the pair after the existing measures (the inherent
 * pair when no residual one is given).  Bands: 1-4 low, 5-9 medium, 10-16
 * high, 20-25 critical.
 */
#include "register_int.h"
#include "core/assessment.h"
#include "lib/timeutil.h"
#include "lib/uuid.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/incidents.h"
#include "store/register.h"
#include "store/writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const asset_types[] = {"service", "process", "information", "location",
                                          "system",  "people",  NULL};
static const char *const threat_categories[] = {"physical", "digital", "both", NULL};
static const char *const treatments[] = {"reduce", "accept", "avoid", "share", NULL};
static const char *const measure_types[] = {"preventive", "detective", "corrective", "recovery",
                                            NULL};
static const char *const measure_states[] = {"planned", "in_progress", "implemented", "tested",
                                             NULL};
static const char *const plans[] = {"none", "continuity", "crisis", NULL};
static const char *const criticalities[] = {"low", "medium", "high", "critical", NULL};

static const struct field asset_fields[] = {
    {"type", F_ENUM, true, 0, 0, asset_types, NULL, NULL},
    {"importance", F_INT, true, 1, 5, NULL, NULL, NULL},
    {"crown_jewel", F_BOOL, false, 0, 0, NULL, NULL, "false"},
    {"owner", F_TEXT, false, 0, 200, NULL, NULL, "null"},
    {"description", F_TEXT, false, 0, 2000, NULL, NULL, "\"\""},
    {"depends_on", F_REFS, false, 0, 0, NULL, "asset", "[]"},
    {"suppliers", F_REFS, false, 0, 0, NULL, "supplier", "[]"},
    {NULL, 0, 0, 0, 0, NULL, NULL, NULL},
};
static const struct field threat_fields[] = {
    {"category", F_ENUM, true, 0, 0, threat_categories, NULL, NULL},
    {"description", F_TEXT, false, 0, 2000, NULL, NULL, "\"\""},
    {NULL, 0, 0, 0, 0, NULL, NULL, NULL},
};
static const struct field scenario_fields[] = {
    {"threat", F_THREAT, true, 0, 0, NULL, "threat", NULL},
    {"asset", F_REF, true, 0, 0, NULL, "asset", NULL},
    {"description", F_TEXT, false, 0, 2000, NULL, NULL, "\"\""},
    {"likelihood", F_INT, true, 1, 5, NULL, NULL, NULL},
    {"impact", F_INT, true, 1, 5, NULL, NULL, NULL},
    {"residual_likelihood", F_INT, false, 1, 5, NULL, NULL, "null"},
    {"residual_impact", F_INT, false, 1, 5, NULL, NULL, "null"},
    {"treatment", F_ENUM, false, 0, 0, treatments, NULL, "null"},
    {"decided_by", F_TEXT, false, 0, 200, NULL, NULL, "null"},
    {"decision_reason", F_TEXT, false, 0, 2000, NULL, NULL, "null"},
    {NULL, 0, 0, 0, 0, NULL, NULL, NULL},
};
static const struct field measure_fields[] = {
    {"type", F_ENUM, true, 0, 0, measure_types, NULL, NULL},
    {"status", F_ENUM, true, 0, 0, measure_states, NULL, NULL},
    {"scenarios", F_REFS, false, 0, 0, NULL, "scenario", "[]"},
    {"owner", F_TEXT, false, 0, 200, NULL, NULL, "null"},
    {"due_date", F_DATE, false, 0, 0, NULL, NULL, "null"},
    {"evidence", F_TEXT, false, 0, 2000, NULL, NULL, "\"\""},
    {"last_tested", F_DATE, false, 0, 0, NULL, NULL, "null"},
    {"plan", F_ENUM, false, 0, 0, plans, NULL, "\"none\""},
    {"recovery", F_RECOVERY, false, 0, 0, NULL, "asset", "[]"},
    {NULL, 0, 0, 0, 0, NULL, NULL, NULL},
};
static const struct field supplier_fields[] = {
    {"supplies", F_TEXT, true, 1, 500, NULL, NULL, NULL},
    {"services", F_REFS, false, 0, 0, NULL, "asset", "[]"},
    {"criticality", F_ENUM, true, 0, 0, criticalities, NULL, NULL},
    {"contact", F_TEXT, false, 0, 500, NULL, NULL, "\"\""},
    {"alternative", F_TEXT, false, 1, 200, NULL, NULL, "null"},
    {"no_alternative", F_BOOL, false, 0, 0, NULL, NULL, "false"},
    {NULL, 0, 0, 0, 0, NULL, NULL, NULL},
};
static const struct field function_fields[] = {
    {"service", F_REF, true, 0, 0, NULL, "asset", NULL},
    {"description", F_TEXT, false, 0, 2000, NULL, NULL, "\"\""},
    {"people", F_PEOPLE, false, 0, 0, NULL, NULL, "[]"},
    {"training_interval_days", F_INT, false, 1, 3650, NULL, NULL, "365"},
    {NULL, 0, 0, 0, 0, NULL, NULL, NULL},
};

const struct register_kind_def register_kinds[] = {
    {"asset", "assets", asset_fields},          {"threat", "threats", threat_fields},
    {"scenario", "scenarios", scenario_fields}, {"measure", "measures", measure_fields},
    {"supplier", "suppliers", supplier_fields}, {"function", "functions", function_fields},
};
const size_t register_kinds_count = N(register_kinds);

const struct register_kind_def *
register_find_kind(const char *kind)
{
    for (size_t i = 0; kind && i < register_kinds_count; i++) {
        if (strcmp(register_kinds[i].kind, kind) == 0)
            return &register_kinds[i];
    }
    return NULL;
}

const char *
register_kind(const char *plural)
{
    for (size_t i = 0; plural && i < register_kinds_count; i++) {
        if (strcmp(register_kinds[i].plural, plural) == 0)
            return register_kinds[i].kind;
    }
    return NULL;
}

/* ---- scoring and dates ---- */

int
register_score(int likelihood, int impact)
{
    if (likelihood < 1 || likelihood > 5 || impact < 1 || impact > 5)
        return 0;
    return likelihood * impact;
}

const char *
register_level(int score)
{
    static const struct {
        int upto;
        const char *level;
    } bands[] = {{4, "low"}, {9, "medium"}, {16, "high"}, {25, "critical"}};

    for (size_t i = 0; i < N(bands); i++) {
        if (score >= 1 && score <= bands[i].upto)
            return bands[i].level;
    }
    return "none";
}

int64_t
register_date_days(const char *s)
{
    int64_t days;

    return time_parse_date(s, &days, NULL) == 0 ? days : INT64_MIN;
}

bool
register_training_lapsed(const char *trained_on, int64_t interval_days, int64_t today)
{
    int64_t d = register_date_days(trained_on);
    return d == INT64_MIN || today - d > interval_days;
}

/* ---- validation ---- */

struct check {
    sqlite3 *db; /* references are checked here; NULL: not checked */
    struct field_errors *errs;
    const char *self; /* the item's own id (it may not refer to itself) */
};

static bool
is_text(json_t *v, int min, int max)
{
    size_t len;
    if (!json_is_string(v))
        return false;
    len = json_string_length(v);
    return strlen(json_string_value(v)) == len && (int)len >= min && (int)len <= max;
}

bool
register_in_values(const char *const *values, const char *s)
{
    for (int i = 0; s && values[i]; i++) {
        if (strcmp(values[i], s) == 0)
            return true;
    }
    return false;
}

static void
check_ref(struct check *c, const char *field, const char *id, const char *kind)
{
    struct register_row row;
    struct mp_error err;
    int found;

    if (c->self && strcmp(c->self, id) == 0) {
        field_error(c->errs, field, "an item cannot refer to itself");
        return;
    }
    if (c->db == NULL)
        return;
    found = store_register_get(c->db, id, kind, &row, &err);
    store_register_row_free(&row);
    if (found < 0)
        field_errors_fail(c->errs, &err);
    else if (found == 0)
        field_error(c->errs, field, "no %s %s", kind, id);
}

static bool
catalogue_threat(const char *id)
{
    json_t *set = assessment_acquire(), *x;
    size_t i;
    bool found = false;

    json_array_foreach(json_object_get(json_object_get(set, "threats"), "threats"), i, x)
    {
        found = found || strcmp(json_string_value(json_object_get(x, "id")), id) == 0;
    }
    json_decref(set);
    return found;
}

static void
check_date(struct check *c, const char *field, json_t *v)
{
    if (!json_is_null(v) && register_date_days(json_string_value(v)) == INT64_MIN)
        field_error(c->errs, field, "must be a date YYYY-MM-DD or null");
}

static void
check_people(struct check *c, const char *field, json_t *v)
{
    char f[96];
    size_t i;
    json_t *x;

    if (!json_is_array(v) || json_array_size(v) > 200) {
        field_error(c->errs, field, "must be a list of at most 200 {name, trained_on}");
        return;
    }
    json_array_foreach(v, i, x)
    {
        snprintf(f, sizeof(f), "%s[%zu]", field, i);
        if (!json_is_object(x) || json_object_size(x) != 2 ||
            !is_text(json_object_get(x, "name"), 1, 200) ||
            json_object_get(x, "trained_on") == NULL) {
            field_error(c->errs, f, "must be {\"name\": text, \"trained_on\": date or null}");
            continue;
        }
        check_date(c, f, json_object_get(x, "trained_on"));
    }
}

static void
check_recovery(struct check *c, const char *field, json_t *v)
{
    char f[96];
    size_t i;
    json_t *x;

    if (!json_is_array(v) || json_array_size(v) > 100) {
        field_error(c->errs, field, "must be a list of at most 100 {service, rto, rpo}");
        return;
    }
    json_array_foreach(v, i, x)
    {
        struct duration d;
        snprintf(f, sizeof(f), "%s[%zu]", field, i);
        if (!json_is_object(x) || json_object_size(x) != 3 ||
            !json_is_string(json_object_get(x, "service")) ||
            !json_is_string(json_object_get(x, "rto")) ||
            !json_is_string(json_object_get(x, "rpo"))) {
            field_error(c->errs, f,
                        "must be {\"service\": asset id, \"rto\": duration, \"rpo\": duration}");
            continue;
        }
        if (duration_parse(json_string_value(json_object_get(x, "rto")), &d) != 0 ||
            duration_parse(json_string_value(json_object_get(x, "rpo")), &d) != 0) {
            field_error(c->errs, f, "rto and rpo must be ISO 8601 durations such as PT4H");
            continue;
        }
        check_ref(c, f, json_string_value(json_object_get(x, "service")), "asset");
    }
}

static void
check_field(struct check *c, const struct field *fd, json_t *v)
{
    const char *f = fd->name;
    size_t i;
    json_t *x;

    if (json_is_null(v)) {
        if (fd->required || fd->def == NULL || strcmp(fd->def, "null") != 0)
            field_error(c->errs, f, "may not be null");
        return;
    }
    switch (fd->type) {
    case F_TEXT:
        if (!is_text(v, fd->min, fd->max))
            field_error(c->errs, f, "must be text of %d to %d characters", fd->min, fd->max);
        break;
    case F_ENUM:
        if (!json_is_string(v) || !register_in_values(fd->values, json_string_value(v))) {
            char list[200] = "";
            for (int k = 0; fd->values[k]; k++)
                snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", k ? ", " : "",
                         fd->values[k]);
            field_error(c->errs, f, "must be one of %s", list);
        }
        break;
    case F_INT:
        if (!json_is_integer(v) || json_integer_value(v) < fd->min ||
            json_integer_value(v) > fd->max)
            field_error(c->errs, f, "must be a whole number from %d to %d", fd->min, fd->max);
        break;
    case F_BOOL:
        if (!json_is_boolean(v))
            field_error(c->errs, f, "must be true or false");
        break;
    case F_DATE:
        check_date(c, f, v);
        break;
    case F_REF:
        if (!json_is_string(v))
            field_error(c->errs, f, "must be the id of a %s", fd->ref);
        else
            check_ref(c, f, json_string_value(v), fd->ref);
        break;
    case F_THREAT:
        if (!json_is_string(v))
            field_error(c->errs, f, "must be a threat id (register or catalogue)");
        else if (!catalogue_threat(json_string_value(v)))
            check_ref(c, f, json_string_value(v), "threat");
        break;
    case F_REFS:
        if (!json_is_array(v) || json_array_size(v) > 100) {
            field_error(c->errs, f, "must be a list of at most 100 %s ids", fd->ref);
            break;
        }
        json_array_foreach(v, i, x)
        {
            char fi[96];
            snprintf(fi, sizeof(fi), "%s[%zu]", f, i);
            if (!json_is_string(x)) {
                field_error(c->errs, fi, "must be the id of a %s", fd->ref);
                continue;
            }
            for (size_t k = 0; k < i; k++) {
                if (json_equal(json_array_get(v, k), x))
                    field_error(c->errs, fi, "is listed twice");
            }
            check_ref(c, fi, json_string_value(x), fd->ref);
        }
        break;
    case F_PEOPLE:
        check_people(c, f, v);
        break;
    case F_RECOVERY:
        check_recovery(c, f, v);
        break;
    }
}

/* Rules across fields, per kind. */
static void
check_rules(struct check *c, const char *kind, json_t *doc)
{
    if (strcmp(kind, "scenario") == 0) {
        bool rl = !json_is_null(json_object_get(doc, "residual_likelihood"));
        bool ri = !json_is_null(json_object_get(doc, "residual_impact"));
        if (rl != ri)
            field_error(c->errs, rl ? "residual_impact" : "residual_likelihood",
                        "residual likelihood and impact go together");
        /* a treatment is a decision: who took it and why */
        if (!json_is_null(json_object_get(doc, "treatment"))) {
            if (json_is_null(json_object_get(doc, "decided_by")))
                field_error(c->errs, "decided_by", "is required with a treatment");
            if (json_is_null(json_object_get(doc, "decision_reason")))
                field_error(c->errs, "decision_reason", "is required with a treatment");
        }
    } else if (strcmp(kind, "supplier") == 0) {
        bool alt = !json_is_null(json_object_get(doc, "alternative"));
        bool none = json_is_true(json_object_get(doc, "no_alternative"));
        if (!alt && !none)
            field_error(c->errs, "alternative",
                        "name the alternative supplier, or set no_alternative: true");
        else if (alt && none)
            field_error(c->errs, "no_alternative", "contradicts the alternative named");
    }
}

/* Checks body against the kind's table; returns the normalised document
 * (every field present, defaults filled in) and the name, or NULL. */
static json_t *
check_body(struct check *c, const struct register_kind_def *k, json_t *body, const char **name)
{
    json_t *doc = json_object(), *v;
    const char *key;
    int before = c->errs->count;

    json_object_foreach(body, key, v)
    {
        bool known = strcmp(key, "name") == 0;
        for (const struct field *fd = k->fields; !known && fd->name; fd++)
            known = strcmp(fd->name, key) == 0;
        if (!known)
            field_error(c->errs, key, "unknown field");
    }
    v = json_object_get(body, "name");
    *name = NULL;
    if (v == NULL)
        field_error(c->errs, "name", "is required");
    else if (!is_text(v, 1, 200))
        field_error(c->errs, "name", "must be text of 1 to 200 characters");
    else
        *name = json_string_value(v);
    for (const struct field *fd = k->fields; fd->name; fd++) {
        v = json_object_get(body, fd->name);
        if (v == NULL) {
            if (fd->required) {
                field_error(c->errs, fd->name, "is required");
                continue;
            }
            json_object_set_new(doc, fd->name, json_loads(fd->def, JSON_DECODE_ANY, NULL));
            continue;
        }
        check_field(c, fd, v);
        json_object_set(doc, fd->name, v);
    }
    if (c->errs->count == before)
        check_rules(c, k->kind, doc);
    if (c->errs->count != before) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

/* ---- rendering ---- */

/* What is derived from the stored fields, added to an item as it is shown. */
static void
derive(json_t *item, const char *kind, json_t *addressed, int64_t today)
{
    json_t *d = json_object();

    if (strcmp(kind, "scenario") == 0) {
        int l = (int)json_integer_value(json_object_get(item, "likelihood"));
        int i = (int)json_integer_value(json_object_get(item, "impact"));
        int rl = (int)json_integer_value(json_object_get(item, "residual_likelihood"));
        int ri = (int)json_integer_value(json_object_get(item, "residual_impact"));
        int inherent = register_score(l, i);
        int residual = json_is_null(json_object_get(item, "residual_likelihood"))
                           ? inherent
                           : register_score(rl, ri);
        json_t *measures =
            json_object_get(addressed, json_string_value(json_object_get(item, "id")));

        json_object_set_new(d, "inherent_score", json_integer(inherent));
        json_object_set_new(d, "inherent_level", json_string(register_level(inherent)));
        json_object_set_new(d, "residual_score", json_integer(residual));
        json_object_set_new(d, "residual_level", json_string(register_level(residual)));
        /* the measures that address it: its existing controls */
        json_object_set_new(d, "measures", measures ? json_incref(measures) : json_array());
    } else if (strcmp(kind, "measure") == 0) {
        const char *st = json_string_value(json_object_get(item, "status"));
        int64_t due = register_date_days(json_string_value(json_object_get(item, "due_date")));
        json_object_set_new(
            d, "overdue",
            json_boolean(due != INT64_MIN && due < today &&
                         (strcmp(st, "planned") == 0 || strcmp(st, "in_progress") == 0)));
    } else if (strcmp(kind, "supplier") == 0) {
        json_object_set_new(d, "no_alternative_risk",
                            json_boolean(json_is_true(json_object_get(item, "no_alternative"))));
    } else if (strcmp(kind, "function") == 0) {
        json_t *lapsed = json_array(), *x;
        int64_t interval = json_integer_value(json_object_get(item, "training_interval_days"));
        size_t k;
        json_array_foreach(json_object_get(item, "people"), k, x)
        {
            if (register_training_lapsed(json_string_value(json_object_get(x, "trained_on")),
                                         interval, today))
                json_array_append(lapsed, json_object_get(x, "name"));
        }
        json_object_set_new(d, "training_lapsed", lapsed);
    }
    if (json_object_size(d) > 0)
        json_object_set(item, "derived", d);
    json_decref(d);
}

static json_t *
row_json(const struct register_row *r)
{
    json_t *item = json_loads(r->doc, 0, NULL);

    if (item == NULL)
        return NULL;
    json_object_set_new(item, "id", json_string(r->id));
    json_object_set_new(item, "kind", json_string(r->kind));
    json_object_set_new(item, "name", json_string(r->name));
    json_object_set_new(item, "version", json_integer(r->version));
    json_object_set_new(item, "created_at", json_string(r->created_at));
    json_object_set_new(item, "created_by", json_string(r->created_by));
    json_object_set_new(item, "updated_at", json_string(r->updated_at));
    json_object_set_new(item, "updated_by", json_string(r->updated_by));
    return item;
}

/* Every item of the register, derived members included. */
int
register_load_all(sqlite3 *db, int64_t now, json_t **out, struct mp_error *err)
{
    struct register_row *rows;
    json_t *all, *x, *addressed;
    size_t i;
    int n;

    *out = NULL;
    if (store_register_list(db, NULL, &rows, &n, err) != 0)
        return -1;
    all = json_array();
    for (int k = 0; k < n; k++) {
        json_t *item = row_json(&rows[k]);
        if (item)
            json_array_append_new(all, item);
    }
    store_register_list_free(rows, n);
    /* scenario id -> the measures that address it, in one pass */
    addressed = json_object();
    json_array_foreach(all, i, x)
    {
        json_t *sc;
        size_t k;
        if (strcmp(json_string_value(json_object_get(x, "kind")), "measure") != 0)
            continue;
        json_array_foreach(json_object_get(x, "scenarios"), k, sc)
        {
            json_t *list = json_object_get(addressed, json_string_value(sc));
            if (list == NULL) {
                list = json_array();
                json_object_set_new(addressed, json_string_value(sc), list);
            }
            json_array_append_new(list, json_pack("{s:O, s:O, s:O}", "id", json_object_get(x, "id"),
                                                  "name", json_object_get(x, "name"), "status",
                                                  json_object_get(x, "status")));
        }
    }
    json_array_foreach(all, i, x)
    {
        derive(x, json_string_value(json_object_get(x, "kind")), addressed,
               time_floor_div(now, 86400));
    }
    json_decref(addressed);
    *out = all;
    return 0;
}

json_t *
register_of_kind(json_t *all, const char *kind)
{
    json_t *items = json_array(), *x;
    size_t i;

    json_array_foreach(all, i, x)
    {
        if (kind == NULL || strcmp(json_string_value(json_object_get(x, "kind")), kind) == 0)
            json_array_append(items, x);
    }
    return items;
}

json_t *
register_brief(json_t *x)
{
    return json_pack("{s:O, s:O, s:O}", "id", json_object_get(x, "id"), "kind",
                     json_object_get(x, "kind"), "name", json_object_get(x, "name"));
}

json_t *
register_by_id(json_t *all, const char *id)
{
    json_t *x;
    size_t i;

    json_array_foreach(all, i, x)
    {
        if (id && strcmp(json_string_value(json_object_get(x, "id")), id) == 0)
            return x;
    }
    return NULL;
}

int
register_list(const char *kind, const char *lang, int64_t now, json_t **out, struct mp_error *err)
{
    sqlite3 *db = db_reader(err);
    json_t *all, *items;

    *out = NULL;
    if (db == NULL || register_load_all(db, now, &all, err) != 0)
        return -1;
    items = register_of_kind(all, kind);
    if (strcmp(kind, "threat") == 0) {
        /* the catalogue first, then the organisation's own threats */
        json_t *set = assessment_acquire(), *cat = json_array(), *x;
        size_t i;
        json_array_foreach(json_object_get(json_object_get(set, "threats"), "threats"), i, x)
        {
            /* the shape of the register's own threats: name and description
             * as text (in lang); both languages under names, descriptions */
            json_t *t = json_deep_copy(x);
            json_t *names = json_object_get(x, "name"), *descs = json_object_get(x, "description");
            json_object_set(t, "names", names);
            json_object_set(t, "descriptions", descs);
            json_object_set(t, "name", json_object_get(names, lang));
            json_object_set(t, "description", json_object_get(descs, lang));
            json_object_set_new(t, "kind", json_string("threat"));
            json_object_set_new(t, "source", json_string("catalogue"));
            json_array_append_new(cat, t);
        }
        json_array_foreach(items, i, x)
        {
            json_object_set_new(x, "source", json_string("register"));
        }
        json_array_extend(cat, items);
        json_decref(items);
        items = cat;
        *out = json_pack("{s:o, s:O}", "items", items, "catalogue_version",
                         json_object_get(json_object_get(set, "threats"), "version"));
        json_decref(set);
    } else {
        *out = json_pack("{s:o}", "items", items);
    }
    json_decref(all);
    return 0;
}

int
register_get(const char *kind, const char *id, int tlp_max, int64_t now, json_t **out,
             int64_t *version, struct mp_error *err)
{
    sqlite3 *db = db_reader(err);
    json_t *all, *item, *incidents;

    *out = NULL;
    if (db == NULL || register_load_all(db, now, &all, err) != 0)
        return -1;
    item = register_by_id(all, id);
    if (item == NULL || strcmp(json_string_value(json_object_get(item, "kind")), kind) != 0) {
        json_decref(all);
        return mp_error_set(err, 404, "", "no %s %s", kind, id);
    }
    if (store_item_incidents(db, id, tlp_max, &incidents, err) != 0) {
        json_decref(all);
        return -1;
    }
    json_object_set_new(item, "incidents", incidents);
    *out = json_incref(item);
    *version = json_integer_value(json_object_get(item, "version"));
    json_decref(all);
    return 0;
}

/* ---- changes ---- */

struct put_change {
    const struct principal *p;
    int64_t now;
    const struct register_kind_def *k;
    const char *id; /* NULL: create */
    json_t *body;
    int64_t if_match;
    struct field_errors *errs;
    char new_id[UUID_TEXT_LEN + 1];
    int64_t version;
};

static int
put_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct put_change *c = arg;
    struct check chk = {.db = db, .errs = c->errs, .self = c->id};
    char at[TIME_RFC3339_LEN], payload[300], *text;
    const char *name, *id = c->id ? c->id : c->new_id;
    json_t *doc;
    int rc;

    doc = check_body(&chk, c->k, c->body, &name);
    if (doc == NULL)
        return mp_error_set(err, 422, "", "the %s is not valid", c->k->kind);
    text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    time_format_rfc3339(c->now, at, sizeof(at));
    if (text == NULL)
        rc = mp_error_set(err, 500, "", "out of memory");
    else if (c->id == NULL) {
        rc = store_register_insert(db, id, c->k->kind, name, text, at, c->p->name, err);
        c->version = 1;
    } else
        rc = store_register_update(db, id, c->k->kind, name, text, c->if_match, at, c->p->name,
                                   &c->version, err);
    free(text);
    json_decref(doc);
    if (rc != 0)
        return -1;
    snprintf(payload, sizeof(payload), "{\"kind\":\"%s\",\"version\":%lld}", c->k->kind,
             (long long)c->version);
    return store_audit_append(db, c->now, c->p->name, c->id ? "register.update" : "register.create",
                              id, payload, err);
}

int
register_put(const struct principal *p, int64_t now, const char *kind, const char *id, json_t *body,
             int64_t if_match, json_t **out, int64_t *version, struct field_errors *errs)
{
    struct put_change c = {
        .p = p, .now = now, .id = id, .body = body, .if_match = if_match, .errs = errs};
    struct mp_error err;

    *out = NULL;
    c.k = register_find_kind(kind);
    if (c.k == NULL) {
        mp_error_set(&err, 404, "", "no register kind %s", kind);
        return field_errors_fail(errs, &err);
    }
    if (id == NULL)
        uuid7_generate(c.new_id);
    if (store_write(put_apply, &c, &err) != 0)
        return field_errors_fail(errs, &err);
    if (register_get(kind, id ? id : c.new_id, p->tlp_max, now, out, version, &err) != 0)
        return field_errors_fail(errs, &err);
    return 0;
}

struct delete_change {
    const struct principal *p;
    int64_t now;
    const char *kind, *id;
};

static int
delete_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct delete_change *c = arg;
    char payload[64];

    if (store_register_delete(db, c->id, c->kind, err) != 0)
        return -1;
    snprintf(payload, sizeof(payload), "{\"kind\":\"%s\"}", c->kind);
    return store_audit_append(db, c->now, c->p->name, "register.delete", c->id, payload, err);
}

int
register_delete(const struct principal *p, int64_t now, const char *kind, const char *id,
                struct mp_error *err)
{
    struct delete_change c = {.p = p, .now = now, .kind = kind, .id = id};

    if (register_find_kind(kind) == NULL)
        return mp_error_set(err, 404, "", "no register kind %s", kind);
    return store_write(delete_apply, &c, err);
}
