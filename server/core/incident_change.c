/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * incident_change.c - the changes to an incident: create (with
 * Idempotency-Key), patch, transition, note, each with its timeline entry,
 * audit entry and judgement in one transaction; and the reads: one, a list,
 * the timeline, counts.  The model (fields, facts, the state machine,
 * decoding and encoding) is incident.c.  See incident.h.
 */
#include "incident.h"
#include "incident_int.h"
#include "core/audit.h"
#include "core/user.h"
#include "lib/text.h"
#include "lib/timeutil.h"
#include "lib/uuid.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/incidents.h"
#include "store/writer.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Idempotency-Key records count for this long (the draft's suggestion). */
#define IDEMPOTENCY_MAX_AGE ((int64_t)24 * 3600)

/* ---- operations ---- */

static struct incident_hooks hooks;

void
incident_on_change(const struct incident_hooks *h)
{
    hooks = h ? *h : (struct incident_hooks){0};
}

/* The change's judgement under the reporting rules (incident.h). */
int
incident_judge(sqlite3 *db, const struct incident *inc, const char *actor, const char *note,
               bool required_note, int64_t now, struct mp_error *err)
{
    return hooks.judge ? hooks.judge(db, inc, actor, note, required_note, now, err) : 0;
}

int
incident_audit(sqlite3 *db, int64_t now, const struct principal *p, const char *action,
               const struct incident *inc, json_t *extra, struct mp_error *err)
{
    json_t *payload = extra ? extra : json_object();

    json_object_set_new(payload, "ref", json_string(inc->ref));
    json_object_set_new(payload, "version", json_integer(inc->version));
    return audit_append_json(db, now, p->name, action, inc->id, payload, err);
}

struct create_change {
    const struct principal *p;
    struct incident *inc;
    const struct idempotency *idem;
    char *first_answer;
    int64_t now;
};

char *
incident_answer_text(const struct incident *inc, int64_t now)
{
    json_t *j = incident_to_json(inc, now);
    char *text;

    if (j == NULL)
        return NULL;
    text = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(17));
    json_decref(j);
    return text;
}

static int
create_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct create_change *c = arg;
    struct incident *inc = c->inc;
    char object_id[40];
    int found;

    /* the request's time, unless a change committed before this one was
     * later: updated_at never goes backwards in commit order */
    c->now = store_change_time(c->now);
    found = incident_idempotency_find(db, c->p, c->idem, c->now, object_id, &c->first_answer, err);
    if (found < 0)
        return -1;
    if (found) {
        snprintf(inc->id, sizeof(inc->id), "%s", object_id);
        return 0;
    }
    if (incident_insert(db, c->p, inc, c->now, err) != 0)
        return -1;
    if (c->idem->key != NULL) {
        char *answer = incident_answer_text(inc, c->now);
        int rc;

        if (answer == NULL)
            return mp_error_set(err, 500, "", "out of memory");
        rc = incident_idempotency_put(db, c->p, c->idem, inc->id, answer, c->now, err);
        free(answer);
        return rc;
    }
    return 0;
}

int
incident_idempotency_put(sqlite3 *db, const struct principal *p, const struct idempotency *idem,
                         const char *object_id, const char *answer, int64_t now,
                         struct mp_error *err)
{
    static unsigned puts;

    if (store_idempotency_put(db, p->name, idem->key, idem->request_hash, object_id, answer, now,
                              err) != 0)
        return -1;
    /* Expired keys are swept now and then, not on every request (this
     * runs on the writer thread only). */
    if (++puts % 1024 == 0 && store_idempotency_purge(db, now, IDEMPOTENCY_MAX_AGE, err))
        return -1;
    return 0;
}

int
incident_insert(sqlite3 *db, const struct principal *p, struct incident *inc, int64_t now,
                struct mp_error *err)
{
    char at[TIME_RFC3339_LEN];

