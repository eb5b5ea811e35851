/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * formats.c - the format files: loading and checking (`meldpunt formats
 * check`).  See formats.h and docs/FORMATS.md.
 *
 * A format file is checked as strictly as a rule file, because a mistake
 * in it would put a wrong value in a report to an authority without
 * anybody noticing: every source path must name something meldpunt holds
 * (a draft content must exist in one of the regime's stages in the rules
 * in force), every value a map can produce must be in the code list, and
 * a field without a source must say why, in both languages, so the export
 * can tell the reader.
 */
#include "core/formats.h"
#include "core/incident.h"
#include "lib/embed.h"
#include "lib/file.h"

#include <stdio.h>
#include <string.h>

#define FORMATS_MAX  32
#define FIELDS_MAX   400
#define FIELD_ID_MAX 64

static const char *const types[] = {"text",   "datetime", "code",     "codes", "list",
                                    "number", "boolean",  "duration", NULL};
static const char *const incident_paths[] = {
    "id",       "ref",        "title",       "description", "category",
    "cause",    "severity",   "state",       "assignee",    "tlp",
    "kind",     "root_cause", "detected_at", "aware_at",    "started_at",
    "ended_at", "services",   "created_at",  "updated_at",  "root_cause_category",
    NULL};
static const char *const profile_paths[] = {"name",
                                            "country",
                                            "sector",
                                            "subsector",
                                            "nis2_class",
                                            "entity_types",
                                            "cer_critical",
                                            "dora_financial",
                                            "annual_turnover_eur",
                                            "microenterprise",
                                            "kvk_number",
                                            "address",
                                            NULL};
static const char *const notification_paths[] = {"id",
                                                 "regime",
                                                 "stage",
                                                 "language",
                                                 "state",
                                                 "signed_by",
                                                 "signed_at",
                                                 "submitted_at",
                                                 "authority_reference",
                                                 "obligation",
                                                 NULL};

static bool
in_list(const char *const *list, const char *s)
{
    for (; *list; list++) {
        if (strcmp(*list, s) == 0)
            return true;
    }
    return false;
}

static bool
fail(struct mp_error *err, const char *file, const char *path, const char *fmt, const char *arg)
{
    char reason[150];

    snprintf(reason, sizeof(reason), fmt, arg ? arg : "");
    mp_error_set(err, 0, "", "%s: %s: %s", file, path, reason);
    return false;
}

static bool
is_text(const json_t *t)
{
    return json_is_object(t) && json_object_size(t) == 2 &&
           json_string_length(json_object_get(t, "en")) > 0 &&
           json_string_length(json_object_get(t, "nl")) > 0;
}

static bool
in_array(const json_t *a, const char *s)
{
    size_t i;
    json_t *v;

    json_array_foreach(a, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
            return true;
    }
    return false;
}

/* A draft content of regime's stages in the rules r. */
static bool
draft_content(const struct rules *r, const char *regime, const char *id)
{
    const struct ruleset *rs = rules_find(r, regime);
    size_t i;
    json_t *c;

    for (int s = 0; rs && s < rs->nstages; s++) {
        json_array_foreach(json_object_get(rs->stages[s].def, "contents"), i, c)
        {
            if (strcmp(json_string_value(json_object_get(c, "id")), id) == 0)
                return true;
        }
    }
    return false;
}

/* One source path: "incident.ref", "facts.users_affected", ... */
static bool
check_path(const char *p, const char *regime, const struct rules *r)
{
    const char *dot = strchr(p, '.');
    const char *rest = dot ? dot + 1 : "";
    size_t n = dot ? (size_t)(dot - p) : 0;

    if (dot == NULL || *rest == '\0')
        return false;
    if (n == 8 && strncmp(p, "incident", n) == 0)
        return in_list(incident_paths, rest);
    if (n == 7 && strncmp(p, "profile", n) == 0)
        return in_list(profile_paths, rest);
    if (n == 12 && strncmp(p, "notification", n) == 0)
        return in_list(notification_paths, rest);
    if (n == 5 && strncmp(p, "facts", n) == 0) {
        for (size_t i = 0; i < impact_facts_count; i++) {
            if (strcmp(impact_facts[i].name, rest) == 0)
                return true;
        }
        return false;
    }
    if (n == 5 && strncmp(p, "draft", n) == 0)
        return r == NULL || draft_content(r, regime, rest);
    return false;
}

