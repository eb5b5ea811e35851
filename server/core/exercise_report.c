/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * exercise_report.c - the exercise report: proof, for the board and the
 * auditor, of how the team did on the legal path (see exercise.h).
 *
 * Everything an exercise incident records carries the real time it
 * happened; the report maps each to exercise time through the run's clock
 * segments.  A deadline the rules worked out counts from an event (for the
 * shipped regimes, awareness; else detection): in exercise time it is that
 * event's exercise time plus the same legal period, and it was met when
 * the report was submitted at or before it, in exercise time too.  What
 * was missing: the facts the rules still lacked to decide (a regime's
 * "missing"), a recipient the organisation profile does not name, a
 * reminder nobody acknowledged.
 */
#include "exercise.h"
#include "core/classify.h"
#include "core/incident.h"
#include "core/reminders.h"
#include "lib/timeutil.h"
#include "store/db.h"
#include "store/exercises.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct report {
    const struct exercise_run *run;
    const struct exercise_segment *segs;
    int nsegs;
    int64_t now, ex_now;
    bool nl;
    const char *lang;
    json_t *missing;
};

static json_t *
ex_json(const struct report *r, int64_t real)
{
    return time_format_json(real == TIME_UNSET ? TIME_UNSET
                                               : exercise_time_at(r->segs, r->nsegs, real));
}

static int64_t
json_time(const json_t *v)
{
    int64_t t;

    return json_is_string(v) && time_parse_rfc3339(json_string_value(v), &t) == 0 ? t : TIME_UNSET;
}

static void
say_missing(struct report *r, const char *kind, const char *text)
{
    json_array_append_new(r->missing, json_pack("{s:s, s:s}", "kind", kind, "text", text));
}

/* One obligation: its due time and when it was met, in exercise time. */
static json_t *
deadline_json(struct report *r, const struct incident *inc, const json_t *ob)
{
    int64_t base = inc->aware_at != TIME_UNSET ? inc->aware_at : inc->detected_at;
    int64_t due = json_time(json_object_get(ob, "due_at"));
    int64_t met = json_time(json_object_get(ob, "submitted_at"));
    int64_t due_ex = TIME_UNSET, met_ex = TIME_UNSET;
    const char *status = json_string_value(json_object_get(ob, "status")), *verdict;

    if (due != TIME_UNSET)
        due_ex = exercise_time_at(r->segs, r->nsegs, base) + (due - base);
    if (met != TIME_UNSET)
        met_ex = exercise_time_at(r->segs, r->nsegs, met);
    if (status && strcmp(status, "waived") == 0)
        verdict = "waived";
    else if (met_ex != TIME_UNSET)
        verdict = due_ex == TIME_UNSET || met_ex <= due_ex ? "met" : "late";
    else
        verdict = due_ex != TIME_UNSET && r->ex_now > due_ex ? "missed" : "open";
    return json_pack("{s:O, s:O*, s:O, s:O*, s:O*, s:o, s:o, s:o, s:o, s:s, s:O*}", "regime",
                     json_object_get(ob, "regime"), "regime_title",
                     json_object_get(json_object_get(ob, "regime_title"), r->lang), "stage",
                     json_object_get(ob, "stage"), "stage_name",
                     json_object_get(json_object_get(ob, "stage_name"), r->lang), "recipient",
                     json_object_get(ob, "recipient"), "due_at", time_format_json(due),
                     "exercise_due_at", time_format_json(due_ex), "met_at", time_format_json(met),
                     "exercise_met_at", time_format_json(met_ex), "status", verdict,
                     "waived_reason", json_object_get(ob, "waived_reason"));
}

static void
deadlines(struct report *r, const struct incident *inc, const json_t *cl, json_t *out)
{
    const json_t *ob, *p, *reg, *f;
    size_t i, k;

    json_array_foreach(json_object_get(cl, "obligations"), i, ob)
    {
        json_array_append_new(out, deadline_json(r, inc, ob));
    }
    json_array_foreach(json_object_get(cl, "problems"), i, p)
    {
        say_missing(r, json_string_value(json_object_get(p, "kind")),
                    json_string_value(json_object_get(json_object_get(p, "text"), r->lang)));
    }
    json_array_foreach(json_object_get(cl, "regimes"), i, reg)
    {
        const char *title =
            json_string_value(json_object_get(json_object_get(reg, "title"), r->lang));
        json_array_foreach(json_object_get(reg, "missing"), k, f)
        {
            char text[400];
            snprintf(text, sizeof(text),
                     r->nl ? "Het feit '%s' bleef onbekend; %s kon daardoor niet beslissen."
                           : "The fact '%s' stayed unknown, so %s could not decide.",
                     json_string_value(f),
                     title ? title : json_string_value(json_object_get(reg, "regime")));
            say_missing(r, "unknown_fact", text);
        }
    }
}

static json_t *
decisions(struct report *r, const struct incident *inc, struct mp_error *err)
{
    struct timeline_entry *e = NULL;
    json_t *out;
    int n = 0;

    if (incident_timeline(inc->id, &e, &n, err) != 0)
        return NULL;
    out = json_array();
    for (int i = 0; i < n; i++) {
        int64_t at = TIME_UNSET;
        time_parse_rfc3339(e[i].at, &at);
        json_array_append_new(out, json_pack("{s:s, s:o, s:s, s:s, s:s?, s:s?, s:s?, s:s?}", "at",
                                             e[i].at, "exercise_at", ex_json(r, at), "principal",
                                             e[i].principal, "kind", e[i].kind, "field", e[i].field,
                                             "old_value", e[i].old_value, "new_value",
                                             e[i].new_value, "note", e[i].note));
    }
    incident_timeline_free(e, n);
    return out;
}