    uuid7_generate(inc->id);
    inc->state = STATE_DETECTED;
    for (int s = 0; s < STATE_COUNT; s++)
        inc->state_at[s] = TIME_UNSET;
    inc->state_at[STATE_DETECTED] = inc->detected_at;
    snprintf(inc->created_by, sizeof(inc->created_by), "%s", p->name);
    inc->version = 1;
    inc->created_at = inc->updated_at = now;
    if (store_incident_insert(db, inc, err) != 0)
        return -1;
    time_format_rfc3339(now, at, TIME_RFC3339_LEN);
    if (store_timeline_append(db, inc->id, at, p->name, "created", NULL, NULL, NULL, NULL, err) !=
        0)
        return -1;
    if (incident_audit(db, now, p, "incident.create", inc,
                       json_pack("{s:s, s:s, s:s}", "title", inc->title, "severity",
                                 incident_severity_names[inc->severity], "category",
                                 incident_category_names[inc->category]),
                       err) != 0)
        return -1;
    /* judged against the reporting rules in the same transaction */
    return incident_judge(db, inc, p->name, NULL, false, now, err);
}

int
incident_idempotency_find(sqlite3 *db, const struct principal *p, const struct idempotency *idem,
                          int64_t now, char object_id[40], char **first_answer,
                          struct mp_error *err)
{
    uint8_t hash[32];
    int found;

    *first_answer = NULL;
    if (idem->key == NULL)
        return 0;
    found = store_idempotency_find(db, p->name, idem->key, now, IDEMPOTENCY_MAX_AGE, hash,
                                   object_id, first_answer, err);
    if (found <= 0)
        return found;
    if (sodium_memcmp(hash, idem->request_hash, 32) != 0) {
        free(*first_answer);
        *first_answer = NULL;
        return mp_error_set(err, 409, "Idempotency-Key",
                            "this key was used with a different request");
    }
    return 1;
}

int
incident_create(const struct principal *p, int64_t now, struct incident *inc,
                const struct idempotency *idem, char **first_answer, struct field_errors *errs)
{
    struct create_change c = {.p = p, .inc = inc, .idem = idem, .now = now};
    struct mp_error err;

    *first_answer = NULL;
    if (!incident_validate(inc, now, errs))
        return -1;
    if (store_write(create_apply, &c, &err) != 0) {
        free(c.first_answer);
        return field_errors_fail(errs, &err);
    }
    *first_answer = c.first_answer;
    return 0;
}

int
incident_get(const char *id_or_ref, struct incident *out, struct mp_error *err)
{
    sqlite3 *db = db_reader(err);
    int found;

    if (db == NULL)
        return -1;
    found = store_incident_load(db, id_or_ref, out, err);
    if (found < 0)
        return -1;
    if (found == 0)
        return mp_error_set(err, 404, "", "no incident '%s'", id_or_ref);
    return 0;
}

/* Loads the incident for a change and checks If-Match. */
static int
load_for_change(sqlite3 *db, const char *id, int64_t if_match, struct incident *cur,
                struct mp_error *err)
{
    int found = store_incident_load(db, id, cur, err);

    if (found < 0)
        return -1;
    if (found == 0)
        return mp_error_set(err, 404, "", "no incident '%s'", id);
    if (if_match >= 0 && if_match != cur->version) {
        mp_error_set(err, 412, "If-Match",
                     "the incident changed: it is at version %lld, not %lld; read it again",
                     (long long)cur->version, (long long)if_match);
        incident_free(cur);
        return -1;
    }
    return 0;
}

struct update_change {
    const struct principal *p;
    const char *id;
    int64_t if_match;
    json_t *patch;
    const char *note; /* why, on each `changed` entry; NULL: none given */
    struct field_errors *errs;
    struct incident *next;
    struct incident *out;
    int64_t now;
};

