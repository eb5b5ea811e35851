/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * suppression.c - suppressions: an analyst's "drop or mute alerts that
 * match this, for a while, for this reason".  Alert ingestion (alert.c)
 * applies the suppressions in force; this file creates, lists and ends
 * them.  Declared in alert.h; see docs/ALERTS.md.
 */
#include "alert.h"
#include "alert_int.h"
#include "core/detect.h"
#include "core/audit.h"
#include "lib/uuid.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUPPRESSION_REASON_MAX 500
#define SUPPRESSION_SPAN_MAX   ((int64_t)366 * 24 * 3600)

json_t *
suppression_to_json(const struct suppression *s, int64_t now)
{
    bool active = s->deleted_at == TIME_UNSET && s->starts_at <= now && now < s->expires_at;

    return json_pack("{s:s, s:O, s:s, s:s, s:o, s:o, s:b, s:I, s:o, s:s, s:o, s:s?}", "id", s->id,
                     "match", s->match, "action", s->action, "reason", s->reason, "starts_at",
                     time_format_json(s->starts_at), "expires_at", time_format_json(s->expires_at),
                     "active", active, "dropped", (json_int_t)s->dropped, "created_at",
                     time_format_json(s->created_at), "created_by", s->created_by, "deleted_at",
                     time_format_json(s->deleted_at), "deleted_by",
                     s->deleted_by[0] ? s->deleted_by : NULL);
}

struct suppression_change {
    const struct principal *p;
    int64_t now;
    struct suppression *s;
    const char *id;
};

static int
suppression_audit(sqlite3 *db, int64_t now, const struct principal *p, const char *action,
                  const struct suppression *s, const char *id, struct mp_error *err)
{
    json_t *payload = s ? json_pack("{s:O, s:s, s:s}", "match", s->match, "action", s->action,
                                    "reason", s->reason)
                        : json_object();

    return audit_append_json(db, now, p->name, action, id, payload, err);
}

static int
suppression_create_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct suppression_change *c = arg;

    c->s->created_at = c->now;
    if (store_suppression_insert(db, c->s, err) != 0)
        return -1;
    return suppression_audit(db, c->now, c->p, "suppression.create", c->s, c->s->id, err);
}

int
suppression_create(const struct principal *p, int64_t now, json_t *body, struct suppression *out,
                   struct field_errors *errs)
{
    static const char *const fields[] = {"match",     "action",     "reason",
                                         "starts_at", "expires_at", NULL};
    struct suppression_change c = {.p = p, .now = now, .s = out};
    struct mp_error err;
    const char *key, *action;
    json_t *v;
    char *reason = NULL;

    memset(out, 0, sizeof(*out));
    out->deleted_at = TIME_UNSET;
    json_object_foreach(body, key, v)
    {
        bool known = false;
        for (int i = 0; fields[i] && !known; i++)
            known = strcmp(fields[i], key) == 0;
        if (!known)
            field_error(errs, key, "unknown field");
    }
    v = json_object_get(body, "match");
    if (v == NULL)
        field_error(errs, "match", "is required");
    else if (!detect_match_valid(v, "match", &err))
        field_error(errs, err.field, "%s", err.message);
    v = json_object_get(body, "action");
    action = v == NULL ? "drop" : json_string_value(v);
    if (action == NULL || (strcmp(action, "drop") != 0 && strcmp(action, "mute") != 0))
        field_error(errs, "action", "must be drop or mute");
    else
        snprintf(out->action, sizeof(out->action), "%s", action);
    alert_field_text(body, "reason", true, SUPPRESSION_REASON_MAX, &reason, errs);
    out->starts_at = now;
    out->expires_at = TIME_UNSET;
    alert_field_time(body, "starts_at", &out->starts_at, errs);
    if (json_object_get(body, "expires_at") == NULL)
        field_error(errs, "expires_at", "is required: a suppression must end");
    else if (alert_field_time(body, "expires_at", &out->expires_at, errs) &&
             out->expires_at != TIME_UNSET) {
        if (out->expires_at <= out->starts_at || out->expires_at <= now)
            field_error(errs, "expires_at", "must be after starts_at and in the future");
        else if (out->expires_at - out->starts_at > SUPPRESSION_SPAN_MAX)
            field_error(errs, "expires_at", "a suppression lasts at most a year");
    }
    if (errs->count > 0) {
        free(reason);
        return -1;
    }
    out->reason = reason;
    out->match = json_deep_copy(json_object_get(body, "match"));
    uuid7_generate(out->id);
    snprintf(out->created_by, sizeof(out->created_by), "%s", p->name);
    if (store_write(suppression_create_apply, &c, &err) != 0) {
        suppression_free(out);
        return field_errors_fail(errs, &err);
    }
    return 0;
}

int
suppression_list(struct suppression **items, int *count, struct mp_error *err)
{
    sqlite3 *db = db_reader(err);

    if (db == NULL)
        return -1;
    return store_suppression_list(db, false, 0, items, count, err);
}

void
suppression_list_free(struct suppression *items, int count)
{
    for (int i = 0; i < count; i++)
        suppression_free(&items[i]);
    free(items);
}

int
suppression_get(const char *id, struct suppression *out, struct mp_error *err)
{
    sqlite3 *db = db_reader(err);
    int found;

    if (db == NULL)
        return -1;
    found = store_suppression_load(db, id, out, err);
    if (found < 0)
        return -1;
    if (found == 0)
        return mp_error_set(err, 404, "", "no suppression '%s'", id);
    return 0;
}

static int
suppression_delete_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct suppression_change *c = arg;
    struct suppression s;
    int found = store_suppression_load(db, c->id, &s, err), rc;

    if (found < 0)
        return -1;
    if (found == 0)
        return mp_error_set(err, 404, "", "no suppression '%s'", c->id);
    if (s.deleted_at != TIME_UNSET) {
        suppression_free(&s);
        return mp_error_set(err, 409, "", "the suppression was ended already");
    }
    rc = store_suppression_delete(db, c->id, c->now, c->p->name, err) < 0 ||
                 suppression_audit(db, c->now, c->p, "suppression.delete", &s, c->id, err) != 0
             ? -1
             : 0;
    suppression_free(&s);
    return rc;
}

int
suppression_delete(const struct principal *p, int64_t now, const char *id, struct mp_error *err)
{
    struct suppression_change c = {.p = p, .now = now, .id = id};
    return store_write(suppression_delete_apply, &c, err);
}