static bool
check_from(const json_t *from, const char *regime, const struct rules *r, const char *file,
           const char *path, struct mp_error *err)
{
    size_t i;
    json_t *p;

    if (json_is_string(from))
        return check_path(json_string_value(from), regime, r)
                   ? true
                   : fail(err, file, path,
                          "unknown source '%s' (incident.*, facts.*, profile.*, draft.* of the "
                          "regime's contents, notification.*)",
                          json_string_value(from));
    if (!json_is_array(from) || json_array_size(from) == 0 || json_array_size(from) > 8)
        return fail(err, file, path, "must be a source path or a list of 1 to 8 of them", NULL);
    json_array_foreach(from, i, p)
    {
        if (!json_is_string(p))
            return fail(err, file, path, "must be a source path or a list of them", NULL);
        if (!check_from(p, regime, r, file, path, err))
            return false;
    }
    return true;
}

/* The field's code list, map and length limit. */
static bool
check_values(const json_t *doc, const json_t *f, const char *type, const char *file,
             const char *path, struct mp_error *err)
{
    const json_t *list = json_object_get(json_object_get(doc, "code_lists"),
                                         json_string_value(json_object_get(f, "code_list")));
    const json_t *map = json_object_get(f, "map"), *max = json_object_get(f, "max_length"), *v;
    bool coded = strcmp(type, "code") == 0 || strcmp(type, "codes") == 0;
    const char *key;

    if (coded && list == NULL)
        return fail(err, file, path, "type %s needs a code_list of this file", type);
    if (!coded && (json_object_get(f, "code_list") || map))
        return fail(err, file, path, "code_list and map are for the types code and codes", NULL);
    if (map && !json_is_object(map))
        return fail(err, file, path, "map must be an object of source value to code", NULL);
    json_object_foreach((json_t *)map, key, v)
    {
        if (!json_is_null(v) && !json_is_string(v))
            return fail(err, file, path, "map value for '%s' must be a code or null", key);
        if (json_is_string(v) && !in_array(list, json_string_value(v)))
            return fail(err, file, path, "map gives '%s', which is not in its code list",
                        json_string_value(v));
    }
    if (max && (strcmp(type, "text") != 0 || !json_is_integer(max) || json_integer_value(max) < 1 ||
                json_integer_value(max) > 100000))
        return fail(err, file, path, "max_length is for text: a number from 1 to 100000", NULL);
    return true;
}