/* A copy of cur's editable fields to apply a patch to. */
static int
copy_editable(const struct incident *cur, struct incident *next)
{
    *next = *cur;
    next->title = strdup(cur->title);
    next->description = strdup(cur->description ? cur->description : "");
    next->assignee = cur->assignee ? strdup(cur->assignee) : NULL;
    next->root_cause = cur->root_cause ? strdup(cur->root_cause) : NULL;
    next->services = json_deep_copy(cur->services);
    next->impact = json_deep_copy(cur->impact);
    if (next->title == NULL || next->description == NULL || next->services == NULL ||
        next->impact == NULL || (cur->assignee && next->assignee == NULL) ||
        (cur->root_cause && next->root_cause == NULL)) {
        incident_free(next);
        return -1;
    }
    return 0;
}

static int
update_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct update_change *c = arg;
    struct incident cur;
    char at[TIME_RFC3339_LEN];
    json_t *changed;
    int rc = -1;

    struct incident next;

    c->now = store_change_time(c->now);
    if (load_for_change(db, c->id, c->if_match, &cur, err) != 0)
        return -1;
    if (copy_editable(&cur, &next) != 0) {
        incident_free(&cur);
        return mp_error_set(err, 500, "", "out of memory");
    }
    if (!incident_apply_json(&next, c->patch, true, c->now, c->errs) || c->errs->count > 0) {
        incident_free(&next);
        incident_free(&cur);
        return mp_error_set(err, 422, "", "the patch is not valid");
    }
    c->next = &next;
    time_format_rfc3339(c->now, at, TIME_RFC3339_LEN);
    changed = json_array();
    for (size_t i = 0; i < incident_field_count(); i++) {
        const char *name = incident_field_editable(i);
        json_t *old, *new;
        char *old_s, *new_s;
        int step;

        if (name == NULL)
            continue;
        old = incident_field_value(&cur, i);
        new = incident_field_value(c->next, i);
        if (json_equal(old, new)) {
            json_decref(old);
            json_decref(new);
            continue;
        }
        old_s = json_dumps(old, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
        new_s = json_dumps(new, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
        step = store_timeline_append(db, cur.id, at, c->p->name, "changed", name, old_s, new_s,
                                     c->note, err);
        free(old_s);
        free(new_s);
        json_decref(old);
        json_decref(new);
        if (step != 0)
            goto out;
        json_array_append_new(changed, json_string(name));
    }
    if (json_array_size(changed) > 0) {
        /* Move the editable fields over; the rest of cur stays. */
        struct incident *n = c->next;
        free(cur.title);
        free(cur.description);
        free(cur.assignee);
        free(cur.root_cause);
        json_decref(cur.services);
        json_decref(cur.impact);
        cur.title = n->title;
        cur.description = n->description;
        cur.assignee = n->assignee;
        cur.root_cause = n->root_cause;
        n->root_cause = NULL;
        cur.services = n->services;
        cur.impact = n->impact;
        n->title = n->description = n->assignee = NULL;
        n->services = n->impact = NULL;
        cur.category = n->category;
        cur.cause = n->cause;
        cur.severity = n->severity;
        cur.tlp = n->tlp;
        cur.kind = n->kind;
        cur.root_cause_category = n->root_cause_category;
        cur.detected_at = n->detected_at;
        cur.state_at[STATE_DETECTED] = n->detected_at;
        cur.aware_at = n->aware_at;
        cur.started_at = n->started_at;
        cur.ended_at = n->ended_at;
        cur.updated_at = c->now;
        cur.version++;
        if (store_incident_update(db, &cur, err) != 0)
            goto out;
        if (incident_audit(db, c->now, c->p, "incident.update", &cur,
                           json_pack("{s:O, s:s?}", "fields", changed, "note", c->note),
                           err) != 0 ||
            incident_judge(db, &cur, c->p->name, c->note, true, c->now, err) != 0)
            goto out;
    }
    *c->out = cur;
    memset(&cur, 0, sizeof(cur));
    rc = 0;
out:
    json_decref(changed);
    incident_free(&cur);
    incident_free(&next);
    return rc;
}

int
incident_patch(const struct principal *p, int64_t now, const char *id, int64_t if_match,
               json_t *patch, struct incident *out, struct field_errors *errs)
{
    struct update_change c = {.p = p,
                              .id = id,
                              .if_match = if_match,
                              .patch = patch,
                              .errs = errs,
                              .out = out,
                              .now = now};
    json_t *note = json_object_get(patch, "note"), *rest = NULL;
    struct mp_error err;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    /* `note` is not a field: it says why (the timeline and the audit
     * chain keep it), and a change that lifts a duty needs it */
    if (note != NULL) {
        if (!json_is_null(note) &&
            (!json_is_string(note) || strlen(json_string_value(note)) != json_string_length(note)))
            field_error(errs, "note", "must be text: the reason for the change");
        else if (json_is_string(note) && text_chars(json_string_value(note)) > INCIDENT_REASON_MAX)
            field_error(errs, "note", "must be at most %d characters", INCIDENT_REASON_MAX);
        else if (json_is_string(note) && !text_blank(json_string_value(note)))
            c.note = json_string_value(note);
        rest = json_copy(patch);
        if (rest == NULL) {
            mp_error_set(&err, 500, "", "out of memory");
            return field_errors_fail(errs, &err);
        }
        json_object_del(rest, "note");
        c.patch = rest;
    }
    if (store_write(update_apply, &c, &err) != 0) {
        /* a 422 from the patch left its field errors in errs already */
        rc = field_errors_fail(errs, &err);
    }
    json_decref(rest);
    return rc;
}

struct transition_change {
    const struct principal *p;
    const char *id;
    int64_t if_match;
    int to;
    const char *note;
    struct incident *out;
    int64_t now;
};

static int
transition_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct transition_change *c = arg;
    struct incident cur;
    char at[TIME_RFC3339_LEN], old_s[32], new_s[32];
    int from;

    c->now = store_change_time(c->now);
    if (load_for_change(db, c->id, c->if_match, &cur, err) != 0)
        return -1;
    from = cur.state;
    if (!incident_transition_allowed(from, c->to)) {
        const char *targets[STATE_COUNT + 1];
        char list[160] = "";
        int n = incident_transition_targets(from, targets);

        for (int i = 0; i < n; i++)
            snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
                     targets[i]);
        mp_error_set(err, 409, "to", "an incident in state '%s' cannot move to '%s'; %s%s",
                     incident_state_names[from], incident_state_names[c->to],
                     n ? "allowed: " : "it is final", list);
        incident_free(&cur);
        return -1;
    }
    cur.state = c->to;
    cur.state_at[c->to] = c->now;
    cur.updated_at = c->now;
    cur.version++;
    time_format_rfc3339(c->now, at, TIME_RFC3339_LEN);
    snprintf(old_s, sizeof(old_s), "\"%s\"", incident_state_names[from]);
    snprintf(new_s, sizeof(new_s), "\"%s\"", incident_state_names[c->to]);
    if (store_incident_update(db, &cur, err) != 0 ||
        store_timeline_append(db, cur.id, at, c->p->name, "transition", "state", old_s, new_s,
                              c->note, err) != 0 ||
        incident_audit(db, c->now, c->p, "incident.transition", &cur,
                       json_pack("{s:s, s:s}", "from", incident_state_names[from], "to",
                                 incident_state_names[c->to]),
                       err) != 0 ||
        incident_judge(db, &cur, c->p->name, NULL, false, c->now, err) != 0 ||
        /* The closing guard, after the last judgement (which may have found
         * more owed): every report is submitted or waived. */
        (c->to == STATE_CLOSED && hooks.closable && hooks.closable(db, cur.id, err) != 0)) {
        incident_free(&cur);
        return -1;
    }
    *c->out = cur;
    return 0;
}

