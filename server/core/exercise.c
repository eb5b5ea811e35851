/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * exercise.c - the exercise clock and the scenarios (see exercise.h).
 *
 * The clock is a list of segments, appended at each start, pause, resume
 * or change of speed and never rewritten, so the exercise time of any real
 * moment of a run can be worked out afterwards: the report says when the
 * team met a deadline in the exercise's time, not the wall clock's.
 *
 * A scenario is checked whole when it is loaded, like a rule file: every
 * member known, both languages present, each inject's offset a duration
 * within EXERCISE_OFFSET_MAX and not before the one above it, and its
 * facts and incident fields what an incident takes (checked by the
 * incident's own decoder, so a scenario cannot name a fact that does not
 * exist).  The first problem is the error, with the file and the path.
 */
#include "exercise.h"
#include "core/incident.h"
#include "lib/embed.h"
#include "lib/file.h"
#include "lib/timeutil.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define SCENARIOS_MAX 64
#define TEXT_MAX      4000

/* ---- the clock ---- */

int64_t
exercise_time_at(const struct exercise_segment *s, int n, int64_t real)
{
    int i = n - 1;

    if (n == 0)
        return real;
    while (i > 0 && s[i].real_at > real)
        i--;
    if (!s[i].running || real <= s[i].real_at)
        return s[i].ex_at;
    return s[i].ex_at + (int64_t)floor((double)(real - s[i].real_at) * s[i].speed);
}

int64_t
exercise_real_when(const struct exercise_segment *s, int n, int64_t from, int64_t ex)
{
    const struct exercise_segment *last;
    int64_t start;

    if (n == 0)
        return ex > from ? ex : from;
    if (exercise_time_at(s, n, from) >= ex)
        return from;
    last = &s[n - 1];
    if (!last->running)
        return INT64_MAX;
    start = last->real_at > from ? last->real_at : from;
    /* the first whole second at which floor(elapsed x speed) reaches it */
    for (int64_t t = last->real_at + (int64_t)floor((double)(ex - last->ex_at) / last->speed);;
         t++) {
        if (t >= start && exercise_time_at(s, n, t) >= ex)
            return t;
    }
}

struct exercise_segment
exercise_clock_next(const struct exercise_segment *s, int n, int64_t now, bool running,
                    double speed)
{
    struct exercise_segment next = {.real_at = now, .ex_at = now, .speed = 1, .running = running};

    if (n > 0) {
        next.ex_at = exercise_time_at(s, n, now);
        next.speed = s[n - 1].speed;
    }
    if (speed > 0)
        next.speed = speed;
    return next;
}

/* ---- scenarios ---- */

static const struct {
    const char *kind, *en, *nl;
} kinds[] = {
    {"facts", "New facts", "Nieuwe feiten"},
    {"alert", "Alert", "Melding uit de monitoring"},
    {"authority_question", "Question from the authority", "Vraag van de toezichthouder"},
    {"supplier_outage", "Supplier outage", "Storing bij een leverancier"},
    {"media", "Press enquiry", "Vraag van de pers"},
    {"note", "Information", "Informatie"},
};

const char *
exercise_kind_label(const char *kind, bool nl)
{
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (kind && strcmp(kinds[i].kind, kind) == 0)
            return nl ? kinds[i].nl : kinds[i].en;
    }
    return NULL;
}

int64_t
exercise_inject_offset(const json_t *inject)
{
    const char *at = json_string_value(json_object_get(inject, "at"));
    struct duration d;

    if (at == NULL || duration_parse(at, &d) != 0 || d.years || d.months)
        return -1;
    return d.days * (int64_t)86400 + d.seconds;
}

static bool
only_members(const json_t *o, const char *const names[], const char *file, const char *path,
             struct mp_error *err)
{
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)o, key, v)
    {
        bool known = false;
        for (int i = 0; names[i] && !known; i++)
            known = strcmp(names[i], key) == 0;
        if (!known) {
            mp_error_set(err, 0, key, "%s: %s.%s: unknown member", file, path, key);
            return false;
        }
    }
    return true;
}

/* {nl, en}: both non-empty text. */
static bool
check_text(const json_t *v, const char *file, const char *path, struct mp_error *err)
{
    static const char *const langs[] = {"nl", "en", NULL};

    if (!json_is_object(v)) {
        mp_error_set(err, 0, "",
                     "%s: %s: must be an object {nl, en} with the text in Dutch and "
                     "English",
                     file, path);
        return false;
    }
    for (int i = 0; langs[i]; i++) {
        const char *s = json_string_value(json_object_get(v, langs[i]));
        if (s == NULL || s[0] == '\0' || strlen(s) > TEXT_MAX) {
            mp_error_set(err, 0, "", "%s: %s.%s: must be text of 1 to %d bytes", file, path,
                         langs[i], TEXT_MAX);
            return false;
        }
    }
    return only_members(v, langs, file, path, err);
}

