/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * formats_export.c - one notification in an authority's format: what the
 * mapping engine (formats_fill.c) reads, gathered from the notification,
 * its incident and the organisation profile, and the answer as JSON or
 * CSV.  See formats.h.
 */
#include "core/formats.h"
#include "core/incident.h"
#include "core/notify.h"
#include "core/organisation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
csv_row(struct buf *out, const char *id, const char *section, const char *name, const json_t *value,
        bool required, const char *note)
{
    char *text = formats_text(value);

    buf_csv_field(out, id, false);
    buf_puts(out, ",");
    buf_csv_field(out, section, false);
    buf_puts(out, ",");
    buf_csv_field(out, name, false);
    buf_puts(out, ",");
    buf_csv_field(out, text ? text : "", json_is_number(value));
    buf_puts(out, required ? ",yes," : ",no,");
    buf_csv_field(out, note ? note : "", false);
    buf_puts(out, "\r\n");
    free(text);
}

static const char *
reason_of(const json_t *filled, const char *id)
{
    size_t i;
    json_t *u;

    json_array_foreach(json_object_get(filled, "unfilled"), i, u)
    {
        if (strcmp(json_string_value(json_object_get(u, "id")), id) == 0)
            return json_string_value(json_object_get(u, "reason"));
    }
    return NULL;
}

void
formats_csv(const json_t *fmt, const json_t *filled, struct buf *out)
{
    static const char *const meta[] = {"format",   "format_version", "status", "regime", "stage",
                                       "incident", "notification",   "tlp",    NULL};
    const char *stage = json_string_value(json_object_get(filled, "stage"));
    const char *lang = json_string_value(json_object_get(filled, "language"));
    bool numbered = strcmp(json_string_value(json_object_get(fmt, "layout")), "numbered") == 0;
    const json_t *fields = json_object_get(filled, "fields"), *f;
    size_t i;

    buf_puts(out, "field,section,name,value,required,note\r\n");
    for (int m = 0; meta[m]; m++) {
        if (json_object_get(filled, meta[m]))
            csv_row(out, meta[m], "meta", meta[m], json_object_get(filled, meta[m]), false, NULL);
    }
    json_array_foreach(json_object_get(fmt, "fields"), i, f)
    {
        const char *id = json_string_value(json_object_get(f, "id"));
        const char *section = json_string_value(json_object_get(f, "section"));
        const json_t *v =
            numbered ? json_object_get(fields, id)
                     : json_object_get(json_object_get(fields, section), id + strlen(section) + 1);
        const json_t *req = json_object_get(f, "required");
        bool required = false;

        if (json_object_get(f, "stages") && v == NULL)
            continue; /* not a field of this stage */
        for (size_t k = 0; k < json_array_size(req); k++)
            required = required || strcmp(json_string_value(json_array_get(req, k)), stage) == 0;
        csv_row(out, id, section,
                json_string_value(json_object_get(json_object_get(f, "name"), lang)), v, required,
                reason_of(filled, id));
    }
}

/* What the engine reads: {incident, facts, profile, draft, notification}. */
static json_t *
sources(const json_t *n, const struct incident *inc, int64_t now, struct mp_error *err)
{
    struct rules *rules = rules_acquire();
    const struct rule_stage *st =
        rules_find_stage(rules_find(rules, json_string_value(json_object_get(n, "regime"))),
                         json_string_value(json_object_get(n, "stage")));
    bool voluntary = st && st->voluntary;
    json_t *profile = NULL, *src, *ij, *note;
    int64_t pversion;

    rules_release(rules);
    if (organisation_get(&profile, &pversion, NULL, err) != 0)
        return NULL;
    ij = incident_to_json(inc, now);
    note = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O?, s:O?, s:O?, s:O?, s:s}", "id",
                     json_object_get(n, "id"), "regime", json_object_get(n, "regime"), "stage",
                     json_object_get(n, "stage"), "language", json_object_get(n, "language"),
                     "state", json_object_get(n, "state"), "signed_by",
                     json_object_get(n, "signed_by"), "signed_at", json_object_get(n, "signed_at"),
                     "submitted_at", json_object_get(n, "submitted_at"), "authority_reference",
                     json_object_get(n, "authority_reference"), "obligation",
                     voluntary ? "voluntary" : "mandatory");
    src = json_pack("{s:o, s:O, s:o, s:O, s:o}", "incident", ij, "facts",
                    json_object_get(ij, "impact"), "profile", profile ? profile : json_object(),
                    "draft", json_object_get(n, "fields"), "notification", note);
    if (src == NULL)
        mp_error_set(err, 500, "", "out of memory");
    return src;
}

int
formats_export(const char *nid, const char *format, const char *type, int64_t now, char **text,
               size_t *len, struct mp_error *err)
{
    struct rules *rules = rules_acquire();
    json_t *n = NULL, *list = NULL, *src = NULL, *filled = NULL;
    const json_t *fmt;
    struct incident inc = {0};
    int64_t version;
    int rc = -1;
    bool have_inc = false;

    *text = NULL;
    if (notify_get(nid, &n, &version, err) != 0)
        goto out;
    if (formats_load(NULL, rules, &list, err) != 0) {
        err->status = 500;
        goto out;
    }
    fmt = formats_find(list, format);
    if (fmt == NULL || strcmp(json_string_value(json_object_get(fmt, "regime")),
                              json_string_value(json_object_get(n, "regime"))) != 0) {
        mp_error_set(err, 422, "format", "no format '%s' for %s reports", format ? format : "",
                     json_string_value(json_object_get(n, "regime")));
        goto out;
    }
    if (incident_get(json_string_value(json_object_get(n, "incident")), &inc, err) != 0)
        goto out;
    have_inc = true;
    src = sources(n, &inc, now, err);
    if (src == NULL)
        goto out;
    filled = formats_fill(fmt, src, json_string_value(json_object_get(n, "stage")),
                          strcmp(json_string_value(json_object_get(n, "language")), "nl") == 0);
    if (filled == NULL) {
        mp_error_set(err, 422, "format", "the format '%s' has no %s report", format,
                     json_string_value(json_object_get(n, "stage")));
        goto out;
    }
    json_object_set_new(filled, "incident", json_string(inc.ref));
    json_object_set_new(filled, "notification", json_string(nid));
    json_object_set(filled, "draft_state", json_object_get(n, "state"));
    json_object_set_new(filled, "draft_version", json_integer(version));
    json_object_set_new(filled, "tlp", json_string(incident_tlp_names[inc.tlp]));
    if (strcmp(type, "csv") == 0) {
        struct buf b = BUF_INIT;
        formats_csv(fmt, filled, &b);
        *text = buf_failed(&b) ? NULL : buf_detach(&b, len);
        buf_free(&b);
    } else {
        *text = json_dumps(filled, JSON_INDENT(2));
        *len = *text ? strlen(*text) : 0;
    }
    rc = *text ? 0 : mp_error_set(err, 500, "", "out of memory");
out:
    if (have_inc)
        incident_free(&inc);
    json_decref(n);
    json_decref(list);
    json_decref(src);
    json_decref(filled);
    rules_release(rules);
    return rc;
}
