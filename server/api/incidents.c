/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * incidents.c - /api/v1/incidents: create, list, read, patch, transitions,
 * notes, timeline.  Decoding and validation of the fields live with the
 * model (core/incident.c); this file maps HTTP to those operations.
 */
#include "api.h"
#include "core/incident.h"
#include "lib/text.h"
#include "lib/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_LIMIT_DEFAULT 50
#define LIST_LIMIT_MAX     200

static void
set_etag(struct api_response *rs, const struct incident *inc)
{
    snprintf(rs->etag, sizeof(rs->etag), "\"%lld\"", (long long)inc->version);
}

/* A principal limited to some TLP levels may not mark an incident above
 * them (it would vanish from their sight); false with a 422 then. */
static bool
tlp_allowed(const struct api_request *rq, json_t *in, struct api_response *rs)
{
    json_t *v = json_object_get(in, "tlp");
    int t;

    if (rq->principal->tlp_max >= TLP_RED || !json_is_string(v))
        return true;
    t = incident_enum_parse(incident_tlp_names, TLP_COUNT, json_string_value(v));
    if (t > rq->principal->tlp_max) {
        api_fail(rs, 422, "tlp", "is above the highest level you may see (%s)",
                 incident_tlp_names[rq->principal->tlp_max]);
        return false;
    }
    return true;
}

static void
answer_incident(const struct api_request *rq, struct api_response *rs, int status,
                const struct incident *inc)
{
    json_t *body = incident_to_json(inc, rq->now);

    if (body == NULL) {
        api_fail(rs, 500, NULL, "out of memory");
        return;
    }
    set_etag(rs, inc);
    api_ok(rs, status, body);
}

void
api_incidents_create(const struct api_request *rq, struct api_response *rs)
{
    struct field_errors errs = {0};
    struct idempotency idem = {0};
    struct incident inc;
    char *first = NULL;
    json_t *in;

    if (!api_idempotency(rq, &idem, rs))
        return;
    in = api_parse_object(rq, rs);
    if (in == NULL)
        return;
    if (!tlp_allowed(rq, in, rs)) {
        json_decref(in);
        return;
    }
    incident_init(&inc, rq->now);
    /* a limited principal's new incident defaults to a level they see */
    if (inc.tlp > rq->principal->tlp_max)
        inc.tlp = rq->principal->tlp_max;
    if (!incident_apply_json(&inc, in, false, rq->now, &errs) ||
        incident_create(rq->principal, rq->now, &inc, &idem, &first, &errs) != 0) {
        api_field_errors(rs, &errs);
    } else if (first != NULL) {
        /* a retry: the first answer, unchanged (an incident is created at
         * version 1) */
        snprintf(rs->location, sizeof(rs->location), "/api/v1/incidents/%s", inc.id);
        snprintf(rs->etag, sizeof(rs->etag), "\"1\"");
        rs->status = 201;
        rs->content_type = "application/json";
        rs->raw = first;
        rs->raw_len = strlen(first);
    } else {
        snprintf(rs->location, sizeof(rs->location), "/api/v1/incidents/%s", inc.id);
        answer_incident(rq, rs, 201, &inc);
    }
    incident_free(&inc);
    json_decref(in);
}