/* facts and fields as a patch of an incident: what the incident's decoder
 * refuses, the scenario may not hold. */
static bool
check_patch(const json_t *inject, const char *file, const char *path, struct mp_error *err)
{
    static const char *const times[] = {"detected_at", "aware_at", "started_at", "ended_at",
                                        "exercise",    "impact",   NULL};
    const json_t *facts = json_object_get(inject, "facts"),
                 *fields = json_object_get(inject, "fields");
    struct field_errors errs = {0};
    struct incident tmp;
    json_t *patch;
    bool ok;

    if ((facts && !json_is_object(facts)) || (fields && !json_is_object(fields))) {
        mp_error_set(err, 0, "", "%s: %s: facts and fields must be objects", file, path);
        return false;
    }
    for (int i = 0; fields && times[i]; i++) {
        if (json_object_get(fields, times[i])) {
            mp_error_set(err, 0, "", "%s: %s.fields.%s: not set by a scenario%s", file, path,
                         times[i],
                         strcmp(times[i], "impact") == 0 ? " (facts go in facts)"
                                                         : " (times are the team's)");
            return false;
        }
    }
    patch = fields ? json_deep_copy(fields) : json_object();
    if (facts)
        json_object_set(patch, "impact", (json_t *)facts);
    incident_init(&tmp, 0);
    tmp.title = strdup("scenario");
    ok = incident_apply_json(&tmp, patch, true, 0, &errs) && errs.count == 0;
    if (!ok)
        mp_error_set(err, 0, "", "%s: %s: %s: %s", file, path, errs.items[0].field,
                     errs.items[0].message);
    incident_free(&tmp);
    json_decref(patch);
    return ok;
}

static bool
check_inject(const json_t *in, size_t i, int64_t *prev, const char *file, struct mp_error *err)
{
    static const char *const members[] = {"at", "kind", "text", "facts", "fields", "aware", NULL};
    char path[64];
    int64_t off;
    const char *kind;

    snprintf(path, sizeof(path), "$.injects[%zu]", i);
    if (!json_is_object(in)) {
        mp_error_set(err, 0, "", "%s: %s: must be an object", file, path);
        return false;
    }
    if (!only_members(in, members, file, path, err))
        return false;
    off = exercise_inject_offset(in);
    if (off < 0 || off > EXERCISE_OFFSET_MAX) {
        mp_error_set(err, 0, "",
                     "%s: %s.at: must be a duration from the start such as PT2H, at "
                     "most P30D",
                     file, path);
        return false;
    }
    if (off < *prev) {
        mp_error_set(err, 0, "", "%s: %s.at: comes before the inject above it", file, path);
        return false;
    }
    *prev = off;
    kind = json_string_value(json_object_get(in, "kind"));
    if (exercise_kind_label(kind, false) == NULL) {
        mp_error_set(err, 0, "",
                     "%s: %s.kind: must be one of facts, alert, authority_question, "
                     "supplier_outage, media, note",
                     file, path);
        return false;
    }
    if (strcmp(kind, "facts") == 0 && !json_object_get(in, "facts") &&
        !json_object_get(in, "fields")) {
        mp_error_set(err, 0, "", "%s: %s: a facts inject needs facts or fields", file, path);
        return false;
    }
    if (json_object_get(in, "aware") && !json_is_boolean(json_object_get(in, "aware"))) {
        mp_error_set(err, 0, "", "%s: %s.aware: must be true or false", file, path);
        return false;
    }
    snprintf(path + strlen(path), sizeof(path) - strlen(path), ".text");
    if (!check_text(json_object_get(in, "text"), file, path, err))
        return false;
    path[strlen(path) - 5] = '\0';
    return check_patch(in, file, path, err);
}

