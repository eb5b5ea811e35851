/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * register.c - /api/v1/register/{kind}: the risk register (assets,
 * threats, scenarios, measures, suppliers, functions), the risk matrix,
 * what needs attention, exports, and the links from incidents to it.
 */
#include "api.h"
#include "core/register.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The kind named by the first path parameter; 404 answered when unknown. */
static const char *
kind_of(const struct api_request *rq, struct api_response *rs)
{
    const char *kind = register_kind(rq->params[0]);

    if (kind == NULL)
        api_fail(rs, 404, NULL,
                 "no register '%s' (assets, threats, scenarios, measures, suppliers, functions)",
                 rq->params[0]);
    return kind;
}

void
api_register_list(const struct api_request *rq, struct api_response *rs)
{
    const char *kind = kind_of(rq, rs), *lang = rq->query(rq->ctx, "lang");
    struct mp_error err;
    json_t *out;

    if (kind == NULL)
        return;
    /* the language of the threat catalogue's names and descriptions */
    if (lang == NULL)
        lang = "en";
    if (strcmp(lang, "en") != 0 && strcmp(lang, "nl") != 0) {
        api_fail(rs, 400, "lang", "must be en or nl");
        return;
    }
    if (register_list(kind, lang, rq->now, &out, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    api_ok(rs, 200, out);
}

static void
answer_item(const struct api_request *rq, struct api_response *rs, int status, json_t *item,
            int64_t version)
{
    snprintf(rs->etag, sizeof(rs->etag), "\"%lld\"", (long long)version);
    if (status == 201)
        snprintf(rs->location, sizeof(rs->location), "/api/v1/register/%s/%s", rq->params[0],
                 json_string_value(json_object_get(item, "id")));
    api_ok(rs, status, item);
}

void
api_register_get(const struct api_request *rq, struct api_response *rs)
{
    const char *kind = kind_of(rq, rs);
    struct mp_error err;
    int64_t version;
    json_t *out;

    if (kind == NULL)
        return;
    if (register_get(kind, rq->params[1], rq->principal->tlp_max, rq->now, &out, &version, &err) !=
        0) {
        api_error(rs, &err);
        return;
    }
    answer_item(rq, rs, 200, out, version);
}

/* Members an answer adds to an item (the list of threats adds source). */
static const char *const shown[] = {"id",         "kind",       "version",    "created_at",
                                    "created_by", "updated_at", "updated_by", "derived",
                                    "incidents",  "source"};

static void
put(const struct api_request *rq, struct api_response *rs, const char *id)
{
    const char *kind = kind_of(rq, rs);
    struct field_errors errs = {0};
    int64_t if_match = -1, version;
    json_t *in, *out;

    if (kind == NULL || (id && !api_if_match(rq, kind, &if_match, rs)))
        return;
    in = api_parse_object(rq, rs);
    if (in == NULL)
        return;
    /* what GET adds may come back: not part of the item */
    for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++)
        json_object_del(in, shown[i]);
    if (register_put(rq->principal, rq->now, kind, id, in, if_match, &out, &version, &errs) != 0) {
        api_field_errors(rs, &errs);
        json_decref(in);
        return;
    }
    json_decref(in);
    answer_item(rq, rs, id ? 200 : 201, out, version);
}

void
api_register_create(const struct api_request *rq, struct api_response *rs)
{
    put(rq, rs, NULL);
}

void
api_register_put(const struct api_request *rq, struct api_response *rs)
{
    put(rq, rs, rq->params[1]);
}

void
api_register_delete(const struct api_request *rq, struct api_response *rs)
{
    const char *kind = kind_of(rq, rs);
    struct mp_error err;

    if (kind == NULL)
        return;
    if (register_delete(rq->principal, rq->now, kind, rq->params[1], &err) != 0) {
        api_error(rs, &err);
        return;
    }
    api_ok(rs, 204, NULL);
}

/* ?accepted=N: the highest residual score the organisation accepts. */
#define ACCEPTED_DEFAULT 9

void
api_risk_matrix(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    int64_t accepted;
    json_t *out;

    if (!api_query_int(rq, "accepted", 0, 25, ACCEPTED_DEFAULT, &accepted, rs))
        return;
    if (register_matrix((int)accepted, rq->now, &out, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    api_ok(rs, 200, out);
}

void
api_preparedness_attention(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    int64_t accepted;
    json_t *out;

    if (!api_query_int(rq, "accepted", 0, 25, ACCEPTED_DEFAULT, &accepted, rs))
        return;
    if (register_attention((int)accepted, rq->now, &out, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    api_ok(rs, 200, out);
}

void
api_register_export(const struct api_request *rq, struct api_response *rs)
{
    const char *format = rq->query(rq->ctx, "format"), *plural = rq->query(rq->ctx, "kind");
    const char *kind = NULL;
    struct mp_error err;
    size_t len;
    char *text;

    if (format == NULL)
        format = "json";
    if (strcmp(format, "json") != 0 && strcmp(format, "csv") != 0 && strcmp(format, "html") != 0) {
        api_fail(rs, 400, "format", "must be json, csv or html");
        return;
    }
    if (plural && (kind = register_kind(plural)) == NULL) {
        api_fail(rs, 400, "kind",
                 "must be assets, threats, scenarios, measures, suppliers or functions");
        return;
    }
    if (register_export(kind, format, rq->now, &text, &len, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    rs->status = 200;
    rs->raw = text;
    rs->raw_len = len;
    if (strcmp(format, "html") == 0) {
        rs->content_type = "text/html; charset=utf-8";
    } else if (strcmp(format, "csv") == 0) {
        rs->content_type = "text/csv; charset=utf-8";
        snprintf(rs->disposition, sizeof(rs->disposition), "attachment; filename=\"%s.csv\"",
                 plural);
    } else {
        rs->content_type = "application/json";
        snprintf(rs->disposition, sizeof(rs->disposition),
                 "attachment; filename=\"register.json\"");
    }
}

void
api_incident_links_create(const struct api_request *rq, struct api_response *rs)
{
    static const char *const fields[] = {"item", "relation", NULL};
    struct field_errors errs = {0};
    const char *item, *relation;
    struct mp_error err;
    json_t *in, *out;

    in = api_parse_object(rq, rs);
    if (in == NULL)
        return;
    api_only_fields(in, fields, rs);
    api_get_string(in, "item", true, 64, &item, rs);
    api_get_string(in, "relation", true, 16, &relation, rs);
    if (rs->status >= 400) {
        json_decref(in);
        return;
    }
    if (register_link_incident(rq->principal, rq->now, rq->params[0], item, relation, &errs) != 0) {
        api_field_errors(rs, &errs);
        json_decref(in);
        return;
    }
    if (register_incident_view(rq->params[0], rq->now, &out, &err) != 0) {
        api_error(rs, &err);
        json_decref(in);
        return;
    }
    /* the new link is the resource: its DELETE URL (item and relation live in in) */
    snprintf(rs->location, sizeof(rs->location), "/api/v1/incidents/%s/links/%s/%s",
             json_string_value(json_object_get(out, "incident")), relation, item);
    json_decref(in);
    api_ok(rs, 201, out);
}

void
api_incident_links_delete(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;

    if (register_unlink_incident(rq->principal, rq->now, rq->params[0], rq->params[1],
                                 rq->params[2], &err) != 0) {
        api_error(rs, &err);
        return;
    }
    api_ok(rs, 204, NULL);
}

void
api_incident_preparedness(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    json_t *out;

    if (register_incident_view(rq->params[0], rq->now, &out, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    api_ok(rs, 200, out);
}
