/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * audit.c - /api/v1/audit: read and verify the audit chain (admins), and its
 * signed checkpoints (core/checkpoint.h).
 */
#include "api.h"
#include "core/audit.h"
#include "core/checkpoint.h"

void
api_audit_list(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    int64_t after, limit;
    json_t *out;

    if (!api_query_int(rq, "after", 0, INT64_MAX, 0, &after, rs) ||
        !api_query_int(rq, "limit", 1, 500, 100, &limit, rs))
        return;
    if (audit_list(after, (int)limit, &out, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    api_ok(rs, 200, out);
}

void
api_audit_verify(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    json_t *out;

    (void)rq;
    if (audit_verify(&out, &err) != 0) {
        api_error(rs, &err);
        return;
    }
    api_ok(rs, 200, out);
}

void
api_audit_checkpoints_list(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    int64_t after, limit;
    json_t *out;

    if (!api_query_int(rq, "after", 0, INT64_MAX, 0, &after, rs) ||
        !api_query_int(rq, "limit", 1, 500, 100, &limit, rs))
        return;
    if (checkpoint_list(after, (int)limit, &out, &err) != 0)
        api_error(rs, &err);
    else
        api_ok(rs, 200, out);
}

void
api_audit_checkpoints_create(const struct api_request *rq, struct api_response *rs)
{
    struct mp_error err;
    json_t *body, *out;

    /* no body, or an empty object: a checkpoint takes no input */
    if (rq->body_len > 0) {
        body = api_parse_object(rq, rs);
        if (body == NULL)
            return;
        if (!api_only_fields(body, (const char *const[]){NULL}, rs)) {
            json_decref(body);
            return;
        }
        json_decref(body);
    }
    if (checkpoint_create(rq->principal->name, rq->now, "demand", false, &out, &err) < 0)
        api_error(rs, &err);
    else
        api_ok(rs, 201, out);
}
