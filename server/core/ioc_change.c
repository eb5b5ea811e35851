/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * ioc_change.c - an incident's list of indicators: read, add, remove.
 * Adding and removing are changes of the incident like a patch: the
 * incident's version goes up (If-Match applies), the timeline gets a
 * `changed` entry for the field "iocs" with what was added or removed, and
 * the audit chain an entry.  Adding what the incident has already changes
 * nothing and is answered as "existing": the list is a set.  And, once,
 * the indicators that were only words in drafts before migration 0024.
 * See ioc.h.
 */
#include "core/incident.h"
#include "incident_int.h"
#include "ioc.h"
#include "core/organisation.h"
#include "lib/buf.h"
#include "lib/text.h"
#include "lib/timeutil.h"
#include "lib/uuid.h"
#include "store/db.h"
#include "store/incidents.h"
#include "store/iocs.h"
#include "store/writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IOC_VALUE_BYTES (IOC_VALUE_MAX * 4 + 1)

struct ioc_item {
    int type;
    int tlp; /* -1: the incident's */
    const char *comment;
    char value[IOC_VALUE_BYTES];
};

static bool
decode_one(const struct principal *p, json_t *in, size_t i, struct ioc_item *it,
           struct field_errors *errs)
{
    static const char *const allowed[] = {"type", "value", "tlp", "comment", NULL};
    json_t *type = json_object_get(in, "type"), *value = json_object_get(in, "value");
    json_t *tlp = json_object_get(in, "tlp"), *comment = json_object_get(in, "comment");
    int before = errs->count;
    const char *key, *why;
    char f[96];
    json_t *v;

    it->type = it->tlp = -1;
    it->comment = NULL;
    json_object_foreach(in, key, v)
    {
        size_t k;
        for (k = 0; allowed[k] && strcmp(allowed[k], key) != 0; k++)
            ;
        if (allowed[k] == NULL) {
            snprintf(f, sizeof(f), "iocs[%zu].%.40s", i, key);
            field_error(errs, f, "unknown field");
        }
    }
    snprintf(f, sizeof(f), "iocs[%zu].type", i);
    if (type && !json_is_null(type) &&
        (!json_is_string(type) || (it->type = incident_enum_parse(ioc_type_names, IOC_TYPE_COUNT,
                                                                  json_string_value(type))) < 0))
        field_error(errs, f,
                    "must be one of ipv4, ipv6, domain, url, md5, sha1, sha256, sha512, email, "
                    "filename");
    snprintf(f, sizeof(f), "iocs[%zu].tlp", i);
    if (tlp && !json_is_null(tlp)) {
        it->tlp = json_is_string(tlp)
                      ? incident_enum_parse(incident_tlp_names, TLP_COUNT, json_string_value(tlp))
                      : -1;
        if (it->tlp < 0)
            field_error(errs, f, "must be one of clear, green, amber, amber+strict, red");
        else if (it->tlp > p->tlp_max)
            field_error(errs, f, "is above the highest level you may see (%s)",
                        incident_tlp_names[p->tlp_max]);
    }
    snprintf(f, sizeof(f), "iocs[%zu].comment", i);
    if (comment && !json_is_null(comment)) {
        if (!json_is_string(comment) || !text_valid_utf8(json_string_value(comment), false))
            field_error(errs, f, "must be text");
        else if (text_chars(json_string_value(comment)) > IOC_COMMENT_MAX)
            field_error(errs, f, "must be at most %d characters", IOC_COMMENT_MAX);
        else
            it->comment = json_string_value(comment);
    }
    snprintf(f, sizeof(f), "iocs[%zu].value", i);
    if (value == NULL || json_is_null(value))
        field_error(errs, f, "is required");
    else if (!json_is_string(value))
        field_error(errs, f, "must be a string");
    else if (errs->count == before && ioc_normalise(it->type, json_string_value(value), &it->type,
                                                    it->value, sizeof(it->value), &why) != 0)
        field_error(errs, f, "%s", why);
    return errs->count == before;
}

struct add_change {
    const struct principal *p;
    int64_t now, if_match, version;
    const char *incident;
    struct ioc_item *items;
    size_t n;
    json_t *added, *existing;
};

/* The incident for a change of its list, If-Match checked. */
static int
load_incident(sqlite3 *db, const char *id, int64_t if_match, struct incident *inc,
              struct mp_error *err)
{
    int found = store_incident_load(db, id, inc, err);

