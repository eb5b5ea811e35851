/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * exercise_run.c - runs of a scenario: the start, the clock's controls,
 * the inject job, and what the rest of meldpunt asks of an exercise (may
 * its reminders leave meldpunt; how many exercises there are).
 *
 * The inject job is a ticker (every 5 seconds, and at each move of a test
 * clock).  Each pass reads the running exercises and their clocks at the
 * pass's real time and applies, one change each, the injects whose offset
 * the exercise clock has passed: the inject's mark (exercise_injects, keyed
 * by run and index) and its effect on the incident -- a timeline note in
 * the run's language, new facts or fields, awareness -- commit together
 * or not at all.  So an inject is applied exactly once, also when two
 * passes race or the server stops in the middle of an exercise: the next
 * start finds the clock where it was (its segments are stored) and goes on.
 */
#include "exercise.h"
#include "core/audit.h"
#include "core/incident.h"
#include "lib/log.h"
#include "lib/ticker.h"
#include "lib/timeutil.h"
#include "lib/uuid.h"
#include "store/db.h"
#include "store/exercises.h"
#include "store/incidents.h"
#include "store/writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RUNS_MAX 100

static const struct principal injector = {
    .authenticated = true, .role = ROLE_ADMIN, .name = "exercise", .tlp_max = TLP_RED};

static const char *
lang_of(const json_t *doc)
{
    const char *l = json_string_value(json_object_get(doc, "language"));
    return l && strcmp(l, "nl") == 0 ? "nl" : "en";
}

static const char *
text_in(const json_t *text, const char *lang)
{
    const char *s = json_string_value(json_object_get(text, lang));
    return s ? s : "";
}

/* The run's incident: 0, or -1 with err (500: a run without one). */
static int
load_incident(sqlite3 *db, const char *id, struct incident *inc, struct mp_error *err)
{
    int found = store_incident_load(db, id, inc, err);

    if (found <= 0)
        return found < 0 ? -1 : mp_error_set(err, 500, "", "the exercise's incident is gone");
    return 0;
}

/* ---- the start ---- */

struct start_change {
    const struct principal *p;
    struct incident *inc;
    struct exercise_run run;
    struct exercise_segment seg;
    int64_t now;
};

static int
start_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct start_change *c = arg;

    c->now = store_change_time(c->now);
    if (incident_insert(db, c->p, c->inc, c->now, err) != 0)
        return -1;
    snprintf(c->run.incident_id, sizeof(c->run.incident_id), "%s", c->inc->id);
    c->run.started_at = c->run.ex_start = c->seg.real_at = c->seg.ex_at = c->now;
    if (store_exercise_insert(db, &c->run, err) != 0 ||
        store_exercise_clock_append(db, c->run.id, &c->seg, err) != 0)
        return -1;
    return audit_append_json(db, c->now, c->p->name, "exercise.start", c->run.id,
                             json_pack("{s:s, s:s, s:f, s:b}", "scenario", c->run.scenario,
                                       "incident", c->inc->ref, "speed", c->seg.speed,
                                       "allow_outside_reminders", c->run.allow_outside),
                             err);
}

static bool
read_speed(const json_t *v, double *speed, struct field_errors *errs)
{
    if (v == NULL)
        return true;
    if (!json_is_number(v) || json_number_value(v) <= 0 ||
        json_number_value(v) > EXERCISE_SPEED_MAX) {
        field_error(errs, "speed", "must be a number above 0 and at most %.0f (times real time)",
                    EXERCISE_SPEED_MAX);
        return false;
    }
    *speed = json_number_value(v);
    return true;
}

/* The run's incident from the scenario, in the run's language. */
static bool
scenario_incident(const json_t *sc, const char *lang, int64_t now, struct incident *inc,
                  struct field_errors *errs)
{
    const json_t *si = json_object_get(sc, "incident");
    json_t *fields = json_object_get(si, "fields") ? json_deep_copy(json_object_get(si, "fields"))
                                                   : json_object();

    incident_init(inc, now);
    json_object_set_new(fields, "title", json_string(text_in(json_object_get(si, "title"), lang)));
    json_object_set_new(fields, "description",
                        json_string(text_in(json_object_get(si, "description"), lang)));
    json_object_set_new(fields, "exercise", json_true());
    incident_apply_json(inc, fields, false, now, errs);
    json_decref(fields);
    return errs->count == 0;
}

