/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * iocs.c - an incident's indicators of compromise
 * (/api/v1/incidents/{id}/iocs) and its threat-intelligence exports: the
 * incident as a MISP event or a STIX 2.1 bundle (GET .../export?format=),
 * and the push of the MISP event to the configured instance (POST
 * .../misp).  The types, checks and formats live in core/ioc.c,
 * core/misp.c and core/stix.c.
 */
#include "api.h"
#include "core/ioc.h"
#include "core/misp.h"
#include "core/stix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
set_version(struct api_response *rs, json_int_t version)
{
    snprintf(rs->etag, sizeof(rs->etag), "\"%lld\"", (long long)version);
}

void
api_iocs_list(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    json_t *out;

    if (ioc_list(rq->principal, rq->params[0], &out, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    set_version(rs, json_integer_value(json_object_get(out, "version")));
    api_ok(rs, 200, out);
}

void
api_iocs_add(const struct api_request *rq, struct api_response *rs)
{
    static const char *const fields[] = {"iocs", NULL};
    struct field_errors errs = {0};
    int64_t if_match;
    json_t *in, *out;

    if (!api_if_match(rq, "incident", &if_match, rs))
        return;
    in = api_parse_object(rq, rs);
    if (in == NULL)
        return;
    if (!api_only_fields(in, fields, rs))
        goto out;
    if (ioc_add(rq->principal, rq->now, rq->params[0], if_match, json_object_get(in, "iocs"), &out,
                &errs) != 0) {
        api_field_errors(rs, &errs);
        goto out;
    }
    set_version(rs, json_integer_value(json_object_get(out, "version")));
    api_ok(rs, json_array_size(json_object_get(out, "added")) > 0 ? 201 : 200, out);
out:
    json_decref(in);
}

void
api_iocs_delete(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    int64_t if_match, version;

    if (!api_if_match(rq, "incident", &if_match, rs))
        return;
    if (ioc_remove(rq->principal, rq->now, rq->params[0], rq->params[1], if_match, &version,
                   &err) != 0) {
        api_error(rs, &err);
        return;
    }
    set_version(rs, (json_int_t)version);
    api_ok(rs, 204, NULL);
}

void
api_incidents_export(const struct api_request *rq, struct api_response *rs)
{
    static const char *const formats[] = {"misp", "stix"};
    struct mp_error err;
    json_t *out = NULL;
    int format;
    int rc;

    if (!api_query_enum(rq, "format", formats, 2, &format, rs))
        return;
    if (format < 0) {
        api_fail(rs, 400, "format", "is required: misp or stix");
        return;
    }
    rc = format == 0 ? misp_export(rq->principal, rq->params[0], &out, &err)
                     : stix_export(rq->principal, rq->params[0], &out, &err);
    if (rc != 0) {
        api_error(rs, &err);
        return;
    }
    /* a download: the bytes as they will be imported, with a file name */
    rs->raw = json_dumps(out, JSON_INDENT(1) | JSON_ENSURE_ASCII);
    json_decref(out);
    if (rs->raw == NULL) {
        api_fail(rs, 500, "", "the export could not be written");
        return;
    }
    rs->raw_len = strlen(rs->raw);
    rs->status = 200;
    rs->content_type = "application/json";
    snprintf(rs->disposition, sizeof(rs->disposition),
             "attachment; filename=\"incident_%.40s_%s.json\"", rq->params[0], formats[format]);
}

void
api_incidents_misp_push(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    json_t *out;

    if (rq->body_len > 0) {
        api_fail(rs, 400, "", "this request takes no body");
        return;
    }
    if (misp_push(rq->principal, rq->now, rq->params[0], &out, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    api_ok(rs, 200, out);
}