int
incident_transition(const struct principal *p, int64_t now, const char *id, int64_t if_match,
                    int to, const char *note, struct incident *out, struct mp_error *err)
{
    struct transition_change c = {.p = p,
                                  .id = id,
                                  .if_match = if_match,
                                  .to = to,
                                  .note = text_blank(note) ? NULL : note,
                                  .out = out,
                                  .now = now};

    memset(out, 0, sizeof(*out));
    if (to < 0 || to >= STATE_COUNT)
        return mp_error_set(err, 422, "to", "unknown state");
    if (note != NULL && text_chars(note) > INCIDENT_NOTE_MAX)
        return mp_error_set(err, 422, "note", "must be at most %d characters", INCIDENT_NOTE_MAX);
    if (to == STATE_DISMISSED && text_blank(note))
        return mp_error_set(err, 422, "note", "dismissing an incident needs the reason");
    return store_write(transition_apply, &c, err);
}

struct note_change {
    const struct principal *p;
    const char *id;
    const char *text;
    struct incident *out;
    int64_t now;
};

static int
note_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct note_change *c = arg;
    struct incident cur;
    char at[TIME_RFC3339_LEN];

    c->now = store_change_time(c->now);
    if (load_for_change(db, c->id, -1, &cur, err) != 0)
        return -1;
    cur.updated_at = c->now;
    cur.version++;
    time_format_rfc3339(c->now, at, TIME_RFC3339_LEN);
    if (store_incident_update(db, &cur, err) != 0 ||
        store_timeline_append(db, cur.id, at, c->p->name, "note", NULL, NULL, NULL, c->text, err) !=
            0 ||
        incident_audit(db, c->now, c->p, "incident.note", &cur, NULL, err) != 0) {
        incident_free(&cur);
        return -1;
    }
    *c->out = cur;
    return 0;
}