    if (found <= 0)
        return found < 0 ? -1 : mp_error_set(err, 404, "", "no incident '%s'", id);
    if (if_match >= 0 && if_match != inc->version) {
        mp_error_set(err, 412, "If-Match",
                     "the incident changed: it is at version %lld, not %lld; read it again",
                     (long long)inc->version, (long long)if_match);
        incident_free(inc);
        return -1;
    }
    return 0;
}

/* The new version, the timeline entry (old or new: what went or came, as
 * JSON) and the audit entry of a change of the list. */
static int
record_change(sqlite3 *db, const struct principal *p, int64_t now, struct incident *inc,
              const char *action, json_t *old_v, json_t *new_v, struct mp_error *err)
{
    char at[TIME_RFC3339_LEN], *o = NULL, *n = NULL;
    int rc;

    inc->updated_at = now;
    inc->version++;
    time_format_rfc3339(now, at, sizeof(at));
    if (old_v)
        o = json_dumps(old_v, JSON_COMPACT);
    if (new_v)
        n = json_dumps(new_v, JSON_COMPACT);
    rc = store_incident_update(db, inc, err) != 0 ||
                 store_timeline_append(db, inc->id, at, p->name, "changed", "iocs", o, n, NULL,
                                       err) != 0 ||
                 incident_audit(
                     db, now, p, action, inc,
                     json_pack("{s:O}", old_v ? "removed" : "added", old_v ? old_v : new_v),
                     err) != 0
             ? -1
             : 0;
    free(o);
    free(n);
    return rc;
}

static int
add_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct add_change *c = arg;
    char at[TIME_RFC3339_LEN], id[UUID_TEXT_LEN + 1];
    struct incident inc;
    json_t *summary;
    int rc = 0;

    c->now = store_change_time(c->now);
    json_decref(c->added);
    json_decref(c->existing);
    c->added = json_array();
    c->existing = json_array();
    if (load_incident(db, c->incident, c->if_match, &inc, err) != 0)
        return -1;
    time_format_rfc3339(c->now, at, sizeof(at));
    summary = json_array();
    for (size_t i = 0; i < c->n && rc >= 0; i++) {
        const struct ioc_item *it = &c->items[i];
        struct ioc_row row = {.id = id,
                              .incident_id = inc.id,
                              .type = ioc_type_names[it->type],
                              .value = it->value,
                              .tlp = incident_tlp_names[it->tlp >= 0 ? it->tlp : inc.tlp],
                              .comment = it->comment ? it->comment : "",
                              .at = at,
                              .by = c->p->name};
        uuid7_generate(id);
        rc = store_ioc_insert(db, &row, err);
        if (rc == 1) {
            json_array_append_new(c->added, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
                                                      id, "type", row.type, "value", row.value,
                                                      "tlp", row.tlp, "comment", row.comment,
                                                      "created_at", at, "created_by", c->p->name));
            json_array_append_new(summary, json_pack("{s:s, s:s, s:s}", "type", row.type, "value",
                                                     row.value, "tlp", row.tlp));
        } else if (rc == 0) {
            json_array_append_new(c->existing,
                                  json_pack("{s:s, s:s}", "type", row.type, "value", row.value));
        }
    }
    if (rc >= 0 && json_array_size(summary) > 0)
        rc = record_change(db, c->p, c->now, &inc, "incident.iocs.add", NULL, summary, err);
    json_decref(summary);
    c->version = inc.version;
    incident_free(&inc);
    return rc < 0 ? -1 : 0;
}

int
ioc_add(const struct principal *p, int64_t now, const char *incident, int64_t if_match,
        json_t *list, json_t **out, struct field_errors *errs)
{
    struct add_change c = {.p = p, .now = now, .if_match = if_match, .incident = incident};
    struct mp_error err;
    size_t i, n = json_array_size(list);
    json_t *x;

    *out = NULL;
    if (!json_is_array(list) || n == 0 || n > IOC_BATCH_MAX) {
        field_error(errs, "iocs", "must be a list of 1 to %d indicators", IOC_BATCH_MAX);
        return -1;
    }
    c.items = calloc(n, sizeof(*c.items));
    if (c.items == NULL) {
        mp_error_set(&err, 503, "", "out of memory");
        return field_errors_fail(errs, &err);
    }
    json_array_foreach(list, i, x)
    {
        char f[32];
        snprintf(f, sizeof(f), "iocs[%zu]", i);
        if (!json_is_object(x))
            field_error(errs, f, "must be an object {type, value, tlp, comment}");
        else
            decode_one(p, x, i, &c.items[i], errs);
    }
    c.n = n;
    if (errs->count == 0 && store_write(add_apply, &c, &err) != 0)
        field_errors_fail(errs, &err);
    free(c.items);
    if (errs->count > 0) {
        json_decref(c.added);
        json_decref(c.existing);
        return -1;
    }
    *out = json_pack("{s:o, s:o, s:I}", "added", c.added, "existing", c.existing, "version",
                     (json_int_t)c.version);
    return 0;
}

