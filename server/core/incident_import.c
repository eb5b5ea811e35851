/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * incident_import.c - the bulk path: incidents from another tool (or a
 * benchmark's seed), with their own times, facts, notes and states.
 *
 * One line of `meldpunt import FILE.jsonl` is a create body (incident.h:
 * incident_apply_json, the same fields and checks as POST /api/v1/incidents)
 * plus what only history has:
 *   "state"       the state it is in now (default detected);
 *   "state_times" {"triage": RFC 3339, ...}: when each state was entered;
 *   "created_at"  when it was recorded in the other tool (default
 *                 detected_at): the year of its reference;
 *   "notes"       [{"at": RFC 3339, "text": "...", "by": "name"}]: the
 *                 timeline's notes, "by" defaulting to the importer.
 * The state is set as it was, not walked through the state machine: the
 * other tool decided the path.  What an import writes per incident is what
 * a create writes (row, timeline, audit entry "incident.import", the
 * classification in the same transaction) plus its notes; many incidents go
 * in one transaction, so the cost per incident is the rows, not a commit.
 */
#include "incident.h"
#include "incident_int.h"
#include "lib/text.h"
#include "lib/timeutil.h"
#include "lib/uuid.h"
#include "store/incidents.h"
#include "store/writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
state_by_name(const char *s)
{
    for (int i = 0; s != NULL && i < STATE_COUNT; i++)
        if (strcmp(s, incident_state_names[i]) == 0)
            return i;
    return -1;
}

/* A member that must be an RFC 3339 time: its value, TIME_UNSET when
 * absent; a field error otherwise. */
static int64_t
time_member(json_t *v, const char *field, int64_t now, struct field_errors *errs)
{
    int64_t t;

    if (v == NULL)
        return TIME_UNSET;
    if (!json_is_string(v) || time_parse_rfc3339(json_string_value(v), &t) != 0) {
        field_error(errs, field, "must be an RFC 3339 date-time");
        return TIME_UNSET;
    }
    if (t > now) {
        field_error(errs, field, "must not be in the future");
        return TIME_UNSET;
    }
    return t;
}

static void
decode_state(struct incident_import *it, json_t *state, json_t *times, int64_t now,
             struct field_errors *errs)
{
    const char *key;
    json_t *v;

    if (state != NULL) {
        it->inc.state = state_by_name(json_string_value(state));
        if (it->inc.state < 0) {
            field_error(errs, "state",
                        "must be one of detected, triage, confirmed, contained, "
                        "resolved, closed, dismissed");
            it->inc.state = STATE_DETECTED;
        }
    }
    if (times != NULL && !json_is_object(times)) {
        field_error(errs, "state_times", "must be an object of state: RFC 3339 time");
        return;
    }
    json_object_foreach(times, key, v)
    {
        char field[64];
        int s = state_by_name(key);

        snprintf(field, sizeof(field), "state_times.%.40s", key);
        if (s < 0) {
            field_error(errs, field, "not a state");
            continue;
        }
        it->inc.state_at[s] = time_member(v, field, now, errs);
    }
}

static void
decode_notes(struct incident_import *it, json_t *notes, int64_t now, struct field_errors *errs)
{
    size_t i;
    json_t *n;

    if (notes == NULL)
        return;
    if (!json_is_array(notes)) {
        field_error(errs, "notes", "must be an array of {at, text, by}");
        return;
    }
    json_array_foreach(notes, i, n)
    {
        char field[48];
        const char *text = json_string_value(json_object_get(n, "text"));
        const char *by = json_string_value(json_object_get(n, "by"));

        snprintf(field, sizeof(field), "notes[%zu]", i);
        if (!json_is_object(n) || json_object_size(n) > 3 ||
            json_object_size(n) != 2u + (json_object_get(n, "by") != NULL)) {
            field_error(errs, field, "must be {at, text} with an optional by");
            continue;
        }
        snprintf(field, sizeof(field), "notes[%zu].text", i);
        if (text == NULL || text_blank(text) || text_chars(text) > INCIDENT_NOTE_MAX)
            field_error(errs, field, "must be text of 1 to %d characters", INCIDENT_NOTE_MAX);
        snprintf(field, sizeof(field), "notes[%zu].by", i);
        if (json_object_get(n, "by") != NULL && (by == NULL || text_blank(by) || strlen(by) > 80))
            field_error(errs, field, "must be a name of at most 80 bytes");
        snprintf(field, sizeof(field), "notes[%zu].at", i);
        if (time_member(json_object_get(n, "at"), field, now, errs) == TIME_UNSET &&
            json_object_get(n, "at") == NULL)
            field_error(errs, field, "is required");
    }
    it->notes = json_incref(notes);
}

bool
incident_import_decode(json_t *line, int64_t now, struct incident_import *it,
                       struct field_errors *errs)
{
    json_t *obj = json_is_object(line) ? json_copy(line) : NULL;
    int before = errs->count;

    memset(it, 0, sizeof(*it));
    incident_init(&it->inc, now);
    it->created_at = TIME_UNSET;
    if (obj == NULL) {
        field_error(errs, "", "a line must be one JSON object");
        return false;
    }
    decode_state(it, json_object_get(obj, "state"), json_object_get(obj, "state_times"), now, errs);
    it->created_at = time_member(json_object_get(obj, "created_at"), "created_at", now, errs);
    decode_notes(it, json_object_get(obj, "notes"), now, errs);
    /* the rest is a create body */
    json_object_del(obj, "state");
    json_object_del(obj, "state_times");
    json_object_del(obj, "created_at");
    json_object_del(obj, "notes");
    incident_apply_json(&it->inc, obj, false, now, errs);
    json_decref(obj);
    it->inc.state_at[STATE_DETECTED] = it->inc.detected_at;
    if (it->inc.state != STATE_DETECTED && it->inc.state_at[it->inc.state] == TIME_UNSET)
        it->inc.state_at[it->inc.state] = now;
    if (it->created_at == TIME_UNSET)
        it->created_at = it->inc.detected_at;
    return errs->count == before;
}

void
incident_import_free(struct incident_import *it)
{
    incident_free(&it->inc);
    json_decref(it->notes);
    it->notes = NULL;
}

/* The timeline of one imported incident: created, its notes, its state. */
static int
import_timeline(sqlite3 *db, const struct principal *p, const struct incident_import *it,
                struct mp_error *err)
{
    const struct incident *inc = &it->inc;
    char at[TIME_RFC3339_LEN], old_s[32], new_s[32];
    size_t i;
    json_t *n;

    time_format_rfc3339(it->created_at, at, sizeof(at));
    if (store_timeline_append(db, inc->id, at, p->name, "created", NULL, NULL, NULL, NULL, err) !=
        0)
        return -1;
    json_array_foreach(it->notes, i, n)
    {
        const char *by = json_string_value(json_object_get(n, "by"));
        int64_t t;

        time_parse_rfc3339(json_string_value(json_object_get(n, "at")), &t);
        time_format_rfc3339(t, at, sizeof(at));
        if (store_timeline_append(db, inc->id, at, by ? by : p->name, "note", NULL, NULL, NULL,
                                  json_string_value(json_object_get(n, "text")), err) != 0)
            return -1;
    }
    if (inc->state == STATE_DETECTED)
        return 0;
    time_format_rfc3339(inc->state_at[inc->state], at, sizeof(at));
    snprintf(old_s, sizeof(old_s), "\"%s\"", incident_state_names[STATE_DETECTED]);
    snprintf(new_s, sizeof(new_s), "\"%s\"", incident_state_names[inc->state]);
    return store_timeline_append(db, inc->id, at, p->name, "transition", "state", old_s, new_s,
                                 "imported", err);
}

struct import_batch {
    const struct principal *p;
    struct incident_import *items;
    int count;
    int64_t now;
};

static int
import_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct import_batch *b = arg;

    b->now = store_change_time(b->now);
    for (int i = 0; i < b->count; i++) {
        struct incident_import *it = &b->items[i];
        struct incident *inc = &it->inc;

        uuid7_generate(inc->id);
        snprintf(inc->created_by, sizeof(inc->created_by), "%s", b->p->name);
        inc->version = 1;
        inc->created_at = it->created_at;
        inc->updated_at = b->now;
        if (store_incident_insert(db, inc, err) != 0 || import_timeline(db, b->p, it, err) != 0 ||
            incident_audit(db, b->now, b->p, "incident.import", inc,
                           json_pack("{s:s, s:s, s:s, s:s}", "title", inc->title, "severity",
                                     incident_severity_names[inc->severity], "category",
                                     incident_category_names[inc->category], "state",
                                     incident_state_names[inc->state]),
                           err) != 0 ||
            /* judged against the reporting rules in the same transaction */
            incident_judge(db, inc, b->p->name, NULL, false, b->now, err) != 0) {
            char why[sizeof(err->message)], field[sizeof(err->field)];
            snprintf(why, sizeof(why), "%s", err->message);
            snprintf(field, sizeof(field), "%s", err->field);
            mp_error_set(err, err->status, field, "incident %d of the batch: %s", i + 1, why);
            return -1;
        }
    }
    return 0;
}

int
incident_import_write(const struct principal *p, int64_t now, struct incident_import *items,
                      int count, struct mp_error *err)
{
    struct import_batch b = {.p = p, .items = items, .count = count, .now = now};

    return store_write(import_apply, &b, err);
}