int
incident_add_note(const struct principal *p, int64_t now, const char *id, const char *text,
                  struct incident *out, struct mp_error *err)
{
    struct note_change c = {.p = p, .id = id, .text = text, .out = out, .now = now};

    memset(out, 0, sizeof(*out));
    if (text == NULL || text_blank(text))
        return mp_error_set(err, 422, "text", "a note needs text");
    if (text_chars(text) > INCIDENT_NOTE_MAX)
        return mp_error_set(err, 422, "text", "must be at most %d characters", INCIDENT_NOTE_MAX);
    return store_write(note_apply, &c, err);
}

int
incident_list(const struct incident_filter *f, struct incident **items, int *count,
              int64_t *next_seq, struct mp_error *err)
{
    struct store_incident_query q = {
        .state = f->state,
        .severity = f->severity,
        .category = f->category,
        .q = f->q,
        .updated_since = f->updated_since,
        .before_seq = f->before_seq,
        .limit = f->limit,
        .tlp_limited = f->tlp_max < TLP_RED,
        .tlp_max = f->tlp_max,
    };
    sqlite3 *db = db_reader(err);

    *next_seq = 0;
    if (db == NULL || store_incident_query(db, &q, items, count, err) != 0)
        return -1;
    if (*count > f->limit) {
        /* the extra row says another page exists; it starts below the
         * last row shown */
        incident_free(&(*items)[*count - 1]);
        (*count)--;
        *next_seq = (*items)[*count - 1].seq;
    }
    return 0;
}

void
incident_list_free(struct incident *items, int count)
{
    for (int i = 0; i < count; i++)
        incident_free(&items[i]);
    free(items);
}

int
incident_timeline(const char *id_or_ref, struct timeline_entry **entries, int *count,
                  struct mp_error *err)
{
    struct incident inc;
    sqlite3 *db;

    if (incident_get(id_or_ref, &inc, err) != 0)
        return -1;
    db = db_reader(err);
    if (db == NULL || store_timeline_list(db, inc.id, entries, count, err) != 0) {
        incident_free(&inc);
        return -1;
    }
    incident_free(&inc);
    return 0;
}

void
incident_timeline_free(struct timeline_entry *entries, int count)
{
    for (int i = 0; i < count; i++) {
        free(entries[i].field);
        free(entries[i].old_value);
        free(entries[i].new_value);
        free(entries[i].note);
    }
    free(entries);
}