struct remove_change {
    const struct principal *p;
    int64_t now, if_match, version;
    const char *incident, *id;
};

static int
remove_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct remove_change *c = arg;
    struct incident inc;
    json_t *row = NULL, *gone;
    int found, rc = -1;

    c->now = store_change_time(c->now);
    if (load_incident(db, c->incident, c->if_match, &inc, err) != 0)
        return -1;
    found = store_ioc_get(db, inc.id, c->id, &row, err);
    if (found == 0 ||
        (found > 0 &&
         incident_enum_parse(incident_tlp_names, TLP_COUNT,
                             json_string_value(json_object_get(row, "tlp"))) > c->p->tlp_max)) {
        mp_error_set(err, 404, "", "the incident has no indicator '%s'", c->id);
        goto out;
    }
    if (found < 0 || store_ioc_delete(db, inc.id, c->id, err) != 0)
        goto out;
    gone = json_pack("[{s:O, s:O, s:O}]", "type", json_object_get(row, "type"), "value",
                     json_object_get(row, "value"), "tlp", json_object_get(row, "tlp"));
    rc = record_change(db, c->p, c->now, &inc, "incident.iocs.remove", gone, NULL, err);
    json_decref(gone);
    c->version = inc.version;
out:
    json_decref(row);
    incident_free(&inc);
    return rc;
}

int
ioc_remove(const struct principal *p, int64_t now, const char *incident, const char *id,
           int64_t if_match, int64_t *version, struct mp_error *err)
{
    struct remove_change c = {
        .p = p, .now = now, .if_match = if_match, .incident = incident, .id = id};

    if (store_write(remove_apply, &c, err) != 0)
        return -1;
    *version = c.version;
    return 0;
}

int
ioc_visible(const struct principal *p, const char *incident, struct incident *inc, json_t **items,
            struct mp_error *err)
{
    char visible[64];
    sqlite3 *db;

    *items = NULL;
    if (incident_get(incident, inc, err) != 0)
        return -1;
    db = db_reader(err);
    store_tlp_visible_list(p->tlp_max, visible);
    if (db == NULL || store_iocs_list(db, inc->id, visible, items, err) != 0) {
        incident_free(inc);
        return -1;
    }
    return 0;
}

int
ioc_list(const struct principal *p, const char *incident, json_t **out, struct mp_error *err)
{
    struct incident inc;
    json_t *items;

    *out = NULL;
    if (ioc_visible(p, incident, &inc, &items, err) != 0)
        return -1;
    *out = json_pack("{s:o, s:I}", "items", items, "version", (json_int_t)inc.version);
    incident_free(&inc);
    return 0;
}

void
ioc_organisation_name(char *out, size_t size)
{
    struct mp_error err;
    char updated_at[32];
    int64_t version;
    json_t *doc = NULL;
    const char *name;

    organisation_get(&doc, &version, updated_at, &err);
    name = json_string_value(json_object_get(doc, "name"));
    snprintf(out, size, "%s", name && name[0] ? name : "meldpunt");
    json_decref(doc);
}

/* ---- the draft texts of before migration 0024 ---- */

/* The server's own changes: no person, every level. */
static const struct principal import_principal = {
    .authenticated = true, .name = "system:ioc-import", .tlp_max = TLP_RED};

struct import_change {
    int64_t now;
    json_t *pending; /* {notification_id, incident_id, regime, stage, text} */
    int typed, untyped;
};

/* The words no type fits, as written, in a note on the timeline. */
static int
import_note(sqlite3 *db, const struct incident *inc, const char *at, json_t *pending,
            struct buf *rest, struct mp_error *err)
{
    struct buf note = {0};
    int rc;

