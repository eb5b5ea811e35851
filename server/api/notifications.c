/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * notifications.c - notification drafts: create, read, edit, approve
 * (sign), submit, correct, the signed document with its signature, and
 * the report in an authority's format (core/formats.h).
 */
#include "api.h"
#include "core/formats.h"
#include "core/notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
answer(struct api_response *rs, int status, json_t *out)
{
    json_t *v = json_object_get(out, "version");

    if (json_is_integer(v))
        snprintf(rs->etag, sizeof(rs->etag), "\"%lld\"", (long long)json_integer_value(v));
    api_ok(rs, status, out);
}

void
api_notifications_create(const struct api_request *rq, struct api_response *rs)
{
    struct field_errors errs = {0};
    json_t *in = api_parse_object(rq, rs), *out;

    if (in == NULL)
        return;
    if (notify_create(rq->principal, rq->now, rq->params[0], in, &out, &errs) != 0) {
        api_field_errors(rs, &errs);
    } else {
        snprintf(rs->location, sizeof(rs->location), "/api/v1/notifications/%s",
                 json_string_value(json_object_get(out, "id")));
        answer(rs, 201, out);
    }
    json_decref(in);
}

void
api_notifications_list(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    json_t *out;

    if (notify_list(rq->params[0], &out, &err) != 0)
        api_error(rs, &err);
    else
        api_ok(rs, 200, out);
}

void
api_notifications_get(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    int64_t version;
    json_t *out;

    if (notify_get(rq->params[0], &out, &version, &err) != 0)
        api_error(rs, &err);
    else
        answer(rs, 200, out);
}

void
api_notifications_patch(const struct api_request *rq, struct api_response *rs)
{
    struct field_errors errs = {0};
    int64_t im;
    json_t *in, *out;

    if (!api_if_match(rq, "notification", &im, rs) || (in = api_parse_object(rq, rs)) == NULL)
        return;
    if (notify_patch(rq->principal, rq->now, rq->params[0], im, in, &out, &errs) != 0)
        api_field_errors(rs, &errs);
    else
        answer(rs, 200, out);
    json_decref(in);
}

void
api_notifications_approve(const struct api_request *rq, struct api_response *rs)
{
    struct field_errors errs = {0};
    int64_t im;
    json_t *out;

    if (!api_if_match(rq, "notification", &im, rs))
        return;
    if (notify_approve(rq->principal, rq->now, rq->params[0], im, &out, &errs) != 0)
        api_field_errors(rs, &errs);
    else
        answer(rs, 200, out);
}

void
api_notifications_submit(const struct api_request *rq, struct api_response *rs)
{
    struct field_errors errs = {0};
    json_t *in = api_parse_object(rq, rs), *out;

    if (in == NULL)
        return;
    if (notify_submit(rq->principal, rq->now, rq->params[0], in, &out, &errs) != 0)
        api_field_errors(rs, &errs);
    else
        answer(rs, 200, out);
    json_decref(in);
}

void
api_notifications_correct(const struct api_request *rq, struct api_response *rs)
{
    struct field_errors errs = {0};
    json_t *out;

    if (notify_correct(rq->principal, rq->now, rq->params[0], &out, &errs) != 0) {
        api_field_errors(rs, &errs);
    } else {
        snprintf(rs->location, sizeof(rs->location), "/api/v1/notifications/%s",
                 json_string_value(json_object_get(out, "id")));
        answer(rs, 201, out);
    }
}

/* What a download of notification nid is called: after what it is, e.g.
 * INC-2026-0001_nis2_early-warning_v2 for the first correction of an early
 * warning (v1 the original, each correction one more).  Falls back to the
 * notification's id when something cannot be read. */
