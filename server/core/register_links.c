/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * register_links.c - incidents and the risk register: links from an
 * incident to the assets and suppliers it affects (and, once closed, the
 * scenario it realised and the measures it produced), each noted on the
 * incident's timeline, and the preparedness view of one incident with a
 * severity suggestion for crown jewels.  See register.h.
 */
#include "register_int.h"
#include "core/incident.h"
#include "lib/timeutil.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/incidents.h"
#include "store/register.h"
#include "store/writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- incidents ---- */

static const struct {
    const char *relation;
    const char *kinds[3];
    bool closed_only; /* the "learn" links: once the incident is closed */
} relations[] = {
    {"affects", {"asset", "supplier", NULL}, false},
    {"realised", {"scenario", NULL, NULL}, true},
    {"produced", {"measure", NULL, NULL}, true},
};

struct link_change {
    const struct principal *p;
    int64_t now;
    const char *incident_id, *item, *relation;
    bool unlink;
    struct field_errors *errs;
};

/* The link and its audit entry, and a note on the incident's timeline:
 * the incident's own history shows what it was tied to. */
static int
link_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct link_change *c = arg;
    char at[TIME_RFC3339_LEN], payload[200], note[320];
    struct register_row row;
    json_t *link;
    char *value;
    int found, rc;

    time_format_rfc3339(c->now, at, sizeof(at));
    if (c->unlink)
        rc = store_incident_link_delete(db, c->incident_id, c->item, c->relation, err);
    else
        rc = store_incident_link_insert(db, c->incident_id, c->item, c->relation, at, c->p->name,
                                        err);
    if (rc != 0)
        return -1;
    found = store_register_get(db, c->item, NULL, &row, err);
    if (found <= 0)
        return found < 0 ? -1 : mp_error_set(err, 404, "item", "no register item %s", c->item);
    snprintf(note, sizeof(note), "%s %s %s '%.200s'", c->unlink ? "unlinked" : "linked",
             c->relation, row.kind, row.name);
    link = json_pack("{s:s, s:s, s:s}", "item", c->item, "kind", row.kind, "relation", c->relation);
    value = json_dumps(link, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(link);
    store_register_row_free(&row);
    rc = store_timeline_append(db, c->incident_id, at, c->p->name, "note", "link",
                               c->unlink ? value : NULL, c->unlink ? NULL : value, note, err);
    free(value);
    if (rc != 0)
        return -1;
    snprintf(payload, sizeof(payload), "{\"item\":\"%s\",\"relation\":\"%s\"}", c->item,
             c->relation);
    return store_audit_append(db, c->now, c->p->name,
                              c->unlink ? "incident.unlink" : "incident.link", c->incident_id,
                              payload, err);
}

int
register_link_incident(const struct principal *p, int64_t now, const char *incident,
                       const char *item, const char *relation, struct field_errors *errs)
{
    struct link_change c = {.p = p, .now = now, .item = item, .relation = relation, .errs = errs};
    struct register_row row;
    struct incident inc;
    struct mp_error err;
    sqlite3 *db;
    size_t r;
    int found, rc;

    for (r = 0; r < N(relations) && strcmp(relations[r].relation, relation) != 0; r++)
        ;
    if (r == N(relations)) {
        field_error(errs, "relation", "must be affects, realised or produced");
        return -1;
    }
    if (incident_get(incident, &inc, &err) != 0)
        return field_errors_fail(errs, &err);
    c.incident_id = inc.id;
    db = db_reader(&err);
    found = db ? store_register_get(db, item, NULL, &row, &err) : -1;
    if (found < 0) {
        incident_free(&inc);
        return field_errors_fail(errs, &err);
    }
    if (found == 0) {
        field_error(errs, "item", "no register item %s", item);
    } else if (!register_in_values(relations[r].kinds, row.kind)) {
        field_error(errs, "item", "a %s cannot be '%s' by an incident", row.kind, relation);
    } else if (relations[r].closed_only && inc.state != STATE_CLOSED) {
        mp_error_set(&err, 409, "relation", "'%s' links are for closed incidents; this one is %s",
                     relation, incident_state_names[inc.state]);
        field_errors_fail(errs, &err);
    }
    store_register_row_free(&row);
    if (errs->count > 0) {
        incident_free(&inc);
        return -1;
    }
    rc = store_write(link_apply, &c, &err);
    incident_free(&inc);
    return rc == 0 ? 0 : field_errors_fail(errs, &err);
}

int
register_unlink_incident(const struct principal *p, int64_t now, const char *incident,
                         const char *relation, const char *item, struct mp_error *err)
{
    struct link_change c = {.p = p, .now = now, .item = item, .relation = relation, .unlink = true};
    struct incident inc;
    size_t r;
    int rc;

    for (r = 0; r < N(relations) && strcmp(relations[r].relation, relation) != 0; r++)
        ;
    if (r == N(relations))
        return mp_error_set(err, 422, "relation", "must be affects, realised or produced");
    if (incident_get(incident, &inc, err) != 0)
        return -1;
    c.incident_id = inc.id;
    rc = store_write(link_apply, &c, err);
    incident_free(&inc);
    return rc;
}

static bool
contains(json_t *list, json_t *v)
{
    json_t *x;
    size_t i;

    json_array_foreach(list, i, x)
    {
        if (json_equal(x, v))
            return true;
    }
    return false;
}

/* The assets an incident touches: the service assets named like one of
 * the incident's services, those linked, those a linked supplier serves,
 * and (to a fixpoint) those that depend on any of them. */