static bool
check_field(const json_t *doc, const json_t *f, const char *file, const char *path,
            const struct rules *r, struct mp_error *err)
{
    static const char *const members[] = {"id",       "section",    "name",       "type",
                                          "required", "from",       "unfillable", "code_list",
                                          "map",      "max_length", "stages",     NULL};
    const char *id = json_string_value(json_object_get(f, "id"));
    const char *section = json_string_value(json_object_get(f, "section"));
    const char *type = json_string_value(json_object_get(f, "type"));
    const char *regime = json_string_value(json_object_get(doc, "regime"));
    const json_t *stages = json_object_get(doc, "stages"), *from = json_object_get(f, "from");
    const json_t *why = json_object_get(f, "unfillable"), *req = json_object_get(f, "required");
    const char *key;
    json_t *v;
    size_t i;

    if (!json_is_object(f))
        return fail(err, file, path, "must be an object", NULL);
    json_object_foreach((json_t *)f, key, v)
    {
        if (!in_list(members, key))
            return fail(err, file, path, "unknown member '%s'", key);
    }
    if (id == NULL || id[0] == '\0' || strlen(id) > FIELD_ID_MAX)
        return fail(err, file, path, "id must be text of 1 to 64 characters", NULL);
    if (section == NULL || strncmp(id, section, strlen(section)) != 0 || id[strlen(section)] != '.')
        return fail(err, file, path, "id must start with its section and a dot", NULL);
    if (!is_text(json_object_get(f, "name")))
        return fail(err, file, path, "name must be {\"en\": text, \"nl\": text}", NULL);
    if (type == NULL || !in_list(types, type))
        return fail(err, file, path,
                    "type must be text, datetime, code, codes, list, number, boolean or duration",
                    NULL);
    if (req && !json_is_array(req))
        return fail(err, file, path, "required must be a list of the format's stages", NULL);
    json_array_foreach(req, i, v)
    {
        if (!json_is_string(v) || !in_array(stages, json_string_value(v)))
            return fail(err, file, path, "required names '%s', not a stage of this format",
                        json_is_string(v) ? json_string_value(v) : "?");
    }
    json_array_foreach(json_object_get(f, "stages"), i, v)
    {
        if (!json_is_string(v) || !in_array(stages, json_string_value(v)))
            return fail(err, file, path, "stages names '%s', not a stage of this format",
                        json_is_string(v) ? json_string_value(v) : "?");
    }
    if (from && why)
        return fail(err, file, path, "has both from and unfillable: one or the other", NULL);
    if (from == NULL && why == NULL)
        return fail(err, file, path,
                    json_array_size(req) > 0
                        ? "is required but has no mapping: give 'from', or 'unfillable' with the "
                          "reason"
                        : "has no mapping: give 'from', or 'unfillable' with the reason",
                    NULL);
    if (why && !is_text(why))
        return fail(err, file, path, "unfillable must be the reason, {\"en\": text, \"nl\": text}",
                    NULL);
    if (from && !check_from(from, regime, r, file, path, err))
        return false;
    return check_values(doc, f, type, file, path, err);
}

static bool
check_head(const json_t *doc, const char *file, const struct rules *r, struct mp_error *err)
{
    static const char *const members[] = {"format",     "version", "regime",  "layout", "status",
                                          "title",      "source",  "sources", "notes",  "stages",
                                          "code_lists", "fields",  NULL};
    const char *regime = json_string_value(json_object_get(doc, "regime"));
    const char *layout = json_string_value(json_object_get(doc, "layout"));
    const char *status = json_string_value(json_object_get(doc, "status"));
    const char *key;
    json_t *v, *s;
    size_t i;

    if (!json_is_object(doc))
        return fail(err, file, "$", "must be a JSON object", NULL);
    json_object_foreach((json_t *)doc, key, v)
    {
        if (!in_list(members, key))
            return fail(err, file, "$", "unknown member '%s'", key);
    }
    if (json_string_length(json_object_get(doc, "format")) == 0 ||
        json_string_length(json_object_get(doc, "version")) == 0 ||
        json_string_length(json_object_get(doc, "source")) == 0)
        return fail(err, file, "$", "format, version and source are required text", NULL);
    if (status == NULL || (strcmp(status, "UNCONFIRMED") != 0 && strcmp(status, "confirmed") != 0))
        return fail(err, file, "$.status", "must be UNCONFIRMED or confirmed", NULL);
    if (layout == NULL || (strcmp(layout, "numbered") != 0 && strcmp(layout, "sections") != 0))
        return fail(err, file, "$.layout", "must be numbered or sections", NULL);
    if (!is_text(json_object_get(doc, "title")))
        return fail(err, file, "$.title", "must be {\"en\": text, \"nl\": text}", NULL);
    if (regime == NULL || (r && rules_find(r, regime) == NULL))
        return fail(err, file, "$.regime", "'%s' is not a regime of the rules in force",
                    regime ? regime : "");
    if (!json_is_array(json_object_get(doc, "stages")) ||
        json_array_size(json_object_get(doc, "stages")) == 0)
        return fail(err, file, "$.stages", "must be a list of the regime's stages", NULL);
    json_array_foreach(json_object_get(doc, "stages"), i, s)
    {
        if (!json_is_string(s) ||
            (r && rules_find_stage(rules_find(r, regime), json_string_value(s)) == NULL))
            return fail(err, file, "$.stages", "'%s' is not a stage of the regime",
                        json_is_string(s) ? json_string_value(s) : "?");
    }
    v = json_object_get(doc, "code_lists");
    if (v && !json_is_object(v))
        return fail(err, file, "$.code_lists", "must be an object of lists", NULL);
    json_object_foreach(v, key, s)
    {
        json_t *c;
        size_t k;
        if (!json_is_array(s) || json_array_size(s) == 0)
            return fail(err, file, "$.code_lists", "'%s' must be a list of codes", key);
        json_array_foreach(s, k, c)
        {
            if (!json_is_string(c) || json_string_length(c) == 0)
                return fail(err, file, "$.code_lists", "'%s' holds a code that is not text", key);
            for (size_t j = 0; j < k; j++) {
                if (json_equal(c, json_array_get(s, j)))
                    return fail(err, file, "$.code_lists", "duplicate code '%s'",
                                json_string_value(c));
            }
        }
    }
    return true;
}