void
api_incidents_list(const struct api_request *rq, struct api_response *rs)
{
    struct incident_filter f = {.updated_since = TIME_UNSET};
    struct incident *items;
    struct mp_error err;
    const char *since, *cursor;
    int64_t limit, next;
    char next_s[32];
    int n;

    if (!api_query_enum(rq, "state", incident_state_names, STATE_COUNT, &f.state, rs) ||
        !api_query_enum(rq, "severity", incident_severity_names, SEVERITY_COUNT, &f.severity, rs) ||
        !api_query_enum(rq, "category", incident_category_names, CATEGORY_COUNT, &f.category, rs) ||
        !api_query_int(rq, "limit", 1, LIST_LIMIT_MAX, LIST_LIMIT_DEFAULT, &limit, rs))
        return;
    f.limit = (int)limit;
    f.tlp_max = rq->principal->tlp_max;
    f.q = rq->query(rq->ctx, "q");
    if (f.q != NULL && (f.q[0] == '\0' || text_chars(f.q) > 200)) {
        if (f.q[0] != '\0') {
            api_fail(rs, 400, "q", "must be at most 200 characters");
            return;
        }
        f.q = NULL;
    }
    since = rq->query(rq->ctx, "updated_since");
    if (since != NULL && since[0] != '\0' && time_parse_rfc3339(since, &f.updated_since) != 0) {
        api_fail(rs, 400, "updated_since", "must be an RFC 3339 date-time");
        return;
    }
    cursor = rq->query(rq->ctx, "cursor");
    if (cursor != NULL && cursor[0] != '\0' && !api_cursor_decode(cursor, &f.before_seq)) {
        api_fail(rs, 400, "cursor", "is not a cursor this server gave out");
        return;
    }
    if (incident_list(&f, &items, &n, &next, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    /* the page's JSON written straight as text: no tree of every value */
    api_cursor_encode(next, next_s);
    rs->raw = incident_list_text(items, n, rq->now, next ? next_s : NULL, &rs->raw_len);
    incident_list_free(items, n);
    if (rs->raw == NULL) {
        api_fail(rs, 500, NULL, "out of memory");
        return;
    }
    rs->status = 200;
    rs->content_type = "application/json";
}

/* GET /api/v1/dashboard: what the dashboard counts, from the server. */
void
api_dashboard(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    json_t *counts = incident_counts_json(rq->principal->tlp_max, &err);

    if (counts == NULL) {
        api_error(rs, &err);
        return;
    }
    api_ok(rs, 200, json_pack("{s:o}", "counts", counts));
}

void
api_incidents_get(const struct api_request *rq, struct api_response *rs)
{
    struct incident inc;
    struct mp_error err;

    if (incident_get(rq->params[0], &inc, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    answer_incident(rq, rs, 200, &inc);
    incident_free(&inc);
}

/* A 412 names who saved first (changed_by: {principal, name}), so an edit
 * conflict shows a person, not "someone". */
static void
changed_by(const struct api_request *rq, struct api_response *rs)
{
    char principal[96], name[404];
    struct mp_error err;

    if (incident_changed_by(rq->params[0], principal, name, &err) == 0 && principal[0] != '\0')
        rs->extra = json_pack("{s:{s:s, s:s}}", "changed_by", "principal", principal, "name", name);
}

void
api_incidents_patch(const struct api_request *rq, struct api_response *rs)
{
    struct field_errors errs = {0};
    struct incident out;
    int64_t if_match;
    json_t *patch;

    if (!api_if_match(rq, "incident", &if_match, rs))
        return;
    patch = api_parse_object(rq, rs);
    if (patch == NULL)
        return;
    if (!tlp_allowed(rq, patch, rs)) {
        json_decref(patch);
        return;
    }
    if (incident_patch(rq->principal, rq->now, rq->params[0], if_match, patch, &out, &errs) != 0) {
        api_field_errors(rs, &errs);
        if (rs->status == 412)
            changed_by(rq, rs);
    } else
        answer_incident(rq, rs, 200, &out);
    incident_free(&out);
    json_decref(patch);
}

void
api_incidents_transition(const struct api_request *rq, struct api_response *rs)
{
    static const char *const fields[] = {"to", "note", NULL};
    const char *to_s, *note;
    struct incident out;
    struct mp_error err;
    int64_t if_match;
    json_t *in;
    int to;

    if (!api_if_match(rq, "incident", &if_match, rs))
        return;
    in = api_parse_object(rq, rs);
    if (in == NULL)
        return;
    api_only_fields(in, fields, rs);
    api_get_string(in, "to", true, 32, &to_s, rs);
    api_get_string(in, "note", false, INCIDENT_NOTE_MAX, &note, rs);
    if (rs->status >= 400)
        goto out;
    to = incident_enum_parse(incident_state_names, STATE_COUNT, to_s);
    if (to < 0) {
        api_fail(rs, 422, "to",
                 "must be one of detected, triage, confirmed, contained, resolved, closed, "
                 "dismissed");
        goto out;
    }
    if (incident_transition(rq->principal, rq->now, rq->params[0], if_match, to, note, &out,
                            &err) != 0) {
        incident_free(&out); /* filled before a commit that then failed */
        api_error(rs, &err);
        if (err.status == 409) {
            /* name the states that may follow, for programs */
            struct incident cur;
            const char *targets[STATE_COUNT + 1];
            json_t *allowed = json_array();

            if (incident_get(rq->params[0], &cur, &err) == 0) {
                incident_transition_targets(cur.state, targets);
                for (int i = 0; targets[i]; i++)
                    json_array_append_new(allowed, json_string(targets[i]));
                rs->extra = json_pack("{s:s, s:o}", "state", incident_state_names[cur.state],
                                      "allowed", allowed);
                incident_free(&cur);
            } else {
                json_decref(allowed);
            }
        }
        goto out;
    }
    answer_incident(rq, rs, 200, &out);
    incident_free(&out);
out:
    json_decref(in);
}

void
api_incidents_note(const struct api_request *rq, struct api_response *rs)
{
    static const char *const fields[] = {"text", NULL};
    struct incident out;
    struct mp_error err;
    const char *text;
    char at[TIME_RFC3339_LEN];
    json_t *in;

    in = api_parse_object(rq, rs);
    if (in == NULL)
        return;
    api_only_fields(in, fields, rs);
    api_get_string(in, "text", true, INCIDENT_NOTE_MAX, &text, rs);
    if (rs->status >= 400)
        goto out;
    if (incident_add_note(rq->principal, rq->now, rq->params[0], text, &out, &err) != 0) {
        incident_free(&out); /* filled before a commit that then failed */
        api_error(rs, &err);
        goto out;
    }
    time_format_rfc3339(out.updated_at, at, sizeof(at));
    set_etag(rs, &out);
    api_ok(rs, 201,
           json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "kind", "note", "incident", out.id, "at", at,
                     "principal", rq->principal->name, "note", text, "version",
                     (json_int_t)out.version));
    incident_free(&out);
out:
    json_decref(in);
}

static json_t *
json_or_null(const char *text)
{
    json_t *v;

    if (text == NULL)
        return json_null();
    v = json_loads(text, JSON_DECODE_ANY, NULL);
    return v ? v : json_string(text);
}

void
api_incidents_timeline(const struct api_request *rq, struct api_response *rs)
{
    struct timeline_entry *v;
    struct mp_error err;
    json_t *items;
    int n;

    if (incident_timeline(rq->params[0], &v, &n, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    items = json_array();
    for (int i = 0; i < n; i++) {
        json_t *e = json_pack("{s:I, s:s, s:s, s:s}", "seq", (json_int_t)v[i].seq, "at", v[i].at,
                              "principal", v[i].principal, "kind", v[i].kind);
        if (v[i].field)
            json_object_set_new(e, "field", json_string(v[i].field));
        if (v[i].old_value || v[i].new_value) {
            json_object_set_new(e, "old", json_or_null(v[i].old_value));
            json_object_set_new(e, "new", json_or_null(v[i].new_value));
        }
        if (v[i].note)
            json_object_set_new(e, "note", json_string(v[i].note));
        json_array_append_new(items, e);
    }
    incident_timeline_free(v, n);
    api_ok(rs, 200, json_pack("{s:o}", "items", items));
}