int
exercise_start(const struct principal *p, int64_t now, json_t *body, json_t **out,
               struct field_errors *errs)
{
    static const char *const members[] = {"scenario", "language", "speed",
                                          "allow_outside_reminders", NULL};
    struct start_change c = {.p = p, .now = now, .seg = {.speed = 1, .running = true}};
    const char *id = json_string_value(json_object_get(body, "scenario"));
    const char *lang = json_string_value(json_object_get(body, "language"));
    const json_t *allow = json_object_get(body, "allow_outside_reminders");
    json_t *list = NULL, *doc = NULL;
    struct incident inc;
    struct mp_error err;
    const char *key;
    json_t *v;
    int rc = -1;

    *out = NULL;
    memset(&inc, 0, sizeof(inc));
    json_object_foreach(body, key, v)
    {
        bool known = false;
        for (int i = 0; members[i] && !known; i++)
            known = strcmp(members[i], key) == 0;
        if (!known)
            field_error(errs, key, "unknown field");
    }
    if (lang && strcmp(lang, "nl") != 0 && strcmp(lang, "en") != 0)
        field_error(errs, "language", "must be one of nl, en");
    if (allow && !json_is_boolean(allow))
        field_error(errs, "allow_outside_reminders", "must be true or false");
    read_speed(json_object_get(body, "speed"), &c.seg.speed, errs);
    if (exercise_scenarios_load(NULL, &list, &err) != 0)
        return field_errors_fail(errs, &err);
    if (id == NULL)
        field_error(errs, "scenario", "is required: a scenario of GET /api/v1/exercises/scenarios");
    else if (exercise_scenario_find(list, id) == NULL)
        field_error(errs, "scenario", "no scenario '%s': see GET /api/v1/exercises/scenarios", id);
    if (errs->count > 0)
        goto out;
    lang = lang ? lang : "en";
    doc = json_deep_copy(exercise_scenario_find(list, id));
    json_object_set_new(doc, "language", json_string(lang));
    if (!scenario_incident(doc, lang, now, &inc, errs))
        goto out;
    uuid7_generate(c.run.id);
    snprintf(c.run.scenario, sizeof(c.run.scenario), "%s", id);
    snprintf(c.run.started_by, sizeof(c.run.started_by), "%s", p->name);
    c.run.allow_outside = json_is_true(allow);
    c.run.doc = json_dumps(doc, JSON_COMPACT);
    c.inc = &inc;
    if (c.run.doc == NULL || store_write(start_apply, &c, &err) != 0) {
        if (c.run.doc == NULL)
            mp_error_set(&err, 500, "", "out of memory");
        field_errors_fail(errs, &err);
        goto out;
    }
    log_notice("exercise started id=%s scenario=%s incident=%s by=%s", c.run.id, id, inc.ref,
               p->name);
    /* the injects at offset 0 at once */
    if (exercise_inject_pass(c.now, &err) != 0 ||
        exercise_get(p, c.run.id, c.now, out, &err) != 0) {
        field_errors_fail(errs, &err);
        goto out;
    }
    rc = 0;
out:
    free(c.run.doc);
    incident_free(&inc);
    json_decref(doc);
    json_decref(list);
    return rc;
}

/* ---- the clock's controls ---- */

struct control_change {
    const struct principal *p;
    const char *id;
    const char *action; /* pause, resume, end; NULL: the speed alone */
    double speed;       /* 0: kept */
    int64_t now;
    char run_id[40];
};

static int
control_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct control_change *c = arg;
    struct exercise_run run;
    struct exercise_segment *segs = NULL, next;
    int n = 0, found, rc = -1;
    bool running;

    c->now = store_change_time(c->now);
    found = store_exercise_get(db, c->id, &run, err);
    if (found <= 0)
        return found < 0 ? -1 : mp_error_set(err, 404, "", "no exercise '%s'", c->id);
    snprintf(c->run_id, sizeof(c->run_id), "%s", run.id);
    if (incident_check_visible(c->p, run.incident_id, err) != 0) {
        mp_error_set(err, 404, "", "no exercise '%s'", c->id);
        goto out;
    }
    if (run.ended_at) {
        mp_error_set(err, 409, "action", "the exercise has ended");
        goto out;
    }
    if (store_exercise_clock(db, run.id, &segs, &n, err) != 0)
        goto out;
    running = n > 0 && segs[n - 1].running;
    if (c->action)
        running = strcmp(c->action, "resume") == 0;
    next = exercise_clock_next(segs, n, c->now, running, c->speed);
    if (store_exercise_clock_append(db, run.id, &next, err) != 0 ||
        (c->action && strcmp(c->action, "end") == 0 &&
         store_exercise_end(db, run.id, c->now, err) != 0))
        goto out;
    rc = audit_append_json(
        db, c->now, c->p->name, "exercise.clock", run.id,
        json_pack("{s:s, s:f, s:b, s:I}", "action", c->action ? c->action : "speed", "speed",
                  next.speed, "running", next.running, "exercise_time", (json_int_t)next.ex_at),
        err);