/*
 * Who made the incident's latest change (its last timeline entry), named as
 * people know them: a user by the full name of the profile, else the sign-in
 * name; an API token by its name.  For an edit conflict (412), so that the
 * one who typed knows whom to ask.  principal and name are empty when the
 * timeline is.
 */
int
incident_changed_by(const char *id_or_ref, char principal[96], char name[404], struct mp_error *err)
{
    struct timeline_entry *tl = NULL;
    struct user_row u;
    struct mp_error ignored;
    const char *colon;
    int n = 0;

    principal[0] = name[0] = '\0';
    if (incident_timeline(id_or_ref, &tl, &n, err) != 0)
        return -1;
    if (n > 0) {
        snprintf(principal, 96, "%s", tl[n - 1].principal);
        colon = strchr(principal, ':');
        snprintf(name, 404, "%s", colon ? colon + 1 : principal);
        if (strncmp(principal, "user:", 5) == 0 && user_get(name, &u, &ignored) == 0 &&
            u.full_name[0] != '\0')
            snprintf(name, 404, "%s", u.full_name);
    }
    incident_timeline_free(tl, n);
    return 0;
}

int
incident_count_by_state(int tlp_max, int64_t counts[STATE_COUNT], struct mp_error *err)
{
    sqlite3 *db = db_reader(err);

    if (db == NULL)
        return -1;
    return store_incident_count_by_state(db, tlp_max, counts, STATE_COUNT, err);
}

json_t *
incident_counts_json(int tlp_max, struct mp_error *err)
{
    int64_t counts[STATE_COUNT][SEVERITY_COUNT];
    sqlite3 *db = db_reader(err);
    json_t *out;

    if (db == NULL || store_incident_count_by_severity(db, tlp_max, counts, err) != 0)
        return NULL;
    out = json_object();
    for (int s = 0; s < STATE_COUNT; s++) {
        json_t *row = json_object();
        int64_t total = 0;
        for (int v = 0; v < SEVERITY_COUNT; v++) {
            json_object_set_new(row, incident_severity_names[v], json_integer(counts[s][v]));
            total += counts[s][v];
        }
        json_object_set_new(row, "total", json_integer(total));
        json_object_set_new(out, incident_state_names[s], row);
    }
    return out;
}

int
incident_check_visible(const struct principal *p, const char *id_or_ref, struct mp_error *err)
{
    struct incident inc;
    sqlite3 *db;
    int found, tlp;

    if (p->tlp_max >= TLP_RED)
        return 0;
    db = db_reader(err);
    if (db == NULL)
        return -1;
    found = store_incident_load(db, id_or_ref, &inc, err);
    if (found < 0)
        return -1;
    if (found == 0)
        return 0;
    tlp = inc.tlp;
    incident_free(&inc);
    if (tlp > p->tlp_max)
        return mp_error_set(err, 404, "", "no incident '%s'", id_or_ref);
    return 0;
}

/* ---- issue 22, exercises: changes inside the caller's transaction ---- */

/* An exercise's inject is applied and recorded as applied in one
 * transaction (core/exercise_run.c), so it happens exactly once: the
 * patch and the note as the API's, on the writer connection db. */
int
incident_patch_in(sqlite3 *db, const struct principal *p, int64_t now, const char *id,
                  json_t *patch, const char *note, struct field_errors *errs, struct mp_error *err)
{
    struct incident out;
    struct update_change c = {.p = p,
                              .id = id,
                              .if_match = -1,
                              .patch = patch,
                              .note = note,
                              .errs = errs,
                              .out = &out,
                              .now = now};
    int rc;

    memset(&out, 0, sizeof(out));
    rc = update_apply(db, &c, err);
    incident_free(&out);
    return rc;
}

int
incident_note_in(sqlite3 *db, const struct principal *p, int64_t now, const char *id,
                 const char *text, struct mp_error *err)
{
    struct incident out;
    struct note_change c = {.p = p, .id = id, .text = text, .out = &out, .now = now};
    int rc;

    memset(&out, 0, sizeof(out));
    rc = note_apply(db, &c, err);
    incident_free(&out);
    return rc;
}