static json_t *
affected_assets(json_t *all, json_t *links, json_t *services)
{
    json_t *ids = json_array(), *x, *l;
    size_t i, k;
    bool grew = true;

    json_array_foreach(all, i, x)
    {
        const char *type = json_string_value(json_object_get(x, "type"));
        if (strcmp(json_string_value(json_object_get(x, "kind")), "asset") == 0 && type &&
            strcmp(type, "service") == 0 && contains(services, json_object_get(x, "name")))
            json_array_append(ids, json_object_get(x, "id"));
    }
    json_array_foreach(links, k, l)
    {
        json_t *item = register_by_id(all, json_string_value(json_object_get(l, "item")));
        const char *kind;
        if (item == NULL ||
            strcmp(json_string_value(json_object_get(l, "relation")), "affects") != 0)
            continue;
        kind = json_string_value(json_object_get(item, "kind"));
        if (strcmp(kind, "asset") == 0 && !contains(ids, json_object_get(item, "id")))
            json_array_append(ids, json_object_get(item, "id"));
        if (strcmp(kind, "supplier") == 0) {
            json_array_foreach(json_object_get(item, "services"), i, x)
            {
                if (!contains(ids, x))
                    json_array_append(ids, x);
            }
            /* assets that name the supplier */
            json_array_foreach(all, i, x)
            {
                if (contains(json_object_get(x, "suppliers"), json_object_get(item, "id")) &&
                    !contains(ids, json_object_get(x, "id")))
                    json_array_append(ids, json_object_get(x, "id"));
            }
        }
    }
    while (grew) {
        grew = false;
        json_array_foreach(all, i, x)
        {
            json_t *dep = json_object_get(x, "depends_on"), *y;
            if (dep == NULL || contains(ids, json_object_get(x, "id")))
                continue;
            json_array_foreach(dep, k, y)
            {
                if (contains(ids, y)) {
                    json_array_append(ids, json_object_get(x, "id"));
                    grew = true;
                    break;
                }
            }
        }
    }
    return ids;
}

int
register_incident_view(const char *incident, int64_t now, json_t **out, struct mp_error *err)
{
    struct incident inc;
    sqlite3 *db;
    json_t *all, *links, *ids, *assets, *scenarios, *measures, *x, *y;
    int suggested, current;
    const char *reason = NULL;
    size_t i, k;

    *out = NULL;
    if (incident_get(incident, &inc, err) != 0)
        return -1;
    db = db_reader(err);
    if (db == NULL || register_load_all(db, now, &all, err) != 0) {
        incident_free(&inc);
        return -1;
    }
    if (store_incident_links(db, inc.id, &links, err) != 0) {
        json_decref(all);
        incident_free(&inc);
        return -1;
    }
    ids = affected_assets(all, links, inc.services);
    assets = json_array();
    scenarios = json_array();
    measures = json_array();
    current = suggested = inc.severity;
    json_array_foreach(ids, i, x)
    {
        json_t *a = register_by_id(all, json_string_value(x)), *b;
        int want;
        if (a == NULL)
            continue;
        b = register_brief(a);
        json_object_set(b, "importance", json_object_get(a, "importance"));
        json_object_set(b, "crown_jewel", json_object_get(a, "crown_jewel"));
        json_array_append_new(assets, b);
        /* a crown jewel hit: at least high; the most important ones critical */
        if (!json_is_true(json_object_get(a, "crown_jewel")))
            continue;
        want = json_integer_value(json_object_get(a, "importance")) >= 5 ? SEVERITY_CRITICAL
                                                                         : SEVERITY_HIGH;
        if (want > suggested) {
            suggested = want;
            reason = json_string_value(json_object_get(a, "name"));
        }
    }
    /* scenarios on those assets, or realised by this incident */
    json_array_foreach(all, i, x)
    {
        bool realised = false;
        if (strcmp(json_string_value(json_object_get(x, "kind")), "scenario") != 0)
            continue;
        json_array_foreach(links, k, y)
        {
            realised = realised ||
                       (json_equal(json_object_get(y, "item"), json_object_get(x, "id")) &&
                        strcmp(json_string_value(json_object_get(y, "relation")), "realised") == 0);
        }
        if (realised || contains(ids, json_object_get(x, "asset"))) {
            json_t *b = register_brief(x);
            json_object_set(b, "asset", json_object_get(x, "asset"));
            json_object_set(b, "threat", json_object_get(x, "threat"));
            json_object_set(b, "residual_score",
                            json_object_get(json_object_get(x, "derived"), "residual_score"));
            json_object_set_new(b, "realised", json_boolean(realised));
            json_array_append_new(scenarios, b);
        }
    }
    /* measures addressing those scenarios, or produced by this incident */
    json_array_foreach(all, i, x)
    {
        bool related = false;
        if (strcmp(json_string_value(json_object_get(x, "kind")), "measure") != 0)
            continue;
        json_array_foreach(scenarios, k, y)
        {
            related =
                related || contains(json_object_get(x, "scenarios"), json_object_get(y, "id"));
        }
        json_array_foreach(links, k, y)
        {
            related = related || json_equal(json_object_get(y, "item"), json_object_get(x, "id"));
        }
        if (related) {
            json_t *b = register_brief(x);
            json_object_set(b, "type", json_object_get(x, "type"));
            json_object_set(b, "status", json_object_get(x, "status"));
            json_array_append_new(measures, b);
        }
    }
    *out = json_pack("{s:s, s:o, s:o, s:o, s:o, s:{s:s, s:s, s:s?}}", "incident", inc.ref, "links",
                     links, "affected_assets", assets, "scenarios", scenarios, "measures", measures,
                     "severity", "current", incident_severity_names[current], "suggested",
                     incident_severity_names[suggested], "crown_jewel", reason);
    json_decref(ids);
    json_decref(all);
    incident_free(&inc);
    return *out ? 0 : mp_error_set(err, 500, "", "out of memory");
}