out:
    free(segs);
    store_exercise_free(&run);
    return rc;
}

int
exercise_control(const struct principal *p, int64_t now, const char *id, json_t *body, json_t **out,
                 struct field_errors *errs)
{
    struct control_change c = {.p = p, .id = id, .now = now};
    const json_t *action = json_object_get(body, "action");
    struct mp_error err;
    const char *key;
    json_t *v;

    *out = NULL;
    json_object_foreach(body, key, v)
    {
        if (strcmp(key, "action") != 0 && strcmp(key, "speed") != 0)
            field_error(errs, key, "unknown field");
    }
    c.action = json_string_value(action);
    if (action &&
        (c.action == NULL || (strcmp(c.action, "pause") != 0 && strcmp(c.action, "resume") != 0 &&
                              strcmp(c.action, "end") != 0)))
        field_error(errs, "action", "must be one of pause, resume, end");
    read_speed(json_object_get(body, "speed"), &c.speed, errs);
    if (action == NULL && json_object_get(body, "speed") == NULL)
        field_error(errs, "action", "is required, or speed");
    if (errs->count > 0)
        return -1;
    if (store_write(control_apply, &c, &err) != 0 ||
        (c.action && strcmp(c.action, "resume") == 0 && exercise_inject_pass(c.now, &err) != 0) ||
        exercise_get(p, c.run_id, c.now, out, &err) != 0)
        return field_errors_fail(errs, &err);
    return 0;
}

/* ---- reads ---- */

static bool
applied_find(const struct exercise_applied *a, int n, int idx, const struct exercise_applied **out)
{
    for (int i = 0; i < n; i++) {
        if (a[i].idx == idx) {
            *out = &a[i];
            return true;
        }
    }
    return false;
}

static json_t *
run_json(sqlite3 *db, const struct exercise_run *run, int64_t now, struct mp_error *err)
{
    struct exercise_segment *segs = NULL;
    struct exercise_applied *ap = NULL;
    int ns = 0, na = 0;
    json_t *doc = NULL, *o = NULL, *injects, *in;
    struct incident inc;
    int64_t ex_now;
    const char *lang;
    size_t i;

    memset(&inc, 0, sizeof(inc));
    if (store_exercise_clock(db, run->id, &segs, &ns, err) != 0 ||
        store_exercise_injects(db, run->id, &ap, &na, err) != 0 ||
        load_incident(db, run->incident_id, &inc, err) != 0)
        goto out;
    doc = json_loads(run->doc, 0, NULL);
    lang = lang_of(doc);
    ex_now = exercise_time_at(segs, ns, run->ended_at ? run->ended_at : now);
    injects = json_array();
    json_array_foreach(json_object_get(doc, "injects"), i, in)
    {
        const struct exercise_applied *a = NULL;
        int64_t off = exercise_inject_offset(in), real;
        bool done = applied_find(ap, na, (int)i, &a);

        real = done || run->ended_at ? TIME_UNSET
                                     : exercise_real_when(segs, ns, now, run->ex_start + off);
        json_array_append_new(
            injects, json_pack("{s:I, s:O, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:O*}", "index",
                               (json_int_t)i, "at", json_object_get(in, "at"), "kind",
                               json_string_value(json_object_get(in, "kind")), "label",
                               exercise_kind_label(json_string_value(json_object_get(in, "kind")),
                                                   strcmp(lang, "nl") == 0),
                               "text", text_in(json_object_get(in, "text"), lang),
                               "exercise_due_at", time_format_json(run->ex_start + off), "due_at",
                               time_format_json(real == INT64_MAX ? TIME_UNSET : real),
                               "applied_at", time_format_json(a ? a->applied_at : TIME_UNSET),
                               "applied_exercise_at", time_format_json(a ? a->ex_at : TIME_UNSET),
                               "facts", json_object_get(in, "facts")));
    }
    o = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:O, s:s, s:o, s:s, s:o, s:b, s:f, s:o, s:I, s:b, s:o}", "id",
        run->id, "incident", inc.id, "incident_ref", inc.ref, "scenario", run->scenario, "language",
        lang, "title", json_object_get(doc, "title"), "started_by", run->started_by, "started_at",
        time_format_json(run->started_at), "state",
        run->ended_at ? "ended" : (ns > 0 && segs[ns - 1].running ? "running" : "paused"),
        "ended_at", time_format_json(run->ended_at ? run->ended_at : TIME_UNSET), "running",
        !run->ended_at && ns > 0 && segs[ns - 1].running, "speed",
        ns > 0 ? segs[ns - 1].speed : 1.0, "exercise_time", time_format_json(ex_now),
        "elapsed_seconds", (json_int_t)(ex_now - run->ex_start), "allow_outside_reminders",
        run->allow_outside, "injects", injects);
    if (o == NULL)
        mp_error_set(err, 500, "", "out of memory");
