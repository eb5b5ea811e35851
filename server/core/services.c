/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * services.c - the service registry: the services an incident can affect,
 * with the users they have and whether they are critical; a change judges
 * every open incident again.  See classify.h.
 */
#include "classify.h"
#include "classify_int.h"
#include "lib/timeutil.h"
#include "store/audit.h"
#include "store/classification.h"
#include "store/db.h"
#include "store/writer.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- services ---- */

int
services_list(json_t **out, struct mp_error *err)
{
    sqlite3 *db = db_reader(err);
    json_t *all;

    *out = NULL;
    if (db == NULL || store_service_get(db, NULL, &all, err) != 0)
        return -1;
    *out = json_pack("{s:o}", "items", all);
    return 0;
}

int
services_get(const char *name, json_t **out, struct mp_error *err)
{
    sqlite3 *db = db_reader(err);

    *out = NULL;
    if (db == NULL || store_service_get(db, name, out, err) != 0)
        return -1;
    if (*out == NULL)
        return mp_error_set(err, 404, "", "no service '%s'", name);
    return 0;
}

struct service_change {
    const struct principal *p;
    int64_t now;
    const char *name;
    const char *description;
    json_t *users_total;
    int critical; /* 1, 0, or -1: unknown */
    char *member_states;
    bool created;
    bool delete;
};

static int
service_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct service_change *c = arg;
    char at[TIME_RFC3339_LEN], *payload;
    int64_t now = c->now;
    json_t *pj;
    int rc;

    classify_fmt_time(now, at);
    if (c->delete) {
        if (store_service_delete(db, c->name, err) != 0)
            return -1;
    } else if (store_service_put(db, c->name, c->description, c->users_total, c->critical,
                                 c->member_states, at, c->p->name, &c->created, err) != 0) {
        return -1;
    }
    /* names are free text: let jansson quote them */
    pj = json_pack("{s:s}", "name", c->name);
    payload = pj ? json_dumps(pj, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(pj);
    if (payload == NULL)
        return mp_error_set(err, 500, "", "out of memory");
    rc = store_audit_append(db, now, c->p->name, c->delete ? "service.delete" : "service.put",
                            c->name, payload, err);
    free(payload);
    if (rc != 0)
        return -1;
    /* users_total and critical come from here: judge open incidents again */
    return classify_refresh_open(db, c->p->name, now, err);
}

int
services_put(const struct principal *p, int64_t now, const char *name, json_t *body, bool *created,
             struct field_errors *errs)
{
    static const char *const members[] = {"name",     "description",   "users_total",
                                          "critical", "member_states", NULL};
    struct service_change c = {.p = p, .now = now, .name = name, .description = ""};
    struct mp_error err;
    const char *key;
    json_t *v, *x;
    size_t i;
    int rc;

    json_object_foreach(body, key, v)
    {
        bool ok = false;
        for (int k = 0; members[k]; k++)
            ok = ok || strcmp(members[k], key) == 0;
        if (!ok)
            field_error(errs, key, "unknown field");
    }
    if (strlen(name) == 0 || strlen(name) > 100)
        field_error(errs, "name", "must be 1-100 characters");
    v = json_object_get(body, "name");
    if (v && (!json_is_string(v) || strcmp(json_string_value(v), name) != 0))
        field_error(errs, "name", "must match the name in the path");
    v = json_object_get(body, "description");
    if (v && (!json_is_string(v) || json_string_length(v) > 2000))
        field_error(errs, "description", "must be text of at most 2000 characters");
    else if (v)
        c.description = json_string_value(v);
    v = json_object_get(body, "users_total");
    if (v && !json_is_null(v) && !(json_is_integer(v) && json_integer_value(v) >= 0))
        field_error(errs, "users_total", "must be null or a whole number, 0 or more");
    c.users_total = v;
    /* absent or null: unknown, not "no" (classify.c then leaves
     * critical_service_affected to the incident) */
    v = json_object_get(body, "critical");
    if (v && !json_is_boolean(v) && !json_is_null(v))
        field_error(errs, "critical", "must be true, false or null (unknown)");
    c.critical = json_is_boolean(v) ? json_is_true(v) : -1;
    v = json_object_get(body, "member_states");
    if (v && !json_is_array(v)) {
        field_error(errs, "member_states", "must be a list of ISO 3166-1 alpha-2 codes");
    } else if (v) {
        json_array_foreach(v, i, x)
        {
            const char *cc = json_string_value(x);
            if (!cc || strlen(cc) != 2 || strspn(cc, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 2) {
                field_error(errs, "member_states", "item %zu must be a code such as NL", i);
                break;
            }
        }
    }
    if (errs->count > 0)
        return -1;
    c.member_states = v ? json_dumps(v, JSON_COMPACT) : strdup("[]");
    rc = store_write(service_apply, &c, &err);
    free(c.member_states);
    if (rc != 0)
        return field_errors_fail(errs, &err);
    *created = c.created;
    return 0;
}

int
services_delete(const struct principal *p, int64_t now, const char *name, struct mp_error *err)
{
    struct service_change c = {.p = p, .now = now, .name = name, .delete = true};

    return store_write(service_apply, &c, err);
}