static bool
check_head(const json_t *doc, const char *file, struct mp_error *err)
{
    static const char *const members[] = {"scenario",    "version",     "title",
                                          "description", "assumptions", "incident",
                                          "injects",     "expect",      NULL};
    static const char *const inc_members[] = {"title", "description", "fields", NULL};
    const char *id = json_string_value(json_object_get(doc, "scenario"));
    const json_t *inc = json_object_get(doc, "incident"), *a;
    size_t i;

    if (!json_is_object(doc)) {
        mp_error_set(err, 0, "", "%s: $: must be an object", file);
        return false;
    }
    if (!only_members(doc, members, file, "$", err))
        return false;
    if (id == NULL || id[0] == '\0' || strlen(id) > 63 ||
        strspn(id, "abcdefghijklmnopqrstuvwxyz"
                   "0123456789-") != strlen(id)) {
        mp_error_set(err, 0, "",
                     "%s: $.scenario: must be a name of 1 to 63 characters a-z, 0-9 "
                     "and -",
                     file);
        return false;
    }
    if (!json_is_string(json_object_get(doc, "version"))) {
        mp_error_set(err, 0, "", "%s: $.version: must be text", file);
        return false;
    }
    if (!check_text(json_object_get(doc, "title"), file, "$.title", err) ||
        !check_text(json_object_get(doc, "description"), file, "$.description", err))
        return false;
    if (!json_is_array(json_object_get(doc, "assumptions"))) {
        mp_error_set(err, 0, "", "%s: $.assumptions: must be a list of {nl, en} texts", file);
        return false;
    }
    json_array_foreach(json_object_get(doc, "assumptions"), i, a)
    {
        char path[48];
        snprintf(path, sizeof(path), "$.assumptions[%zu]", i);
        if (!check_text(a, file, path, err))
            return false;
    }
    if (!json_is_object(inc) || !only_members(inc, inc_members, file, "$.incident", err) ||
        !check_text(json_object_get(inc, "title"), file, "$.incident.title", err) ||
        !check_text(json_object_get(inc, "description"), file, "$.incident.description", err))
        return err->message[0]
                   ? false
                   : (mp_error_set(err, 0, "", "%s: $.incident: must be an object", file), false);
    return check_patch(inc, file, "$.incident", err);
}

bool
exercise_scenario_check(const json_t *doc, const char *file, struct mp_error *err)
{
    const json_t *injects = json_object_get(doc, "injects"), *in, *expect;
    int64_t prev = 0;
    size_t i;

    err->message[0] = '\0';
    if (!check_head(doc, file, err))
        return false;
    if (!json_is_array(injects) || json_array_size(injects) == 0 ||
        json_array_size(injects) > EXERCISE_INJECTS_MAX) {
        mp_error_set(err, 0, "", "%s: $.injects: must be a list of 1 to %d injects", file,
                     EXERCISE_INJECTS_MAX);
        return false;
    }
    json_array_foreach(injects, i, in)
    {
        if (!check_inject(in, i, &prev, file, err))
            return false;
    }
    expect = json_object_get(doc, "expect");
    if (expect && (!json_is_object(expect) || !json_is_array(json_object_get(expect, "regimes")))) {
        mp_error_set(err, 0, "", "%s: $.expect: must be {regimes: [names]}", file);
        return false;
    }
    return true;
}

struct load {
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
    if (!exercise_scenario_check(doc, path, err)) {
        json_decref(doc);
        return -1;
    }
    if (exercise_scenario_find(l->list, json_string_value(json_object_get(doc, "scenario")))) {
        mp_error_set(err, 0, "", "%s: $.scenario: '%s' is also the name of another scenario", path,
                     json_string_value(json_object_get(doc, "scenario")));
        json_decref(doc);
        return -1;
    }
    return json_array_append_new(l->list, doc) == 0 ? 0 : mp_error_set(err, 500, "", "no memory");
}

int
exercise_scenarios_load(const char *dir, json_t **out, struct mp_error *err)
{
    struct load l = {.list = json_array()};

    *out = NULL;
    if (file_load_set(dir, ".json", SCENARIOS_MAX, exercises_files, exercises_files_count,
                      "exercises", load_one, &l, err) != 0) {
        json_decref(l.list);
        return -1;
    }
    *out = l.list;
    return 0;
}

const json_t *
exercise_scenario_find(const json_t *list, const char *id)
{
    return file_set_find(list, "scenario", id);
}

json_t *
exercise_scenarios_summary(const json_t *list)
{
    json_t *out = json_array(), *d;
    size_t i;

    json_array_foreach(list, i, d)
    {
        const json_t *injects = json_object_get(d, "injects");
        int64_t last =
            exercise_inject_offset(json_array_get(injects, json_array_size(injects) - 1));
        json_array_append_new(
            out, json_pack("{s:O, s:O, s:O, s:O, s:O, s:I, s:I, s:O*}", "scenario",
                           json_object_get(d, "scenario"), "version", json_object_get(d, "version"),
                           "title", json_object_get(d, "title"), "description",
                           json_object_get(d, "description"), "assumptions",
                           json_object_get(d, "assumptions"), "duration_seconds", (json_int_t)last,
                           "injects", (json_int_t)json_array_size(injects), "expect",
                           json_object_get(d, "expect")));
    }
    return out;
}