out:
    json_decref(doc);
    incident_free(&inc);
    free(segs);
    free(ap);
    return o;
}

int
exercise_get(const struct principal *p, const char *id, int64_t now, json_t **out,
             struct mp_error *err)
{
    sqlite3 *db = db_reader(err);
    struct exercise_run run;
    int found;

    *out = NULL;
    if (db == NULL)
        return -1;
    found = store_exercise_get(db, id, &run, err);
    if (found <= 0)
        return found < 0 ? -1 : mp_error_set(err, 404, "", "no exercise '%s'", id);
    /* above p's TLP limit: as missing */
    if (p && incident_check_visible(p, run.incident_id, err) != 0) {
        store_exercise_free(&run);
        return mp_error_set(err, 404, "", "no exercise '%s'", id);
    }
    *out = run_json(db, &run, now, err);
    store_exercise_free(&run);
    return *out ? 0 : -1;
}

int
exercise_list(const struct principal *p, int64_t now, json_t **out, struct mp_error *err)
{
    sqlite3 *db = db_reader(err);
    struct exercise_run *runs = NULL;
    json_t *items;
    int n = 0, rc = 0;

    *out = NULL;
    if (db == NULL || store_exercise_list(db, false, RUNS_MAX, &runs, &n, err) != 0)
        return -1;
    items = json_array();
    for (int i = 0; i < n; i++) {
        struct mp_error hidden;
        json_t *o = NULL;

        if (rc == 0 && incident_check_visible(p, runs[i].incident_id, &hidden) == 0 &&
            (o = run_json(db, &runs[i], now, err)) == NULL)
            rc = -1;
        if (o)
            json_array_append_new(items, o);
        store_exercise_free(&runs[i]);
    }
    free(runs);
    if (rc == 0)
        *out = json_pack("{s:o}", "items", items);
    else
        json_decref(items);
    return rc;
}

/* ---- the inject job ---- */

struct inject_change {
    const struct exercise_run *run;
    const json_t *inject;
    const char *lang;
    struct exercise_applied a;
    int64_t now;
    int applied; /* 1: applied by this change */
};

/* The words on the timeline: "OEFENING · Vraag van de toezichthouder (T+2:00): ..." */
static char *
inject_note(const struct inject_change *c)
{
    bool nl = strcmp(c->lang, "nl") == 0;
    int64_t off = c->a.ex_at - c->run->ex_start;
    const char *text = text_in(json_object_get(c->inject, "text"), c->lang);
    size_t len = strlen(text) + 200;
    char *s = malloc(len);

    if (s)
        snprintf(s, len, "%s · %s (T+%lld:%02lld): %s", nl ? "OEFENING" : "EXERCISE",
                 exercise_kind_label(json_string_value(json_object_get(c->inject, "kind")), nl),
                 (long long)(off / 3600), (long long)(off % 3600 / 60), text);
    return s;
}