bool
formats_check(const json_t *doc, const char *file, const struct rules *r, struct mp_error *err)
{
    const json_t *fields = json_object_get(doc, "fields");
    char path[64];
    json_t *f;
    size_t i;

    if (!check_head(doc, file, r, err))
        return false;
    if (!json_is_array(fields) || json_array_size(fields) == 0 ||
        json_array_size(fields) > FIELDS_MAX)
        return fail(err, file, "$.fields", "must be a list of 1 to 400 fields", NULL);
    json_array_foreach(fields, i, f)
    {
        snprintf(path, sizeof(path), "$.fields[%zu]", i);
        if (!check_field(doc, f, file, path, r, err))
            return false;
        for (size_t j = 0; j < i; j++) {
            if (json_equal(json_object_get(f, "id"),
                           json_object_get(json_array_get(fields, j), "id")))
                return fail(err, file, path, "duplicate field id '%s'",
                            json_string_value(json_object_get(f, "id")));
        }
    }
    return true;
}

struct load {
    const struct rules *r;
    json_t *list;
};

static int
load_one(void *arg, int index, int count, const char *path, const char *text, size_t len,
         struct mp_error *err)
{
    struct load *l = arg;
    json_error_t je;
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);

    (void)index;
    (void)count;
    if (doc == NULL)
        return mp_error_set(err, 0, "", "%s: line %d: %s", path, je.line, je.text);
    if (!formats_check(doc, path, l->r, err)) {
        json_decref(doc);
        return -1;
    }
    if (formats_find(l->list, json_string_value(json_object_get(doc, "format")))) {
        mp_error_set(err, 0, "", "%s: $.format: '%s' is also the name of another format file", path,
                     json_string_value(json_object_get(doc, "format")));
        json_decref(doc);
        return -1;
    }
    return json_array_append_new(l->list, doc) == 0 ? 0 : mp_error_set(err, 500, "", "no memory");
}

int
formats_load(const char *dir, const struct rules *r, json_t **out, struct mp_error *err)
{
    struct load l = {.r = r, .list = json_array()};

    *out = NULL;
    if (file_load_set(dir, ".json", FORMATS_MAX, formats_files, formats_files_count, "formats",
                      load_one, &l, err) != 0) {
        json_decref(l.list);
        return -1;
    }
    *out = l.list;
    return 0;
}

const json_t *
formats_find(const json_t *list, const char *id)
{
    return file_set_find(list, "format", id);
}

json_t *
formats_summary(const json_t *list)
{
    json_t *out = json_array(), *d;
    size_t i;

    json_array_foreach(list, i, d)
    {
        json_array_append_new(
            out,
            json_pack("{s:O, s:O, s:O, s:O, s:O, s:O}", "format", json_object_get(d, "format"),
                      "version", json_object_get(d, "version"), "regime",
                      json_object_get(d, "regime"), "title", json_object_get(d, "title"), "status",
                      json_object_get(d, "status"), "stages", json_object_get(d, "stages")));
    }
    return out;
}