static void
download_name(const char *nid, char out[128])
{
    struct incident inc;
    struct mp_error err;
    json_t *n = NULL, *prev;
    int64_t version;
    int v = 1, hops = 0;
    char stage[48];

    snprintf(out, 128, "notification-%.40s", nid);
    if (notify_get(nid, &n, &version, &err) != 0)
        return;
    /* the correction chain, bounded like any walk over stored links */
    for (const char *sup = json_string_value(json_object_get(n, "supersedes"));
         sup != NULL && hops < 100; hops++) {
        if (notify_get(sup, &prev, &version, &err) != 0)
            break;
        v++;
        sup = json_string_value(json_object_get(prev, "supersedes"));
        json_decref(prev);
        prev = NULL;
        if (sup == NULL)
            break;
    }
    snprintf(stage, sizeof(stage), "%s", json_string_value(json_object_get(n, "stage")));
    for (char *p = stage; *p; p++)
        if (*p == '_')
            *p = '-';
    if (incident_get(json_string_value(json_object_get(n, "incident")), &inc, &err) == 0) {
        snprintf(out, 128, "%s_%s_%s_v%d", inc.ref, json_string_value(json_object_get(n, "regime")),
                 stage, v);
        incident_free(&inc);
    }
    json_decref(n);
}

static void
document(const struct api_request *rq, struct api_response *rs, bool signature)
{
    struct mp_error err;
    char *doc, *sig, name[128];

    if (notify_document(rq->params[0], &doc, &sig, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    rs->status = 200;
    if (signature) {
        free(doc);
        rs->raw = sig;
        rs->content_type = "text/plain; charset=utf-8";
        download_name(rq->params[0], name);
        snprintf(rs->disposition, sizeof(rs->disposition),
                 "attachment; filename=\"%s.json.minisig\"", name);
    } else {
        free(sig);
        rs->raw = doc;
        rs->content_type = "application/json";
        download_name(rq->params[0], name);
        snprintf(rs->disposition, sizeof(rs->disposition), "attachment; filename=\"%s.json\"",
                 name);
    }
    rs->raw_len = strlen(rs->raw);
}

void
api_notifications_document(const struct api_request *rq, struct api_response *rs)
{
    document(rq, rs, false);
}

void
api_notifications_signature(const struct api_request *rq, struct api_response *rs)
{
    document(rq, rs, true);
}

void
api_notifications_html(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    char *html;

    if (notify_html(rq->params[0], false, &html, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    rs->status = 200;
    rs->raw = html;
    rs->raw_len = strlen(html);
    rs->content_type = "text/html; charset=utf-8";
}

void
api_notifications_bundle(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    size_t len;
    char *zip, name[128];

    if (notify_bundle(rq->params[0], &zip, &len, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    rs->status = 200;
    rs->raw = zip;
    rs->raw_len = len;
    rs->content_type = "application/zip";
    download_name(rq->params[0], name);
    snprintf(rs->disposition, sizeof(rs->disposition), "attachment; filename=\"%s.zip\"", name);
}

/* The notification in an authority's format (config/formats/, docs/FORMATS.md):
 * ?format=ID&type=json|csv, named after the report and the format. */
void
api_notifications_export(const struct api_request *rq, struct api_response *rs)
{
    const char *format = rq->query(rq->ctx, "format");
    const char *type = rq->query(rq->ctx, "type");
    struct mp_error err;
    size_t len = 0;
    char *text, name[128];

    if (type == NULL)
        type = "json";
    if (format == NULL || format[0] == '\0' || strlen(format) > 64) {
        api_fail(rs, 400, "format", "is required: a format of GET /api/v1/formats");
        return;
    }
    if (strcmp(type, "json") != 0 && strcmp(type, "csv") != 0) {
        api_fail(rs, 400, "type", "must be json or csv");
        return;
    }
    if (formats_export(rq->params[0], format, type, rq->now, &text, &len, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    rs->status = 200;
    rs->raw = text;
    rs->raw_len = len;
    rs->content_type = strcmp(type, "csv") == 0 ? "text/csv; charset=utf-8" : "application/json";
    download_name(rq->params[0], name);
    snprintf(rs->disposition, sizeof(rs->disposition), "attachment; filename=\"%s_%s.%s\"", name,
             format, type);
}

/* The formats meldpunt can fill, for the draft page's downloads. */
void
api_formats_list(const struct api_request *rq, struct api_response *rs)
{
    struct rules *r = rules_acquire();
    struct mp_error err;
    json_t *list;

    (void)rq;
    if (formats_load(NULL, r, &list, &err) != 0) {
        rules_release(r);
        api_fail(rs, 500, "", "%s", err.message);
        return;
    }
    rules_release(r);
    api_ok(rs, 200, formats_summary(list));
    json_decref(list);
}