    buf_printf(&note,
               "Indicators in the %s %s draft's text that are not of one type, kept as written: ",
               json_string_value(json_object_get(pending, "regime")),
               json_string_value(json_object_get(pending, "stage")));
    buf_puts(&note, buf_failed(rest) ? "(too long; see the draft)" : rest->data);
    rc = buf_failed(&note) ? mp_error_set(err, 503, "", "out of memory")
                           : store_timeline_append(db, inc->id, at, import_principal.name, "note",
                                                   NULL, NULL, NULL, note.data, err);
    buf_free(&note);
    return rc;
}

/* Each word of the text (split at white space, commas, semicolons and
 * bars) that reads as exactly one type is added; the others are kept, as
 * written and in order, in a note on the timeline. */
static int
import_apply(sqlite3 *db, void *arg, struct mp_error *err)
{
    struct import_change *c = arg;
    const char *nid = json_string_value(json_object_get(c->pending, "notification_id"));
    char *text = strdup(json_string_value(json_object_get(c->pending, "text")));
    char at[TIME_RFC3339_LEN], id[UUID_TEXT_LEN + 1], value[IOC_VALUE_BYTES], *save = NULL, *w;
    json_t *summary = json_array();
    struct buf rest = {0};
    struct incident inc;
    int rc = 0, type;

    c->now = store_change_time(c->now);
    c->typed = c->untyped = 0;
    if (text == NULL ||
        load_incident(db, json_string_value(json_object_get(c->pending, "incident_id")), -1, &inc,
                      err) != 0) {
        free(text);
        json_decref(summary);
        return text ? -1 : mp_error_set(err, 503, "", "out of memory");
    }
    time_format_rfc3339(c->now, at, sizeof(at));
    for (w = strtok_r(text, " \t\r\n,;|", &save); w && rc >= 0;
         w = strtok_r(NULL, " \t\r\n,;|", &save)) {
        const char *why;
        if (ioc_normalise(-1, w, &type, value, sizeof(value), &why) != 0) {
            buf_printf(&rest, "%s%s", rest.len ? " " : "", w);
            c->untyped++;
            continue;
        }
        uuid7_generate(id);
        rc = store_ioc_insert(db,
                              &(struct ioc_row){.id = id,
                                                .incident_id = inc.id,
                                                .type = ioc_type_names[type],
                                                .value = value,
                                                .tlp = incident_tlp_names[inc.tlp],
                                                .comment = "",
                                                .at = at,
                                                .by = import_principal.name},
                              err);
        if (rc == 1) {
            c->typed++;
            json_array_append_new(summary,
                                  json_pack("{s:s, s:s, s:s}", "type", ioc_type_names[type],
                                            "value", value, "tlp", incident_tlp_names[inc.tlp]));
        }
    }
    if (rc >= 0 && c->untyped > 0)
        rc = import_note(db, &inc, at, c->pending, &rest, err);
    if (rc >= 0 && c->typed > 0)
        rc = record_change(db, &import_principal, c->now, &inc, "incident.iocs.import", NULL,
                           summary, err);
    else if (rc >= 0 && c->untyped > 0) {
        inc.version++;
        inc.updated_at = c->now;
        rc = store_incident_update(db, &inc, err) != 0 ||
                     incident_audit(
                         db, c->now, &import_principal, "incident.iocs.import", &inc,
                         json_pack("{s:s, s:i}", "notification", nid, "untyped", c->untyped),
                         err) != 0
                 ? -1
                 : 0;
    }
    if (rc >= 0)
        rc = store_ioc_text_done(db, nid, err);
    json_decref(summary);
    buf_free(&rest);
    free(text);
    incident_free(&inc);
    return rc < 0 ? -1 : 0;
}

int
ioc_import_drafts(int64_t now, int *typed, int *untyped, struct mp_error *err)
{
    struct import_change c = {.now = now};
    json_t *pending;
    sqlite3 *db = db_reader(err);
    size_t i;

    *typed = *untyped = 0;
    if (db == NULL || store_ioc_texts_pending(db, &pending, err) != 0)
        return -1;
    json_array_foreach(pending, i, c.pending)
    {
        if (store_write(import_apply, &c, err) != 0) {
            json_decref(pending);
            return -1;
        }
        *typed += c.typed;
        *untyped += c.untyped;
    }
    json_decref(pending);
    return 0;
}