static void
reminders_unacknowledged(struct report *r, const struct incident *inc)
{
    struct mp_error err;
    json_t *rem = NULL, *j;
    size_t i;

    if (reminders_incident(inc->id, &rem, &err) != 0)
        return;
    json_array_foreach(json_object_get(rem, "jobs"), i, j)
    {
        const char *st = json_string_value(json_object_get(j, "status"));
        char text[200];

        if (st == NULL ||
            (strcmp(st, "sent") != 0 && strcmp(st, "skipped") != 0 && strcmp(st, "failed") != 0))
            continue;
        snprintf(text, sizeof(text),
                 r->nl ? "Niemand bevestigde de herinnering (stap %lld) voor een melding."
                       : "Nobody acknowledged the reminder (step %lld) for a report.",
                 (long long)json_integer_value(json_object_get(j, "step")) + 1);
        say_missing(r, "reminder_not_acknowledged", text);
    }
    json_decref(rem);
}

static json_t *
injects_json(struct report *r, const json_t *doc, sqlite3 *db, struct mp_error *err)
{
    struct exercise_applied *ap = NULL;
    json_t *out, *in;
    int n = 0;
    size_t i;

    if (store_exercise_injects(db, r->run->id, &ap, &n, err) != 0)
        return NULL;
    out = json_array();
    json_array_foreach(json_object_get(doc, "injects"), i, in)
    {
        const struct exercise_applied *a = NULL;
        for (int k = 0; k < n; k++)
            a = ap[k].idx == (int)i ? &ap[k] : a;
        json_array_append_new(
            out,
            json_pack(
                "{s:I, s:s, s:s, s:o, s:b}", "index", (json_int_t)i, "label",
                exercise_kind_label(json_string_value(json_object_get(in, "kind")), r->nl), "text",
                json_string_value(json_object_get(json_object_get(in, "text"), r->lang)),
                "exercise_at", time_format_json(r->run->ex_start + exercise_inject_offset(in)),
                "applied", a != NULL));
    }
    free(ap);
    return out;
}

static json_t *
report_json(sqlite3 *db, struct report *r, const json_t *doc, struct mp_error *err)
{
    struct incident inc;
    json_t *cl = NULL, *dl = json_array(), *dec = NULL, *inj = NULL, *out = NULL;

    if (incident_get(r->run->incident_id, &inc, err) != 0) {
        json_decref(dl);
        return NULL;
    }
    if (classify_get(inc.id, r->now, &cl, err) != 0 || (dec = decisions(r, &inc, err)) == NULL ||
        (inj = injects_json(r, doc, db, err)) == NULL)
        goto out;
    deadlines(r, &inc, cl, dl);
    reminders_unacknowledged(r, &inc);
    out = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:O*, s:O*, s:s, s:o, s:o, s:o, s:o, s:f, s:o, s:o, s:o, "
        "s:o}",
        "exercise", r->run->id, "marker", r->nl ? "OEFENING" : "EXERCISE", "language", r->lang,
        "scenario", r->run->scenario, "incident", inc.id, "incident_ref", inc.ref, "title",
        json_object_get(json_object_get(doc, "title"), r->lang), "description",
        json_object_get(json_object_get(doc, "description"), r->lang), "started_by",
        r->run->started_by, "started_at", time_format_json(r->run->started_at), "ended_at",
        time_format_json(r->run->ended_at ? r->run->ended_at : TIME_UNSET), "exercise_started_at",
        time_format_json(r->run->ex_start), "exercise_time", time_format_json(r->ex_now), "speed",
        r->nsegs ? r->segs[r->nsegs - 1].speed : 1.0, "deadlines", dl, "decisions", dec, "injects",
        inj, "missing", r->missing);
    dl = dec = inj = NULL;
    r->missing = NULL;
    if (out == NULL)
        mp_error_set(err, 500, "", "out of memory");
out:
    json_decref(cl);
    json_decref(dl);
    json_decref(dec);
    json_decref(inj);
    incident_free(&inc);
    return out;
}

int
exercise_report(const struct principal *p, const char *id, int64_t now, bool nl, json_t **out,
                struct mp_error *err)
{
    sqlite3 *db = db_reader(err);
    struct exercise_segment *segs = NULL;
    struct exercise_run run;
    struct report r = {.now = now, .nl = nl, .lang = nl ? "nl" : "en"};
    json_t *doc;
    int found, n = 0;

    *out = NULL;
    if (db == NULL)
        return -1;
    found = store_exercise_get(db, id, &run, err);
    if (found <= 0)
        return found < 0 ? -1 : mp_error_set(err, 404, "", "no exercise '%s'", id);
    if (incident_check_visible(p, run.incident_id, err) != 0) { /* as missing */
        store_exercise_free(&run);
        return mp_error_set(err, 404, "", "no exercise '%s'", id);
    }
    doc = json_loads(run.doc, 0, NULL);
    if (store_exercise_clock(db, run.id, &segs, &n, err) == 0 && doc != NULL) {
        r.run = &run;
        r.segs = segs;
        r.nsegs = n;
        r.ex_now = exercise_time_at(segs, n, run.ended_at ? run.ended_at : now);
        r.missing = json_array();
        *out = report_json(db, &r, doc, err);
        json_decref(r.missing);
    } else if (doc == NULL) {
        mp_error_set(err, 500, "", "exercise %s: its scenario is unreadable", run.id);
    }
    json_decref(doc);
    free(segs);
    store_exercise_free(&run);
    return *out ? 0 : -1;
}