static int
inject_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct inject_change *c = arg;
    const json_t *facts = json_object_get(c->inject, "facts"),
                 *fields = json_object_get(c->inject, "fields");
    struct field_errors errs = {0};
    char *note;
    int rc, marked;

    c->now = store_change_time(c->now);
    c->a.applied_at = c->now;
    marked = store_exercise_inject_mark(db, c->run->id, &c->a, err);
    if (marked <= 0)
        return marked; /* applied before: nothing again */
    note = inject_note(c);
    if (note == NULL)
        return mp_error_set(err, 500, "", "out of memory");
    rc = incident_note_in(db, &injector, c->now, c->run->incident_id, note, err);
    free(note);
    if (rc == 0 && (facts || fields || json_is_true(json_object_get(c->inject, "aware")))) {
        json_t *patch = fields ? json_deep_copy(fields) : json_object();
        struct incident inc;

        if (facts)
            json_object_set(patch, "impact", (json_t *)facts);
        if (json_is_true(json_object_get(c->inject, "aware")) &&
            load_incident(db, c->run->incident_id, &inc, err) == 0) {
            if (inc.aware_at == TIME_UNSET)
                json_object_set_new(patch, "aware_at", time_format_json(c->now));
            incident_free(&inc);
        }
        rc = incident_patch_in(db, &injector, c->now, c->run->incident_id, patch, NULL, &errs, err);
        if (rc != 0 && errs.count > 0)
            mp_error_set(err, 422, errs.items[0].field, "%s", errs.items[0].message);
        json_decref(patch);
    }
    if (rc == 0)
        rc = audit_append_json(db, c->now, injector.name, "exercise.inject", c->run->id,
                               json_pack("{s:i, s:s, s:I}", "index", c->a.idx, "kind",
                                         json_string_value(json_object_get(c->inject, "kind")),
                                         "exercise_time", (json_int_t)c->a.ex_at),
                               err);
    c->applied = rc == 0;
    return rc;
}

/* The injects of one run whose time came. */
static int
run_pass(sqlite3 *db, const struct exercise_run *run, int64_t now, struct mp_error *err)
{
    struct exercise_segment *segs = NULL;
    struct exercise_applied *ap = NULL;
    const struct exercise_applied *a;
    json_t *doc = json_loads(run->doc, 0, NULL), *in;
    int ns = 0, na = 0, rc = 0;
    int64_t ex_now;
    size_t i;

    if (doc == NULL || store_exercise_clock(db, run->id, &segs, &ns, err) != 0 ||
        store_exercise_injects(db, run->id, &ap, &na, err) != 0) {
        rc = doc ? -1
                 : mp_error_set(err, 500, "", "exercise %s: its scenario is unreadable", run->id);
        goto out;
    }
    ex_now = exercise_time_at(segs, ns, now);
    json_array_foreach(json_object_get(doc, "injects"), i, in)
    {
        struct inject_change c = {.run = run, .inject = in, .lang = lang_of(doc), .now = now};
        int64_t off = exercise_inject_offset(in);

        if (run->ex_start + off > ex_now)
            break;
        if (applied_find(ap, na, (int)i, &a))
            continue;
        c.a.idx = (int)i;
        c.a.ex_at = run->ex_start + off;
        if (store_write(inject_apply, &c, err) != 0) {
            /* logged, and tried again at the next pass; the others go on */
            log_warn("exercise inject not applied exercise=%s index=%zu reason=\"%s\"", run->id, i,
                     err->message);
            continue;
        }
        if (c.applied)
            log_info("exercise inject applied exercise=%s index=%zu", run->id, i);
    }
out:
    json_decref(doc);
    free(segs);
    free(ap);
    return rc;
}

int
exercise_inject_pass(int64_t now, struct mp_error *err)
{
    sqlite3 *db = db_reader(err);
    struct exercise_run *runs = NULL;
    int n = 0, rc = 0;

    if (db == NULL || store_exercise_list(db, true, RUNS_MAX, &runs, &n, err) != 0)
        return -1;
    for (int i = 0; i < n; i++) {
        if (rc == 0)
            rc = run_pass(db, &runs[i], now, err);
        store_exercise_free(&runs[i]);
    }
    free(runs);
    return rc;
}

static struct ticker injector_ticker;

void
exercise_injector_start(unsigned interval_seconds)
{
    ticker_start(&injector_ticker, interval_seconds ? interval_seconds : 5, "exercise injects",
                 exercise_inject_pass);
}

void
exercise_injector_stop(void)
{
    ticker_stop(&injector_ticker);
}

/* ---- what the rest of meldpunt asks ---- */

int
exercise_reminders_outside(sqlite3 *db, const char *incident_id, struct mp_error *err)
{
    return store_exercise_outside_allowed(db, incident_id, err);
}

int
exercise_incident_count(int64_t *n, struct mp_error *err)
{
    sqlite3 *db = db_reader(err);

    *n = 0;
    return db ? store_exercise_incident_count(db, n, err) : -1;
}
